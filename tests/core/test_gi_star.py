"""Gi* against esda's G_Local on identical weights, planted hot spots, FDR, permutations."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from hotspot_desktop.core.analysis.fdr import benjamini_hochberg, bh_significant
from hotspot_desktop.core.analysis.getis_ord import (
    CLASS_LABELS,
    confidence_classes,
    gi_star,
    gi_star_grid,
    two_sided_p,
)
from hotspot_desktop.core.analysis.weights import grid_contiguity, grid_distance_band, polygon_contiguity
from hotspot_desktop.core.io.report import Cancelled

esda = pytest.importorskip("esda")
libpysal = pytest.importorskip("libpysal")
from esda.getisord import G_Local  # noqa: E402
from libpysal.weights import DistanceBand, lat2W, w_subset  # noqa: E402
from libpysal.weights.util import fill_diagonal  # noqa: E402


def _esda_zs(y: np.ndarray, w) -> np.ndarray:
    """esda Gi* with binary weights and self-weight 1 on the diagonal, analytic only."""
    w = fill_diagonal(w, 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return G_Local(y, w, star=True, transform="B", permutations=0).Zs


@pytest.fixture
def counts() -> np.ndarray:
    return np.random.default_rng(42).poisson(1.5, size=(20, 20)).astype(np.float64)


@pytest.mark.parametrize("kind", ["rook", "queen"])
def test_grid_contiguity_matches_esda(counts, kind):
    ours = gi_star_grid(counts, grid_contiguity(kind))
    # lat2W numbers cells row by row, as our row-major ravel does
    w = lat2W(20, 20, rook=(kind == "rook"))
    np.testing.assert_allclose(ours.z.ravel(), _esda_zs(counts.ravel(), w), rtol=0, atol=1e-9)


@pytest.mark.parametrize("distance", [10.0, 25.0, 42.0])
def test_grid_distance_band_matches_esda(counts, distance):
    cell = 10.0
    ours = gi_star_grid(counts, grid_distance_band(distance, cell))
    rr, cc = np.mgrid[0:20, 0:20]
    centres = np.column_stack([(cc.ravel() + 0.5) * cell, (rr.ravel() + 0.5) * cell])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = DistanceBand(centres, threshold=distance, binary=True, silence_warnings=True)
    np.testing.assert_allclose(ours.z.ravel(), _esda_zs(counts.ravel(), w), rtol=0, atol=1e-9)


def test_large_band_fft_path_equals_sparse_matrix():
    counts = np.random.default_rng(3).poisson(3, size=(40, 50)).astype(np.float64)
    stencil = grid_distance_band(75.0, 10.0)  # 15x15 kernel: FFT path
    assert stencil.kernel.size >= 121
    ours = gi_star_grid(counts, stencil)
    w = stencil.to_sparse(counts.shape)
    via_matrix = gi_star(counts.ravel(), w)
    np.testing.assert_allclose(ours.z.ravel(), via_matrix.z, atol=1e-9)


def test_study_area_mask_matches_esda_on_subset(counts):
    mask = np.ones_like(counts, dtype=bool)
    mask[:6, :7] = False  # an L-shaped city
    mask[15:, 12:] = False
    counts = counts.copy()
    counts[~mask] = 1000.0  # values outside the area must not leak into any sum
    ours = gi_star_grid(counts, grid_contiguity("queen"), study_area=mask)
    assert np.isnan(ours.z[~mask]).all()
    assert ours.n == int(mask.sum())
    full = lat2W(20, 20, rook=False)
    keep = [i for i in full.id_order if mask.ravel()[i]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sub = w_subset(full, keep)
    np.testing.assert_allclose(ours.z[mask], _esda_zs(counts.ravel()[keep], sub), atol=1e-9)


def test_nan_counts_are_outside_the_area(counts):
    counts = counts.copy()
    counts[0, :] = np.nan
    mask = np.ones_like(counts, dtype=bool)
    mask[0, :] = False
    a = gi_star_grid(counts, grid_contiguity("rook"))
    b = gi_star_grid(np.nan_to_num(counts), grid_contiguity("rook"), study_area=mask)
    np.testing.assert_array_equal(a.z, b.z)


def test_planted_block_is_hot_at_99_percent():
    rng = np.random.default_rng(7)
    grid = rng.poisson(1.0, size=(30, 30)).astype(np.float64)
    grid[12:16, 20:24] += 8
    res = gi_star_grid(grid, grid_contiguity("queen"), fdr=True)
    assert (res.classes[12:16, 20:24] == 3).all()
    assert res.labels[13, 21] == CLASS_LABELS[3]
    # away from the block nothing is a 99% hot spot
    far = np.ones_like(grid, dtype=bool)
    far[9:19, 17:27] = False
    assert not (res.classes[far] == 3).any()


def _square_polygons(nx: int, ny: int, size: float = 100.0) -> gpd.GeoDataFrame:
    geoms = [box(i * size, j * size, (i + 1) * size, (j + 1) * size) for j in range(ny) for i in range(nx)]
    return gpd.GeoDataFrame(geometry=geoms, crs="EPSG:32630")


def _beats() -> gpd.GeoDataFrame:
    """Irregular beats: a Voronoi tessellation of random points clipped to a square."""
    from shapely import voronoi_polygons
    from shapely.geometry import MultiPoint

    rng = np.random.default_rng(5)
    pts = MultiPoint(rng.uniform(0, 1000, size=(40, 2)).tolist())
    frame = box(0, 0, 1000, 1000)
    cells = [g.intersection(frame) for g in voronoi_polygons(pts, extend_to=frame).geoms]
    return gpd.GeoDataFrame({"count": rng.poisson(5, len(cells))}, geometry=cells, crs="EPSG:32630")


@pytest.mark.parametrize("kind", ["queen", "rook"])
def test_polygons_match_libpysal_and_esda(kind):
    from libpysal.weights import Queen, Rook

    gdf = _beats()
    ours_w = polygon_contiguity(gdf, kind)
    ref = (Queen if kind == "queen" else Rook).from_dataframe(gdf, use_index=False, silence_warnings=True)
    ref_dense = ref.full()[0]
    np.testing.assert_array_equal(ours_w.matrix.toarray(), ref_dense)
    y = gdf["count"].to_numpy(dtype=float)
    np.testing.assert_allclose(gi_star(y, ours_w).z, _esda_zs(y, ref), atol=1e-9)


def test_square_polygons_equal_grid_version():
    gdf = _square_polygons(8, 6)
    y = np.random.default_rng(0).poisson(4, size=48).astype(float)
    w = polygon_contiguity(gdf, "rook")
    grid = gi_star_grid(y.reshape(6, 8), grid_contiguity("rook"))
    np.testing.assert_allclose(gi_star(y, w).z, grid.z.ravel(), atol=1e-12)


def test_constant_input_is_a_clear_error():
    with pytest.raises(ValueError, match="all values are equal"):
        gi_star_grid(np.full((10, 10), 3.0), grid_contiguity("queen"))
    with pytest.raises(ValueError, match="all values are equal"):
        gi_star(np.zeros(48), polygon_contiguity(_square_polygons(8, 6)))


def test_missing_self_weight_is_refused(counts):
    with pytest.raises(ValueError, match="include_self"):
        gi_star_grid(counts, grid_contiguity("queen", include_self=False))


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(0, 30), min_size=24, max_size=24).filter(lambda v: len(set(v)) > 1),
       st.randoms(use_true_random=False))
def test_polygon_order_permutation_permutes_output(values, rnd):
    gdf = _square_polygons(6, 4)
    y = np.array(values, dtype=float)
    order = list(range(24))
    rnd.shuffle(order)
    base = gi_star(y, polygon_contiguity(gdf))
    shuffled = gi_star(y[order], polygon_contiguity(gdf.iloc[order].reset_index(drop=True)))
    np.testing.assert_allclose(shuffled.z, base.z[order], atol=1e-12)
    np.testing.assert_array_equal(shuffled.classes, base.classes[order])
    assert np.isfinite(base.z).all()


def test_permutation_pvalues_are_seeded_and_agree_with_esda(counts):
    stencil = grid_contiguity("queen")
    a = gi_star_grid(counts, stencil, permutations=199, seed=11)
    b = gi_star_grid(counts, stencil, permutations=199, seed=11)
    np.testing.assert_array_equal(a.p_sim, b.p_sim)
    assert a.inference == "permutation" and a.seed == 11
    w = fill_diagonal(lat2W(20, 20, rook=False), 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = G_Local(counts.ravel(), w, star=True, transform="B", permutations=999, seed=3)
    ours = gi_star_grid(counts, stencil, permutations=999, seed=5).p_sim.ravel()
    # independent random streams: the pseudo p-values agree up to Monte Carlo noise
    assert np.corrcoef(ours, ref.p_sim)[0, 1] > 0.95
    assert np.median(np.abs(ours - ref.p_sim)) < 0.03
    # strong analytic hot spots are strong under permutation too
    strong = np.abs(a.z.ravel()) > 2.5
    assert strong.any() and (ours[strong] < 0.05).all()


def test_classes_follow_arcgis_bins():
    z = np.array([3.0, -2.0, 1.7, -1.0, np.nan, 2.6])
    p = two_sided_p(z)
    np.testing.assert_allclose(p[:4], 2 * scipy.stats.norm.sf(np.abs(z[:4])))
    np.testing.assert_array_equal(confidence_classes(z, p), [3, -2, 1, 0, 0, 3])


def test_benjamini_hochberg_matches_scipy():
    p = np.random.default_rng(2).uniform(0, 0.2, size=200) ** 2
    np.testing.assert_allclose(benjamini_hochberg(p), scipy.stats.false_discovery_control(p), rtol=1e-12)
    with_nan = np.concatenate([p, [np.nan]])
    q = benjamini_hochberg(with_nan)
    assert np.isnan(q[-1])
    np.testing.assert_allclose(q[:-1], scipy.stats.false_discovery_control(p), rtol=1e-12)
    sig = bh_significant(p, 0.05)
    assert sig.sum() == (scipy.stats.false_discovery_control(p) <= 0.05).sum()


def test_fdr_is_never_more_liberal(counts):
    plain = gi_star_grid(counts, grid_contiguity("queen"))
    fdr = gi_star_grid(counts, grid_contiguity("queen"), fdr=True)
    assert (np.abs(fdr.classes) <= np.abs(plain.classes)).all()
    assert (fdr.p_fdr >= plain.p - 1e-15).all()
    np.testing.assert_array_equal(plain.p_fdr, fdr.p_fdr)  # lazily computed on the plain result


def test_progress_and_cancel(counts):
    seen: list[float] = []
    gi_star_grid(counts, grid_contiguity("rook"), progress=lambda f, s: seen.append(f))
    assert seen[-1] == 1.0 and seen == sorted(seen)
    with pytest.raises(Cancelled):
        gi_star_grid(counts, grid_contiguity("rook"), cancelled=lambda: True)


def test_result_is_read_only(counts):
    res = gi_star_grid(counts, grid_contiguity("rook"))
    with pytest.raises(ValueError):
        res.z[0, 0] = 1.0


def test_islands_are_counted():
    grid = np.arange(36, dtype=float).reshape(6, 6)
    mask = np.zeros((6, 6), dtype=bool)
    mask[:3, :3] = True
    mask[5, 5] = True  # a lone cell cut off from the rest of the area
    res = gi_star_grid(grid, grid_contiguity("rook"), study_area=mask)
    assert res.islands == 1
    gdf = _square_polygons(3, 1)
    gdf.loc[3, "geometry"] = box(1000, 1000, 1100, 1100)
    res = gi_star(np.array([1.0, 2.0, 3.0, 9.0]), polygon_contiguity(gdf))
    assert res.islands == 1
    # an island's Gi* is its own z-score
    assert res.z[3] == pytest.approx((9 - 3.75) / np.std([1, 2, 3, 9]))


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**31 - 1), st.floats(0.5, 50), st.floats(-100, 100), st.sampled_from(["rook", "queen"]))
def test_grid_gi_is_invariant_to_affine_rescaling_and_transposes(seed, scale, shift, kind):
    grid = np.random.default_rng(seed).poisson(2, size=(9, 7)).astype(float)
    if np.ptp(grid) == 0:
        grid[0, 0] += 1
    stencil = grid_contiguity(kind)
    base = gi_star_grid(grid, stencil).z
    np.testing.assert_allclose(gi_star_grid(grid * scale + shift, stencil).z, base, atol=1e-8)
    np.testing.assert_allclose(gi_star_grid(grid.T, stencil).z, base.T, atol=1e-12)


@settings(max_examples=20, deadline=None)
@given(st.floats(-1e6, 1e6, allow_nan=False), st.integers(3, 12), st.integers(3, 12))
def test_any_constant_grid_raises_instead_of_nan_maps(value, rows, cols):
    with pytest.raises(ValueError, match="all values are equal"):
        gi_star_grid(np.full((rows, cols), value), grid_contiguity("queen"))
