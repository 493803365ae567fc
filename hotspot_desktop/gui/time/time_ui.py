"""Wires the Time features into the main window: the Time menu, the Time dock, the time filter
bar, the "Why this class?" panel of emerging hot spots and the near-repeat (Knox) dock."""

from __future__ import annotations

from typing import Any

from psygnal import Signal
from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QMenu, QScrollArea, QWidget

from hotspot_desktop.core.analysis.time_results import knox_from_tables
from hotspot_desktop.core.model import Layer, PointLayer, Project
from hotspot_desktop.gui.time.emerging_panel import WhyClassPanel, is_emerging_layer
from hotspot_desktop.gui.time.knox_dock import KnoxDock
from hotspot_desktop.gui.time.time_dock import TimeDock
from hotspot_desktop.gui.time.time_slider import TimeFilterBar

NEAR_REPEAT_TOOL = "pattern.near_repeat"
EMERGING_TOOL = "hotspot.emerging"


KNOX_HEIGHT = 380  # px: the table's seven rows, legend and buttons
TIME_HEIGHT = 520  # px: source and aoristic rows, the heat map and three peak sentences
WHY_HEIGHT = 460  # px: heading, z-series chart and the explanation
FLOAT_WIDTH = 560  # px: a floated Why/Knox dock


def scrolling(widget: QWidget) -> QScrollArea:
    """``widget`` in a scroll area, so a short dock scrolls instead of squeezing it."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setWidget(widget)
    return area


def is_dated_incidents(layer: Layer | None) -> bool:
    """A point layer of incidents (not community input) with dates."""
    return isinstance(layer, PointLayer) and not layer.is_community and layer.time_span() is not None


def dated_point_layer(project: Project, preferred: Layer | None = None) -> PointLayer | None:
    """``preferred`` when it is an incident (point) layer with dates, else the top-most such
    layer. Community input (survey responses, service requests) is never chosen here: the Time
    dock shows it only when the analyst picks it in the dock's layer list."""
    if is_dated_incidents(preferred):
        return preferred  # type: ignore[return-value]
    dated = [lyr for lyr in project.point_layers() if is_dated_incidents(lyr)]
    return dated[-1] if dated else None


