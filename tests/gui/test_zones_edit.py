"""Editing drawn zones with the mouse: vertices, whole-zone moves, deletes, undo/redo."""

from __future__ import annotations

import pytest
import shapely
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.gui.test_zones_support import (
    NOMOD,
    click,
    dclick,
    drag,
    key,
    local,
    move,
    mpp,
    pixel,
    viewport,
    zones_gdf,
)

pytestmark = pytest.mark.gui


def draw_square(window, x0=200, y0=200, x1=400, y1=400):
    window.zones_ui.toolbar.tool_actions["rectangle"].trigger()
    drag(window, [(x0, y0), (x1, y1)])
    return zones_gdf(window)["zone_id"].iloc[-1]


def local_geom(window, row=0):
    return local(zones_gdf(window).geometry.iloc[row])


def vertex_set(g, grid=10):
    """Vertices rounded to ``grid`` m (a pixel is about 2 m in these tests)."""
    return {(int(round(x / grid) * grid), int(round(y / grid) * grid)) for x, y in list(g.exterior.coords)[:-1]}


def test_vertex_move_insert_delete_with_undo(zwin):
    tb = zwin.zones_ui.toolbar
    draw_square(zwin)
    stack = zwin.undo_stack
    tb.tool_actions["vertices"].trigger()
    click(zwin, 300, 300)  # select the zone
    assert zwin.zones_ui.controller.selected is not None
    assert len(zwin.zones_ui.controller.band.handles.data) == 4

    # Drag the north-east vertex out by 100 m: one undo step however many moves.
    drag(zwin, [(400, 400), (420, 420), (460, 460), (500, 500)])
    assert vertex_set(local_geom(zwin)) == {(200, 200), (400, 200), (500, 500), (200, 400)}
    assert stack.count() == 2 and stack.undoText() == "move vertex"

    # Double-click the middle of the south edge inserts a vertex there.
    dclick(zwin, 300, 200)
    assert len(local_geom(zwin).exterior.coords) == 6
    assert (300, 200) in vertex_set(local_geom(zwin))
    assert stack.undoText() == "insert vertex"

    # Right-click on it deletes it again; hovering a vertex and pressing Delete deletes that one.
    QTest.mouseClick(viewport(zwin), Qt.MouseButton.RightButton, NOMOD, pixel(zwin, 300, 200))
    assert (300, 200) not in vertex_set(local_geom(zwin))
    move(zwin, 200, 400)
    key(zwin, Qt.Key.Key_Delete)
    assert vertex_set(local_geom(zwin)) == {(200, 200), (400, 200), (500, 500)}
    # A triangle cannot lose another vertex: refused with a message.
    move(zwin, 200, 200)
    key(zwin, Qt.Key.Key_Delete)
    assert len(vertex_set(local_geom(zwin))) == 3
    assert "three vertices" in zwin.zones_ui.controller.last_message

    # Undo everything step by step with Ctrl+Z, then redo with Ctrl+Shift+Z.
    n = stack.count()
    for _ in range(n - 1):
        QTest.keyClick(zwin, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert vertex_set(local_geom(zwin)) == {(200, 200), (400, 200), (400, 400), (200, 400)}
    for _ in range(n - 1):
        QTest.keyClick(zwin, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert vertex_set(local_geom(zwin)) == {(200, 200), (400, 200), (500, 500)}


def test_move_zone_is_one_undo_step_and_escape_cancels(zwin):
    tb = zwin.zones_ui.toolbar
    draw_square(zwin)
    before = local_geom(zwin)
    tb.tool_actions["move"].trigger()
    vp = viewport(zwin)
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, NOMOD, pixel(zwin, 300, 300))
    for x, y in ((320, 310), (380, 350), (450, 400)):
        move(zwin, x, y)
    assert "incidents" in zwin.zones_ui.controller.band.text  # the live measure follows the drag
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, NOMOD, pixel(zwin, 450, 400))
    assert zwin.zones_ui.controller.band.text == ""
    after = local_geom(zwin)
    assert after.equals_exact(shapely.affinity.translate(before, 150, 100), tolerance=2 * mpp(zwin))
    assert zwin.undo_stack.count() == 2 and zwin.undo_stack.undoText() == "move zone"
    zwin.undo_stack.undo()
    assert local_geom(zwin).equals_exact(before, 1e-6)
    zwin.undo_stack.redo()
    assert local_geom(zwin).equals_exact(after, 1e-6)

    # Esc during a drag puts the zone back.
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, NOMOD, pixel(zwin, 500, 450))
    move(zwin, 600, 600)
    assert not local_geom(zwin).equals_exact(after, 1e-6)
    key(zwin, Qt.Key.Key_Escape)
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, NOMOD, pixel(zwin, 600, 600))
    assert local_geom(zwin).equals_exact(after, 1e-6)
    assert zwin.undo_stack.count() == 2


def test_vertex_drag_that_crosses_itself_is_repaired(zwin):
    draw_square(zwin)
    zwin.zones_ui.toolbar.tool_actions["vertices"].trigger()
    click(zwin, 300, 300)
    # Pull the north-east vertex across the south edge: the outline crosses itself.
    drag(zwin, [(400, 400), (350, 250), (300, 100)])
    g = zones_gdf(zwin).geometry.iloc[0]
    assert g.is_valid
    assert "crossed itself" in zwin.zones_ui.controller.last_message
    assert zwin.undo_stack.count() == 2  # the drag and its repair are one step
    zwin.undo_stack.undo()
    assert vertex_set(local_geom(zwin)) == {(200, 200), (400, 200), (400, 400), (200, 400)}


def test_select_delete_and_delete_tool(zwin):
    tb = zwin.zones_ui.toolbar
    a = draw_square(zwin)
    b = draw_square(zwin, 600, 600, 800, 800)
    tb.tool_actions["select"].trigger()
    click(zwin, 700, 700)
    assert zwin.zones_ui.controller.selected == b
    assert list(zwin.project.zones.selection) == [1]
    key(zwin, Qt.Key.Key_Delete)
    assert list(zones_gdf(zwin)["zone_id"]) == [a]
    tb.tool_actions["delete"].trigger()
    click(zwin, 300, 300)
    assert len(zones_gdf(zwin)) == 0
    zwin.undo_stack.undo()
    zwin.undo_stack.undo()
    assert list(zones_gdf(zwin)["zone_id"]) == [a, b]


def test_undo_history_view_lists_the_steps(zwin):
    draw_square(zwin)
    zwin.zones_ui.toolbar.tool_actions["move"].trigger()
    drag(zwin, [(300, 300), (350, 350)])
    view = zwin.zones_ui.undo_view
    model = view.model()
    texts = [model.index(i, 0).data() for i in range(model.rowCount())]
    assert texts == ["<start>", "draw rectangle zone", "move zone"]
    # Clicking the first row of the history goes back to the start.
    view.setCurrentIndex(model.index(0, 0))
    assert len(zones_gdf(zwin)) == 0
