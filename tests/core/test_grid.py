"""Analysis grid: robust extent, cell size rule, square and hexagon counts, study-area clipping."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Polygon, box

from hotspot_desktop.core.analysis.grid import (
    GridSpec, default_cell_size, grid_counts, grid_for_extent, hex_side_for, nice_number, robust_extent,
)


def test_gridspec_centres_match_raster_convention():
    g = GridSpec(100.0, 200.0, 10.0, 3, 4)
    xc, yc = g.centres()
    assert xc[0] == 105.0 and yc[0] == 205.0  # row 0 is the southern row
    r, c, inside = g.cell_of(np.array([105.0, 139.9, 140.0]), np.array([205.0, 229.0, 205.0]))
    assert r.tolist()[:2] == [0, 2] and c.tolist()[:2] == [0, 3] and inside.tolist() == [True, True, False]
    assert g.extent == (100.0, 200.0, 140.0, 230.0)
    with pytest.raises(ValueError):
        GridSpec(0, 0, 0.0, 1, 1)


def test_robust_extent_drops_stray_geocodes():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.uniform(530_000, 540_000, 5000), [0.0, 900_000.0]])
    y = np.concatenate([rng.uniform(170_000, 180_000, 5000), [0.0, 170_500.0]])
    ext = robust_extent(x, y)
    assert ext.n_outside == 2
    assert not ext.inside[-2:].any()
    assert 530_000 <= ext.xmin < 530_100 and 539_900 < ext.xmax <= 540_000
    assert "2 of 5,002" in ext.rule


def test_robust_extent_keeps_normal_tails():
    rng = np.random.default_rng(1)
    x, y = rng.normal(0, 1000, 20000), rng.normal(0, 1000, 20000)
    assert robust_extent(x, y).n_outside <= 10


def test_robust_extent_with_study_area():
    x = np.array([1.0, 5.0, 20.0])
    y = np.array([1.0, 5.0, 20.0])
    ext = robust_extent(x, y, box(0, 0, 10, 10))
    assert ext.bounds == (0.0, 0.0, 10.0, 10.0) and ext.n_outside == 1


def test_default_cell_size_rule():
    assert nice_number(37.0) == 25.0 and nice_number(0.9) == 0.5 and nice_number(200.0) == 200.0
    choice = default_cell_size((0, 0, 20_000, 12_500))  # 12,500 / 250 = 50
    assert choice.cell_size == 50.0 and "250" in choice.rule
    assert default_cell_size((0, 0, 100, 100)).cell_size == 5.0  # lower bound
    big = default_cell_size((0, 0, 2_000_000, 2_000_000))
    assert big.cell_size >= 1000.0


def test_grid_for_extent_snaps_and_covers():
    g = grid_for_extent((103.0, 207.0, 180.0, 260.0), 25.0)
    assert g.x0 == 100.0 and g.y0 == 200.0
    assert g.extent[2] > 180.0 and g.extent[3] > 260.0


def test_square_counts_sum_to_n():
    rng = np.random.default_rng(2)
    x, y = rng.uniform(0, 1000, 777), rng.uniform(0, 800, 777)
    res = grid_counts(x, y, cell_size=50.0)
    assert res.counts.sum() == 777 and res.n_counted == 777
    # exact placement: brute-force count of one cell
    g = res.grid
    r, c = 3, 5
    inside = (x >= g.x0 + c * 50) & (x < g.x0 + (c + 1) * 50) & (y >= g.y0 + r * 50) & (y < g.y0 + (r + 1) * 50)
    assert res.counts[r, c] == inside.sum()


def test_square_counts_weights_and_study_area():
    x = np.array([5.0, 15.0, 15.0, 95.0])
    y = np.array([5.0, 5.0, 5.0, 95.0])
    res = grid_counts(x, y, cell_size=10.0, weights=np.array([1.0, 2.0, 3.0, 4.0]), study_area=box(0, 0, 50, 50))
    assert res.counts.sum() == 6.0 and res.n_outside == 1
    assert res.mask.sum() == 25  # 5 x 5 cell centres inside the polygon
    assert res.counts[0, 1] == 5.0


def test_hex_counts_sum_and_areas():
    rng = np.random.default_rng(3)
    x, y = rng.uniform(0, 2000, 3000), rng.uniform(0, 1000, 3000)
    res = grid_counts(x, y, cell_size=100.0, shape="hex")
    assert res.counts.sum() == 3000
    assert np.allclose(res.areas, 100.0 ** 2)
    assert np.allclose(shapely.area(res.polygons), 100.0 ** 2)
    # about area / cell area hexagons are needed to cover the extent (plus a ring at the edges)
    assert 200 <= res.counts.size <= 200 * 1.6
    # each point lies in the hexagon it was counted in: nearest-centre check on a sample
    d2 = (x[:50, None] - res.centre_x[None, :]) ** 2 + (y[:50, None] - res.centre_y[None, :]) ** 2
    nearest = np.argmin(d2, axis=1)
    assert np.bincount(nearest, minlength=res.counts.size).sum() == 50
    tree_hits = shapely.contains_xy(res.polygons[nearest], x[:50], y[:50])
    assert tree_hits.all()
    assert hex_side_for(100.0) == pytest.approx(100.0 * math.sqrt(2 / (3 * math.sqrt(3))))


def test_hex_counts_match_polygon_containment():
    rng = np.random.default_rng(4)
    x, y = rng.uniform(0, 500, 400), rng.uniform(0, 500, 400)
    res = grid_counts(x, y, cell_size=60.0, shape="hex")
    brute = np.array([shapely.contains_xy(p, x, y).sum() for p in res.polygons])
    np.testing.assert_array_equal(brute, res.counts)


def test_hex_clipped_to_study_area():
    rng = np.random.default_rng(5)
    x, y = rng.uniform(0, 1000, 1000), rng.uniform(0, 1000, 1000)
    tri = Polygon([(0, 0), (1000, 0), (0, 1000)])
    res = grid_counts(x, y, cell_size=80.0, shape="hex", study_area=tri)
    assert res.counts.sum() == int((x + y <= 1000).sum())
    assert shapely.area(shapely.union_all(res.polygons)) == pytest.approx(tri.area, rel=1e-6)
    gdf = res.to_geodataframe()
    assert list(gdf.columns[:2]) == ["count", "area_m2"] and len(gdf) == res.counts.size


def test_unknown_shape_and_empty_input():
    with pytest.raises(ValueError):
        grid_counts(np.array([1.0]), np.array([1.0]), cell_size=10.0, shape="triangle")
    with pytest.raises(ValueError):
        grid_counts(np.array([]), np.array([]), cell_size=10.0)


def test_hex_counts_weighted():
    x = np.array([0.0, 1.0, 500.0, 501.0])
    y = np.array([0.0, 1.0, 0.0, 1.0])
    res = grid_counts(x, y, cell_size=100.0, shape="hex", weights=np.array([1.0, 2.0, 3.0, 4.0]))
    assert res.weight_total == 10.0
    assert sorted(res.counts[res.counts > 0].tolist()) == [3.0, 7.0]


def test_study_mask_is_cell_overlap_and_keeps_every_incident():
    rng = np.random.default_rng(6)
    x, y = rng.uniform(0, 1000, 2000), rng.uniform(0, 1000, 2000)
    area = Polygon([(10, 10), (990, 80), (400, 970)])
    res = grid_counts(x, y, cell_size=37.0, study_area=area)
    g = res.grid
    brute = shapely.area(shapely.intersection(g.cell_polygons(), area)).reshape(g.shape) > 0
    np.testing.assert_array_equal(res.mask, brute)
    inside = shapely.contains_xy(area, x, y)
    assert res.counts.sum() == inside.sum() and res.n_outside == (~inside).sum()
    assert res.counts[~res.mask].sum() == 0


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 400), st.floats(5.0, 200.0), st.sampled_from(["square", "hex"]), st.integers(0, 10_000))
def test_counts_always_sum_to_kept_incidents(n, cell, shape, seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-500, 500, n) + 300_000
    y = rng.uniform(-300, 300, n) + 5_000_000
    res = grid_counts(x, y, cell_size=cell, shape=shape)
    assert res.counts.sum() == res.n_counted == n - res.n_outside
    assert (res.counts >= 0).all()
