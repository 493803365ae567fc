"""Global and local Moran's I against esda on identical weights."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import box

from hotspot_desktop.core.analysis.moran import QUADRANT_LABELS, global_moran, local_moran, local_moran_grid
from hotspot_desktop.core.analysis.weights import grid_contiguity, polygon_contiguity

esda = pytest.importorskip("esda")
from esda.moran import Moran, Moran_Local  # noqa: E402
from libpysal.weights import Queen, lat2W  # noqa: E402


def _smooth_grid(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    base = rng.poisson(2, size=(20, 20)).astype(float)
    base[5:10, 5:12] += rng.poisson(4, size=(5, 7))
    return base


@pytest.mark.parametrize("rook", [True, False])
@pytest.mark.parametrize("transformation", ["R", "B"])
def test_global_moran_matches_esda(rook, transformation):
    y = _smooth_grid().ravel()
    w = lat2W(20, 20, rook=rook)
    ours = global_moran(y, grid_contiguity("rook" if rook else "queen", include_self=False).to_sparse((20, 20)),
                        transformation=transformation)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = Moran(y, w, transformation=transformation.lower(), permutations=0)
    assert ours.I == pytest.approx(ref.I, abs=1e-12)
    assert ours.expected == pytest.approx(ref.EI, abs=1e-15)
    assert ours.variance == pytest.approx(ref.VI_norm, rel=1e-10)
    assert ours.z == pytest.approx(ref.z_norm, rel=1e-10)
    assert ours.p == pytest.approx(ref.p_norm, rel=1e-8)


def _beats() -> gpd.GeoDataFrame:
    from shapely import voronoi_polygons
    from shapely.geometry import MultiPoint

    rng = np.random.default_rng(12)
    pts = rng.uniform(0, 1000, size=(60, 2))
    frame = box(0, 0, 1000, 1000)
    cells = [g.intersection(frame) for g in voronoi_polygons(MultiPoint(pts.tolist()), extend_to=frame).geoms]
    gdf = gpd.GeoDataFrame(geometry=cells, crs="EPSG:32630")
    c = gdf.geometry.centroid
    # a gradient plus noise gives real autocorrelation
    gdf["rate"] = c.x / 100 + rng.normal(0, 2, len(gdf))
    return gdf


def test_local_moran_matches_esda_on_polygons():
    gdf = _beats()
    y = gdf["rate"].to_numpy()
    ours_w = polygon_contiguity(gdf, "queen")
    ref_w = Queen.from_dataframe(gdf, use_index=False, silence_warnings=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = Moran_Local(y, ref_w, transformation="r", permutations=999, seed=1)
    ours = local_moran(y, ours_w, permutations=999, seed=2)
    np.testing.assert_allclose(ours.Is, ref.Is, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(ours.quadrants, ref.q)
    # independent random streams: agree up to Monte Carlo noise
    assert np.corrcoef(ours.p_sim, ref.p_sim)[0, 1] > 0.95
    assert np.max(np.abs(ours.p_sim - ref.p_sim)) < 0.1  # ~4 SD of the difference at p = 0.5
    assert ((ours.p_sim < 0.05) == (ref.p_sim < 0.05)).mean() > 0.9


def test_local_moran_grid_matches_esda_and_finds_cluster():
    y = _smooth_grid(3)
    ours = local_moran_grid(y, grid_contiguity("queen"), permutations=499, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = Moran_Local(y.ravel(), lat2W(20, 20, rook=False), transformation="r", permutations=0)
    np.testing.assert_allclose(ours.Is.ravel(), ref.Is, atol=1e-12)
    np.testing.assert_array_equal(ours.quadrants.ravel(), ref.q)
    assert (ours.clusters[6:9, 6:11] == 1).mean() > 0.8  # the raised block is High-High
    assert ours.labels[7, 8] == QUADRANT_LABELS[1]


def test_local_moran_is_seeded():
    gdf = _beats()
    w = polygon_contiguity(gdf, "rook")
    a = local_moran(gdf["rate"], w, permutations=99, seed=5)
    b = local_moran(gdf["rate"], w, permutations=99, seed=5)
    np.testing.assert_array_equal(a.p_sim, b.p_sim)


def test_masked_grid_returns_nan_outside():
    y = _smooth_grid()
    mask = np.ones_like(y, dtype=bool)
    mask[:, :3] = False
    res = local_moran_grid(y, grid_contiguity("rook"), study_area=mask, permutations=0)
    assert np.isnan(res.Is[:, :3]).all() and np.isfinite(res.Is[:, 3:]).all()
    assert (res.clusters == 0).all() and res.p_sim is None


def test_constant_input_is_a_clear_error():
    w = grid_contiguity("rook", include_self=False).to_sparse((5, 5))
    with pytest.raises(ValueError, match="all values are equal"):
        global_moran(np.ones(25), w)
    with pytest.raises(ValueError, match="all values are equal"):
        local_moran(np.full(25, 2.0), w)


def test_polygon_order_permutation_permutes_local_moran():
    gdf = _beats()
    order = np.random.default_rng(4).permutation(len(gdf))
    y = gdf["rate"].to_numpy()
    a = local_moran(y, polygon_contiguity(gdf, "queen"), permutations=0)
    b = local_moran(y[order], polygon_contiguity(gdf.iloc[order].reset_index(drop=True), "queen"), permutations=0)
    np.testing.assert_allclose(b.Is, a.Is[order], atol=1e-12)
    np.testing.assert_array_equal(b.quadrants, a.quadrants[order])
    ga = global_moran(y, polygon_contiguity(gdf, "queen"))
    gb = global_moran(y[order], polygon_contiguity(gdf.iloc[order].reset_index(drop=True), "queen"))
    assert ga.I == pytest.approx(gb.I, abs=1e-12) and ga.z == pytest.approx(gb.z, abs=1e-10)


@pytest.mark.parametrize("transformation", ["R", "B"])
@pytest.mark.parametrize("kind", ["rook", "queen", "band"])
def test_grid_stencil_moran_equals_matrix_moran(transformation, kind):
    from hotspot_desktop.core.analysis.moran import global_moran_grid
    from hotspot_desktop.core.analysis.weights import grid_distance_band

    y = _smooth_grid(8)
    mask = np.ones_like(y, dtype=bool)
    mask[:4, :5] = False
    mask[12, 12] = False
    mask[18, 0] = mask[19, 1] = mask[18, 1] = False  # the corner cell (19, 0) becomes an island
    stencil = grid_distance_band(25.0, 10.0) if kind == "band" else grid_contiguity(kind)
    w = stencil.without_self().to_sparse(y.shape, mask)
    ref = global_moran(y[mask], w, transformation=transformation)
    got = global_moran_grid(y, stencil, study_area=mask, transformation=transformation)
    assert got.I == pytest.approx(ref.I, abs=1e-12)
    assert got.variance == pytest.approx(ref.variance, rel=1e-10)
    assert got.z == pytest.approx(ref.z, rel=1e-10)
    loc = local_moran_grid(y, stencil, study_area=mask, transformation=transformation, permutations=0)
    ref_loc = local_moran(y[mask], w, transformation=transformation, permutations=0)
    np.testing.assert_allclose(loc.Is[mask], ref_loc.Is, atol=1e-12)
    np.testing.assert_array_equal(loc.quadrants[mask], ref_loc.quadrants)
