"""The attribute table: virtual model, sorting, text filter, selection in step with the layer."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtTest import QTest

from hotspot_desktop.core.model import PointLayer
from hotspot_desktop.gui.attribute_table import AttributeTableDock, AttributeTableModel
from tests.gui.test_layer_panel import point_layer
from tests.gui.test_main_window import make_window

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path)
    w.add_layer(point_layer("incidents", 20))
    return w


def shown_column(dock: AttributeTableDock, col: int) -> list[str]:
    m = dock.model
    return [m.index(r, col).data() for r in range(m.rowCount())]


def test_open_from_layer_menu_and_select_rows(qtbot, window):
    window.named_actions["attribute_table"].trigger()
    layer = window.project.layers[0]
    dock = window.attribute_tables[layer.id]
    assert dock.isVisible() and dock.model.rowCount() == 20
    view = dock.view
    # Click row 2, shift-click row 4: three incidents selected on the layer.
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(dock.model.index(2, 0)).center())
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier,
                     view.visualRect(dock.model.index(4, 0)).center())
    assert list(layer.selection) == [2, 3, 4]
    assert "3 selected" in dock.status.text()


def test_map_selection_selects_rows(window):
    layer = window.project.layers[0]
    dock = window.show_attribute_table(layer)
    calls = []
    layer.changed.connect(calls.append)
    layer.selection = np.array([1, 7, 8])
    layer.changed.emit("selection")  # what the map's select tool does
    rows = sorted({i.row() for i in dock.view.selectionModel().selectedRows()})
    assert rows == [1, 7, 8]
    assert calls == ["selection"]  # mirroring in the table did not echo another change


def test_sort_keeps_selection_on_the_same_incidents(window):
    layer = window.project.layers[0]
    dock = window.show_attribute_table(layer)
    time_col = list(layer.attributes.columns).index("time")
    dock.view.sortByColumn(time_col, Qt.SortOrder.DescendingOrder)
    times = shown_column(dock, time_col)
    assert times == sorted(times, reverse=True)
    assert dock.model.headerData(0, Qt.Orientation.Vertical) == "20"  # source row number
    dock.set_selection(np.array([19]))
    assert [i.row() for i in dock.view.selectionModel().selectedRows()] == [0]
    # Selecting the first shown row selects source row 19.
    dock.view.selectionModel().select(dock.model.index(0, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
                                      | QItemSelectionModel.SelectionFlag.Rows)
    assert list(layer.selection) == [19]


def test_text_filter(qtbot, window):
    layer = window.project.layers[0]
    dock = window.show_attribute_table(layer)
    qtbot.keyClicks(dock.search, "robb")
    qtbot.waitUntil(lambda: dock.model.rowCount() == 5)
    off_col = list(layer.attributes.columns).index("offence")
    assert set(shown_column(dock, off_col)) == {"Robbery"}
    assert dock.status.text().startswith("5 of 20 rows shown")
    dock.search.clear()
    qtbot.waitUntil(lambda: dock.model.rowCount() == 20)


def test_table_closes_with_its_layer(window):
    layer = window.project.layers[0]
    window.show_attribute_table(layer)
    window.remove_layer(layer)
    assert layer.id not in window.attribute_tables


def test_virtual_model_handles_a_million_rows(qtbot):
    n = 1_000_000
    attrs = pd.DataFrame({"incident_id": np.arange(n), "offence": pd.Categorical(np.where(np.arange(n) % 3, "A", "B"))})
    layer = PointLayer("big", np.zeros(n), np.zeros(n), attrs)
    dock = AttributeTableDock(layer)
    qtbot.addWidget(dock)
    assert dock.model.rowCount() == n
    assert dock.model.index(n - 1, 0).data() == str(n - 1)
    dock.model.set_filter_text("b")  # categories are matched once, then mapped through codes
    assert dock.model.rowCount() == len(range(0, n, 3))
    dock.model.set_filter_text("")
    layer.selection = np.arange(1000, 300_000)
    layer.changed.emit("selection")
    assert np.array_equal(dock.selected_rows(), np.arange(1000, 300_000))
    dock.view.selectAll()
    assert layer.selection.size == n


def test_model_sort_puts_missing_last():
    frame = pd.DataFrame({"v": [3.0, np.nan, 1.0, 2.0]})
    m = AttributeTableModel(frame)
    m.sort(0, Qt.SortOrder.AscendingOrder)
    assert [m.index(r, 0).data() for r in range(4)] == ["1", "2", "3", ""]


def test_tables_of_two_layers_are_tabbed(window):
    second = point_layer("second", 8)
    window.add_layer(second)
    first_dock = window.show_attribute_table(window.project.layers[0])
    second_dock = window.show_attribute_table(second)
    assert second_dock in window.tabifiedDockWidgets(first_dock)
    assert window.show_attribute_table(second) is second_dock  # reopening reuses the table
