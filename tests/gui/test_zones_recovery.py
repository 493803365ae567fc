"""Autosave of unsaved zone edits: written after edits, offered back after a "crash",
restored on Yes, cleared by saving the project; plus export through the Zones menu."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

from hotspot_desktop.core import recovery
from tests.gui.test_zones_support import drag, local, make_zone_window, zones_gdf

pytestmark = pytest.mark.gui


def draw(window, x0, y0, x1, y1):
    window.zones_ui.toolbar.tool_actions["rectangle"].trigger()
    drag(window, [(x0, y0), (x1, y1)])


def test_crash_then_restore_in_a_new_window(qtbot, tmp_path, monkeypatch):
    w1 = make_zone_window(qtbot, tmp_path, monkeypatch)
    draw(w1, 100, 100, 300, 300)
    draw(w1, 500, 500, 800, 700)
    auto = w1.zones_ui.autosave
    assert auto.pending() is not None  # scheduled after the edit
    with qtbot.waitSignal(auto.written, timeout=10000) as sig:
        pass
    assert sig.args[0] == recovery.recovery_file(tmp_path / "recovery", None) and sig.args[0].is_file()
    w1.zones_ui.dock.form.load(None)
    w1.zones_ui.controller.select(zones_gdf(w1)["zone_id"].iloc[0])
    w1.zones_ui.dock.form.name.setText("Station forecourt")
    w1.zones_ui.dock.form.apply_button.click()
    w1.zones_ui.autosave.write_now()
    saved = zones_gdf(w1).copy()

    # "Crash": the window goes away without saving or asking.
    w1.project.modified = False
    w1.hide()

    w2 = make_zone_window(qtbot, tmp_path, monkeypatch, with_points=False)
    qtbot.waitUntil(lambda: w2.zones_ui.autosave.box is not None, timeout=5000)
    box = w2.zones_ui.autosave.box
    assert box.objectName() == "restoreZonesBox" and "2 zones" in box.text()
    box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: w2.project.zones is not None and len(w2.project.zones) == 2, timeout=5000)
    got = zones_gdf(w2)
    assert list(got["zone_id"]) == list(saved["zone_id"])
    assert list(got["name"]) == ["Station forecourt", "Zone 2"]
    for a, b in zip(saved.geometry, got.geometry):
        assert a.equals_exact(b, 1e-6)
    assert w2.project.modified
    # The restored zones are undoable edits like any other from here on.
    w2.zones_ui.toolbar.tool_actions["delete"].trigger()
    from tests.gui.test_zones_support import click

    click(w2, 200, 200)
    assert len(zones_gdf(w2)) == 1
    w2.undo_stack.undo()
    assert len(zones_gdf(w2)) == 2


def test_discarding_the_offer_removes_the_file(qtbot, tmp_path, monkeypatch):
    w1 = make_zone_window(qtbot, tmp_path, monkeypatch)
    draw(w1, 100, 100, 300, 300)
    f = w1.zones_ui.autosave.write_now()
    w1.project.modified = False
    w1.hide()
    w2 = make_zone_window(qtbot, tmp_path, monkeypatch, with_points=False)
    qtbot.waitUntil(lambda: w2.zones_ui.autosave.box is not None, timeout=5000)
    w2.zones_ui.autosave.box.button(QMessageBox.StandardButton.Discard).click()
    assert not f.exists() and w2.project.zones is None


def test_saving_the_project_clears_the_recovery_file_and_reopening_offers_nothing(qtbot, tmp_path, monkeypatch):
    w = make_zone_window(qtbot, tmp_path, monkeypatch)
    draw(w, 100, 100, 300, 300)
    untitled = w.zones_ui.autosave.write_now()
    assert untitled.is_file()
    path = tmp_path / "city.hsproj"
    assert w.save_project(path)
    assert not untitled.exists()
    draw(w, 500, 500, 700, 700)
    named = w.zones_ui.autosave.write_now()
    assert named == recovery.recovery_file(tmp_path / "recovery", path) and named.is_file()
    assert w.save_project()
    assert not named.exists()
    # Open the saved project: both zones come from the project file and nothing is offered.
    assert w.open_project(path)
    assert len(zones_gdf(w)) == 2 and w.zones_ui.autosave.box is None
    assert w.zones_ui.controller.project is w.project and w.zones_ui.dock.project is w.project
    # Zone tools work on the reopened project.
    draw(w, 100, 600, 300, 800)
    assert len(zones_gdf(w)) == 3


def test_newer_recovery_of_a_saved_project_is_offered_on_open(qtbot, tmp_path, monkeypatch):
    w = make_zone_window(qtbot, tmp_path, monkeypatch)
    draw(w, 100, 100, 300, 300)
    path = tmp_path / "city.hsproj"
    assert w.save_project(path)
    draw(w, 500, 500, 700, 700)
    w.zones_ui.autosave.write_now()
    w.project.modified = False  # "crash" after the autosave
    assert w.open_project(path)
    qtbot.waitUntil(lambda: w.zones_ui.autosave.box is not None, timeout=5000)
    assert w.zones_ui.autosave.check() is w.zones_ui.autosave.box  # asked once, not twice
    assert len(zones_gdf(w)) == 1
    w.zones_ui.autosave.box.button(QMessageBox.StandardButton.Yes).click()
    assert len(zones_gdf(w)) == 2


def test_closing_the_window_normally_leaves_nothing_to_recover(qtbot, tmp_path, monkeypatch):
    w = make_zone_window(qtbot, tmp_path, monkeypatch)
    draw(w, 100, 100, 300, 300)
    f = w.zones_ui.autosave.write_now()
    # Closing asks about unsaved changes; the analyst discards them.
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    w.close()
    qtbot.waitUntil(lambda: not f.exists(), timeout=5000)
    # Cancel keeps the window open and the recovery file in place.
    w2 = make_zone_window(qtbot, tmp_path, monkeypatch)
    draw(w2, 100, 100, 300, 300)
    f = w2.zones_ui.autosave.write_now()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Cancel)
    w2.close()
    qtbot.wait(50)
    assert w2.isVisible() and f.exists()


@pytest.mark.parametrize("suffix", [".gpkg", ".kml"])
def test_export_from_the_zones_menu(qtbot, tmp_path, monkeypatch, suffix):
    from hotspot_desktop.core.io.zones_io import import_zones

    w = make_zone_window(qtbot, tmp_path, monkeypatch)
    draw(w, 100, 100, 300, 300)
    out = tmp_path / f"zones{suffix}"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: ("WGS 84 (longitude/latitude)", True))
    w.zones_ui.actions["export"].trigger()
    back = import_zones(out, w.project.working_crs)
    assert local(back.gdf.geometry.iloc[0]).area == pytest.approx(local(zones_gdf(w).geometry.iloc[0]).area,
                                                                  rel=1e-5)
    assert back.gdf["name"].iloc[0] == "Zone 1"
