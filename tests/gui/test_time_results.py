"""Time menu in the main window; emerging hot spot and near-repeat results driven like a user:
run the tool, click a cell with Identify, read the explanation; read the Knox table, draw risk areas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from hotspot_desktop.core.model import PointLayer
from tests.gui.test_canvas_helpers import to_pixel
from tests.gui.test_main_window import make_window

pytestmark = pytest.mark.gui


def emerging_incidents(seed: int = 4) -> PointLayer:
    """Uniform background over 20 weeks plus a cluster in [0, 300]² that starts in week 10."""
    rng = np.random.default_rng(seed)
    n = 4000
    x, y = rng.uniform(0, 2000, n), rng.uniform(0, 2000, n)
    t = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.uniform(0, 140, n), unit="D")
    m = 600
    hx, hy = rng.uniform(0, 300, m), rng.uniform(0, 300, m)
    ht = pd.Timestamp("2024-03-11") + pd.to_timedelta(rng.uniform(0, 69, m), unit="D")
    attrs = pd.DataFrame({"time": pd.to_datetime(np.concatenate([t, ht])), "offence": "Burglary"})
    return PointLayer("burglaries", np.concatenate([x, hx]), np.concatenate([y, hy]), attrs)


def near_repeat_incidents(seed: int = 5) -> PointLayer:
    """Incidents with followers 30 m and 2 days later (a strong near-repeat pattern)."""
    rng = np.random.default_rng(seed)
    n = 250
    x, y = rng.uniform(0, 3000, n), rng.uniform(0, 3000, n)
    days = rng.uniform(0, 300, n)
    k = n // 2
    x, y = np.concatenate([x, x[:k] + 30]), np.concatenate([y, y[:k]])
    days = np.concatenate([days, days[:k] + 2])
    attrs = pd.DataFrame({"time": pd.Timestamp("2024-01-01") + pd.to_timedelta(days, unit="D"),
                          "offence": "Burglary"})
    return PointLayer("near repeats", x, y, attrs)


def run_tool(window, tool_id: str, **values) -> None:
    ui = window.tools_ui
    tool = ui.registry.get(tool_id)
    vals = tool.defaults()
    vals.update(values)
    ui.run(tool, vals)


def test_time_menu_sits_before_tools_and_opens_the_docks(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    menu = window.menus["Time"]
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles.index(menu.title()) == titles.index(window.menus["Tools"].title()) - 1
    names = {a.objectName() for a in menu.actions()}
    assert {"timeShowDock", "timeShowFilterBar", "timeShowWhy", "timeShowKnox"} <= names
    layer = emerging_incidents()
    window.add_layer(layer)
    next(a for a in menu.actions() if a.objectName() == "timeShowDock").trigger()
    ui = window.time_ui
    assert ui.time_dock.isVisible() and ui.time_dock.layer is layer
    assert "holds" in ui.time_dock.peaks.text()
    next(a for a in menu.actions() if a.objectName() == "timeShowFilterBar").trigger()
    assert ui.filter_dock.isVisible() and ui.filter_bar.layer is layer


def test_identify_on_an_emerging_cell_explains_its_class(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    layer = emerging_incidents()
    window.add_layer(layer)
    run_tool(window, "hotspot.emerging", points=layer, cell_size=100.0, step="week")
    qtbot.waitUntil(lambda: window.project.layers.by_name("Emerging hot spots") is not None, timeout=60000)
    result = window.project.layers.by_name("Emerging hot spots")
    gdf = result.gdf
    hot = gdf[(gdf["class"] > 0) & (gdf["row"] == 1) & (gdf["col"] == 1)]
    assert len(hot) == 1, gdf["label"].value_counts()
    canvas = window.canvas
    canvas.zoom_to_extent((0, 0, 2000, 2000), pad=0.0)
    canvas.flush()
    window.set_map_tool("identify")
    c, r = to_pixel(canvas, 150.0, 150.0)
    QTest.mouseClick(canvas.graphics_view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(c, r))
    panel = window.time_ui.why_panel
    qtbot.waitUntil(lambda: panel.cell is not None, timeout=5000)
    assert window.time_ui.why_dock.isVisible()
    text = panel.explanation.text()
    label = hot["label"].iloc[0]
    assert text.startswith(f"{label}: hot in") and "Mann–Kendall τ" in text
    assert f"Rule: {label}:" in text
    assert len(panel.cell.z) == len(panel.cell.steps) == 20
    assert panel.cell.z[-1] > panel.cell.threshold  # hot in the final weeks
    QTest.mouseClick(panel.rules_button, Qt.MouseButton.LeftButton)
    assert panel.rules.isVisible() and "oscillating" in panel.rules.toPlainText()


def test_knox_dock_labels_and_risk_areas(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    layer = near_repeat_incidents()
    window.add_layer(layer)
    run_tool(window, "pattern.near_repeat", points=layer, simulations=39)
    dock = window.time_ui.knox_dock
    qtbot.waitUntil(lambda: dock.result is not None, timeout=60000)
    assert dock.isVisible()
    t = dock.table
    assert t.verticalHeaderItem(0).text() == "distance: same location (0 m)"
    assert t.verticalHeaderItem(1).text() == "distance: over 0 to 100 m"
    assert t.horizontalHeaderItem(0).text() == "days apart: 0 to 7 days"
    assert t.horizontalHeaderItem(t.columnCount() - 1).text() == "days apart: more than 35 days"
    assert "distance between incidents" in dock.axes.text() and "days between incidents" in dock.axes.text()
    # The 0-100 m, 0-7 day cell holds the followers: shaded as significant (39 simulations: p ≥ 0.025).
    assert t.item(1, 0).background().color().name() == "#fc8d59"
    assert t.item(1, 0).text().startswith(f"{dock.result.ratio[1, 0]:.2f} (p 0.025)")
    low = np.argwhere(dock.result.ratio <= 1.0)[0]
    assert t.item(int(low[0]), int(low[1])).background().style() == Qt.BrushStyle.NoBrush
    n = len(window.project.layers)
    assert dock.draw_button.isEnabled()
    QTest.mouseClick(dock.draw_button, Qt.MouseButton.LeftButton)
    assert len(window.project.layers) == n + 1
    risk = window.project.layers[-1]
    assert risk.name.startswith("Near-repeat risk") and risk.geometry_kind == "polygon"
    assert risk.gdf.geometry.iloc[0].area > 0
    assert dock.caption.text().startswith("Near-repeat risk to ") and "Knox test" in dock.caption.text()


def test_time_docks_follow_a_new_project_and_the_active_layer(qtbot, tmp_path):
    from hotspot_desktop.core.model import Project

    window = make_window(qtbot, tmp_path)
    first, second = emerging_incidents(), near_repeat_incidents()
    window.add_layer(first)
    window.add_layer(second)
    ui = window.time_ui
    assert ui.layer is second and ui.filter_bar.layer is second
    window.project.layers.active = first
    assert ui.time_dock.layer is first and ui.filter_bar.layer is first
    dock = ui.show_time_dock()
    assert dock.heatmap.table.sum() == len(first)
    window.set_project(Project())
    assert ui.layer is None and dock.layer is None and not ui.filter_bar.isEnabled()
    window.add_layer(emerging_incidents(seed=9))
    assert dock.layer is window.project.layers[-1]
    dock.flush()
    assert dock.heatmap.table.sum() == len(dock.layer)


def test_selecting_an_emerging_cell_row_explains_it(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    layer = emerging_incidents()
    window.add_layer(layer)
    run_tool(window, "hotspot.emerging", points=layer, cell_size=100.0, step="week")
    qtbot.waitUntil(lambda: window.project.layers.by_name("Emerging hot spots") is not None, timeout=60000)
    result = window.project.layers.by_name("Emerging hot spots")
    row = int(np.flatnonzero(result.gdf["class"].to_numpy() == 0)[0])
    result.selection = np.array([row])
    result.changed.emit("selection")
    panel = window.time_ui.why_panel
    assert panel.cell is not None and panel.cell.code == 0
    assert panel.explanation.text().startswith("no pattern detected")
    assert "Rule: no pattern detected: none of the above" in panel.explanation.text()
