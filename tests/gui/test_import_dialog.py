"""CSV import: the mapping dialog when detection is unsure, the preview, and the load report."""

from __future__ import annotations

import pandas as pd
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog

from hotspot_desktop.core.io.csv_detect import detect_csv
from hotspot_desktop.gui.import_dialog import CsvImportDialog, needs_review
from tests.gui.test_main_window import make_window, write_csv

pytestmark = pytest.mark.gui

# British National Grid metres, no .prj: the CRS cannot be known from the values alone.
GRID_CSV = """ref,when,kind,what,east,north
A1,05/01/2024,x,Burglary,530010,180020
A2,06/01/2024,y,Theft,530200,180110
A3,07/01/2024,x,Burglary,530400,180300
A4,08/01/2024,y,Robbery,530650,180420
"""


@pytest.fixture
def window(qtbot, tmp_path):
    return make_window(qtbot, tmp_path)


def test_certain_csv_loads_without_dialog(tmp_path):
    schema = detect_csv(write_csv(tmp_path))
    assert not needs_review(schema, [])


def test_uncertain_csv_opens_dialog_and_loads_with_user_crs(qtbot, window, tmp_path):
    path = write_csv(tmp_path, "grid.csv", GRID_CSV)
    window.add_files([path])
    dialog = window.last_import_dialog
    assert isinstance(dialog, CsvImportDialog) and dialog.isVisible()
    assert dialog.x.currentText() == "east" and dialog.y.currentText() == "north"
    load = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not load.isEnabled() and "coordinate system" in dialog.problem.text()
    # The user types the EPSG code and corrects the offence column.
    dialog.crs.setEditText("")
    qtbot.keyClicks(dialog.crs.lineEdit(), "27700")
    dialog.offence.setCurrentIndex(dialog.offence.findText("what"))
    qtbot.waitUntil(lambda: load.isEnabled(), timeout=5000)
    assert "British National Grid" in dialog.crs_name.text()
    table = dialog.preview_frame()
    assert "parsed_x" in table[0] and len(table) == 5
    assert float(table[1][table[0].index("parsed_x")]) == pytest.approx(530010)
    qtbot.mouseClick(load, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(window.project.layers) == 1 and not window.is_busy(), timeout=30000)
    layer = window.project.layers[0]
    assert len(layer) == 4
    assert layer.offence_types() == ["Burglary", "Robbery", "Theft"]
    assert layer.source_crs.to_epsg() == 27700
    assert window.last_report_dialog.isVisible()


def test_dialog_overrides_date_format(qtbot, tmp_path):
    path = write_csv(tmp_path, "grid.csv", GRID_CSV)
    schema = detect_csv(path)
    dialog = CsvImportDialog(path, schema, ["day/month order is ambiguous"])
    qtbot.addWidget(dialog)
    assert dialog.notes.isVisibleTo(dialog) and "ambiguous" in dialog.notes.text()
    dialog.date.setCurrentIndex(dialog.date.findText("when"))
    dialog.date_format.setEditText("%d/%m/%Y")
    dialog.update_preview()
    out = dialog.schema()
    assert out.date.columns == ["when"] and out.date.format == "%d/%m/%Y"
    table = dialog.preview_frame()
    first_time = table[1][table[0].index("parsed_time")]
    assert pd.Timestamp(first_time) == pd.Timestamp("2024-01-05")


def test_load_report_saves_rejected_rows(qtbot, window, tmp_path, monkeypatch):
    window.add_files([write_csv(tmp_path)])
    qtbot.waitUntil(lambda: len(window.project.layers) == 1 and not window.is_busy(), timeout=30000)
    dialog = window.last_report_dialog
    assert dialog.save_button.isEnabled()
    tree_text = [dialog.tree.topLevelItem(i).text(0) for i in range(dialog.tree.topLevelItemCount())]
    assert "Rejected" in tree_text
    out = tmp_path / "rejected.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), "CSV (*.csv)"))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    saved = pd.read_csv(out)
    assert len(saved) == 1 and "reason" in saved.columns
    assert "Saved 1 rejected rows" in dialog.summary.text()


def test_location_column_replaces_xy(qtbot, tmp_path):
    text = 'id,where,kind\n1,"POINT (-87.62 41.88)",Theft\n2,"POINT (-87.63 41.89)",Robbery\n'
    path = write_csv(tmp_path, "wkt.csv", text)
    schema = detect_csv(path)
    dialog = CsvImportDialog(path, schema.with_changes(location=None, location_format=None, x="id", y="id"))
    qtbot.addWidget(dialog)
    assert not dialog.location_format.isEnabled()
    dialog.location.setCurrentIndex(dialog.location.findText("where"))
    dialog.location_format.setCurrentIndex(dialog.location_format.findData("wkt"))
    dialog.crs.setEditText("4326")
    dialog.update_preview()
    assert dialog.location_format.isEnabled() and not dialog.x.isEnabled()
    out = dialog.schema()
    assert out.location == "where" and out.x is None and out.location_format == "wkt"
    table = dialog.preview_frame()
    assert float(table[1][table[0].index("parsed_x")]) == pytest.approx(-87.62)
