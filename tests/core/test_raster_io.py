"""ESRI ASCII Grid round trip, the .prj sidecar, orientation, and cell polygons."""

from __future__ import annotations

import numpy as np
import pytest
from pyproj import CRS

from hotspot_desktop.core.io.raster_io import raster_to_cell_polygons, read_asc, write_asc
from hotspot_desktop.core.io.report import LoadError
from hotspot_desktop.core.io.vector import CrsRequired
from hotspot_desktop.core.model import RasterLayer

UTM16 = CRS.from_epsg(32616)


def grid() -> RasterLayer:
    values = np.arange(12, dtype=float).reshape(3, 4) * 1.25  # row 0 = south
    values[1, 2] = np.nan
    layer = RasterLayer("density", values, 440000.0, 4630000.0, 50.0)
    layer.bands["z"] = values * 2
    return layer


def test_asc_round_trip_keeps_values_orientation_and_crs(tmp_path):
    path = write_asc(grid(), tmp_path / "d.asc", UTM16)
    lines = path.read_text().splitlines()
    assert lines[:6] == ["ncols 4", "nrows 3", "xllcorner 440000.0", "yllcorner 4630000.0", "cellsize 50.0",
                         "NODATA_value -9999"]
    assert lines[6].split() == ["10", "11.25", "12.5", "13.75"]  # the northern row comes first
    assert lines[7].split()[2] == "-9999"
    assert CRS.from_wkt(path.with_suffix(".prj").read_text()).to_epsg() == 32616
    layer, rep = read_asc(path, UTM16)
    np.testing.assert_array_equal(layer.values, grid().values)
    assert (layer.x0, layer.y0, layer.cell_size) == (440000.0, 4630000.0, 50.0)
    assert layer.value_at(440010, 4630140) == 10.0  # north-west cell
    assert layer.source.format == "asc" and layer.source_crs.to_epsg() == 32616
    assert rep.to_dict()["detected"] == {"format": "asc", "ncols": 4, "nrows": 3, "cellsize": 50.0,
                                         "crs_source": "file", "crs": "EPSG:32616", "working_crs": "EPSG:32616"}
    assert (rep.rows_read, rep.rows_kept, rep.warnings) == (12, 11, [])


def test_asc_band_and_centre_header(tmp_path):
    write_asc(grid(), tmp_path / "z.asc", UTM16, band="z")
    layer, _ = read_asc(tmp_path / "z.asc", UTM16)
    np.testing.assert_array_equal(layer.values, grid().bands["z"])
    (tmp_path / "c.asc").write_text("ncols 2\nnrows 1\nxllcenter 25\nyllcenter 25\ncellsize 50\n1 2\n")
    layer, rep = read_asc(tmp_path / "c.asc", crs="EPSG:32616")
    assert (layer.x0, layer.y0) == (0.0, 0.0) and layer.values.tolist() == [[1.0, 2.0]]
    assert rep.warnings == ["no .prj file: using the CRS given, EPSG:32616"]
    assert layer.source.options == {"crs": "EPSG:32616"}


def test_asc_without_prj_needs_crs_and_bad_files_fail(tmp_path):
    write_asc(grid(), tmp_path / "n.asc", None)
    with pytest.raises(CrsRequired):
        read_asc(tmp_path / "n.asc")
    (tmp_path / "bad.asc").write_text("ncols 3\nnrows 2\nxllcorner 0\nyllcorner 0\ncellsize 1\n1 2 3\n")
    with pytest.raises(LoadError, match="header says 2 x 3 cells but the file holds 3 values"):
        read_asc(tmp_path / "bad.asc", crs=UTM16)
    (tmp_path / "txt.asc").write_text("hello world\n")
    with pytest.raises(LoadError, match="not an ESRI ASCII grid"):
        read_asc(tmp_path / "txt.asc", crs=UTM16)


def test_asc_in_other_crs_is_resampled(tmp_path):
    layer = RasterLayer("ll", np.ones((20, 20)), -87.70, 41.80, 0.005)
    write_asc(layer, tmp_path / "ll.asc", CRS.from_epsg(4326))
    out, rep = read_asc(tmp_path / "ll.asc", UTM16)
    assert rep.warnings == ["grid resampled from EPSG:4326 to EPSG:32616 (nearest neighbour)"]
    assert np.nanmax(out.values) == 1.0 and np.isfinite(out.values).mean() > 0.9
    assert 430000 < out.x0 < 450000 and 40 < out.cell_size < 600


def test_cell_polygons():
    gdf = raster_to_cell_polygons(grid(), UTM16)
    assert len(gdf) == 11 and list(gdf.columns) == ["row", "col", "value", "z", "geometry"]
    first = gdf.iloc[0]
    assert (first["row"], first["col"], first["value"], first["z"]) == (0, 0, 0.0, 0.0)
    assert first.geometry.bounds == (440000.0, 4630000.0, 440050.0, 4630050.0)
    assert gdf.area.sum() == pytest.approx(11 * 2500.0) and gdf.crs == UTM16
