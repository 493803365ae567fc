"""Patrol plans respect units and peak hours; dosage; equity against an independent overlay."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from hotspot_desktop.core.analysis.equity import equity_check
from hotspot_desktop.core.analysis.patrol import (Shift, ZoneDemand, delivered_dosage, dosage_against_plan,
                                                 make_plan, max_concurrent_by_shift)


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
    ev = plan.visits[plan.visits["shift"] == "Evening"]
    in_peak = pd.to_datetime(ev["start"]).dt.hour.isin([20, 21, 22]).mean()
    assert in_peak > 0.6  # visits follow risk...
    assert pd.to_datetime(ev["start"]).dt.minute.nunique() > 10  # ...but are not predictable
    assert plan.visits["minutes"].between(10, 16).all()
    assert (plan.coverage["expected_coverage"] > 0.5).all()
    # Same seed, same plan (round trip of plans through CSV keeps it).
    again = make_plan(zones, shifts, first_day=pd.Timestamp("2025-03-03"), days=7, seed=1)
    pd.testing.assert_frame_equal(plan.visits, again.visits)


def test_overcommitted_shift_lists_unplaced_visits():
    zones = [ZoneDemand(f"Z{i}", _profile([9]), visits_per_shift=6) for i in range(10)]
    plan = make_plan(zones, [Shift("Day", 8, 10, units=1)], first_day=pd.Timestamp("2025-03-03"), days=1)
    assert len(plan.unplaced) > 0 and "units fully committed" in plan.unplaced["reason"].iloc[0]
    assert max_concurrent_by_shift(plan.visits).max() <= 1


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
