"""The Layers dock over the pure LayerList: order, visibility, rename, opacity, filter indicator."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QDate, QModelIndex, QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit

from hotspot_desktop.core.model import PointFilter, PointLayer
from tests.gui.test_main_window import make_window

pytestmark = pytest.mark.gui


def point_layer(name: str, n: int = 20) -> PointLayer:
    rng = np.random.default_rng(len(name))
    attrs = pd.DataFrame({
        "time": pd.date_range("2024-01-01", periods=n, freq="7D"),
        "offence": pd.Categorical(["Burglary", "Theft", "Robbery", "Theft"] * (n // 4)),
    })
    return PointLayer(name, rng.uniform(0, 1000, n), rng.uniform(0, 1000, n), attrs)


@pytest.fixture
def window(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path)
    for name in ("bottom", "middle", "top"):
        w.add_layer(point_layer(name))
    return w


def names_shown(panel) -> list[str]:
    m = panel.model
    return [m.index(r, 0).data(Qt.ItemDataRole.EditRole) for r in range(m.rowCount())]


def test_top_layer_is_listed_first(window):
    assert [lyr.name for lyr in window.project.layers] == ["bottom", "middle", "top"]
    assert names_shown(window.layer_panel) == ["top", "middle", "bottom"]


def test_visibility_checkbox_click_toggles_layer(qtbot, window):
    view = window.layer_panel.view
    rect = view.visualRect(window.layer_panel.model.index(1, 0))
    # The check indicator sits at the left edge of the row.
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(rect.left() + 10, rect.center().y()))
    middle = window.project.layers.by_name("middle")
    assert middle.visible is False
    middle.visible = True
    assert window.layer_panel.model.index(1, 0).data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked


def test_model_move_reorders_project_and_back(window):
    panel = window.layer_panel
    # Drag "bottom" (view row 2) to the top of the list.
    assert panel.model.moveRows(QModelIndex(), 2, 1, QModelIndex(), 0)
    assert [lyr.name for lyr in window.project.layers] == ["middle", "top", "bottom"]
    assert names_shown(panel) == ["bottom", "top", "middle"]
    # A change in the pure list shows up in the view.
    window.project.layers.move(2, 0)
    assert names_shown(panel) == ["top", "middle", "bottom"]


def test_drop_mime_data_moves_layer(window):
    panel = window.layer_panel
    m = panel.model
    mime = m.mimeData([m.index(0, 0)])  # "top"
    m.dropMimeData(mime, Qt.DropAction.MoveAction, 3, 0, QModelIndex())  # drop below the last row
    assert [lyr.name for lyr in window.project.layers] == ["top", "bottom", "middle"]
    assert names_shown(panel) == ["middle", "bottom", "top"]


def test_up_down_buttons_follow_active_layer(qtbot, window):
    panel = window.layer_panel
    window.project.layers.active = window.project.layers.by_name("bottom")
    qtbot.mouseClick(panel.buttons["up"], Qt.MouseButton.LeftButton)
    assert [lyr.name for lyr in window.project.layers] == ["middle", "bottom", "top"]
    assert panel.current_layer().name == "bottom"


def test_rename_in_place(qtbot, window):
    view = window.layer_panel.view
    rect = view.visualRect(window.layer_panel.model.index(0, 0))
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    QTest.keyClick(view, Qt.Key.Key_F2)  # same editor as a double-click
    editors = view.viewport().findChildren(QLineEdit)
    assert len(editors) == 1 and editors[0].text() == "top"
    editor = editors[0]
    editor.selectAll()
    QTest.keyClicks(editor, "Burglary 2024")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    # The delegate commits on the next event-loop turn.
    qtbot.waitUntil(lambda: window.project.layers[2].name == "Burglary 2024")
    assert names_shown(window.layer_panel)[0] == "Burglary 2024"


def test_selection_sets_active_layer_and_opacity_slider(qtbot, window):
    panel = window.layer_panel
    view = panel.view
    rect = view.visualRect(panel.model.index(2, 0))
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.project.layers.active.name == "bottom"
    panel.opacity.setValue(40)
    assert window.project.layers.by_name("bottom").opacity == pytest.approx(0.4)
    assert panel.opacity_label.text() == "40 %"


def test_remove_button_removes_active_layer(qtbot, window):
    window.project.layers.active = window.project.layers.by_name("middle")
    qtbot.mouseClick(window.layer_panel.buttons["remove"], Qt.MouseButton.LeftButton)
    assert [lyr.name for lyr in window.project.layers] == ["bottom", "top"]
    assert names_shown(window.layer_panel) == ["top", "bottom"]


def test_filter_indicator_under_layer_name(window):
    layer = window.project.layers.by_name("top")
    layer.filter = PointFilter(date_from=pd.Timestamp("2024-01-01"), date_to=pd.Timestamp("2024-06-30"),
                               offences=frozenset({"Burglary"}))
    text = window.layer_panel.model.index(0, 0).data()
    assert text == "top\nfiltered: 2024-01-01 to 2024-06-30; Burglary"


def test_filter_panel_sets_layer_filter(qtbot, window):
    layer = window.project.layers.by_name("top")
    window.project.layers.active = layer
    window.named_actions["layer_filter"].trigger()
    panel = window.filter_panel
    assert panel.layer is layer
    assert panel.offences.count() == 3
    # Untick Robbery and Theft like a user: click each item's check box.
    for i in range(panel.offences.count()):
        item = panel.offences.item(i)
        if item.text() != "Burglary":
            rect = panel.offences.visualItemRect(item)
            QTest.mouseClick(panel.offences.viewport(), Qt.MouseButton.LeftButton,
                             pos=QPoint(rect.left() + 10, rect.center().y()))
    qtbot.mouseClick(panel.use_dates, Qt.MouseButton.LeftButton)
    assert panel.date_from.date().toString("yyyy-MM-dd") == "2024-01-01"  # the data's first day
    panel.date_to.setDate(QDate(2024, 6, 30))
    assert panel.use_dates.isChecked()
    qtbot.mouseClick(panel.apply_button, Qt.MouseButton.LeftButton)
    f = layer.filter
    assert f.offences == frozenset({"Burglary"})
    assert f.date_from == pd.Timestamp("2024-01-01") and f.date_to.date() == pd.Timestamp("2024-06-30").date()
    assert layer.mask().sum() == int(((layer.attributes["offence"] == "Burglary")
                                      & (layer.attributes["time"] <= pd.Timestamp("2024-06-30 23:59"))).sum())
    assert "filtered: 2024-01-01 to 2024-06-30; Burglary" in window.layer_panel.model.index(0, 0).data()
    assert "filtered:" in panel.count.text()
    qtbot.mouseClick(panel.clear_button, Qt.MouseButton.LeftButton)
    assert not layer.filter.is_active()
    assert window.layer_panel.model.index(0, 0).data() == "top"


def test_remove_is_undoable(qtbot, window):
    window.project.layers.active = window.project.layers.by_name("middle")
    window.named_actions["layer_remove"].trigger()
    assert names_shown(window.layer_panel) == ["top", "bottom"]
    window.named_actions["undo"].trigger()
    assert [lyr.name for lyr in window.project.layers] == ["bottom", "middle", "top"]
    assert names_shown(window.layer_panel) == ["top", "middle", "bottom"]
    assert window.project.layers.active.name == "middle"


def test_delete_key_removes_current_layer(qtbot, window):
    view = window.layer_panel.view
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     pos=view.visualRect(window.layer_panel.model.index(0, 0)).center())
    view.setFocus()
    window.activateWindow()
    QTest.keyClick(view, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: len(window.project.layers) == 2, timeout=3000)
    assert [lyr.name for lyr in window.project.layers] == ["bottom", "middle"]


def test_swatch_follows_style(window):
    from hotspot_desktop.core.styles import categorised

    layer = window.project.layers.by_name("top")
    m = window.layer_panel.model

    def colours() -> set[str]:
        image = m.index(0, 0).data(Qt.ItemDataRole.DecorationRole).pixmap(18, 18).toImage()
        return {image.pixelColor(x, y).name() for x in range(18) for y in range(18)}

    assert layer.style.symbol.fill[:7].lower() in colours()
    layer.style = categorised(["Burglary", "Theft"], "offence")
    shown = colours()
    assert {c.color.lower() for c in layer.style.categories} <= shown
