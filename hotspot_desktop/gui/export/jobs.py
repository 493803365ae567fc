"""Background export jobs: one function at a time on a worker thread, with cancel.

Each job runs on a new Python thread rather than a reused QThreadPool thread: pyproj keeps
per-thread PROJ contexts, and a pool thread that Python sees as a fresh thread state on every
run crashed inside PROJ on its second reprojection.

Matplotlib cannot be interrupted half-way through writing a file, so Cancel stops a job that
has not started and, for a job already writing, deletes its output files when it ends and
reports it as cancelled: nothing half-made is left behind.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Literal

from PySide6.QtCore import QObject, Signal

from hotspot_desktop.core.privacy import PublicReleaseRefused

JobState = Literal["idle", "running", "cancelling"]


class _Signals(QObject):
    done = Signal(int, object)
    failed = Signal(int, str, str, bool)  # job id, message, traceback, refused in public mode
    cancelled = Signal(int)


class _Job:
    """Runs ``fn`` and reports through ``signals`` (queued to the GUI thread)."""

    def __init__(self, job_id: int, fn: Callable[[], Any], outputs: list[Path], cancel: threading.Event,
                 signals: _Signals) -> None:
        self.job_id, self.fn, self.outputs, self.cancel, self.signals = job_id, fn, outputs, cancel, signals

    def _discard(self) -> None:
        for p in self.outputs:
            p.unlink(missing_ok=True)

    def run(self) -> None:
        try:
            self._run()
        except RuntimeError:
            self._discard()  # the dialog was deleted while this job ran: nobody to tell

    def _run(self) -> None:
        if self.cancel.is_set():
            self.signals.cancelled.emit(self.job_id)
            return
        try:
            result = self.fn()
        except PublicReleaseRefused as exc:
            self.signals.failed.emit(self.job_id, str(exc), "", True)
            return
        except BaseException as exc:  # noqa: BLE001 - every failure must reach the GUI as a dialog
            self._discard()
            if self.cancel.is_set():
                self.signals.cancelled.emit(self.job_id)
            else:
                self.signals.failed.emit(self.job_id, f"{type(exc).__name__}: {exc}", traceback.format_exc(), False)
            return
        if self.cancel.is_set():
            self._discard()
            self.signals.cancelled.emit(self.job_id)
        else:
            self.signals.done.emit(self.job_id, result)


class ExportRunner(QObject):
    """Runs export functions one at a time off the GUI thread.

    ``finished(result)``, ``failed(message, details, refused)`` and ``cancelled()`` arrive on
    the GUI thread; ``state`` is "idle", "running" or "cancelling".
    """

    started = Signal(str)  # label
    finished = Signal(object)
    failed = Signal(str, str, bool)
    cancelled = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.thread: threading.Thread | None = None
        self.state: JobState = "idle"
        self.label = ""
        self._id = 0
        self._cancel = threading.Event()
        self._outputs: list[Path] = []
        self._signals = _Signals(self)
        self._signals.done.connect(self._on_done)
        self._signals.failed.connect(self._on_failed)
        self._signals.cancelled.connect(self._on_cancelled)

    @property
    def busy(self) -> bool:
        return self.state != "idle"

    def start(self, label: str, fn: Callable[[], Any], outputs: Iterable[str | Path] = ()) -> bool:
        """Run ``fn`` in the background; False (nothing started) while another job runs.
        ``outputs`` are the files the job writes, deleted if it is cancelled or fails."""
        if self.busy:
            return False
        self._id += 1
        self._cancel = threading.Event()
        self._outputs = [Path(p) for p in outputs]
        self.state, self.label = "running", label
        self.started.emit(label)
        job = _Job(self._id, fn, self._outputs, self._cancel, self._signals)
        self.thread = threading.Thread(target=job.run, name="hotspot-export", daemon=True)
        self.thread.start()
        return True

    def cancel(self) -> None:
        """Ask the running job to stop (its output is discarded)."""
        if self.state == "running":
            self._cancel.set()
            self.state = "cancelling"

    def wait(self, msecs: int = 30000) -> bool:
        """Block until the worker thread is free (used when a dialog closes)."""
        if self.thread is not None:
            self.thread.join(msecs / 1000)
            return not self.thread.is_alive()
        return True

    def _on_done(self, job_id: int, result: object) -> None:
        if job_id != self._id:
            return
        if self._cancel.is_set():
            # Cancel was pressed after the worker's last check: the result is still dropped.
            for p in self._outputs:
                p.unlink(missing_ok=True)
            self._on_cancelled(job_id)
            return
        self.state = "idle"
        self.finished.emit(result)

    def _on_failed(self, job_id: int, message: str, details: str, refused: bool) -> None:
        if job_id == self._id:
            self.state = "idle"
            self.failed.emit(message, details, refused)

    def _on_cancelled(self, job_id: int) -> None:
        if job_id == self._id:
            self.state = "idle"
            self.cancelled.emit()
