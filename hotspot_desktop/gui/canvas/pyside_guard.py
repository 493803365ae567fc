"""A guard against PySide6 6.12.0's reference leak in ``Signal.emit()``.

In PySide6 6.12.0 every ``SignalInstance.emit()`` made from Python returns ``True`` without
taking a reference to it, so each emit lowers ``True``'s reference count by one. On Python 3.11,
where ``True`` is not immortal, the interpreter aborts ("Fatal Python error: bool_dealloc")
after a few thousand emits: minutes of mouse movement over a pyqtgraph canvas, or at exit.
6.11.3 does not leak (checked with the same probe). When the probe sees the leak, both
booleans get a reference count so large that no session can exhaust it, which is what
Python 3.12+ does for them anyway (immortal objects).
"""

from __future__ import annotations

import ctypes
import sys

# 2**40 leaked references would take a million emits a second for 12 days.
_PIN = 1 << 40
_state = {"pinned": False}


def emit_leaks_true() -> bool:
    """True when a Python ``Signal.emit()`` drops a reference to ``True``."""
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        fired = Signal()

    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(16):
        probe.fired.emit()
    return sys.getrefcount(True) < before


def pin_bool_refcounts() -> bool:
    """Make ``True`` and ``False`` unkillable if this PySide6 leaks them; True when pinned."""
    if _state["pinned"]:
        return True
    if sys.version_info >= (3, 12) or not emit_leaks_true():
        return False
    for obj in (True, False):
        # ob_refcnt is the first field of every CPython object.
        ctypes.c_ssize_t.from_address(id(obj)).value += _PIN
    _state["pinned"] = True
    return True
