"""Navigation, scale, identify and off-size rendering of MapCanvas."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from hotspot_desktop.core.model import PointLayer, Project, RasterLayer, VectorLayer
from hotspot_desktop.core.render_math import scale_denominator
from hotspot_desktop.gui.canvas import image_to_array
from tests.gui.test_canvas_helpers import show_canvas, to_pixel

EXTENT = (0.0, 0.0, 1000.0, 1000.0)


def project() -> tuple[Project, VectorLayer, PointLayer, RasterLayer]:
    p = Project()
    raster = RasterLayer("grid", np.arange(100, dtype=float).reshape(10, 10), 0.0, 0.0, 100.0)
    gdf = gpd.GeoDataFrame({"beat": ["A", "B"], "n": [3, 4]},
                           geometry=[shapely.box(0, 0, 600, 600), shapely.box(400, 400, 1000, 1000)])
    beats = VectorLayer("beats", gdf)
    pts = PointLayer("incidents", np.array([500.0, 505.0, 900.0]), np.array([500.0, 500.0, 100.0]),
                     pd.DataFrame({"incident_id": ["i0", "i1", "i2"]}))
    for layer in (raster, beats, pts):
        p.layers.append(layer)
    return p, beats, pts, raster


def test_zoom_full_layer_history_and_scale(qtbot):
    p, _beats, pts, _raster = project()
    canvas = show_canvas(qtbot, p)
    xmin, ymin, xmax, ymax = canvas.current_extent()
    assert xmin <= 0 and ymin <= 0 and xmax >= 1000 and ymax >= 1000
    # Square pixels: the aspect is locked to the widget's.
    vb = canvas.view_box
    assert (xmax - xmin) / vb.width() == pytest.approx((ymax - ymin) / vb.height(), rel=1e-3)

    with qtbot.waitSignal(canvas.scale_changed) as sig:
        canvas.zoom_to_extent((100, 100, 300, 300), pad=0.0)
    mpp = (canvas.current_extent()[2] - canvas.current_extent()[0]) / vb.width()
    assert sig.args[0] == pytest.approx(scale_denominator(mpp, canvas.logicalDpiX()), rel=1e-6)
    assert canvas.scale_denominator() == pytest.approx(sig.args[0])

    canvas.zoom_to_layer(pts)
    e = canvas.current_extent()
    assert e[0] <= 500 and e[2] >= 900 and e[2] - e[0] < 1000

    canvas.previous_view()
    e = canvas.current_extent()
    assert e[0] <= 100 and e[2] >= 300 and e[2] - e[0] < 400
    canvas.previous_view()
    assert canvas.current_extent()[2] - canvas.current_extent()[0] > 1000
    canvas.next_view()
    canvas.next_view()
    e = canvas.current_extent()
    assert e[0] <= 500 and e[2] >= 900
    assert p.view["xmin"] == pytest.approx(e[0])


def test_cursor_moved_reports_map_coordinates(qtbot):
    p, *_ = project()
    canvas = show_canvas(qtbot, p, EXTENT)
    c, r = to_pixel(canvas, 250.0, 750.0)
    with qtbot.waitSignal(canvas.cursor_moved) as sig:
        QTest.mouseMove(canvas.graphics_view.viewport(), QPoint(c, r))
    mpp = (canvas.current_extent()[2] - canvas.current_extent()[0]) / canvas.view_box.width()
    assert sig.args[0] == pytest.approx(250.0, abs=2 * mpp)
    assert sig.args[1] == pytest.approx(750.0, abs=2 * mpp)


def test_identify_click_lists_overlapping_features_top_first(qtbot):
    p, beats, _pts, raster = project()
    canvas = show_canvas(qtbot, p, EXTENT)
    canvas.set_tool("identify")
    c, r = to_pixel(canvas, 501.0, 500.0)
    with qtbot.waitSignal(canvas.features_identified) as sig:
        QTest.mouseClick(canvas.graphics_view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(c, r))
    hits = sig.args[0]
    layers = [h[0].name for h in hits]
    assert layers[:2] == ["incidents", "incidents"]  # both nearby incidents, nearest first
    assert [h[2]["incident_id"] for h in hits[:2]] == ["i0", "i1"]
    beat_hits = [h for h in hits if h[0] is beats]
    assert [h[1] for h in beat_hits] == [1, 0]  # both beats overlap here; the later one is on top
    assert beat_hits[0][2]["beat"] == "B"
    assert any(h[0] is raster for h in hits)
    grid = [h for h in canvas.identify_at(550.0, 550.0) if h[0] is raster]
    assert grid[0][1] == 55 and grid[0][2]["value"] == 55.0

    hits = canvas.identify_at(900.0, 150.0)
    assert [(h[0].name, h[1]) for h in hits] == [("grid", 19)]
    beats.visible = False
    assert all(h[0] is not beats for h in canvas.identify_at(300.0, 300.0))


def test_zoom_box_tool_and_unknown_tool(qtbot):
    p, *_ = project()
    canvas = show_canvas(qtbot, p, EXTENT)
    canvas.set_tool("zoom_box")
    assert canvas.view_box.state["mouseMode"] == canvas.view_box.RectMode
    canvas.set_tool("pan")
    assert canvas.view_box.state["mouseMode"] == canvas.view_box.PanMode
    with pytest.raises(ValueError):
        canvas.set_tool("lasso")


def test_render_to_image_of_another_size_shows_the_same_place(qtbot):
    p = Project()
    gdf = gpd.GeoDataFrame({"k": [1]}, geometry=[shapely.box(0, 0, 500, 1000)])
    layer = VectorLayer("left half", gdf)
    layer.style.symbol.fill = "#000000ff"
    p.layers.append(layer)
    canvas = show_canvas(qtbot, p, EXTENT)
    img = image_to_array(canvas.render_to_image(200, 200))
    assert img.shape == (200, 200, 4)
    assert img[100, 40, :3].max() < 30  # left half black
    assert img[100, 160, :3].min() > 225  # right half white


def test_drag_pans_and_wheel_zooms_about_the_cursor(qtbot):
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    p, *_ = project()
    canvas = show_canvas(qtbot, p, EXTENT)
    vp = canvas.graphics_view.viewport()
    e0 = canvas.current_extent()
    mpp = (e0[2] - e0[0]) / canvas.view_box.width()
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(200, 150))
    for i in range(1, 11):
        QTest.mouseMove(vp, QPoint(200 + 5 * i, 150))
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(250, 150))
    e1 = canvas.current_extent()
    assert e1[0] == pytest.approx(e0[0] - 50 * mpp, abs=2 * mpp)  # the map follows the mouse
    assert e1[1] == pytest.approx(e0[1], abs=mpp)

    x, y = 120, 90
    before = canvas.view_box.mapSceneToView(canvas.graphics_view.mapToScene(QPoint(x, y)))
    pos = QPointF(x, y)
    wheel = QWheelEvent(pos, vp.mapToGlobal(pos), QPoint(0, 0), QPoint(0, 120), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(vp, wheel)
    e2 = canvas.current_extent()
    assert e2[2] - e2[0] < e1[2] - e1[0]  # zoomed in
    after = canvas.view_box.mapSceneToView(canvas.graphics_view.mapToScene(QPoint(x, y)))
    assert after.x() == pytest.approx(before.x(), abs=2 * mpp)  # ...about the cursor
    assert after.y() == pytest.approx(before.y(), abs=2 * mpp)


def test_zoom_box_drag_zooms_into_the_rectangle(qtbot):
    p, *_ = project()
    canvas = show_canvas(qtbot, p, EXTENT)
    canvas.set_tool("zoom_box")
    vp = canvas.graphics_view.viewport()
    a, b = to_pixel(canvas, 200, 800), to_pixel(canvas, 400, 600)
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(*a))
    for i in range(1, 11):
        QTest.mouseMove(vp, QPoint(a[0] + (b[0] - a[0]) * i // 10, a[1] + (b[1] - a[1]) * i // 10))
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(*b))
    xmin, ymin, xmax, ymax = canvas.current_extent()
    mpp = (xmax - xmin) / canvas.view_box.width()
    # The box is shown whole (widened to the view's aspect), and nothing much more.
    assert xmin <= 200 + 4 * mpp and xmax >= 400 - 4 * mpp
    assert ymin <= 600 + 4 * mpp and ymax >= 800 - 4 * mpp
    assert xmax - xmin < 400 and ymax - ymin < 300
