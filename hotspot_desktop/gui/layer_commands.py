"""Undoable layer-list edits for the window's QUndoStack."""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand

from hotspot_desktop.core.model import Layer, LayerList


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
