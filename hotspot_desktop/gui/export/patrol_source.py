"""Find the latest patrol plan the user ran (Patrol ▸ Patrol plan shows it as a table dock)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

PLAN_TABLE = "visits"  # TableResult.name of the patrol plan tool's visits table


@dataclass(frozen=True)
class PatrolPlanTable:
    """The visits of a patrol plan, in the shape write_briefing reads (``visits`` with start/end)."""

    visits: pd.DataFrame


def latest_patrol_plan(window: Any) -> PatrolPlanTable | None:
    """The visits table of the newest open patrol plan result, or None."""
    import shiboken6

    for dock in reversed(getattr(window, "_result_docks", [])):
        if not shiboken6.isValid(dock):
            continue  # closed result docks are deleted
        result = getattr(dock, "result", None)
        if result is None or getattr(result, "name", "") != PLAN_TABLE:
            continue
        frame = result.frame
        if str(getattr(result, "title", "")).lower().startswith("patrol plan") and {"start", "end"} <= set(frame.columns):
            return PatrolPlanTable(frame.copy())
    return None
