"""The layer properties dialog (style editor) changes ``layer.style`` like a user would."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from shapely.geometry import box

from hotspot_desktop.core.model import Provenance, RasterLayer, VectorLayer
from hotspot_desktop.gui.layer_properties import LayerPropertiesDialog
from tests.gui.test_layer_panel import point_layer
from tests.gui.test_main_window import make_window

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot, tmp_path):
    return make_window(qtbot, tmp_path)


def beats() -> VectorLayer:
    gdf = gpd.GeoDataFrame({"beat": [f"B{i}" for i in range(12)], "count": np.arange(12) * 3.0},
                           geometry=[box(i * 100, 0, i * 100 + 90, 90) for i in range(12)], crs="EPSG:32616")
    return VectorLayer("Beats", gdf)


def click(qtbot, dialog, which) -> None:
    qtbot.mouseClick(dialog.buttons.button(which), Qt.MouseButton.LeftButton)


def test_categorised_by_offence_updates_style(qtbot, window):
    layer = point_layer("incidents")
    window.add_layer(layer)
    window.named_actions["layer_properties"].trigger()
    dialog = window.last_properties_dialog
    assert isinstance(dialog, LayerPropertiesDialog)
    dialog.mode.setCurrentIndex(dialog.mode.findData("categorised"))
    assert dialog.pages.currentIndex() == dialog.page_index["categorised"]
    assert dialog.cat_field.currentData() == "offence"  # the obvious field is preselected
    qtbot.mouseClick(dialog.classify_cats, Qt.MouseButton.LeftButton)
    assert dialog.cat_table.rowCount() == 3
    # Hide "Robbery" with its check box.
    row = [dialog.cat_table.item(r, 1).text() for r in range(3)].index("Robbery")
    dialog.cat_table.item(row, 0).setCheckState(Qt.CheckState.Unchecked)
    click(qtbot, dialog, QDialogButtonBox.StandardButton.Ok)
    style = layer.style
    assert style.mode == "categorised" and style.field == "offence"
    assert [c.value for c in style.categories] == ["Burglary", "Robbery", "Theft"]
    assert [c.visible for c in style.categories] == [True, False, True]
    assert style.categories[0].color == "#E69F00"  # Okabe-Ito, colour-blind safe
    # One undo step restores the single symbol.
    assert window.undo_stack.count() == 1
    window.named_actions["undo"].trigger()
    assert layer.style.mode == "single"
    window.named_actions["redo"].trigger()
    assert layer.style.mode == "categorised"


def test_graduated_natural_breaks_on_polygons(qtbot, window):
    layer = beats()
    window.add_layer(layer)
    dialog = LayerPropertiesDialog(layer, window.project, window)
    qtbot.addWidget(dialog)
    assert dialog.mode.findData("heatmap") == -1 and dialog.mode.findData("raster") == -1
    dialog.mode.setCurrentIndex(dialog.mode.findData("graduated"))
    dialog.grad_field.setCurrentIndex(dialog.grad_field.findData("count"))
    dialog.method.setCurrentIndex(dialog.method.findData("natural_breaks"))
    dialog.n_classes.setValue(4)
    qtbot.mouseClick(dialog.classify_grad, Qt.MouseButton.LeftButton)
    assert dialog.grad_table.rowCount() == 4
    click(qtbot, dialog, QDialogButtonBox.StandardButton.Apply)
    assert layer.style.mode == "graduated" and layer.style.method == "natural_breaks"
    assert len(layer.style.classes) == 4 and layer.style.classes[-1].upper == 33.0


def test_manual_breaks_and_bad_input_message(qtbot, window):
    layer = beats()
    dialog = LayerPropertiesDialog(layer, window.project)
    qtbot.addWidget(dialog)
    dialog.mode.setCurrentIndex(dialog.mode.findData("graduated"))
    dialog.method.setCurrentIndex(dialog.method.findData("manual"))
    qtbot.keyClicks(dialog.breaks, "5, x")
    qtbot.mouseClick(dialog.classify_grad, Qt.MouseButton.LeftButton)
    assert "numbers" in dialog.grad_error.text()
    dialog.breaks.setText("10, 20, 40")
    qtbot.mouseClick(dialog.classify_grad, Qt.MouseButton.LeftButton)
    assert [c.upper for c in dialog._classes] == [10.0, 20.0, 40.0]


def test_heatmap_radius_in_feet_is_stored_in_metres(qtbot, window):
    window.project.display_units = "ft"
    layer = point_layer("incidents")
    dialog = LayerPropertiesDialog(layer, window.project)
    qtbot.addWidget(dialog)
    dialog.mode.setCurrentIndex(dialog.mode.findData("heatmap"))
    assert dialog.radius.suffix() == " ft"
    dialog.radius.setValue(1000)
    click(qtbot, dialog, QDialogButtonBox.StandardButton.Apply)
    assert layer.style.mode == "heatmap"
    assert layer.style.heatmap.radius_m == pytest.approx(304.8)


def test_single_symbol_opacity_and_labels(qtbot, window):
    layer = beats()
    dialog = LayerPropertiesDialog(layer, window.project)
    qtbot.addWidget(dialog)
    dialog.fill.set_color("#ff000080")
    dialog.outline_width.setValue(2.0)
    dialog.opacity.setValue(50)
    dialog.label_field.setCurrentIndex(dialog.label_field.findData("beat"))
    click(qtbot, dialog, QDialogButtonBox.StandardButton.Apply)
    assert layer.style.symbol.fill == "#ff000080" and layer.style.symbol.outline_width == 2.0
    assert layer.opacity == 0.5 and layer.style.label_field == "beat"


def test_raster_settings_and_information_tab(qtbot, window):
    layer = RasterLayer("Density", np.arange(12.0).reshape(3, 4), 0, 0, 100)
    layer.provenance = Provenance("kde", "1.0", {"radius_m": 250}, {"points": {"name": "inc", "hash": "abc"}},
                                  {}, "2024-01-01T00:00:00", "0.1.0")
    dialog = LayerPropertiesDialog(layer, window.project)
    qtbot.addWidget(dialog)
    assert dialog.mode.count() == 1  # a grid has only the raster style
    dialog.mode.setCurrentIndex(dialog.mode.findData("raster"))
    dialog.raster_auto.setChecked(False)
    dialog.vmax.setValue(8)
    dialog.below_on.setChecked(True)
    dialog.below.setValue(1)
    click(qtbot, dialog, QDialogButtonBox.StandardButton.Apply)
    r = layer.style.raster
    assert layer.style.mode == "raster" and r.vmax == 8 and r.transparent_below == 1
    info = dialog.info.toPlainText()
    assert "Features: 12" in info and '"tool_id": "kde"' in info and "radius_m" in info
