"""Task runner: real worker threads, cancel, failure dialog + log, stale results, close."""

from __future__ import annotations

import time

import numpy as np
import pytest
from PySide6.QtCore import Qt

from hotspot_desktop.core.model import RasterLayer
from hotspot_desktop.gui import tools_ui
from hotspot_desktop.tools.base import Tool, ToolResult, layer_param, number_param, output_param
from hotspot_desktop.tools.execute import STALE_SUFFIX
from hotspot_desktop.tools.registry import Registry
from tests.gui.test_tasks_helpers import ToolsTestWindow, incidents

pytestmark = pytest.mark.gui


def slow_density(inputs: dict, ctx) -> ToolResult:
    """A genuinely long computation: per-point Gaussian splats, one checkpoint per chunk."""
    pts = inputs["points"]
    seconds = float(inputs["seconds"])
    grid = np.zeros((50, 50))
    deadline = time.monotonic() + seconds
    i = 0
    while time.monotonic() < deadline:
        ctx.checkpoint(min(0.99, 1 - (deadline - time.monotonic()) / seconds), "splatting")
        k = i % len(pts.x)
        cx = int((pts.x[k] - pts.x.min()) / (np.ptp(pts.x) + 1) * 49)
        cy = int((pts.y[k] - pts.y.min()) / (np.ptp(pts.y) + 1) * 49)
        yy, xx = np.mgrid[0:50, 0:50]
        grid += np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / 8.0)
        i += 1
    return ToolResult(layers=[RasterLayer(inputs["output"], grid, pts.x.min(), pts.y.min(), 10.0)],
                      notes=[f"{i} splats"])


def failing(inputs: dict, ctx) -> ToolResult:
    ctx.checkpoint(0.1, "about to fail")
    raise ValueError("bandwidth collapsed to zero")


SLOW = Tool("test.slow", "Slow density", "Test", "1.0", "Slow test density.", f"{__name__}:slow_density",
            params=(layer_param("points", "Points", "point"),
                    number_param("seconds", "Seconds", 0.3, unit="", minimum=0.0, maximum=60),
                    output_param("output", "Output", "Slow density")))
FAILING = Tool("test.failing", "Failing", "Test", "1.0", "Always fails.", f"{__name__}:failing",
               params=(layer_param("points", "Points", "point"),))


@pytest.fixture
def win(qtbot):
    reg = Registry()
    reg.add(SLOW, "tests")
    reg.add(FAILING, "tests")
    w = ToolsTestWindow()
    qtbot.addWidget(w)
    w.project.layers.append(incidents())
    ui = tools_ui.install(w, registry=reg)
    yield w, ui
    ui.runner.cancel_all()
    ui.runner.wait_for_done(5)


def test_run_adds_layer_with_provenance_and_record(qtbot, win):
    w, ui = win
    pts = w.project.layers[0]
    with qtbot.waitSignal(ui.runner.finished, timeout=10_000):
        ui.run(SLOW, {"points": pts, "seconds": 0.2, "output": "Density A"})
    layer = w.project.layers.by_name("Density A")
    assert layer is not None and layer.provenance is not None
    assert layer.provenance.tool_id == "test.slow"
    assert layer.provenance.inputs["points"] == {"name": "Incidents", "hash": pts.content_hash()}
    assert layer.provenance.parameters["seconds"] == 0.2
    assert w.project.analyses[-1].tool_id == "test.slow"
    assert w.project.analyses[-1].output_layer_ids == [layer.id]


def test_cancel_stops_quickly_and_adds_nothing(qtbot, win):
    w, ui = win
    n_before = len(w.project.layers)
    task = ui.run(SLOW, {"points": w.project.layers[0], "seconds": 30, "output": "Never"})
    qtbot.waitUntil(lambda: task.state == "running" and task.fraction > 0, timeout=5000)
    assert ui.task_panel.cancel_button(task.id).isEnabled()
    with qtbot.waitSignal(ui.runner.cancelled, timeout=500):
        ui.task_panel.cancel_button(task.id).click()
    assert task.state == "cancelled"
    assert len(w.project.layers) == n_before and not w.project.analyses
    assert not ui.runner.has_running()


