"""The main window: map canvas in the centre, docks around it, menus, tool bar and status bar.

Public surface other modules rely on: ``project``, ``canvas``, ``layer_panel``, ``menus``
(File, Edit, View, Layer, Tools, Help), ``export_menu``, ``named_actions``, ``undo_stack``,
``map_status``, ``safe_mode``, ``add_layer``, ``add_files``, ``open_project``, ``save_project``,
``show_error``, ``set_map_tool``, ``is_busy`` and the ``project_replaced`` signal. Heavy modules
(loaders, project I/O, dialogs) are imported when first used so the window opens fast.
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressDialog,
    QWidget,
)

from hotspot_desktop.core.model import Layer, PointLayer, Project, guess_point_role
from hotspot_desktop.core.styles import OKABE_ITO, LayerStyle, Symbol
from hotspot_desktop.gui import errors, settings
from hotspot_desktop.gui.app import icon
from hotspot_desktop.gui.layer_panel import LayerPanel
from hotspot_desktop.gui.load_task import LoadRequest, LoadTask
from hotspot_desktop.gui.status_bar import MapStatusBar

PROJECT_SUFFIX = ".hsproj"
# Okabe-Ito colours that read well on a white map (no yellow, no black), in order of use.
LAYER_COLORS = [OKABE_ITO[i] for i in (5, 4, 2, 6, 0, 1)]
PROJECT_FILTER = "Hotspot Desktop project (*.hsproj)"
MENU_NAMES = ("File", "Edit", "View", "Layer", "Tools", "Help")


def data_file_filter() -> str:
    """File-dialog filter built from the loaders' supported extensions."""
    from hotspot_desktop.core.io.loaders import FILE_DIALOG_FILTER

    return FILE_DIALOG_FILTER


def default_style(layer: Layer, index: int) -> LayerStyle:
    """A distinct first style per added layer: its own palette colour; see-through polygons so
    incidents under them stay visible."""
    color = LAYER_COLORS[index % len(LAYER_COLORS)]
    style = LayerStyle()
    if layer.geometry_kind == "polygon":
        style.symbol = Symbol(fill=f"{color}33", outline=color, outline_width=1.0)
    elif layer.geometry_kind == "line":
        style.symbol = Symbol(fill=f"{color}00", outline=color, outline_width=1.2)
    elif layer.geometry_kind == "point":
        style.symbol = Symbol(fill=f"{color}cc", outline="#333333cc", outline_width=0.5, size=5.0)
    else:
        style.mode = "raster"
    return style


