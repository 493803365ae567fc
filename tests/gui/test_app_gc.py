"""The GUI collects reference cycles on its own thread only (gui/app.py)."""

from __future__ import annotations

import gc
import threading

import pytest

pytestmark = pytest.mark.gui


def test_automatic_collector_is_off_and_the_gui_timer_collects(qtbot):
    from PySide6.QtCore import QObject

    from hotspot_desktop.gui.app import GC_INTERVAL_MS, _collect_garbage_on_gui_thread, create_app

    app = create_app([])
    assert not gc.isenabled() and app._hotspot_gc_timer is not None
    # The suite stops the app's timer between tests (tests/conftest.py): check the policy on a
    # stand-in for the application object.
    holder = QObject()
    _collect_garbage_on_gui_thread(holder)
    timer = holder._hotspot_gc_timer
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
    timer.stop()
