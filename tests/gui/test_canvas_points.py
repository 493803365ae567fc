"""Level of detail and live heat maps of point layers."""

from __future__ import annotations

import numpy as np
import pytest

from hotspot_desktop.core.model import PointLayer, Project
from hotspot_desktop.core.styles import LayerStyle, Symbol, categorised
from tests.gui.test_canvas_helpers import show_canvas, snapshot


def clustered_points(n: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = rng.uniform(1000, 9000, size=(12, 2))
    k = rng.integers(0, len(centres), n)
    return centres[k, 0] + rng.normal(0, 300, n), centres[k, 1] + rng.normal(0, 300, n)


def occupied(img: np.ndarray) -> np.ndarray:
    return img[..., :3].min(axis=2) < 235


def test_density_image_and_markers_agree_on_where_points_are(qtbot):
    x, y = clustered_points(3000)
    layer = PointLayer("incidents", x, y)
    layer.style = LayerStyle(symbol=Symbol(fill="#d62728cc", outline="#d62728ff", size=5))
    p = Project()
    p.layers.append(layer)
    canvas = show_canvas(qtbot, p, (0, 0, 10000, 10000))
    item = canvas.item(layer)
    item.lod_threshold = 10**9
    item.mark_dirty()
    markers = snapshot(canvas)
    assert item.mode == "markers"
    item.lod_threshold = 0
    item.mark_dirty()
    density = snapshot(canvas)
    assert item.mode == "density"
    a, b = occupied(markers), occupied(density)
    iou = (a & b).sum() / (a | b).sum()
    assert a.sum() > 1000 and iou > 0.8
    # Same hue where both draw: the switch must not change the colour of the layer.
    both = a & b
    ma = markers[both][:, :3].astype(int).mean(axis=0)
    da = density[both][:, :3].astype(int).mean(axis=0)
    assert np.abs(ma - da).max() < 45


def test_lod_switches_with_the_number_of_points_in_view(qtbot):
    x, y = clustered_points(5000)
    layer = PointLayer("incidents", x, y)
    p = Project()
    p.layers.append(layer)
    canvas = show_canvas(qtbot, p, (0, 0, 10000, 10000))
    item = canvas.item(layer)
    item.lod_threshold = 1000
    item.mark_dirty()
    canvas.flush()
    assert item.mode == "density"
    canvas.zoom_to_extent((x[0] - 50, y[0] - 50, x[0] + 50, y[0] + 50), pad=0.0)
    canvas.flush()
    assert item.mode == "markers"


def test_categorised_density_uses_category_colours(qtbot):
    x = np.r_[np.full(500, 2000.0), np.full(500, 8000.0)] + np.tile(np.linspace(-100, 100, 500), 2)
    y = np.full(1000, 5000.0)
    import pandas as pd

    layer = PointLayer("incidents", x, y, pd.DataFrame({"offence": ["a"] * 500 + ["b"] * 500}))
    style = categorised(["a", "b"], "offence")
    style.categories[0].color = "#ff0000"
    style.categories[1].color = "#0000ff"
    layer.style = style
    p = Project()
    p.layers.append(layer)
    canvas = show_canvas(qtbot, p, (0, 0, 10000, 10000))
    item = canvas.item(layer)
    item.lod_threshold = 0
    item.mark_dirty()
    img = snapshot(canvas)
    assert item.mode == "density"
    from tests.gui.test_canvas_helpers import rgb_at

    red, blue = rgb_at(canvas, img, 2000, 5000), rgb_at(canvas, img, 8000, 5000)
    assert red[0] > 200 and red[2] < 60
    assert blue[2] > 200 and blue[0] < 60


def test_heatmap_value_at_a_place_does_not_change_with_zoom(qtbot):
    x, y = clustered_points(4000, seed=3)
    layer = PointLayer("incidents", x, y)
    layer.style = LayerStyle(mode="heatmap")
    layer.style.heatmap.radius_m = 400.0
    p = Project()
    p.layers.append(layer)
    canvas = show_canvas(qtbot, p, (0, 0, 10000, 10000))
    item = canvas.item(layer)
    assert item.mode == "heatmap"
    assert item.heat_reference_max > 0
    probes = [(x[0], y[0]), (x[1] + 150, y[1] - 100), (x[2], y[2] + 200)]
    wide = [item.heat_grid.value_at(*pt) for pt in probes]
    cx, cy = probes[0]
    canvas.zoom_to_extent((cx - 800, cy - 800, cx + 800, cy + 800), pad=0.0)
    canvas.flush()
    close_ = [item.heat_grid.value_at(*probes[0])]
    assert item.heat_grid.cell < 10  # a much finer grid than the wide view's
    assert close_[0] == pytest.approx(wide[0], rel=0.1)
    # Incidents per km²: the kernel integrates to the number of incidents.
    g = item.heat_grid
    canvas.zoom_to_extent((-2000, -2000, 12000, 12000), pad=0.0)
    canvas.flush()
    g = item.heat_grid
    assert g.values.sum() * g.cell**2 / 1e6 == pytest.approx(4000, rel=0.01)
    # Pixels near the densest place are coloured; far away they are transparent (white).
    img = snapshot(canvas)
    from tests.gui.test_canvas_helpers import rgb_at

    r, gg, b = rgb_at(canvas, img, -1500, -1500)
    assert (r, gg, b) == (255, 255, 255)
    assert rgb_at(canvas, img, cx, cy) != (255, 255, 255)
