"""Spatial weights for Gi*: grid stencils and polygon contiguity/distance bands vs libpysal."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import box

from hotspot_desktop.core.analysis.weights import (
    grid_contiguity,
    grid_distance_band,
    polygon_contiguity,
    polygon_distance_band,
    row_standardise,
    set_diagonal,
)

libpysal = pytest.importorskip("libpysal")
from libpysal.weights import DistanceBand, lat2W  # noqa: E402


@pytest.mark.parametrize("kind", ["rook", "queen"])
def test_stencil_matrix_equals_lat2w(kind):
    ours = grid_contiguity(kind, include_self=False).to_sparse((7, 9))
    ref = lat2W(7, 9, rook=(kind == "rook")).full()[0]
    np.testing.assert_array_equal(ours.toarray(), ref)


def test_stencil_correlate_counts_edge_neighbours_exactly():
    stencil = grid_contiguity("queen")
    wsum = stencil.correlate(np.ones((5, 6)))
    assert wsum[0, 0] == 4 and wsum[0, 3] == 6 and wsum[2, 3] == 9


def test_distance_band_kernel_and_errors():
    k = grid_distance_band(20.0, 10.0).kernel
    assert k.shape == (5, 5) and k.sum() == 13  # the 13 cells within 2 cells' distance
    assert grid_distance_band(10.0, 10.0).kernel.sum() == 5  # exactly on the band edge counts
    with pytest.raises(ValueError, match="smaller than the cell size"):
        grid_distance_band(5.0, 10.0)


def test_polygon_distance_band_matches_libpysal():
    rng = np.random.default_rng(9)
    xy = rng.uniform(0, 1000, size=(60, 2))
    gdf = gpd.GeoDataFrame(geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs="EPSG:32630")
    ours = polygon_distance_band(gdf, 150.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = DistanceBand(xy, threshold=150.0, binary=True, silence_warnings=True)
    np.testing.assert_array_equal(ours.matrix.toarray(), ref.full()[0])
    assert set(ours.islands) == set(ref.islands)


def test_snapping_tolerance_joins_nearly_touching_beats():
    # two beats digitised with a 0.3 m gap, a third touching the first only at a corner
    a = box(0, 0, 100, 100)
    b = box(100.3, 0, 200, 100)
    c = box(-100, 100, 0, 200)
    far = box(1000, 1000, 1100, 1100)
    gdf = gpd.GeoDataFrame(geometry=[a, b, c, far], crs="EPSG:32630")
    strict = polygon_contiguity(gdf, "rook")
    assert strict.matrix[0, 1] == 0
    snapped = polygon_contiguity(gdf, "rook", tolerance=0.5)
    assert snapped.matrix[0, 1] == 1 and snapped.matrix[0, 2] == 0
    queen = polygon_contiguity(gdf, "queen", tolerance=0.5)
    assert queen.matrix[0, 2] == 1
    assert snapped.islands == (2, 3) and queen.islands == (3,)


def test_geographic_crs_is_refused():
    gdf = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs="EPSG:4326")
    with pytest.raises(ValueError, match="degrees"):
        polygon_distance_band(gdf, 100.0)


def test_row_standardise_and_diagonal():
    w = grid_contiguity("rook", include_self=False).to_sparse((3, 3))
    r = row_standardise(w)
    np.testing.assert_allclose(np.asarray(r.sum(axis=1)).ravel(), 1.0)
    d = set_diagonal(w, 1.0)
    np.testing.assert_array_equal(d.diagonal(), 1.0)
    assert d.nnz == w.nnz + 9


def test_masked_stencil_matrix_drops_outside_cells():
    mask = np.ones((4, 4), dtype=bool)
    mask[0, 0] = False
    m = grid_contiguity("rook", include_self=False).to_sparse((4, 4), mask)
    assert m.shape == (15, 15)
    # the old (0,1) cell, now index 0, lost its western neighbour
    assert m[0].nnz == 2


def test_rook_handles_t_junctions_and_multipolygons():
    from shapely.geometry import MultiPolygon

    a = box(0, 0, 200, 100)  # its top edge is one segment; the two beats above split it
    b = box(0, 100, 100, 200)
    c = box(100, 100, 200, 200)
    d = MultiPolygon([box(300, 0, 400, 100), box(200, 0, 250, 50)])  # second part touches a's east edge
    gdf = gpd.GeoDataFrame(geometry=[a, b, c, d], crs="EPSG:32630")
    rook = polygon_contiguity(gdf, "rook").matrix.toarray()
    assert rook[0, 1] == rook[0, 2] == rook[1, 2] == rook[0, 3] == 1
    assert rook[2, 3] == 0 and rook[1, 3] == 0


def test_stencil_validation_and_immutability():
    from hotspot_desktop.core.analysis.weights import GridStencil

    with pytest.raises(ValueError, match="odd size"):
        GridStencil(np.ones((2, 2)), "bad")
    with pytest.raises(ValueError, match="non-negative"):
        GridStencil(-np.ones((3, 3)), "bad")
    k = np.ones((3, 3))
    s = GridStencil(k, "mine")
    k[1, 1] = 5  # the caller's array is not shared
    assert s.self_weight == 1.0
    with pytest.raises(ValueError):
        s.kernel[0, 0] = 2.0