def test_failure_shows_error_and_logs(qtbot, win, tmp_path, monkeypatch):
    from hotspot_desktop.gui import errors

    monkeypatch.setattr(errors, "log_dir", lambda: tmp_path)
    w, ui = win
    with qtbot.waitSignal(ui.runner.failed, timeout=5000):
        ui.run(FAILING, {"points": w.project.layers[0]})
    title, message, details = w.errors[-1]
    assert "Failing" in title and "bandwidth collapsed" in message
    assert "Traceback" in details and "failing" in details
    assert "bandwidth collapsed" in (tmp_path / errors.LOG_NAME).read_text()
    assert len(w.project.layers) == 1 and not w.project.analyses


def test_result_marked_stale_when_input_changes_mid_run(qtbot, win):
    w, ui = win
    pts = w.project.layers[0]
    # Long enough to be still running when the input changes, even on a slow, busy machine.
    task = ui.run(SLOW, {"points": pts, "seconds": 3.0, "output": "Density B"})
    qtbot.waitUntil(lambda: task.fraction > 0, timeout=5000)
    pts.x[0] += 10.0
    pts.data_changed()
    assert task.state == "running"
    with qtbot.waitSignal(ui.runner.finished, timeout=20_000):
        pass
    layer = w.project.layers[-1]
    assert layer.name == "Density B" + STALE_SUFFIX
    assert any("STALE" in n for n in layer.provenance.notes)
    assert ui.finished_runs[-1].stale
    from PySide6.QtWidgets import QMessageBox

    assert w.findChild(QMessageBox, "toolWarning") is not None


def test_queue_runs_one_at_a_time(qtbot, win):
    w, ui = win
    ui.runner.max_concurrent = 1  # the default is 2 on machines with 4+ cores
    pts = w.project.layers[0]
    a = ui.run(SLOW, {"points": pts, "seconds": 0.3, "output": "A"})
    b = ui.run(SLOW, {"points": pts, "seconds": 0.1, "output": "B"})
    assert a.state == "running" and b.state == "queued"
    qtbot.waitUntil(lambda: b.state == "done", timeout=10_000)
    assert [lyr.name for lyr in w.project.layers][-2:] == ["A", "B"]


def test_close_with_running_task_asks_then_stops(qtbot, win):
    w, ui = win
    task = ui.run(SLOW, {"points": w.project.layers[0], "seconds": 30, "output": "Never"})
    qtbot.waitUntil(lambda: task.state == "running", timeout=5000)
    w.show()
    ui.confirm_close = lambda: False
    assert not w.close()
    assert ui.runner.has_running()
    ui.confirm_close = lambda: True
    assert w.close()
    assert not ui.runner.has_running() and task.state == "cancelled"


def test_rerun_reopens_dialog_prefilled(qtbot, win):
    w, ui = win
    with qtbot.waitSignal(ui.runner.finished, timeout=10_000):
        ui.run(SLOW, {"points": w.project.layers[0], "seconds": 0.15, "output": "Density C"})
    dialog = tools_ui.rerun(w, w.project.layers.by_name("Density C"))
    assert dialog is not None
    vals = dialog.values()
    assert vals["seconds"] == pytest.approx(0.15)
    assert vals["output"] == "Density C"
    assert vals["points"] is w.project.layers[0]


def test_real_kde_cancels_promptly_and_adds_nothing(qtbot, win):
    """The exact KDE of 200k incidents with a wide bandwidth runs for seconds; Cancel stops it."""
    from hotspot_desktop.core.model import PointLayer
    from hotspot_desktop.tools.registry import load_registry

    w, ui = win
    rng = np.random.default_rng(5)
    big = PointLayer("Big", rng.uniform(0, 20_000, 200_000), rng.uniform(0, 20_000, 200_000))
    w.project.layers.append(big)
    kde = load_registry(safe_mode=True).get("hotspot.kde")
    n_before = len(w.project.layers)
    task = ui.run(kde, {"points": big, "bandwidth_rule": "fixed", "bandwidth": 1500.0, "cell_size": 20.0,
                        "mode": "exact"})
    qtbot.waitUntil(lambda: task.fraction > 0.0, timeout=20_000)
    assert task.state == "running"
    with qtbot.waitSignal(ui.runner.cancelled, timeout=2000):
        ui.runner.cancel(task.id)
    assert len(w.project.layers) == n_before and not w.project.analyses


