"""Run function of the patrol plan tool (wraps core/analysis/patrol.py and temporal profiles)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import shapely

from hotspot_desktop.tools.base import ChartSpec, RunContext, TableResult, ToolResult

from hotspot_desktop.tools.builtin.declarations import SHIFT_RE  # "Early 06-14 x2": name, hours, units


def parse_shifts(text: str) -> list:
    """Shifts from ``NAME START-END xUNITS; ...`` (hours 0-24, a shift may pass midnight)."""
    from hotspot_desktop.core.analysis.patrol import Shift

    shifts = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        m = re.fullmatch(SHIFT_RE, part)
        if m is None:
            raise ValueError(f"shift {part!r} is not in the form 'Early 06-14 x2'")
        name, a, b, units = m.group(1).strip(), int(m.group(2)), int(m.group(3)), int(m.group(4))
        if not (0 <= a <= 23 and 0 <= b <= 24):
            raise ValueError(f"shift {name!r}: hours must be 0-24")
        shifts.append(Shift(name, a, b % 24, units))
    if not shifts:
        raise ValueError("give at least one shift")
    return shifts


def patrol_plan(inputs: dict, ctx: RunContext) -> ToolResult:
    """A week of randomised 10-16 minute visits per zone, weighted by each zone's hour-of-week risk."""
    from hotspot_desktop.core.analysis.patrol import ZoneDemand, make_plan
    from hotspot_desktop.core.analysis.temporal import hour_weekday_table

    pts, zones = inputs["points"], inputs["zones"]
    if pts.times is None:
        raise ValueError(f"{pts.name} has no date/time column")
    shifts = parse_shifts(inputs["shifts"])
    end = pts.times.max()
    recent = (pts.times >= end - pd.Timedelta(days=int(inputs["history_days"]))).to_numpy()
    demands = []
    for i, row in zones.reset_index(drop=True).iterrows():
        ctx.checkpoint(0.05 + 0.45 * i / max(len(zones), 1), "zone risk profiles")
        inside = recent & shapely.contains_xy(row.geometry, pts.x, pts.y)
        t = pts.times[inside]
        end_t = pts.attributes["time_end"][inside] if "time_end" in pts.attributes.columns else None
        profile = hour_weekday_table(t, end_t).ravel() if inside.any() else np.zeros(168)
        name = str(row.get("name") or f"zone {i + 1}")
        priority = int(row["priority"]) if "priority" in row and pd.notna(row["priority"]) else 1
        demands.append(ZoneDemand(name, profile, int(inputs["visits_per_shift"]), priority))
    first = inputs["first_day"] or (end + pd.Timedelta(days=1)).normalize()
    ctx.checkpoint(0.5, "scheduling visits")
    plan = make_plan(demands, shifts, first_day=pd.Timestamp(first), days=int(inputs["days"]), seed=ctx.seed)
    ctx.checkpoint(0.95, "tables")
    visits = plan.visits.copy()
    for col in ("start", "end"):
        if len(visits):
            visits[col] = visits[col].dt.strftime("%Y-%m-%d %H:%M")
    cov = plan.coverage
    chart = ChartSpec("bar", "Expected coverage of historical risk", list(cov["zone"].astype(str)),
                      {"coverage %": (100 * cov["expected_coverage"].astype(float)).tolist()}, x_label="zone",
                      y_label="% of risk in patrolled hours") if len(cov) else None
    notes = [f"{len(plan.visits)} visits over {inputs['days']} days for {len(demands)} zones; "
             f"{len(plan.unplaced)} could not be placed",
             f"risk profiles from the last {inputs['history_days']} days of incidents (aoristic)",
             "visit length 10-16 min, randomised start (Koper 1995)"]
    tables = [TableResult("Patrol plan: visits", visits, name="visits"),
              TableResult("Patrol plan: expected coverage", cov, name="coverage")]
    if len(plan.unplaced):
        tables.append(TableResult("Patrol plan: visits not placed", plan.unplaced, name="unplaced"))
    return ToolResult(tables=tables, charts=[chart] if chart else [], notes=notes,
                      warnings=[notes[0]] if len(plan.unplaced) else [])
