"""Canvas pan/zoom frame times: MapCanvas vs a plain pyqtgraph ScatterPlotItem, same points.

One command, offscreen:  .venv/bin/python bench/bench_canvas.py [--sizes 100000 1000000 5000000]

For each N: clustered incidents over a 20 km city plus 5,000 polygons (ours only), a fixed
sequence of pans and zooms; a frame is the view change, the canvas's redraw for the new view
(level of detail, culling) and a synchronous repaint of the viewport. The plain ScatterPlotItem
draws every point with one symbol each frame; it is skipped above --plain-max points (say so
in the table) because a single frame then takes many seconds.
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

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import pyqtgraph as pg  # noqa: E402
import shapely  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from hotspot_desktop.core.model import PointLayer, Project, VectorLayer  # noqa: E402
from hotspot_desktop.core.styles import LayerStyle, Symbol  # noqa: E402

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


def time_frames(set_view, redraw, viewport, views) -> list[float]:
    times = []
    set_view(views[0])
    redraw()
    viewport.repaint()
    for v in views:
        t0 = time.perf_counter()
        set_view(v)
        redraw()
        viewport.repaint()
        QApplication.processEvents()
        times.append((time.perf_counter() - t0) * 1000)
    return times


def bench_ours(x, y, gdf, views) -> tuple[list[float], float]:
    from hotspot_desktop.gui.canvas import MapCanvas

    p = Project()
    p.layers.append(VectorLayer("blocks", gdf, style=LayerStyle(symbol=Symbol(fill="#dddddd80", outline="#999999ff"))))
    p.layers.append(PointLayer("incidents", x, y, style=LayerStyle(symbol=Symbol(fill="#d62728cc", outline="#7f0000ff"))))
    t0 = time.perf_counter()
    canvas = MapCanvas(p)
    canvas.resize(W, H)
    canvas.show()
    QApplication.processEvents()
    canvas.flush()
    setup = time.perf_counter() - t0
    times = time_frames(lambda v: canvas.zoom_to_extent(v, pad=0.0), canvas.flush,
                        canvas.graphics_view.viewport(), views)
    canvas.close()
    canvas.deleteLater()
    return times, setup


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
    times = time_frames(lambda v: vb.setRange(xRange=(v[0], v[2]), yRange=(v[1], v[3]), padding=0),
                        lambda: None, w.viewport(), views)
    w.close()
    w.deleteLater()
    return times, setup


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000, 5_000_000])
    ap.add_argument("--plain-max", type=int, default=1_000_000,
                    help="largest N drawn with the plain ScatterPlotItem (it needs seconds per frame above)")
    args = ap.parse_args()
    app = QApplication.instance() or QApplication(sys.argv)
    views = view_sequence()
    gdf = polygons()
    print(f"{len(views)} frames of {W}x{H} px, 5,000 polygons under the points (ours only)\n")
    print(f"{'N':>10} | {'ours median':>11} {'p90':>7} {'setup':>7} | {'plain median':>12} {'p90':>8} {'setup':>7} | ratio")
    print("-" * 86)
    for n in args.sizes:
        x, y = incidents(n)
        ours, ours_setup = bench_ours(x, y, gdf, views)
        om, o90 = statistics.median(ours), float(np.percentile(ours, 90))
        if n <= args.plain_max:
            plain, plain_setup = bench_plain(x, y, views)
            pm, p90 = statistics.median(plain), float(np.percentile(plain, 90))
            print(f"{n:>10,} | {om:>9.1f}ms {o90:>5.0f}ms {ours_setup:>6.2f}s | {pm:>10.1f}ms {p90:>6.0f}ms "
                  f"{plain_setup:>6.2f}s | {pm / om:>5.1f}x")
        else:
            print(f"{n:>10,} | {om:>9.1f}ms {o90:>5.0f}ms {ours_setup:>6.2f}s | "
                  f"{'skipped (N > --plain-max)':>30} |")
        app.processEvents()


if __name__ == "__main__":
    main()
