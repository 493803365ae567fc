"""Everything zones adds to the main window: controller on the canvas, tool bar, Zones menu,
zones dock, undo history dock, autosave/restore, export/import and zones from hot spots."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMenu, QUndoView

from hotspot_desktop.core.model import Project
from hotspot_desktop.gui.zones import file_actions
from hotspot_desktop.gui.zones.autosave import ZoneAutosave
from hotspot_desktop.gui.zones.controller import ZoneController
from hotspot_desktop.gui.zones.from_hotspots_dialog import FromHotspotsDialog
from hotspot_desktop.gui.zones.toolbar import ZonesToolBar
from hotspot_desktop.gui.zones.zones_dock import ZonesDock

MESSAGE_MS = 8000


class ZonesUI(QObject):
    """The zones feature of one main window (``window.zones_ui``)."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        stack = window.undo_stack
        self.controller = ZoneController(window.canvas, window.project, stack, self)
        self.controller.message.connect(lambda text: window.statusBar().showMessage(text, MESSAGE_MS))
        self.controller.mode_changed.connect(self._on_mode_changed)

        undo, redo = self._undo_actions()
        self.toolbar = ZonesToolBar(self.controller, getattr(window, "tool_group", None), undo, redo, window)
        window.addToolBar(self.toolbar)

        self.dock = ZonesDock(self.controller, window)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        self.history = QDockWidget("Undo history", window)
        self.history.setObjectName("UndoHistoryDock")
        self.undo_view = QUndoView(stack)
        self.undo_view.setEmptyLabel("<start>")
        self.history.setWidget(self.undo_view)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.history)
        self.history.hide()

        self.autosave = ZoneAutosave(window, window.project)
        self.menu = self._build_menu(undo, redo)
        window.project_replaced.connect(self._on_project_replaced)
        self.last_dialog: FromHotspotsDialog | None = None
        # Offer a recovery once the window is up (start-up with an untitled project).
        QTimer.singleShot(0, self.autosave.check)

    def _undo_actions(self) -> tuple[QAction, QAction]:
        """The window's Edit ▸ Undo/Redo (bound to its undo stack), with Ctrl+Shift+Z for redo."""
        w = self.window
        undo = w.named_actions.get("undo") or w.undo_stack.createUndoAction(w, "&Undo")
        redo = w.named_actions.get("redo") or w.undo_stack.createRedoAction(w, "&Redo")
        if not undo.shortcut():
            undo.setShortcut(QKeySequence(QKeySequence.StandardKey.Undo))
        keys = list(redo.shortcuts()) or [QKeySequence(QKeySequence.StandardKey.Redo)]
        if QKeySequence("Ctrl+Shift+Z") not in keys:
            keys.append(QKeySequence("Ctrl+Shift+Z"))
        redo.setShortcuts(keys)
        return undo, redo

    def _build_menu(self, undo: QAction, redo: QAction) -> QMenu:
        w = self.window
        menu = QMenu("&Zones", w)
        menu.setObjectName("zonesMenu")
        # After the window's own menus, whose order (File … Help) the window defines.
        w.menuBar().addMenu(menu)
        w.menus["Zones"] = menu
        for act in self.toolbar.tool_actions.values():
            menu.addAction(act)
        menu.addSeparator()
        menu.addAction(self.toolbar.snap_action)
        menu.addSeparator()
        self.actions: dict[str, QAction] = {}
        for key, text, slot in (("from_hotspots", "Make zones from &hot spots…", self.open_from_hotspots),
                                ("export", "&Export zones…", self.export_zones),
                                ("import", "&Import zones…", self.import_zones)):
            act = menu.addAction(text)
            act.setObjectName(f"action_zones_{key}")
            act.triggered.connect(slot)
            self.actions[key] = act
        menu.addSeparator()
        menu.addAction(undo)
        menu.addAction(redo)
        menu.addAction(self.dock.toggleViewAction())
        self.history.toggleViewAction().setText("Undo &history")
        menu.addAction(self.history.toggleViewAction())
        panels = getattr(w, "docks_menu", None)
        if panels is not None:
            panels.addAction(self.dock.toggleViewAction())
            panels.addAction(self.history.toggleViewAction())
            panels.addAction(self.toolbar.toggleViewAction())
        return menu

    # --- slots ---------------------------------------------------------------------------------
    def _on_mode_changed(self, mode: str | None) -> None:
        if mode is None and hasattr(self.window, "set_map_tool"):
            tool = self.window.canvas.tool
            self.window.set_map_tool(tool if tool in ("pan", "zoom_box", "identify") else "pan")

    def _on_project_replaced(self, project: Project) -> None:
        self.controller.set_project(project)
        self.toolbar.set_project(project)
        self.dock.set_project(project)
        self.autosave.set_project(project)
        self.autosave.check()

    def open_from_hotspots(self) -> FromHotspotsDialog:
        dialog = FromHotspotsDialog(self.controller, self.window)
        self.last_dialog = dialog
        dialog.open()
        return dialog

    def export_zones(self) -> None:
        file_actions.export_dialog(self.window, self.controller.layer)

    def import_zones(self) -> None:
        file_actions.import_dialog(self.window)
