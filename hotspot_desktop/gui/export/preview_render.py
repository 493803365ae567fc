"""Low-resolution page previews rendered with compose_map on a worker thread.

Only the newest request matters: while a render runs, later requests replace each other and
the last one starts when the worker is free. A preview of the sample project (100 000
incidents) takes about 0.4 s at 60 dpi (bench/bench_export.py), too slow for the GUI thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from hotspot_desktop.export.compose import ComposedMap

PREVIEW_DPI = 60


def render_image(compose: Callable[[], ComposedMap]) -> tuple[QImage, ComposedMap]:
    """Draw a composed page with Agg and copy it into a QImage (safe off the GUI thread)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    composed = compose()
    canvas = FigureCanvasAgg(composed.figure)
    canvas.draw()
    buf = canvas.buffer_rgba()
    h, w = buf.shape[:2]
    image = QImage(bytes(buf), w, h, 4 * w, QImage.Format.Format_RGBA8888).copy()
    return image, composed


class _Signals(QObject):
    ready = Signal(int, QImage, object)
    failed = Signal(int, str)


class _Render:
    def __init__(self, serial: int, compose: Callable[[], ComposedMap], signals: _Signals) -> None:
        self.serial, self.compose, self.signals = serial, compose, signals

    def run(self) -> None:
        try:
            try:
                image, composed = render_image(self.compose)
            except Exception as exc:  # noqa: BLE001 - a preview failure is shown in the dialog, not raised
                self.signals.failed.emit(self.serial, f"{type(exc).__name__}: {exc}")
                return
            self.signals.ready.emit(self.serial, image, composed)
        except RuntimeError:
            return  # the dialog was closed and deleted while this render ran: nobody to tell


class PreviewRenderer(QObject):
    """Renders the newest requested page; ``ready(QImage, ComposedMap)`` on the GUI thread."""

    ready = Signal(QImage, object)
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.thread: threading.Thread | None = None
        self.serial = 0
        self.rendered_serial = 0
        self._running = False
        self._pending: Callable[[], ComposedMap] | None = None
        self._stopped = False
        self._signals = _Signals(self)
        self._signals.ready.connect(self._on_ready)
        self._signals.failed.connect(self._on_failed)

    def stop(self, msecs: int = 30000) -> None:
        """Drop waiting requests, start no more renders and wait for the running one."""
        self._stopped = True
        self._pending = None
        self.wait(msecs)

    def wait(self, msecs: int = 30000) -> None:
        """Block until the running render (if any) ends."""
        if self.thread is not None:
            self.thread.join(msecs / 1000)

    @property
    def idle(self) -> bool:
        """True when no render runs or waits (tests wait on it)."""
        return not self._running and self._pending is None

    def request(self, compose: Callable[[], ComposedMap]) -> None:
        """Render ``compose()`` as soon as the worker is free (replacing any waiting request)."""
        if self._stopped:
            return
        self._pending = compose
        if not self._running:
            self._start()

    def _start(self) -> None:
        compose, self._pending = self._pending, None
        if compose is None or self._stopped:
            return
        self.serial += 1
        self._running = True
        # A new Python thread per render, for the reason given in gui/export/jobs.py.
        job = _Render(self.serial, compose, self._signals)
        self.thread = threading.Thread(target=job.run, name="hotspot-preview", daemon=True)
        self.thread.start()

    def _finish(self) -> None:
        self._running = False
        self._start()

    def _on_ready(self, serial: int, image: QImage, composed: object) -> None:
        self.rendered_serial = serial
        stale = self._pending is not None
        self._finish()
        if not stale:
            self.ready.emit(image, composed)

    def _on_failed(self, serial: int, message: str) -> None:
        self.rendered_serial = serial
        self._finish()
        self.failed.emit(message)
