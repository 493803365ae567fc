"""Repeat locations: exact and tolerance grouping, ranking, first/last dates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hotspot_desktop.core.analysis.repeats import repeat_locations


def test_exact_repeats_ranked_with_dates():
    x = [10.0, 10.0, 10.0, 50.0, 50.0, 99.0, 10.0, np.nan]
    y = [20.0, 20.0, 20.0, 60.0, 60.0, 1.0, 20.0, 5.0]
    t = pd.to_datetime(["2024-01-05", "2024-03-01", None, "2024-02-01", "2024-01-01", "2024-01-01",
                        "2023-12-31", "2024-01-01"])
    res = repeat_locations(x, y, t, min_count=2)
    assert [(loc.rank, loc.x, loc.y, loc.count) for loc in res.locations] == [(1, 10, 20, 4), (2, 50, 60, 2)]
    top = res.locations[0]
    np.testing.assert_array_equal(top.members, [0, 1, 2, 6])
    assert top.first == pd.Timestamp("2023-12-31") and top.last == pd.Timestamp("2024-03-01")
    assert res.incidents_at_repeats == 6 and res.share == pytest.approx(6 / 8)
    frame = res.to_frame()
    assert list(frame["count"]) == [4, 2] and frame["first"].iloc[1] == pd.Timestamp("2024-01-01")
    gdf = res.to_geodataframe("EPSG:32630")
    assert gdf.geometry.iloc[0].x == 10.0 and list(gdf["rank"]) == [1, 2]


def test_min_count_filters():
    x = np.repeat([0.0, 100.0, 200.0], [5, 3, 1])
    res = repeat_locations(x, np.zeros_like(x), min_count=4)
    assert [loc.count for loc in res.locations] == [5]


def test_tolerance_groups_near_duplicates_without_chaining():
    # an address geocoded twice 2 m apart, and a row of shops 4 m apart
    x = np.array([0, 0, 0, 2, 2] + [1000, 1004, 1008, 1012, 1016], dtype=float)
    y = np.zeros_like(x)
    exact = repeat_locations(x, y, min_count=2)
    assert [loc.count for loc in exact.locations] == [3, 2]
    near = repeat_locations(x, y, tolerance=3.0, min_count=2)
    assert near.locations[0].count == 5 and near.locations[0].x == 0.0  # the busier exact point leads
    assert len(near.locations) == 1  # shops 4 m apart stay separate at a 3 m tolerance
    wide = repeat_locations(x, y, tolerance=5.0, min_count=2)
    # leaders claim neighbours within 5 m only: the shop row splits, it does not chain into one
    assert max(loc.count for loc in wide.locations if loc.x >= 1000) <= 3


def test_result_does_not_depend_on_input_order():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 30, 500).astype(float) * 3.0
    y = rng.integers(0, 30, 500).astype(float) * 3.0
    order = rng.permutation(500)
    a = repeat_locations(x, y, tolerance=4.0, min_count=3)
    b = repeat_locations(x[order], y[order], tolerance=4.0, min_count=3)
    assert [(loc.x, loc.y, loc.count) for loc in a.locations] == [(loc.x, loc.y, loc.count) for loc in b.locations]
    for la, lb in zip(a.locations, b.locations):
        np.testing.assert_array_equal(la.members, np.sort(order[lb.members]))
