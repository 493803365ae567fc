"""Drawing zones on the canvas with real mouse and key events."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from hotspot_desktop.gui.canvas import image_to_array
from tests.gui.test_zones_support import (
    X0,
    Y0,
    click,
    dclick,
    drag,
    key,
    local,
    move,
    mpp,
    pixel,
    zones_gdf,
)

pytestmark = pytest.mark.gui


def ui(window):
    return window.zones_ui


def test_installed_in_the_window(zwin):
    assert "Zones" in zwin.menus
    titles = [a.text().replace("&", "") for a in zwin.menuBar().actions()]
    assert titles.index("Zones") > titles.index("Tools")
    assert ui(zwin).toolbar.tool_actions["polygon"].actionGroup() is zwin.tool_group
    assert ui(zwin).dock.objectName() == "ZonesDock"


def test_polygon_by_clicks_and_double_click(zwin):
    ui(zwin).toolbar.tool_actions["polygon"].trigger()
    assert zwin.canvas.tool == "none"
    for x, y in ((100, 100), (400, 100), (400, 300)):
        click(zwin, x, y)
    move(zwin, 150, 320)
    assert "incidents" in ui(zwin).controller.band.text and "PAI" in ui(zwin).controller.band.text
    dclick(zwin, 100, 300)
    gdf = zones_gdf(zwin)
    assert len(gdf) == 1
    g = local(gdf.geometry.iloc[0])
    tol = 3 * mpp(zwin)
    assert g.area == pytest.approx(300 * 200, abs=tol * 1000)
    assert len(g.exterior.coords) == 5  # four vertices, closed
    assert gdf["role"].iloc[0] == "target" and gdf["name"].iloc[0] == "Zone 1"
    assert zwin.undo_stack.count() == 1


def test_rectangle_circle_lasso_buffer(zwin):
    c = ui(zwin).controller
    tol = 3 * mpp(zwin)
    ui(zwin).toolbar.tool_actions["rectangle"].trigger()
    drag(zwin, [(100, 100), (300, 200), (500, 400)])
    g = local(zones_gdf(zwin).geometry.iloc[-1])
    assert g.area == pytest.approx(400 * 300, abs=tol * 1400)
    assert g.bounds == pytest.approx((100, 100, 500, 400), abs=tol)

    ui(zwin).toolbar.tool_actions["circle"].trigger()
    vp = zwin.canvas.graphics_view.viewport()
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pixel(zwin, 700, 700))
    move(zwin, 800, 700)
    assert c.band.text.startswith("radius ") and " m" in c.band.text
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pixel(zwin, 800, 700))
    g = local(zones_gdf(zwin).geometry.iloc[-1])
    r = math.sqrt(g.area / (math.pi * 0.9984))  # a 128-gon holds 99.84 % of its circle
    assert r == pytest.approx(100, abs=tol)
    assert (g.centroid.x, g.centroid.y) == pytest.approx((700, 700), abs=tol)

    ui(zwin).toolbar.tool_actions["lasso"].trigger()
    ring = [(500 + 150 * math.cos(t), 200 + 150 * math.sin(t)) for t in np.linspace(0, 2 * math.pi, 60)]
    drag(zwin, ring)
    g = local(zones_gdf(zwin).geometry.iloc[-1])
    assert g.area == pytest.approx(math.pi * 150**2, rel=0.05)

    ui(zwin).toolbar.buffer_distance.setValue(60)
    ui(zwin).toolbar.tool_actions["buffer"].trigger()
    click(zwin, 850, 150)
    g = local(zones_gdf(zwin).geometry.iloc[-1])
    assert g.area == pytest.approx(math.pi * 60**2, rel=0.01)
    assert g.centroid.distance(shapely.Point(850, 150)) < tol
    assert len(zones_gdf(zwin)) == 4 and zwin.undo_stack.count() == 4


def test_buffer_of_a_street_segment(zwin):
    import geopandas as gpd

    from hotspot_desktop.core.model import VectorLayer
    from tests.gui.test_zones_support import UTM

    streets = gpd.GeoDataFrame({"name": ["Main St"]},
                               geometry=[shapely.LineString([(X0 + 100, Y0 + 500), (X0 + 400, Y0 + 500),
                                                             (X0 + 400, Y0 + 900)])], crs=UTM)
    zwin.add_layer(VectorLayer("streets", streets))
    ui(zwin).toolbar.set_snap_layer(zwin.project.layers.by_name("streets").id)
    ui(zwin).toolbar.buffer_distance.setValue(20)
    ui(zwin).toolbar.tool_actions["buffer"].trigger()
    click(zwin, 250, 500 + 2 * mpp(zwin))
    g = local(zones_gdf(zwin).geometry.iloc[-1])
    # The clicked segment (100,500)-(400,500) buffered by 20 m, not the whole street.
    assert g.area == pytest.approx(300 * 40 + math.pi * 20**2, rel=0.01)
    assert g.bounds == pytest.approx((80, 480, 420, 520), abs=0.5)


def test_buffer_distance_in_feet_for_imperial_projects(zwin):
    zwin.project.display_units = "ft"
    tb = ui(zwin).toolbar
    tb.tool_actions["buffer"].trigger()
    assert tb.buffer_distance.suffix() == " ft" and tb.buffer_distance.value() == pytest.approx(328, abs=1)
    tb.buffer_distance.setValue(200)
    click(zwin, 500, 500)
    g = zones_gdf(zwin).geometry.iloc[-1]
    assert g.area == pytest.approx(math.pi * (200 * 0.3048) ** 2, rel=0.01)
    ui(zwin).toolbar.tool_actions["circle"].trigger()
    vp = zwin.canvas.graphics_view.viewport()
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pixel(zwin, 200, 200))
    move(zwin, 300, 200)
    assert ui(zwin).controller.band.text.startswith("radius 3")  # about 328 ft
    assert " ft" in ui(zwin).controller.band.text


def test_snapping_to_a_chosen_layer(zwin):
    import geopandas as gpd

    from hotspot_desktop.core.model import VectorLayer
    from tests.gui.test_zones_support import UTM

    beats = gpd.GeoDataFrame({"beat": ["1A"]}, geometry=[shapely.box(X0 + 400, Y0 + 400, X0 + 700, Y0 + 700)],
                             crs=UTM)
    zwin.add_layer(VectorLayer("beats", beats))
    tb = ui(zwin).toolbar
    tb.tool_actions["polygon"].trigger()
    off = 3 * mpp(zwin)
    # Zones only: the beat's corner does not attract the click.
    click(zwin, 400 + off, 400 + off)
    assert ui(zwin).controller.tool.vertices[0] != pytest.approx((X0 + 400, Y0 + 400), abs=1e-6)
    key(zwin, Qt.Key.Key_Escape)
    tb.set_snap_layer(zwin.project.layers.by_name("beats").id)
    click(zwin, 400 + off, 400 + off)  # onto the corner
    click(zwin, 550, 400 + off)  # onto the edge
    click(zwin, 550, 300)
    key(zwin, Qt.Key.Key_Return)
    coords = list(zones_gdf(zwin).geometry.iloc[0].exterior.coords)
    assert coords[0] == pytest.approx((X0 + 400, Y0 + 400), abs=1e-6)
    assert coords[1][1] == pytest.approx(Y0 + 400, abs=1e-6)


def test_polygon_keys_backspace_escape_enter(zwin):
    c = ui(zwin).controller
    ui(zwin).toolbar.tool_actions["polygon"].trigger()
    for x, y in ((100, 100), (300, 100), (300, 300), (900, 900)):
        click(zwin, x, y)
    key(zwin, Qt.Key.Key_Backspace)
    assert len(c.tool.vertices) == 3
    key(zwin, Qt.Key.Key_Escape)
    assert c.tool.vertices == [] and not c.band.shape.isVisible()
    assert zones_gdf(zwin) is None or len(zones_gdf(zwin)) == 0
    for x, y in ((100, 100), (300, 100)):
        click(zwin, x, y)
    key(zwin, Qt.Key.Key_Return)
    assert "three vertices" in c.last_message
    click(zwin, 300, 300)
    key(zwin, Qt.Key.Key_Return)
    g = local(zones_gdf(zwin).geometry.iloc[0])
    assert g.area == pytest.approx(200 * 200 / 2, rel=0.03)


def test_self_intersecting_polygon_is_red_then_repaired(zwin):
    c = ui(zwin).controller
    ui(zwin).toolbar.tool_actions["polygon"].trigger()
    for x, y in ((100, 100), (500, 500), (500, 100)):
        click(zwin, x, y)
    move(zwin, 100, 500)  # the cursor closes a bow tie
    assert c.band.invalid and "crosses itself" in c.band.text
    img = image_to_array(zwin.canvas.graphics_view.grab().toImage())
    p = pixel(zwin, 300, 300)  # where the red outline crosses itself
    patch = img[p.y() - 3:p.y() + 4, p.x() - 3:p.x() + 4, :3].reshape(-1, 3).astype(int)
    assert ((patch[:, 0] > 180) & (patch[:, 1] < 90) & (patch[:, 2] < 90)).sum() >= 3
    dclick(zwin, 100, 500)
    gdf = zones_gdf(zwin)
    assert len(gdf) == 1 and gdf.geometry.iloc[0].is_valid
    assert gdf.geometry.iloc[0].geom_type == "MultiPolygon"
    assert "crossed itself" in c.last_message
    assert "crossed itself" in zwin.statusBar().currentMessage()


def test_zero_area_is_refused(zwin):
    c = ui(zwin).controller
    ui(zwin).toolbar.tool_actions["rectangle"].trigger()
    drag(zwin, [(100, 100), (300, 100)])
    assert "no area" in c.last_message
    assert zones_gdf(zwin) is None or len(zones_gdf(zwin)) == 0
    assert zwin.undo_stack.count() == 0


def test_overlapping_zone_is_added_and_flagged(zwin):
    c = ui(zwin).controller
    ui(zwin).toolbar.tool_actions["rectangle"].trigger()
    drag(zwin, [(100, 100), (400, 400)])
    drag(zwin, [(300, 300), (600, 600)])
    assert len(zones_gdf(zwin)) == 2
    assert "Overlaps existing zone(s): Zone 1" in c.last_message


def test_snapping_pulls_a_click_onto_a_neighbours_vertex(zwin):
    ui(zwin).toolbar.tool_actions["rectangle"].trigger()
    drag(zwin, [(100, 100), (300, 300)])
    corner = zones_gdf(zwin).geometry.iloc[0].exterior.coords
    vx, vy = max(corner, key=lambda c: c[0] + c[1])  # the north-east corner
    off = 4 * mpp(zwin)  # within the 10 px tolerance
    drag(zwin, [(vx - X0 + off, vy - Y0 - off), (600, 600)])
    g = zones_gdf(zwin).geometry.iloc[1]
    assert min(g.exterior.coords, key=lambda c: c[0] + c[1]) == pytest.approx((vx, vy), abs=1e-6)
    # Without snapping the press lands where it was made.
    ui(zwin).toolbar.snap_action.setChecked(False)
    drag(zwin, [(vx - X0 + off, vy - Y0 - off), (700, 700)])
    g = zones_gdf(zwin).geometry.iloc[2]
    assert min(g.exterior.coords, key=lambda c: c[0] + c[1]) != pytest.approx((vx, vy), abs=1e-6)


def test_navigation_still_works_while_drawing(zwin):
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    ui(zwin).toolbar.tool_actions["polygon"].trigger()
    before = zwin.canvas.current_extent()
    vp = zwin.canvas.graphics_view.viewport()
    centre = QPointF(vp.width() / 2, vp.height() / 2)
    ev = QWheelEvent(centre, vp.mapToGlobal(centre), QPoint(0, 0), QPoint(0, 120), Qt.MouseButton.NoButton,
                     Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(vp, ev)
    after = zwin.canvas.current_extent()
    assert after[2] - after[0] < before[2] - before[0]  # zoomed in
    # A drag draws nothing in polygon mode and does not pan.
    drag(zwin, [(400, 400), (450, 450), (500, 500)])
    assert zwin.canvas.current_extent() == pytest.approx(after)
    # The window's Pan tool ends zone drawing and drags pan again.
    zwin.named_actions["tool_pan"].trigger()
    assert ui(zwin).controller.mode is None and zwin.canvas.tool == "pan"
    assert not ui(zwin).toolbar.tool_actions["polygon"].isChecked()


def test_drawn_zone_is_rendered_in_its_role_colour(zwin):
    from tests.gui.test_canvas_helpers import snapshot

    ui(zwin).toolbar.tool_actions["rectangle"].trigger()
    drag(zwin, [(600, 100), (900, 400)])
    img = snapshot(zwin.canvas)
    p = pixel(zwin, 750, 250)
    r, g, b = (int(v) for v in img[p.y(), p.x(), :3])
    assert r > g > b and r - b > 40  # target orange (#D55E00) tint over white
