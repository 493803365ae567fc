"""Undoable layer edits for the window's QUndoStack: removing a layer, changing a point layer's role."""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand

from hotspot_desktop.core.model import POINT_ROLE_LABELS, Layer, LayerList, PointLayer, Project


class RemoveLayerCommand(QUndoCommand):
    """Remove a layer; undo puts it back at the same place in the drawing order."""

    def __init__(self, layers: LayerList, layer: Layer) -> None:
        super().__init__(f"Remove {layer.name}")
        self.layers = layers
        self.layer = layer
        self.index = layers.index(layer)

    def redo(self) -> None:
        if self.layer in list(self.layers):
            self.index = self.layers.index(self.layer)
            self.layers.remove(self.layer)

    def undo(self) -> None:
        self.layers.insert(self.index, self.layer)
        self.layers.active = self.layer


class SetRoleCommand(QUndoCommand):
    """Say what a point layer's rows are: incidents, or community input (survey responses,
    service requests; counted per zone beside the incidents, never analysed as crime). Undo
    gives the old role back; either way the project has unsaved changes (the role is saved)."""

    def __init__(self, layer: PointLayer, role: str, project: Project | None = None) -> None:
        super().__init__(f"{layer.name}: {POINT_ROLE_LABELS[role]}")
        self.layer = layer
        self.project = project
        self.old = layer.role
        self.new = role

    def redo(self) -> None:
        self._set(self.new)

    def undo(self) -> None:
        self._set(self.old)

    def _set(self, role: str) -> None:
        self.layer.role = role
        if self.project is not None and not self.project.modified:
            self.project.modified = True
            self.project.changed.emit("modified")
