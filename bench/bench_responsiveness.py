"""GUI responsiveness while a 1M-point kernel density runs: task runner vs the GUI thread.

A QTimer fires every 10 ms on the GUI thread and records how late each tick is (p50 / p95 /
max). The same KDE (1,000,000 incidents, quartic, fixed 300 m bandwidth, 50 m cells) runs once
through :class:`hotspot_desktop.gui.tasks.TaskRunner` (worker thread) and once directly on the
GUI thread, the way a naive tool dialog would; then a third run is cancelled after 1 s and the
time until it stops is printed. Run:

    .venv/bin/python bench/bench_responsiveness.py [--points N]
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from hotspot_desktop.core.model import PointLayer  # noqa: E402
from hotspot_desktop.gui.tasks import TaskRunner  # noqa: E402
from hotspot_desktop.tools.base import RunContext  # noqa: E402
from hotspot_desktop.tools.execute import compute, prepare  # noqa: E402
from hotspot_desktop.tools.registry import load_registry  # noqa: E402

TICK_MS = 10
VALUES = {"bandwidth_rule": "fixed", "bandwidth": 300.0, "cell_size": 50.0, "mode": "auto"}


class LatencyProbe:
    """Records how late each 10 ms tick of a GUI-thread timer arrives."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.late: list[float] = []
        self._last = 0.0

    def start(self) -> None:
        self.late.clear()
        self._last = time.perf_counter()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        self._tick()  # the gap up to now counts too (a blocked GUI thread never ticks)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.late.append(max(0.0, (now - self._last) * 1000 - TICK_MS))
        self._last = now

    def summary(self) -> tuple[float, float, float, int]:
        a = np.array(self.late or [0.0])
        return float(np.percentile(a, 50)), float(np.percentile(a, 95)), float(a.max()), len(self.late)


def wait_for(runner: TaskRunner, task: object) -> None:
    """Run a real event loop (as app.exec() would) until ``task`` ends."""
    loop = QEventLoop()
    for sig in (runner.finished, runner.failed, runner.cancelled):
        sig.connect(lambda *args: loop.quit() if args and args[0] is task else None)
    if getattr(task, "active", False):
        loop.exec()


def incidents(n: int) -> PointLayer:
    rng = np.random.default_rng(0)
    centres = rng.uniform(0, 20_000, (40, 2))
    pick = rng.integers(0, 40, n)
    xy = centres[pick] + rng.normal(0, 600, (n, 2))
    return PointLayer("Incidents", xy[:, 0], xy[:, 1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=1_000_000)
    args = ap.parse_args()
    app = QApplication.instance() or QApplication([])
    tool = load_registry(safe_mode=True).get("hotspot.kde")
    tool.load_run()  # import the implementation now so neither timed run pays for it
    import hotspot_desktop.core.analysis.kde  # noqa: F401
    layer = incidents(args.points)
    layer.content_hash()  # cached per data version in the app too
    values = dict(VALUES, points=layer)
    probe = LatencyProbe()
    rows = []

    # Worker thread: the GUI thread only snapshots, then keeps processing events.
    runner = TaskRunner(max_concurrent=1)
    probe.start()
    t0 = time.perf_counter()
    prepared = prepare(tool, values)
    task = runner.submit(prepared)
    wait_for(runner, task)
    probe.stop()
    rows.append(("task runner (worker thread)", time.perf_counter() - t0, *probe.summary(), task.state))

    # GUI thread: the event loop is blocked for the whole computation.
    probe.start()
    t0 = time.perf_counter()
    result = compute(prepare(tool, values), RunContext())
    app.processEvents()
    probe.stop()
    rows.append(("GUI thread (blocking)", time.perf_counter() - t0, *probe.summary(), "done" if result.layers else "?"))

    # Cancel latency: press Cancel 1 s into a run and time until the task reports cancelled.
    task = runner.submit(prepare(tool, values))
    pressed: list[float] = []

    def press_cancel() -> None:
        pressed.append(time.perf_counter())
        runner.cancel(task.id)

    QTimer.singleShot(1000, press_cancel)
    wait_for(runner, task)
    cancel_ms = (time.perf_counter() - pressed[0]) * 1000 if pressed else float("nan")

    print(f"Kernel density of {args.points:,} incidents, 50 m cells, 300 m bandwidth; "
          f"GUI timer every {TICK_MS} ms, lateness in ms")
    print(f"{'where it ran':<30}{'wall s':>8}{'p50':>9}{'p95':>9}{'max':>10}{'ticks':>7}  state")
    for name, wall, p50, p95, mx, n, state in rows:
        print(f"{name:<30}{wall:>8.2f}{p50:>9.1f}{p95:>9.1f}{mx:>10.1f}{n:>7}  {state}")
    ratio = rows[1][4] / max(rows[0][4], 0.1)
    print(f"max GUI stall: {ratio:,.0f}x shorter with the task runner")
    print(f"Cancel pressed 1 s into the run: task stopped after {cancel_ms:.0f} ms ({task.state})")


if __name__ == "__main__":
    main()
