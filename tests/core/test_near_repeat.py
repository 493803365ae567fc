"""Knox test: counts against brute force, permutation null, planted near repeats."""

import numpy as np
import pandas as pd
import pytest

from hotspot_desktop.core.analysis.near_repeat import knox_test, risk_polygons, risk_window


def _brute_observed(x, y, days, d_edges, t_edges):
    k, m = len(d_edges), len(t_edges)
    out = np.zeros((k + 2, m + 1))
    for a in range(len(x)):
        for b in range(a + 1, len(x)):
            d = np.hypot(x[a] - x[b], y[a] - y[b])
            dt = abs(days[a] - days[b])
            row = 0 if d == 0 else 1 + int(np.searchsorted(d_edges, d, side="left"))
            col = min(int(np.searchsorted(t_edges, dt, side="left")), m)
            out[min(row, k + 1), col] += 1
    return out


def test_observed_table_equals_brute_force_including_far_pairs():
    rng = np.random.default_rng(2)
    n = 120
    x, y = rng.integers(0, 10, n) * 50.0, rng.integers(0, 10, n) * 50.0  # shared locations happen
    t = pd.Series(pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 60, n), unit="D"))
    res = knox_test(x, y, t, distance_band_m=100, n_distance_bands=3, time_band_days=7, n_time_bands=4,
                    simulations=9, seed=1)
    days = ((t - t.min()) / pd.Timedelta(days=1)).to_numpy()
    np.testing.assert_array_equal(res.observed, _brute_observed(x, y, days, res.distance_edges, res.time_edges))
    assert res.observed.sum() == n * (n - 1) / 2
    assert res.table().index[0] == "same location (0 m)"
    assert res.table().columns[1] == "over 7 to 14 days"


def test_no_interaction_gives_ratios_near_one_and_is_seeded():
    rng = np.random.default_rng(3)
    n = 400
    x, y = rng.uniform(0, 3000, n), rng.uniform(0, 3000, n)
    t = pd.Series(pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.uniform(0, 365, n), unit="D"))
    a = knox_test(x, y, t, distance_band_m=200, n_distance_bands=3, simulations=49, seed=5)
    b = knox_test(x, y, t, distance_band_m=200, n_distance_bands=3, simulations=49, seed=5)
    np.testing.assert_array_equal(a.p_value, b.p_value)
    body = a.ratio[1:-1, :-1]
    assert np.nanmean(body) == pytest.approx(1.0, abs=0.2)
    assert risk_window(a) is None or risk_window(a).distance_m <= 200


def test_planted_near_repeats_are_found():
    rng = np.random.default_rng(4)
    n = 300
    x, y = rng.uniform(0, 5000, n), rng.uniform(0, 5000, n)
    t0 = pd.Timestamp("2024-01-01")
    days = rng.uniform(0, 365, n)
    # Each original spawns a repeat within 80 m and 5 days.
    ang = rng.uniform(0, 2 * np.pi, n)
    xr, yr = x + 60 * np.cos(ang), y + 60 * np.sin(ang)
    dr = days + rng.uniform(0, 5, n)
    X, Y = np.concatenate([x, xr]), np.concatenate([y, yr])
    T = pd.Series(t0 + pd.to_timedelta(np.concatenate([days, dr]), unit="D"))
    res = knox_test(X, Y, T, distance_band_m=100, n_distance_bands=4, time_band_days=7, n_time_bands=4,
                    simulations=49, seed=0)
    assert res.ratio[1, 0] > 3 and res.p_value[1, 0] <= 0.02
    win = risk_window(res)
    assert win is not None and win.distance_m == 100 and win.days == 7
    poly, used = risk_polygons(X, Y, T, win)
    assert used > 0 and poly.area > 0
