"""Kernel density on 1M clustered incidents: Hotspot Desktop (exact, fast) vs scikit-learn, KDEpy, QGIS.

Run: .venv/bin/python bench/bench_kde.py [--n 1000000] [--radius 300] [--cell 50]

Every method evaluates on the same grid (ours: the incidents' extent grown by the radius, cell
centres) with the same support radius r:

* ours exact / fast: quartic kernel, density in incidents per km² (:func:`core.analysis.kde.kde`).
* KDEpy ``FFTKDE(kernel="biweight", norm=2)`` (the quartic; KDEpy's bw is the kernel's sd, its
  2-D support is √7·bw, so bw = r/√7) evaluated at our cell centres, scaled to incidents per km².
* scikit-learn ``KernelDensity(kernel="epanechnikov", bandwidth=r)`` (no quartic; exact tree
  sums, rtol=0). It is timed on a random sample of cells and extrapolated to the full grid, since
  the full grid takes many minutes; compared against our exact Epanechnikov on those cells.
* QGIS heatmap through ``qgis_process`` / PyQGIS if installed (skipped otherwise).

Accuracy is max |difference| over the peak of our exact surface with the same kernel. Peak
memory is the largest block of Python/numpy allocations during our run (tracemalloc), inputs
excluded.
"""

from __future__ import annotations

import argparse
import math
import shutil
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hotspot_desktop.core.analysis.kde import kde  # noqa: E402

SKLEARN_SAMPLE_CELLS = 2000


def clustered_points(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Incidents around 60 street-corner-like centres with mixed spreads, plus 10% background."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(2_000, 18_000, (60, 2))
    spread = rng.uniform(80, 600, 60)
    n_bg = n // 10
    k = rng.integers(0, 60, n - n_bg)
    x = np.concatenate([centres[k, 0] + rng.normal(0, 1, k.size) * spread[k], rng.uniform(0, 20_000, n_bg)])
    y = np.concatenate([centres[k, 1] + rng.normal(0, 1, k.size) * spread[k], rng.uniform(0, 20_000, n_bg)])
    return x, y


def timed(fn, repeat: int = 1):
    best, out = math.inf, None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def peak_memory(fn) -> float:
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2 ** 20


def run_kdepy(x, y, res, radius):
    try:
        from KDEpy import FFTKDE
    except ImportError:
        return None, "skipped: KDEpy not installed (.venv/bin/pip install KDEpy)"
    xc, yc = res.grid.centres()
    gx, gy = np.meshgrid(xc, yc, indexing="ij")  # KDEpy wants x-major sorted grid points
    pts = np.column_stack([gx.ravel(), gy.ravel()])
    data = np.column_stack([x, y])

    def go():
        return FFTKDE(kernel="biweight", bw=radius / math.sqrt(7.0), norm=2).fit(data).evaluate(pts)

    t, dens = timed(go)
    ours = dens.reshape(xc.size, yc.size).T * x.size * 1e6
    return t, ours


def run_sklearn(x, y, res_epa, radius, rng):
    try:
        from sklearn.neighbors import KernelDensity
    except ImportError:
        return None, "skipped: scikit-learn not installed"
    rows, cols = np.nonzero(res_epa.values > 0)
    pick = rng.choice(rows.size, size=min(SKLEARN_SAMPLE_CELLS, rows.size), replace=False)
    xc, yc = res_epa.grid.centres()
    q = np.column_stack([xc[cols[pick]], yc[rows[pick]]])
    data = np.column_stack([x, y])
    t_fit, kd = timed(lambda: KernelDensity(kernel="epanechnikov", bandwidth=radius).fit(data))
    t_q, logd = timed(lambda: kd.score_samples(q))
    dens = np.exp(logd) * x.size * 1e6
    err = float(np.abs(dens - res_epa.values[rows[pick], cols[pick]]).max() / res_epa.peak)
    full = t_fit + t_q * res_epa.values.size / q.shape[0]
    return full, err


def qgis_status() -> str:
    if shutil.which("qgis_process"):
        return "qgis_process found, but this bench does not drive it headless; run QGIS heatmap by hand"
    try:
        import qgis.core  # noqa: F401
    except ImportError:
        return "skipped: QGIS (qgis_process / PyQGIS) not installed"
    return "PyQGIS importable, but the heatmap needs a QGIS application instance; not run"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--radius", type=float, default=300.0)
    ap.add_argument("--cell", type=float, default=50.0)
    args = ap.parse_args()
    x, y = clustered_points(args.n)
    r, cell = args.radius, args.cell
    print(f"{args.n:,} clustered incidents, radius {r:g} m, {cell:g} m cells")

    t_exact, exact = timed(lambda: kde(x, y, bandwidth=r, cell_size=cell, mode="exact"))
    t_fast, fast = timed(lambda: kde(x, y, bandwidth=r, cell_size=cell, mode="fast"), repeat=3)
    print(f"grid {exact.grid.rows} x {exact.grid.cols} = {exact.grid.rows * exact.grid.cols:,} cells")
    mem_exact = peak_memory(lambda: kde(x, y, bandwidth=r, cell_size=cell, mode="exact"))
    mem_fast = peak_memory(lambda: kde(x, y, bandwidth=r, cell_size=cell, mode="fast"))
    peak = exact.peak
    rows = [("ours exact (quartic)", t_exact, 0.0, f"peak mem {mem_exact:,.0f} MB"),
            ("ours fast (quartic, binned FFT)", t_fast, float(np.abs(fast.values - exact.values).max() / peak),
             f"peak mem {mem_fast:,.0f} MB; stated bound {fast.error_bound / peak:.2%}")]

    t_k, out = run_kdepy(x, y, exact, r)
    if t_k is None:
        rows.append(("KDEpy FFTKDE (biweight)", None, None, out))
    else:
        rows.append(("KDEpy FFTKDE (biweight)", t_k, float(np.abs(out - exact.values).max() / peak), ""))

    t_epa, epa = timed(lambda: kde(x, y, kernel="epanechnikov", bandwidth=r, cell_size=cell, mode="exact"))
    rows.append(("ours exact (Epanechnikov)", t_epa, 0.0, "reference for scikit-learn"))
    t_s, err = run_sklearn(x, y, epa, r, np.random.default_rng(1))
    if t_s is None:
        rows.append(("scikit-learn KernelDensity (epa.)", None, None, err))
    else:
        rows.append(("scikit-learn KernelDensity (epa.)", t_s, err,
                     f"extrapolated from {SKLEARN_SAMPLE_CELLS:,} cells; error vs our Epanechnikov"))
    rows.append(("QGIS heatmap", None, None, qgis_status()))

    print(f"\n{'method':36s} {'time s':>9s} {'x ours fast':>12s} {'max|Δ|/peak':>12s}  note")
    for name, t, e, note in rows:
        ts = "-" if t is None else f"{t:9.2f}"
        ratio = "-" if t is None else f"{t / t_fast:11.1f}x"
        es = "-" if e is None else f"{e:.2e}"
        print(f"{name:36s} {ts:>9s} {ratio:>12s} {es:>12s}  {note}")
    target = "meets" if max(mem_exact, mem_fast) < 1024 else "MISSES"
    print(f"\npeak memory for {args.n:,} points: exact {mem_exact:,.0f} MB, fast {mem_fast:,.0f} MB "
          f"({target} the 1 GB target)")


if __name__ == "__main__":
    main()
