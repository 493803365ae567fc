"""Progress and cancellation plumbing shared by every long operation in core/.

Long functions take ``progress: ProgressFn | None`` (called with a fraction 0..1 and a stage
text) and ``cancelled: CancelFn | None`` (returns True when the user pressed Cancel). They call
:func:`checkpoint` between chunks; it reports progress and raises :class:`Cancelled`.
"""

from __future__ import annotations

from typing import Callable

from hotspot_desktop.core.io.report import Cancelled

ProgressFn = Callable[[float, str], None]
CancelFn = Callable[[], bool]

__all__ = ["ProgressFn", "CancelFn", "Cancelled", "checkpoint"]


def checkpoint(progress: ProgressFn | None, cancelled: CancelFn | None, fraction: float, stage: str = "") -> None:
    """Report ``fraction`` done and raise :class:`Cancelled` if the user asked to stop."""
    if cancelled is not None and cancelled():
        raise Cancelled(stage or "cancelled")
    if progress is not None:
        progress(max(0.0, min(1.0, float(fraction))), stage)
