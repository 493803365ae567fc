"""Map export speed on the Riverton sample project (about 100 000 incidents, all drawn).

Run: .venv/bin/python bench/bench_export.py [--repeat 2] [--profile]

Times, best of ``--repeat`` after one warm-up page (fonts and imports loaded):

* A4 landscape PDF at 300 dpi (target < 5 s on a 2-core machine): vector streets, zones and
  labels, the dense incident layer rasterised inside the PDF;
* A4 landscape PNG at 300 dpi;
* the composer's live preview: the page at 60 dpi drawn into a QImage-ready RGBA buffer, with
  and without public-release hex aggregation.

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

from hotspot_desktop.core.io.project_io import open_project  # noqa: E402
from hotspot_desktop.export.compose import compose_map, export_map  # noqa: E402
from hotspot_desktop.export.public import PublicOptions  # noqa: E402
from hotspot_desktop.export.template import MapTemplate  # noqa: E402

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
        if args.profile:
            prof = cProfile.Profile()
            prof.enable()
            export_map(project, out / "p.pdf", a4)
            prof.disable()
            pstats.Stats(prof).sort_stats("cumulative").print_stats(20)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
