"""Community input layers in the GUI, driven like a user: File ▸ Export ▸ Table as CSV ▸ Zone
measures writes what ``export table --what zones`` writes (community columns included, zones
that share a name apart); Layer ▸ Properties switches a point layer between incidents and
community input (undoable, saved); the Time dock and the tools' layer defaults skip community
layers unless the analyst picks one."""

from __future__ import annotations

import pandas as pd
import pytest
import shapely
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog

from hotspot_desktop.cli import main as cli_main
from hotspot_desktop.core.io.project_io import open_project, save_project
from hotspot_desktop.core.model import POINT_ROLE_LABELS, Project, ZoneLayer
from tests.core.test_zone_measures_by_position import (
    UTM,
    incidents,
    requests,
    twin_zones,
)
from tests.gui.test_main_window import make_window

pytestmark = pytest.mark.gui


def make_project() -> Project:
    p = Project(UTM)
    p.layers.append(incidents())
    p.layers.append(ZoneLayer("Zones", twin_zones()))
    p.layers.append(requests())  # top-most, and the active layer: a fresh import is both
    p.layers.active = p.layers.by_name("Service requests")
    p.modified = False
    return p


@pytest.fixture
def window(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path, make_project(), record_errors=True)
    return w


def test_zone_measures_table_from_the_menu_matches_the_cli(qtbot, window, tmp_path, monkeypatch):
    out = tmp_path / "from_menu.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), "CSV (*.csv)"))
    ui = window.export_ui
    ui.table_menu.aboutToShow.emit()  # what opening File ▸ Export ▸ Table as CSV does
    action = next(a for a in ui.table_menu.actions() if a.text() == "Zone measures…")
    action.trigger()
    assert not window.errors and out.is_file()
    menu = pd.read_csv(out)
    # independent counts per zone: the two "Market" zones each have their own
    pts = window.project.layers.by_name("Incidents")
    com = window.project.layers.by_name("Service requests")
    assert list(menu["zone"]) == ["Market", "Market", "Park"] and list(menu["zone_id"]) == ["m-west", "m-east", "park"]
    for i, geom in enumerate(window.project.zones.gdf.geometry):
        assert menu.loc[i, "incidents"] == shapely.intersects_xy(geom, pts.x, pts.y).sum()
        assert menu.loc[i, "community"] == shapely.intersects_xy(geom, com.x, com.y).sum()
    assert {"Service requests: Graffiti", "Burglary", "community_km2"} <= set(menu.columns)
    # the command line on the same project writes the same table
    path = tmp_path / "same.hsproj"
    save_project(window.project, path)
    cli_out = tmp_path / "from_cli.csv"
    assert cli_main(["export", "table", str(path), "--what", "zones", "--out", str(cli_out)]) == 0
    pd.testing.assert_frame_equal(menu, pd.read_csv(cli_out))


def test_table_menu_needs_an_incident_layer(qtbot, window):
    window.project.layers.remove(window.project.layers.by_name("Incidents"))
    ui = window.export_ui
    ui.table_menu.aboutToShow.emit()
    assert [a.text() for a in ui.table_menu.actions()] == ["No tables yet"]  # community input alone is not enough


def _properties(qtbot, window, layer):
    window.project.layers.active = layer
    window.named_actions["layer_properties"].trigger()
    dialog = window.last_properties_dialog
    qtbot.waitExposed(dialog)
    return dialog


def _choose(qtbot, combo, text: str) -> None:
    """Pick ``text`` in a combo box with the keyboard, as a user would."""
    combo.setFocus()
    target = combo.findText(text)
    while combo.currentIndex() != target:
        QTest.keyClick(combo, Qt.Key.Key_Down if combo.currentIndex() < target else Qt.Key.Key_Up)


def test_role_in_layer_properties_is_undoable_and_saved(qtbot, window, tmp_path):
    project = window.project
    pts = project.layers.by_name("Incidents")
    dialog = _properties(qtbot, window, pts)
    assert dialog.role.currentData() == "incidents"
    assert [dialog.role.itemText(i) for i in range(dialog.role.count())] == [
        POINT_ROLE_LABELS["incidents"], POINT_ROLE_LABELS["community"], POINT_ROLE_LABELS["patrol_log"]]
    assert POINT_ROLE_LABELS["patrol_log"] == "Patrol log / AVL (unit, time, position)"
    assert "Rows: Incidents" in dialog.info.toPlainText()
    _choose(qtbot, dialog.role, POINT_ROLE_LABELS["community"])
    assert dialog.marker.currentData() == "t"  # triangles suggested, as the community import draws them
    assert not project.modified and pts.role == "incidents"  # nothing changes before Apply
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Apply), Qt.MouseButton.LeftButton)
    assert pts.role == "community" and pts.style.symbol.marker == "t" and project.modified
    assert window.isWindowModified() and "Rows: Community input" in dialog.info.toPlainText()
    assert project.incident_layer() is None and pts in project.community_layers()
    dialog.close()
    # one undo step gives back the role and the style; redo applies both again
    assert window.undo_stack.count() == 1
    window.named_actions["undo"].trigger()
    assert pts.role == "incidents" and pts.style.symbol.marker == "o" and project.incident_layer() is pts
    window.named_actions["redo"].trigger()
    assert pts.role == "community"
    window.named_actions["undo"].trigger()
    # the other way: the service requests become incidents, saved in the project file
    com = project.layers.by_name("Service requests")
    dialog = _properties(qtbot, window, com)
    assert dialog.role.currentData() == "community"
    _choose(qtbot, dialog.role, POINT_ROLE_LABELS["incidents"])
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert com.role == "incidents" and project.community_layers() == []
    path = tmp_path / "roles.hsproj"
    assert window.save_project(path) and not project.modified
    back, _, warnings = open_project(path)
    assert warnings == [] and back.community_layers() == []
    window.named_actions["undo"].trigger()
    assert com.role == "community" and project.modified  # undoing after a save is a change to save
    assert window.save_project(path)
    back, _, _ = open_project(path)
    assert [c.name for c in back.community_layers()] == ["Service requests"]


