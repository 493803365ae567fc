"""Is a hot spot an artefact of the bandwidth? Robustness maps and evaluation-first bandwidths.

Analysts choose cell size and bandwidth blindly and peers report a single surface as if it were
the answer (METHODS.md, complaints). Two remedies:

* :func:`robustness_map` reruns the KDE over a range of bandwidths (and cell sizes, sub-periods)
  and maps, per cell, the share of runs in which the cell is hot (top x% of the area). Cells hot
  in every run are robust; cells hot in a few runs depend on the choice. The stability index is
  the mean pairwise Jaccard similarity |H₁ ∩ H₂| / |H₁ ∪ H₂| of the runs' hot sets (1 = all runs
  agree).
* :func:`choose_bandwidth_by_pei` picks the bandwidth whose hot spots, fitted on an earlier
  period, best capture a later one (highest PEI, Hunt 2016), and returns the prospective hit rate
  so it can be stamped on the map (evaluation first, as Chainey 2013 recommends for selecting
  hot spot parameters).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from collections.abc import Sequence

import numpy as np
from shapely.geometry.base import BaseGeometry

from hotspot_desktop.core.analysis.bandwidth import bandwidth_nrd
from hotspot_desktop.core.analysis.evaluation import hot_cells, kde_method, prospective_test
from hotspot_desktop.core.analysis.grid import (
    GridSpec, default_cell_size, grid_for_extent, robust_extent, study_mask,
)
from hotspot_desktop.core.analysis.kde import Mode, kde
from hotspot_desktop.core.progress import CancelFn, ProgressFn, checkpoint

__all__ = ["RobustnessRun", "RobustnessResult", "BandwidthSelection", "robustness_map", "choose_bandwidth_by_pei",
           "jaccard", "default_bandwidths"]

BANDWIDTH_FACTORS = (0.5, 0.75, 1.0, 1.5, 2.0)
PEI_FACTORS = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0)


@dataclass(frozen=True)
class RobustnessRun:
    bandwidth: float
    cell_size: float
    period: str | None
    n_hot_cells: int  # on the reference grid


@dataclass(frozen=True)
class RobustnessResult:
    """Share of runs in which each cell of ``grid`` was hot (NaN outside the study area)."""

    share: np.ndarray
    grid: GridSpec
    runs: tuple[RobustnessRun, ...]
    jaccard: np.ndarray  # pairwise Jaccard similarity of the runs' hot sets
    stability: float  # mean of the off-diagonal Jaccard values
    top_fraction: float
    rules: tuple[str, ...] = field(default_factory=tuple)

    def robust_cells(self, threshold: float = 1.0) -> np.ndarray:
        """Cells hot in at least ``threshold`` of the runs (default: in every run)."""
        return np.nan_to_num(self.share, nan=0.0) >= threshold - 1e-12


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """|A ∩ B| / |A ∪ B| of two boolean masks (1 when both are empty)."""
    union = np.count_nonzero(a | b)
    return 1.0 if union == 0 else np.count_nonzero(a & b) / union


def _round_bw(h: float) -> float:
    step = 10.0 if h >= 100 else 1.0
    return max(step, round(h / step) * step)


def default_bandwidths(x: np.ndarray, y: np.ndarray, cell_size: float,
                       factors: Sequence[float] = BANDWIDTH_FACTORS) -> list[float]:
    """Multiples of the normal-reference bandwidth, rounded to 10 m, at least the cell size."""
    h = bandwidth_nrd(x, y).bandwidth
    return sorted({max(_round_bw(f * h), cell_size) for f in factors})


def robustness_map(x: np.ndarray, y: np.ndarray, *, bandwidths: Sequence[float] | None = None,
                   cell_sizes: Sequence[float] | None = None, periods: Sequence[np.ndarray] | None = None,
                   period_labels: Sequence[str] | None = None, kernel: str = "quartic", top_fraction: float = 0.05,
                   grid: GridSpec | None = None, study_area: BaseGeometry | None = None, mode: Mode = "auto",
                   progress: ProgressFn | None = None, cancelled: CancelFn | None = None) -> RobustnessResult:
    """Rerun the KDE over bandwidths × cell sizes × sub-periods and map how often each cell is hot.

    ``periods`` are boolean masks (or index arrays) selecting incidents of each sub-period. Hot
    cells of runs on a coarser grid are transferred to the reference grid (the finest cell size,
    or ``grid``) by cell-centre lookup. Runs whose bandwidth is below their cell size are skipped
    and listed in ``rules``. Default bandwidths: 0.5, 0.75, 1, 1.5 and 2 times the normal-reference
    rule.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    ext = robust_extent(x, y, study_area)
    rules = [ext.rule]
    if grid is None:
        if cell_sizes:
            ref_cell = float(min(cell_sizes))
        else:
            choice = default_cell_size(ext.bounds)
            ref_cell = choice.cell_size
            rules.append(choice.rule)
    else:
        ref_cell = grid.cell_size
    cells = sorted({float(c) for c in (cell_sizes or [ref_cell])})
    if bandwidths is None:
        bandwidths = default_bandwidths(x[ext.inside], y[ext.inside], max(cells))
        listed = ", ".join(f"{b:g}" for b in bandwidths)
        rules.append(f"bandwidths = 0.5-2 x the normal-reference rule: {listed} m")
    bandwidths = sorted({float(b) for b in bandwidths})
    margin = 0.0 if study_area is not None else max(bandwidths)
    if grid is None:
        grid = grid_for_extent(ext.bounds, ref_cell, margin=margin)
    if periods is None:
        subsets = [(None, np.ones(x.size, dtype=bool))]
    else:
        labels = list(period_labels) if period_labels is not None else [f"period {i + 1}" for i in range(len(periods))]
        subsets = list(zip(labels, periods))

    xc, yc = grid.centres()
    gx, gy = np.meshgrid(xc, yc)
    combos = [(b, c, s) for s in subsets for c in cells for b in bandwidths]
    hot_sets: list[np.ndarray] = []
    runs: list[RobustnessRun] = []
    ref_mask = None
    for i, (bw, cs, (label, sel)) in enumerate(combos):
        checkpoint(progress, cancelled, i / len(combos), f"run {i + 1} of {len(combos)}")
        if bw < cs:
            rules.append(f"skipped bandwidth {bw:g} m on {cs:g} m cells (bandwidth below cell size)")
            continue
        run_grid = grid if cs == grid.cell_size else grid_for_extent(grid.extent, cs)
        res = kde(x[sel], y[sel], kernel=kernel, bandwidth=bw, grid=run_grid, study_area=study_area, mode=mode,
                  cancelled=cancelled)
        hot = hot_cells(res.values, top_fraction, res.mask)
        if run_grid is not grid:
            r, c, inside = run_grid.cell_of(gx, gy)
            hot = np.where(inside, hot[np.clip(r, 0, run_grid.rows - 1), np.clip(c, 0, run_grid.cols - 1)], False)
        else:
            ref_mask = res.mask
        hot_sets.append(hot)
        runs.append(RobustnessRun(bw, cs, label, int(hot.sum())))
    if not hot_sets:
        raise ValueError("every bandwidth was below the cell size: no run could be made")
    if ref_mask is None:
        ref_mask = study_mask(grid, study_area)
    stack = np.stack(hot_sets)
    share = stack.mean(axis=0)
    share = np.where(ref_mask, share, np.nan)
    k = len(hot_sets)
    jac = np.ones((k, k))
    for a, b in itertools.combinations(range(k), 2):
        jac[a, b] = jac[b, a] = jaccard(hot_sets[a], hot_sets[b])
    stability = float(jac[~np.eye(k, dtype=bool)].mean()) if k > 1 else 1.0
    rules.append(f"{k} runs; a cell is hot in a run when it is in that run's top {top_fraction:.1%} of the area; "
                 f"stability = mean pairwise Jaccard of hot sets = {stability:.2f}")
    checkpoint(progress, cancelled, 1.0, "robustness map done")
    return RobustnessResult(share, grid, tuple(runs), jac, stability, top_fraction, tuple(rules))