class TimeUI(QObject):
    """Per-window controller of the Time menu and docks (``window.time_ui``)."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.project: Project = window.project
        self.layer: PointLayer | None = None

        self.time_dock = TimeDock(self.project, window)
        self.time_dock.layer_chosen.connect(self.set_layer)  # an explicit pick, community input included
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.time_dock)
        self.time_dock.hide()

        self.filter_bar = TimeFilterBar()
        self.filter_dock = QDockWidget("Time filter", window)
        self.filter_dock.setObjectName("TimeFilterDock")
        self.filter_dock.setWidget(self.filter_bar)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.filter_dock)
        self.filter_dock.hide()

        self.why_panel = WhyClassPanel()
        self.why_dock = QDockWidget("Why this class?", window)
        self.why_dock.setObjectName("WhyClassDock")
        self.why_dock.setWidget(scrolling(self.why_panel))
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.why_dock)
        self.why_dock.hide()

        self.knox_dock = KnoxDock(window.add_layer, window)
        self.knox_dock.run_requested = lambda: self._open_tool(NEAR_REPEAT_TOOL)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.knox_dock)
        self.knox_dock.hide()

        self.menu = self._build_menu()
        window.canvas.features_identified.connect(self._on_identified)
        if hasattr(window, "project_replaced"):
            window.project_replaced.connect(self.set_project)
        runner = getattr(getattr(window, "tools_ui", None), "runner", None)
        if runner is not None:
            runner.finished.connect(self._on_tool_finished)
        self.set_project(self.project)

    # --- menu ----------------------------------------------------------------------------------
    def _build_menu(self) -> QMenu:
        w = self.window
        bar = w.menuBar()
        menu = QMenu("T&ime", w)
        menu.setObjectName("timeMenu")
        tools_menu = getattr(w, "menus", {}).get("Tools")
        if tools_menu is not None:
            bar.insertMenu(tools_menu.menuAction(), menu)
        else:
            bar.addMenu(menu)
        if hasattr(w, "menus"):
            w.menus["Time"] = menu
        entries = (
            ("timeShowDock", "&When incidents happen (hour × day, trend)", self.show_time_dock),
            ("timeShowFilterBar", "Time &filter and animation", self.show_filter_bar),
            (None, None, None),
            ("timeShowWhy", "Emerging hot spots: &why this class?", self.show_why),
            ("timeRunEmerging", "Run &emerging hot spots…", lambda: self._open_tool(EMERGING_TOOL)),
            (None, None, None),
            ("timeShowKnox", "&Near repeat table", self.show_knox),
            ("timeRunKnox", "Run near &repeat (Knox) test…", lambda: self._open_tool(NEAR_REPEAT_TOOL)),
        )
        for name, text, slot in entries:
            if name is None:
                menu.addSeparator()
                continue
            action = menu.addAction(text)
            action.setObjectName(name)
            action.triggered.connect(lambda _checked=False, s=slot: s())
        return menu

    def _open_tool(self, tool_id: str) -> None:
        tools_ui = getattr(self.window, "tools_ui", None)
        if tools_ui is not None and tool_id in tools_ui.registry:
            tools_ui.open_tool(tool_id)

    def _show(self, dock: QDockWidget) -> QDockWidget:
        dock.show()
        dock.raise_()
        return dock

    def _grow(self, dock: QDockWidget, height: int) -> None:
        """Give a just-shown dock ``height`` px once the main window has laid it out; when the
        window's docks leave no room (their minimum heights fill it), float it at that size."""
        def grow() -> None:
            if dock.isVisible() and not dock.isFloating() and dock.height() < height:
                self.window.resizeDocks([dock], [height], Qt.Orientation.Vertical)
                QTimer.singleShot(0, float_if_squeezed)

        def float_if_squeezed() -> None:
            if dock.isVisible() and not dock.isFloating() and dock.height() < height * 0.6:
                dock.setFloating(True)
                frame = self.window.frameGeometry()
                width = max(dock.width(), FLOAT_WIDTH)
                dock.setGeometry(frame.right() - width - 40, frame.top() + 80, width, height)

        QTimer.singleShot(0, grow)

    def show_time_dock(self) -> TimeDock:
        self._show(self.time_dock)
        self._grow(self.time_dock, TIME_HEIGHT)
        self.time_dock.flush()
        return self.time_dock

    def show_filter_bar(self) -> TimeFilterBar:
        self._show(self.filter_dock)
        return self.filter_bar

    def show_why(self) -> WhyClassPanel:
        if not self.why_dock.isVisible() and self.time_dock.isVisible() and not self.time_dock.isFloating():
            # A tab beside the Time dock: both want height for a chart; the right side rarely has it twice.
            self.window.tabifyDockWidget(self.time_dock, self.why_dock)
        self._show(self.why_dock)
        self._grow(self.why_dock, WHY_HEIGHT)
        return self.why_panel

    def show_knox(self) -> KnoxDock:
        # A tab over the near-repeat result tables (full width), else its own bottom dock.
        anchor = next((d for d in reversed(getattr(self.window, "_result_docks", []))
                       if d.isVisible() and d is not self.knox_dock), None)
        if anchor is not None and self.window.dockWidgetArea(anchor) == Qt.DockWidgetArea.BottomDockWidgetArea:
            self.window.tabifyDockWidget(anchor, self.knox_dock)
        self._show(self.knox_dock)
        self._grow(self.knox_dock, KNOX_HEIGHT)
        return self.knox_dock

    # --- project and layer --------------------------------------------------------------------
    def set_project(self, project: Project) -> None:
        """Follow the window's project (after New/Open)."""
        self.project.layers.active_changed.disconnect(self._on_active)
        self.project.layers.inserted.disconnect(self._on_inserted)
        self.project.layers.removed.disconnect(self._on_removed)
        for layer in self.project.layers:
            layer.changed.disconnect(self._on_result_changed)
            layer.changed.disconnect(self._on_point_changed)
        self.project = project
        project.layers.active_changed.connect(self._on_active)
        project.layers.inserted.connect(self._on_inserted)
        project.layers.removed.connect(self._on_removed)
        for layer in project.layers:
            self._watch_result(layer)
        if self.time_dock.project is not project:
            self.time_dock.set_project(project)
        self.layer = None
        self.set_layer(dated_point_layer(project, project.layers.active))

    def set_layer(self, layer: PointLayer | None) -> None:
        """The point layer the Time dock and filter bar describe and filter."""
        if layer is self.layer and layer is not None:
            return
        self.layer = layer
        self.time_dock.set_layer(layer)
        self.filter_bar.set_layer(layer)

    def _on_active(self, layer: Layer | None) -> None:
        # An active community layer (a fresh import is active) is not taken as the incidents.
        if is_dated_incidents(layer):
            self.set_layer(layer)  # type: ignore[arg-type]
        elif self.layer is None or self.layer not in list(self.project.layers):
            self.set_layer(dated_point_layer(self.project))

    def _on_inserted(self, _index: int, layer: Layer) -> None:
        self._watch_result(layer)
        if self.layer is None:
            self.set_layer(dated_point_layer(self.project))

    def _on_removed(self, _index: int, layer: Layer) -> None:
        layer.changed.disconnect(self._on_point_changed)

    def _watch_result(self, layer: Layer) -> None:
        if is_emerging_layer(layer):
            layer.changed.connect(self._on_result_changed)
        if isinstance(layer, PointLayer):
            layer.changed.connect(self._on_point_changed)

    def _on_point_changed(self, what: str) -> None:
        """A point layer changed role or name: list it again; incidents that became community
        input give way to the next incident layer."""
        if what not in ("role", "name"):
            return
        layer = Signal.sender()
        if what == "role" and layer is self.layer and getattr(layer, "is_community", False):
            self.set_layer(dated_point_layer(self.project, self.project.layers.active))
        elif what == "role" and self.layer is None and is_dated_incidents(layer):
            self.set_layer(layer)
        self.time_dock.fill_layers()

    def _on_result_changed(self, what: str) -> None:
        """One selected cell of an emerging layer (attribute table, Identify) is explained."""
        layer = Signal.sender()
        sel = getattr(layer, "selection", None)
        if what == "selection" and is_emerging_layer(layer) and sel is not None and len(sel) == 1 \
                and self.why_panel.show_cell(layer, int(sel[0])):
            self.show_why()

    # --- results -------------------------------------------------------------------------------
    def _on_identified(self, results: list) -> None:
        for layer, row, _attrs in results:
            if is_emerging_layer(layer) and self.why_panel.show_cell(layer, row):
                self.show_why()
                return

    def _on_tool_finished(self, task: Any, result: Any) -> None:
        prepared = task.prepared
        if prepared.tool.id != NEAR_REPEAT_TOOL:
            return
        tables = {t.name: t.frame for t in result.tables}
        if not {"ratio", "p_value", "observed"} <= set(tables):
            return
        params = prepared.parameters
        knox = knox_from_tables(tables["ratio"], tables["p_value"], tables["observed"],
                                distance_band_m=float(params["distance_band"]),
                                time_band_days=float(params["time_band"]),
                                simulations=int(params["simulations"]), seed=int(prepared.seed))
        self.knox_dock.set_result(knox, prepared.inputs.get("points"))
        self.show_knox()
