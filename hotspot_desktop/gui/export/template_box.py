"""Named composer templates: saved in the project (``project.templates``) and as JSON files
that any project can import."""

from __future__ import annotations

import json
from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QPushButton,
    QWidget,
)

from hotspot_desktop.core.model import Project
from hotspot_desktop.export.template import MapTemplate

JSON_FILTER = "Map template (*.json)"


class TemplateBox(QGroupBox):
    """Save/load/delete templates by name; import/export template files.

    ``current`` returns the dialog's template; ``loaded(template)`` asks the dialog to show one;
    ``error(title, message)`` reports a file that could not be read or written.
    """

    loaded = Signal(object)
    error = Signal(str, str)
    message = Signal(str)

    def __init__(self, project: Project, current: Callable[[], MapTemplate], parent: QWidget | None = None) -> None:
        super().__init__("Templates", parent)
        self.project = project
        self.current = current
        self.names = QComboBox(self, objectName="templateName")
        self.names.setEditable(True)
        self.names.setToolTip("Type a name and press Save, or pick a saved template and press Load.")
        self.names.lineEdit().setPlaceholderText("Template name")
        self.save_button = QPushButton("Save", self, objectName="templateSave")
        self.load_button = QPushButton("Load", self, objectName="templateLoad")
        self.delete_button = QPushButton("Delete", self, objectName="templateDelete")
        self.import_button = QPushButton("Import…", self, objectName="templateImport")
        self.export_button = QPushButton("Export…", self, objectName="templateExport")
        self.save_button.setToolTip("Save the current layout in the project under this name")
        self.import_button.setToolTip("Read a template file saved from any project")
        self.export_button.setToolTip("Write the current layout to a file to reuse in other projects")
        grid = QGridLayout(self)
        grid.addWidget(self.names, 0, 0, 1, 3)
        grid.addWidget(self.save_button, 1, 0)
        grid.addWidget(self.load_button, 1, 1)
        grid.addWidget(self.delete_button, 1, 2)
        grid.addWidget(self.import_button, 2, 0, 1, 1)
        grid.addWidget(self.export_button, 2, 1, 1, 1)
        self.save_button.clicked.connect(self.save)
        self.load_button.clicked.connect(self.load)
        self.delete_button.clicked.connect(self.delete)
        self.import_button.clicked.connect(self.import_file)
        self.export_button.clicked.connect(self.export_file)
        self.refresh()

    def refresh(self, select: str | None = None) -> None:
        text = select if select is not None else self.names.currentText()
        self.names.blockSignals(True)
        self.names.clear()
        self.names.addItems(sorted(self.project.templates))
        self.names.setEditText(text)
        self.names.blockSignals(False)
        self.load_button.setEnabled(bool(self.project.templates))
        self.delete_button.setEnabled(bool(self.project.templates))

    def _changed(self) -> None:
        self.project.modified = True
        self.project.changed.emit("templates")

    def save(self) -> None:
        """Store the current layout in the project under the typed name."""
        name = self.names.currentText().strip()
        if not name:
            self.error.emit("Template not saved", "Type a name for the template first.")
            return
        tpl = self.current()
        tpl.name = name
        self.project.templates[name] = tpl.to_dict()
        self._changed()
        self.refresh(name)
        self.message.emit(f"Saved template '{name}' in the project.")

    def load(self) -> None:
        name = self.names.currentText().strip()
        if name not in self.project.templates:
            self.error.emit("No such template", f"The project has no template named '{name}'.")
            return
        self.loaded.emit(MapTemplate.from_dict(self.project.templates[name]))
        self.message.emit(f"Loaded template '{name}'.")

    def delete(self) -> None:
        name = self.names.currentText().strip()
        if self.project.templates.pop(name, None) is not None:
            self._changed()
            self.refresh("")
            self.message.emit(f"Deleted template '{name}'.")

    def import_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import map template", "", JSON_FILTER)
        if not path:
            return
        try:
            tpl = MapTemplate.load(path)
        except (OSError, ValueError, TypeError, KeyError, json.JSONDecodeError) as exc:
            self.error.emit("Template not imported", f"{path} is not a map template: {exc}")
            return
        self.names.setEditText(tpl.name)
        self.loaded.emit(tpl)
        self.message.emit(f"Imported template '{tpl.name}'; press Save to keep it in this project.")

    def export_file(self) -> None:
        name = self.names.currentText().strip() or "map template"
        path, _ = QFileDialog.getSaveFileName(self, "Export map template", f"{name}.json", JSON_FILTER)
        if not path:
            return
        if not path.lower().endswith(".json"):
            path += ".json"
        tpl = self.current()
        tpl.name = name
        try:
            tpl.save(path)
        except OSError as exc:
            self.error.emit("Template not exported", f"{path} could not be written: {exc}")
            return
        self.message.emit(f"Wrote {path}.")
