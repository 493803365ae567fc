"""The zones dock: attribute form edits are undoable; measures match independent counts and
follow filter changes; double-click on the map opens the form; zones from hot spots."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from PySide6.QtCore import QDate, Qt
from PySide6.QtTest import QTest

from hotspot_desktop.core.model import PointFilter, RasterLayer
from tests.gui.test_zones_support import (
    X0,
    Y0,
    dclick,
    drag,
    zones_gdf,
)

pytestmark = pytest.mark.gui


def draw_rect(window, x0, y0, x1, y1):
    window.zones_ui.toolbar.tool_actions["rectangle"].trigger()
    drag(window, [(x0, y0), (x1, y1)])
    return zones_gdf(window)["zone_id"].iloc[-1]


def settle(qtbot, dock):
    qtbot.waitUntil(lambda: not dock._timer.isActive(), timeout=5000)
    assert dock.runner.wait(10)


def test_form_edits_push_undoable_attribute_changes(zwin, qtbot):
    zid = draw_rect(zwin, 100, 100, 300, 300)
    dock = zwin.zones_ui.dock
    zwin.zones_ui.toolbar.tool_actions["select"].trigger()
    dclick(zwin, 200, 200)  # opens the form
    assert dock.isVisible() and dock.form.isEnabled()
    assert dock.form.name.text() == "Zone 1"
    assert dock.table.selectionModel().selectedRows()[0].row() == 0

    form = dock.form
    form.name.clear()
    QTest.keyClicks(form.name, "Market square")
    form.role.setCurrentText("control")
    form.unit.setText("Unit 12")
    form.shift.setCurrentText("night")
    form.priority.setValue(2)
    form.start.setDate(QDate(2024, 3, 1))
    form.notes.setPlainText("Two foot patrols")
    QTest.mouseClick(form.apply_button, Qt.MouseButton.LeftButton)
    row = zones_gdf(zwin).iloc[0]
    assert (row["name"], row["role"], row["unit"], row["shift"], row["priority"], row["start"], row["end"],
            row["notes"]) == ("Market square", "control", "Unit 12", "night", 2, "2024-03-01", "", "Two foot patrols")
    assert zwin.undo_stack.count() == 2 and zwin.undo_stack.undoText().startswith("edit zone")
    assert dock.table.item(0, 0).text() == "Market square" and dock.table.item(0, 1).text() == "control"

    zwin.undo_stack.undo()
    row = zones_gdf(zwin).iloc[0]
    assert (row["name"], row["role"], row["start"]) == ("Zone 1", "target", "")
    settle(qtbot, dock)
    assert dock.table.item(0, 0).text() == "Zone 1"
    zwin.undo_stack.redo()
    assert zones_gdf(zwin).iloc[0]["name"] == "Market square"
    # Nothing changed: Apply pushes nothing.
    dock._on_selected(zid)
    QTest.mouseClick(form.apply_button, Qt.MouseButton.LeftButton)
    assert zwin.undo_stack.count() == 2


def test_table_selection_zoom_and_delete_buttons(zwin, qtbot):
    a = draw_rect(zwin, 100, 100, 200, 200)
    b = draw_rect(zwin, 600, 600, 700, 700)
    dock = zwin.zones_ui.dock
    settle(qtbot, dock)
    assert not dock.delete_button.isEnabled()
    dock.table.selectRow(1)  # as a click on the row does
    assert zwin.zones_ui.controller.selected == b and dock.form.name.text() == "Zone 2"
    assert list(zwin.project.zones.selection) == [1]
    QTest.mouseClick(dock.zoom_button, Qt.MouseButton.LeftButton)
    xmin, _, xmax, _ = zwin.canvas.current_extent()
    assert xmin <= X0 + 600 and xmax >= X0 + 700 and xmax - xmin < 400
    QTest.mouseClick(dock.delete_button, Qt.MouseButton.LeftButton)
    assert list(zones_gdf(zwin)["zone_id"]) == [a]
    settle(qtbot, dock)
    assert dock.table.rowCount() == 1 and not dock.form.isEnabled()
    zwin.undo_stack.undo()
    settle(qtbot, dock)
    assert dock.table.rowCount() == 2


def test_double_click_on_a_zone_with_the_pan_tool_opens_the_form(zwin):
    draw_rect(zwin, 500, 500, 700, 700)
    zwin.named_actions["tool_pan"].trigger()
    zwin.zones_ui.dock.hide()
    dclick(zwin, 600, 600)
    assert zwin.zones_ui.dock.isVisible() and zwin.zones_ui.dock.form.name.text() == "Zone 1"


def independent_counts(window, zone_ids):
    pts = window.project.point_layers()[0]
    x, y = pts.filtered_xy()
    gdf = zones_gdf(window).set_index("zone_id")
    points = shapely.points(x, y)
    return {z: int(shapely.covers(gdf.geometry[z], points).sum()) for z in zone_ids}, x.size


def test_measures_equal_independent_counts_and_follow_the_filter(zwin, qtbot):
    a = draw_rect(zwin, 240, 640, 360, 760)  # around the cluster
    b = draw_rect(zwin, 600, 100, 900, 300)
    dock = zwin.zones_ui.dock
    settle(qtbot, dock)
    counts, total = independent_counts(zwin, [a, b])
    for z in (a, b):
        assert dock.measure_of(z, "incidents") == counts[z]
        assert dock.measure_of(z, "share") == pytest.approx(counts[z] / total)
    area_a = zones_gdf(zwin).set_index("zone_id").geometry[a].area
    assert dock.measure_of(a, "density_km2") == pytest.approx(counts[a] / (area_a / 1e6))
    assert dock.table.item(0, 8).text() == f"{counts[a]:,}"
    assert dock.measure_of(a, "pai") > dock.measure_of(b, "pai")  # the cluster is the hot spot
    assert 0 < dock.measure_of(a, "pei") <= 1

    pts = zwin.project.point_layers()[0]
    pts.filter = PointFilter(offences=frozenset({"Burglary"}))
    settle(qtbot, dock)
    counts, total = independent_counts(zwin, [a, b])
    assert total < len(pts)
    assert dock.measure_of(a, "incidents") == counts[a] and dock.measure_of(b, "incidents") == counts[b]


def test_big_point_layers_are_measured_on_the_task_runner(zwin, qtbot):
    a = draw_rect(zwin, 240, 640, 360, 760)
    dock = zwin.zones_ui.dock
    dock.runner.async_threshold = 10  # the test layer counts as "big"
    with qtbot.waitSignal(dock.runner.ready, timeout=10000):
        dock.refresh_now()
        assert dock.status.text() == "Measuring zones…"
    counts, _ = independent_counts(zwin, [a])
    assert dock.measure_of(a, "incidents") == counts[a]
    assert dock.status.text() == ""


def test_zones_from_a_hot_spot_raster_are_one_undo_step(zwin):
    from hotspot_desktop.gui.zones.from_hotspots_dialog import FromHotspotsDialog

    classes = np.zeros((10, 10))
    classes[6:8, 2:4] = 3  # a 2x2 block of 99 % hot cells (200 m square at 200..400, 600..800)
    classes[1, 8] = 2  # one lonely 95 % cell
    classes[0, 0] = np.nan
    z = np.where(np.isnan(classes), np.nan, classes * 1.5)
    raster = RasterLayer("Gi* hot spots", z, X0, Y0, 100.0)
    raster.bands = {"class": classes}
    zwin.add_layer(raster)
    dialog = FromHotspotsDialog(zwin.zones_ui.controller, zwin)
    assert dialog.band_combo.currentText() == "class" and dialog.threshold.value() == 2.0
    dialog.min_area.setValue(15_000)  # drops the single 10 000 m² cell
    dialog.smooth.setValue(0)
    dialog.simplify.setValue(0)
    dialog.accept()
    gdf = zones_gdf(zwin)
    assert len(gdf) == 1 and len(dialog.created) == 1
    g = gdf.geometry.iloc[0]
    assert g.area == pytest.approx(40_000)
    assert g.bounds == pytest.approx((X0 + 200, Y0 + 600, X0 + 400, Y0 + 800))
    assert gdf["role"].iloc[0] == "target" and "Gi* hot spots" in gdf["name"].iloc[0]

    dialog = FromHotspotsDialog(zwin.zones_ui.controller, zwin)
    dialog.min_area.setValue(0)
    dialog.accept()
    assert len(zones_gdf(zwin)) == 3
    assert zwin.undo_stack.undoText().startswith("make 2 zone(s)")
    zwin.undo_stack.undo()  # one step removes both
    assert len(zones_gdf(zwin)) == 1


def test_zones_from_selected_result_polygons(zwin):
    import geopandas as gpd

    from hotspot_desktop.core.model import VectorLayer
    from hotspot_desktop.gui.zones.from_hotspots_dialog import (
        hotspot_sources,
        make_zones,
        source_shapes,
    )
    from tests.gui.test_zones_support import UTM

    cells = gpd.GeoDataFrame({"gi_class": [3, 3, 0]},
                             geometry=[shapely.box(X0, Y0, X0 + 100, Y0 + 100),
                                       shapely.box(X0 + 100, Y0, X0 + 200, Y0 + 100),
                                       shapely.box(X0 + 500, Y0, X0 + 600, Y0 + 100)], crs=UTM)
    result = VectorLayer("Gi* beats", cells)
    zwin.add_layer(result)
    assert hotspot_sources(zwin.project)[0] is result
    assert source_shapes(result) == []  # nothing selected, nothing made
    result.selection = np.array([0, 1])
    ids = make_zones(zwin.zones_ui.controller, source_shapes(result), smooth_m=0, simplify_m=0, min_area_m2=0,
                     source_name=result.name)
    assert len(ids) == 1 and zones_gdf(zwin).geometry.iloc[0].area == pytest.approx(20_000)


def test_zone_table_lists_attributes_of_imported_zones(zwin, tmp_path, qtbot):
    import geopandas as gpd

    from hotspot_desktop.core.io.zones_io import export_zones
    from hotspot_desktop.core.model import ZoneLayer
    from hotspot_desktop.gui.zones.file_actions import import_file
    from tests.gui.test_zones_support import UTM

    src = ZoneLayer("beats", gpd.GeoDataFrame(
        {"name": ["North"], "role": ["patrol"], "unit": ["U1"], "shift": ["day"], "priority": [1],
         "start": ["2024-01-01"], "end": ["2024-06-30"], "notes": ["n"]},
        geometry=[shapely.box(X0 + 100, Y0 + 100, X0 + 300, Y0 + 300)], crs=UTM))
    path = export_zones(src, tmp_path / "beats.kml")
    layer = import_file(zwin, path)
    assert zwin.project.zones is layer and zwin.project.layers.active is layer
    dock = zwin.zones_ui.dock
    settle(qtbot, dock)
    assert [dock.table.item(0, c).text() for c in range(8)] == ["North", "patrol", "U1", "day", "1", "2024-01-01",
                                                                 "2024-06-30", "n"]
    assert pd.notna(dock.measure_of(layer.gdf["zone_id"].iloc[0], "incidents"))