@dataclass(frozen=True)
class BandwidthSelection:
    """The bandwidth with the best out-of-sample PEI, and what it achieved."""

    bandwidth: float
    pei: float
    hit_rate: float
    pai: float
    candidates: tuple[tuple[float, float, float, float], ...]  # (bandwidth, hit rate, PAI, PEI)
    top_fraction: float
    grid: GridSpec
    rule: str


def choose_bandwidth_by_pei(fit: tuple[np.ndarray, np.ndarray], test: tuple[np.ndarray, np.ndarray], *,
                            candidates: Sequence[float] | None = None, kernel: str = "quartic",
                            top_fraction: float = 0.05, grid: GridSpec | None = None,
                            cell_size: float | None = None, study_area: BaseGeometry | None = None,
                            progress: ProgressFn | None = None,
                            cancelled: CancelFn | None = None) -> BandwidthSelection:
    """Pick the KDE bandwidth maximising out-of-sample PEI (fit on ``fit``, score on ``test``).

    Candidates default to 0.25-3 x the normal-reference bandwidth of the fitting period (rounded,
    at least the cell size). Ties go to the larger bandwidth: with equal accuracy, the smoother
    surface is less likely to be fitted to noise. The returned ``hit_rate`` is the prospective hit
    rate to print on the map ("these hot spots, 5% of the area, held 41% of the next period's
    incidents").
    """
    fx, fy = (np.asarray(v, dtype=np.float64) for v in fit)
    tx, ty = (np.asarray(v, dtype=np.float64) for v in test)
    if grid is None:
        ext = robust_extent(np.concatenate([fx, tx]), np.concatenate([fy, ty]), study_area)
        cs = cell_size if cell_size is not None else default_cell_size(ext.bounds).cell_size
        grid = grid_for_extent(ext.bounds, cs)
    if candidates is None:
        candidates = default_bandwidths(fx, fy, grid.cell_size, PEI_FACTORS)
    cands = sorted({float(c) for c in candidates if c >= grid.cell_size})
    if not cands:
        raise ValueError(f"no candidate bandwidth is at least the cell size ({grid.cell_size:g} m)")
    methods = {f"{b:g}": kde_method(kernel=kernel, bandwidth=b) for b in cands}
    table = prospective_test((fx, fy), (tx, ty), methods, top_fraction=top_fraction, grid=grid,
                             study_area=study_area, progress=progress, cancelled=cancelled)
    scored = [(b, r.hit_rate, r.pai, r.pei) for b, r in zip(cands, table.rows)]
    valid = [s for s in scored if not math.isnan(s[3])]
    if not valid:
        raise ValueError("no bandwidth produced hot spots to evaluate")
    best = max(valid, key=lambda s: (round(s[3], 12), s[0]))
    rule = (f"bandwidth {best[0]:g} m chosen by out-of-sample PEI ({best[3]:.2f}) over {len(cands)} candidates; "
            f"its top {top_fraction:.0%} of the area held {best[1]:.0%} of the test period's incidents "
            f"(PAI {best[2]:.1f})")
    return BandwidthSelection(best[0], best[3], best[1], best[2], tuple(scored), top_fraction, grid, rule)
