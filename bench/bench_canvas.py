"""Canvas pan/zoom frame times: MapCanvas vs a plain pyqtgraph ScatterPlotItem, same points.

One command, offscreen:  .venv/bin/python bench/bench_canvas.py [--sizes 100000 1000000 5000000]

For each N: clustered incidents over a 20 km city plus 5,000 polygons (ours only), a fixed
sequence of pans and zooms. Two times per frame for ours:

* "ui": what blocks the GUI thread: the view change, the canvas's refresh (level-of-detail
  decision, markers; density/heat/polygon images are handed to worker threads) and a
  synchronous repaint of the viewport with whatever is drawn so far;
* "settled": the same plus waiting for every worker image and repainting, i.e. until the
  exact picture for the new view is on screen.

The plain ScatterPlotItem draws every point with one symbol each frame (its "ui" and
"settled" are the same); it is skipped above --plain-max points (said so in the table)
because a frame then takes seconds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import geopandas as gpd
import numpy as np
import pyqtgraph as pg
import shapely
from PySide6.QtWidgets import QApplication

from hotspot_desktop.core.model import PointLayer, Project, VectorLayer
from hotspot_desktop.core.styles import LayerStyle, Symbol

CITY = 20_000.0
W, H = 1200, 800


def incidents(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = rng.uniform(2000, CITY - 2000, size=(300, 2))
    weights = rng.pareto(1.2, len(centres)) + 0.1
    k = rng.choice(len(centres), n, p=weights / weights.sum())
    spread = rng.uniform(80, 900, len(centres))[k]
    return centres[k, 0] + rng.normal(0, 1, n) * spread, centres[k, 1] + rng.normal(0, 1, n) * spread


def polygons(n: int = 5000, seed: int = 1) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(n)))
    cell = CITY / side
    cx, cy = np.meshgrid((np.arange(side) + 0.5) * cell, (np.arange(side) + 0.5) * cell)
    centres = shapely.points(cx.ravel()[:n] + rng.normal(0, cell / 8, n), cy.ravel()[:n] + rng.normal(0, cell / 8, n))
    geoms = shapely.buffer(centres, cell * 0.45, quad_segs=6)  # 25-vertex "blocks"
    return gpd.GeoDataFrame({"beat": np.arange(n) % 97}, geometry=geoms)


def view_sequence() -> list[tuple[float, float, float, float]]:
    """Zoom in on a hot area in steps, pan across the city, zoom back out."""
    views = []
    cx, cy = CITY * 0.45, CITY * 0.55
    for half in np.geomspace(CITY * 0.6, 300, 10):
        views.append((cx - half, cy - half, cx + half, cy + half))
    half = 1500.0
    for t in np.linspace(0, 1, 10):
        x = 3000 + t * (CITY - 6000)
        views.append((x - half, cy - half, x + half, cy + half))
    for half in np.geomspace(1500, CITY * 0.6, 8):
        views.append((cx - half, cy - half, cx + half, cy + half))
    return views


def time_frames(set_view, refresh, wait, viewport, views) -> tuple[list[float], list[float]]:
    """Per-frame GUI-thread time and time until settled, in milliseconds."""
    ui, settled = [], []
    set_view(views[0])
    refresh()
    wait()
    viewport.repaint()
    for v in views:
        t0 = time.perf_counter()
        set_view(v)
        refresh()
        viewport.repaint()
        t1 = time.perf_counter()
        wait()
        viewport.repaint()
        QApplication.processEvents()
        t2 = time.perf_counter()
        ui.append((t1 - t0) * 1000)
        settled.append((t2 - t0) * 1000)
    return ui, settled


def bench_ours(x, y, gdf, views) -> tuple[list[float], list[float], float]:
    from hotspot_desktop.gui.canvas import MapCanvas

    p = Project()
    if gdf is not None:
        p.layers.append(VectorLayer("blocks", gdf,
                                    style=LayerStyle(symbol=Symbol(fill="#dddddd80", outline="#999999ff"))))
    p.layers.append(PointLayer("incidents", x, y, style=LayerStyle(symbol=Symbol(fill="#d62728cc", outline="#7f0000ff"))))
    t0 = time.perf_counter()
    canvas = MapCanvas(p)
    canvas.resize(W, H)
    canvas.show()
    QApplication.processEvents()
    canvas.flush()
    setup = time.perf_counter() - t0
    ui, settled = time_frames(lambda v: canvas.zoom_to_extent(v, pad=0.0), canvas._refresh, canvas.flush,
                              canvas.graphics_view.viewport(), views)
    canvas.close()
    canvas.deleteLater()
    return ui, settled, setup


def bench_plain(x, y, views) -> tuple[list[float], float]:
    t0 = time.perf_counter()
    w = pg.PlotWidget(background="w")
    w.resize(W, H)
    w.setAspectLocked(True)
    s = pg.ScatterPlotItem(x=x, y=y, pxMode=True, size=5, symbol="o",
                           pen=pg.mkPen("#7f0000"), brush=pg.mkBrush("#d62728cc"))
    w.addItem(s)
    w.show()
    QApplication.processEvents()
    setup = time.perf_counter() - t0
    vb = w.getViewBox()
    _, settled = time_frames(lambda v: vb.setRange(xRange=(v[0], v[2]), yRange=(v[1], v[3]), padding=0),
                             lambda: None, lambda: None, w.viewport(), views)
    w.close()
    w.deleteLater()
    return settled, setup


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000, 5_000_000])
    ap.add_argument("--plain-max", type=int, default=1_000_000,
                    help="largest N drawn with the plain ScatterPlotItem (it needs seconds per frame above)")
    args = ap.parse_args()
    app = QApplication.instance() or QApplication(sys.argv)
    views = view_sequence()
    gdf = polygons()
    print(f"{len(views)} frames of {W}x{H} px; medians (p90) in ms. 'points+polygons' adds 5,000 polygons "
          f"under the points;\nratio = plain median / ours points-only settled median (same points, same frames)\n")
    print(f"{'N':>10} | {'points+polygons':^29} | {'points only':^29} | {'plain Scatter':^21} | ratio")
    print(f"{'':>10} | {'ui':>10} {'settled':>11} {'setup':>6} | {'ui':>10} {'settled':>11} {'setup':>6} "
          f"| {'settled':>13} {'setup':>6} |")
    print("-" * 110)
    for n in args.sizes:
        x, y = incidents(n)
        row = f"{n:>10,} |"
        for layers in (gdf, None):
            ui, settled, setup = bench_ours(x, y, layers, views)
            row += f" {_fmt(ui):>10} {_fmt(settled):>11} {setup:>5.1f}s |"
        if n <= args.plain_max:
            plain, plain_setup = bench_plain(x, y, views)
            ratio = statistics.median(plain) / statistics.median(settled)
            print(f"{row} {_fmt(plain):>13} {plain_setup:>5.1f}s | {ratio:>5.1f}x")
        else:
            print(f"{row} {'skipped: N > --plain-max':>21} |")
        app.processEvents()


def _fmt(times: list[float]) -> str:
    return f"{statistics.median(times):.0f} ({np.percentile(times, 90):.0f})"


if __name__ == "__main__":
    main()
