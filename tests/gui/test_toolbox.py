"""Toolbox and generated dialogs, driven like a user, with real worker threads."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely
from PySide6.QtCore import QSettings, QStandardPaths, Qt

from hotspot_desktop.core.model import VectorLayer
from hotspot_desktop.gui import tools_ui
from hotspot_desktop.gui.tool_dialog import ToolDialog
from tests.gui.test_tasks_helpers import ToolsTestWindow, incidents

pytestmark = pytest.mark.gui


def beats() -> VectorLayer:
    boxes = [shapely.box(439_000 + 1000 * i, 4_639_000, 440_000 + 1000 * i, 4_641_000) for i in range(3)]
    return VectorLayer("Beats", gpd.GeoDataFrame({"name": ["a", "b", "c"], "count": [3, 9, 4],
                                                  "label": ["x", "y", "z"]}, geometry=boxes))


def main_window(qtbot, tmp_path, safe_mode: bool = False):
    QStandardPaths.setTestModeEnabled(True)
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    from hotspot_desktop.gui.app import create_app
    from hotspot_desktop.gui.main_window import MainWindow

    create_app([])
    window = MainWindow(safe_mode=safe_mode)
    qtbot.addWidget(window, before_close_func=lambda w: setattr(w.project, "modified", False))
    return window


@pytest.fixture
def win(qtbot):
    w = ToolsTestWindow()
    qtbot.addWidget(w)
    ui = tools_ui.install(w)
    yield w, ui
    ui.runner.cancel_all()
    ui.runner.wait_for_done(5)


def test_search_filters_by_name_and_help(qtbot, win):
    _, ui = win
    qtbot.keyClicks(ui.toolbox.search, "getis ord 1995")  # words from the help and the reference
    assert set(ui.toolbox.visible_tool_ids()) == {"hotspot.gi_star_grid", "hotspot.gi_star_polygons"}
    ui.toolbox.search.clear()
    assert len(ui.toolbox.visible_tool_ids()) == len(ui.registry)


def test_invalid_values_show_messages_and_keep_dialog_open(qtbot, win):
    w, ui = win
    w.add_layer(incidents())
    dialog = ui.open_tool("vector.count_in_polygons")
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert not dialog.messages["polygons"].isHidden()
    assert "required" in dialog.messages["polygons"].text()
    assert not ui.runner.tasks
    w.add_layer(beats())  # fixing the problem clears its message without another click
    assert dialog.messages["polygons"].isHidden()


def test_field_combo_follows_layer_and_units_follow_project(qtbot, win):
    w, ui = win
    a = beats()
    b = beats()
    b.name = "Other"
    b.gdf["score"] = [1.0, 2.0, 3.0]
    w.add_layer(a)
    w.add_layer(b)
    w.project.display_units = "ft"
    dialog = ui.open_tool("hotspot.gi_star_polygons")
    assert dialog.values()["polygons"] is b  # active layer first
    fields = dialog.editors["field"]
    assert [fields.itemText(i) for i in range(fields.count())] == ["count", "score"]  # numeric only
    layer_box = dialog.editors["polygons"]
    layer_box.setCurrentIndex(layer_box.findData(a.id))
    assert [fields.itemText(i) for i in range(fields.count())] == ["count"]
    dist = dialog.editors["distance"]
    assert dist.suffix() == " ft" and dist.value() == pytest.approx(500 / 0.3048, abs=0.1)
    dist.setValue(1000.0)
    assert dialog.values()["distance"] == pytest.approx(304.8)


def test_dialog_prefill_round_trip(qtbot, win):
    w, ui = win
    pts = incidents()
    w.add_layer(pts)
    dialog = ToolDialog(ui.registry.get("hotspot.kde"), w.project, w,
                        {"kernel": "gaussian", "bandwidth": 420.0, "bandwidth_rule": "fixed"})
    qtbot.addWidget(dialog)
    vals = dialog.values()
    assert vals["points"] is pts and vals["kernel"] == "gaussian" and vals["bandwidth"] == pytest.approx(420.0)
    assert ui.registry.get("hotspot.kde").validate(vals) == {}


def test_tools_menu_has_categories_and_rerun(qtbot, win):
    w, ui = win
    menu = w.menus["Tools"]
    titles = [a.text() for a in menu.actions()]
    assert "Hot spots" in titles and "Re-run analysis of active layer…" in titles
    w.add_layer(incidents())
    action = w.findChild(type(menu.actions()[0]), "toolAction_hotspot.kde")
    action.trigger()
    assert ui.dialogs[-1].tool.id == "hotspot.kde"


def test_date_range_and_zone_editors(qtbot, win):
    from hotspot_desktop.core.model import ZoneLayer

    w, ui = win
    pts = incidents()
    w.add_layer(pts)
    zones = ZoneLayer("Zones", gpd.GeoDataFrame({"name": ["t", "c"], "role": ["target", "control"]},
                                                geometry=[shapely.box(439_800, 4_639_800, 440_200, 4_640_200),
                                                          shapely.box(441_500, 4_641_500, 442_000, 4_642_000)]))
    w.add_layer(zones)
    dialog = ui.open_tool("evaluation.intervention")
    assert dialog.values()["target"] is zones and dialog.values()["control"] is zones
    assert not dialog.try_run()
    assert "needs a start and an end" in dialog.messages["before"].text()
    before_a, before_b = dialog.editors["before"].edits
    after_a, after_b = dialog.editors["after"].edits
    qtbot.keyClicks(before_a, "2024-01-01")
    qtbot.keyClicks(before_b, "2024-06-30")
    qtbot.keyClicks(after_a, "2024-07-01")
    qtbot.keyClicks(after_b, "2024-12-31")
    with qtbot.waitSignal(ui.runner.finished, timeout=20_000):
        qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    result = w.project.layers.by_name("Intervention areas")
    assert list(result.gdf["area"]) == ["target", "catchment", "control"]
    assert result.provenance.parameters["before"] == ["2024-01-01", "2024-06-30"]
    again = tools_ui.rerun(w, result)
    assert [e.text() for e in again.editors["after"].edits] == ["2024-07-01", "2024-12-31"]



def test_every_tool_dialog_opens_and_round_trips_defaults(qtbot, win):
    import numpy as np

    from hotspot_desktop.core.model import RasterLayer, ZoneLayer

    w, ui = win
    w.add_layer(incidents())
    w.add_layer(beats())
    w.add_layer(RasterLayer("Surface", np.ones((3, 3)), 439_000, 4_639_000, 100))
    w.add_layer(ZoneLayer("Zones", gpd.GeoDataFrame(
        {"name": ["t", "c"], "role": ["target", "control"]},
        geometry=[shapely.box(439_800, 4_639_800, 440_200, 4_640_200),
                  shapely.box(441_500, 4_641_500, 442_000, 4_642_000)])))
    for tool_id, tool in ui.registry.tools.items():
        dialog = ui.open_tool(tool_id)
        values = dialog.values()
        for p in tool.params:
            if p.kind in ("number", "integer", "choice", "bool"):
                assert values[p.name] == pytest.approx(p.default), (tool_id, p.name)
            if p.kind == "layer" and not p.optional:
                assert values[p.name] is not None and values[p.name].geometry_kind in p.geometry, (tool_id, p.name)
        dialog.validate()
        dialog.close()



def test_dialog_follows_layers_added_and_removed(qtbot, win):
    w, ui = win
    dialog = ui.open_tool("vector.count_in_polygons")
    assert dialog.values()["points"] is None
    pts = incidents()
    w.add_layer(pts)
    b = beats()
    w.add_layer(b)
    assert dialog.values()["points"] is pts and dialog.values()["polygons"] is b
    w.project.layers.remove(b)
    assert dialog.values()["polygons"] is None
    dialog.close()
    w.add_layer(beats())  # a closed dialog no longer listens

# The full main window last: its teardown must not disturb the lighter tests above.
def test_plugin_tool_from_toolbox_to_result_layer(qtbot, tmp_path):
    w = main_window(qtbot, tmp_path)
    ui = w.tools_ui
    w.add_layer(incidents())
    w.add_layer(beats())
    qtbot.keyClicks(ui.toolbox.search, "near polygons")
    assert ui.toolbox.visible_tool_ids() == ["example.buffer_count"]
    qtbot.keyClick(ui.toolbox.search, Qt.Key.Key_Return)
    dialog = ui.dialogs[-1]
    assert dialog.tool.id == "example.buffer_count"
    assert dialog.values()["points"].name == "Incidents" and dialog.values()["polygons"].name == "Beats"
    assert "Chainey & Ratcliffe" in dialog.help.toPlainText()
    dialog.editors["distance"].setValue(200)
    with qtbot.waitSignal(ui.runner.finished, timeout=20_000):
        qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    layer = w.project.layers.by_name("Incidents near polygons")
    assert layer is not None and layer.gdf["count"].sum() > 0
    assert layer.provenance.tool_id == "example.buffer_count" and layer.provenance.parameters["distance"] == 200
    assert w.project.analyses[-1].tool_id == "example.buffer_count"


def test_safe_mode_toolbox_has_no_plugin(qtbot, tmp_path):
    w = main_window(qtbot, tmp_path, safe_mode=True)
    ids = w.tools_ui.toolbox.visible_tool_ids()
    assert "hotspot.kde" in ids and "example.buffer_count" not in ids


def test_new_project_cancels_runs_and_closes_dialogs(qtbot, tmp_path):
    from hotspot_desktop.core.model import Project

    w = main_window(qtbot, tmp_path)
    ui = w.tools_ui
    w.add_layer(incidents(200_000))
    dialog = ui.open_tool("hotspot.kde")
    task = ui.run(ui.registry.get("hotspot.kde"), {"points": w.project.layers[0], "bandwidth_rule": "fixed",
                                                    "bandwidth": 3000.0, "cell_size": 10.0, "mode": "exact"})
    new = Project()
    w.project = new
    w.project_replaced.emit(new)
    assert task.cancel_event.is_set() and not dialog.isVisible()
    qtbot.waitUntil(lambda: not ui.runner.has_running(), timeout=20_000)
    assert len(new.layers) == 0
