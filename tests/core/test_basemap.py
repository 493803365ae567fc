"""Offline basemap readers on tiny files made here: world files, images, MBTiles."""

from __future__ import annotations

import io
import sqlite3

import numpy as np
import pytest
from PIL import Image

from hotspot_desktop.core.basemap_layers import (
    ImageLayer,
    TileLayer,
    quiet_streets_style,
)
from hotspot_desktop.core.crs import utm_crs_for
from hotspot_desktop.core.io.basemap import (
    MERCATOR_HALF,
    MBTiles,
    choose_zoom,
    read_georeferenced_image,
    read_world_file,
    resolution,
    tile_bounds_3857,
    tiles_covering,
    tms_row,
    world_file_for,
)


def png_bytes(color, size=(4, 4), fmt="PNG") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, fmt)
    return buf.getvalue()


def make_mbtiles(path, tiles: dict, bounds: str | None = None, fmt: str = "png") -> None:
    """``tiles``: {(z, x, y_xyz): bytes}."""
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE metadata (name text, value text)")
    con.execute("CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer, tile_data blob)")
    meta = [("name", "test"), ("format", fmt)] + ([("bounds", bounds)] if bounds else [])
    con.executemany("INSERT INTO metadata VALUES (?, ?)", meta)
    for (z, x, y), data in tiles.items():
        con.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)", (z, x, (1 << z) - 1 - y, data))
    con.commit()
    con.close()


def test_world_file_parsing_and_corners(tmp_path):
    img = tmp_path / "map.png"
    Image.new("RGBA", (4, 2), (10, 20, 30, 255)).save(img)
    (tmp_path / "map.pgw").write_text("10\n0\n0\n-10\n1005\n2995\n")
    assert world_file_for(img) == tmp_path / "map.pgw"
    wf = read_world_file(tmp_path / "map.pgw")
    assert wf.pixel_to_map(0, 0) == (1005.0, 2995.0)
    corners = wf.corners(4, 2)
    np.testing.assert_allclose(corners, [[1000, 3000], [1040, 3000], [1040, 2980], [1000, 2980]])
    geo = read_georeferenced_image(img)
    assert geo.rgba.shape == (2, 4, 4) and tuple(geo.rgba[0, 0]) == (10, 20, 30, 255)
    layer = ImageLayer.from_file(img)
    assert layer.extent() == (1000.0, 2980.0, 1040.0, 3000.0) and len(layer) == 8


def test_jpeg_with_wld_and_missing_world_file(tmp_path):
    img = tmp_path / "photo.jpg"
    Image.new("RGB", (8, 8), (200, 0, 0)).save(img)
    with pytest.raises(FileNotFoundError):
        read_georeferenced_image(img)
    (tmp_path / "photo.wld").write_text("1 0 0 -1 0.5 7.5")
    geo = read_georeferenced_image(img)
    assert geo.rgba.shape == (8, 8, 4) and geo.rgba[4, 4, 0] > 180
    (tmp_path / "bad.pgw").write_text("1 2 3")
    with pytest.raises(ValueError):
        read_world_file(tmp_path / "bad.pgw")


def test_tile_arithmetic():
    assert tile_bounds_3857(0, 0, 0) == pytest.approx((-MERCATOR_HALF, -MERCATOR_HALF, MERCATOR_HALF, MERCATOR_HALF))
    # XYZ row 0 is the northern row.
    xmin, ymin, _xmax, _ymax = tile_bounds_3857(1, 0, 0)
    assert xmin == pytest.approx(-MERCATOR_HALF) and ymin == pytest.approx(0.0)
    assert tms_row(1, 0) == 1 and tms_row(3, 2) == 5
    assert tiles_covering((-1.0, -1.0, 1.0, 1.0), 1) == [(0, 0), (1, 0), (0, 1), (1, 1)]
    assert tiles_covering(tile_bounds_3857(5, 7, 9), 5)[0] == (7, 9)
    assert resolution(0) == pytest.approx(156543.03392804097)
    assert choose_zoom(resolution(10) * 1.5, list(range(15))) == 10
    assert choose_zoom(resolution(10), [3, 10, 12]) == 10
    assert choose_zoom(0.001, [3, 10, 12]) == 12
    with pytest.raises(ValueError):
        choose_zoom(1.0, [])


def test_mbtiles_reader_flips_tms_rows(tmp_path):
    path = tmp_path / "basemap.mbtiles"
    north, south = png_bytes((255, 0, 0)), png_bytes((0, 0, 255))
    make_mbtiles(path, {(1, 0, 0): north, (1, 0, 1): south}, bounds="-180,-85,0,85")
    mb = MBTiles(path)
    assert mb.zoom_levels() == [1]
    assert mb.format == "png" and mb.metadata()["name"] == "test"
    assert mb.bounds_lonlat() == (-180.0, -85.0, 0.0, 85.0)
    assert mb.tile(1, 0, 0) == north and mb.tile(1, 0, 1) == south
    assert mb.tile(1, 1, 0) is None
    mb.close()
    with pytest.raises(FileNotFoundError):
        MBTiles(tmp_path / "missing.mbtiles")


def test_tile_layer_extent_in_working_crs(tmp_path):
    path = tmp_path / "city.mbtiles"
    make_mbtiles(path, {(12, 2047, 1362): png_bytes((0, 255, 0))}, bounds="-0.2,51.45,0.0,51.55")
    crs = utm_crs_for(-0.1, 51.5)
    layer = TileLayer("streets", path, crs)
    xmin, ymin, xmax, ymax = layer.extent()
    assert 680_000 < xmin < xmax < 710_000 and 5_700_000 < ymin < ymax < 5_720_000
    assert layer.kind == "tiles" and len(layer) == 1
    assert quiet_streets_style().symbol.outline.startswith("#b8")


def test_image_in_another_crs_has_its_corners_reprojected(tmp_path):
    from pyproj import CRS

    img = tmp_path / "lonlat.png"
    Image.new("RGB", (10, 10), (1, 2, 3)).save(img)
    (tmp_path / "lonlat.pgw").write_text("0.001\n0\n0\n-0.001\n-0.1995\n51.5095\n")  # 0.01° square
    crs = utm_crs_for(-0.195, 51.505)
    layer = ImageLayer.from_file(img, working_crs=crs, image_crs=CRS.from_epsg(4326))
    xmin, ymin, xmax, ymax = layer.extent()
    assert 690_000 < xmin < xmax < 700_000 and 5_705_000 < ymin < ymax < 5_715_000
    # 0.01° is ~693 m of longitude and ~1,113 m of latitude here; grid convergence tilts the
    # square a little, so its bounding box is slightly larger.
    assert 680 < xmax - xmin < 760 and 1_100 < ymax - ymin < 1_160
