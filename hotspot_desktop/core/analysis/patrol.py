"""Patrol plans by place and time, and dosage delivered against the plan.

The plan follows the evidence on hot spot patrol dosage: Koper (1995, *Justice Quarterly*
12(4)) found deterrence rising with visit length up to about 14–15 minutes, giving the
operational rule of random 10–15 (here 10–16) minute visits roughly every two hours. Visits
are placed in each zone's peak hours: a zone's visits of a day are shared among the shifts in
proportion to its risk in each shift, and start times are sampled from the feasible starts with
probability proportional to the zone's aoristic hour-of-week profile (Ratcliffe 2002), so they
follow the risk yet are not predictable; units are never over-committed (a unit does one visit
at a time, plus a travel allowance between visits) and work is spread over them (:func:`make_plan`).

:func:`shift_timelines` lays a plan out per shift for timeline charts. Dosage actually delivered
is measured from AVL / patrol-log pings as in the Sacramento hot spot experiment (Telep,
Mitchell & Weisburd 2014, *Justice Quarterly* 31(5)): time between consecutive pings of a unit
inside a zone, compared per zone, shift and planned visit (:func:`dosage_report`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from hotspot_desktop.core.progress import CancelFn, ProgressFn, checkpoint

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
    """A zone to patrol: its hour-of-week risk profile (168 values, Monday 00h first), the
    average visits wanted per shift, and its priority (1 = highest, as in police tasking:
    lower numbers are scheduled first; ``None`` = no priority, scheduled after all others)."""

    name: str
    profile: np.ndarray
    visits_per_shift: int = 4
    priority: int | None = None


@dataclass(frozen=True)
class PatrolPlan:
    visits: pd.DataFrame  # zone, day, shift, unit, start, end (Timestamps), minutes
    coverage: pd.DataFrame  # zone, expected coverage (share of historical risk in patrolled hours), visits
    unplaced: pd.DataFrame  # visits that could not be placed (zone, day, shift, reason)
    settings: dict = field(default_factory=dict)


REASON_UNITS = "every unit busy"
REASON_SHORT = "shift too short for the visit"


def reason_gap(min_gap_minutes: int) -> str:
    """Why a visit was not placed when every start is too close to the zone's other visits."""
    return f"no start at least {min_gap_minutes} min from the zone's other visits"


def _shift_window(day_start: pd.Timestamp, shift: Shift) -> tuple[pd.Timestamp, pd.Timestamp]:
    start = day_start + pd.Timedelta(hours=shift.start_hour)
    length = (shift.end_hour - shift.start_hour) % 24 or 24
    return start, start + pd.Timedelta(hours=length)


def zone_order(zones: list[ZoneDemand]) -> list[ZoneDemand]:
    """Zones in scheduling order: priority 1 first, then 2, ...; zones without a priority last;
    ties keep the given order."""
    return sorted(zones, key=lambda z: (z.priority is None, z.priority if z.priority is not None else 0))


def split_visits(total: int, risk: np.ndarray) -> np.ndarray:
    """``total`` visits shared among shifts in proportion to ``risk`` (one value per shift).

    Largest-remainder (Hamilton) rounding, ties to the earlier shift; when ``total`` is at least
    the number of shifts holding risk, each of them gets one visit or more (taken from the shift
    with the most). Without any risk the visits are shared evenly.
    """
    r = np.clip(np.asarray(risk, dtype=float), 0.0, None)
    if not np.isfinite(r).all() or r.sum() <= 0:
        r = np.ones(len(r))
    quota = total * r / r.sum()
    out = np.floor(quota + 1e-9).astype(int)
    frac = quota - out
    for k in np.argsort(-frac, kind="stable")[: total - int(out.sum())]:
        out[k] += 1
    holders = np.flatnonzero(r > 0)
    if total >= len(holders):
        for k in holders[np.argsort(-r[holders], kind="stable")]:
            if out[k] == 0:
                donor = int(np.argmax(out))
                out[donor] -= 1
                out[k] += 1
    return out


