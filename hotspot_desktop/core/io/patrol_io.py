"""Patrol plans as files: a plain visits CSV (opens in Excel) plus an optional JSON sidecar.

The CSV has one row per visit with the columns ``zone, day, shift, unit, start, end, minutes``
(times ``YYYY-MM-DD HH:MM``, ``day`` the plan day a night shift's visit belongs to). It is the
same file the Patrol plan tool's *visits* table writes (the GUI's Save CSV… and the CLI's
``STEM_visits.csv``), so either can be read back. :func:`write_plan_csv` also writes
``NAME.plan.json`` beside it with what a CSV cannot hold: the plan's settings (shifts, visit
lengths, seed), expected coverage and the visits that could not be placed. Reading works
without the sidecar (coverage is then counted from the visits, its risk share unknown).

Text cells were made formula-safe when written (core/io/writers.py prefixes ``= + - @`` with a
quote); reading undoes exactly that, so zone names round-trip.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hotspot_desktop.core.analysis.patrol import PatrolPlan
from hotspot_desktop.core.io.writers import FORMULA_PREFIXES, write_table_csv

PLAN_COLUMNS = ("zone", "day", "shift", "unit", "start", "end", "minutes")
REQUIRED_COLUMNS = ("zone", "start", "end")
TIME_FORMAT = "%Y-%m-%d %H:%M"
SIDECAR_SUFFIX = ".plan.json"
SIDECAR_FORMAT = "hotspot-desktop patrol plan"


class PlanFileError(ValueError):
    """A file that is not a readable patrol plan; the message says what is wrong and where."""


def sidecar_path(path: str | Path) -> Path:
    """``plan.csv`` -> ``plan.plan.json``: where a plan's settings are kept."""
    path = Path(path)
    return path.with_name(path.stem + SIDECAR_SUFFIX)


def visits_table(visits: pd.DataFrame) -> pd.DataFrame:
    """The visits as written to CSV: the plan columns in order, times as ``YYYY-MM-DD HH:MM``,
    days as ``YYYY-MM-DD``. Extra columns are kept after them."""
    v = visits.copy()
    for col in ("start", "end"):
        if col in v.columns:
            v[col] = pd.to_datetime(v[col]).dt.strftime(TIME_FORMAT)
    if "day" in v.columns:
        v["day"] = pd.to_datetime(v["day"]).dt.strftime("%Y-%m-%d")
    first = [c for c in PLAN_COLUMNS if c in v.columns]
    return v[first + [c for c in v.columns if c not in first]]


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _records(frame: pd.DataFrame) -> list[dict]:
    return [_jsonable(r) for r in frame.astype(object).where(frame.notna(), None).to_dict("records")]


def write_plan_csv(plan_or_visits: PatrolPlan | pd.DataFrame, path: str | Path) -> list[Path]:
    """Write a plan's visits to ``path`` (CSV, formula-safe) and, for a :class:`PatrolPlan`, its
    settings, coverage and unplaced visits to the sidecar (:func:`sidecar_path`).

    Returns the files written. A visits frame alone (e.g. the tool's table) writes only the CSV.
    """
    path = Path(path)
    plan = plan_or_visits if isinstance(plan_or_visits, PatrolPlan) else None
    visits = plan.visits if plan is not None else plan_or_visits
    missing = [c for c in REQUIRED_COLUMNS if c not in visits.columns]
    if missing:
        raise ValueError(f"a plan's visits need the columns {', '.join(REQUIRED_COLUMNS)}; missing {', '.join(missing)}")
    written = [write_table_csv(visits_table(visits), path)]
    side = sidecar_path(path)
    if plan is not None:
        settings = dict(plan.settings)
        doc = {"format": SIDECAR_FORMAT, "version": 1, "visits_file": path.name, "settings": _jsonable(settings),
               "coverage": _records(plan.coverage), "unplaced": _records(plan.unplaced)}
        side.write_text(json.dumps(doc, indent=2), encoding="utf-8")
        written.append(side)
    elif side.exists():
        side.unlink()  # a stale sidecar would describe another plan
    return written


def _unquote(value: Any) -> Any:
    """Undo the formula guard of core/io/writers.py: ``'=x`` was written for ``=x``."""
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1] in "".join(FORMULA_PREFIXES):
        return value[1:]
    return value


def _parse_times(values: pd.Series, column: str, path: Path) -> pd.Series:
    """ISO date-times (``YYYY-MM-DD HH:MM[:SS]``); the message names the rows that are not."""
    text = values.astype(str).str.strip()
    parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
    bad = parsed.isna()
    if bad.any():
        rows = np.flatnonzero(bad.to_numpy())
        shown = ", ".join(f"line {r + 2} ({text.iloc[r]!r})" for r in rows[:5])
        more = f" and {len(rows) - 5} more" if len(rows) > 5 else ""
        raise PlanFileError(f"{path.name}: column {column!r} has times that are not YYYY-MM-DD HH:MM: "
                            f"{shown}{more}")
    return parsed.astype("datetime64[us]")


