"""File ▸ Export entries: Map…, Briefing PDF…, Layer… and Table as CSV."""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QCursor, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QDialog, QFileDialog, QMenu

from hotspot_desktop.gui.export.folders import remember, start_folder
from hotspot_desktop.gui.export.tables import table_sources


class ExportUI(QObject):
    """Owns the export actions and the open export dialogs of one main window."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.dialogs: dict[str, QDialog] = {}
        menu: QMenu = getattr(window, "export_menu", None) or window.menus["File"].addMenu("&Export")
        first = menu.actions()[0] if menu.actions() else None
        self.map_action = self._action("Map…", "export_composer", self.open_composer, "Ctrl+Shift+E")
        self.briefing_action = self._action("Briefing PDF…", "export_briefing", self.open_briefing)
        self.layer_action = self._action("Layer…", "export_layer", self.open_layer_export)
        for act in (self.map_action, self.briefing_action, self.layer_action):
            menu.insertAction(first, act)
        self.table_menu = QMenu("Table as CSV", menu)
        self.table_menu.setObjectName("exportTableMenu")
        self.table_menu.aboutToShow.connect(self.fill_table_menu)
        menu.insertMenu(first, self.table_menu)
        if first is not None:
            menu.insertSeparator(first)
        window.project_replaced.connect(self._close_dialogs)

    def _action(self, text: str, key: str, slot: Any, shortcut: str | None = None) -> QAction:
        act = QAction(text, self.window)
        act.setObjectName(f"action_{key}")
        if shortcut:
            act.setShortcut(QKeySequence(shortcut))
        act.triggered.connect(slot)
        named = getattr(self.window, "named_actions", None)
        if isinstance(named, dict):
            named[key] = act
        return act

    # --- dialogs ----------------------------------------------------------------------------
    def _show(self, key: str, factory: Any) -> QDialog | None:
        if len(self.window.project.layers) == 0:
            self.window.show_error("Nothing to export", "Add a layer to the map first.")
            return None
        dlg = self.dialogs.get(key)
        if dlg is None or not dlg.isVisible():
            # A closed dialog is deleted (WA_DeleteOnClose); the next open starts afresh.
            dlg = factory(self.window)
            dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            ident = id(dlg)
            dlg.destroyed.connect(lambda *_a, k=key, i=ident: self._forget(k, i))
            self.dialogs[key] = dlg
        dlg.show()
        dlg.raise_()
        dlg.activateWindow()
        return dlg

    def _forget(self, key: str, ident: int) -> None:
        if id(self.dialogs.get(key)) == ident:
            del self.dialogs[key]

    def open_composer(self) -> QDialog | None:
        from hotspot_desktop.gui.export.composer_dialog import ComposerDialog

        dlg = self.dialogs.get("composer")
        if dlg is not None and dlg.isVisible():
            dlg.refresh_view_extent()
            dlg.schedule_preview()
        return self._show("composer", ComposerDialog)

    def open_briefing(self) -> QDialog | None:
        from hotspot_desktop.gui.export.briefing_dialog import BriefingDialog

        if not any(len(p) and p.times is not None for p in self.window.project.point_layers()):
            self.window.show_error("No incidents", "A briefing needs an incident layer with dates.")
            return None
        return self._show("briefing", BriefingDialog)

    def open_layer_export(self) -> QDialog | None:
        from hotspot_desktop.gui.export.layer_dialog import LayerExportDialog

        return self._show("layer", LayerExportDialog)

    def _close_dialogs(self, *_a: Any) -> None:
        # Dialogs hold the old project; a new project starts from fresh dialogs.
        dialogs, self.dialogs = list(self.dialogs.values()), {}
        for dlg in dialogs:
            dlg.close()

    # --- tables -----------------------------------------------------------------------------
    def fill_table_menu(self) -> None:
        self.table_menu.clear()
        sources = table_sources(self.window)
        if not sources:
            act = self.table_menu.addAction("No tables yet")
            act.setEnabled(False)
            return
        for label, build in sources:
            act = self.table_menu.addAction(f"{label}…")
            act.triggered.connect(lambda _c=False, lb=label, b=build: self.save_table(lb, b))

    def save_table(self, label: str, build: Any, path: str | Path | None = None) -> Path | None:
        """Ask for a file and write the table as formula-safe CSV (core/io/writers)."""
        from hotspot_desktop.core.io.writers import slug, write_table_csv

        if path is None:
            folder = start_folder(self.window.project)
            path, _ = QFileDialog.getSaveFileName(self.window, f"Export {label}", str(folder / f"{slug(label)}.csv"),
                                                  "CSV (*.csv)")
            if not path:
                return None
        path = Path(path)
        if path.suffix.lower() != ".csv":
            path = path.with_name(path.name + ".csv")
        QGuiApplication.setOverrideCursor(QCursor(Qt.CursorShape.WaitCursor))
        try:
            write_table_csv(build(), path)
        except (ValueError, KeyError, OSError) as exc:
            self.window.show_error("Table not exported", f"{label}: {exc}", traceback.format_exc())
            return None
        finally:
            QGuiApplication.restoreOverrideCursor()
        remember(path)
        self.window.statusBar().showMessage(f"Wrote {path}", 8000)
        return path
