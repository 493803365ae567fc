"""A corpus of awkward vector files, generated in tmp_path, each with the exact load report."""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import CRS
from shapely.geometry import Point, Polygon, box

from hotspot_desktop.core.io.report import Cancelled, LoadError
from hotspot_desktop.core.io.vector import CrsRequired, list_layers, load_vector
from hotspot_desktop.core.model import PointLayer, VectorLayer

UTM16 = CRS.from_epsg(32616)
LONLAT = CRS.from_epsg(4326)


def squares(n: int = 3, crs=UTM16) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"beat": [f"B{i}" for i in range(n)], "value": np.arange(n, dtype="int64")},
                            geometry=[box(440000 + 100 * i, 4630000, 440090 + 100 * i, 4630090) for i in range(n)],
                            crs=crs)


def write_shp(gdf: gpd.GeoDataFrame, path: Path, **kw) -> Path:
    gdf.to_file(path, engine="pyogrio", **kw)
    return path


def sidecars(shp: Path) -> list[Path]:
    return sorted(p for p in shp.parent.iterdir() if p.stem == shp.stem)


def test_shapefile_polygons_reprojected_with_exact_report(tmp_path):
    shp = write_shp(squares(3), tmp_path / "b.shp")
    layer, rep = load_vector(shp, UTM16)
    assert isinstance(layer, VectorLayer) and layer.geometry_kind == "polygon"
    assert rep.to_dict() == {
        "source": "b.shp", "rows_read": 3, "rows_kept": 3, "rejected": {}, "rejected_first_rows": {},
        "detected": {"format": "shapefile", "encoding": "utf-8", "encoding_source": ".cpg", "crs": "EPSG:32616",
                     "crs_source": "file", "engine": "pyogrio", "columns": ["beat", "value"],
                     "geometry_type": "Polygon", "working_crs": "EPSG:32616"},
        "warnings": []}
    assert layer.source.format == "shapefile" and layer.source.path == shp.resolve()
    assert list(layer.gdf["beat"]) == ["B0", "B1", "B2"]


def test_shapefile_name_with_brackets_finds_its_sidecars(tmp_path):
    shp = write_shp(squares(2), tmp_path / "beats [2024].shp")
    shp.with_suffix(".cpg").unlink()
    layer, rep = load_vector(shp, UTM16)
    assert len(layer) == 2 and rep.detected["crs"] == "EPSG:32616" and rep.detected["encoding_source"] == "ascii"


def test_lonlat_shapefile_goes_to_working_crs_and_keeps_source_crs(tmp_path):
    shp = write_shp(squares(2).to_crs(LONLAT), tmp_path / "ll.shp")
    layer, rep = load_vector(shp, UTM16)
    assert layer.source_crs == LONLAT and layer.gdf.crs == UTM16
    assert np.allclose(layer.extent(), (440000, 4630000, 440190, 4630090), atol=0.01)
    assert rep.detected["crs"] == "EPSG:4326"


def test_missing_prj_raises_crs_required_unless_crs_given(tmp_path):
    shp = write_shp(squares(2), tmp_path / "noprj.shp")
    shp.with_suffix(".prj").unlink()
    with pytest.raises(CrsRequired) as err:
        load_vector(shp)
    assert isinstance(err.value, LoadError)
    assert err.value.report.warnings == ["no .prj file: the coordinate reference system is unknown"]
    layer, rep = load_vector(shp, None, crs="EPSG:32616")
    assert rep.warnings == ["no .prj file: using the CRS given, EPSG:32616"]
    assert rep.detected["crs_source"] == "user" and rep.detected["working_crs"] == "EPSG:32616"
    assert layer.source.options == {"crs": "EPSG:32616"} and len(layer) == 2


def test_truncated_dbf_is_salvaged_record_by_record(tmp_path):
    gdf = gpd.GeoDataFrame({"n": np.arange(40, dtype="int64"), "s": ["abcdefghij"] * 40},
                           geometry=[Point(440000 + i, 4630000) for i in range(40)], crs=UTM16)
    shp = write_shp(gdf, tmp_path / "broken.shp")
    dbf = shp.with_suffix(".dbf")
    data = dbf.read_bytes()
    header_len = int.from_bytes(data[8:10], "little")
    record_len = int.from_bytes(data[10:12], "little")
    dbf.write_bytes(data[: header_len + 25 * record_len + 3])  # 25 whole records and a torn one
    layer, rep = load_vector(shp, UTM16)
    assert isinstance(layer, PointLayer) and len(layer) == 25
    assert list(layer.attributes["n"]) == list(range(25))
    assert rep.rows_read == 40 and rep.rows_kept == 25
    assert rep.rejected_counts() == {"unreadable_record": 15}
    assert rep.rejected["unreadable_record"].first_rows == list(range(26, 36))
    assert rep.detected["engine"] == "fiona"
    assert rep.warnings == ["file is damaged (the .dbf is truncated: it declares 40 records but holds 25); "
                            "read record by record"]


