"""Patrol plan timeline docks, saving a plan as CSV and the dosage tool's plan-file picker, driven like a user."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QColor, QMouseEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QPushButton

from hotspot_desktop.core.io.patrol_io import read_plan_csv, visits_table
from hotspot_desktop.core.model import ZoneLayer
from hotspot_desktop.core.styles import QUALITATIVE
from hotspot_desktop.gui import tools_ui
from hotspot_desktop.gui.result_views import ChartDock, TableDock
from tests.gui.test_tasks_helpers import ToolsTestWindow, incidents

pytestmark = pytest.mark.gui

ZONE_NAMES = ["North", "Centre", "South"]


def patrol_zones() -> ZoneLayer:
    boxes = [shapely.box(439_400 + 500 * i, 4_639_400 + 500 * i, 439_800 + 500 * i, 4_639_800 + 500 * i)
             for i in range(3)]
    return ZoneLayer("Zones", gpd.GeoDataFrame({"name": ZONE_NAMES, "role": ["patrol"] * 3}, geometry=boxes))


@pytest.fixture
def win(qtbot):
    w = ToolsTestWindow()
    qtbot.addWidget(w)
    ui = tools_ui.install(w)
    w.resize(1200, 900)
    w.show()
    qtbot.waitExposed(w)
    yield w, ui
    ui.runner.cancel_all()
    ui.runner.wait_for_done(5)


def _type(qtbot, edit, text: str) -> None:
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(edit, text)


def _docks(w, kind):
    return [d for d in w._result_docks if isinstance(d, kind)]


def _colour_pixels(image, hex_colour: str) -> int:
    """Pixels of exactly ``hex_colour`` in a QImage (bars are filled with a solid brush)."""
    img = image.convertToFormat(image.Format.Format_RGB32)
    arr = np.frombuffer(img.constBits(), dtype=np.uint8).reshape(img.height(), img.bytesPerLine())[:, :img.width() * 4]
    px = arr.reshape(img.height(), img.width(), 4)
    c = QColor(hex_colour)
    return int(((px[..., 2] == c.red()) & (px[..., 1] == c.green()) & (px[..., 0] == c.blue())).sum())


def _run_plan(qtbot, w, ui):
    w.add_layer(incidents())
    w.add_layer(patrol_zones())
    dialog = ui.open_tool("patrol.plan")
    assert dialog.values()["zones"].name == "Zones"
    _type(qtbot, dialog.editors["shifts"], "Late 14-22 x2; Night 22-06 x1")
    dialog.editors["days"].setValue(3)
    _type(qtbot, dialog.editors["first_day"], "2025-01-06")
    with qtbot.waitSignal(ui.runner.finished, timeout=30_000):
        qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    return next(d for d in _docks(w, TableDock) if d.result.name == "visits")


def test_plan_timeline_docks_per_shift_and_plan_saved_as_csv(qtbot, win, tmp_path, monkeypatch):
    w, ui = win
    visits_dock = _run_plan(qtbot, w, ui)
    visits = visits_dock.result.frame
    timelines = {d.spec.title: d for d in _docks(w, ChartDock) if d.spec.kind == "timeline"}
    assert list(timelines) == ["Patrol timeline: Late shift", "Patrol timeline: Night shift"]
    for shift, dock in (("Late", timelines["Patrol timeline: Late shift"]),
                        ("Night", timelines["Patrol timeline: Night shift"])):
        planned = visits[visits["shift"] == shift]
        # One bar item per zone, a bar per visit, on lanes of day x unit.
        assert set(dock.bar_items) == set(planned["zone"])
        assert sum(len(item.opts["x0"]) for item in dock.bar_items.values()) == len(planned)
        per_zone = planned.groupby("zone").size()
        for zone, item in dock.bar_items.items():
            assert len(item.opts["x0"]) == per_zone[zone]
        assert len(dock.spec.lanes) == 3 * planned["unit"].nunique()
        assert [lbl.text for _s, lbl in dock.legend.items] == [z for z in sorted(ZONE_NAMES) if z in dock.bar_items]
        ticks = dict(dock.plot.getAxis("bottom")._tickLevels[0])
        assert ticks[22.0] == "22:00" and (shift == "Late" or ticks[26.0] == "02:00")
    night = timelines["Patrol timeline: Night shift"]
    night.setFloating(True)
    night.resize(1000, 560)
    qtbot.waitExposed(night)
    qtbot.waitUntil(lambda: night.plot.width() > 900)
    vb = night.plot.getPlotItem().getViewBox()
    plot_area = night.plot.mapFromScene(vb.sceneBoundingRect()).boundingRect()  # bars only, not the legend
    image = night.plot.grab().toImage().copy(plot_area)
    for zone in night.bar_items:
        colour = QUALITATIVE[night.spec.colour_index(zone) % len(QUALITATIVE)]
        assert _colour_pixels(image, colour) > 150, zone  # each zone's bars are drawn in its colour
    assert [t for _v, t in night.plot.getAxis("left")._tickLevels[0]] == night.spec.lanes  # room: every lane
    late = timelines["Patrol timeline: Late shift"]
    late.setFloating(True)
    late.resize(1000, 175)
    qtbot.waitUntil(lambda: late.plot.height() < 200)
    qtbot.waitUntil(lambda: len(late.plot.getAxis("left")._tickLevels[0]) < len(late.spec.lanes))
    assert all(" · " not in t for _v, t in late.plot.getAxis("left")._tickLevels[0])  # cramped: days only
    # Zoomed in on one hour, bars are wide enough for their zone names.
    assert not any(t.isVisible() for t, _h in night.bar_labels)
    first = night.spec.bars()[0]
    night.plot.setXRange(first[1] - 0.25, first[1] + 0.5, padding=0)
    assert any(t.isVisible() for t, _h in night.bar_labels)
    # Hovering a bar names its zone, lane and times.
    scene_pt = vb.mapViewToScene(QPointF((first[1] + first[2]) / 2, first[0]))
    view_pt = QPointF(night.plot.mapFromScene(scene_pt))
    QApplication.sendEvent(night.plot.viewport(), QMouseEvent(QEvent.Type.MouseMove, view_pt,
                                                               night.plot.viewport().mapToGlobal(view_pt),
                                                               Qt.MouseButton.NoButton, Qt.MouseButton.NoButton,
                                                               Qt.KeyboardModifier.NoModifier))
    qtbot.waitUntil(lambda: night.plot.toolTip().startswith(first[3]))
    assert night.spec.lanes[first[0]] in night.plot.toolTip()
    # Save CSV… writes the plan file that the dosage tool (and read_plan_csv) reads back.
    # It proposes a name Windows accepts (no ':'), in the project's folder once the project is saved.
    out = tmp_path / "plan.csv"
    proposed = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda _parent, _caption, start, _filter: (proposed.append(start) or str(out), "CSV (*.csv)"))
    save = next(b for b in visits_dock.findChildren(QPushButton) if b.text() == "Save CSV…")
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    saved = read_plan_csv(out)
    pd.testing.assert_frame_equal(visits_table(saved.visits), visits)
    # ... with its sidecar: shift hours and expected coverage come back for the briefing.
    assert out.with_name("plan.plan.json").is_file()
    assert [s["name"] for s in saved.settings["shifts"]] == ["Late", "Night"]
    assert saved.coverage["expected_coverage"].notna().all()
    w.project.path = tmp_path / "beat" / "case.hsproj"
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    assert proposed == ["Patrol plan - visits.csv", str(tmp_path / "beat" / "Patrol plan - visits.csv")]
    coverage = next(d for d in _docks(w, TableDock) if d.result.name == "coverage").result.frame
    assert "expected coverage %" in coverage.columns and coverage["expected coverage %"].max() <= 100


def test_dosage_tool_picks_the_plan_file_and_shows_delivered_minutes(qtbot, win, tmp_path, monkeypatch):
    from hotspot_desktop.core.analysis.patrol import Shift, ZoneDemand, make_plan
    from hotspot_desktop.core.io.loaders import add_file_to_project
    from hotspot_desktop.core.io.patrol_io import write_plan_csv
    from hotspot_desktop.sample.avl import simulate_avl, write_avl_csv

    w, ui = win
    zones = patrol_zones()
    w.add_layer(zones)
    demands = [ZoneDemand(n, np.ones(168), visits_per_shift=2) for n in ZONE_NAMES]
    plan = make_plan(demands, [Shift("Late", 14, 22, 2)], first_day=pd.Timestamp("2025-01-06"), days=2, seed=3)
    plan_csv = tmp_path / "plan.csv"
    write_plan_csv(plan, plan_csv)
    sim = simulate_avl(plan.visits, dict(zip(ZONE_NAMES, zones.gdf.geometry)), drive=False, max_delay_minutes=0,
                       compliance=0.75, seed=2)
    write_avl_csv(sim.pings, tmp_path / "avl.csv", w.project.working_crs)
    avl, _report = add_file_to_project(w.project, tmp_path / "avl.csv")
    w.project.layers.active = avl
    dialog = ui.open_tool("patrol.dosage")
    assert dialog.values()["pings"] is avl and dialog.editors["unit_field"].currentText() == "unit"
    assert dialog.values()["plan"] is None and dialog.editors["max_gap"].suffix() == " min"
    # A plan path that does not exist keeps the dialog open with a message...
    path_edit = dialog.editors["plan"].edits[0]
    qtbot.keyClicks(path_edit, str(tmp_path / "nope.csv"))
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "no file" in dialog.messages["plan"].text()
    # ...and Browse… fills in the chosen file, which clears it.
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(plan_csv), "Patrol plan (CSV) (*.csv)"))
    qtbot.mouseClick(dialog.editors["plan"].browse, Qt.MouseButton.LeftButton)
    assert path_edit.text() == str(plan_csv) and dialog.messages["plan"].isHidden()
    with qtbot.waitSignal(ui.runner.finished, timeout=30_000):
        qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    assert not w.errors
    table = next(d for d in _docks(w, TableDock) if d.result.name == "dosage").result.frame.set_index("zone")
    kept = sim.visits[sim.visits["kept"]].groupby("zone")["minutes"].sum()
    for zone in ZONE_NAMES:
        assert table.loc[zone, "planned_minutes"] == plan.visits.groupby("zone")["minutes"].sum()[zone]
        assert table.loc[zone, "delivered_minutes"] == pytest.approx(kept.get(zone, 0))
    chart = next(d for d in _docks(w, ChartDock) if d.spec.title == "Dosage: planned vs delivered minutes")
    assert list(chart.spec.series) == ["planned minutes", "delivered minutes"]
    made = next(d for d in _docks(w, TableDock) if d.result.name == "visit_delivery").result.frame
    assert (made["made"] == "yes").sum() == sim.visits["kept"].sum()


def test_zone_form_priority_says_one_is_highest(qtbot):
    from hotspot_desktop.gui.zones.zone_form import ZoneForm

    form = ZoneForm()
    qtbot.addWidget(form)
    assert form.priority.toolTip() == "1 = highest; patrol plans schedule lower numbers first"


def test_plan_without_zones_or_hot_spots_is_a_tool_error(qtbot, win):
    w, ui = win
    w.add_layer(incidents())
    dialog = ui.open_tool("patrol.plan")
    assert dialog.values()["zones"] is None and dialog.values()["hotspots"] is None
    with qtbot.waitSignal(ui.runner.failed, timeout=30_000):
        qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    ((title, message, _details),) = w.errors  # the ordinary tool error dialog, once
    assert title == "Patrol plan failed" and "choose the patrol zones, or a hot spot layer" in message
    assert not getattr(w, "_result_docks", [])
