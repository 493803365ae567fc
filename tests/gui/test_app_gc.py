"""The GUI collects reference cycles on its own thread only (gui/app.py)."""

from __future__ import annotations

import gc
import threading

import pytest

pytestmark = pytest.mark.gui


def test_automatic_collector_is_off_and_the_gui_timer_collects(qtbot):
    from hotspot_desktop.gui.app import GC_INTERVAL_MS, create_app

    app = create_app([])
    assert not gc.isenabled()
    timer = app._hotspot_gc_timer
    assert timer.isActive() and timer.interval() == GC_INTERVAL_MS

    class Cycle:
        def __init__(self) -> None:
            self.me = self

    import weakref

    ref = weakref.ref(Cycle())
    # A worker thread allocating heavily never collects it: the collector is off...
    worker = threading.Thread(target=lambda: [[object()] for _ in range(200_000)])
    worker.start()
    worker.join()
    assert ref() is not None
    # ...the GUI timer does, on the GUI thread.
    timer.timeout.emit()
    assert ref() is None
