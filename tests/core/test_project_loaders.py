"""The file-loading front door: dispatch by extension, options, and the project's working CRS."""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from pyproj import CRS
from shapely.geometry import Point, box

from hotspot_desktop.core.io.loaders import (FILE_DIALOG_FILTER, SUPPORTED_EXTENSIONS, add_file_to_project,
                                             load_file, reload_options)
from hotspot_desktop.core.io.raster_io import write_asc
from hotspot_desktop.core.io.report import LoadError
from hotspot_desktop.core.model import PointLayer, Project, RasterLayer, SourceRef, VectorLayer

UTM16 = CRS.from_epsg(32616)
NAD83_UTM16 = CRS.from_epsg(26916)
ILLINOIS_EAST_FT = CRS.from_epsg(3435)  # NAD83 / Illinois East (ftUS): projected, but not metres


def beats(crs: CRS) -> gpd.GeoDataFrame:
    g = gpd.GeoDataFrame({"beat": ["1", "2"]}, geometry=[box(-87.66, 41.86, -87.65, 41.87),
                                                         box(-87.64, 41.86, -87.63, 41.87)], crs=4326)
    return g.to_crs(crs)


def test_extensions_and_dialog_filter():
    assert set(SUPPORTED_EXTENSIONS) == {".csv", ".txt", ".shp", ".zip", ".gpkg", ".geojson", ".json", ".kml", ".asc",
                                         ".mbtiles", ".png", ".jpg", ".jpeg"}
    first = FILE_DIALOG_FILTER.split(";;")[0]
    assert first.startswith("All supported files (") and "*.gpkg" in first and "*.asc" in first
    assert FILE_DIALOG_FILTER.split(";;")[-1] == "All files (*)"


def test_dispatch_by_extension(tmp_path):
    csv = tmp_path / "i.txt"
    csv.write_text("date,offence,longitude,latitude\n2024-01-02 10:00,theft,-87.63,41.88\n"
                   "2024-01-03 11:00,theft,-87.64,41.89\n")
    layer, rep = load_file(csv, UTM16)
    assert isinstance(layer, PointLayer) and len(layer) == 2 and layer.source.format == "csv"

    gj = tmp_path / "b.json"
    beats(CRS.from_epsg(4326)).to_file(gj, driver="GeoJSON", engine="pyogrio")
    layer, rep = load_file(gj, UTM16)
    assert isinstance(layer, VectorLayer) and rep.detected["format"] == "geojson"

    shp = tmp_path / "b.shp"
    beats(UTM16).to_file(shp, engine="pyogrio")
    with zipfile.ZipFile(tmp_path / "b.zip", "w") as zf:
        for p in tmp_path.glob("b.*"):
            if p.suffix in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
                zf.write(p, p.name)
    layer, rep = load_file(tmp_path / "b.zip", UTM16, layer="b.shp", repair=True)
    assert len(layer) == 2 and layer.source.options == {"repair": True}

    write_asc(RasterLayer("g", np.ones((2, 2)), 446000, 4636000, 100), tmp_path / "g.asc", UTM16)
    layer, rep = load_file(tmp_path / "g.asc", UTM16)
    assert isinstance(layer, RasterLayer) and layer.shape == (2, 2)

    with pytest.raises(LoadError, match=r"files of type \.dxf cannot be opened"):
        load_file(tmp_path / "x.dxf")
    with pytest.raises(TypeError, match="unknown option"):
        load_file(shp, UTM16, schema={})


@pytest.mark.parametrize("crs,expected", [(NAD83_UTM16, 26916), (ILLINOIS_EAST_FT, 32616),
                                          (CRS.from_epsg(4326), 32616)])
def test_first_layer_sets_working_crs(tmp_path, crs, expected):
    shp = tmp_path / "b.shp"
    beats(crs).to_file(shp, engine="pyogrio")
    project = Project()
    layer, rep = add_file_to_project(project, shp)
    assert project.working_crs.to_epsg() == expected and layer.gdf.crs.to_epsg() == expected
    assert project.layers[0] is layer and layer.source_crs.to_epsg() == crs.to_epsg()
    assert layer.extent()[0] == pytest.approx(beats(CRS.from_epsg(expected)).total_bounds[0], abs=0.5)
    pts = tmp_path / "p.geojson"
    gpd.GeoDataFrame({"n": [1]}, geometry=[Point(-87.655, 41.865)], crs=4326).to_file(pts, engine="pyogrio")
    second, _ = add_file_to_project(project, pts)
    assert project.working_crs.to_epsg() == expected  # later files follow the project
    assert beats(CRS.from_epsg(expected)).total_bounds[0] < second.x[0] < beats(CRS.from_epsg(expected)).total_bounds[2]


def test_csv_sets_working_crs(tmp_path):
    csv = tmp_path / "i.csv"
    csv.write_text("date,offence,longitude,latitude\n2024-01-02 10:00,theft,-123.1,49.25\n"
                   "2024-01-03 11:00,theft,-123.11,49.26\n")
    project = Project()
    add_file_to_project(project, csv)
    assert project.working_crs.to_epsg() == 32610


def test_reload_options():
    csv = SourceRef(path=Path("/data/i.csv"), format="csv", options={"encoding": "utf-8", "x": "lon"})
    assert reload_options(csv) == ({"schema": {"encoding": "utf-8", "x": "lon"}}, [])
    vec = SourceRef(path=Path("/d/a.zip"), format="shapefile_zip", layer="a.shp",
                    options={"crs": "EPSG:32616", "repair": True, "evil": "x"})
    assert reload_options(vec) == ({"crs": "EPSG:32616", "repair": True, "layer": "a.shp"}, ["evil"])


@pytest.mark.shared_data
def test_real_kml_into_empty_project(shared_data):
    project = Project()
    layer, rep = add_file_to_project(project, shared_data / "chicago_aggravated_assaults" /
                                     "chicago_police_districts.kml")
    assert project.working_crs == UTM16 and len(layer) == 25 and rep.rows_kept == 25
