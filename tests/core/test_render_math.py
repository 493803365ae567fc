"""Qt-free canvas arithmetic: scale, binning, density colours, heat maps, rasters, history."""

from __future__ import annotations

import numpy as np
import pytest

from hotspot_desktop.core import render_math as rm
from hotspot_desktop.core.styles import HeatmapSettings, RasterSettings


def test_scale_denominator_at_96_dpi():
    # 96 px per inch: one pixel is 0.2646 mm, so 1 m per pixel is 1:3780.
    assert rm.scale_denominator(1.0) == pytest.approx(3779.5276, rel=1e-6)
    assert rm.metres_per_pixel_for_scale(rm.scale_denominator(2.5, 120), 120) == pytest.approx(2.5)
    v = rm.ViewState((0.0, 0.0, 1000.0, 500.0), 500, 250)
    assert v.metres_per_pixel == 2.0
    assert v.scale_denominator() == pytest.approx(rm.scale_denominator(2.0))


def test_fit_extent_keeps_square_pixels():
    e = rm.fit_extent((0, 0, 100, 10), 200, 200, pad=0.0)
    assert (e[2] - e[0]) / 200 == pytest.approx((e[3] - e[1]) / 200)
    assert e[0] <= 0 and e[2] >= 100


def test_bin_counts_row_zero_is_south_and_outside_points_drop():
    x = np.array([0.5, 9.5, 9.5, 20.0])
    y = np.array([0.5, 9.5, 9.5, 5.0])
    c = rm.bin_counts(x, y, (0, 0, 10, 10), 10, 10)
    assert c.sum() == 3 and c[0, 0] == 1 and c[9, 9] == 2


def test_use_density_threshold():
    assert not rm.use_density(10, 10)
    assert rm.use_density(11, 10)


def test_density_alpha_composites_like_overlapping_markers():
    counts = np.zeros((5, 5))
    counts[2, 2] = 3
    img = rm.density_rgba_single(counts, "#ff000080", marker_px=1)
    a = 0x80 / 255
    assert img[2, 2, 3] == round((1 - (1 - a) ** 3) * 255)
    assert img[0, 0, 3] == 0 and tuple(img[2, 2, :3]) == (255, 0, 0)
    spread = rm.density_rgba_single(counts, "#ff000080", marker_px=3)
    assert (spread[..., 3] > 0).sum() == 9


def test_density_classes_dominant_colour_and_footprint():
    a = np.zeros((5, 5))
    b = np.zeros((5, 5))
    a[1, 1], b[1, 1] = 1, 4
    a[3, 3] = 2
    img = rm.density_rgba_classes([a, b], ["#ff0000", "#0000ff"], marker_px=1)
    assert tuple(img[1, 1, :3]) == (0, 0, 255)
    assert tuple(img[3, 3, :3]) == (255, 0, 0)
    assert img[0, 4, 3] == 0
    wide = rm.density_rgba_classes([a, b], ["#ff0000", "#0000ff"], marker_px=3)
    assert tuple(wide[0, 0, :3]) == (0, 0, 255) and wide[0, 0, 3] == 255


def test_quartic_kernel_is_normalised_and_zero_outside_radius():
    k = rm.quartic_kernel(5)
    assert k.sum() == pytest.approx(1.0)
    assert k.shape == (11, 11)
    assert k[5, 5] == k.max() and k[0, 0] == 0
    assert rm.quartic_kernel(0.2).sum() == pytest.approx(1.0)


def test_heatmap_grid_units_and_zoom_invariance():
    rng = np.random.default_rng(0)
    x = rng.normal(5000, 200, 2000)
    y = rng.normal(5000, 200, 2000)
    wide = rm.heatmap_grid(x, y, (0, 0, 10000, 10000), 20.0, 300.0)
    fine = rm.heatmap_grid(x, y, (4500, 4500, 5500, 5500), 2.0, 300.0)
    # Integral over the grid = number of incidents (per km² times km²).
    assert wide.values.sum() * wide.cell**2 / 1e6 == pytest.approx(2000, rel=1e-6)
    assert fine.value_at(5000, 5000) == pytest.approx(wide.value_at(5000, 5000), rel=0.05)
    # The grid is anchored to multiples of its cell, so panning does not shift it.
    assert wide.x0 % wide.cell == pytest.approx(0.0, abs=1e-6)
    # A kernel never wider than HEATMAP_MAX_KERNEL_CELLS cells: deep zooms coarsen the grid.
    assert rm.heatmap_cell(0.01, 480.0) == pytest.approx(480.0 / rm.HEATMAP_MAX_KERNEL_CELLS)


