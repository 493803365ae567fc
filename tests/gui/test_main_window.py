"""The main window driven like a user: launch, add files (call and drop), menus, save/open."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, QSettings, QStandardPaths, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

pytestmark = pytest.mark.gui

CSV_TEXT = """id,date,offence,latitude,longitude
1,2024-01-05 10:00,Burglary,41.881,-87.623
2,2024-02-10 11:30,Theft,41.883,-87.627
3,2024-03-15 12:45,Burglary,41.879,-87.631
4,2024-04-20 09:15,Robbery,41.885,-87.620
5,2024-06-25 23:00,Theft,41.887,-87.625
6,2024-07-02 01:00,Burglary,41.880,-87.629
7,2024-07-03 02:00,Theft,not a number,-87.629
"""


def write_csv(folder: Path, name: str = "incidents.csv", text: str = CSV_TEXT) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def make_window(qtbot, tmp_path: Path, project=None, *, record_errors: bool = False):
    """A MainWindow (on ``project`` when given) with settings and logs redirected into
    ``tmp_path``; with ``record_errors`` error dialogs are collected in ``window.errors``."""
    QStandardPaths.setTestModeEnabled(True)
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    from hotspot_desktop.gui.app import create_app
    from hotspot_desktop.gui.main_window import MainWindow

    create_app([])
    window = MainWindow(project) if project is not None else MainWindow()
    qtbot.addWidget(window, before_close_func=lambda w: setattr(w.project, "modified", False))
    window.show()
    qtbot.waitExposed(window)
    if record_errors:
        window.errors = []
        window.show_error = lambda title, message, details="": window.errors.append((title, message))
    return window


def load_csv(qtbot, window, path: Path) -> None:
    n = len(window.project.layers)
    window.add_files([path])
    qtbot.waitUntil(lambda: len(window.project.layers) == n + 1 and not window.is_busy(), timeout=30000)


@pytest.fixture
def window(qtbot, tmp_path):
    return make_window(qtbot, tmp_path)


def test_launch_has_menus_docks_and_status(window):
    assert set(window.menus) >= {"File", "Edit", "View", "Layer", "Tools", "Help"}
    titles = [a.text().replace("&", "") for a in window.menuBar().actions()]
    # Other modules add their own menus (Zones, Time...) between Layer and Help.
    assert titles[0] == "File" and titles[-1] == "Help"
    assert [t for t in titles if t in window.menus and t in {"File", "Edit", "View", "Layer", "Tools", "Help"}] == [
        "File", "Edit", "View", "Layer", "Tools", "Help"]
    assert window.canvas is window.centralWidget()
    assert window.layer_panel.isVisible()
    assert window.undo_stack.count() == 0
    assert window.map_status.crs.text() == "No CRS"
    assert "Untitled" in window.windowTitle()


def test_add_csv_shows_layer_and_load_report(qtbot, window, tmp_path):
    load_csv(qtbot, window, write_csv(tmp_path))
    layer = window.project.layers[0]
    assert len(layer) == 6
    panel = window.layer_panel
    assert panel.model.rowCount() == 1
    assert panel.model.index(0, 0).data() == "incidents"
    dialog = window.last_report_dialog
    assert dialog is not None and dialog.isVisible()
    assert "6 kept" in dialog.summary.text() and "1 rejected" in dialog.summary.text()
    assert window.project.working_crs is not None
    assert window.map_status.crs.text().startswith("EPSG:326")  # UTM of the data
    assert "UTM zone 16N" in window.map_status.crs.text()


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_drop_files_on_window_adds_them(qtbot, window, tmp_path):
    path = write_csv(tmp_path, "dropped.csv")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    pos = QPointF(window.width() / 2, window.height() / 2)
    from PySide6.QtGui import QDragEnterEvent

    enter = QDragEnterEvent(pos.toPoint(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    drop = QDropEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, drop)
    qtbot.waitUntil(lambda: len(window.project.layers) == 1 and not window.is_busy(), timeout=30000)
    assert window.project.layers[0].name == "dropped"
    assert window.layer_panel.model.index(0, 0).data() == "dropped"
    assert window.last_report_dialog.isVisible()


def test_missing_file_is_an_error_dialog_not_a_crash(qtbot, window, tmp_path):
    window.add_files([tmp_path / "nope.csv"])
    boxes = [b for b in window.findChildren(QMessageBox) if b.objectName() == "errorDialog"]
    assert boxes and "does not exist" in boxes[-1].text()
    assert len(window.project.layers) == 0


def test_unreadable_file_error_has_details(qtbot, window, tmp_path):
    bad = tmp_path / "broken.geojson"
    bad.write_text("{ this is not json", encoding="utf-8")
    window.add_files([bad])
    qtbot.waitUntil(lambda: not window.is_busy(), timeout=30000)
    boxes = [b for b in window.findChildren(QMessageBox) if b.objectName() == "errorDialog"]
    assert boxes and "broken.geojson" in boxes[-1].text()
    assert boxes[-1].detailedText()


def test_save_and_open_round_trip_through_file_menu(qtbot, window, tmp_path, monkeypatch):
    load_csv(qtbot, window, write_csv(tmp_path))
    layer = window.project.layers[0]
    layer.name = "Burglaries"
    assert window.isWindowModified()
    target = tmp_path / "case.hsproj"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), PROJECT_FILTER))
    window.named_actions["save_as"].trigger()
    assert target.exists()
    assert not window.project.modified and "case" in window.windowTitle()

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    window.named_actions["new"].trigger()
    assert len(window.project.layers) == 0 and window.layer_panel.model.rowCount() == 0

    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(target), PROJECT_FILTER))
    window.named_actions["open"].trigger()
    assert [lyr.name for lyr in window.project.layers] == ["Burglaries"]
    assert window.layer_panel.model.index(0, 0).data() == "Burglaries"
    assert len(window.project.layers[0]) == 6
    from hotspot_desktop.gui import settings

    assert str(target.resolve()) == settings.recent_files()[0]


PROJECT_FILTER = "Hotspot Desktop project (*.hsproj)"


def test_unsaved_changes_prompt_can_cancel_new(qtbot, window, tmp_path, monkeypatch):
    load_csv(qtbot, window, write_csv(tmp_path))
    asked = []

    def answer(*args, **kwargs):
        asked.append(args[1])
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(QMessageBox, "question", answer)
    window.named_actions["new"].trigger()
    assert asked == ["Unsaved changes"]
    assert len(window.project.layers) == 1


def test_status_bar_shows_cursor_in_working_crs_and_lonlat(qtbot, window, tmp_path):
    load_csv(qtbot, window, write_csv(tmp_path))
    from hotspot_desktop.core.crs import WGS84, transform_xy

    x, y = transform_xy([-87.625], [41.882], WGS84, window.project.working_crs)
    window.canvas.cursor_moved.emit(float(x[0]), float(y[0]))
    assert window.map_status.coords.text().startswith("x ")
    assert "41.88200° N" in window.map_status.lonlat.text() and "87.62500° W" in window.map_status.lonlat.text()
    window.canvas.scale_changed.emit(12345.0)
    assert window.map_status.scale.text() == "1:12,345"


def test_identify_results_dock_lists_features(qtbot, window, tmp_path):
    load_csv(qtbot, window, write_csv(tmp_path))
    layer = window.project.layers[0]
    window.canvas.features_identified.emit([(layer, 0, {"offence": "Burglary"}), (layer, 2, {"offence": "Theft"})])
    results = window._identify_dock.widget()
    assert results.rows() == ["incidents — #1", "incidents — #3"]
    assert "2 features" in results.summary.text()


def test_view_tools_switch_canvas_tool(window):
    window.named_actions["tool_identify"].trigger()
    assert window.canvas.tool == "identify"
    window.named_actions["tool_zoom_box"].trigger()
    assert window.named_actions["tool_zoom_box"].isChecked()


def test_help_dialogs_are_offline(qtbot, window, tmp_path):
    window.named_actions["about"].trigger()
    assert "Python" in window._about.versions.text() and "Qt" in window._about.versions.text()
    window._about.close()
    from hotspot_desktop.gui.about import UserGuideDialog

    readme = tmp_path / "README.md"
    readme.write_text("# Guide\n\nLoad a [file](https://example.org).", encoding="utf-8")
    guide = UserGuideDialog(window, readme)
    qtbot.addWidget(guide)
    assert "Guide" in guide.viewer.toPlainText()
    assert not guide.viewer.openExternalLinks() and not guide.viewer.openLinks()
    window.named_actions["user_guide"].trigger()
    assert window._guide.viewer.toPlainText()


def test_preferences_switch_display_units(qtbot, window, monkeypatch):
    from hotspot_desktop.gui import preferences

    def fake_exec(self):
        self.imperial.setChecked(True)
        return 1

    monkeypatch.setattr(preferences.PreferencesDialog, "exec", fake_exec)
    window.named_actions["preferences"].trigger()
    assert window.project.display_units == "ft"
    from hotspot_desktop.gui import settings

    assert settings.display_units() == "ft"


def test_identify_double_click_selects_feature(qtbot, window, tmp_path):
    load_csv(qtbot, window, write_csv(tmp_path))
    layer = window.project.layers[0]
    window.canvas.features_identified.emit([(layer, 3, {"offence": "Robbery"})])
    tree = window._identify_dock.widget().tree
    item = tree.topLevelItem(0)
    tree.itemDoubleClicked.emit(item, 0)
    assert list(layer.selection) == [3]


def test_import_csv_action_always_shows_mapping(qtbot, window, tmp_path, monkeypatch):
    path = write_csv(tmp_path)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    window.named_actions["import_csv"].trigger()
    dialog = window.last_import_dialog
    assert dialog.isVisible() and dialog.x.currentText() == "longitude"
    dialog.offence.setCurrentIndex(dialog.offence.findText("(none)"))
    dialog.accept()
    qtbot.waitUntil(lambda: len(window.project.layers) == 1 and not window.is_busy(), timeout=30000)
    assert not window.project.layers[0].has_column("offence")


def test_cancelled_load_adds_nothing(qtbot, window, tmp_path):
    from hotspot_desktop.gui.load_task import LoadRequest, LoadTask

    task = LoadTask(LoadRequest(write_csv(tmp_path)), None)
    with qtbot.waitSignal(task.cancelled, timeout=30000):
        task.cancel()  # pressed before the first checkpoint: the loader stops there
        task.start()
    assert task.wait(10)


def test_load_finishing_after_new_project_is_dropped(qtbot, window, tmp_path):
    from hotspot_desktop.core.model import Project

    window.add_files([write_csv(tmp_path)])
    window.set_project(Project())
    qtbot.waitUntil(lambda: not window.is_busy(), timeout=30000)
    qtbot.wait(50)
    assert len(window.project.layers) == 0


def test_close_with_unsaved_changes_can_be_cancelled(qtbot, window, tmp_path, monkeypatch):
    load_csv(qtbot, window, write_csv(tmp_path))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Cancel)
    assert window.close() is False
    assert window.isVisible()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    assert window.close() is True


def test_window_shortcuts_are_unambiguous(window):
    from collections import Counter

    from PySide6.QtGui import QAction

    keys = Counter()
    for act in window.findChildren(QAction):
        if act.shortcutContext() == Qt.ShortcutContext.WidgetShortcut:
            continue  # only active while its own widget has focus
        for seq in act.shortcuts():
            if not seq.isEmpty():
                keys[seq.toString()] += 1
    assert keys and not [k for k, n in keys.items() if n > 1]
    assert "Drop incident CSVs" in window.map_status.currentMessage()


def test_panels_menu_lists_every_dock(qtbot, window):
    window._fill_panels_menu()
    texts = [a.text() for a in window.docks_menu.actions()]
    assert "Layers" in texts and "Identify results" in texts and "Map" in texts
    toggle = next(a for a in window.docks_menu.actions() if a.text() == "Layers")
    toggle.trigger()
    assert not window.layer_panel.isVisible()
    window.named_actions["show_filter"].trigger()
    window._fill_panels_menu()
    assert [a.text() for a in window.docks_menu.actions()].count("Filter incidents") == 1