def test_role_row_only_for_point_layers(qtbot, window):
    dialog = _properties(qtbot, window, window.project.zones)
    assert dialog.role is None and dialog.chosen_role() is None


def test_time_dock_skips_community_input_unless_picked(qtbot, window):
    ui = window.time_ui
    pts = window.project.layers.by_name("Incidents")
    com = window.project.layers.by_name("Service requests")
    # the community layer is the top-most and the active layer, yet the incidents are described
    assert window.project.layers.active is com
    dock = ui.show_time_dock()
    assert ui.layer is pts and dock.layer is pts and ui.filter_bar.layer is pts
    box = dock.layer_box
    assert [box.itemText(i) for i in range(box.count())] == ["Incidents", "Service requests (community input)"]
    dock.flush()
    assert dock.heatmap.table.sum() == len(pts)
    # the analyst picks the community layer explicitly in the dock
    _choose(qtbot, box, "Service requests (community input)")
    QTest.keyClick(box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dock.layer is com, timeout=5000)
    assert ui.filter_bar.layer is com
    dock.flush()
    assert dock.heatmap.table.sum() == len(com) and "(community input)" in dock.title.text()
    # clicking the incidents in the layer panel brings them back; re-activating community does not
    window.project.layers.active = pts
    assert dock.layer is pts
    window.project.layers.active = com
    assert dock.layer is pts and box.currentText() == "Incidents"


def test_time_dock_follows_role_changes(qtbot, window):
    ui = window.time_ui
    pts = window.project.layers.by_name("Incidents")
    com = window.project.layers.by_name("Service requests")
    dock = ui.show_time_dock()
    assert dock.layer is pts
    pts.role = "community"  # no dated incidents left: the dock shows none rather than community input
    assert dock.layer is None and ui.filter_bar.layer is None
    assert dock.layer_box.itemText(0) == "(no incident layer with dates)" and dock.layer_box.isEnabled()
    com.role = "incidents"
    assert dock.layer is com
    assert [dock.layer_box.itemText(i) for i in range(dock.layer_box.count())] == [
        "Service requests", "Incidents (community input)"]


def test_tool_layer_default_skips_community_input(qtbot, window):
    pts = window.project.layers.by_name("Incidents")
    com = window.project.layers.by_name("Service requests")
    assert window.project.layers.active is com
    dialog = window.tools_ui.open_tool("hotspot.kde")
    qtbot.waitExposed(dialog)
    box = dialog.editors["points"]
    assert dialog.values()["points"] is pts  # not the active community layer
    assert box.findData(com.id) >= 0  # still there to pick
    _choose(qtbot, box, com.name)
    assert dialog.values()["points"] is com
    dialog.close()
    # with an incident layer active, that one (as before)
    window.project.layers.active = pts
    dialog = window.tools_ui.open_tool("hotspot.kde")
    assert dialog.values()["points"] is pts
    dialog.close()
    # re-running keeps an explicitly chosen community layer
    dialog = window.tools_ui.open_tool("hotspot.kde", {"points": com})
    assert dialog.values()["points"] is com
    dialog.close()


def test_zones_dock_notices_any_point_layer_becoming_community_input(qtbot, window):
    """A third point layer switched to community input joins the zones dock's community columns."""
    from hotspot_desktop.gui.zones.zones_dock import ATTRIBUTE_COLUMNS, MEASURE_HEADERS

    dock = window.zones_ui.dock
    survey = requests(seed=9, n=500)
    survey.name = "Survey"
    survey.role = "incidents"
    window.project.layers.append(survey)
    col = len(ATTRIBUTE_COLUMNS) + [c for c, _ in MEASURE_HEADERS].index("community")
    qtbot.waitUntil(lambda: dock.table.horizontalHeaderItem(col).text() == "Service requests")
    survey.role = "community"
    qtbot.waitUntil(lambda: dock.table.horizontalHeaderItem(col).text() == "Community input")
    assert not dock.table.isColumnHidden(col)
