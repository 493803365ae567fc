"""Wires tools into the main window: toolbox dock, Tools menu, dialogs, task runner, results.

The main window calls :func:`install` once at the end of its construction. The layer panel
calls :func:`rerun` from a result layer's context menu.
"""

from __future__ import annotations

import json
import logging
import os
import traceback
import weakref
from collections import deque
from typing import Any, Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from hotspot_desktop.core.model import Layer
from hotspot_desktop.gui.result_views import show_results
from hotspot_desktop.gui.task_panel import StatusProgress, TaskPanel
from hotspot_desktop.gui.tasks import Task, TaskRunner
from hotspot_desktop.gui.tool_dialog import ToolDialog
from hotspot_desktop.gui.toolbox import ToolboxDock
from hotspot_desktop.tools.base import Tool, ToolResult
from hotspot_desktop.tools.execute import FinishedRun, finish, prepare, resolve_parameters
from hotspot_desktop.tools.registry import Registry, load_registry

log = logging.getLogger("hotspot_desktop.tools")
CLOSE_WAIT_S = 5.0
FINISHED_KEPT = 10  # recent runs kept for inspection; older ones would pin removed result layers


def _ask_stop_tasks(window: Any) -> bool:
    """Ask whether to stop running analyses and close; headless runs never block on a modal."""
    if QApplication.platformName() == "offscreen":
        return True
    answer = QMessageBox.question(window, "Tasks running",
                                  "Analyses are still running. Stop them and close?",
                                  QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                  QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


class ToolsUI(QObject):
    """Per-window controller owning the registry, toolbox, task runner and result handling."""

    def __init__(self, window: Any, registry: Registry, max_concurrent: int = 1) -> None:
        super().__init__(window)
        self.window = window
        self.registry = registry
        self.runner = TaskRunner(self, max_concurrent=max_concurrent)
        self.dialogs: list[ToolDialog] = []
        self.finished_runs: deque[FinishedRun] = deque(maxlen=FINISHED_KEPT)
        self._projects: weakref.WeakValueDictionary[int, Any] = weakref.WeakValueDictionary()  # task id -> project
        # Replaced in tests: whether to stop running tasks when the window is closed.
        self.confirm_close: Callable[[], bool] = lambda: _ask_stop_tasks(window)

        self.toolbox = ToolboxDock(registry, window)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.toolbox)
        self.toolbox.tool_activated.connect(self.open_tool)
        self.task_panel = TaskPanel(self.runner, window)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.task_panel)
        self.task_panel.hide()
        self.status_progress = StatusProgress(self.runner, window.statusBar())

        self.runner.added.connect(lambda _t: self.task_panel.show())
        self.runner.finished.connect(self._on_finished)
        self.runner.failed.connect(self._on_failed)
        self.runner.cancelled.connect(self._on_cancelled)
        menu = getattr(window, "menus", {}).get("Tools")
        if menu is not None:
            self._fill_menu(menu)
        window.installEventFilter(self)
        if hasattr(window, "project_replaced"):
            window.project_replaced.connect(self._on_project_replaced)

    def _on_project_replaced(self, project: Any) -> None:
        """New/Open project: stop runs on the old project's data and close dialogs listing its layers."""
        for task in list(self.runner.tasks.values()):
            if task.active and self._projects.get(task.id) is not project:
                self.runner.cancel(task.id)
        for dialog in list(self.dialogs):
            if dialog.project is not project:
                dialog.close()

    def _fill_menu(self, menu: Any) -> None:
        """Tools menu: one submenu per category, re-run of the active layer, the two docks."""
        for category, tools in self.registry.categories().items():
            sub = menu.addMenu(category)
            for tool in tools:
                action = sub.addAction(tool.name + "…")
                action.setToolTip(tool.help)
                action.setObjectName(f"toolAction_{tool.id}")
                action.triggered.connect(lambda _checked=False, tid=tool.id: self.open_tool(tid))
        menu.addSeparator()
        rerun_action = menu.addAction("Re-run analysis of active layer…")
        rerun_action.setObjectName("rerunActiveLayer")
        rerun_action.triggered.connect(self._rerun_active)
        menu.addSeparator()
        menu.addAction(self.toolbox.toggleViewAction())
        menu.addAction(self.task_panel.toggleViewAction())

    def _rerun_active(self) -> None:
        layer = self.window.project.layers.active
        if layer is not None:
            self.rerun(layer)

    # --- dialogs ---------------------------------------------------------------------------
    def open_tool(self, tool_id: str, values: dict[str, Any] | None = None) -> ToolDialog:
        """Show the parameter dialog of ``tool_id`` (non-modal), pre-filled with ``values``."""
        tool = self.registry.get(tool_id)
        dialog = ToolDialog(tool, self.window.project, self.window, values)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.run_requested.connect(lambda vals, t=tool: self._run_from_dialog(t, vals))
        dialog.destroyed.connect(lambda _o=None, d=dialog: self.dialogs.remove(d) if d in self.dialogs else None)
        self.dialogs.append(dialog)
        dialog.show()
        return dialog

    def rerun(self, layer: Layer) -> ToolDialog | None:
        """Reopen the dialog that made ``layer``, pre-filled from its provenance."""
        prov = layer.provenance
        if prov is None or prov.tool_id not in self.registry:
            self.window.statusBar().showMessage(f"{layer.name} was not made by an available tool", 5000)
            return None
        tool = self.registry.get(prov.tool_id)
        return self.open_tool(tool.id, resolve_parameters(tool, prov.parameters, self.window.project))

    # --- running ---------------------------------------------------------------------------
    def run(self, tool: Tool, values: dict[str, Any]) -> Task:
        """Snapshot the inputs here (GUI thread) and queue the computation.

        Restart semantics (Orange3's ConcurrentMixin): a queued or running task of the same tool
        writing the same output name is superseded and cancelled, so its older result never
        arrives after the new one.
        """
        project = self.window.project
        prepared = prepare(tool, values)
        for old in list(self.runner.tasks.values()):
            if old.active and old.prepared.tool.id == tool.id and \
                    old.prepared.parameters.get("output") == prepared.parameters.get("output"):
                self.runner.cancel(old.id)
        self.window.statusBar().showMessage(f"{tool.name} started", 3000)
        task = self.runner.submit(prepared, crs=project.working_crs,
                                  display_units=getattr(project, "display_units", "m"))
        self._projects[task.id] = project
        return task

    def _run_from_dialog(self, tool: Tool, values: dict[str, Any]) -> Task | None:
        try:
            return self.run(tool, values)
        except Exception as exc:  # e.g. an input layer kind the snapshot does not know
            self.window.show_error(f"{tool.name} could not start", str(exc), traceback.format_exc())
            return None

    def _on_finished(self, task: Task, result: ToolResult) -> None:
        project = self.window.project
        if self._projects.get(task.id) is not project:
            # The project was closed or replaced while the tool ran: its inputs are gone.
            self.window.statusBar().showMessage(f"{task.label}: result discarded, its project was closed", 8000)
            return
        done = finish(task.prepared, result)
        self.finished_runs.append(done)
        for layer in result.layers:
            self.window.add_layer(layer)
        project.analyses.append(done.record)
        project.changed.emit("analyses")
        if result.tables or result.charts:
            show_results(self.window, result.tables, result.charts)
        self.task_panel.set_notes(task, result.notes)
        msg = f"{task.label} finished in {task.elapsed():.1f} s"
        if result.notes:
            msg += " - " + "; ".join(n for n in result.notes if not n.startswith("STALE"))
        self.window.statusBar().showMessage(msg if len(msg) <= 160 else msg[:157] + "…", 8000)
        if result.warnings:
            log.warning("%s: %s", task.label, " ".join(result.warnings))
            box = QMessageBox(QMessageBox.Icon.Warning, task.label, "\n".join(result.warnings),
                              QMessageBox.StandardButton.Ok, self.window)
            box.setObjectName("toolWarning")
            box.setModal(False)
            box.show()

    def _on_failed(self, task: Task, message: str, details: str) -> None:
        from hotspot_desktop.gui.errors import append_log

        tool = task.prepared.tool
        log.error("tool %s failed: %s", tool.id, message)
        # The run's context; the traceback itself is logged by window.show_error with the dialog.
        params = json.dumps(task.prepared.parameters, default=str)
        append_log(f"tool {tool.id} v{tool.version} ({task.label}) failed after {task.elapsed():.1f} s: "
                   f"{message}\nparameters: {params}")
        self.window.show_error(f"{task.label} failed", message, details)

    def _on_cancelled(self, task: Task) -> None:
        self.window.statusBar().showMessage(f"{task.label} cancelled", 5000)

    # --- closing ---------------------------------------------------------------------------
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if obj is self.window and event.type() == QEvent.Type.Close and self.runner.has_running():
            if not self.confirm_close():
                event.ignore()
                return True
            self.runner.cancel_all()
            self.runner.wait_for_done(CLOSE_WAIT_S)
        return False


def install(window: Any, registry: Registry | None = None) -> ToolsUI:
    """Add the tools UI to ``window`` (idempotent); returns the controller (``window.tools_ui``)."""
    existing = getattr(window, "tools_ui", None)
    if isinstance(existing, ToolsUI):
        return existing
    reg = registry or load_registry(safe_mode=bool(getattr(window, "safe_mode", False)))
    # Two analyses at once only when there are cores to spare for the GUI and the numerics.
    ui = ToolsUI(window, reg, max_concurrent=2 if (os.cpu_count() or 1) >= 4 else 1)
    window.tools_ui = ui
    return ui


def rerun(window: Any, layer: Layer) -> ToolDialog | None:
    """Re-open the tool dialog that produced ``layer`` with its parameters (layer context menu)."""
    return install(window).rerun(layer)