class MainWindow(QMainWindow):
    """The application window for one project at a time."""

    project_replaced = Signal(object)  # the new Project (after New / Open)
    layer_added = Signal(object)  # a layer added through add_layer
    loads_finished = Signal()  # the load queue became empty

    def __init__(self, project: Project | None = None, *, safe_mode: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.safe_mode = safe_mode  # read by tools_ui: no third-party tools
        # False for scripted runs (--screenshot): no question may wait for a user who is not there.
        self.interactive = True
        self.setWindowIcon(icon("app_icon"))
        self.setAcceptDrops(True)
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowTabbedDocks)
        self.project = project or self._new_project_object()
        self.undo_stack = QUndoStack(self)
        self.menus: dict[str, QMenu] = {}
        self.named_actions: dict[str, QAction] = {}
        self.last_report_dialog: QWidget | None = None
        self.attribute_tables: dict[str, QDockWidget] = {}
        # Loads run one after another: the first one sets the working CRS for the rest.
        self._load_queue: list[LoadRequest] = []
        self._current_task: LoadTask | None = None
        self._progress: QProgressDialog | None = None

        from hotspot_desktop.gui.canvas import MapCanvas

        self.canvas = MapCanvas(self.project, self)
        self.canvas.setObjectName("mapCanvas")
        self.setCentralWidget(self.canvas)

        self.layer_panel = LayerPanel(self.project.layers, self)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.layer_panel)
        self._identify_dock: QDockWidget | None = None
        self._filter_dock: QDockWidget | None = None

        self.map_status = MapStatusBar(self)
        self.setStatusBar(self.map_status)

        self._build_menus()
        self._build_toolbar()
        self._connect_panel()
        self._connect_canvas()
        self._watch_project(self.project)
        self._update_title()
        self._install_extensions()
        self._restore_layout()  # after the modules' docks exist, so their places come back too
        if self.unavailable_features:
            self.map_status.showMessage(f"Not available: {', '.join(self.unavailable_features)} "
                                        f"(details in {errors.log_path()})")
        elif len(self.project.layers) == 0:
            # Stays until the first message replaces it: tells a new user where to start.
            self.map_status.showMessage("Drop incident CSVs or boundary files on the window, or use File ▸ Add layer…")

    # ------------------------------------------------------------------ construction helpers
    @staticmethod
    def _new_project_object() -> Project:
        p = Project()
        p.display_units = settings.display_units()
        return p

    def _action(self, key: str, text: str, slot: Any, shortcut: QKeySequence | str | None = None,
                icon_name: str | None = None, checkable: bool = False) -> QAction:
        act = QAction(text, self)
        act.setObjectName(f"action_{key}")
        if shortcut is not None:
            act.setShortcut(QKeySequence(shortcut))
        if icon_name:
            act.setIcon(icon(icon_name))
        act.setCheckable(checkable)
        act.triggered.connect(slot)
        self.named_actions[key] = act
        return act

    def _build_menus(self) -> None:
        bar = self.menuBar()
        for name in MENU_NAMES:
            self.menus[name] = bar.addMenu(f"&{name}")
        S = QKeySequence.StandardKey
        f = self.menus["File"]
        f.addAction(self._action("new", "&New project", self.on_new, S.New))
        f.addAction(self._action("open", "&Open project…", self.on_open, S.Open))
        self.recent_menu = f.addMenu("Open &recent")
        self.recent_menu.setObjectName("recentMenu")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        f.addAction(self._action("save", "&Save project", self.on_save, S.Save))
        f.addAction(self._action("save_as", "Save project &as…", self.on_save_as, S.SaveAs))
        f.addSeparator()
        f.addAction(self._action("add_layer", "&Add layer…", self.on_add_layer, "Ctrl+Shift+A", "add_layer"))
        f.addAction(self._action("import_csv", "&Import incidents (CSV)…", self.on_import_csv, "Ctrl+Shift+I"))
        f.addAction(self._action("import_community_csv", "Import &community input (CSV)…",
                                 self.on_import_community_csv))
        f.addSeparator()
        # Other modules (the map composer, briefings) add their entries to this sub-menu.
        self.export_menu = f.addMenu("&Export")
        self.export_menu.setObjectName("exportMenu")
        self.export_menu.addAction(self._action("export_map", "&Current view (default layout)…", self.on_export_map,
                                                "Ctrl+E"))
        f.addSeparator()
        f.addAction(self._action("quit", "&Quit", self.close, S.Quit))

        e = self.menus["Edit"]
        undo = self.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence(S.Undo))
        redo = self.undo_stack.createRedoAction(self, "&Redo")
        redo.setShortcut(QKeySequence(S.Redo))
        self.named_actions["undo"], self.named_actions["redo"] = undo, redo
        e.addAction(undo)
        e.addAction(redo)
        e.addSeparator()
        e.addAction(self._action("preferences", "&Preferences…", self.on_preferences))

        v = self.menus["View"]
        v.addAction(self._action("zoom_full", "Zoom to &full extent", lambda: self.canvas.zoom_full(),
                                 "Ctrl+Shift+F", "zoom_full"))
        v.addAction(self._action("zoom_layer", "Zoom to &layer", self.on_zoom_layer))
        v.addAction(self._action("zoom_selection", "Zoom to &selection", self.on_zoom_selection))
        v.addAction(self._action("previous_view", "&Previous view", lambda: self.canvas.previous_view(),
                                 "Alt+Left", "previous_view"))
        v.addAction(self._action("next_view", "&Next view", lambda: self.canvas.next_view(),
                                 "Alt+Right", "next_view"))
        v.addSeparator()
        self.tool_group = QActionGroup(self)
        for key, text, name in (("pan", "&Pan", "pan"), ("zoom_box", "&Zoom box", "zoom_box"),
                                ("identify", "&Identify", "identify")):
            act = self._action(f"tool_{key}", text, lambda _=False, k=key: self.set_map_tool(k),
                               icon_name=name, checkable=True)
            self.tool_group.addAction(act)
            v.addAction(act)
        self.named_actions["tool_pan"].setChecked(True)
        v.addSeparator()
        self.docks_menu = v.addMenu("&Panels")
        self.docks_menu.setObjectName("panelsMenu")
        self.docks_menu.aboutToShow.connect(self._fill_panels_menu)
        self._action("show_identify", "Identify results", self.show_identify_dock)
        self._action("show_filter", "Filter incidents", lambda: self.show_filter(None))

        lm = self.menus["Layer"]
        lm.addAction(self._action("layer_properties", "&Properties…", lambda: self.show_properties(None)))
        lm.addAction(self._action("attribute_table", "&Attribute table", lambda: self.show_attribute_table(None),
                                  "F6"))
        lm.addAction(self._action("layer_filter", "&Filter incidents…", lambda: self.show_filter(None)))
        lm.addAction(self._action("layer_zoom", "&Zoom to layer", self.on_zoom_layer))
        lm.addSeparator()
        lm.addAction(self._action("layer_remove", "&Remove layer", lambda: self.remove_layer(None)))

        h = self.menus["Help"]
        h.addAction(self._action("user_guide", "&User guide", self.on_user_guide, S.HelpContents))
        h.addAction(self._action("about", "&About Hotspot Desktop", self.on_about))

    def _build_toolbar(self) -> None:
        tb = self.addToolBar("Map")
        tb.setObjectName("MapToolBar")
        for key in ("add_layer", None, "zoom_full", "previous_view", "next_view", None,
                    "tool_pan", "tool_zoom_box", "tool_identify"):
            if key is None:
                tb.addSeparator()
            else:
                tb.addAction(self.named_actions[key])
        self.map_toolbar = tb

    def _fill_panels_menu(self) -> None:
        """Every dock and tool bar of the window (other modules add theirs), with a check mark."""
        from PySide6.QtWidgets import QToolBar

        menu = self.docks_menu
        menu.clear()
        docks = sorted(self.findChildren(QDockWidget), key=lambda d: d.windowTitle().lower())
        titles = {d.windowTitle() for d in docks}
        for dock in docks:
            menu.addAction(dock.toggleViewAction())
        # Panels made on first use are offered before they exist.
        for key, title in (("show_identify", "Identify results"), ("show_filter", "Filter incidents")):
            if title not in titles:
                menu.addAction(self.named_actions[key])
        menu.addSeparator()
        for bar in self.findChildren(QToolBar):
            menu.addAction(bar.toggleViewAction())

    def _connect_panel(self) -> None:
        lp = self.layer_panel
        lp.properties_requested.connect(self.show_properties)
        lp.attribute_table_requested.connect(self.show_attribute_table)
        lp.filter_requested.connect(self.show_filter)
        lp.zoom_requested.connect(lambda layer: self.canvas.zoom_to_layer(layer))
        lp.remove_requested.connect(self.remove_layer)
        lp.rerun_requested.connect(self._rerun_layer)

    def _connect_canvas(self) -> None:
        c = self.canvas
        c.cursor_moved.connect(self.map_status.set_cursor)
        c.scale_changed.connect(self.map_status.set_scale)
        c.features_identified.connect(self.show_identify_results)

    def _install_extensions(self) -> None:
        """Let the feature modules add their docks, menus and tool bars (tools first: others
        put entries in its Tools menu). A module that fails is logged and left out, so one broken
        feature never stops the window from opening."""
        import importlib

        self.unavailable_features: dict[str, str] = {}
        for label, module in (("Tools", "hotspot_desktop.gui.tools_ui"), ("Zones", "hotspot_desktop.gui.zones"),
                              ("Time", "hotspot_desktop.gui.time"), ("Export", "hotspot_desktop.gui.export")):
            try:
                importlib.import_module(module).install(self)
            except Exception as exc:  # noqa: BLE001 - reported, never fatal
                details = traceback.format_exc()
                errors.append_log(f"{label} could not be installed: {exc}\n{details}")
                print(f"{label} could not be installed: {exc}\n{details}", file=sys.stderr)
                self.unavailable_features[label] = str(exc)
        self._add_patrol_menu_entries()
        # Modules append their own menus (Zones, Time...): Help stays last, as users expect.
        help_action = self.menus["Help"].menuAction()
        self.menuBar().removeAction(help_action)
        self.menuBar().addAction(help_action)

    def _add_patrol_menu_entries(self) -> None:
        """Tools ▸ Patrol ▸ Equity layer… (in the Tools menu itself when there is no Patrol submenu)."""
        tools = self.menus["Tools"]
        patrol = next((a.menu() for a in tools.actions() if a.menu() is not None
                       and a.menu().title().replace("&", "") == "Patrol"), None)
        action = self._action("equity_layer", "Equity layer…", self.on_equity_layer)
        action.setToolTip("Census areas and population groups for the equity check in briefings")
        if patrol is not None:
            patrol.addSeparator()
            patrol.addAction(action)
        else:
            tools.insertAction(tools.actions()[0] if tools.actions() else None, action)

    def _restore_layout(self) -> None:
        geometry, state = settings.window_state()
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            # First run: a comfortable size that still fits a small laptop screen.
            avail = self.screen().availableGeometry()
            self.resize(min(1280, int(avail.width() * 0.92)), min(800, int(avail.height() * 0.9)))
        if state is not None:
            self.restoreState(state)

    # ------------------------------------------------------------------ project bookkeeping
    def _watch_project(self, project: Project) -> None:
        project.changed.connect(self._on_project_changed)
        project.layers.inserted.connect(self._on_layer_inserted)
        project.layers.removed.connect(self._on_layer_removed)
        for layer in project.layers:
            layer.changed.connect(self._on_layer_changed)
        self.map_status.set_crs(project.working_crs)

    def _unwatch_project(self, project: Project) -> None:
        project.changed.disconnect(self._on_project_changed)
        project.layers.inserted.disconnect(self._on_layer_inserted)
        project.layers.removed.disconnect(self._on_layer_removed)
        for layer in project.layers:
            layer.changed.disconnect(self._on_layer_changed)

    def _on_project_changed(self, what: str) -> None:
        if what == "crs":
            self.map_status.set_crs(self.project.working_crs)
        self._update_title()

    def _on_layer_inserted(self, _index: int, layer: Layer) -> None:
        layer.changed.connect(self._on_layer_changed)

    def _on_layer_removed(self, _index: int, layer: Layer) -> None:
        layer.changed.disconnect(self._on_layer_changed)
        dock = self.attribute_tables.pop(layer.id, None)
        if dock is not None:
            dock.close()
            dock.deleteLater()

    def _on_layer_changed(self, what: str) -> None:
        if what in ("style", "name", "visibility", "opacity", "filter", "data"):
            self.mark_modified()

    def mark_modified(self) -> None:
        """Flag unsaved changes (the model only flags layer additions, removals and moves)."""
        if not self.project.modified:
            self.project.modified = True
            self.project.changed.emit("modified")

    def _update_title(self) -> None:
        name = self.project.path.stem if self.project.path else "Untitled"
        self.setWindowTitle(f"{name}[*] — Hotspot Desktop")
        self.setWindowModified(bool(self.project.modified))

    def set_project(self, project: Project) -> None:
        """Replace the current project (after New or Open) in every view; pending loads are dropped."""
        self.cancel_loads()
        self._unwatch_project(self.project)
        for dock in list(self.attribute_tables.values()):
            dock.close()
            dock.deleteLater()
        self.attribute_tables.clear()
        self.undo_stack.clear()
        self.project = project
        self.layer_panel.set_layers(project.layers)
        self.canvas.set_project(project)
        self._watch_project(project)
        if self._filter_dock is not None:
            self._filter_dock.widget().set_layer(None)
        self._update_title()
        self.project_replaced.emit(project)

    # ------------------------------------------------------------------ public API
    def show_error(self, title: str, message: str, details: str = "") -> None:
        """An error dialog with optional details; also logged (printed when not interactive)."""
        if details:
            errors.append_log(f"{title}: {message}\n{details}")
        if not self.interactive:
            print(f"{title}: {message}", file=sys.stderr)
            return
        errors.show_error(self, title, message, details)

    def _rerun_layer(self, layer: Layer) -> None:
        """Reopen the tool that made ``layer`` with its parameters (layer context menu)."""
        tools = getattr(self, "tools_ui", None)
        if tools is not None:
            tools.rerun(layer)

    def add_layer(self, layer: Layer, report: Any = None) -> None:
        """Append ``layer`` on top and show ``report`` (a LoadReport) if given."""
        if layer.style == LayerStyle():
            layer.style = default_style(layer, len(self.project.layers))
        self.project.layers.append(layer)
        self.project.layers.active = layer
        if len(self.project.layers) == 1:
            self.canvas.zoom_full()
        if report is not None:
            self.show_load_report(report)
        self.layer_added.emit(layer)

    def add_files(self, paths: list[str | Path]) -> None:
        """Add data files as layers (CSV through the import dialog when detection is unsure);
        a project file among them is opened instead."""
        for raw in paths:
            path = Path(raw)
            if path.suffix.lower() == PROJECT_SUFFIX:
                if self.confirm_discard():
                    self.open_project(path)
                continue
            if not path.exists():
                self.show_error("File not found", f"{path} does not exist.")
                continue
            settings.set_last_directory(path)
            if path.suffix.lower() in (".csv", ".txt"):
                self._add_csv(path)
            else:
                self._add_other(path)

    def open_project(self, path: str | Path) -> bool:
        """Open a project file, asking for any source file that moved. Returns success."""
        from PySide6.QtGui import QCursor, QGuiApplication

        from hotspot_desktop.core.io import project_io

        path = Path(path)
        QGuiApplication.setOverrideCursor(QCursor(Qt.CursorShape.WaitCursor))
        try:
            project, reports, warnings = project_io.open_project(
                path, relocate=self._ask_relocate, confirm_outside=self._confirm_outside)
        except Exception as exc:  # noqa: BLE001 - shown to the user with details
            QGuiApplication.restoreOverrideCursor()
            self.show_error("Cannot open project", f"{path.name} could not be opened: {exc}",
                            traceback.format_exc())
            return False
        QGuiApplication.restoreOverrideCursor()
        project.modified = False
        self.set_project(project)
        settings.add_recent_file(path)
        if not project.view:
            self.canvas.zoom_full()
        for report in reports or []:
            if report is not None and report.rows_rejected:
                self.show_load_report(report)
        if warnings:
            if self.interactive:
                self.inform("Project opened with warnings", "\n".join(map(str, warnings)))
            else:
                print("\n".join(map(str, warnings)), file=sys.stderr)
        return True

    def inform(self, title: str, text: str) -> QMessageBox:
        """A non-blocking information box (kept until closed)."""
        box = QMessageBox(QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.Ok, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.show()
        return box

    def save_project(self, path: str | Path | None = None) -> bool:
        """Save to ``path`` (or the project's own path; asks when it has none). Returns success."""
        from hotspot_desktop.core.io import project_io

        if path is None:
            path = self.project.path
        if path is None:
            return self.on_save_as()
        path = Path(path)
        if path.suffix.lower() != PROJECT_SUFFIX:
            path = path.with_suffix(PROJECT_SUFFIX)
        try:
            self._store_view()
            project_io.save_project(self.project, path)
        except Exception as exc:  # noqa: BLE001
            self.show_error("Cannot save project", f"{path.name} could not be saved: {exc}", traceback.format_exc())
            return False
        self.project.path = path
        self.project.modified = False
        self.project.changed.emit("path")
        settings.add_recent_file(path)
        self._update_title()
        self.map_status.showMessage(f"Saved {path}", 5000)
        return True

    def remove_layer(self, layer: Layer | None) -> None:
        """Remove ``layer`` (default: the active one) as an undoable step."""
        from hotspot_desktop.gui.layer_commands import RemoveLayerCommand

        layer = layer or self.project.layers.active
        if layer is not None and layer in list(self.project.layers):
            self.undo_stack.push(RemoveLayerCommand(self.project.layers, layer))

    def set_map_tool(self, name: str) -> None:
        """Switch the canvas tool: "pan", "zoom_box" or "identify"."""
        self.canvas.set_tool(name)
        act = self.named_actions.get(f"tool_{name}")
        if act is not None and not act.isChecked():
            act.setChecked(True)

    def is_busy(self) -> bool:
        """True while files are loading."""
        return self._current_task is not None or bool(self._load_queue)

    # ------------------------------------------------------------------ loading
    def _add_csv(self, path: Path, review: bool = False) -> None:
        from hotspot_desktop.core.io.csv_detect import detect_with_notes
        from hotspot_desktop.gui.import_dialog import CsvImportDialog, needs_review

        try:
            schema, notes = detect_with_notes(path)
        except Exception as exc:  # noqa: BLE001
            self.show_error("Cannot read CSV", f"{path.name}: {exc}", traceback.format_exc())
            return
        self.last_import_dialog = None
        if not self.confirm_same_source(path):
            return
        if not self.interactive or (not review and not needs_review(schema, notes)):
            # AVL pings (a unit column, no offence column) load as a patrol log, never as incidents
            role = guess_point_role(list(schema.columns), schema.offence)
            self.enqueue_load(LoadRequest(path, {"schema": schema}, role=None if role == "incidents" else role))
            return
        dialog = CsvImportDialog(path, schema, notes, self)
        dialog.accepted.connect(lambda: self.enqueue_load(LoadRequest(path, {"schema": dialog.schema()})))
        self.last_import_dialog = dialog
        dialog.open()

    def layers_from(self, path: Path, member: str | None = None) -> list[Layer]:
        """The project's layers read from the file ``path`` (and its layer ``member`` when given)."""
        target = Path(path).resolve()
        found = []
        for lyr in self.project.layers:
            src = lyr.source.path
            if src is not None and Path(src).resolve() == target and (member is None or lyr.source.layer == member):
                found.append(lyr)
        return found

    def confirm_same_source(self, path: Path, member: str | None = None) -> bool:
        """Ask before adding a second layer from a file that is already a layer of the project (a
        second community layer from the same file would double every zone's community count).
        True to go on; a scripted (non-interactive) run adds it, as asked."""
        existing = self.layers_from(path, member)
        if not existing or not self.interactive:
            return True
        names = ", ".join(f"'{lyr.name}'" for lyr in existing)
        answer = QMessageBox.question(
            self, "File already in the project",
            f"{path.name} is already in the project as {names}.\n\nAdd it again as another layer? Its rows would "
            "be counted twice wherever both layers are used (a second community input layer doubles every zone's "
            "community count).",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def _add_other(self, path: Path) -> None:
        try:
            from hotspot_desktop.core.io.vector import list_layers

            names = list_layers(path) if path.suffix.lower() in (".gpkg", ".zip", ".kml") else []
        except Exception:  # noqa: BLE001 - the loader reports unreadable files itself
            names = []
        if len(names) <= 1:
            if self.confirm_same_source(path):
                self.enqueue_load(LoadRequest(path))
            return
        for name in self.choose_layers(path, names):
            if self.confirm_same_source(path, name):
                self.enqueue_load(LoadRequest(path, {"layer": name}))

    def choose_layers(self, path: Path, names: list[str]) -> list[str]:
        """Ask which layers of a multi-layer file to add (none when cancelled)."""
        from hotspot_desktop.gui.layer_choice_dialog import LayerChoiceDialog

        if not self.interactive:
            return names[:1]

        dialog = LayerChoiceDialog(path.name, names, self)
        return dialog.chosen() if dialog.exec() else []

    def enqueue_load(self, request: LoadRequest) -> None:
        """Queue a file for background loading (one at a time)."""
        self._load_queue.append(request)
        if self._current_task is None:
            self._start_next_load()

    def _start_next_load(self) -> None:
        if not self._load_queue:
            self._current_task = None
            if self._progress is not None:
                self._progress.reset()
            self.loads_finished.emit()
            return
        request = self._load_queue.pop(0)
        task = LoadTask(request, self.project.working_crs, self)
        task.setProperty("project_id", id(self.project))  # results for a replaced project are dropped
        task.progress.connect(self._on_load_progress)
        task.finished.connect(self._on_load_finished)
        task.failed.connect(self._on_load_failed)
        task.cancelled.connect(self._on_load_cancelled)
        self._current_task = task
        if self._progress is None:
            self._progress = QProgressDialog("", "Cancel", 0, 1000, self)
            self._progress.setWindowTitle("Loading")
            self._progress.setObjectName("loadProgress")
            self._progress.setMinimumDuration(800)  # small files never flash a dialog
            self._progress.setWindowModality(Qt.WindowModality.WindowModal)
            self._progress.canceled.connect(self.cancel_loads)
        self._progress.setLabelText(f"Loading {request.path.name}…")
        self._progress.setValue(0)
        self.map_status.showMessage(f"Loading {request.path.name}…")
        task.start()

    def cancel_loads(self) -> None:
        """Cancel the running load and drop the queue."""
        self._load_queue.clear()
        if self._current_task is not None:
            self._current_task.cancel()

    def _on_load_progress(self, fraction: float, stage: str) -> None:
        if self._progress is not None and self._current_task is not None:
            self._progress.setValue(int(fraction * 1000))
            if stage:
                self._progress.setLabelText(f"Loading {self._current_task.request.path.name}: {stage}")

    def _release_task(self) -> None:
        if self._current_task is not None:
            self._current_task.deleteLater()
            self._current_task = None

    def _on_load_finished(self, request: LoadRequest, layer: Layer, report: Any) -> None:
        task = self._current_task
        self._release_task()
        if task is not None and task.property("project_id") != id(self.project):
            # The user opened or started another project meanwhile: this layer belongs to neither.
            self._start_next_load()
            return
        if self.project.working_crs is None:
            detected = getattr(report, "detected", {}).get("working_crs")
            if detected:
                from pyproj import CRS

                self.project.working_crs = CRS.from_user_input(detected)
        self.map_status.showMessage(f"Loaded {request.path.name}", 5000)
        settings.add_recent_file(request.path)
        role = request.role if isinstance(layer, PointLayer) else None
        if role is not None:
            layer.role = role  # before the project sees it: AVL pings are never the incidents
        self.add_layer(layer, report)
        if role is not None:
            from hotspot_desktop.gui.import_dialog import apply_role

            apply_role(self.project, layer, role)  # its marker, over the default style
        self._start_next_load()

    def _on_load_failed(self, request: LoadRequest, exc: Exception, details: str) -> None:
        from hotspot_desktop.core.io.vector import CrsRequired

        self._release_task()
        if isinstance(exc, CrsRequired):
            crs = self._ask_crs(request.path, str(exc))
            if crs is not None:
                self._load_queue.insert(0, LoadRequest(request.path, {**request.options, "crs": crs},
                                                            role=request.role))
            self._start_next_load()
            return
        report = getattr(exc, "report", None)
        extra = "\n".join(report.summary_lines()) + "\n\n" if report is not None else ""
        self.show_error("Cannot load file", f"{request.path.name} could not be loaded: {exc}", extra + details)
        self._start_next_load()

    def _on_load_cancelled(self, request: LoadRequest) -> None:
        self.map_status.showMessage(f"Loading {request.path.name} cancelled", 5000)
        self._release_task()
        self._start_next_load()

    def show_load_report(self, report: Any) -> None:
        if not self.interactive:
            print("\n".join(report.summary_lines()), file=sys.stderr)
            return
        from hotspot_desktop.gui.load_report_dialog import LoadReportDialog

        dialog = LoadReportDialog(report, self)
        self.last_report_dialog = dialog
        dialog.show()

    # ------------------------------------------------------------------ questions to the user
    # Each question is one method, so scripted runs and tests can answer it without a modal loop.
    @staticmethod
    def _headless() -> bool:
        from PySide6.QtWidgets import QApplication

        return QApplication.platformName() == "offscreen"

    def confirm_discard(self) -> bool:
        """Ask to save unsaved changes; True when it is fine to continue."""
        if not self.project.modified or len(self.project.layers) == 0 or not self.interactive:
            return True
        answer = QMessageBox.question(
            self, "Unsaved changes", "The project has unsaved changes. Save them first?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save)
        if answer == QMessageBox.StandardButton.Save:
            return self.save_project()
        return answer == QMessageBox.StandardButton.Discard

    def _ask_relocate(self, source_ref: Any, layer_name: str) -> Path | None:
        missing = getattr(source_ref, "path", None)
        if not self.interactive:
            return None  # the layer is skipped and listed in the warnings
        QMessageBox.warning(self, "Source file missing",
                            f"The data of layer “{layer_name}” was not found at\n{missing}\n\nPlease locate it.")
        start = str(Path(missing).parent) if missing else settings.last_directory()
        path, _ = QFileDialog.getOpenFileName(self, f"Locate the data of “{layer_name}”", start)
        return Path(path) if path else None

    def _confirm_outside(self, paths: list[Path]) -> bool:
        if not self.interactive:
            return True  # a scripted run was given this project on purpose
        listing = "\n".join(str(p) for p in paths[:10])
        answer = QMessageBox.question(
            self, "Files outside the project folder",
            f"This project reads files outside its folder:\n{listing}\n\nOpen them?")
        return answer == QMessageBox.StandardButton.Yes

    def _ask_crs(self, path: Path, message: str) -> str | None:
        from hotspot_desktop.gui.crs_dialog import ask_crs

        return ask_crs(self, path.name, message) if self.interactive else None

    # ------------------------------------------------------------------ menu slots
    def on_new(self) -> None:
        if self.confirm_discard():
            self.set_project(self._new_project_object())

    def on_open(self) -> None:
        if not self.confirm_discard():
            return
        path, _ = QFileDialog.getOpenFileName(self, "Open project", settings.last_directory(), PROJECT_FILTER)
        if path:
            settings.set_last_directory(path)
            self.open_project(path)

    def on_save(self) -> bool:
        return self.save_project()

    def on_save_as(self) -> bool:
        start = str(self.project.path or Path(settings.last_directory()) / f"project{PROJECT_SUFFIX}")
        path, _ = QFileDialog.getSaveFileName(self, "Save project as", start, PROJECT_FILTER)
        if not path:
            return False
        settings.set_last_directory(path)
        return self.save_project(path)

    def on_add_layer(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Add layer", settings.last_directory(), data_file_filter())
        if paths:
            self.add_files(paths)

    def on_import_csv(self) -> None:
        """Pick a CSV and always review its column mapping before loading."""
        path, _ = QFileDialog.getOpenFileName(self, "Import incidents", settings.last_directory(),
                                              "Incident tables (*.csv *.txt);;All files (*)")
        if path:
            settings.set_last_directory(path)
            self._add_csv(Path(path), review=True)

    def on_import_community_csv(self) -> None:
        """Pick a CSV of community survey responses or service requests; review it as community input."""
        path, _ = QFileDialog.getOpenFileName(self, "Import community input", settings.last_directory(),
                                              "Survey / service request tables (*.csv *.txt);;All files (*)")
        if path:
            settings.set_last_directory(path)
            self._add_csv(Path(path), review=True)
            dialog = getattr(self, "last_import_dialog", None)
            if dialog is not None and dialog.path == Path(path):
                dialog.set_role("community")

    def on_equity_layer(self) -> None:
        """Tools ▸ Patrol ▸ Equity layer…: the project's census layer, groups and zones for equity checks."""
        from hotspot_desktop.gui.equity_dialog import EquityDialog

        dialog = EquityDialog(self.project, self)
        self.last_equity_dialog = dialog
        dialog.open()

    def on_export_map(self) -> None:
        start = str(Path(settings.last_directory()) / f"{self.project.path.stem if self.project.path else 'map'}.pdf")
        path, _ = QFileDialog.getSaveFileName(self, "Export map", start,
                                              "PDF (*.pdf);;PNG image (*.png);;SVG drawing (*.svg)")
        if path:
            settings.set_last_directory(path)
            self.export_map(path)

    def export_map(self, path: str | Path) -> bool:
        """Write the current map view with the default layout (title, legend, scale bar) to ``path``."""
        from PySide6.QtGui import QCursor, QGuiApplication

        from hotspot_desktop.export.compose import export_map

        if len(self.project.layers) == 0:
            self.show_error("Nothing to export", "Add a layer to the map first.")
            return False
        QGuiApplication.setOverrideCursor(QCursor(Qt.CursorShape.WaitCursor))
        try:
            export_map(self.project, path, extent=self.canvas.current_extent())
        except Exception as exc:  # noqa: BLE001
            QGuiApplication.restoreOverrideCursor()
            self.show_error("Export failed", f"{Path(path).name} could not be written: {exc}", traceback.format_exc())
            return False
        QGuiApplication.restoreOverrideCursor()
        self.map_status.showMessage(f"Exported {path}", 5000)
        return True

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        files = settings.recent_files()
        for f in files:
            act = self.recent_menu.addAction(f)
            act.triggered.connect(lambda _=False, p=f: self._open_recent(p))
        if files:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear list", settings.clear_recent_files)
        else:
            self.recent_menu.addAction("(no recent files)").setEnabled(False)

    def _open_recent(self, path: str) -> None:
        self.add_files([path])  # a project file is opened (after the unsaved-changes prompt)

    def on_preferences(self) -> None:
        from hotspot_desktop.gui.preferences import PreferencesDialog

        dialog = PreferencesDialog(self.project.display_units, self)
        if dialog.exec():
            units = dialog.units()
            settings.set_display_units(units)
            if units != self.project.display_units:
                self.project.display_units = units
                self.mark_modified()

    def on_zoom_layer(self) -> None:
        layer = self.project.layers.active
        if layer is not None:
            self.canvas.zoom_to_layer(layer)

    def on_zoom_selection(self) -> None:
        layer = self.project.layers.active
        if layer is not None:
            self.canvas.zoom_to_selection(layer)

    def on_user_guide(self) -> None:
        from hotspot_desktop.gui.about import UserGuideDialog

        self._guide = UserGuideDialog(self)
        self._guide.show()

    def on_about(self) -> None:
        from hotspot_desktop.gui.about import AboutDialog

        self._about = AboutDialog(self)
        self._about.show()

    # ------------------------------------------------------------------ docks and dialogs
    def show_properties(self, layer: Layer | None) -> None:
        layer = layer or self.project.layers.active
        if layer is None:
            return
        from hotspot_desktop.gui.layer_properties import LayerPropertiesDialog

        dialog = LayerPropertiesDialog(layer, self.project, self)
        self.last_properties_dialog = dialog
        dialog.show()

    def show_attribute_table(self, layer: Layer | None) -> QDockWidget | None:
        layer = layer or self.project.layers.active
        if layer is None:
            return None
        dock = self.attribute_tables.get(layer.id)
        if dock is None:
            from hotspot_desktop.gui.attribute_table import AttributeTableDock

            dock = AttributeTableDock(layer, self.canvas, self)
            self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
            others = [d for d in self.attribute_tables.values() if d.isVisible()]
            if others:  # tables share one strip of the window as tabs
                self.tabifyDockWidget(others[-1], dock)
            self.attribute_tables[layer.id] = dock
        dock.show()
        dock.raise_()
        return dock

    def show_filter(self, layer: Layer | None) -> QDockWidget:
        from hotspot_desktop.gui.filter_panel import FilterPanel

        if self._filter_dock is None:
            self._filter_dock = QDockWidget("Filter incidents", self)
            self._filter_dock.setObjectName("FilterDock")
            self._filter_dock.setWidget(FilterPanel(self._filter_dock))
            self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self._filter_dock)
        layer = layer or self.project.layers.active
        if layer is None or layer.kind != "points":
            layer = self.project.incident_layer()
        self._filter_dock.widget().set_layer(layer)
        self._filter_dock.show()
        self._filter_dock.raise_()
        return self._filter_dock

    @property
    def filter_panel(self) -> Any:
        """The filter panel widget (created on first use)."""
        return self.show_filter(None).widget() if self._filter_dock is None else self._filter_dock.widget()

    def show_identify_dock(self) -> QDockWidget:
        from hotspot_desktop.gui.identify_dialog import IdentifyResults

        if self._identify_dock is None:
            self._identify_dock = QDockWidget("Identify results", self)
            self._identify_dock.setObjectName("IdentifyDock")
            self._identify_dock.setWidget(IdentifyResults(self._identify_dock))
            self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self._identify_dock)
        self._identify_dock.show()
        self._identify_dock.raise_()
        return self._identify_dock

    def show_identify_results(self, results: list) -> None:
        dock = self.show_identify_dock()
        dock.widget().set_results(results)

    def _store_view(self) -> None:
        try:
            xmin, ymin, xmax, ymax = self.canvas.current_extent()
        except (TypeError, ValueError):
            return
        self.project.view = {"xmin": xmin, "ymin": ymin, "xmax": xmax, "ymax": ymax}

    # ------------------------------------------------------------------ Qt events
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: Any) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        # Let the drag finish before possibly opening dialogs.
        QTimer.singleShot(0, lambda: self.add_files(paths))

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.confirm_discard():
            event.ignore()
            return
        task = self._current_task
        self.cancel_loads()
        if task is not None:
            task.wait(5.0)
        settings.save_window_state(self.saveGeometry(), self.saveState())
        event.accept()