def test_tables_and_charts_open_in_docks(qtbot, win):
    from hotspot_desktop.gui.result_views import ChartDock, TableDock
    from hotspot_desktop.tools.registry import load_registry

    w, ui = win
    trend = load_registry(safe_mode=True).get("time.trend")
    with qtbot.waitSignal(ui.runner.finished, timeout=10_000):
        ui.run(trend, {"points": w.project.layers[0], "period": "month", "by_offence": True})
    tables, charts = w.findChildren(TableDock), w.findChildren(ChartDock)
    assert len(tables) == 1 and len(charts) == 1
    model = tables[0].view.model()
    assert model.rowCount() == 12 and model.headerData(0, Qt.Orientation.Horizontal) == "period"
    assert set(charts[0].spec.series) >= {"burglary", "theft", "all"}
    tables[0].view.sortByColumn(model.columnCount() - 1, Qt.SortOrder.DescendingOrder)  # "all", numerically
    col = model.columnCount() - 1
    shown = [float(model.index(r, col).data().replace(",", "")) for r in range(model.rowCount())]
    assert shown == sorted(shown, reverse=True)
    assert len(charts[0].plot.getPlotItem().listDataItems()) == len(charts[0].spec.series)


def test_status_bar_shows_progress_while_running(qtbot, win):
    w, ui = win
    w.show()
    task = ui.run(SLOW, {"points": w.project.layers[0], "seconds": 30, "output": "S"})  # cancelled below
    qtbot.waitUntil(lambda: ui.status_progress.isVisible() and ui.status_progress.bar.value() > 0, timeout=5000)
    assert "Slow density" in ui.status_progress.label.text()
    ui.status_progress.cancel.click()
    qtbot.waitUntil(lambda: task.state == "cancelled", timeout=2000)
    qtbot.waitUntil(lambda: not ui.status_progress.isVisible(), timeout=2000)


def test_rerun_same_output_supersedes_older_task(qtbot, win):
    w, ui = win
    pts = w.project.layers[0]
    old = ui.run(SLOW, {"points": pts, "seconds": 30, "output": "Same"})
    qtbot.waitUntil(lambda: old.state == "running", timeout=5000)
    other = ui.run(SLOW, {"points": pts, "seconds": 0.1, "output": "Other"})
    new = ui.run(SLOW, {"points": pts, "seconds": 0.1, "output": "Same"})
    assert old.cancel_event.is_set() and not other.cancel_event.is_set()
    qtbot.waitUntil(lambda: new.state == "done" and other.state == "done", timeout=10_000)
    assert old.state == "cancelled"
    assert [lyr.name for lyr in w.project.layers].count("Same") == 1


def test_result_discarded_when_project_replaced_mid_run(qtbot, win):
    from hotspot_desktop.core.model import Project

    w, ui = win
    task = ui.run(SLOW, {"points": w.project.layers[0], "seconds": 0.5, "output": "Orphan"})
    qtbot.waitUntil(lambda: task.state == "running", timeout=5000)
    w.project = Project()
    with qtbot.waitSignal(ui.runner.finished, timeout=10_000):
        pass
    assert len(w.project.layers) == 0 and not w.project.analyses
    assert "discarded" in w.statusBar().currentMessage()


def test_unsupported_input_reports_error_instead_of_crashing(qtbot, win):
    from hotspot_desktop.core.model import Layer

    class Odd(Layer):
        geometry_kind = "point"

    w, ui = win
    dialog = ui.open_tool(SLOW.id)
    ui._run_from_dialog(SLOW, dict(dialog.values(), points=Odd("odd")))
    assert "could not start" in w.errors[-1][0] and "snapshot" in w.errors[-1][1]


def test_clear_finished_keeps_running_tasks(qtbot, win):
    w, ui = win
    pts = w.project.layers[0]
    done = ui.run(SLOW, {"points": pts, "seconds": 0.05, "output": "Quick"})
    qtbot.waitUntil(lambda: done.state == "done", timeout=10_000)
    running = ui.run(SLOW, {"points": pts, "seconds": 30, "output": "Long"})
    qtbot.waitUntil(lambda: running.state == "running", timeout=5000)
    ui.task_panel.clear_button.click()
    assert ui.task_panel.table.rowCount() == 1 and ui.task_panel.row_of(running.id) == 0
    assert done.id not in ui.runner.tasks
    assert ui.task_panel.cancel_button(running.id).isEnabled()
    ui.runner.cancel(running.id)


def test_ended_tasks_release_their_input_snapshot(qtbot, win):
    w, ui = win
    task = ui.run(SLOW, {"points": w.project.layers[0], "seconds": 0.05, "output": "Light"})
    assert "points" in task.prepared.inputs
    qtbot.waitUntil(lambda: task.state == "done", timeout=10_000)
    assert task.prepared.inputs == {}
    assert w.project.layers.by_name("Light").provenance.inputs["points"]["name"] == "Incidents"
