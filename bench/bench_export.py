"""Map export speed on the Riverton sample project (about 100 000 incidents, all drawn).

Run: .venv/bin/python bench/bench_export.py [--repeat 2] [--profile]

Times, best of ``--repeat`` after one warm-up page (fonts and imports loaded):

* A4 landscape PDF at 300 dpi (target < 5 s on a 2-core machine): vector streets, zones and
  labels, the dense incident layer rasterised inside the PDF;
* A4 landscape PNG at 300 dpi;
* the composer's live preview: the page at 60 dpi drawn into a QImage-ready RGBA buffer, with
  and without public-release hex aggregation.

* the GUI during a background export from the composer dialog (offscreen Qt): the longest gap
  between ticks of a 10 ms timer on the GUI thread while the worker writes the PDF.

``--profile`` prints the top of a cProfile of the PDF export (where to look when it is slow).
"""

from __future__ import annotations

import argparse
import cProfile
import math
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hotspot_desktop.core.io.project_io import open_project
from hotspot_desktop.export.compose import compose_map, export_map
from hotspot_desktop.export.public import PublicOptions
from hotspot_desktop.export.template import MapTemplate

SAMPLE = Path(__file__).resolve().parents[1] / "sample_projects" / "riverton" / "riverton.hsproj"
PDF_TARGET_S = 5.0
PREVIEW_DPI = 60  # as gui/export/preview_render.py


def timed(fn, repeat: int) -> float:
    best = math.inf
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def preview(project, public=None) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    c = compose_map(project, MapTemplate(page="A4", dpi=PREVIEW_DPI), public=public)
    canvas = FigureCanvasAgg(c.figure)
    canvas.draw()
    bytes(canvas.buffer_rgba())


def gui_stall(project, out: Path) -> tuple[float, float]:
    """(export seconds, longest GUI-thread gap in seconds) for a composer export of ``out``."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    from hotspot_desktop.gui.export.composer_dialog import ComposerDialog

    app = QApplication.instance() or QApplication([])  # noqa: F841 - the dialog needs one

    class Host(QWidget):  # the parts of the main window the dialog uses
        def __init__(self) -> None:
            super().__init__()
            self.project = project
            self.errors: list[str] = []

        def show_error(self, title: str, message: str, details: str = "") -> None:
            self.errors.append(f"{title}: {message}")

    host = Host()
    dlg = ComposerDialog(host)
    dlg.page_size.setCurrentText("A4")
    dlg.renderer.stop()  # time the export alone
    dlg.output.setText(str(out))
    clock, gap, last = QElapsedTimer(), [0.0], [0.0]
    tick = QTimer(interval=10)

    def on_tick() -> None:
        now = clock.elapsed() / 1000
        gap[0] = max(gap[0], now - last[0])
        last[0] = now

    tick.timeout.connect(on_tick)
    clock.start()
    tick.start()
    dlg.export()
    # QEventLoop.processEvents, not QApplication.processEvents: under PySide6 6.12 on Python 3.11
    # every call of a void Qt method drops a reference to None, and a tight loop of them aborts.
    loop = QEventLoop()
    while dlg.runner.busy:
        loop.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    seconds = clock.elapsed() / 1000
    tick.stop()
    if host.errors:
        raise RuntimeError("; ".join(host.errors))
    return seconds, gap[0]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--profile", action="store_true", help="cProfile the PDF export")
    args = ap.parse_args(argv)

    t = time.perf_counter()
    project, _reports, _warnings = open_project(SAMPLE, confirm_outside=lambda paths: True)
    opened = time.perf_counter() - t
    points = sum(len(p) for p in project.point_layers() if p.visible)
    a4 = MapTemplate(page="A4", landscape=True, dpi=300)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        export_map(project, out / "warm.png", MapTemplate(page="A4", dpi=96))  # fonts, imports
        rows = [
            ("A4 landscape PDF, 300 dpi", timed(lambda: export_map(project, out / "m.pdf", a4), args.repeat),
             out / "m.pdf"),
            ("A4 landscape PNG, 300 dpi", timed(lambda: export_map(project, out / "m.png", a4), args.repeat),
             out / "m.png"),
            (f"preview, {PREVIEW_DPI} dpi", timed(lambda: preview(project), args.repeat), None),
            (f"preview, {PREVIEW_DPI} dpi, public hex", timed(lambda: preview(project, PublicOptions("hex")), args.repeat),
             None),
        ]
        print(f"Riverton sample: {points:,} points drawn, opened in {opened:.1f} s\n")
        print(f"{'output':<36} {'seconds':>8} {'size':>10}")
        for name, secs, path in rows:
            size = f"{path.stat().st_size / 1e6:.1f} MB" if path is not None else ""
            print(f"{name:<36} {secs:8.2f} {size:>10}")
        pdf_s = rows[0][1]
        print(f"\nPDF target < {PDF_TARGET_S:g} s: {'met' if pdf_s < PDF_TARGET_S else 'MISSED'}")
        secs, stall = gui_stall(project, out / "gui.pdf")
        print(f"Composer export in the background: {secs:.2f} s; longest GUI-thread gap {stall * 1000:.0f} ms")
        if args.profile:
            prof = cProfile.Profile()
            prof.enable()
            export_map(project, out / "p.pdf", a4)
            prof.disable()
            pstats.Stats(prof).sort_stats("cumulative").print_stats(20)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
