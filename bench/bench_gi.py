"""Gi* on big grids: Hotspot Desktop's stencil Gi* vs esda's G_Local with libpysal Graph weights.

Run: .venv/bin/python bench/bench_gi.py [--sizes 250 500 1000] [--kind queen] [--polygons 10000]

Both sides include building the weights. esda's fastest route for a regular lattice is the
vectorised ``libpysal.weights.lat2SW`` sparse matrix wrapped in ``libpysal.graph.Graph.from_sparse``
(``Graph.build_contiguity`` on a GeoDataFrame of a million cell polygons is far slower still);
``G_Local(y, g, star=True, transform="B", permutations=0)`` then adds the self weights and
computes the analytic z. The z-scores of both are compared (max |Δz|). Ours is timed best of 3,
esda once (it takes tens of seconds at 1000×1000).

A second table does the same on irregular polygons (a Voronoi tessellation standing in for
beats/blocks): our STRtree contiguity + sparse Gi* vs ``Graph.build_contiguity`` + ``G_Local``.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hotspot_desktop.core.analysis.getis_ord import gi_star, gi_star_grid  # noqa: E402
from hotspot_desktop.core.analysis.weights import grid_contiguity, polygon_contiguity  # noqa: E402


def ours(counts: np.ndarray, kind: str) -> tuple[float, np.ndarray]:
    best, z = np.inf, None
    for _ in range(3):
        t = time.perf_counter()
        res = gi_star_grid(counts, grid_contiguity(kind))
        best = min(best, time.perf_counter() - t)
        z = res.z
    return best, z


def esda_graph(counts: np.ndarray, kind: str) -> tuple[float, float, np.ndarray]:
    from esda.getisord import G_Local
    from libpysal.graph import Graph
    from libpysal.weights import lat2SW

    rows, cols = counts.shape
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        g = Graph.from_sparse(lat2SW(rows, cols, criterion=kind))
        t1 = time.perf_counter()
        res = G_Local(counts.ravel(), g, star=True, transform="B", permutations=0)
        t2 = time.perf_counter()
    return t1 - t0, t2 - t1, np.asarray(res.Zs)


def voronoi_beats(n: int):
    import geopandas as gpd
    import shapely
    from shapely.geometry import MultiPoint, box

    rng = np.random.default_rng(n)
    side = 10_000.0
    frame = box(0, 0, side, side)
    cells = shapely.voronoi_polygons(MultiPoint(rng.uniform(0, side, (n, 2)).tolist()), extend_to=frame)
    gdf = gpd.GeoDataFrame(geometry=shapely.intersection(np.asarray(cells.geoms), frame), crs="EPSG:32630")
    return gdf, rng.poisson(3.0, n).astype(np.float64)


def polygons(n: int, kind: str) -> None:
    from esda.getisord import G_Local
    from libpysal.graph import Graph

    gdf, y = voronoi_beats(n)
    best = np.inf
    for _ in range(3):
        t = time.perf_counter()
        z = gi_star(y, polygon_contiguity(gdf, kind)).z
        best = min(best, time.perf_counter() - t)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        g = Graph.build_contiguity(gdf, rook=(kind == "rook"))
        t1 = time.perf_counter()
        zs = np.asarray(G_Local(y, g, star=True, transform="B", permutations=0).Zs)
        t2 = time.perf_counter()
    total = t2 - t0
    print(f"{n:>11} {best:>9.3f} {t1 - t0:>9.2f} {t2 - t1:>10.2f} {total:>11.2f} {total / best:>7.1f}x "
          f"{float(np.max(np.abs(z - zs))):>9.1e}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[250, 500, 1000])
    ap.add_argument("--kind", choices=["rook", "queen"], default="queen")
    ap.add_argument("--polygons", type=int, nargs="*", default=[10_000], help="Voronoi beat counts")
    args = ap.parse_args()
    print(f"Gi* ({args.kind} contiguity + self, analytic z), weights construction included")
    head = f"{'grid':>11} {'ours s':>9} {'esda W s':>9} {'esda Gi s':>10} {'esda tot s':>11} {'ratio':>8} {'max|dz|':>9}"
    print(head)
    print("-" * len(head))
    for n in args.sizes:
        counts = np.random.default_rng(n).poisson(2.0, size=(n, n)).astype(np.float64)
        t_ours, z = ours(counts, args.kind)
        t_w, t_g, zs = esda_graph(counts, args.kind)
        total = t_w + t_g
        dz = float(np.max(np.abs(z.ravel() - zs)))
        print(f"{n:>5}x{n:<5} {t_ours:>9.3f} {t_w:>9.2f} {t_g:>10.2f} {total:>11.2f} {total / t_ours:>7.0f}x "
              f"{dz:>9.1e}")
    if args.polygons:
        print()
        print(f"Gi* on Voronoi polygons ({args.kind} contiguity + self), weights construction included")
        print(head.replace("       grid", "   polygons"))
        print("-" * len(head))
        for n in args.polygons:
            polygons(n, args.kind)


if __name__ == "__main__":
    main()
