"""The tool contract: declarations, validation, provenance, staleness (pure, no Qt)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from hotspot_desktop.core.model import PointFilter, PointLayer, RasterLayer, VectorLayer, ZoneLayer
from hotspot_desktop.core.io.report import Cancelled
from hotspot_desktop.tools.base import (RunContext, Tool, ToolResult, bool_param, choice_param, date_range_param,
                                        field_param, from_display, integer_param, layer_param, number_param,
                                        output_param, text_param, to_display, zones_param)
from hotspot_desktop.tools.execute import STALE_SUFFIX, compute, finish, prepare, resolve_parameters, run_now


def _points(n: int = 200) -> PointLayer:
    rng = np.random.default_rng(3)
    t = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 24 * 60, n), unit="h")
    return PointLayer("Incidents", rng.uniform(0, 1000, n), rng.uniform(0, 1000, n),
                      pd.DataFrame({"time": t, "value": rng.random(n), "note": ["x"] * n}))


def _polygons() -> VectorLayer:
    boxes = [shapely.box(0, 0, 500, 1000), shapely.box(500, 0, 1000, 1000)]
    return VectorLayer("Beats", gpd.GeoDataFrame({"name": ["a", "b"], "count": [1, 2]}, geometry=boxes))


def echo(inputs: dict, ctx: RunContext) -> ToolResult:
    """Returns a raster of the snapshot's point count; cancellable."""
    ctx.checkpoint(0.5, "echo")
    pts = inputs["points"]
    ctx.note("echo note")
    return ToolResult(layers=[RasterLayer(inputs["output"], np.full((2, 2), float(len(pts.x))), 0, 0, 500)])


TOOL = Tool(
    "test.echo", "Echo", "Test", "2.1", "Echo tool.", f"{__name__}:echo", reference="Nobody (2024).",
    params=(
        layer_param("points", "Points", "point"),
        field_param("field", "Field", "points", numeric=True, optional=True),
        number_param("radius", "Radius", 250, unit="m", minimum=10, maximum=5000),
        integer_param("k", "Neighbours", 5, minimum=1, maximum=50),
        choice_param("kernel", "Kernel", ("quartic", "uniform")),
        bool_param("flag", "Flag"),
        date_range_param("dates", "Dates"),
        zones_param("zones", "Target zones", "target", optional=True),
        output_param("output", "Output", "Echo"),
        text_param("comment", "Comment"),
    ),
)


def test_declaration_is_cheap_and_serialisable():
    d = TOOL.to_dict()
    assert d["id"] == "test.echo" and d["reference"] == "Nobody (2024)."
    radius = next(p for p in d["parameters"] if p["name"] == "radius")
    assert radius == {**radius, "type": "number", "unit": "m", "minimum": 10, "maximum": 5000, "default": 250.0}
    assert next(p for p in d["parameters"] if p["name"] == "kernel")["choices"] == ["quartic", "uniform"]
    with pytest.raises(ValueError):
        Tool("t", "T", "c", "1", "h", "no_colon")
    with pytest.raises(ValueError):
        Tool("t", "T", "c", "1", "h", "m:f", params=(field_param("f", "F", "missing"),))
    with pytest.raises(ValueError):
        number_param("x", "X", 1, unit="furlong")


def test_defaults_are_valid_once_a_layer_is_given():
    values = {**TOOL.defaults(), "points": _points()}
    assert TOOL.validate(values) == {}


def test_validation_messages_per_parameter():
    pts = _points()
    msgs = TOOL.validate({**TOOL.defaults(), "points": None})
    assert "required" in msgs["points"][0]
    msgs = TOOL.validate({**TOOL.defaults(), "points": _polygons()})
    assert "must be a point layer" in msgs["points"][0]
    msgs = TOOL.validate({**TOOL.defaults(), "points": pts, "radius": 5, "k": 2.5, "kernel": "box",
                          "field": "note", "dates": ("2024-05-01", "2024-01-01"), "output": " "})
    assert "at least 10 m" in msgs["radius"][0]
    assert "whole number" in msgs["k"][0]
    assert "one of quartic, uniform" in msgs["kernel"][0]
    assert "no numeric field 'note'" in msgs["field"][0]
    assert "start is after end" in msgs["dates"][0]
    assert "required" in msgs["output"][0]
    assert TOOL.validate({**TOOL.defaults(), "points": pts, "field": "value"}) == {}


