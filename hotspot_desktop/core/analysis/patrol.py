"""Patrol plans by place and time, and dosage delivered against the plan.

The plan follows the evidence on hot spot patrol dosage: Koper (1995, *Justice Quarterly*
12(4)) found deterrence rising with visit length up to about 14–15 minutes, giving the
operational rule of random 10–15 (here 10–16) minute visits roughly every two hours. Visits
are placed in each zone's peak hours by sampling start times with probability proportional to
the zone's aoristic hour-of-week profile (Ratcliffe 2002) within the shift, so they follow the
risk yet are not predictable; units are never over-committed (a unit does one visit at a time,
plus a travel allowance between visits).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Shift:
    name: str
    start_hour: int  # 0..23; a shift may run past midnight (end_hour <= start_hour)
    end_hour: int
    units: int

    def hours(self) -> list[int]:
        """Hours of day covered, in order (wrapping past midnight)."""
        length = (self.end_hour - self.start_hour) % 24 or 24
        return [(self.start_hour + k) % 24 for k in range(length)]


@dataclass(frozen=True)
class ZoneDemand:
    """A zone to patrol: its hour-of-week risk profile (168 values), visits wanted, priority."""

    name: str
    profile: np.ndarray
    visits_per_shift: int = 4
    priority: int = 1  # higher is scheduled first and gets the best slots


@dataclass(frozen=True)
class PatrolPlan:
    visits: pd.DataFrame  # zone, day, shift, unit, start, end (Timestamps), minutes
    coverage: pd.DataFrame  # zone, expected coverage (share of historical risk in patrolled hours), visits
    unplaced: pd.DataFrame  # visits that could not be placed (zone, day, shift, reason)
    settings: dict = field(default_factory=dict)


def _shift_window(day_start: pd.Timestamp, shift: Shift) -> tuple[pd.Timestamp, pd.Timestamp]:
    start = day_start + pd.Timedelta(hours=shift.start_hour)
    length = (shift.end_hour - shift.start_hour) % 24 or 24
    return start, start + pd.Timedelta(hours=length)


def make_plan(zones: list[ZoneDemand], shifts: list[Shift], *, first_day: pd.Timestamp, days: int = 7,
              visit_minutes: tuple[int, int] = (10, 16), travel_minutes: int = 10, min_gap_minutes: int = 60,
              seed: int = 0) -> PatrolPlan:
    """Schedule visits for ``days`` days from ``first_day`` (see the module docstring).

    For every day, shift and zone (by priority, highest first), ``visits_per_shift`` visits of
    a random length in ``visit_minutes`` are placed: the start hour is drawn from the zone's
    profile over the shift's hours (weights of that weekday), the minute uniformly; a visit is
    kept only if a unit is free for it (including ``travel_minutes`` before and after) and it
    is at least ``min_gap_minutes`` from the zone's other visits, else another draw is tried
    (up to 50); visits that cannot be placed are listed with the reason. Deterministic for
    ``seed``.
    """
    rng = np.random.default_rng(seed)
    order = sorted(zones, key=lambda z: -z.priority)
    rows, unplaced = [], []
    first_day = pd.Timestamp(first_day).normalize()
    for d in range(days):
        day = first_day + pd.Timedelta(days=d)
        for shift in shifts:
            if shift.units <= 0:
                continue
            s_start, s_end = _shift_window(day, shift)
            busy: list[list[tuple[pd.Timestamp, pd.Timestamp]]] = [[] for _ in range(shift.units)]
            hours = shift.hours()
            for zone in order:
                prof = np.asarray(zone.profile, dtype=float).reshape(7, 24)
                w = np.array([prof[(day.day_of_week + (1 if (h < shift.start_hour) else 0)) % 7, h] for h in hours])
                w = w + 1e-9  # a zone with no history in this shift still gets evenly spread visits
                p = w / w.sum()
                placed: list[pd.Timestamp] = []
                for _ in range(zone.visits_per_shift):
                    ok = False
                    for _attempt in range(50):
                        k = rng.choice(len(hours), p=p)
                        length = int(rng.integers(visit_minutes[0], visit_minutes[1] + 1))
                        start = s_start + pd.Timedelta(hours=k, minutes=int(rng.integers(0, 60)))
                        end = start + pd.Timedelta(minutes=length)
                        if end > s_end:
                            continue
                        if any(abs((start - o) / pd.Timedelta(minutes=1)) < min_gap_minutes for o in placed):
                            continue
                        pad = pd.Timedelta(minutes=travel_minutes)
                        unit = next((u for u, slots in enumerate(busy)
                                     if all(end + pad <= a or start - pad >= b for a, b in slots)), None)
                        if unit is None:
                            continue
                        busy[unit].append((start, end))
                        placed.append(start)
                        rows.append((zone.name, day.date(), shift.name, f"{shift.name}-{unit + 1}", start, end, length))
                        ok = True
                        break
                    if not ok:
                        unplaced.append((zone.name, day.date(), shift.name,
                                         "no free unit or slot in this shift (units fully committed)"))
    visits = pd.DataFrame(rows, columns=["zone", "day", "shift", "unit", "start", "end", "minutes"])
    if len(visits):
        visits = visits.sort_values(["day", "shift", "start"]).reset_index(drop=True)
    coverage = expected_coverage(zones, visits)
    return PatrolPlan(visits, coverage, pd.DataFrame(unplaced, columns=["zone", "day", "shift", "reason"]),
                      {"days": days, "visit_minutes": visit_minutes, "travel_minutes": travel_minutes,
                       "min_gap_minutes": min_gap_minutes, "seed": seed,
                       "shifts": [s.__dict__ for s in shifts]})


def expected_coverage(zones: list[ZoneDemand], visits: pd.DataFrame) -> pd.DataFrame:
    """Share of each zone's historical incidents (aoristic weight) that fall in hours of the
    week in which the plan has at least one visit to it."""
    out = []
    for z in zones:
        prof = np.asarray(z.profile, dtype=float).ravel()
        v = visits[visits["zone"] == z.name] if len(visits) else visits
        covered = np.zeros(168, dtype=bool)
        for s in (v["start"] if len(v) else []):
            covered[pd.Timestamp(s).day_of_week * 24 + pd.Timestamp(s).hour] = True
        total = prof.sum()
        out.append((z.name, float(prof[covered].sum() / total) if total > 0 else 0.0, len(v), int(v["minutes"].sum()) if len(v) else 0))
    return pd.DataFrame(out, columns=["zone", "expected_coverage", "visits", "minutes"])


def max_concurrent_by_shift(visits: pd.DataFrame) -> pd.Series:
    """Most visits under way at once, per (day, shift) — never above the shift's units."""
    out = {}
    for key, grp in visits.groupby(["day", "shift"]):
        ev = sorted([(s, 1) for s in grp["start"]] + [(e, -1) for e in grp["end"]], key=lambda e: (e[0], e[1]))
        cur = peak = 0
        for _, step in ev:
            cur += step
            peak = max(peak, cur)
        out[key] = peak
    return pd.Series(out, dtype=int)


