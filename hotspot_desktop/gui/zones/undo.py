"""QUndoCommands wrapping the Qt-free zone commands (core/zones/commands.py), so every zone
edit is one step of the window's QUndoStack (Edit ▸ Undo, Ctrl+Z / Ctrl+Shift+Z).

A drag pushes a geometry command at every mouse move; commands of the same drag carry the same
``drag`` token and merge, so the whole drag is undone in one step.
"""

from __future__ import annotations

import ctypes
import functools
import itertools
import sys

from PySide6.QtGui import QUndoCommand, QUndoStack

from hotspot_desktop.core.model import ZoneLayer
from hotspot_desktop.core.zones.commands import SetGeometry, ZoneCommand

MERGE_ID = 0x20E5  # QUndoCommand.id of mergeable geometry edits
_drags = itertools.count(1)


@functools.cache
def none_refs_lost_per_call() -> int:
    """References to ``None`` lost each time QUndoStack calls a Python redo()/undo() override.

    With PySide6 6.12 on the project's CPython 3.11 build every such call drops one (1000
    undos cost 1000 references, while calling redo() from Python costs none); as None is an
    ordinary refcounted object before Python 3.12, a few thousand edits then abort the
    interpreter ("deallocating None"). Measured once with a probe, so a fixed binding or an
    immortal None needs no compensation.
    """

    class Probe(QUndoCommand):
        def redo(self) -> None:
            pass

        def undo(self) -> None:
            pass

    stack = QUndoStack()
    stack.push(Probe())
    calls = 64
    before = sys.getrefcount(None)
    for _ in range(calls // 2):
        stack.undo()
        stack.redo()
    lost = (before - sys.getrefcount(None)) / calls
    return max(0, round(lost))


def _restore_none_refs() -> None:
    for _ in range(none_refs_lost_per_call()):
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(None))


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
        _restore_none_refs()
        self.command.redo(self.layer)

    def undo(self) -> None:
        _restore_none_refs()
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
