"""Run function of the intervention evaluation tool (wraps core/analysis/intervention.py)."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspot_desktop.core.model import VectorLayer
from hotspot_desktop.core.styles import categorised
from hotspot_desktop.tools.base import ChartSpec, RunContext, TableResult, ToolResult
from hotspot_desktop.tools.builtin.hotspots import _study_area

AREA_COLOURS = {"target": "#D55E00", "catchment": "#E69F00", "control": "#0072B2", "catchment control": "#56B4E9"}


def _union(gdf: gpd.GeoDataFrame | None, what: str) -> Any:
    if gdf is None or not len(gdf):
        return None
    geom = shapely.union_all(gdf.geometry.values)
    if geom.is_empty:
        raise ValueError(f"the {what} zones have no area")
    return geom


def _period(rng: tuple, label: str) -> Any:
    from hotspot_desktop.core.analysis.intervention import Period

    a, b = rng
    if a in (None, "") or b in (None, ""):
        raise ValueError(f"the {label} period needs a start and an end date")
    end = pd.Timestamp(b)
    if end == end.normalize():
        end = end + pd.Timedelta(days=1) - pd.Timedelta(seconds=1)  # an end date includes that whole day
    return Period(pd.Timestamp(a), end)


def _measure_rows(res: Any) -> pd.DataFrame:
    rows = [(res.wdq.name, res.wdq.value, res.wdq.interpretation),
            (res.tne.name, res.tne.value, res.tne.interpretation),
            ("WDD total (incidents)", res.wdd.total,
             f"SE {res.wdd.total_se:.2f}, z {res.wdd.z:.2f}, p {res.wdd.p:.3f}"),
            ("WDD local (target)", res.wdd.local, f"SE {res.wdd.local_se:.2f}"),
            ("WDD displacement (catchment)", res.wdd.displacement, f"SE {res.wdd.displacement_se:.2f}")]
    for label, rr in (("RIRR target vs control", res.rirr_target),
                      ("RIRR target vs control (overdispersed)", res.rirr_target_overdispersed),
                      ("RIRR catchment vs control", res.rirr_catchment)):
        ci = "" if rr.ci_low is None else f"95% CI {rr.ci_low:.2f}-{rr.ci_high:.2f}; "
        rows.append((label, rr.rirr, ci + rr.explanation))
    return pd.DataFrame(rows, columns=["measure", "value", "meaning"])


def evaluate(inputs: dict, ctx: RunContext) -> ToolResult:
    """Before/after evaluation of a hot spot intervention against a control area."""
    from hotspot_desktop.core.analysis.intervention import InterventionDesign, evaluate_intervention

    pts = inputs["points"]
    if pts.times is None:
        raise ValueError(f"{pts.name} has no date/time column")
    widths = tuple([float(inputs["ring_width"])] * int(inputs["rings"]))
    design = InterventionDesign(
        target=_union(inputs["target"], "target"), control=_union(inputs["control"], "control"),
        before=_period(inputs["before"], "before"), after=_period(inputs["after"], "after"),
        ring_widths_m=widths, catchment=_union(inputs.get("catchment"), "catchment"),
        catchment_control=_union(getattr(inputs.get("catchment_control"), "gdf", None), "catchment control"))
    res = evaluate_intervention(pts.x, pts.y, pts.times, design, pts.offences,
                                progress=ctx.sub(0.0, 0.9), cancelled=ctx.cancelled)
    ctx.checkpoint(0.95, "tables")
    counts = res.counts.reset_index()
    catchment = (design.catchment or design.target.buffer(sum(widths), quad_segs=32)).difference(design.target)
    geoms = {"target": design.target, "catchment": catchment, "control": design.control}
    areas = counts[counts["area"].isin(list(geoms))].copy()
    gdf = gpd.GeoDataFrame(areas, geometry=[geoms[a] for a in areas["area"]])
    name = inputs["output"] or "Intervention areas"
    layer = VectorLayer(name, gdf, geometry_kind="polygon", source_crs=pts.source_crs)
    style = categorised(list(areas["area"]), "area")
    for cat in style.categories:
        cat.color = AREA_COLOURS.get(str(cat.value), cat.color) + "88"
    layer.style = style
    tables = [TableResult(f"{name}: counts by area", counts), TableResult(f"{name}: measures", _measure_rows(res))]
    if res.rings:
        tables.append(TableResult(f"{name}: catchment rings", pd.DataFrame(
            [{"ring": r.ring, "inner_m": r.inner_m, "outer_m": r.outer_m, "before": r.before, "after": r.after,
              "area_km2": r.area_km2, "change_pct": r.change_pct} for r in res.rings])))
    if len(res.offence_mix):
        tables.append(TableResult(f"{name}: offence mix", res.offence_mix.reset_index(names="offence")))
    tables.append(TableResult(f"{name}: hour x weekday shift in the target (per day, after - before)",
                              _hour_weekday_shift(res), name="hour_weekday_shift"))
    candidates = inputs.get("candidate_controls")
    if candidates is not None and len(candidates.gdf):
        from hotspot_desktop.core.analysis.intervention import suggest_controls

        ctx.checkpoint(0.97, "ranking candidate controls")
        gdf = candidates.gdf
        catchment_geom = shapely.union_all([g for g in (design.catchment, catchment) if g is not None])
        ranked = suggest_controls(gdf.drop(columns=gdf.geometry.name), list(gdf.geometry), pts.x, pts.y, pts.times,
                                  design.target, design.before, exclude=catchment_geom)
        tables.append(TableResult(f"{name}: suggested controls", ranked.reset_index(drop=True), name="suggested_controls"))
    monthly = res.monthly
    chart = ChartSpec("line", f"{name}: incidents per month", [d.date().isoformat() for d in monthly.index],
                      {str(c): monthly[c].astype(float).tolist() for c in monthly.columns},
                      x_label="month", y_label="incidents")
    return ToolResult(layers=[layer], tables=tables, charts=[chart], notes=[res.summary],
                      warnings=list(res.warnings))


def _hour_weekday_shift(res: Any) -> pd.DataFrame:
    """Target incidents per day by weekday and hour, after minus before (temporal displacement)."""
    days = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    shift = res.hour_weekday_after / max(res.design.after.days, 1) - res.hour_weekday_before / max(res.design.before.days, 1)
    frame = pd.DataFrame(shift, index=pd.Index(days, name="weekday"), columns=[f"{h:02d}" for h in range(24)])
    return frame.round(4).reset_index()


def _in_period(times: pd.Series, rng: tuple, label: str) -> np.ndarray:
    p = _period(rng, label)
    return ((times >= p.start) & (times <= p.end)).to_numpy()


def prospective(inputs: dict, ctx: RunContext) -> ToolResult:
    """Fit hot spot methods on one period and score them on the next (hit rate, PAI, PEI, RRI)."""
    from hotspot_desktop.core.analysis.evaluation import prospective_test

    pts = inputs["points"]
    if pts.times is None:
        raise ValueError(f"{pts.name} has no date/time column")
    fit = _in_period(pts.times, inputs["fit"], "fitting")
    test = _in_period(pts.times, inputs["test"], "test")
    area = _study_area(inputs)
    cell = float(inputs["cell_size"])
    res = prospective_test((pts.x[fit], pts.y[fit]), (pts.x[test], pts.y[test]),
                           top_fraction=float(inputs["top_percent"]) / 100.0, cell_size=cell if cell > 0 else None,
                           study_area=area, progress=ctx.sub(0.0, 0.95), cancelled=ctx.cancelled)
    frame = pd.DataFrame(res.to_records())
    chart = ChartSpec("bar", f"Hot spot methods scored on the test period (top {inputs['top_percent']:g}% of area)",
                      list(frame["method"]), {"PAI": frame["pai"].tolist(), "PEI × 10": (frame["pei"] * 10).tolist()},
                      x_label="method", y_label="index")
    best = res.best("pei")
    notes = [f"best by PEI: {best.method} (PEI {best.pei:.2f}, PAI {best.pai:.1f})",
             f"{int(res.n_fit):,} incidents to fit, {int(res.n_test):,} to test"] + list(res.rules)
    formulas = pd.DataFrame({"measure": list(res.formulas), "formula": list(res.formulas.values())})
    return ToolResult(tables=[TableResult("Prospective hot spot test", frame, name="scores"),
                              TableResult("Prospective test: formulas", formulas, name="formulas")],
                      charts=[chart], notes=notes)


def equity(inputs: dict, ctx: RunContext) -> ToolResult:
    """Who lives in the patrol zones and in the zones with their catchments, against the whole
    area and the incidents (areal weighting)."""
    from hotspot_desktop.core.analysis.equity import equity_report, patrol_areas

    census = inputs["population"].gdf
    groups = [g.strip() for g in str(inputs["groups"]).split(",") if g.strip()]
    zones = inputs["zones"]
    if zones is None or not len(zones):
        raise ValueError("there are no patrol zones to check")
    drawn = inputs.get("catchment")
    areas = patrol_areas(list(zones.geometry), [] if drawn is None else list(drawn.geometry),
                         catchment_m=float(inputs.get("catchment_width") or 0.0))
    pts = inputs.get("points")
    ctx.checkpoint(0.2, "areal weighting")
    high = 1 + float(inputs["tolerance"]) / 100.0
    res = equity_report(census, groups, areas, None if pts is None else pts.x, None if pts is None else pts.y,
                        high=high, low=1 / high, population_name=inputs["population"].name)
    table = _equity_table(res)
    series = {"whole area": table["% of area population"].tolist(), "patrol zones": table["% of zone population"].tolist()}
    if "% of zones + catchments population" in table.columns:
        series["zones + catchments"] = table["% of zones + catchments population"].tolist()
    chart = ChartSpec("bar", "Population shares: patrol zones (and catchments) vs whole area", list(table["group"]),
                      series, x_label="group", y_label="%")
    return ToolResult(tables=[TableResult("Equity check", table, name="equity")], charts=[chart],
                      notes=[res.note], warnings=res.flagged())


def _equity_table(res: Any) -> pd.DataFrame:
    """The equity report's table with shares in percent and readable column names."""
    table = res.table.copy()
    for col in ("share_area", "share_zone", "share_incidents", "share_catchments"):
        if col in table.columns:
            table[col] = (100 * table[col]).round(1)
    # Areal weighting gives fractional people; a tenth of a person and three-digit ratios are
    # all the precision the method has (and all a reader of the CSV wants).
    for col in ("population", "zone_population", "catchments_population"):
        if col in table.columns:
            table[col] = table[col].astype(float).round(1)
    for col in ("ratio", "ratio_catchments"):
        if col in table.columns:
            table[col] = table[col].astype(float).round(3)
    return table.rename(columns={
        "share_area": "% of area population", "share_zone": "% of zone population",
        "share_incidents": "% of incidents (by residents' shares)", "flag": "flag (zones)",
        "catchments_population": "zones + catchments population",
        "share_catchments": "% of zones + catchments population", "ratio_catchments": "ratio (zones + catchments)",
        "flag_catchments": "flag (zones + catchments)", "ratio": "ratio (zones)"})
