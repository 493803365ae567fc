"""Run functions of the patrol plan and dosage tools (wrap core/analysis/patrol.py, temporal
profiles and the plan file reader core/io/patrol_io.py)."""

from __future__ import annotations

import re
from functools import partial

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspot_desktop.tools.base import ChartSpec, RunContext, TableResult, ToolResult, timeline_chart

from hotspot_desktop.tools.builtin.declarations import SHIFT_RE  # "Early 06-14 x2": name, hours, units


def parse_shifts(text: str) -> list:
    """Shifts from ``NAME START-END xUNITS; ...`` (hours 0-24, a shift may pass midnight; a whole
    day is ``00-24``). Refuses repeated names, a shift starting and ending at the same hour and
    a shift without units, saying which."""
    from hotspot_desktop.core.analysis.patrol import Shift

    shifts, seen = [], set()
    for part in filter(None, (p.strip() for p in text.split(";"))):
        m = re.fullmatch(SHIFT_RE, part)
        if m is None:
            raise ValueError(f"shift {part!r} is not in the form 'Early 06-14 x2'")
        name, a, b, units = m.group(1).strip(), int(m.group(2)), int(m.group(3)), int(m.group(4))
        if not (0 <= a <= 23 and 0 <= b <= 24):
            raise ValueError(f"shift {name!r}: hours must be 0-24")
        if a == b % 24 and not (a == 0 and b == 24):
            raise ValueError(f"shift {name!r} starts and ends at {a:02d}: give different hours "
                             "(a whole day is '00-24')")
        if units < 1:
            raise ValueError(f"shift {name!r}: a shift needs at least one unit")
        if name.casefold() in seen:
            raise ValueError(f"shift name {name!r} is given twice: each shift needs its own name")
        seen.add(name.casefold())
        shifts.append(Shift(name, a, b % 24, units))
    if not shifts:
        raise ValueError("give at least one shift")
    return shifts


def parse_first_day(text: str) -> pd.Timestamp | None:
    """The plan's first day from ``YYYY-MM-DD`` text (blank = None), with a plain message for a
    date that does not exist, such as 2026-02-30."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return pd.Timestamp(pd.to_datetime(text, format="%Y-%m-%d")).normalize()
    except (ValueError, OverflowError):
        raise ValueError(f"first day {text!r} is not a date in the calendar (YYYY-MM-DD)") from None


def zone_names(zones) -> list[str]:
    """The name of each zone row as plans use it: its ``name``, else ``zone N`` (1-based)."""
    out = []
    for i, row in zones.reset_index(drop=True).iterrows():
        name = row.get("name") if "name" in zones.columns else None
        out.append(str(name) if name is not None and pd.notna(name) and str(name) else f"zone {i + 1}")
    return out


def timeline_charts(visits: pd.DataFrame, shifts: list | None = None, zones: list[str] | None = None) -> list[ChartSpec]:
    """One timeline chart per shift: a lane per day and unit, a bar per visit coloured by zone.

    Zones take palette colours in ``zones`` order, by default in natural order of their names,
    so the screen (this tool) and paper (export/patrol_timeline.py) colour a zone alike.
    """
    from hotspot_desktop.core.analysis.patrol import natural_key, shift_timelines

    groups = list(zones) if zones else sorted(set(visits["zone"].astype(str)) if len(visits) else set(),
                                              key=natural_key)
    charts = []
    for tl in shift_timelines(visits, shifts):
        bars = list(zip(tl.bars["lane"], tl.bars["start_h"], tl.bars["end_h"], tl.bars["zone"]))
        charts.append(timeline_chart(f"Patrol timeline: {tl.shift} shift", tl.lanes, bars, groups=groups,
                                     x_range=tl.hours, x_label="zone", y_label="day · unit"))
    return charts


def top_hotspot_zones(hotspots, x: np.ndarray, y: np.ndarray, top_n: int) -> tuple[gpd.GeoDataFrame, str]:
    """The ``top_n`` polygons of a hot spot layer holding the most of the incidents at ``x``, ``y``
    (the recent history), as patrol zones: named by their ``name`` field or "Hot spot K", with
    ``priority`` 1 for the busiest, 2 for the next and so on (1 = highest, scheduled first), and
    their ``incidents``."""
    gdf = hotspots.gdf.reset_index(drop=True)
    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    if gdf.empty:
        raise ValueError(f"{hotspots.name} has no polygons")
    counts = np.array([int(shapely.contains_xy(g, x, y).sum()) for g in gdf.geometry])
    order = np.argsort(-counts, kind="stable")[:top_n]
    order = order[counts[order] > 0] if (counts[order] > 0).any() else order
    top = gdf.iloc[order].copy()
    names = top["name"].astype(str) if "name" in top.columns else None
    top["name"] = [n if names is not None and n and n != "nan" else f"Hot spot {k + 1}"
                   for k, n in enumerate(names if names is not None else [None] * len(top))]
    top["priority"] = np.arange(1, len(top) + 1)
    top["incidents"] = counts[order]
    note = (f"zones: the top {len(top)} polygons of {hotspots.name} by incidents in the risk history "
            f"({', '.join(f'{n} {c:,}' for n, c in zip(top['name'], counts[order]))}), priority 1 the busiest")
    return (gpd.GeoDataFrame(top[["name", "priority", "incidents", "geometry"]].reset_index(drop=True),
                             geometry="geometry", crs=gdf.crs), note)


def _priority(row) -> int | None:
    """A zone's priority (1 = highest); blank, 0 or not a number means none."""
    v = pd.to_numeric(row.get("priority"), errors="coerce") if "priority" in row else None
    return int(v) if v is not None and pd.notna(v) and int(v) >= 1 else None