def make_plan(zones: list[ZoneDemand], shifts: list[Shift], *, first_day: pd.Timestamp, days: int = 7,
              visit_minutes: tuple[int, int] = (10, 16), travel_minutes: int = 10, min_gap_minutes: int = 60,
              step_minutes: int = 5, seed: int = 0) -> PatrolPlan:
    """Schedule visits for ``days`` days from ``first_day`` (see the module docstring).

    Visits per day: each zone gets ``visits_per_shift`` times the number of staffed shifts,
    shared among the shifts in proportion to the zone's risk in each shift's hours on that
    weekday (:func:`split_visits`), so visits follow the zone's peak hours across the day as
    well as within a shift. Zones are placed in :func:`zone_order` (priority 1 first).

    Each visit has a length drawn uniformly from ``visit_minutes`` (Koper 1995). Its start is
    drawn from the feasible candidates only: starts every ``step_minutes`` within the shift
    that end inside it, at least ``min_gap_minutes`` from the zone's other visits, and with a
    unit free from ``travel_minutes`` before to ``travel_minutes`` after the visit; each is
    weighted by the zone's hour-of-week profile (Ratcliffe 2002), uniformly when no feasible
    candidate holds any risk. The visit goes to the least-loaded free unit (fewest visit minutes
    so far in that shift over the plan's days, then the lowest number), so work is spread over
    the units. A visit is
    unplaced only when no feasible start exists, with the reason: the shift is too short, no
    start is far enough from the zone's other visits, or every unit is busy. Deterministic for
    ``seed``.
    """
    lo, hi = int(visit_minutes[0]), int(visit_minutes[1])
    if lo < 1 or lo > hi:
        raise ValueError(f"visit length {lo}-{hi} min: the shortest must be at least 1 and at most the longest")
    rng = np.random.default_rng(seed)
    order = zone_order(zones)
    staffed = [s for s in shifts if s.units > 0]
    rows, unplaced = [], []
    first_day = pd.Timestamp(first_day).normalize()
    wd0 = first_day.day_of_week
    gap, pad, step = int(min_gap_minutes), int(travel_minutes), max(1, int(step_minutes))
    # Minutes since first_day of every placed start, per zone, as a "too close" mask; the axis
    # runs one extra day (night shifts end next morning) with a margin of ``gap`` each side.
    horizon = (days + 2) * 1440 + 2 * gap
    too_close = {id(z): np.zeros(horizon, dtype=bool) for z in order}
    profiles = {id(z): np.asarray(z.profile, dtype=float).ravel() for z in order}
    loads: dict[str, np.ndarray] = {}  # minutes of visits so far of each unit of a shift, over the plan

    def hour_of_week(minutes: np.ndarray) -> np.ndarray:
        return ((wd0 + minutes // 1440) % 7) * 24 + (minutes % 1440) // 60

    for d in range(days):
        day = first_day + pd.Timedelta(days=d)
        windows = [_shift_window(day, s) for s in staffed]
        offsets = [int((a - first_day) / pd.Timedelta(minutes=1)) for a, _b in windows]
        lengths = [int((b - a) / pd.Timedelta(minutes=1)) for a, b in windows]
        shift_hours = [hour_of_week(off + 60 * np.arange(n // 60)) for off, n in zip(offsets, lengths)]
        alloc = {id(z): split_visits(z.visits_per_shift * len(staffed),
                                     np.array([profiles[id(z)][h].sum() for h in shift_hours]))
                 for z in order}
        for k, shift in enumerate(staffed):
            s_start, off, T = windows[k][0], offsets[k], lengths[k]
            occupied = np.zeros((shift.units, T), dtype=bool)  # minute m of the shift has a unit on a visit
            load = loads.setdefault(shift.name, np.zeros(shift.units, dtype=int))
            for zone in order:
                prof, blocked = profiles[id(zone)], too_close[id(zone)]
                for _ in range(int(alloc[id(zone)][k])):
                    if T < lo:
                        unplaced.append((zone.name, day.date(), shift.name, REASON_SHORT))
                        continue
                    length = int(rng.integers(lo, min(hi, T) + 1))
                    cand = np.arange(0, T - length + 1, step)
                    far = ~blocked[gap + off + cand]
                    # A unit is free when no minute from ``pad`` before to ``pad`` after is occupied.
                    cum = np.concatenate([np.zeros((shift.units, 1), dtype=int), np.cumsum(occupied, axis=1)], axis=1)
                    a = np.clip(cand - pad, 0, T)
                    b = np.clip(cand + length + pad, 0, T)
                    free = (cum[:, b] - cum[:, a]) == 0  # units x candidates
                    ok = far & free.any(axis=0)
                    if not ok.any():
                        reason = (reason_gap(gap) if not far.any() else REASON_UNITS if not free.any()
                                  else f"{REASON_UNITS} at the starts at least {gap} min from the zone's other visits")
                        unplaced.append((zone.name, day.date(), shift.name, reason))
                        continue
                    idx = np.flatnonzero(ok)
                    w = prof[hour_of_week(off + cand[idx])]
                    w = np.where(np.isfinite(w) & (w > 0), w, 0.0)
                    if w.sum() <= 1e-12 * max(float(np.nanmax(prof, initial=0.0)), 1.0):
                        w = np.ones(len(idx))
                    j = idx[rng.choice(len(idx), p=w / w.sum())]
                    s = int(cand[j])
                    units = np.flatnonzero(free[:, j])
                    unit = int(units[np.argmin(load[units])])
                    occupied[unit, s:s + length] = True
                    load[unit] += length
                    blocked[gap + off + s - gap + 1: gap + off + s + gap] = True
                    start = s_start + pd.Timedelta(minutes=s)
                    rows.append((zone.name, day.date(), shift.name, f"{shift.name}-{unit + 1}", start,
                                 start + pd.Timedelta(minutes=length), length))
    visits = pd.DataFrame(rows, columns=["zone", "day", "shift", "unit", "start", "end", "minutes"])
    if len(visits):
        visits = visits.sort_values(["day", "shift", "start"], kind="stable").reset_index(drop=True)
    coverage = expected_coverage(zones, visits)
    return PatrolPlan(visits, coverage, pd.DataFrame(unplaced, columns=["zone", "day", "shift", "reason"]),
                      {"days": days, "visit_minutes": (lo, hi), "travel_minutes": travel_minutes,
                       "min_gap_minutes": min_gap_minutes, "step_minutes": step, "seed": seed,
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


# --- timelines ----------------------------------------------------------------------------------

def visit_times(visits: pd.DataFrame) -> pd.DataFrame:
    """``visits`` with ``start``/``end`` as Timestamps and ``day`` as the midnight of the plan day.

    Accepts the plan's own frame and the tool's table (times as ``YYYY-MM-DD HH:MM`` text). A
    visit without a ``day`` belongs to the day it starts on.
    """
    out = visits.copy()
    for col in ("start", "end"):
        out[col] = pd.to_datetime(out[col])
    out["day"] = pd.to_datetime(out["day"]).dt.normalize() if "day" in out.columns else out["start"].dt.normalize()
    return out


def plan_window(visits: pd.DataFrame, shifts: list[Shift] | None = None) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The time a plan covers, both ends included: from midnight of its first day to midnight
    after its last day, or later when a night shift runs into the next morning - to the end of
    its last visit, or with ``shifts`` known, to the end of the last day's latest shift."""
    v = visit_times(visits)
    if not len(v):
        raise ValueError("the plan has no visits")
    first, last = v["day"].min(), v["day"].max()
    end = max(last + pd.Timedelta(days=1), v["end"].max())
    for s in shifts or []:
        end = max(end, _shift_window(last, s)[1])
    return first, end


@dataclass(frozen=True)
class ShiftTimeline:
    """One shift of a plan laid out for a timeline chart: a lane per day and unit (top to
    bottom), a bar per visit from its start to its end in hours after its plan day's midnight
    (a night shift's 02:00 is hour 26), so every day of the shift shares one time axis."""

    shift: str
    lanes: list[str]
    bars: pd.DataFrame  # lane (row in lanes), zone, unit, day, start_h, end_h, start, end, minutes
    hours: tuple[float, float]  # the x range: the shift's hours when known, else the visits' whole hours


def natural_key(name: str) -> tuple:
    """Natural order of names: Late-2 before Late-10, zone 9 before zone 10."""
    import re

    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part.lower())
                 for part in re.split(r"(\d+)", str(name)) if part) + (str(name),)


def shift_timelines(visits: pd.DataFrame, shifts: list[Shift] | None = None) -> list[ShiftTimeline]:
    """The plan's visits as one :class:`ShiftTimeline` per shift, shifts in order of the hour
    they start (or in the order of ``shifts`` when given, which also fixes each x range).

    Lanes are every day of the plan times every unit the shift uses, so a unit with nothing to
    do on a day shows as an empty lane rather than vanishing.
    """
    v = visit_times(visits)
    if not len(v):
        return []
    v["shift"] = v["shift"].astype(str) if "shift" in v.columns else ""
    v["unit"] = v["unit"].fillna("").astype(str) if "unit" in v.columns else ""
    v["start_h"] = (v["start"] - v["day"]) / pd.Timedelta(hours=1)
    v["end_h"] = (v["end"] - v["day"]) / pd.Timedelta(hours=1)
    days = sorted(v["day"].unique())
    known = {s.name: s for s in shifts or []}
    names = [s.name for s in shifts or [] if s.name in set(v["shift"])]
    names += sorted(set(v["shift"]) - set(names), key=lambda n: v.loc[v["shift"] == n, "start_h"].min())
    out = []
    for name in names:
        g = v[v["shift"] == name]
        units = sorted(set(g["unit"]), key=natural_key)
        lane_of = {(d, u): i * len(units) + j for i, d in enumerate(days) for j, u in enumerate(units)}
        lanes = [f"{pd.Timestamp(d):%a %d %b}" + (f" · {u}" if u else "") for d in days for u in units]
        bars = pd.DataFrame({"lane": [lane_of[(d, u)] for d, u in zip(g["day"], g["unit"])],
                             "zone": g["zone"].astype(str).to_numpy(), "unit": g["unit"].to_numpy(),
                             "day": g["day"].to_numpy(), "start_h": g["start_h"].to_numpy(float),
                             "end_h": g["end_h"].to_numpy(float), "start": g["start"].to_numpy(),
                             "end": g["end"].to_numpy(),
                             "minutes": ((g["end"] - g["start"]) / pd.Timedelta(minutes=1)).to_numpy(float)})
        if name in known:
            s = known[name]
            hours = (float(s.start_hour), float(s.start_hour + ((s.end_hour - s.start_hour) % 24 or 24)))
        else:
            hours = (float(np.floor(bars["start_h"].min())), float(np.ceil(bars["end_h"].max())))
            hours = (hours[0], max(hours[1], hours[0] + 1.0))
        out.append(ShiftTimeline(name, lanes, bars.sort_values(["lane", "start_h"]).reset_index(drop=True), hours))
    return out


# --- dosage delivered ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Presence:
    """Time units spent in zones according to their pings.

    ``totals``: zone, unit, stays (separate stays), minutes. ``segments``: zone, unit, start,
    end, minutes - one row per pair of consecutive pings of a unit both inside the zone and
    close enough in time to count as presence between them.
    """

    totals: pd.DataFrame
    segments: pd.DataFrame


def zone_presence(zone_geoms: dict, pings: pd.DataFrame, *, max_gap_minutes: float = 5.0,
                  progress: ProgressFn | None = None, cancelled: CancelFn | None = None) -> Presence:
    """Presence of units in zones from AVL / patrol-log pings (columns unit, time, x, y in the
    working CRS).

    The gap rule: two consecutive pings of a unit that are both inside a zone and at most
    ``max_gap_minutes`` apart count as presence for the time between them; a stay is a run of
    such pings (a lone ping inside counts as a stay of 0 minutes). This is the AVL dosage
    measure of hot spot experiments (Telep, Mitchell & Weisburd 2014). Pings of each unit are
    put in time order first; a ping in overlapping zones counts for each. Vectorised: one
    spatial-index query per zone and array arithmetic over the pings, no loop per ping.
    """
    import shapely

    p = pings.assign(unit=pings["unit"].astype(str), time=pd.to_datetime(pings["time"]))
    p = p.sort_values(["unit", "time"], kind="stable").reset_index(drop=True)
    codes, units = pd.factorize(p["unit"], sort=True)
    t = p["time"].to_numpy("datetime64[ns]")
    gap = np.diff(t) / np.timedelta64(1, "m") if len(p) > 1 else np.zeros(0)
    linked = (codes[1:] == codes[:-1]) & (gap <= max_gap_minutes)
    tree = shapely.STRtree(shapely.points(p["x"].to_numpy(float), p["y"].to_numpy(float)))
    totals, segments = [], []
    n_units = len(units)
    for k, (name, geom) in enumerate(zone_geoms.items()):
        checkpoint(progress, cancelled, k / max(len(zone_geoms), 1), "presence in zones")
        inside = np.zeros(len(p), dtype=bool)
        inside[tree.query(geom, predicate="intersects")] = True
        pair = inside[:-1] & inside[1:] & linked  # presence from ping i to ping i + 1
        starts = inside & ~np.r_[False, pair]  # a ping inside that does not continue a stay
        stays = np.bincount(codes[starts], minlength=n_units)
        minutes = np.bincount(codes[:-1][pair], weights=gap[pair], minlength=n_units)
        for u in np.flatnonzero(stays):
            totals.append((name, units[u], int(stays[u]), float(minutes[u])))
        idx = np.flatnonzero(pair)
        if idx.size:
            segments.append(pd.DataFrame({"zone": name, "unit": units[codes[idx]], "start": t[idx],
                                          "end": t[idx + 1], "minutes": gap[idx]}))
    seg = (pd.concat(segments, ignore_index=True) if segments else
           pd.DataFrame({"zone": pd.Series(dtype=str), "unit": pd.Series(dtype=str),
                         "start": pd.Series(dtype="datetime64[ns]"), "end": pd.Series(dtype="datetime64[ns]"),
                         "minutes": pd.Series(dtype=float)}))
    return Presence(pd.DataFrame(totals, columns=["zone", "unit", "stays", "minutes"]), seg)


def delivered_dosage(zone_geoms: dict, pings: pd.DataFrame, *, max_gap_minutes: float = 5.0) -> pd.DataFrame:
    """Minutes actually spent in each zone per unit: zone, unit, stays (separate stays),
    minutes - the ``totals`` of :func:`zone_presence` (see it for the gap rule)."""
    return zone_presence(zone_geoms, pings, max_gap_minutes=max_gap_minutes).totals


def dosage_against_plan(plan: PatrolPlan | pd.DataFrame, delivered: pd.DataFrame) -> pd.DataFrame:
    """Planned vs delivered minutes and visits per zone, with the delivered share of plan.

    ``plan`` is a :class:`PatrolPlan` or its visits frame; ``delivered`` is
    :func:`delivered_dosage`'s table. Zones in only one of them get zeros for the other.
    """
    visits = plan.visits if isinstance(plan, PatrolPlan) else plan
    planned = visits.groupby("zone").agg(planned_visits=("minutes", "size"), planned_minutes=("minutes", "sum"))
    got = delivered.groupby("zone").agg(delivered_stays=("stays", "sum"), delivered_minutes=("minutes", "sum"))
    out = planned.join(got, how="outer").fillna(0)
    for col in ("planned_visits", "planned_minutes", "delivered_stays"):
        out[col] = out[col].astype(int)
    out["delivered_minutes"] = out["delivered_minutes"].astype(float)
    out["delivered_share"] = np.where(out["planned_minutes"] > 0,
                                      out["delivered_minutes"] / out["planned_minutes"].where(out["planned_minutes"] > 0),
                                      np.nan)
    out.index.name = "zone"
    return out.reset_index()


def visit_delivery(visits: pd.DataFrame, segments: pd.DataFrame, *, slack_minutes: float = 15.0,
                   made_share: float = 0.5) -> pd.DataFrame:
    """Each planned visit with the unit-minutes of presence in its zone during the visit widened
    by ``slack_minutes`` either side (``delivered_minutes``), and ``made``: whether that reached
    ``made_share`` of the planned minutes. Any unit counts, since dispatch swaps units."""
    v = visit_times(visits).reset_index(drop=True)
    got = np.zeros(len(v))
    slack = pd.Timedelta(minutes=slack_minutes)
    for zone, seg in segments.groupby("zone", sort=False):
        s = seg["start"].to_numpy("datetime64[ns]")
        e = seg["end"].to_numpy("datetime64[ns]")
        for i in np.flatnonzero((v["zone"].astype(str) == str(zone)).to_numpy()):
            a = np.datetime64(v.at[i, "start"] - slack, "ns")
            b = np.datetime64(v.at[i, "end"] + slack, "ns")
            overlap = (np.minimum(e, b) - np.maximum(s, a)) / np.timedelta64(1, "m")
            got[i] = float(overlap[overlap > 0].sum())
    out = v.assign(day=v["day"].dt.date, delivered_minutes=got)
    out["made"] = out["delivered_minutes"] >= made_share * out["minutes"].astype(float)
    return out


@dataclass(frozen=True)
class DosageReport:
    """Delivered dosage per zone (against the plan when there is one), per unit, per shift and
    per planned visit, with what was left out and why."""

    by_zone: pd.DataFrame  # zone, [planned_visits, planned_minutes,] delivered_stays, delivered_minutes[, delivered_share]
    by_unit: pd.DataFrame  # zone, unit, stays, minutes
    by_shift: pd.DataFrame | None  # shift, planned_visits, visits_made, planned_minutes, minutes_in_visits, share
    visits: pd.DataFrame | None  # the plan's visits with delivered_minutes and made
    window: tuple[pd.Timestamp, pd.Timestamp] | None  # the plan's time span (pings outside it are left out)
    pings_used: int
    pings_outside_plan: int
    pings_unreadable: int  # no time or no position
    typical_interval_minutes: float  # median time between consecutive pings of a unit
    plan_zones_missing: list[str]  # zones in the plan that the zone layer does not have


def dosage_report(zone_geoms: dict, pings: pd.DataFrame, visits: pd.DataFrame | None = None, *,
                  shifts: list[Shift] | None = None, max_gap_minutes: float = 5.0, slack_minutes: float = 15.0,
                  progress: ProgressFn | None = None, cancelled: CancelFn | None = None) -> DosageReport:
    """Dosage delivered in each zone from pings (:func:`zone_presence`), against the plan's
    ``visits`` when given (:func:`dosage_against_plan`, :func:`visit_delivery`).

    With a plan, only pings inside the plan's time span (:func:`plan_window`, with the plan's
    ``shifts`` when known) count: patrol logs usually cover more days than the plan, and
    minutes outside it would inflate the delivered share.
    """
    p = pings[["unit", "time", "x", "y"]].copy()
    p["time"] = pd.to_datetime(p["time"])
    ok = p["time"].notna() & np.isfinite(p["x"].to_numpy(float)) & np.isfinite(p["y"].to_numpy(float))
    unreadable = int((~ok).sum())
    p = p[ok]
    window, outside = None, 0
    if visits is not None:
        window = plan_window(visits, shifts)
        keep = (p["time"] >= window[0]) & (p["time"] <= window[1])
        outside = int((~keep).sum())
        p = p[keep]
    ordered = p.sort_values(["unit", "time"], kind="stable")
    gaps = ordered["time"].diff()[ordered["unit"].astype(str).eq(ordered["unit"].astype(str).shift())]
    typical = float(gaps.median() / pd.Timedelta(minutes=1)) if len(gaps) else float("nan")
    presence = zone_presence(zone_geoms, p, max_gap_minutes=max_gap_minutes,
                             progress=lambda f, s="": checkpoint(progress, None, 0.9 * f, s), cancelled=cancelled)
    names = [str(n) for n in zone_geoms]
    missing: list[str] = []
    if visits is not None:
        by_zone = dosage_against_plan(visits, presence.totals)
        missing = sorted(set(visits["zone"].astype(str)) - set(names))
    else:
        by_zone = (presence.totals.groupby("zone").agg(delivered_stays=("stays", "sum"),
                                                      delivered_minutes=("minutes", "sum")).reset_index())
    # Every zone of the layer appears, in layer order, plan-only zones after them.
    by_zone = by_zone.set_index("zone")
    order = names + [z for z in by_zone.index if z not in names]
    by_zone = by_zone.reindex(order)
    for col in by_zone.columns:
        if col != "delivered_share":
            by_zone[col] = by_zone[col].fillna(0)
            by_zone[col] = by_zone[col].astype(float if "minutes" in col and col.startswith("delivered") else int)
    by_zone = by_zone.rename_axis("zone").reset_index()
    by_shift = per_visit = None
    if visits is not None:
        per_visit = visit_delivery(visits, presence.segments, slack_minutes=slack_minutes)
        if "shift" in per_visit.columns:
            by_shift = (per_visit.groupby("shift", sort=False)
                        .agg(planned_visits=("made", "size"), visits_made=("made", "sum"),
                             planned_minutes=("minutes", "sum"), minutes_in_visits=("delivered_minutes", "sum"))
                        .reset_index())
            by_shift["visits_made"] = by_shift["visits_made"].astype(int)
            by_shift["share"] = by_shift["minutes_in_visits"] / by_shift["planned_minutes"].where(
                by_shift["planned_minutes"] > 0)
    checkpoint(progress, cancelled, 1.0, "dosage tables")
    return DosageReport(by_zone, presence.totals, by_shift, per_visit, window, len(p), outside, unreadable,
                        typical, missing)