def test_truncated_shp_rejects_records_past_its_end(tmp_path):
    shp = write_shp(squares(30), tmp_path / "cut.shp")
    data = shp.read_bytes()
    shp.write_bytes(data[: 100 + 10 * (8 + 128) + 50])  # header, 10 whole polygon records and a torn one
    layer, rep = load_vector(shp, UTM16)
    assert list(layer.gdf["beat"]) == [f"B{i}" for i in range(10)]
    assert (rep.rows_read, rep.rows_kept) == (30, 10)
    assert rep.rejected_counts() == {"unreadable_record": 20}
    assert rep.rejected["unreadable_record"].first_rows == list(range(11, 21))
    assert rep.warnings == ["the .shp is truncated: 20 records lie past its end"]


def _zip(path: Path, files: list[Path], prefix: str = "") -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for f in files:
            zf.write(f, prefix + f.name)
    return path


def test_zip_with_one_shapefile(tmp_path):
    shp = write_shp(squares(4), tmp_path / "beats.shp")
    z = _zip(tmp_path / "beats.zip", sidecars(shp), "data/")
    assert list_layers(z) == ["data/beats.shp"]
    layer, rep = load_vector(z, UTM16)
    assert layer.name == "beats" and len(layer) == 4
    assert rep.detected["format"] == "shapefile_zip" and rep.detected["layer"] == "data/beats.shp"
    assert layer.source.layer == "data/beats.shp"
    assert rep.warnings == [] and rep.rejected == {}


def test_zip_with_two_shapefiles_needs_layer(tmp_path):
    a = write_shp(squares(2), tmp_path / "a.shp")
    b = write_shp(squares(5), tmp_path / "b.shp")
    z = _zip(tmp_path / "two.zip", sidecars(a) + sidecars(b))
    assert list_layers(z) == ["a.shp", "b.shp"]
    with pytest.raises(LoadError, match=r"two.zip holds 2 shapefiles \(a.shp, b.shp\); choose one with layer="):
        load_vector(z, UTM16)
    layer, rep = load_vector(z, UTM16, layer="b")
    assert len(layer) == 5 and rep.detected["layers"] == ["a.shp", "b.shp"] and rep.detected["layer"] == "b.shp"
    with pytest.raises(LoadError, match="no shapefile 'c' inside"):
        load_vector(z, UTM16, layer="c")


TEXT = ["Café €5", "O’Brien’s Pub", "Straße"]


def _cp1252_shp(tmp_path: Path, cpg: str | None) -> Path:
    gdf = gpd.GeoDataFrame({"place": TEXT}, geometry=[Point(440000 + i, 4630000) for i in range(3)], crs=UTM16)
    shp = tmp_path / "cp.shp"
    gdf.to_file(shp, engine="fiona", encoding="cp1252")
    assert "€".encode("cp1252") in shp.with_suffix(".dbf").read_bytes()
    cpg_path = shp.with_suffix(".cpg")
    if cpg is None:
        cpg_path.unlink(missing_ok=True)
    else:
        cpg_path.write_text(cpg)
    return shp


@pytest.mark.parametrize("cpg,source,warnings", [
    ("1252", ".cpg", []),
    ("UTF-8", "detected", [".cpg says UTF-8 but the text is not valid UTF-8; read as Windows-1252"]),
    (None, "detected", ["no .cpg file and the text is not UTF-8: read as Windows-1252"]),
])
def test_cp1252_dbf_text(tmp_path, cpg, source, warnings):
    layer, rep = load_vector(_cp1252_shp(tmp_path, cpg), UTM16)
    assert list(layer.attributes["place"]) == TEXT
    assert rep.detected["encoding"] == "cp1252" and rep.detected["encoding_source"] == source
    assert rep.warnings == warnings