def test_zone_param_requires_zones_of_the_role():
    zones = ZoneLayer("Zones", gpd.GeoDataFrame({"role": ["control"]}, geometry=[shapely.box(0, 0, 1, 1)]))
    msgs = TOOL.validate({**TOOL.defaults(), "points": _points(), "zones": zones})
    assert "no zones with role target" in msgs["zones"][0]
    zones.gdf.loc[0, "role"] = "target"
    assert TOOL.validate({**TOOL.defaults(), "points": _points(), "zones": zones}) == {}


def test_display_units_round_trip():
    assert to_display(304.8, "m", "ft") == pytest.approx((1000.0, "ft"))
    assert from_display(1000.0, "m", "ft") == pytest.approx(304.8)
    assert to_display(5.0, "days", "ft") == (5.0, "days")


def test_snapshot_uses_filter_and_provenance_records_it():
    pts = _points()
    pts.filter = PointFilter(date_from=pd.Timestamp("2024-01-20"))
    kept = int(pts.mask().sum())
    done = run_now(TOOL, {"points": pts, "radius": 300.0})
    layer = done.result.layers[0]
    assert layer.values[0, 0] == kept
    prov = layer.provenance
    assert prov.tool_id == "test.echo" and prov.tool_version == "2.1"
    assert prov.inputs == {"points": {"name": "Incidents", "hash": pts.content_hash()}}
    assert prov.filters["points"]["date_from"].startswith("2024-01-20")
    assert prov.parameters["points"] == {"layer": "Incidents", "layer_id": pts.id}
    assert prov.parameters["radius"] == 300.0
    assert "echo note" in prov.notes
    assert done.record.tool_id == "test.echo" and done.record.output_layer_ids == [layer.id]


def test_snapshot_is_frozen_copy():
    pts = _points()
    prep = prepare(TOOL, {"points": pts})
    snap = prep.inputs["points"]
    assert snap is not pts and not snap.x.flags.writeable
    pts.x[:] = -1
    assert snap.x.min() >= 0


def test_stale_when_data_or_filter_changes_after_snapshot():
    pts = _points()
    prep = prepare(TOOL, {"points": pts})
    result = compute(prep, RunContext())
    pts.filter = PointFilter(hours=frozenset({1}))
    done = finish(prep, result)
    assert done.stale and "filter changed" in done.stale_reasons[0]
    assert done.result.layers[0].name == "Echo" + STALE_SUFFIX
    assert any(n.startswith("STALE") for n in done.result.layers[0].provenance.notes)
    prep = prepare(TOOL, {"points": pts})
    result = compute(prep, RunContext())
    pts.data_changed()
    assert "data changed" in finish(prep, result).stale_reasons[0]


def test_cancel_raises_cancelled():
    with pytest.raises(Cancelled):
        run_now(TOOL, {"points": _points()}, RunContext(cancelled_fn=lambda: True))


def test_resolve_parameters_finds_layers_by_id_then_name():
    from hotspot_desktop.core.model import Project

    project = Project()
    pts = _points()
    project.layers.append(pts)
    done = run_now(TOOL, {"points": pts, "k": 7, "dates": ("2024-01-01", None)})
    values = resolve_parameters(TOOL, done.record.parameters, project)
    assert values["points"] is pts and values["k"] == 7 and values["dates"] == ("2024-01-01", None)
    params = dict(done.record.parameters, points={"layer": "Incidents", "layer_id": "gone"})
    assert resolve_parameters(TOOL, params, project)["points"] is pts


def test_snapshot_of_layer_with_nested_attribute_values():
    gdf = gpd.GeoDataFrame({"name": ["a"], "geo_point_2d": [np.array([1.0, 2.0])]}, geometry=[shapely.box(0, 0, 1, 1)])
    layer = VectorLayer("Nested", gdf)
    prep = prepare(Tool("t.v", "V", "T", "1", "h", f"{__name__}:echo", params=(layer_param("v", "V", "polygon"),)),
                   {"v": layer})
    assert prep.stamps["v"].content_hash == layer.content_hash()


def test_empty_inputs_are_reported_before_running():
    pts = _points()
    pts.filter = PointFilter(date_from=pd.Timestamp("2030-01-01"))
    msgs = TOOL.validate({**TOOL.defaults(), "points": pts})
    assert msgs["points"] == ["Incidents has nothing to analyse after its filter"]
    empty = PointLayer("None", np.zeros(0), np.zeros(0))
    assert TOOL.validate({**TOOL.defaults(), "points": empty})["points"] == ["None has nothing to analyse"]
