"""Progress and cancellation plumbing shared by every long operation in core/.

Long functions take ``progress: ProgressFn | None`` (called with a fraction 0..1 and a stage
text) and ``cancelled: CancelFn | None`` (returns True when the user pressed Cancel). They call
:func:`checkpoint` between chunks; it reports progress and raises :class:`Cancelled`.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from hotspot_desktop.core.io.report import Cancelled

ProgressFn = Callable[[float, str], None]
CancelFn = Callable[[], bool]

__all__ = ["CancelFn", "Cancelled", "ProgressFn", "checkpoint", "wait_for"]

POLL_SECONDS = 0.05  # how often a caller waiting on a worker reports progress and checks for a cancel


def checkpoint(progress: ProgressFn | None, cancelled: CancelFn | None, fraction: float, stage: str = "") -> None:
    """Report ``fraction`` done and raise :class:`Cancelled` if the user asked to stop."""
    if cancelled is not None and cancelled():
        raise Cancelled(stage or "cancelled")
    if progress is not None:
        progress(max(0.0, min(1.0, float(fraction))), stage)


def wait_for(future: Future, progress: ProgressFn | None, cancelled: CancelFn | None,
             fraction: float | Callable[[], float], stage: str = "") -> Any:
    """The result of a worker's ``future``, with a :func:`checkpoint` every :data:`POLL_SECONDS`
    while it runs (``fraction`` may be a function, asked each time, for work that reports)."""
    while True:
        try:
            return future.result(timeout=POLL_SECONDS)
        except FutureTimeout:
            checkpoint(progress, cancelled, fraction() if callable(fraction) else fraction, stage)
