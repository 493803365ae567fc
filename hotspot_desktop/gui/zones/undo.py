"""QUndoCommands wrapping the Qt-free zone commands (core/zones/commands.py), so every zone
edit is one step of the window's QUndoStack (Edit ▸ Undo, Ctrl+Z / Ctrl+Shift+Z).

A drag pushes a geometry command at every mouse move; commands of the same drag carry the same
``drag`` token and merge, so the whole drag is undone in one step.
"""

from __future__ import annotations

import itertools

from PySide6.QtGui import QUndoCommand

from hotspot_desktop.core.model import ZoneLayer
from hotspot_desktop.core.zones.commands import SetGeometry, ZoneCommand

MERGE_ID = 0x20E5  # QUndoCommand.id of mergeable geometry edits
_drags = itertools.count(1)


def new_drag_token() -> int:
    """A token shared by the geometry commands of one mouse drag."""
    return next(_drags)


class ZoneUndoCommand(QUndoCommand):
    """One core zone command applied to ``layer``."""

    def __init__(self, layer: ZoneLayer, command: ZoneCommand, text: str | None = None,
                 parent: QUndoCommand | None = None) -> None:
        super().__init__(text or command.text, parent)
        self.layer = layer
        self.command = command

    def redo(self) -> None:
        self.command.redo(self.layer)

    def undo(self) -> None:
        self.command.undo(self.layer)


class DragGeometryCommand(ZoneUndoCommand):
    """A geometry change made while dragging (vertex or whole zone); merges within a drag."""

    def __init__(self, layer: ZoneLayer, command: SetGeometry, drag: int, text: str) -> None:
        super().__init__(layer, command, text)
        self.drag = drag

    def id(self) -> int:
        return MERGE_ID

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, DragGeometryCommand) or other.drag != self.drag or other.layer is not self.layer:
            return False
        if other.command.zone_id != self.command.zone_id:
            return False
        # ``other`` has been applied already; keep our original geometry for undo, its new one for redo.
        self.command.geometry = other.command.geometry
        return True