def test_utf8_dbf_without_cpg_is_detected(tmp_path):
    gdf = gpd.GeoDataFrame({"place": TEXT}, geometry=[Point(440000 + i, 4630000) for i in range(3)], crs=UTM16)
    shp = tmp_path / "u.shp"
    gdf.to_file(shp, engine="pyogrio")
    shp.with_suffix(".cpg").unlink(missing_ok=True)
    layer, rep = load_vector(shp, UTM16)
    assert list(layer.attributes["place"]) == TEXT
    assert (rep.detected["encoding"], rep.detected["encoding_source"], rep.warnings) == ("utf-8", "detected", [])


def test_geopackage_with_two_layers(tmp_path):
    gpkg = tmp_path / "two.gpkg"
    squares(2).to_file(gpkg, layer="beats", engine="pyogrio")
    pts = gpd.GeoDataFrame({"offense": ["theft", "burglary", "theft"],
                            "date": ["2024-01-02 10:00", "2024-01-03 23:30", "not a date"]},
                           geometry=[Point(440000, 4630000), Point(440100, 4630100), Point(440200, 4630200)], crs=UTM16)
    pts.to_file(gpkg, layer="incidents", engine="pyogrio")
    assert list_layers(gpkg) == ["beats", "incidents"]
    layer, rep = load_vector(gpkg, UTM16)
    assert isinstance(layer, VectorLayer) and layer.name == "beats" and len(layer) == 2
    assert rep.warnings == ["two.gpkg has 2 layers (beats, incidents); loaded the first, 'beats'"]
    pl, rep2 = load_vector(gpkg, UTM16, layer="incidents")
    assert isinstance(pl, PointLayer) and pl.name == "incidents" and len(pl) == 3
    assert np.allclose(pl.x, [440000, 440100, 440200])
    assert rep2.detected["canonical_columns"] == {"time": "date", "offence": "offense"}
    assert pl.offence_types() == ["burglary", "theft"]
    assert list(pl.times[:2]) == [pd.Timestamp("2024-01-02 10:00"), pd.Timestamp("2024-01-03 23:30")]
    assert pd.isna(pl.times[2])
    assert rep2.warnings == ["date/time could not be read: 1 values of column 'date' (kept, no time)"]
    with pytest.raises(LoadError, match="no layer 'nope'"):
        load_vector(gpkg, UTM16, layer="nope")


BOWTIE = Polygon([(440000, 4630000), (440100, 4630100), (440100, 4630000), (440000, 4630100)])


def _bowties(tmp_path: Path) -> Path:
    gdf = gpd.GeoDataFrame({"k": [1, 2, 3]}, geometry=[box(440000, 4630000, 440010, 4630010), BOWTIE, BOWTIE],
                           crs=UTM16)
    return write_shp(gdf, tmp_path / "bowtie.shp")


def test_invalid_polygons_kept_and_flagged(tmp_path):
    layer, rep = load_vector(_bowties(tmp_path), UTM16)
    assert len(layer) == 3 and rep.rejected == {}
    assert rep.detected["invalid_geometry"] == {"count": 2, "first_rows": [2, 3], "repaired": False}
    assert rep.warnings == ["invalid geometry: 2 (rows 2, 3) kept as they are; load with repair to fix them"]
    assert shapely.is_valid(layer.gdf.geometry.values).tolist() == [True, False, False]


def test_invalid_polygons_repaired(tmp_path):
    layer, rep = load_vector(_bowties(tmp_path), UTM16, repair=True)
    assert rep.detected["invalid_geometry"] == {"count": 2, "first_rows": [2, 3], "repaired": True}
    assert rep.warnings == ["invalid geometry: 2 (rows 2, 3) repaired with make_valid"]
    assert shapely.is_valid(layer.gdf.geometry.values).all()
    assert layer.gdf.geometry.iloc[1].geom_type == "MultiPolygon"
    assert layer.gdf.geometry.iloc[1].area == pytest.approx(5000.0)
    assert layer.source.options == {"repair": True}


def test_empty_and_null_geometries_rejected(tmp_path):
    gj = tmp_path / "e.geojson"
    gj.write_text("""{"type": "FeatureCollection", "features": [
      {"type": "Feature", "properties": {"n": 1}, "geometry": {"type": "Point", "coordinates": [-87.6, 41.8]}},
      {"type": "Feature", "properties": {"n": 2}, "geometry": null},
      {"type": "Feature", "properties": {"n": 3}, "geometry": {"type": "Point", "coordinates": [-87.7, 41.9]}},
      {"type": "Feature", "properties": {"n": 4}, "geometry": {"type": "Polygon", "coordinates": []}}
    ]}""")
    layer, rep = load_vector(gj, UTM16)
    assert isinstance(layer, PointLayer) and list(layer.attributes["n"]) == [1, 3]
    assert rep.rows_read == 4 and rep.rows_kept == 2
    assert rep.rejected_counts() == {"empty_geometry": 2}
    assert rep.rejected["empty_geometry"].first_rows == [2, 4]


