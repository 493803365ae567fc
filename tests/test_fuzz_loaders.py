"""Property/fuzz tests: any input to a loader gives a layer with a report or a clear error
(LoadError / ProjectFormatError) — never another exception, a hang or a half-loaded layer."""

from __future__ import annotations

import json
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotspot_desktop.core.io.report import LoadError

FUZZ = settings(max_examples=60, deadline=5000, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                       HealthCheck.too_slow])

csv_cell = st.one_of(st.text(alphabet=string.printable, max_size=12), st.floats(allow_nan=True).map(str),
                     st.integers(-10**6, 10**6).map(str), st.sampled_from(["", "0", "41.88", "-87.6", "2024-01-02 13:00",
                                                                       "13/31/2024", "(41.8, -87.6)", "POINT (1 2)"]))
headers = st.lists(st.sampled_from(["lat", "lon", "latitude", "longitude", "x", "y", "date", "time", "offense", "id",
                                    "X_COORD", "Y_COORD", "Location", "YEAR", "MONTH", "DAY", "HOUR", "", "a,b"]),
                   min_size=1, max_size=6)


def _check_layer(layer, report) -> None:
    assert report.rows_kept == len(layer)
    assert report.rows_kept + report.rows_rejected <= max(report.rows_read, report.rows_kept)
    assert layer.x.shape == layer.y.shape == (len(layer.attributes),)


@FUZZ
@given(header=headers, rows=st.lists(st.lists(csv_cell, min_size=0, max_size=7), max_size=15),
       delimiter=st.sampled_from([",", ";", "\t", "|"]), encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
def test_csv_loader_never_crashes(tmp_path_factory, header, rows, delimiter, encoding):
    from hotspot_desktop.core.io.csv_incidents import load_incidents_csv

    path = tmp_path_factory.mktemp("fz") / "f.csv"
    text = "\n".join([delimiter.join(header)] + [delimiter.join(r) for r in rows])
    path.write_bytes(text.encode(encoding, errors="replace"))
    try:
        layer, report = load_incidents_csv(path)
    except LoadError as exc:
        assert str(exc)
        return
    _check_layer(layer, report)


@FUZZ
@given(data=st.binary(max_size=600))
def test_csv_loader_random_bytes(tmp_path_factory, data):
    from hotspot_desktop.core.io.csv_incidents import load_incidents_csv

    path = tmp_path_factory.mktemp("fz") / "b.csv"
    path.write_bytes(data)
    try:
        layer, report = load_incidents_csv(path)
    except LoadError as exc:
        assert str(exc)
        return
    _check_layer(layer, report)


@FUZZ
@given(data=st.binary(max_size=800), ext=st.sampled_from([".geojson", ".shp", ".gpkg", ".zip", ".kml", ".asc"]))
def test_vector_loader_random_bytes(tmp_path_factory, data, ext):
    from hotspot_desktop.core.io.loaders import load_file

    folder = tmp_path_factory.mktemp("fz")
    path = folder / f"f{ext}"
    path.write_bytes(data)
    if ext == ".shp":
        (folder / "f.dbf").write_bytes(data[::-1])
        (folder / "f.shx").write_bytes(data[:100])
    try:
        layer, report = load_file(path)
    except LoadError as exc:
        assert str(exc)
        return
    assert report.rows_kept == len(layer)


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
                           lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=8), c, max_size=4),
                           max_leaves=20)
manifest_like = st.fixed_dictionaries({
    "format": st.sampled_from(["hotspot-desktop-project", "x"]),
    "format_version": st.one_of(st.integers(-1, 3), st.text(max_size=3)),
}, optional={"layers": st.lists(st.dictionaries(st.sampled_from(["id", "name", "kind", "source", "storage", "style",
                                                                  "geometry_kind", "filter", "opacity"]),
                                                json_values, max_size=6), max_size=3),
             "working_crs": json_values, "view": json_values, "analyses": json_values, "templates": json_values,
             "metadata": json_values})


@FUZZ
@given(manifest=st.one_of(manifest_like, json_values))
def test_project_loader_never_crashes(tmp_path_factory, manifest):
    from hotspot_desktop.core.io.project_io import ProjectFormatError, open_project

    path = tmp_path_factory.mktemp("fz") / "p.hsproj"
    path.write_text(json.dumps(manifest), encoding="utf-8")
    try:
        project, reports, warnings = open_project(path, confirm_outside=lambda paths: False)
    except (ProjectFormatError, LoadError) as exc:
        assert str(exc)
        return
    for layer in project.layers:
        assert layer.name is not None


@FUZZ
@given(data=st.binary(max_size=400))
def test_project_loader_random_bytes(tmp_path_factory, data):
    from hotspot_desktop.core.io.project_io import ProjectFormatError, open_project

    path = tmp_path_factory.mktemp("fz") / "p.hsproj"
    path.write_bytes(data)
    with pytest.raises((ProjectFormatError, LoadError)):
        open_project(path)
