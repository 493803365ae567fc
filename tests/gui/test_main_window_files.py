"""Files and persistence: missing sources on open, CRS-less shapefiles, recent files, window
layout, the exception hook and its log file."""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox
from shapely.geometry import box

from tests.gui.test_main_window import load_csv, make_window, write_csv

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot, tmp_path):
    return make_window(qtbot, tmp_path)


def test_missing_source_asks_for_new_location(qtbot, window, tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    csv = write_csv(data)
    load_csv(qtbot, window, csv)
    project_path = tmp_path / "case.hsproj"
    assert window.save_project(project_path)
    moved = tmp_path / "moved"
    moved.mkdir()
    new_csv = csv.rename(moved / csv.name)

    asked = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.Ok)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(new_csv), ""))
    assert window.open_project(project_path)
    assert asked and "incidents" in asked[0]
    assert len(window.project.layers) == 1 and len(window.project.layers[0]) == 6
    assert window.layer_panel.model.rowCount() == 1


def test_cancelled_relocation_skips_layer_with_warning(qtbot, window, tmp_path, monkeypatch):
    csv = write_csv(tmp_path)
    load_csv(qtbot, window, csv)
    project_path = tmp_path / "case.hsproj"
    window.save_project(project_path)
    csv.unlink()
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: QMessageBox.StandardButton.Ok)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: ("", ""))
    assert window.open_project(project_path)
    assert len(window.project.layers) == 0
    infos = [b for b in window.findChildren(QMessageBox) if b.windowTitle() == "Project opened with warnings"]
    assert infos and "not found" in infos[-1].text()


def test_shapefile_without_crs_asks_for_one(qtbot, window, tmp_path, monkeypatch):
    gdf = gpd.GeoDataFrame({"beat": ["A", "B"]}, crs="EPSG:4326",
                           geometry=[box(-87.7, 41.8, -87.6, 41.9), box(-87.6, 41.8, -87.5, 41.9)])
    shp = tmp_path / "beats.shp"
    gdf.to_file(shp)
    shp.with_suffix(".prj").unlink()
    asked = []

    def answer(path, message):
        asked.append(path.name)
        return "EPSG:4326"

    monkeypatch.setattr(window, "_ask_crs", answer)
    window.add_files([shp])
    qtbot.waitUntil(lambda: len(window.project.layers) == 1 and not window.is_busy(), timeout=30000)
    assert asked == ["beats.shp"]
    layer = window.project.layers[0]
    assert layer.source_crs.to_epsg() == 4326 and layer.source.options.get("crs") == "EPSG:4326"


def test_crs_dialog_validates_codes(qtbot):
    from hotspot_desktop.gui.crs_dialog import CrsDialog

    dialog = CrsDialog("CRS", "which?")
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    dialog.code.setText("27700")
    assert ok.isEnabled() and "British National Grid" in dialog.name.text()
    assert dialog.crs_text() == "EPSG:27700"
    dialog.code.setText("not a crs")
    assert not ok.isEnabled()


def test_recent_files_menu_reopens(qtbot, window, tmp_path, monkeypatch):
    csv = write_csv(tmp_path)
    load_csv(qtbot, window, csv)
    window._fill_recent_menu()
    texts = [a.text() for a in window.recent_menu.actions()]
    assert str(csv.resolve()) in texts
    action = next(a for a in window.recent_menu.actions() if a.text() == str(csv.resolve()))
    asked = []  # the file is already a layer: adding it again is asked first
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.Yes)
    action.trigger()
    qtbot.waitUntil(lambda: len(window.project.layers) == 2 and not window.is_busy(), timeout=30000)
    assert len(asked) == 1 and "already in the project" in asked[0]


def test_window_geometry_persists(qtbot, tmp_path):
    first = make_window(qtbot, tmp_path)
    first.resize(730, 520)  # inside the offscreen screen (800 x 600), above the docks' minimum
    size = (first.width(), first.height())
    first.close()
    second = make_window(qtbot, tmp_path)
    assert (second.width(), second.height()) == size


def test_exception_hook_shows_dialog_and_logs(qtbot, window, monkeypatch):
    from hotspot_desktop.gui import errors

    monkeypatch.setattr(sys, "excepthook", lambda *a: None)
    errors.install_excepthook()
    hook = sys.excepthook
    try:
        raise RuntimeError("boom in a slot")
    except RuntimeError as exc:
        hook(type(exc), exc, exc.__traceback__)
    from PySide6.QtWidgets import QApplication

    shown = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
    assert any("boom in a slot" in b.text() and "RuntimeError" in b.detailedText() for b in shown)
    log = Path(errors.log_path()).read_text(encoding="utf-8")
    assert "RuntimeError: boom in a slot" in log
    for b in shown:
        b.close()


def test_export_map_from_file_menu(qtbot, window, tmp_path, monkeypatch):
    load_csv(qtbot, window, write_csv(tmp_path))
    out = tmp_path / "map.png"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), "PNG image (*.png)"))
    window.named_actions["export_map"].trigger()
    assert out.exists() and out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_multi_layer_geopackage_adds_the_chosen_layers(qtbot, window, tmp_path, monkeypatch):
    from hotspot_desktop.gui.layer_choice_dialog import LayerChoiceDialog

    gpkg = tmp_path / "city.gpkg"
    for name, shift in (("beats", 0.0), ("districts", 0.1), ("parks", 0.2)):
        gpd.GeoDataFrame({"name": [name]}, geometry=[box(-87.7 + shift, 41.8, -87.6 + shift, 41.9)],
                         crs="EPSG:4326").to_file(gpkg, layer=name, driver="GPKG")

    def choose(self):
        assert self.chosen() == ["beats"]  # the first layer is ticked to start with
        self.list.item(2).setCheckState(Qt.CheckState.Checked)
        return 1

    monkeypatch.setattr(LayerChoiceDialog, "exec", choose)
    window.add_files([gpkg])
    qtbot.waitUntil(lambda: len(window.project.layers) == 2 and not window.is_busy(), timeout=30000)
    assert sorted(lyr.source.layer for lyr in window.project.layers) == ["beats", "parks"]


def test_a_failing_feature_module_does_not_stop_the_window(qtbot, tmp_path, monkeypatch, capsys):
    import hotspot_desktop.gui.time as time_ui

    def broken(window):
        raise RuntimeError("time panel exploded")

    monkeypatch.setattr(time_ui, "install", broken)
    window = make_window(qtbot, tmp_path)
    assert window.unavailable_features == {"Time": "time panel exploded"}
    assert "Not available: Time" in window.map_status.currentMessage()
    assert window.menus["Help"].menuAction() is window.menuBar().actions()[-1]
    assert "time panel exploded" in capsys.readouterr().err