def test_heatmap_rgba_transparency_of_low_values():
    v = np.array([[0.0, 1.0, 50.0, 100.0]])
    s = HeatmapSettings(ramp="YlOrRd", transparent_below=0.02)
    img = rm.heatmap_rgba(v, s, vmax=100.0)
    assert img[0, 0, 3] == 0 and img[0, 1, 3] == 0
    assert img[0, 3, 3] == 255
    assert tuple(img[0, 3, :3]) == tuple(rm.ramp_lut("YlOrRd")[255, :3])


def test_raster_rgba_limits_nan_and_transparent_below():
    v = np.array([[np.nan, -3.0, 0.0, 2.0]])
    s = RasterSettings(ramp="RdBu_r", symmetric=True)
    assert rm.raster_limits(v, s) == (-3.0, 3.0)
    img = rm.raster_rgba(v, s)
    assert img[0, 0, 3] == 0
    lut = rm.ramp_lut("RdBu_r")
    assert tuple(img[0, 1]) == tuple(lut[0]) and tuple(img[0, 2]) == tuple(lut[128])
    img = rm.raster_rgba(v, RasterSettings(ramp="Reds", transparent_below=0.0))
    assert img[0, 1, 3] == 0 and img[0, 2, 3] == 0 and img[0, 3, 3] == 255


def test_view_history_back_forward_and_truncation():
    h = rm.ViewHistory()
    a, b, c = (0, 0, 1, 1), (0, 0, 2, 2), (0, 0, 3, 3)
    assert h.back() is None
    h.push(a)
    h.push(b)
    h.push(b)
    assert h.back() == a and h.back() is None
    assert h.forward() == b and h.forward() is None
    h.back()
    h.push(c)  # new view after going back drops the forward step
    assert not h.can_forward() and h.back() == a


def test_points_near_sorted_by_distance():
    x = np.array([0.0, 3.0, 1.0, 10.0])
    y = np.zeros(4)
    assert list(rm.points_near(x, y, 0.2, 0.0, 4.0)) == [0, 2, 1]


def test_hex_to_rgba():
    assert rm.hex_to_rgba("#ff000080") == (255, 0, 0, 128)
    assert rm.hex_to_rgba("#00ff00") == (0, 255, 0, 255)
    assert rm.hex_to_rgba("black") == (0, 0, 0, 255)


def test_disc_footprint_is_round_and_disc_sum_counts_covering_markers():
    fp = rm.disc_footprint(5)
    assert fp.sum() == 21 and not fp[0, 0] and fp[2, 0] and fp[0, 2]
    assert rm.disc_footprint(3).all()
    grid = np.zeros((9, 9))
    grid[4, 4] = 2
    s = rm.disc_sum(grid, 5)
    assert s[4, 4] == 2 and s[4, 2] == 2 and s[2, 2] == 0 and s[4, 1] == 0


def test_count_index_bounds_bracket_the_exact_count():
    rng = np.random.default_rng(4)
    x, y = rng.uniform(0, 1000, 20000), rng.normal(500, 150, 20000)
    idx = rm.count_index(x, y, bins=64)
    assert idx.bounds((-1e9, -1e9, 1e9, 1e9)) == (20000, 20000)
    for ext in [(100, 100, 400, 700), (0, 0, 1, 1), (333.3, 480.2, 333.9, 481.0), (2000, 0, 3000, 10)]:
        exact = int(((x >= ext[0]) & (x <= ext[2]) & (y >= ext[1]) & (y <= ext[3])).sum())
        lo, hi = idx.bounds(ext)
        assert lo <= exact <= hi


def test_resample_to_view_is_bilinear_between_cell_centres():
    grid = rm.HeatGrid(np.array([[0.0, 10.0], [20.0, 30.0]]), 0.0, 0.0, 10.0)
    same = rm.resample_to_view(grid, rm.ViewState((0.0, 0.0, 20.0, 20.0), 2, 2))
    np.testing.assert_allclose(same, grid.values)
    view = rm.ViewState((0.0, 0.0, 20.0, 20.0), 4, 4)  # pixel centres at 2.5, 7.5, 12.5, 17.5
    out = rm.resample_to_view(grid, view)
    assert out.shape == (4, 4)
    assert out[1, 1] == pytest.approx(7.5)  # a quarter of the way from each cell centre
    assert out[0, 0] == pytest.approx(0.0)  # clamped at the edge
    view2 = rm.ViewState((5.0, 5.0, 15.0, 15.0), 1, 1)
    assert rm.resample_to_view(grid, view2)[0, 0] == pytest.approx(15.0)
