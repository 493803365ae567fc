"""Find the latest patrol plan the user ran (Patrol ▸ Patrol plan shows it as a table dock)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

PLAN_TABLE = "visits"  # TableResult.name of the patrol plan tool's visits table


@dataclass(frozen=True)
class PatrolPlanTable:
    """A patrol plan result in the shape write_briefing reads: ``visits`` with start/end, and the
    run's expected ``coverage`` and ``unplaced`` tables when they are still open (else None)."""

    visits: pd.DataFrame
    coverage: pd.DataFrame | None = None
    unplaced: pd.DataFrame | None = None


def latest_patrol_plan(window: Any) -> PatrolPlanTable | None:
    """The visits table of the newest open patrol plan result (with the coverage and unplaced
    tables the same run opened after it), or None."""
    import shiboken6

    docks = [d for d in getattr(window, "_result_docks", []) if shiboken6.isValid(d)]  # closed ones are deleted
    for i in range(len(docks) - 1, -1, -1):
        result = getattr(docks[i], "result", None)
        if result is None or getattr(result, "name", "") != PLAN_TABLE:
            continue
        frame = result.frame
        if str(getattr(result, "title", "")).lower().startswith("patrol plan") and {"start", "end"} <= set(frame.columns):
            extra: dict[str, pd.DataFrame] = {}
            for later in docks[i + 1:]:  # the run's other tables follow its visits table
                other = getattr(later, "result", None)
                name = getattr(other, "name", "")
                if name == PLAN_TABLE:
                    break
                if name in ("coverage", "unplaced") and str(getattr(other, "title", "")).lower().startswith("patrol plan"):
                    extra[name] = other.frame.copy()
            return PatrolPlanTable(frame.copy(), extra.get("coverage"), extra.get("unplaced"))
    return None