def test_point_geopackage_with_null_and_empty_points(tmp_path):
    gpkg = tmp_path / "pts.gpkg"
    gpd.GeoDataFrame({"case_number": ["A1", "A2", "A3", "A4"]},
                     geometry=[Point(440000, 4630000), None, Point(), Point(440100, 4630100)],
                     crs=UTM16).to_file(gpkg, engine="pyogrio")
    layer, rep = load_vector(gpkg, UTM16)
    assert isinstance(layer, PointLayer) and list(layer.attributes["incident_id"]) == ["A1", "A4"]
    assert layer.x.tolist() == [440000.0, 440100.0] and layer.y.tolist() == [4630000.0, 4630100.0]
    assert rep.to_dict() == {
        "source": "pts.gpkg", "rows_read": 4, "rows_kept": 2, "rejected": {"empty_geometry": 2},
        "rejected_first_rows": {"empty_geometry": [2, 3]},
        "detected": {"format": "gpkg", "layer": "pts", "crs": "EPSG:32616", "crs_source": "file", "engine": "pyogrio",
                     "columns": ["case_number"], "geometry_type": "Point", "working_crs": "EPSG:32616",
                     "canonical_columns": {"incident_id": "case_number"}},
        "warnings": []}


def test_geojson_points_choose_utm_working_crs(tmp_path):
    gj = tmp_path / "p.geojson"
    gpd.GeoDataFrame({"primary_type": ["BATTERY", "THEFT"]}, geometry=[Point(-87.6, 41.8), Point(-87.7, 41.9)],
                     crs=LONLAT).to_file(gj, engine="pyogrio")
    layer, rep = load_vector(gj)
    assert rep.detected["working_crs"] == "EPSG:32616" and rep.detected["crs"] == "EPSG:4326"
    assert layer.offence_types() == ["BATTERY", "THEFT"]
    assert 400000 < layer.x.min() < 460000


def test_unknown_extension_and_missing_file(tmp_path):
    with pytest.raises(LoadError, match="not a vector file"):
        load_vector(tmp_path / "x.dxf")
    with pytest.raises(LoadError, match="file not found"):
        load_vector(tmp_path / "x.gpkg")
    with pytest.raises(LoadError, match="only local files"):
        load_vector("/vsicurl/http://example.invalid/x.gpkg")


def test_cancel_stops_loading(tmp_path):
    shp = write_shp(squares(2), tmp_path / "c.shp")
    with pytest.raises(Cancelled):
        load_vector(shp, UTM16, cancelled=lambda: True)
    seen = []
    load_vector(shp, UTM16, progress=lambda f, s: seen.append(f))
    assert seen[0] == 0.0 and seen[-1] == 1.0


@pytest.mark.shared_data
@pytest.mark.parametrize("rel,n,columns,dropped", [
    ("chicago_aggravated_assaults/chicago_police_districts.gpkg", 25, ["Name", "description"], None),
    ("chicago_aggravated_assaults/chicago_police_districts.kml", 25, ["Name", "description"],
     ["id", "timestamp", "begin", "end", "altitudeMode", "tessellate", "extrude", "visibility", "drawOrder", "icon"]),
    ("vancouver_crimes_2020/vancouver_neighbourhoods.geojson", 22, ["name", "mapid", "geo_point_2d"], None),
])
def test_real_boundaries(shared_data, rel, n, columns, dropped):
    layer, rep = load_vector(shared_data / rel)
    fmt = Path(rel).suffix[1:]
    utm = "EPSG:32616" if "chicago" in rel else "EPSG:32610"
    detected = {"format": fmt, "layer": Path(rel).stem, "crs": "EPSG:4326", "crs_source": "file",
                "engine": "pyogrio", "columns": columns,
                "geometry_type": "Polygon" if "vancouver" in rel else "MultiPolygon", "working_crs": utm}
    if dropped:
        detected["dropped_columns"] = dropped
    assert rep.to_dict() == {"source": Path(rel).name, "rows_read": n, "rows_kept": n, "rejected": {},
                             "rejected_first_rows": {}, "detected": detected, "warnings": []}
    assert isinstance(layer, VectorLayer) and layer.geometry_kind == "polygon" and len(layer) == n
    assert layer.source_crs == LONLAT and layer.gdf.crs == CRS.from_user_input(utm)
