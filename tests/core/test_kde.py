"""Kernel density: exact vs a brute-force double loop, normalisation, fast mode, refusals."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from hotspot_desktop.core.analysis.grid import GridSpec
from hotspot_desktop.core.analysis.kde import dual_kde, kde
from hotspot_desktop.core.analysis.kernels import KERNELS
from hotspot_desktop.core.io.report import Cancelled


def brute_force(x, y, grid: GridSpec, kernel: str, h, weights=None, density=True, decay=0.0):
    """Independent double loop over cells and incidents with the textbook formulas."""
    xc, yc = grid.centres()
    hs = np.broadcast_to(np.asarray(h, dtype=float), np.shape(x))
    w = np.ones(len(x)) if weights is None else weights
    out = np.zeros(grid.shape)
    for r in range(grid.rows):
        for c in range(grid.cols):
            total = 0.0
            for xi, yi, hi, wi in zip(x, y, hs, w):
                d = math.hypot(xc[c] - xi, yc[r] - yi)
                if d > hi:
                    continue
                u = d / hi
                if kernel == "quartic":
                    k, norm = (1 - u * u) ** 2, 3 / math.pi
                elif kernel == "triweight":
                    k, norm = (1 - u * u) ** 3, 4 / math.pi
                elif kernel == "epanechnikov":
                    k, norm = 1 - u * u, 2 / math.pi
                elif kernel == "uniform":
                    k, norm = 1.0, 1 / math.pi
                elif kernel == "triangular":
                    k, norm = 1 - (1 - decay) * u, 3 / ((1 + 2 * decay) * math.pi)
                else:  # gaussian, sd = h/4, truncated at h and renormalised
                    sd = hi / 4
                    k = math.exp(-d * d / (2 * sd * sd))
                    norm = hi * hi / (2 * math.pi * sd * sd * (1 - math.exp(-8)))
                total += wi * k * (norm / (hi * hi) * 1e6 if density else 1.0)
            out[r, c] = total
    return out


@pytest.fixture
def small():
    rng = np.random.default_rng(7)
    x = rng.uniform(1000, 1600, 40)
    y = rng.uniform(2000, 2500, 40)
    grid = GridSpec(800.0, 1800.0, 25.0, 36, 44)
    return x, y, grid


@pytest.mark.parametrize("kernel", sorted(KERNELS))
@pytest.mark.parametrize("output", ["density", "raw"])
def test_exact_matches_brute_force(small, kernel, output):
    x, y, grid = small
    res = kde(x, y, kernel=kernel, bandwidth=130.0, grid=grid, output=output, mode="exact")
    ref = brute_force(x, y, grid, kernel, 130.0, density=output == "density")
    assert res.mode_used == "exact"
    np.testing.assert_allclose(res.values, ref, rtol=1e-9, atol=1e-9 * ref.max())


def test_exact_weighted_and_triangular_decay(small):
    x, y, grid = small
    w = np.linspace(0.5, 3.0, x.size)
    res = kde(x, y, kernel="triangular", decay=0.3, bandwidth=90.0, grid=grid, weights=w, mode="exact")
    ref = brute_force(x, y, grid, "triangular", 90.0, weights=w, decay=0.3)
    np.testing.assert_allclose(res.values, ref, rtol=1e-9, atol=1e-9 * ref.max())
    assert res.weight_total == pytest.approx(w.sum())


def test_adaptive_matches_brute_force(small):
    x, y, grid = small
    res = kde(x, y, adaptive_k=3, grid=grid, mode="exact")
    assert res.bandwidth_rule == "adaptive-knn" and res.bandwidths is not None
    ref = brute_force(x, y, grid, "quartic", res.bandwidths)
    np.testing.assert_allclose(res.values, ref, rtol=1e-9, atol=1e-9 * ref.max())


def test_adaptive_bandwidth_is_narrow_in_dense_areas():
    rng = np.random.default_rng(3)
    dense = rng.normal(0, 50, (300, 2))
    sparse = rng.uniform(2000, 6000, (30, 2))
    pts = np.vstack([dense, sparse])
    res = kde(pts[:, 0], pts[:, 1], adaptive_k=5, cell_size=20.0)
    hs = res.bandwidths
    assert np.median(hs[:300]) < np.median(hs[300:]) / 5
    assert hs.min() >= 20.0  # floored at the cell size
    # each incident's kernel still integrates to one
    assert res.values.sum() * res.grid.cell_area / 1e6 == pytest.approx(330, rel=0.02)


@pytest.mark.parametrize("kernel", sorted(KERNELS))
def test_density_integrates_to_count(kernel):
    rng = np.random.default_rng(1)
    x = rng.normal(0, 300, 500)
    y = rng.normal(0, 300, 500)
    res = kde(x, y, kernel=kernel, bandwidth=400.0, cell_size=10.0, mode="exact")
    total = np.nansum(res.values) * res.grid.cell_area / 1e6
    assert total == pytest.approx(500, rel=5e-3)
    assert res.units == "incidents per km²"


@pytest.mark.parametrize("kernel", ["quartic", "triweight", "gaussian"])
def test_fast_within_half_percent_of_peak(kernel):
    rng = np.random.default_rng(11)
    centres = rng.uniform(0, 5000, (8, 2))
    k = rng.integers(0, 8, 20000)
    x = centres[k, 0] + rng.normal(0, 250, k.size)
    y = centres[k, 1] + rng.normal(0, 250, k.size)
    exact = kde(x, y, kernel=kernel, bandwidth=300.0, cell_size=50.0, mode="exact")
    fast = kde(x, y, kernel=kernel, bandwidth=300.0, cell_size=50.0, mode="fast")
    assert fast.mode_used == "fast" and fast.grid == exact.grid
    err = np.abs(fast.values - exact.values).max()
    assert err <= 0.005 * exact.peak
    assert fast.error_bound is not None and err <= fast.error_bound


def test_auto_mode_records_choice():
    x = np.array([0.0, 100.0, 250.0, 400.0])
    y = np.array([0.0, 50.0, 300.0, 100.0])
    res = kde(x, y, bandwidth=200.0, cell_size=20.0)
    assert res.mode_requested == "auto" and res.mode_used == "exact"
    assert any("exact" in r for r in res.rules)


def test_bandwidth_below_cell_size_refused():
    with pytest.raises(ValueError, match="smaller than the cell size"):
        kde(np.array([0.0, 10.0]), np.array([0.0, 5.0]), bandwidth=40.0, cell_size=50.0)


@pytest.mark.parametrize("xy", [([], []), ([5.0], [5.0]), ([3.0] * 10, [4.0] * 10)])
def test_degenerate_inputs_give_clear_errors(xy):
    with pytest.raises(ValueError, match="incident|bandwidth|same location|spot"):
        kde(np.array(xy[0]), np.array(xy[1]))


def test_one_point_with_fixed_bandwidth_is_one_bump():
    res = kde(np.array([500.0]), np.array([500.0]), bandwidth=100.0, cell_size=10.0)
    assert np.isfinite(res.values).all()
    assert res.values.sum() * 100 / 1e6 == pytest.approx(1.0, rel=1e-2)


def test_translation_moves_output(small):
    x, y, grid = small
    a = kde(x, y, bandwidth=100.0, grid=grid, mode="exact")
    shifted = GridSpec(grid.x0 + 75.0, grid.y0 - 50.0, grid.cell_size, grid.rows, grid.cols)
    b = kde(x + 75.0, y - 50.0, bandwidth=100.0, grid=shifted, mode="exact")
    np.testing.assert_allclose(a.values, b.values, rtol=1e-9, atol=1e-9 * a.peak)
    # on the same grid, a shift of three cells east moves the surface by three columns
    c = kde(x + 75.0, y, bandwidth=100.0, grid=grid, mode="exact")
    np.testing.assert_allclose(c.values[:, 3:], a.values[:, :-3], rtol=1e-9, atol=1e-9 * a.peak)


@settings(max_examples=25, deadline=None)
@given(st.permutations(list(range(30))))
def test_permutation_invariance(order):
    rng = np.random.default_rng(5)
    x = rng.uniform(0, 1000, 30)
    y = rng.uniform(0, 1000, 30)
    grid = GridSpec(-200.0, -200.0, 50.0, 29, 29)
    a = kde(x, y, bandwidth=150.0, grid=grid, mode="exact").values
    o = np.array(order)
    b = kde(x[o], y[o], bandwidth=150.0, grid=grid, mode="exact").values
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12 * a.max())


def test_automatic_bandwidth_rules_are_named():
    rng = np.random.default_rng(2)
    x, y = rng.normal(0, 500, 400), rng.normal(0, 500, 400)
    nrd = kde(x, y, cell_size=25.0)
    arc = kde(x, y, cell_size=25.0, bandwidth_rule="arcgis")
    assert nrd.bandwidth_rule == "nrd" and arc.bandwidth_rule == "arcgis"
    assert any("bandwidth.nrd" in r for r in nrd.rules)
    assert any("ArcGIS" in r for r in arc.rules)
    # MASS bandwidth.nrd by hand, x axis
    sd = np.std(x, ddof=1)
    iqr = np.subtract(*np.percentile(x, [75, 25]))
    hx = 4 * 1.06 * min(sd, iqr / 1.34) * 400 ** -0.2
    sdy = np.std(y, ddof=1)
    iqry = np.subtract(*np.percentile(y, [75, 25]))
    hy = 4 * 1.06 * min(sdy, iqry / 1.34) * 400 ** -0.2
    assert nrd.bandwidth == pytest.approx((hx + hy) / 2)


def test_stray_geocode_does_not_blow_up_grid():
    rng = np.random.default_rng(4)
    x = np.append(rng.uniform(500_000, 505_000, 2000), 0.0)
    y = np.append(rng.uniform(180_000, 184_000, 2000), 0.0)
    res = kde(x, y, bandwidth=200.0)
    assert res.n_outside == 1 and res.n_used == 2000
    assert res.grid.x0 > 490_000


def test_study_area_masks_cells():
    rng = np.random.default_rng(9)
    x, y = rng.uniform(0, 1000, 300), rng.uniform(0, 1000, 300)
    area = box(0, 0, 500, 1000)
    res = kde(x, y, bandwidth=100.0, cell_size=20.0, study_area=area)
    assert res.n_used == int((x <= 500).sum())
    assert np.isnan(res.values[~res.mask]).all() and np.isfinite(res.values[res.mask]).all()


def test_cancel_raises():
    rng = np.random.default_rng(0)
    x, y = rng.uniform(0, 1000, 100), rng.uniform(0, 1000, 100)
    with pytest.raises(Cancelled):
        kde(x, y, bandwidth=100.0, cell_size=10.0, mode="exact", cancelled=lambda: True)


def test_progress_reported():
    seen = []
    rng = np.random.default_rng(0)
    x, y = rng.uniform(0, 1000, 100), rng.uniform(0, 1000, 100)
    kde(x, y, bandwidth=100.0, cell_size=10.0, mode="exact", progress=lambda f, s: seen.append(f))
    assert seen and seen[-1] == pytest.approx(1.0) and all(0 <= f <= 1 for f in seen)


def test_dual_kde_ratio_and_difference():
    rng = np.random.default_rng(8)
    pop = rng.uniform(0, 2000, (2000, 2))
    crime = pop[:400]
    grid = GridSpec(0.0, 0.0, 50.0, 40, 40)
    r = dual_kde((crime[:, 0], crime[:, 1]), (pop[:, 0], pop[:, 1]), "ratio", bandwidth=300.0, grid=grid)
    a = kde(crime[:, 0], crime[:, 1], bandwidth=300.0, grid=grid).values
    b = kde(pop[:, 0], pop[:, 1], bandwidth=300.0, grid=grid).values
    ok = b > 0
    np.testing.assert_allclose(r.values[ok], a[ok] / b[ok])
    assert np.nanmedian(r.values) == pytest.approx(0.2, rel=0.2)
    d = dual_kde((crime[:, 0], crime[:, 1]), (pop[:, 0], pop[:, 1]), "difference", bandwidth=300.0, grid=grid)
    np.testing.assert_allclose(d.values, a - b)
    lr = dual_kde((crime[:, 0], crime[:, 1]), (pop[:, 0], pop[:, 1]), "log_ratio", bandwidth=300.0, grid=grid)
    assert np.nanmedian(lr.values) == pytest.approx(math.log(0.2), abs=0.3)
    with pytest.raises(ValueError):
        dual_kde((crime[:, 0], crime[:, 1]), (pop[:, 0], pop[:, 1]), "sum", bandwidth=300.0, grid=grid)


def test_fast_mode_weights_and_study_area():
    rng = np.random.default_rng(14)
    x, y = rng.normal(1000, 200, 3000), rng.normal(1000, 200, 3000)
    w = rng.uniform(0.5, 2.0, 3000)
    area = box(500, 500, 1500, 1400)
    exact = kde(x, y, bandwidth=250.0, cell_size=25.0, weights=w, study_area=area, mode="exact")
    fast = kde(x, y, bandwidth=250.0, cell_size=25.0, weights=w, study_area=area, mode="fast")
    m = exact.mask
    assert np.abs(fast.values[m] - exact.values[m]).max() <= 0.005 * exact.peak
    assert np.isnan(fast.values[~m]).all()


def test_auto_switches_to_fast_above_threshold(monkeypatch):
    import hotspot_desktop.core.analysis.kde as kde_mod

    monkeypatch.setattr(kde_mod, "AUTO_FAST_POINTS", 100)
    rng = np.random.default_rng(15)
    x, y = rng.uniform(0, 1000, 500), rng.uniform(0, 1000, 500)
    assert kde(x, y, bandwidth=150.0, cell_size=25.0).mode_used == "fast"
    # kernels with a kink or a jump at h stay exact, and so do adaptive bandwidths
    assert kde(x, y, bandwidth=150.0, cell_size=25.0, kernel="uniform").mode_used == "exact"
    assert kde(x, y, adaptive_k=5, cell_size=25.0).mode_used == "exact"
    with pytest.raises(ValueError, match="fixed bandwidth"):
        kde(x, y, adaptive_k=5, cell_size=25.0, mode="fast")


def test_unknown_options_are_refused():
    x, y = np.array([0.0, 100.0]), np.array([0.0, 100.0])
    with pytest.raises(ValueError, match="kernel"):
        kde(x, y, bandwidth=100.0, cell_size=10.0, kernel="cosine")
    with pytest.raises(ValueError, match="output"):
        kde(x, y, bandwidth=100.0, cell_size=10.0, output="probability")
    with pytest.raises(ValueError, match="weights"):
        kde(x, y, bandwidth=100.0, cell_size=10.0, weights=np.array([1.0, -1.0]))


def test_abramson_adaptive_bandwidths():
    rng = np.random.default_rng(16)
    dense = rng.normal(1000, 60, (400, 2))
    sparse = rng.uniform(0, 4000, (60, 2))
    pts = np.vstack([dense, sparse])
    res = kde(pts[:, 0], pts[:, 1], adaptive="abramson", bandwidth=300.0, cell_size=20.0)
    hs = res.bandwidths
    assert res.bandwidth_rule == "adaptive-abramson" and hs.shape == (460,)
    assert np.median(hs[:400]) < 300.0 < np.median(hs[400:])
    assert hs.min() >= 20.0 and hs.max() <= 5 * 300.0
    assert res.values.sum() * res.grid.cell_area / 1e6 == pytest.approx(460, rel=0.02)
    assert any("Abramson" in r for r in res.rules)
    # the surface is the exact sum with those bandwidths
    small = GridSpec(900.0, 900.0, 20.0, 10, 10)
    r2 = kde(pts[:, 0], pts[:, 1], adaptive="abramson", bandwidth=300.0, grid=small)
    ref = brute_force(pts[:, 0], pts[:, 1], small, "quartic", r2.bandwidths)
    np.testing.assert_allclose(r2.values, ref, rtol=1e-9)
    with pytest.raises(ValueError, match="adaptive_k"):
        kde(pts[:, 0], pts[:, 1], adaptive="knn", cell_size=20.0)


@pytest.mark.parametrize("mode", ["exact", "fast"])
def test_incidents_outside_a_given_grid_still_reach_it(mode):
    rng = np.random.default_rng(17)
    x, y = rng.uniform(0, 2000, 300), rng.uniform(0, 2000, 300)
    small = GridSpec(800.0, 700.0, 25.0, 16, 20)  # 400 x 500 m window in the middle
    res = kde(x, y, bandwidth=200.0, grid=small, mode=mode)
    ref = brute_force(x, y, small, "quartic", 200.0)
    if mode == "exact":
        np.testing.assert_allclose(res.values, ref, rtol=1e-9)
    else:
        assert np.abs(res.values - ref).max() <= 0.005 * ref.max()
