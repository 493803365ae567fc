"""Offline basemaps load through the same front door as data files and reopen with a project."""

from __future__ import annotations

import pytest
from pyproj import CRS

from hotspot_desktop.core.basemap_layers import ImageLayer, TileLayer
from hotspot_desktop.core.io.loaders import add_file_to_project, load_file
from hotspot_desktop.core.io.project_io import open_project, save_project
from hotspot_desktop.core.io.vector import CrsRequired
from hotspot_desktop.core.model import Project
from tests.core.test_basemap import make_mbtiles, png_bytes

UTM = CRS.from_epsg(32630)


def _image(tmp_path):
    path = tmp_path / "aerial.png"
    path.write_bytes(png_bytes((200, 10, 10), size=(20, 10)))
    # 10 m pixels, upper-left pixel centre at (600005, 5700095) in UTM 30N
    (tmp_path / "aerial.pgw").write_text("10\n0\n0\n-10\n600005\n5700095\n")
    return path


def test_world_file_image_and_mbtiles_load_and_reopen(tmp_path):
    img = _image(tmp_path)
    with pytest.raises(CrsRequired):
        load_file(img)  # a world file carries no CRS: the GUI asks
    project = Project()
    layer, report = add_file_to_project(project, img, crs="EPSG:32630")
    assert isinstance(layer, ImageLayer) and report.rows_kept == 1 and project.working_crs == UTM
    assert layer.extent() == pytest.approx((600000, 5700000, 600200, 5700100))  # 20 x 10 pixels of 10 m
    tiles = tmp_path / "city.mbtiles"
    make_mbtiles(tiles, {(12, 2047, 1362): png_bytes((0, 255, 0))}, bounds="-0.2,51.45,0.0,51.55")
    tl, _ = add_file_to_project(project, tiles)
    assert isinstance(tl, TileLayer) and tl.tiles.zoom_levels() == [12]
    path = tmp_path / "p.hsproj"
    save_project(project, path)
    reopened, _, warnings = open_project(path)
    assert warnings == []
    assert [lyr.kind for lyr in reopened.layers] == ["image", "tiles"]
    assert reopened.layers[0].extent() == pytest.approx(layer.extent())