def delivered_dosage(zone_geoms: dict, pings: pd.DataFrame, *, max_gap_minutes: float = 5.0) -> pd.DataFrame:
    """Minutes actually spent in each zone from AVL / patrol-log pings (columns unit, time, x, y
    in the working CRS): consecutive pings of a unit inside the same zone no more than
    ``max_gap_minutes`` apart count as presence for the time between them; returns zone, unit,
    visits (separate stays), minutes."""
    import shapely

    p = pings.sort_values(["unit", "time"]).reset_index(drop=True)
    t = pd.to_datetime(p["time"])
    rows = []
    for name, geom in zone_geoms.items():
        inside = shapely.contains_xy(geom, p["x"].to_numpy(float), p["y"].to_numpy(float))
        for unit, idx in p.groupby("unit").groups.items():
            idx = np.asarray(list(idx))
            ins = inside[idx]
            tt = t.iloc[idx].to_numpy()
            minutes, stays, in_stay = 0.0, 0, False
            for k in range(len(idx)):
                if not ins[k]:
                    in_stay = False
                    continue
                if not in_stay:
                    stays += 1
                    in_stay = True
                if k + 1 < len(idx) and ins[k + 1]:
                    gap = (tt[k + 1] - tt[k]) / np.timedelta64(1, "m")
                    if gap <= max_gap_minutes:
                        minutes += gap
                    else:
                        in_stay = False
            if stays:
                rows.append((name, unit, stays, minutes))
    return pd.DataFrame(rows, columns=["zone", "unit", "stays", "minutes"])


def dosage_against_plan(plan: PatrolPlan, delivered: pd.DataFrame) -> pd.DataFrame:
    """Planned vs delivered minutes and visits per zone, with the delivered share of plan."""
    planned = plan.visits.groupby("zone").agg(planned_visits=("minutes", "size"), planned_minutes=("minutes", "sum"))
    got = delivered.groupby("zone").agg(delivered_stays=("stays", "sum"), delivered_minutes=("minutes", "sum"))
    out = planned.join(got, how="outer").fillna(0)
    out["delivered_share"] = np.where(out["planned_minutes"] > 0, out["delivered_minutes"] / out["planned_minutes"], np.nan)
    return out.reset_index()
