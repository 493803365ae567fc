"""Zones without a display: drawing state machines, validation, snapping, edits, undo, measures."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString, Polygon, box

from hotspot_desktop.core.model import ZoneLayer
from hotspot_desktop.core.zones.commands import AddZone, DeleteZone, SetAttributes, SetGeometry
from hotspot_desktop.core.zones.drawing import BufferTool, CircleTool, LassoTool, PolygonTool, RectangleTool
from hotspot_desktop.core.zones.editing import (delete_vertex, insert_vertex, move_vertex, nearest_edge,
                                               nearest_vertex, translate)
from hotspot_desktop.core.zones.from_hotspots import cells_to_polygons, zones_from_shapes
from hotspot_desktop.core.zones.measures import LiveMeasurer, MaxCapture, zone_measures
from hotspot_desktop.core.zones.snapping import Snapper, nearest_feature
from hotspot_desktop.core.zones.validation import ZoneGeometryError, validate_zone


def test_polygon_tool_keys():
    t = PolygonTool()
    for p in [(0, 0), (100, 0), (100, 100), (50, 150)]:
        t.press(p)
    t.key("Backspace")
    t.move((0, 100))
    assert t.preview().area == pytest.approx(100 * 100)  # rubber band follows the cursor
    t.key("Enter")
    assert t.finished.equals(Polygon([(0, 0), (100, 0), (100, 100)]))
    t2 = PolygonTool()
    t2.press((0, 0))
    t2.key("Escape")
    assert t2.cancelled and t2.finished is None


def test_polygon_tool_flags_self_intersection():
    t = PolygonTool()
    for p in [(0, 0), (100, 100), (100, 0), (0, 100)]:
        t.press(p)
    assert t.self_intersecting()


def test_rectangle_circle_lasso_buffer():
    r = RectangleTool()
    r.press((10, 10)); r.move((0, 40)); r.release((0, 40))
    assert r.finished.bounds == (0, 10, 10, 40)
    c = CircleTool()
    c.press((0, 0)); c.move((30, 40))
    assert c.radius == 50 and "radius 50 m" in c.status()
    c.release((30, 40))
    assert c.finished.area == pytest.approx(np.pi * 2500, rel=0.01)
    lasso = LassoTool(spacing=1)
    lasso.press((0, 0))
    for p in [(10, 0), (10, 10), (0, 10)]:
        lasso.move(p)
    lasso.release((0, 1))
    assert lasso.finished.area == pytest.approx(100, rel=0.15)
    b = BufferTool(distance=20)
    b.pick(LineString([(0, 0), (100, 0)]))
    b.release((0, 0))
    assert b.finished.area == pytest.approx(100 * 40 + np.pi * 400, rel=0.01)


def test_validation_repairs_refuses_and_flags_overlaps():
    bowtie = Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])
    v = validate_zone(bowtie)
    assert v.geometry.is_valid and v.geometry.area == pytest.approx(50) and "crossed itself" in v.messages[0]
    with pytest.raises(ZoneGeometryError):
        validate_zone(bowtie, repair=False)
    with pytest.raises(ZoneGeometryError, match="no area"):
        validate_zone(Polygon([(0, 0), (10, 0), (20, 0)]))
    existing = gpd.GeoDataFrame({"name": ["A", "B"]}, geometry=[box(0, 0, 10, 10), box(100, 100, 110, 110)])
    v2 = validate_zone(box(5, 5, 20, 20), existing)
    assert v2.overlaps == (0,) and "Overlaps existing zone(s): A" in v2.messages[-1]


def test_snapping_prefers_vertices_then_edges():
    s = Snapper([box(0, 0, 100, 100)])
    assert s.snap(102, 101, tolerance=5).kind == "vertex"
    e = s.snap(50, 103, tolerance=5)
    assert e.kind == "edge" and (e.x, e.y) == (50, 100)
    assert s.snap(50, 50, tolerance=5) is None
    assert nearest_feature([LineString([(0, 0), (10, 0)]), LineString([(0, 50), (10, 50)])], 5, 45, 10) == 1


def test_vertex_edits():
    sq = box(0, 0, 10, 10)
    a = nearest_vertex(sq, 10.2, 10.1, 1)
    moved = move_vertex(sq, a, 12, 12)
    assert moved.area > sq.area
    edge = nearest_edge(sq, 5, -0.5, 1)
    added = insert_vertex(sq, edge[0], 5, -3)
    assert len(added.exterior.coords) == 6 and added.area == pytest.approx(100 + 15)
    removed = delete_vertex(added, nearest_vertex(added, 5, -3, 0.1))
    assert removed.area == pytest.approx(100)
    tri = Polygon([(0, 0), (1, 0), (0, 1)])
    with pytest.raises(ZoneGeometryError):
        delete_vertex(tri, nearest_vertex(tri, 0, 0, 0.1))
    assert translate(sq, 5, 5).bounds == (5, 5, 15, 15)


def test_undo_redo_sequence():
    layer = ZoneLayer()
    add = AddZone(box(0, 0, 10, 10), {"name": "Target 1", "role": "target"})
    add.redo(layer)
    zid = add.zone_id
    reshape = SetGeometry(zid, box(0, 0, 20, 20))
    reshape.redo(layer)
    attrs = SetAttributes(zid, {"unit": "Car 12", "priority": 2})
    attrs.redo(layer)
    delete = DeleteZone(zid)
    delete.redo(layer)
    assert len(layer.gdf) == 0
    delete.undo(layer)
    assert layer.gdf.iloc[0]["unit"] == "Car 12"
    attrs.undo(layer)
    assert layer.gdf.iloc[0]["unit"] == ""
    reshape.undo(layer)
    assert layer.gdf.geometry.iloc[0].area == 100
    reshape.redo(layer)
    assert layer.gdf.geometry.iloc[0].area == 400
    add2 = AddZone(box(50, 50, 60, 60), {"name": "Patrol"})
    add2.redo(layer)
    add2.undo(layer)
    add.undo(layer)
    assert len(layer.gdf) == 0 and layer.data_version > 0


def test_measures_against_independent_shapely_counts():
    rng = np.random.default_rng(0)
    x, y = rng.uniform(0, 1000, 5000), rng.uniform(0, 1000, 5000)
    x[:500], y[:500] = rng.uniform(100, 200, 500), rng.uniform(100, 200, 500)  # a hot square
    off = pd.Series(np.where(np.arange(5000) % 2, "burglary", "robbery"))
    t = pd.Series(pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.uniform(0, 90, 5000), unit="D"))
    zones = gpd.GeoDataFrame({"name": ["hot", "cold"]}, geometry=[box(100, 100, 200, 200), box(600, 600, 700, 700)])
    res = zone_measures(zones, x, y, times=t, offences=off, study_area_m2=1e6)
    ref = [int(shapely.contains_xy(g, x, y).sum()) for g in zones.geometry]
    assert list(res.table["incidents"]) == ref
    hot = res.table.iloc[0]
    assert hot["share"] == pytest.approx(ref[0] / 5000)
    assert hot["pai"] == pytest.approx((ref[0] / 5000) / (1e4 / 1e6))
    assert hot["pei"] > 0.95  # the hot square is (close to) the best 1-hectare area
    assert res.table.iloc[1]["pei"] < 0.3
    assert res.by_offence.iloc[0].sum() == ref[0]
    assert res.by_period.iloc[0].sum() == ref[0]
    live = LiveMeasurer(x, y, 1e6).measure(box(100, 100, 200, 200))
    assert live.incidents == ref[0] and live.pai == pytest.approx(hot["pai"])


def test_max_capture_is_pro_rata():
    cap = MaxCapture(np.array([5.0, 5, 5, 150, 150, 350]), np.array([5.0, 5, 5, 5, 5, 5]), cell_size=100)
    assert cap(1e4) == 3 and cap(1.5e4) == 4 and cap(1e9) == 6


def test_zones_from_hot_cells():
    mask = np.zeros((10, 10), dtype=bool)
    mask[2:4, 2:5] = True
    mask[8, 8] = True
    polys = zones_from_shapes(cells_to_polygons(mask, 0, 0, 100), smooth_m=20, simplify_m=5, min_area_m2=2e4)
    assert len(polys) == 1 and polys[0].area == pytest.approx(6e4, rel=0.05)
