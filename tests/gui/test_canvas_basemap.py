"""Offline basemaps drawn in place: a world-file image and MBTiles tiles."""

from __future__ import annotations

import numpy as np
from PIL import Image

from hotspot_desktop.core.basemap_layers import WEB_MERCATOR, ImageLayer, TileLayer
from hotspot_desktop.core.io.basemap import MERCATOR_HALF
from hotspot_desktop.core.model import Project
from tests.core.test_basemap import make_mbtiles, png_bytes
from tests.gui.test_canvas_helpers import close, rgb_at, show_canvas, snapshot


def test_world_file_image_lands_on_its_corners(qtbot, tmp_path):
    rgba = np.zeros((2, 2, 4), dtype=np.uint8)
    rgba[..., 3] = 255
    rgba[0, 0, :3] = (255, 0, 0)  # north-west
    rgba[0, 1, :3] = (0, 255, 0)  # north-east
    rgba[1, 0, :3] = (0, 0, 255)  # south-west
    rgba[1, 1, :3] = (0, 0, 0)  # south-east
    Image.fromarray(rgba).save(tmp_path / "quad.png")
    (tmp_path / "quad.pgw").write_text("500\n0\n0\n-500\n250\n750\n")  # covers 0..1000 both ways
    p = Project()
    p.layers.append(ImageLayer.from_file(tmp_path / "quad.png"))
    canvas = show_canvas(qtbot, p, (-100, -100, 1100, 1100))
    img = snapshot(canvas)
    assert close(rgb_at(canvas, img, 200, 800), (255, 0, 0), 30)
    assert close(rgb_at(canvas, img, 800, 800), (0, 255, 0), 30)
    assert close(rgb_at(canvas, img, 200, 200), (0, 0, 255), 30)
    assert close(rgb_at(canvas, img, 800, 200), (0, 0, 0), 30)
    assert close(rgb_at(canvas, img, 1050, 500), (255, 255, 255), 5)


def test_mbtiles_tiles_are_placed_by_their_mercator_bounds(qtbot, tmp_path):
    path = tmp_path / "world.mbtiles"
    colours = {(1, 0, 0): (255, 0, 0), (1, 1, 0): (0, 255, 0), (1, 0, 1): (0, 0, 255), (1, 1, 1): (0, 0, 0)}
    make_mbtiles(path, {k: png_bytes(c, size=(256, 256)) for k, c in colours.items()})
    p = Project(WEB_MERCATOR)
    layer = TileLayer("world", path, WEB_MERCATOR)
    p.layers.append(layer)
    h = MERCATOR_HALF
    canvas = show_canvas(qtbot, p, (-h, -h, h, h))
    img = snapshot(canvas)
    assert canvas.item(layer).zoom == 1
    q = h / 2
    assert close(rgb_at(canvas, img, -q, q), (255, 0, 0), 30)  # XYZ (0, 0) is north-west
    assert close(rgb_at(canvas, img, q, q), (0, 255, 0), 30)
    assert close(rgb_at(canvas, img, -q, -q), (0, 0, 255), 30)
    assert close(rgb_at(canvas, img, q, -q), (0, 0, 0), 30)


def test_mbtiles_tile_lands_on_its_place_in_a_utm_working_crs(qtbot, tmp_path):
    from hotspot_desktop.core.crs import transform_xy, utm_crs_for
    from hotspot_desktop.core.io.basemap import tile_bounds_3857

    z, x, y = 14, 8186, 5448  # central London
    path = tmp_path / "london.mbtiles"
    make_mbtiles(path, {(z, x, y): png_bytes((255, 0, 0), size=(256, 256))})
    crs = utm_crs_for(-0.1, 51.5)
    p = Project(crs)
    layer = TileLayer("london", path, crs)
    p.layers.append(layer)
    bx0, by0, bx1, by1 = tile_bounds_3857(z, x, y)
    cx, cy = transform_xy(np.array([bx0, bx1, (bx0 + bx1) / 2]), np.array([by0, by1, (by0 + by1) / 2]),
                          WEB_MERCATOR, crs)
    tx0, tx1, mx = cx
    ty0, ty1, my = cy
    w = tx1 - tx0
    canvas = show_canvas(qtbot, p, (tx0 - w, ty0 - w, tx1 + w, ty1 + w))
    img = snapshot(canvas)
    assert canvas.item(layer).zoom == 14
    assert close(rgb_at(canvas, img, mx, my), (255, 0, 0), 30)  # the tile's centre
    assert close(rgb_at(canvas, img, tx0 + 0.1 * w, ty1 - 0.1 * w), (255, 0, 0), 30)  # inside its corner
    assert close(rgb_at(canvas, img, tx1 + 0.5 * w, my), (255, 255, 255), 5)  # east of it: no tile