def patrol_plan(inputs: dict, ctx: RunContext) -> ToolResult:
    """A plan of randomised visits (``visit_min``-``visit_max`` minutes, Koper 1995) per zone,
    weighted by each zone's hour-of-week risk: the day's visits of a zone (``visits_per_shift``
    times the number of shifts) are shared among the shifts in proportion to its risk in each
    shift's hours, then placed in its peak hours within each shift (:func:`make_plan`)."""
    from hotspot_desktop.core.analysis.patrol import ZoneDemand, make_plan
    from hotspot_desktop.core.analysis.temporal import hour_weekday_table
    from hotspot_desktop.core.model import VectorLayer

    pts, zones = inputs["points"], inputs.get("zones")
    if pts.times is None:
        raise ValueError(f"{pts.name} has no date/time column")
    shifts = parse_shifts(inputs["shifts"])
    lo, hi = int(inputs.get("visit_min", 10)), int(inputs.get("visit_max", 16))
    if lo > hi:
        raise ValueError(f"shortest visit ({lo} min) is longer than the longest ({hi} min): "
                         "'Shortest visit' must be at most 'Longest visit'")
    first = parse_first_day(inputs.get("first_day") or "")
    end = pts.times.max()
    recent = (pts.times >= end - pd.Timedelta(days=int(inputs["history_days"]))).to_numpy()
    source_note, layers = None, []
    if zones is None:
        if inputs.get("hotspots") is None:
            raise ValueError("choose the patrol zones, or a hot spot layer to patrol its top N polygons")
        hotspots = inputs["hotspots"]
        zones, source_note = top_hotspot_zones(hotspots, pts.x[recent], pts.y[recent], int(inputs["top_n"]))
        layers.append(VectorLayer(f"Patrol plan zones (top {len(zones)})", zones.copy(), geometry_kind="polygon",
                                  source_crs=getattr(hotspots, "source_crs", None)))
    elif inputs.get("hotspots") is not None:
        source_note = "patrol zones given: the hot spot layer was not used"
    demands = []
    names = zone_names(zones)
    for i, row in zones.reset_index(drop=True).iterrows():
        ctx.checkpoint(0.05 + 0.45 * i / max(len(zones), 1), "zone risk profiles")
        inside = recent & shapely.contains_xy(row.geometry, pts.x, pts.y)
        t = pts.times[inside]
        end_t = pts.attributes["time_end"][inside] if "time_end" in pts.attributes.columns else None
        profile = hour_weekday_table(t, end_t).ravel() if inside.any() else np.zeros(168)
        demands.append(ZoneDemand(names[i], profile, int(inputs["visits_per_shift"]), _priority(row)))
    first = first if first is not None else (end + pd.Timedelta(days=1)).normalize()
    ctx.checkpoint(0.5, "scheduling visits")
    plan = make_plan(demands, shifts, first_day=pd.Timestamp(first), days=int(inputs["days"]),
                     visit_minutes=(lo, hi), seed=ctx.seed)
    ctx.checkpoint(0.95, "tables")
    from hotspot_desktop.core.io.patrol_io import visits_table, write_plan_csv

    visits = visits_table(plan.visits) if len(plan.visits) else plan.visits
    cov = plan.coverage.copy()
    pct = (100 * cov.pop("expected_coverage").astype(float))
    cov.insert(1, "expected coverage %", pct.round(1))
    chart = ChartSpec("bar", "Expected coverage of historical risk", list(cov["zone"].astype(str)),
                      {"coverage %": pct.tolist()}, x_label="zone",
                      y_label="% of risk in patrolled hours") if len(cov) else None
    notes = [f"{len(plan.visits)} visits over {inputs['days']} days for {len(demands)} zones; "
             f"{len(plan.unplaced)} could not be placed",
             f"risk profiles from the last {inputs['history_days']} days of incidents (aoristic)",
             f"visit length {lo}-{hi} min, randomised start (Koper 1995)",
             ("each zone's visits of a day (visits per shift x shifts) are shared among the shifts in proportion "
              "to its risk in their hours; priority 1 zones are scheduled first"),
             "save the visits table as CSV to check it later with 'Dosage delivered vs plan'"]
    if source_note:
        notes.insert(1, source_note)
    # Saved, the visits table also writes the plan's sidecar (shift hours, coverage, unplaced
    # visits), so a plan read back for the briefing or a dosage check is the whole plan.
    tables = [TableResult("Patrol plan: visits", visits, name="visits", writer=partial(write_plan_csv, plan)),
              TableResult("Patrol plan: expected coverage", cov, name="coverage")]
    if len(plan.unplaced):
        tables.append(TableResult("Patrol plan: visits not placed", plan.unplaced, name="unplaced"))
    charts = ([chart] if chart else []) + timeline_charts(plan.visits, shifts)
    return ToolResult(layers=layers, tables=tables, charts=charts, notes=notes,
                      warnings=[notes[0]] if len(plan.unplaced) else [])


