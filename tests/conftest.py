"""Shared test set-up: headless Qt, the ../shared/data location, small helpers."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MPLBACKEND", "Agg")
# Tests never read or write the user's real settings, recovery files or logs: Qt's QSettings and
# QStandardPaths follow these on Linux.
_ISOLATED = Path(tempfile.mkdtemp(prefix="hotspot-tests-home-"))
os.environ["XDG_CONFIG_HOME"] = str(_ISOLATED / "config")
os.environ["XDG_DATA_HOME"] = str(_ISOLATED / "data")
os.environ["XDG_CACHE_HOME"] = str(_ISOLATED / "cache")

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("HOTSPOT_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data (real public crime data); skips the test when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data folder {SHARED_DATA} is absent (it sits beside the checkout in CI)")
    return SHARED_DATA


@pytest.fixture(autouse=True, scope="session")
def _pyside_emit_leak_guard():
    """PySide6 6.12.0 leaks a reference to True on every Signal.emit(); a long test session
    aborts with "bool_dealloc" unless it is pinned (see gui/canvas/pyside_guard.py)."""
    from hotspot_desktop.gui.canvas.pyside_guard import pin_bool_refcounts

    pin_bool_refcounts()
    yield


@pytest.fixture(autouse=True)
def _collect_between_tests_only():
    """Stop the GUI's 5-second garbage-collection timer (gui/app.py) for the test that starts.

    In the app the timer collects at the top of the event loop. A test session closes hundreds
    of windows, and a collection that pytest-qt's processEvents ran in the middle of tearing
    them down segfaulted twice in full runs (never alone); the suite collects after each test
    instead (:func:`_fresh_settings`); tests/gui/test_app_gc.py checks the timer itself.
    """
    import sys

    if "PySide6.QtWidgets" in sys.modules:
        from PySide6.QtWidgets import QApplication

        timer = getattr(QApplication.instance(), "_hotspot_gc_timer", None)
        if timer is not None:
            timer.stop()
    yield


@pytest.fixture(autouse=True)
def _fresh_settings():
    """Each test starts from empty app settings (window layout, recent files, units), so a
    test that saves a layout with extra docks cannot shrink the next test's map canvas.

    Reference cycles left by a test (closed windows, dialogs) are collected here, on the GUI
    thread: collected later by a worker thread (an export, a tool run), their Qt destructors
    would deadlock on the GIL inside PySide."""
    yield
    import gc
    import sys

    if "PySide6.QtWidgets" in sys.modules:
        # A floating dock (the Time dock opens floating) is a window of its own: closing its
        # main window does not hide it, and it would sit over the next test's canvas and take
        # its mouse moves until the old window is collected.
        from PySide6.QtWidgets import QApplication

        if QApplication.instance() is not None:
            for widget in QApplication.topLevelWidgets():
                if widget.isVisible() and widget.parentWidget() is not None and not widget.parentWidget().isVisible():
                    widget.hide()
    gc.collect()
    try:
        from hotspot_desktop.gui.settings import settings
    except ImportError:
        return
    if "PySide6.QtCore" in __import__("sys").modules:
        settings().clear()
