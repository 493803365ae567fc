"""Loading a data file off the GUI thread, with progress and cancellation.

The worker only reads the file into a new layer (no project mutation: psygnal handlers of the
project update Qt models and must run on the GUI thread); the main window adds the layer when
``finished`` arrives. Pattern after superqt's ``_qthreading.py``: a QRunnable paired with a
signals QObject.
"""

from __future__ import annotations

import threading
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Signal
from pyproj import CRS

from hotspot_desktop.core.io.report import Cancelled


@dataclass
class LoadRequest:
    """One file to load, with loader options (``crs=``, ``layer=``, ``schema=`` for CSV)."""

    path: Path
    options: dict[str, Any] = field(default_factory=dict)


def read_layer(request: LoadRequest, working_crs: CRS | None, progress: Any = None, cancelled: Any = None):
    """Read ``request`` into ``(layer, LoadReport)`` in ``working_crs`` (None: chosen by the loader)."""
    from hotspot_desktop.core.io import loaders

    return loaders.load_file(request.path, working_crs=working_crs, progress=progress, cancelled=cancelled,
                             **request.options)


class LoadSignals(QObject):
    progress = Signal(float, str)
    finished = Signal(object, object, object)  # request, layer, report
    failed = Signal(object, object, str)  # request, exception, traceback text
    cancelled = Signal(object)  # request


class LoadTask(QRunnable):
    """Reads one file on a pool thread; ``cancel()`` is honoured at the loader's checkpoints."""

    def __init__(self, request: LoadRequest, working_crs: CRS | None) -> None:
        super().__init__()
        self.setAutoDelete(False)  # the window keeps it until its signal has been handled
        self.request = request
        self.working_crs = working_crs
        self.signals = LoadSignals()
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def run(self) -> None:
        try:
            layer, report = read_layer(self.request, self.working_crs,
                                       progress=lambda f, stage="": self.signals.progress.emit(float(f), str(stage)),
                                       cancelled=self._cancel.is_set)
        except Cancelled:
            self.signals.cancelled.emit(self.request)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a dialog with details
            self.signals.failed.emit(self.request, exc, traceback.format_exc())
        else:
            self.signals.finished.emit(self.request, layer, report)
