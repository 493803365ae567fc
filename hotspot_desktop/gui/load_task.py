"""Loading a data file off the GUI thread, with progress and cancellation.

The worker only reads the file into a new layer (no project mutation: psygnal handlers of the
project update Qt models and must run on the GUI thread); the main window adds the layer when
``finished`` arrives (Qt queues signals emitted from another thread to the receiver's thread).

The worker is a Python ``threading.Thread``, not a QThreadPool thread: pyproj >= 3.7 keeps its
PROJ context in Python thread-local storage and crashes the process in threads Python did not
create (pyproj issue #1509), which we hit loading a CSV after a GeoPackage.
"""

from __future__ import annotations

import threading
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyproj import CRS
from PySide6.QtCore import QObject, Signal

from hotspot_desktop.core.io.report import Cancelled


@dataclass
class LoadRequest:
    """One file to load, with loader options (``crs=``, ``layer=``, ``schema=`` for CSV) and the
    role a point layer gets (``"patrol_log"`` for AVL pings...; None keeps the loader's)."""

    path: Path
    options: dict[str, Any] = field(default_factory=dict)
    role: str | None = None


def read_layer(request: LoadRequest, working_crs: CRS | None, progress: Any = None, cancelled: Any = None):
    """Read ``request`` into ``(layer, LoadReport)`` in ``working_crs`` (None: chosen by the loader)."""
    from hotspot_desktop.core.io import loaders

    return loaders.load_file(request.path, working_crs=working_crs, progress=progress, cancelled=cancelled,
                             **request.options)


class LoadTask(QObject):
    """Reads one file on a Python thread; ``cancel()`` is honoured at the loader's checkpoints."""

    progress = Signal(float, str)
    finished = Signal(object, object, object)  # request, layer, report
    failed = Signal(object, object, str)  # request, exception, traceback text
    cancelled = Signal(object)  # request

    def __init__(self, request: LoadRequest, working_crs: CRS | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.request = request
        self.working_crs = working_crs
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self.run, name=f"load-{request.path.name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def cancel(self) -> None:
        self._cancel.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the worker ends (used on close); True when it has."""
        if self._thread.is_alive():
            self._thread.join(timeout)
        return not self._thread.is_alive()

    def run(self) -> None:
        try:
            layer, report = read_layer(self.request, self.working_crs,
                                       progress=lambda f, stage="": self.progress.emit(float(f), str(stage)),
                                       cancelled=self._cancel.is_set)
        except Cancelled:
            self.cancelled.emit(self.request)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a dialog with details
            self.failed.emit(self.request, exc, traceback.format_exc())
        else:
            self.finished.emit(self.request, layer, report)
