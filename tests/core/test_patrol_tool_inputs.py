"""The patrol plan tool's inputs: shift text, first day, visit lengths, priorities and the
coverage table, run through the registry like the app does."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from hotspot_desktop.core.model import PointLayer, VectorLayer, ZoneLayer
from hotspot_desktop.tools.builtin.patrol import parse_first_day, parse_shifts, zone_names
from hotspot_desktop.tools.execute import run_now
from hotspot_desktop.tools.registry import load_registry


@pytest.mark.parametrize("text, message", [
    ("Late 14-22 x2; late 22-06 x1", "given twice"),
    ("Late 14-14 x2", "starts and ends at 14"),
    ("Night 00-00 x1", "'00-24'"),
    ("Late 14-22 x0", "a shift needs at least one unit"),
    ("Late 14-25 x1", "hours must be 0-24"),
    ("Late at two", "not in the form"),
])
def test_bad_shift_text_says_what_is_wrong(text, message):
    with pytest.raises(ValueError, match=message):
        parse_shifts(text)


def test_good_shift_text_and_first_day():
    day, night = parse_shifts("Day 00-24 x3; Night 22-06 x1;")
    assert (day.start_hour, day.end_hour, len(day.hours())) == (0, 0, 24)
    assert night.hours() == [22, 23, 0, 1, 2, 3, 4, 5]
    assert parse_first_day("2026-02-28") == pd.Timestamp("2026-02-28") and parse_first_day(" ") is None
    with pytest.raises(ValueError, match="'2026-02-30' is not a date in the calendar"):
        parse_first_day("2026-02-30")


def _incidents() -> PointLayer:
    rng = np.random.default_rng(3)
    n = 900
    centre = rng.integers(0, 3, n)
    x = 1000.0 * centre + rng.uniform(100, 900, n)
    y = rng.uniform(100, 900, n)
    # Zone 0 is busiest; every incident happens in the Late shift (16-20 h).
    t = (pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 60, n), unit="D")
         + pd.to_timedelta(rng.integers(16, 20, n), unit="h"))
    keep = (centre == 0) | (rng.random(n) < 0.5)
    return PointLayer("Incidents", x[keep], y[keep], pd.DataFrame({"time": t[keep]}))


def _run(values: dict):
    tool = load_registry(safe_mode=True).get("patrol.plan")
    base = {"shifts": "Early 06-14 x2; Late 14-22 x2; Night 22-06 x1", "days": 2, "first_day": "2025-03-03",
            "visits_per_shift": 2}
    return run_now(tool, {**base, **values})


def test_plan_tool_visit_lengths_coverage_percent_and_shares():
    pts = _incidents()
    zones = ZoneLayer("Zones", gpd.GeoDataFrame({"name": ["A", "B", "C"], "role": ["patrol"] * 3, "priority": [2, 1, 0]},
                                                geometry=[shapely.box(1000 * i, 0, 1000 * i + 1000, 1000)
                                                          for i in range(3)]))
    done = _run({"points": pts, "zones": zones, "visit_min": 20, "visit_max": 25})
    tables = {t.name: t.frame for t in done.result.tables}
    visits = tables["visits"]
    assert visits["minutes"].between(20, 25).all() and visits["minutes"].nunique() > 1
    assert "visit length 20-25 min, randomised start (Koper 1995)" in done.result.notes
    # All risk is in the Late shift: each zone's 6 visits a day go there.
    assert (visits["shift"] == "Late").all() and len(visits) + len(tables.get("unplaced", [])) == 3 * 2 * 6
    cov = tables["coverage"]
    assert list(cov.columns[:2]) == ["zone", "expected coverage %"]
    assert cov["expected coverage %"].between(0, 100).all() and cov["expected coverage %"].max() > 1
    assert (cov["expected coverage %"] == cov["expected coverage %"].round(1)).all()
    chart = next(c for c in done.result.charts if c.title == "Expected coverage of historical risk")
    assert np.allclose(chart.series["coverage %"], cov["expected coverage %"], atol=0.05)
    assert not done.result.layers  # zones given: no zone layer made
    with pytest.raises(ValueError, match="'Shortest visit' must be at most 'Longest visit'"):
        _run({"points": pts, "zones": zones, "visit_min": 16, "visit_max": 10})


def test_top_hot_spots_become_a_zone_layer_with_priority_one_busiest():
    pts = _incidents()
    cells = gpd.GeoDataFrame({"z": [1.0, 2.0, 3.0, 4.0]},
                             geometry=[shapely.box(1000 * i, 0, 1000 * i + 1000, 1000) for i in range(4)])
    hot = VectorLayer("Hexagons", cells, geometry_kind="polygon")
    done = _run({"points": pts, "hotspots": hot, "top_n": 2})
    (layer,) = done.result.layers
    assert layer.name == "Patrol plan zones (top 2)"
    assert list(layer.gdf.columns) == ["name", "priority", "incidents", "geometry"]
    inside = [int(shapely.contains_xy(g, pts.x, pts.y).sum()) for g in cells.geometry]
    assert list(layer.gdf["incidents"]) == sorted(inside, reverse=True)[:2]
    assert list(layer.gdf["priority"]) == [1, 2] and layer.gdf.geometry.iloc[0].equals(cells.geometry.iloc[0])
    visits = next(t.frame for t in done.result.tables if t.name == "visits")
    assert set(zone_names(layer.gdf)) == set(visits["zone"])
