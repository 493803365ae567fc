"""The QApplication: names for QSettings, the app icon, high-DPI and the exception hook."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication

from hotspot_desktop import __version__
from hotspot_desktop.gui import errors
from hotspot_desktop.gui.settings import APPLICATION, ORGANIZATION

RESOURCES = Path(__file__).resolve().parents[1] / "resources"


def icon(name: str) -> QIcon:
    """An icon from the package's resources folder (``name`` without ``.svg``)."""
    return QIcon(str(RESOURCES / f"{name}.svg"))


def create_app(argv: list[str] | None = None) -> QApplication:
    """Return the running QApplication, creating and configuring it on first call."""
    app = QApplication.instance()
    if app is None:
        # Fractional scale factors (125 %, 150 %) are common on analysts' laptops: keep them exact.
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication([sys.argv[0] if sys.argv else "hotspot-desktop", *(argv or [])])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationVersion(__version__)
    app.setWindowIcon(icon("app_icon"))
    errors.install_excepthook()
    _collect_garbage_on_gui_thread(app)
    return app  # type: ignore[return-value]


GC_INTERVAL_MS = 5_000


def _collect_garbage_on_gui_thread(app: QApplication) -> None:
    """Collect reference cycles on the GUI thread only, every few seconds, and never elsewhere.

    Closed dialogs and windows can linger in reference cycles. Python's automatic collector runs
    wherever an allocation happens to cross its threshold: on a worker thread (a tool run, an
    export) their Qt destructors would deadlock on the GIL inside PySide, and in the middle of
    Qt's own event dispatch a wrapper can be freed under a C++ object still in use (a segfault
    seen once in the test suite, inside processEvents). So the automatic collector is switched
    off once the GUI exists and this timer collects at the top of the event loop instead; the
    headless CLI never gets here and keeps Python's default.
    """
    if getattr(app, "_hotspot_gc_timer", None) is not None:
        return
    import gc

    from PySide6.QtCore import QTimer

    gc.collect()
    gc.disable()
    timer = QTimer(app)
    timer.setInterval(GC_INTERVAL_MS)
    timer.timeout.connect(gc.collect)
    timer.start()
    app._hotspot_gc_timer = timer  # type: ignore[attr-defined]
