"""Background task runner: tools compute on worker threads, never on the GUI thread.

A :class:`Task` wraps a :class:`~hotspot_desktop.tools.execute.PreparedRun` whose inputs were
frozen on the GUI thread. A worker computes it on a Python ``threading.Thread`` and reports
through a signals QObject (superqt's worker pattern); Qt queues those signals back to the GUI
thread. Python threads rather than QThreadPool threads: pyproj >= 3.7 keeps its PROJ context in
thread-local storage that crashes in threads Python did not create (pyproj issue #1509), and
tools reproject. Cancel flips a
``threading.Event`` that the tool's ``ctx.cancelled()`` reads at every core checkpoint, so a
long run stops within a chunk. Tasks beyond ``max_concurrent`` wait in a queue. A task that is
cancelled or fails emits no result, so nothing half-made reaches the project.
"""

from __future__ import annotations

import itertools
import threading
import time
import traceback
from dataclasses import dataclass, field
from typing import Literal

from PySide6.QtCore import QCoreApplication, QObject, Signal

from hotspot_desktop.core.io.report import Cancelled
from hotspot_desktop.tools.base import RunContext, ToolResult
from hotspot_desktop.tools.execute import PreparedRun, compute

TaskState = Literal["queued", "running", "cancelling", "done", "failed", "cancelled"]
PROGRESS_INTERVAL_S = 0.05  # at most 20 progress signals a second per task: keeps the event loop free
_ids = itertools.count(1)


@dataclass(eq=False)
class Task:
    """One queued or running tool run, as the task panel shows it."""

    prepared: PreparedRun
    crs: object = None
    display_units: str = "m"
    id: int = field(default_factory=lambda: next(_ids))
    state: TaskState = "queued"
    fraction: float = 0.0
    stage: str = "queued"
    started: float | None = None
    ended: float | None = None
    error: str = ""
    cancel_event: threading.Event = field(default_factory=threading.Event)

    @property
    def label(self) -> str:
        return self.prepared.label

    @property
    def active(self) -> bool:
        return self.state in ("queued", "running", "cancelling")

    def elapsed(self) -> float:
        if self.started is None:
            return 0.0
        return (self.ended or time.monotonic()) - self.started

    def remaining(self) -> float | None:
        """Seconds left by linear extrapolation (None until 2% done)."""
        if self.state != "running" or self.fraction < 0.02:
            return None
        return self.elapsed() * (1.0 - self.fraction) / self.fraction


class _Signals(QObject):
    progress = Signal(int, float, str)
    done = Signal(int, object)
    failed = Signal(int, str, str)
    cancelled = Signal(int)


class _Worker:
    """Computes one task off the GUI thread and reports through ``_Signals``."""

    def __init__(self, task: Task, signals: _Signals) -> None:
        self.task = task
        self.signals = signals
        self._last_emit = 0.0
        self._last_stage = ""

    def _progress(self, fraction: float, stage: str) -> None:
        now = time.monotonic()
        if stage != self._last_stage or now - self._last_emit >= PROGRESS_INTERVAL_S or fraction >= 1.0:
            self._last_emit, self._last_stage = now, stage
            self.signals.progress.emit(self.task.id, fraction, stage)

    def run(self) -> None:
        t = self.task
        ctx = RunContext(crs=t.crs, progress_fn=self._progress, cancelled_fn=t.cancel_event.is_set,
                         seed=t.prepared.seed, display_units=t.display_units)
        try:
            result = compute(t.prepared, ctx)
        except Cancelled:
            self.signals.cancelled.emit(t.id)
            return
        except BaseException as exc:  # any failure must reach the GUI as a dialog, not kill the thread
            if t.cancel_event.is_set():
                self.signals.cancelled.emit(t.id)
            else:
                self.signals.failed.emit(t.id, f"{type(exc).__name__}: {exc}", traceback.format_exc())
            return
        if t.cancel_event.is_set():
            self.signals.cancelled.emit(t.id)  # finished after Cancel was pressed: drop the result
        else:
            self.signals.done.emit(t.id, result)


