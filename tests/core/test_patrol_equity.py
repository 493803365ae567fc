"""Patrol plans respect units and peak hours; dosage; equity against an independent overlay."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from hotspot_desktop.core.analysis.equity import equity_check
from hotspot_desktop.core.analysis.patrol import (Shift, ZoneDemand, delivered_dosage, dosage_against_plan,
                                                 make_plan, max_concurrent_by_shift, split_visits,
                                                 zone_order)


def _profile(peak_hours):
    prof = np.full(168, 0.2)
    for d in range(7):
        for h in peak_hours:
            prof[d * 24 + h] = 10.0
    return prof


def test_plan_respects_units_and_peak_hours():
    zones = [ZoneDemand(f"Z{i}", _profile([20, 21, 22]), visits_per_shift=4, priority=3 - i % 3) for i in range(6)]
    shifts = [Shift("Evening", 16, 0, units=3), Shift("Night", 0, 8, units=1)]
    plan = make_plan(zones, shifts, first_day=pd.Timestamp("2025-03-03"), days=7, seed=1)
    conc = max_concurrent_by_shift(plan.visits)
    for (day, shift), peak in conc.items():
        assert peak <= {"Evening": 3, "Night": 1}[shift]
    # The day's 8 visits of a zone follow its risk across shifts: 31 of its 32.6 daily risk is
    # in the Evening (7.6 -> 7 visits, the Night keeps one as it holds some risk)...
    per_day = plan.visits.groupby(["zone", "day", "shift"]).size().unstack()
    assert (per_day["Night"] == 1).all() and (per_day["Evening"] <= 7).all()
    assert per_day["Evening"].sum() + len(plan.unplaced) == 7 * 7 * 6
    ev = plan.visits[plan.visits["shift"] == "Evening"]
    peak = pd.to_datetime(ev["start"]).dt.hour.isin([20, 21, 22])
    # ...and within it: with a 60 min gap at most 3 fit in the 3 peak hours, and most zone-days get 3.
    per_zone_day = peak.groupby([ev["zone"], ev["day"]]).sum()
    assert per_zone_day.max() == 3 and (per_zone_day >= 2).mean() > 0.9
    assert pd.to_datetime(ev["start"]).dt.minute.nunique() > 10  # ...but are not predictable
    assert plan.visits["minutes"].between(10, 16).all()
    assert (plan.coverage["expected_coverage"] > 0.5).all()
    # With the Evening alone (4 visits a zone), most visits fall in the peak hours.
    evening = make_plan(zones, shifts[:1], first_day=pd.Timestamp("2025-03-03"), days=7, seed=1)
    assert pd.to_datetime(evening.visits["start"]).dt.hour.isin([20, 21, 22]).mean() > 0.6
    # Same seed, same plan (round trip of plans through CSV keeps it).
    again = make_plan(zones, shifts, first_day=pd.Timestamp("2025-03-03"), days=7, seed=1)
    pd.testing.assert_frame_equal(plan.visits, again.visits)


def test_peaked_zone_gets_every_visit_when_units_are_free():
    """A zone with all its risk at 20-22 h and 5 free units: every one of its 28 visits placed,
    spread over the units rather than all on the first."""
    plan = make_plan([ZoneDemand("A", _profile([20, 21]), visits_per_shift=4, priority=1)],
                     [Shift("Late", 14, 22, units=5)], first_day=pd.Timestamp("2025-03-03"), days=7, seed=0)
    assert len(plan.visits) == 28 and plan.unplaced.empty
    starts = pd.to_datetime(plan.visits["start"])
    assert (starts.diff()[plan.visits["day"].eq(plan.visits["day"].shift())] >= pd.Timedelta(minutes=60)).all()
    # Each visit goes to the least-loaded free unit: over the week the five units share the work.
    per_unit = plan.visits.groupby("unit")["minutes"].sum()
    assert len(per_unit) == 5 and per_unit.max() - per_unit.min() <= 2 * 16


def test_unplaced_visits_say_what_blocked_them():
    day = pd.Timestamp("2025-03-03")
    # One unit, ten zones of one visit each: the unit fills up, the rest have no free unit.
    busy = make_plan([ZoneDemand(f"Z{i}", _profile([9]), visits_per_shift=1) for i in range(10)],
                     [Shift("Day", 8, 10, units=1)], first_day=day, days=1)
    assert 3 <= len(busy.visits) <= 5 and len(busy.visits) + len(busy.unplaced) == 10
    assert (busy.unplaced["reason"] == "every unit busy").all()
    assert max_concurrent_by_shift(busy.visits).max() <= 1
    # Five units, one zone wanting six visits in two hours: the 60 min gap allows two.
    crowded = make_plan([ZoneDemand("Z", _profile([9]), visits_per_shift=6)], [Shift("Day", 8, 10, units=5)],
                        first_day=day, days=1)
    assert len(crowded.visits) == 2
    assert (crowded.unplaced["reason"] == "no start at least 60 min from the zone's other visits").all()
    short = make_plan([ZoneDemand("Z", _profile([9]), visits_per_shift=1)], [Shift("Day", 8, 9, units=1)],
                      first_day=day, days=1, visit_minutes=(70, 80))
    assert short.visits.empty and list(short.unplaced["reason"]) == ["shift too short for the visit"]
    with pytest.raises(ValueError, match="visit length"):
        make_plan([], [Shift("Day", 8, 9, units=1)], first_day=day, visit_minutes=(16, 10))


def test_priority_one_is_scheduled_first_and_no_priority_last():
    order = zone_order([ZoneDemand("none", np.ones(168)), ZoneDemand("p3", np.ones(168), priority=3),
                        ZoneDemand("p1", np.ones(168), priority=1), ZoneDemand("p2", np.ones(168), priority=2)])
    assert [z.name for z in order] == ["p1", "p2", "p3", "none"]
    # One unit, room for about three visits: the priority-1 zone is placed first, as if alone.
    top = ZoneDemand("top", _profile([8]), visits_per_shift=3, priority=1)
    low = ZoneDemand("low", _profile([8]), visits_per_shift=3, priority=None)
    kw = {"first_day": pd.Timestamp("2025-03-03"), "days": 1, "min_gap_minutes": 0, "seed": 2}
    plan = make_plan([low, top], [Shift("Day", 8, 9, units=1)], **kw)
    alone = make_plan([top], [Shift("Day", 8, 9, units=1)], **kw)
    pd.testing.assert_frame_equal(plan.visits[plan.visits["zone"] == "top"].reset_index(drop=True), alone.visits)
    assert (plan.visits["zone"] == "low").sum() < (plan.visits["zone"] == "top").sum()
    assert set(plan.unplaced.loc[plan.unplaced["zone"] == "low", "reason"]) == {"every unit busy"}


def test_visits_are_shared_among_shifts_by_risk():
    late_only = np.zeros(168)
    for d in range(7):
        late_only[d * 24 + 16: d * 24 + 20] = 5.0
    shifts = [Shift("Early", 6, 14, 2), Shift("Late", 14, 22, 2), Shift("Night", 22, 6, 1)]
    plan = make_plan([ZoneDemand("L", late_only, visits_per_shift=2), ZoneDemand("none", np.zeros(168), visits_per_shift=2)],
                     shifts, first_day=pd.Timestamp("2025-03-03"), days=2, seed=4)
    late = plan.visits[plan.visits["zone"] == "L"]
    assert len(late) + (plan.unplaced["zone"] == "L").sum() == 2 * 6
    assert (late["shift"] == "Late").all()
    # A zone with no history is spread evenly: 2 visits in every shift.
    even = plan.visits[plan.visits["zone"] == "none"].groupby(["day", "shift"]).size()
    assert (even == 2).all() and len(even) == 6
    assert list(split_visits(8, np.array([31.0, 1.6]))) == [7, 1]
    assert list(split_visits(1, np.array([31.0, 1.6]))) == [1, 0]
    assert list(split_visits(5, np.array([1.0, 1.0, 1.0]))) == [2, 2, 1]


def test_delivered_dosage_against_plan():
    zone = box(0, 0, 100, 100)
    t0 = pd.Timestamp("2025-03-03 20:00")
    pings = pd.DataFrame({"unit": ["A"] * 6, "time": [t0 + pd.Timedelta(minutes=m) for m in (0, 2, 4, 6, 30, 32)],
                          "x": [50, 50, 50, 500, 50, 50], "y": [50] * 6})
    got = delivered_dosage({"Z0": zone}, pings)
    assert got.loc[0, "stays"] == 2 and got.loc[0, "minutes"] == pytest.approx(4 + 2)
    plan = make_plan([ZoneDemand("Z0", _profile([20]), visits_per_shift=1)], [Shift("E", 16, 24, 1)],
                     first_day=pd.Timestamp("2025-03-03"), days=1)
    table = dosage_against_plan(plan, got)
    assert table.loc[0, "delivered_minutes"] == pytest.approx(6)


def test_equity_matches_independent_overlay():
    census = gpd.GeoDataFrame({"pop_a": [1000, 100], "pop_b": [100, 1000]},
                              geometry=[box(0, 0, 100, 100), box(100, 0, 200, 100)])
    zones = box(50, 0, 150, 100)  # half of each area
    res = equity_check(census, ["pop_a", "pop_b"], zones, np.array([10, 20, 150]), np.array([10, 20, 50]))
    # Independent: geopandas overlay with area weighting.
    ov = gpd.overlay(census, gpd.GeoDataFrame(geometry=[zones]), how="intersection")
    frac = ov.area / census.area
    assert res.table.loc[0, "zone_population"] == pytest.approx((ov["pop_a"] * frac).sum())
    assert res.table.loc[0, "share_zone"] == pytest.approx(0.5)
    assert res.table.loc[0, "share_area"] == pytest.approx(0.5)
    assert res.table.loc[0, "ratio"] == pytest.approx(1.0) and res.table.loc[0, "flag"] == ""
    # Incidents: two in area 0 (10/11 group a), one in area 1 (1/11 group a).
    assert res.table.loc[0, "share_incidents"] == pytest.approx((2 * 10 / 11 + 1 / 11) / 3)
    skewed = equity_check(census, ["pop_a", "pop_b"], box(0, 0, 100, 100))
    assert skewed.table.loc[0, "flag"] == "over-represented in patrol zones"
    assert skewed.table.loc[1, "flag"] == "under-represented in patrol zones"
