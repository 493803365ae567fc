"""When crime happens, as filters: heat-map cells to hour/weekday filters, zone and date masks,
peak-window sentences and the stepping windows of the time animation.

Qt-free helpers of the Time dock and the time filter bar (gui/time). The hour-of-week profile
itself is :func:`hotspot_desktop.core.analysis.temporal.hour_weekday_table` (Ratcliffe 2002).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from hotspot_desktop.core.analysis.temporal import (
    DAYS,
    hour_weekday_table,
    peak_windows,
)
from hotspot_desktop.core.model import PointFilter, PointLayer

Cell = tuple[int, int]  # (weekday Monday = 0, hour 0..23)


def without_clock(f: PointFilter) -> PointFilter:
    """``f`` with its hour-of-day and weekday parts removed (date and offence parts kept)."""
    return dataclasses.replace(f, hours=None, weekdays=None)


def filter_mask(layer: PointLayer, f: PointFilter) -> np.ndarray:
    """Incidents of ``layer`` passing ``f``, evaluated without setting it on the layer."""
    return layer.mask_for(f)


def zone_mask(x: np.ndarray, y: np.ndarray, geometry: BaseGeometry) -> np.ndarray:
    """Incidents inside (or on the boundary of) ``geometry``."""
    if geometry is None or geometry.is_empty:
        return np.zeros(len(x), dtype=bool)
    shapely.prepare(geometry)
    return shapely.intersects_xy(geometry, np.asarray(x, float), np.asarray(y, float))


def selection_mask(n: int, selection: np.ndarray | None) -> np.ndarray:
    """Boolean mask of ``n`` incidents from selected indices (nothing selected = none)."""
    keep = np.zeros(n, dtype=bool)
    if selection is not None and len(selection):
        idx = np.asarray(selection, dtype=np.int64)
        keep[idx[(idx >= 0) & (idx < n)]] = True
    return keep


def has_windows(layer: PointLayer) -> bool:
    """True when some incidents are known only within a time window (``time_end`` set)."""
    return layer.has_column("time_end") and bool(layer.attributes["time_end"].notna().any())


def heat_table(layer: PointLayer, mask: np.ndarray, *, aoristic: bool) -> np.ndarray:
    """7 × 24 weekday × hour counts (or aoristic weights when ``aoristic``) of masked incidents."""
    if layer.times is None:
        return np.zeros((7, 24))
    start = layer.times[mask]
    if aoristic and has_windows(layer):
        return hour_weekday_table(start, layer.attributes["time_end"][mask], aoristic=True)
    return hour_weekday_table(start, aoristic=False)


def cells_to_filter(cells: Iterable[Cell]) -> tuple[frozenset[int] | None, frozenset[int] | None]:
    """(hours, weekdays) of a filter covering ``cells``; (None, None) when no cell is chosen.

    A PointFilter keeps hours and weekdays separately, so it passes every combination of the
    chosen hours and days (see :func:`filter_cells`).
    """
    cells = list(cells)
    if not cells:
        return None, None
    return frozenset(int(h) for _, h in cells), frozenset(int(d) for d, _ in cells)


def filter_cells(hours: frozenset[int] | None, weekdays: frozenset[int] | None) -> set[Cell]:
    """The weekday × hour cells a filter's hour and weekday parts let through (all when unset)."""
    hs = range(24) if hours is None else sorted(hours)
    ds = range(7) if weekdays is None else sorted(weekdays)
    return {(d, h) for d in ds for h in hs}


def cell_label(day: int, hour: int) -> str:
    """e.g. "Fri 22:00–23:00"."""
    return f"{DAYS[day]} {hour:02d}:00–{(hour + 1) % 24:02d}:00"


def peak_sentences(table: np.ndarray, what: str, *, hours: int = 4, top: int = 3) -> list[str]:
    """Sentences on the busiest windows of the week, e.g. "Fri–Sat 22:00–02:00 holds 31% of robberies"."""
    return [w.sentence(what) for w in peak_windows(np.asarray(table).ravel(), hours=hours, top=top)]


def offence_noun(offences: frozenset[str] | None) -> str:
    """What the incidents are called in a sentence: "robbery incidents" when one offence is
    filtered, else "incidents" (offence names have no reliable plural)."""
    if offences is not None and len(offences) == 1:
        return f"{next(iter(offences)).lower()} incidents"
    return "incidents"


STEP_OFFSETS = {"week": pd.DateOffset(weeks=1), "month": pd.DateOffset(months=1)}


def window_end(start: pd.Timestamp, step: str) -> pd.Timestamp:
    """Inclusive end of the one-``step`` window starting at ``start`` (the last microsecond before the next)."""
    return start + STEP_OFFSETS[step] - pd.Timedelta(microseconds=1)


def align(ts: pd.Timestamp, step: str) -> pd.Timestamp:
    """Start of the calendar week (Monday) or month holding ``ts``, so month steps never drift
    (31 Jan + 1 month = 28 Feb, + 1 month = 28 Mar …)."""
    day = pd.Timestamp(ts).normalize()
    return day - pd.Timedelta(days=day.day_of_week) if step == "week" else day.replace(day=1)


def first_window(span: tuple[pd.Timestamp, pd.Timestamp], step: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The animation's first window: the calendar week or month of the first incident."""
    start = align(span[0], step)
    return start, window_end(start, step)


def next_window(start: pd.Timestamp, step: str,
                span: tuple[pd.Timestamp, pd.Timestamp]) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The window one ``step`` after the one starting at ``start``; None once past the last incident."""
    nxt = pd.Timestamp(start) + STEP_OFFSETS[step]
    if nxt > pd.Timestamp(span[1]):
        return None
    return nxt, window_end(nxt, step)


def window_label(date_from: pd.Timestamp | None, date_to: pd.Timestamp | None) -> str:
    """e.g. "2024-03-04 to 2024-03-10", with "start"/"end" for an open side."""
    a = "start" if date_from is None else pd.Timestamp(date_from).date().isoformat()
    b = "end" if date_to is None else pd.Timestamp(date_to).date().isoformat()
    return f"{a} to {b}"