class TaskRunner(QObject):
    """Queue + worker threads for tool runs. Connect to ``finished``/``failed`` to use results."""

    added = Signal(object)  # Task
    changed = Signal(object)  # Task (state or progress)
    finished = Signal(object, object)  # Task, ToolResult
    failed = Signal(object, str, str)  # Task, message, details
    cancelled = Signal(object)  # Task

    def __init__(self, parent: QObject | None = None, max_concurrent: int = 1) -> None:
        super().__init__(parent)
        self.max_concurrent = max(1, int(max_concurrent))
        self._threads: dict[int, threading.Thread] = {}
        self.tasks: dict[int, Task] = {}
        self._queue: list[Task] = []
        self._signals = _Signals(self)
        self._signals.progress.connect(self._on_progress)
        self._signals.done.connect(self._on_done)
        self._signals.failed.connect(self._on_failed)
        self._signals.cancelled.connect(self._on_cancelled)

    # --- public API ------------------------------------------------------------------------
    def submit(self, prepared: PreparedRun, *, crs: object = None, display_units: str = "m") -> Task:
        """Queue a prepared run; it starts as soon as a slot is free."""
        task = Task(prepared, crs=crs, display_units=display_units)
        self.tasks[task.id] = task
        self._queue.append(task)
        self.added.emit(task)
        self._start_next()
        return task

    def cancel(self, task_id: int) -> None:
        """Ask a task to stop; a queued task is dropped at once."""
        task = self.tasks.get(task_id)
        if task is None or not task.active:
            return
        task.cancel_event.set()
        if task.state == "queued":
            self._queue.remove(task)
            self._end(task, "cancelled", "cancelled")
            self.cancelled.emit(task)
            self._release(task)
        else:
            task.state, task.stage = "cancelling", "cancelling…"
            self.changed.emit(task)

    def cancel_all(self) -> None:
        for task in list(self.tasks.values()):
            self.cancel(task.id)

    def has_running(self) -> bool:
        """True while any task is queued, running or stopping."""
        return any(t.active for t in self.tasks.values())

    def running(self) -> list[Task]:
        return [t for t in self.tasks.values() if t.state in ("running", "cancelling")]

    def wait_for_done(self, timeout: float = 5.0) -> bool:
        """Process events until every task has ended (True) or ``timeout`` seconds pass (False)."""
        deadline = time.monotonic() + timeout
        while self.has_running() and time.monotonic() < deadline:
            for thread in list(self._threads.values()):
                thread.join(0.01)
            QCoreApplication.processEvents()
        return not self.has_running()

    # --- internals -------------------------------------------------------------------------
    def _start_next(self) -> None:
        while self._queue and len(self.running()) < self.max_concurrent:
            task = self._queue.pop(0)
            task.state, task.stage, task.started = "running", "starting", time.monotonic()
            self.changed.emit(task)
            worker = _Worker(task, self._signals)
            thread = threading.Thread(target=worker.run, name=f"task-{task.id}", daemon=True)
            self._threads[task.id] = thread
            thread.start()

    def _end(self, task: Task, state: TaskState, stage: str) -> None:
        task.state, task.stage, task.ended = state, stage, time.monotonic()
        self.changed.emit(task)

    def _release(self, task: Task) -> None:
        self._threads.pop(task.id, None)
        # An ended task must not pin its input snapshot (a copy of a million incidents) for as
        # long as the task panel lists it; handlers have had the result by now.
        task.prepared.inputs = {}

    def _on_progress(self, task_id: int, fraction: float, stage: str) -> None:
        task = self.tasks.get(task_id)
        if task is None or task.state != "running":
            return
        task.fraction, task.stage = fraction, stage or task.stage
        self.changed.emit(task)

    def _on_done(self, task_id: int, result: ToolResult) -> None:
        task = self.tasks[task_id]
        if task.cancel_event.is_set():
            self._on_cancelled(task_id)
            return
        task.fraction = 1.0
        self._end(task, "done", "done")
        self._start_next()
        self.finished.emit(task, result)
        self._release(task)

    def _on_failed(self, task_id: int, message: str, details: str) -> None:
        task = self.tasks[task_id]
        task.error = message
        self._end(task, "failed", "failed")
        self._start_next()
        self.failed.emit(task, message, details)
        self._release(task)

    def _on_cancelled(self, task_id: int) -> None:
        task = self.tasks[task_id]
        if task.state in ("cancelled",):
            return
        self._end(task, "cancelled", "cancelled")
        self._start_next()
        self.cancelled.emit(task)
        self._release(task)
