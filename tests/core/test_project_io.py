"""Project files: full round trip, atomic save, refusal of newer/garbage files, moved and outside sources."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import CRS
from shapely.geometry import Polygon, box

from hotspot_desktop.core.io.loaders import add_file_to_project
from hotspot_desktop.core.io.project_io import (FORMAT_VERSION, ProjectFormatError, data_paths, open_project,
                                                save_project)
from hotspot_desktop.core.io.raster_io import raster_to_cell_polygons
from hotspot_desktop.core.model import (AnalysisRecord, PointFilter, PointLayer, Project, Provenance, RasterLayer,
                                        VectorLayer, ZoneLayer)
from hotspot_desktop.core.styles import GraduatedClass, LayerStyle, categorised

UTM16 = CRS.from_epsg(32616)

CSV = """date,offence,longitude,latitude
2024-01-02 10:00,theft,-87.6301,41.8801
2024-01-05 23:15,burglary,-87.6402,41.8902
2024-02-11 04:30,theft,-87.6203,41.8703
2024-03-20 18:45,robbery,-87.6504,41.8604
"""


def make_inputs(folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    csv = folder / "incidents.csv"
    csv.write_text(CSV)
    beats = gpd.GeoDataFrame({"beat": ["0111", "0112", "0113"], "value": [3.0, 7.0, 11.0]},
                             geometry=[box(-87.66 + 0.01 * i, 41.86, -87.65 + 0.01 * i, 41.89) for i in range(3)],
                             crs=4326)
    shp = folder / "beats.shp"
    beats.to_file(shp, engine="pyogrio")
    return csv, shp


def provenance(tool: str) -> Provenance:
    return Provenance(tool_id=tool, tool_version="1.0", parameters={"cell_size_m": 50.0, "radius_m": 250},
                      inputs={"points": {"name": "incidents", "hash": "abc123"}},
                      filters={"points": "2024-01-01 to end"}, created="2024-04-01T09:00:00",
                      app_version="0.1.0", notes=["fast KDE mode (binned FFT)"])


def build_project(folder: Path) -> Project:
    csv, shp = make_inputs(folder / "data")
    project = Project()
    pts, _ = add_file_to_project(project, csv)
    assert project.working_crs == UTM16
    pts.filter = PointFilter(date_from=pd.Timestamp("2024-01-03"), offences=frozenset({"theft", "robbery"}),
                             hours=frozenset({4, 18}))
    pts.style = categorised(["theft", "burglary", "robbery"], "offence")
    pts.opacity = 0.8
    beats, _ = add_file_to_project(project, shp)
    # built by hand: styles.graduated() would import mapclassify, seconds of start-up for nothing here
    beats.style = LayerStyle(mode="graduated", field="value", method="manual", ramp="YlOrRd", classes=[
        GraduatedClass(3.0, 5.0, "3.0 – 5.0", "#fed976"), GraduatedClass(5.0, 11.0, "5.0 – 11", "#bd0026")])
    beats.visible = False

    zones = project.ensure_zones()
    zones.gdf = gpd.GeoDataFrame(
        {"name": ["Market St", "Park"], "role": ["target", "control"], "unit": ["A", "B"], "shift": ["day", "night"],
         "priority": [1, 2], "start": ["2024-05-01", "2024-05-01"], "end": ["2024-06-30", ""],
         "notes": ["Café – hot spot", ""]},
        geometry=[box(446000, 4636000, 446300, 4636300), box(447000, 4637000, 447400, 4637200)], crs=UTM16)
    zones.data_changed()

    values = np.arange(12, dtype=float).reshape(3, 4)
    values[0, 0] = np.nan
    density = RasterLayer("Density", values, 446000.0, 4636000.0, 50.0)
    density.bands["z"] = values / 2
    density.provenance = provenance("kde")
    density.style.mode = "raster"
    density.style.raster.units = "incidents per km²"
    project.layers.append(density)

    cells = VectorLayer("Hot cells", raster_to_cell_polygons(density, UTM16))
    cells.provenance = provenance("gi_star")
    project.layers.append(cells)

    project.analyses.append(AnalysisRecord("kde", {"radius_m": 250, "kernel": "quartic"}, [density.id], "KDE"))
    project.templates["Briefing A4"] = {"page": "A4", "orientation": "landscape", "items": [{"kind": "map"}]}
    project.metadata = {"title": "Loop burglary", "agency": "CPD", "author": "analyst"}
    project.view = {"xmin": 445000.0, "ymin": 4635000.0, "xmax": 449000.0, "ymax": 4638000.0}
    project.display_units = "ft"
    return project


def test_round_trip_everything(tmp_path):
    folder = tmp_path / "case"
    project = build_project(folder)
    path = folder / "loop.hsproj"
    save_project(project, path)
    gpkg, rasters = data_paths(path)
    assert gpkg == folder / "loop.hsdata.gpkg"
    # Each save writes its own data GeoPackage (named in the manifest); exactly one is kept.
    assert len(list(folder.glob("loop.hsdata-*.gpkg"))) == 1
    assert [p.suffix for p in rasters.iterdir()] == [".npz"]
    manifest = json.loads(path.read_text())
    assert manifest["format"] == "hotspot-desktop-project" and manifest["format_version"] == FORMAT_VERSION
    assert [e["source"]["path"] for e in manifest["layers"][:2]] == ["data/incidents.csv", "data/beats.shp"]
    assert [e["storage"]["kind"] for e in manifest["layers"]] == ["source", "source", "gpkg", "npz", "gpkg"]
    assert project.path == path and not project.modified

    opened, reports, warnings = open_project(path)
    assert warnings == [] and len(reports) == 2
    assert opened.working_crs == UTM16 and opened.display_units == "ft"
    assert opened.metadata == project.metadata and opened.view == project.view
    assert opened.templates == project.templates
    assert [(a.tool_id, a.parameters, a.output_layer_ids, a.label) for a in opened.analyses] == \
        [("kde", {"radius_m": 250, "kernel": "quartic"}, [project.layers[3].id], "KDE")]
    assert [lyr.id for lyr in opened.layers] == [lyr.id for lyr in project.layers]
    assert [lyr.name for lyr in opened.layers] == [lyr.name for lyr in project.layers]
    assert [type(lyr) for lyr in opened.layers] == [PointLayer, VectorLayer, ZoneLayer, RasterLayer, VectorLayer]

    pts, beats, zones, density, cells = list(opened.layers)
    old = list(project.layers)
    np.testing.assert_allclose(pts.x, old[0].x)
    assert pts.filter == old[0].filter and pts.mask().tolist() == [False, False, True, True]
    assert pts.style == old[0].style and pts.opacity == 0.8
    assert pts.source.path == (folder / "data" / "incidents.csv").resolve() and pts.source.format == "csv"
    assert pts.source.options == old[0].source.options

    assert beats.style == old[1].style and beats.style.mode == "graduated" and not beats.visible
    assert list(beats.gdf["beat"]) == ["0111", "0112", "0113"] and beats.source_crs.to_epsg() == 4326

    assert isinstance(zones, ZoneLayer) and opened.zones is zones
    assert list(zones.gdf["notes"]) == ["Café – hot spot", ""] and list(zones.gdf["priority"]) == [1, 2]
    assert zones.gdf.geometry.geom_equals(old[2].gdf.geometry).all() and zones.gdf.crs == UTM16

    np.testing.assert_array_equal(density.values, old[3].values)
    np.testing.assert_array_equal(density.bands["z"], old[3].bands["z"])
    assert (density.x0, density.y0, density.cell_size) == (446000.0, 4636000.0, 50.0)
    assert density.provenance == old[3].provenance and density.style.raster.units == "incidents per km²"

    assert cells.provenance == old[4].provenance and cells.geometry_kind == "polygon"
    pd.testing.assert_frame_equal(pd.DataFrame(cells.gdf.drop(columns="geometry")),
                                  pd.DataFrame(old[4].gdf.drop(columns="geometry")))


def test_second_save_keeps_backup_and_reopens_embedded_layers(tmp_path):
    folder = tmp_path / "case"
    path = folder / "p.hsproj"
    save_project(build_project(folder), path)
    first = path.read_bytes()
    opened, _, _ = open_project(path)
    opened.layers.remove(opened.layers[3])  # the raster
    save_project(opened, path)
    assert (folder / "p.hsproj.bak").read_bytes() == first
    assert data_paths(path)[1].exists()  # the backup manifest still refers to the raster: kept
    bak, _, bak_warnings = open_project(folder / "p.hsproj.bak")
    assert bak_warnings == [] and len(bak.layers) == 5  # the backup stays openable
    save_project(opened, path)
    assert not data_paths(path)[1].exists()  # referred to by neither manifest: its folder is cleaned away
    again, _, warnings = open_project(path)
    assert warnings == [] and [lyr.kind for lyr in again.layers] == ["points", "vector", "zones", "vector"]
    assert list(again.zones.gdf["name"]) == ["Market St", "Park"]


@pytest.mark.parametrize("fail_on", [".gpkg", ".hsproj"])
def test_failed_save_leaves_previous_project_loadable(tmp_path, monkeypatch, fail_on):
    folder = tmp_path / "case"
    path = folder / "p.hsproj"
    project = build_project(folder)
    save_project(project, path)
    before = path.read_bytes()
    project.metadata["title"] = "changed"
    project.zones.gdf.loc[0, "name"] = "renamed"  # new data, so a new data GeoPackage is written
    real_replace = os.replace
    calls = []

    def failing_replace(src, dst):
        if str(dst).endswith(fail_on) and not calls:
            calls.append(dst)
            raise OSError("disk full (injected)")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="injected"):
        save_project(project, path)
    monkeypatch.setattr(os, "replace", real_replace)
    assert calls and path.read_bytes() == before
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp") or ".tmp." in p.name]
    reopened, _, warnings = open_project(path)
    assert warnings == [] and reopened.metadata["title"] == "Loop burglary" and len(reopened.layers) == 5


def test_newer_version_refused(tmp_path):
    path = tmp_path / "new.hsproj"
    path.write_text(json.dumps({"format": "hotspot-desktop-project", "format_version": FORMAT_VERSION + 1,
                                "app_version": "9.0.0", "layers": []}))
    with pytest.raises(ProjectFormatError, match=r"saved by a newer Hotspot Desktop \(app 9.0.0, project format 2\)"):
        open_project(path)


@pytest.mark.parametrize("content,message", [
    (b"{not json", "not valid JSON"),
    (b"\xff\xfe garbage", "not valid JSON"),
    (b'["a list"]', "is not a Hotspot Desktop project file"),
    (b'{"format": "something-else", "format_version": 1}', "is not a Hotspot Desktop project file"),
    (b'{"format": "hotspot-desktop-project", "format_version": "1"}', "format_version '1' is not a version"),
    (b'{"format": "hotspot-desktop-project", "format_version": 1, "layers": {}}', "layers should be list"),
    (b'{"format": "hotspot-desktop-project", "format_version": 1, "layers": [{"id": "../x", "kind": "raster"}]}',
     "layer id '../x' is not valid"),
    (b'{"format": "hotspot-desktop-project", "format_version": 1, "layers": [{"id": "a", "kind": "raster", '
     b'"name": "r", "storage": {"kind": "npz", "file": "../../etc/passwd"}}]}', "raster file name"),
])
def test_garbage_refused(tmp_path, content, message):
    path = tmp_path / "bad.hsproj"
    path.write_bytes(content)
    with pytest.raises(ProjectFormatError, match=message):
        open_project(path)


def test_moved_source_is_relocated_or_skipped(tmp_path):
    folder = tmp_path / "case"
    path = folder / "p.hsproj"
    save_project(build_project(folder), path)
    moved = tmp_path / "elsewhere"
    shutil.move(folder / "data", moved)
    asked = []

    def relocate(source, name):
        asked.append((source.path, name))
        return moved / source.path.name if name == "incidents" else None

    project, reports, warnings = open_project(path, relocate=relocate)
    assert asked == [((folder / "data" / "incidents.csv").resolve(), "incidents"),
                     ((folder / "data" / "beats.shp").resolve(), "beats")]
    assert [lyr.name for lyr in project.layers] == ["incidents", "Patrol zones", "Density", "Hot cells"]
    assert project.layers[0].source.path == moved / "incidents.csv" and len(project.layers[0]) == 4
    assert warnings == [f"layer 'incidents': source {(folder / 'data' / 'incidents.csv').resolve()} was missing; "
                        f"using {moved / 'incidents.csv'}",
                        f"layer 'beats': source file {(folder / 'data' / 'beats.shp').resolve()} not found; "
                        "layer skipped"]
    save_project(project, path)  # the relocated path is saved relative to the project
    assert json.loads(path.read_text())["layers"][0]["source"]["path"] == "../elsewhere/incidents.csv"


def test_sources_outside_the_folder_need_confirmation(tmp_path):
    data = tmp_path / "shared"
    csv, shp = make_inputs(data)
    project = Project()
    add_file_to_project(project, csv)
    add_file_to_project(project, shp)
    path = tmp_path / "case" / "p.hsproj"
    path.parent.mkdir()
    save_project(project, path)
    shown = []
    opened, reports, warnings = open_project(path, confirm_outside=lambda paths: shown.append(paths) or False)
    assert shown == [sorted([csv.resolve(), shp.resolve()])]
    assert len(opened.layers) == 0 and reports == []
    assert warnings == [f"layer 'incidents': source {csv.resolve()} is outside the project folder and was not "
                        "confirmed; layer skipped",
                        f"layer 'beats': source {shp.resolve()} is outside the project folder and was not "
                        "confirmed; layer skipped"]
    opened, reports, warnings = open_project(path, confirm_outside=lambda paths: True)
    assert [lyr.name for lyr in opened.layers] == ["incidents", "beats"] and warnings == []


def test_remote_source_never_opened(tmp_path):
    path = tmp_path / "p.hsproj"
    path.write_text(json.dumps({
        "format": "hotspot-desktop-project", "format_version": 1, "working_crs": {"wkt": UTM16.to_wkt(), "epsg": 32616},
        "layers": [{"id": "abc", "name": "remote", "kind": "vector", "storage": {"kind": "source"},
                    "source": {"path": "/vsicurl/http://example.invalid/x.gpkg", "format": "gpkg"}}]}))
    project, reports, warnings = open_project(path, confirm_outside=lambda p: pytest.fail("must not be asked"))
    assert len(project.layers) == 0 and reports == []
    assert warnings == ["layer 'remote': source '/vsicurl/http://example.invalid/x.gpkg' is not a local file; "
                        "layer skipped"]


def test_empty_project_and_empty_zones(tmp_path):
    path = tmp_path / "empty.hsproj"
    save_project(Project(), path)
    opened, reports, warnings = open_project(path)
    assert opened.working_crs is None and len(opened.layers) == 0 and (reports, warnings) == ([], [])
    assert not list(tmp_path.glob("empty.hsdata*.gpkg"))
    project = Project(UTM16)
    zones = project.ensure_zones()
    save_project(project, path)
    opened, _, warnings = open_project(path)
    assert warnings == [] and isinstance(opened.zones, ZoneLayer) and len(opened.zones) == 0
    assert opened.zones.id == zones.id and list(opened.zones.gdf.columns)[:8] == list(zones.gdf.columns)[:8]


def test_user_given_crs_and_repair_survive_reopen(tmp_path):
    shp = tmp_path / "noprj.shp"
    gpd.GeoDataFrame({"k": [1, 2]}, geometry=[box(446000, 4636000, 446100, 4636100),
                                              Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])],
                     crs=UTM16).to_file(shp, engine="pyogrio")
    shp.with_suffix(".prj").unlink()
    project = Project()
    add_file_to_project(project, shp, crs="EPSG:32616", repair=True)
    save_project(project, tmp_path / "p.hsproj")
    opened, reports, warnings = open_project(tmp_path / "p.hsproj")
    assert warnings == [] and opened.layers[0].source.options == {"crs": "EPSG:32616", "repair": True}
    assert reports[0].detected["crs_source"] == "user" and reports[0].detected["invalid_geometry"]["repaired"]
    assert opened.layers[0].gdf.is_valid.all()


def test_embedded_points_keep_types_and_filter(tmp_path):
    project = Project(UTM16)
    attrs = pd.DataFrame({
        "time": pd.to_datetime(["2024-01-01 10:00:00", None, "2024-03-01 23:59:59"]),
        "time_end": pd.Series([pd.NaT] * 3, dtype="datetime64[ns]"),
        "offence": pd.Categorical(["theft", "burglary", None]),
        "incident_id": ["1", "2", "3"], "weight": [1.5, 2.5, np.nan], "tags": [["a"], [], ["b", "c"]]})
    layer = PointLayer("Sampled incidents", [446000.0, 446100.0, 446200.0], [4636000.0, 4636100.0, 4636200.0], attrs)
    layer.filter = PointFilter(date_from=pd.Timestamp("2024-02-01"))
    project.layers.append(layer)
    save_project(project, tmp_path / "e.hsproj")
    opened, _, warnings = open_project(tmp_path / "e.hsproj")
    got = opened.layers[0]
    assert warnings == [] and isinstance(got, PointLayer) and got.id == layer.id
    np.testing.assert_array_equal(got.x, layer.x)
    assert got.mask().tolist() == [False, False, True]
    assert got.offence_types() == ["burglary", "theft"]
    assert list(got.attributes["tags"]) == [["a"], [], ["b", "c"]]
    assert got.attributes["time"].dt.tz is None
    assert got.attributes["time"].iloc[2] == pd.Timestamp("2024-03-01 23:59:59")
    assert got.attributes["time_end"].isna().all() and np.isnan(got.attributes["weight"].iloc[2])


def test_unsaveable_value_fails_before_any_file_changes(tmp_path):
    folder = tmp_path / "case"
    path = folder / "p.hsproj"
    project = build_project(folder)
    save_project(project, path)
    before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir() if p.is_file()}
    project.metadata["bad"] = object()
    with pytest.raises(TypeError, match="cannot save a value of type object"):
        save_project(project, path)
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir() if p.is_file()} == before


def test_project_folder_moved_as_a_whole_opens_without_asking(tmp_path):
    folder = tmp_path / "case"
    save_project(build_project(folder), folder / "p.hsproj")
    shutil.move(folder, tmp_path / "archive")
    project, reports, warnings = open_project(tmp_path / "archive" / "p.hsproj",
                                              relocate=lambda s, n: pytest.fail("nothing moved inside the folder"),
                                              confirm_outside=lambda p: pytest.fail("all sources are inside"))
    assert warnings == [] and len(project.layers) == 5 and len(reports) == 2
    assert project.layers[0].source.path == (tmp_path / "archive" / "data" / "incidents.csv").resolve()