def patrol_dosage(inputs: dict, ctx: RunContext) -> ToolResult:
    """Minutes units spent in each zone from AVL / patrol-log points, against a saved plan."""
    from hotspot_desktop.core.analysis.patrol import dosage_report
    from hotspot_desktop.core.io.patrol_io import PlanFileError, read_plan_csv, visits_table

    pts, zones = inputs["pings"], inputs["zones"]
    if pts.times is None:
        raise ValueError(f"{pts.name} has no date/time column: AVL points need the time of each position")
    unit_col = inputs["unit_field"]
    plan = None
    if inputs.get("plan"):
        try:
            plan = read_plan_csv(inputs["plan"])
        except PlanFileError as exc:
            raise ValueError(str(exc)) from None
    ctx.checkpoint(0.05, "reading points")
    pings = pd.DataFrame({"unit": pts.attributes[unit_col].astype(str).to_numpy(), "time": pts.times.to_numpy(),
                          "x": pts.x, "y": pts.y})
    names = zone_names(zones)
    geoms = dict(zip(names, zones.geometry))
    gap, slack = float(inputs["max_gap"]), float(inputs["slack"])
    shifts = None
    if plan is not None and plan.settings.get("shifts"):
        from hotspot_desktop.core.analysis.patrol import Shift

        try:
            shifts = [Shift(str(s["name"]), int(s["start_hour"]), int(s["end_hour"]), int(s["units"]))
                      for s in plan.settings["shifts"]]
        except (KeyError, TypeError, ValueError):
            ctx.note("the plan's settings file lists no readable shifts: the plan ends with its last visit")
    report = dosage_report(geoms, pings, plan.visits if plan is not None else None, shifts=shifts,
                           max_gap_minutes=gap, slack_minutes=slack, progress=ctx.sub(0.1, 0.9),
                           cancelled=ctx.cancelled)
    ctx.checkpoint(0.92, "tables")
    by_zone = report.by_zone.copy()
    if "delivered_share" in by_zone.columns:
        by_zone["delivered_%"] = (100 * by_zone.pop("delivered_share")).round(1)
    by_zone["delivered_minutes"] = by_zone["delivered_minutes"].round(1)
    tables = [TableResult("Dosage delivered by zone" + (" vs plan" if plan is not None else ""), by_zone,
                          name="dosage")]
    notes = [(f"presence = time between consecutive pings of a unit both inside a zone and at most {gap:g} min "
              "apart; a lone ping counts as a stay of 0 minutes (Telep, Mitchell & Weisburd 2014)"),
             "stays count every entry of a unit into a zone, driving through included; 'visits made' counts "
             "the planned visits delivered",
             f"{report.pings_used:,} pings used"
             + (f"; typical interval {report.typical_interval_minutes:.1f} min" if np.isfinite(report.typical_interval_minutes)
                else "")]
    warnings = []
    if report.pings_unreadable:
        notes.append(f"{report.pings_unreadable:,} pings without a time or position left out")
    if plan is not None:
        a, b = report.window
        notes.append(f"plan from {a:%Y-%m-%d %H:%M} to {b:%Y-%m-%d %H:%M}: {report.pings_outside_plan:,} pings outside "
                     "it are not counted against the plan")
        notes.append(f"a planned visit is made when units spent at least half its minutes in the zone between "
                     f"{slack:g} min before its start and {slack:g} min after its end")
        if report.by_shift is not None:
            by_shift = report.by_shift.copy()
            by_shift["minutes_in_visits"] = by_shift["minutes_in_visits"].round(1)
            by_shift["share"] = (100 * by_shift["share"]).round(1)
            tables.append(TableResult("Dosage by shift: planned visits made", by_shift.rename(
                columns={"share": "delivered_%"}), name="by_shift"))
        per_visit = visits_table(report.visits)
        per_visit["delivered_minutes"] = per_visit["delivered_minutes"].round(1)
        per_visit["made"] = np.where(report.visits["made"], "yes", "no")
        tables.append(TableResult("Dosage: each planned visit", per_visit, name="visit_delivery"))
        if report.plan_zones_missing:
            warnings.append(f"the plan has zones the zone layer does not: {', '.join(report.plan_zones_missing)} "
                            "(nothing can be delivered there; pick the zones the plan was made for)")
        if report.pings_used == 0:
            warnings.append(f"no ping of {pts.name} falls in the plan's days "
                            f"({a:%Y-%m-%d} to {b - pd.Timedelta(minutes=1):%Y-%m-%d})")
    else:
        notes.append("no plan given: delivered dosage only")
    if len(report.by_unit):
        unit_table = report.by_unit.copy()
        unit_table["minutes"] = unit_table["minutes"].round(1)
        tables.append(TableResult("Dosage delivered by unit and zone", unit_table, name="by_unit"))
    if np.isfinite(report.typical_interval_minutes) and report.typical_interval_minutes > gap:
        warnings.append(f"{pts.name} pings about every {report.typical_interval_minutes:.1f} min, more than the "
                        f"{gap:g} min gap: most presence is not counted; raise 'Longest gap between pings'")
    series = {"planned minutes": by_zone["planned_minutes"].astype(float).tolist()} if plan is not None else {}
    series["delivered minutes"] = by_zone["delivered_minutes"].astype(float).tolist()
    chart = ChartSpec("bar", "Dosage: planned vs delivered minutes" if plan is not None else "Dosage delivered",
                      by_zone["zone"].astype(str).tolist(), series, x_label="zone", y_label="minutes")
    return ToolResult(tables=tables, charts=[chart], notes=notes, warnings=warnings)