def _read_sidecar(path: Path) -> dict:
    side = sidecar_path(path)
    if not side.exists():
        return {}
    try:
        doc = json.loads(side.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PlanFileError(f"{side.name}: not a readable plan settings file ({exc})") from exc
    if not isinstance(doc, dict) or doc.get("format") != SIDECAR_FORMAT:
        raise PlanFileError(f"{side.name}: not a Hotspot Desktop plan settings file")
    return doc


def read_plan_csv(path: str | Path) -> PatrolPlan:
    """Read a plan written by :func:`write_plan_csv` or saved from the Patrol plan tool.

    Needs the columns zone, start and end; day (the start's date), shift and unit (blank) and
    minutes (end - start) are filled in when absent. Raises :class:`PlanFileError` for a file
    that is not a plan: missing columns, no rows, unreadable times, a visit ending before it
    starts or minutes that disagree with its times. The visits come back exactly as
    :func:`~hotspot_desktop.core.analysis.patrol.make_plan` made them (same columns and types).
    """
    path = Path(path)
    if not path.is_file():
        raise PlanFileError(f"{path}: no such plan file")
    try:
        with path.open(encoding="utf-8-sig") as f:
            header = f.readline()
        # A spreadsheet saved in a European locale separates with ';'; times hold ':' and ' ',
        # so the delimiter is read from the header line only.
        sep = max((",", ";", "\t"), key=header.count)
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", sep=sep)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError) as exc:
        raise PlanFileError(f"{path.name}: not a readable CSV ({exc})") from exc
    raw.columns = [str(c).strip().lower() for c in raw.columns]
    missing = [c for c in REQUIRED_COLUMNS if c not in raw.columns]
    if missing:
        raise PlanFileError(f"{path.name} is not a patrol plan: it has no {', '.join(repr(c) for c in missing)} "
                            f"column{'s' if len(missing) > 1 else ''} (a plan has {', '.join(PLAN_COLUMNS)}; "
                            f"this file has {', '.join(raw.columns[:8]) or 'no columns'})")
    raw = raw[~(raw[list(REQUIRED_COLUMNS)].apply(lambda s: s.str.strip()) == "").all(axis=1)]  # blank lines
    if not len(raw):
        raise PlanFileError(f"{path.name}: the plan has no visits")
    raw = raw.reset_index(drop=True)
    start = _parse_times(raw["start"], "start", path)
    end = _parse_times(raw["end"], "end", path)
    backwards = np.flatnonzero((end <= start).to_numpy())
    if backwards.size:
        raise PlanFileError(f"{path.name}: visits must end after they start (line "
                            f"{', '.join(str(r + 2) for r in backwards[:5])})")
    length = ((end - start) / pd.Timedelta(minutes=1)).round().astype("int64")
    if "minutes" in raw.columns and (raw["minutes"].str.strip() != "").any():
        minutes = pd.to_numeric(raw["minutes"].str.strip(), errors="coerce")
        off = np.flatnonzero((minutes.isna() | ((minutes - length).abs() > 1)).to_numpy())
        if off.size:
            r = off[0]
            raise PlanFileError(f"{path.name}: line {r + 2}: minutes {raw['minutes'].iloc[r]!r} do not match "
                                f"{raw['start'].iloc[r]} to {raw['end'].iloc[r]} ({length.iloc[r]} minutes)")
        length = minutes.round().astype("int64")
    if "day" in raw.columns and (raw["day"].str.strip() != "").all():
        days = _parse_times(raw["day"], "day", path).dt.date
    else:
        days = start.dt.date
    text = {c: (raw[c].map(_unquote).astype(str) if c in raw.columns else pd.Series([""] * len(raw), dtype=str))
            for c in ("zone", "shift", "unit")}
    visits = pd.DataFrame({"zone": text["zone"], "day": days.astype(object), "shift": text["shift"],
                           "unit": text["unit"], "start": start, "end": end, "minutes": length})
    doc = _read_sidecar(path)
    settings = dict(doc.get("settings") or {})
    if isinstance(settings.get("visit_minutes"), list):
        settings["visit_minutes"] = tuple(settings["visit_minutes"])
    if doc.get("coverage"):
        coverage = pd.DataFrame(doc["coverage"])
    else:
        g = visits.groupby("zone", sort=False)
        coverage = pd.DataFrame({"zone": list(g.groups), "expected_coverage": np.nan,
                                 "visits": g.size().to_numpy(), "minutes": g["minutes"].sum().to_numpy()})
    unplaced = pd.DataFrame(doc.get("unplaced") or [], columns=["zone", "day", "shift", "reason"])
    return PatrolPlan(visits, coverage, unplaced, settings)
