"""Getis–Ord Gi* hot spot statistic on grids and polygons.

Getis, A. & Ord, J. K. (1992) "The analysis of spatial association by use of distance
statistics", Geographical Analysis 24(3):189-206; Ord, J. K. & Getis, A. (1995) "Local spatial
autocorrelation statistics: distributional issues and an application", Geographical Analysis
27(4):286-306, eq. (14) for the standardised form used here (as ArcGIS Hot Spot Analysis):

    Gᵢ* = [Σⱼ wᵢⱼ xⱼ − x̄ Σⱼ wᵢⱼ] / ( S · √{[n Σⱼ wᵢⱼ² − (Σⱼ wᵢⱼ)²] / (n − 1)} )

with sums over all j including i (wᵢᵢ > 0), x̄ = Σⱼ xⱼ / n and S = √(Σⱼ xⱼ²/n − x̄²). Gᵢ* is
itself a z-score; the analytic p-value is two-sided, p = 2(1 − Φ(|z|)). Cells are classed as
ArcGIS shows them: ±3, ±2, ±1 for hot/cold at 99%, 95%, 90% confidence (p < 0.01, 0.05, 0.10,
optionally after Benjamini–Hochberg FDR correction), 0 otherwise.

With binary weights this equals esda's ``G_Local(y, w, star=True, transform="B").Zs``.
Optional conditional permutation inference (Anselin 1995) gives seeded pseudo p-values.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy import special

from hotspot_desktop.core.analysis.fdr import benjamini_hochberg
from hotspot_desktop.core.analysis.permutation import permutation_pvalues
from hotspot_desktop.core.analysis.weights import GridStencil, PolygonWeights
from hotspot_desktop.core.progress import CancelFn, ProgressFn, checkpoint

__all__ = [
    "CLASS_LABELS",
    "GiStarResult",
    "gi_star_grid",
    "gi_star",
    "confidence_classes",
    "two_sided_p",
]

CLASS_LABELS: dict[int, str] = {
    3: "Hot spot - 99% confidence",
    2: "Hot spot - 95% confidence",
    1: "Hot spot - 90% confidence",
    0: "Not significant",
    -1: "Cold spot - 90% confidence",
    -2: "Cold spot - 95% confidence",
    -3: "Cold spot - 99% confidence",
}


@dataclass(frozen=True, eq=False)
class GiStarResult:
    """Gi* per cell/polygon. Arrays have the input's shape; cells outside the study area are NaN
    (class 0).

    z: Gi* z-scores. p: two-sided analytic p. p_sim: folded pseudo p from permutations (None
    without permutations). p_fdr (property): Benjamini–Hochberg adjusted values of the p-values
    the classes use (analytic p, or 2·p_sim with permutations). classes: -3..3 (int8).
    fdr / inference: how the classes were made. n, mean, std: the sample the statistic was
    standardised with.
    """

    z: np.ndarray
    p: np.ndarray
    p_sim: np.ndarray | None
    classes: np.ndarray
    fdr: bool
    inference: str  # "analytic" or "permutation"
    permutations: int
    seed: int | None
    n: int
    mean: float
    std: float
    weights: str
    islands: int = 0  # units in the area with no neighbour but themselves (their Gi* is a plain z)

    @property
    def p_used(self) -> np.ndarray:
        """The p-values the confidence classes are based on (before any FDR adjustment)."""
        return self.p if self.p_sim is None else _two_sided_sim(self.p_sim)

    @cached_property
    def p_fdr(self) -> np.ndarray:
        # computed on first use: the sort costs as much as the whole Gi* on a big grid
        q = benjamini_hochberg(self.p_used)
        q.setflags(write=False)
        return q

    @property
    def labels(self) -> np.ndarray:
        """Class labels as text, same shape as ``classes``."""
        lut = np.array([CLASS_LABELS[k] for k in range(-3, 4)], dtype=object)
        return lut[self.classes.astype(np.int64) + 3]

    def class_counts(self) -> dict[int, int]:
        vals, counts = np.unique(self.classes[~np.isnan(self.z)], return_counts=True)
        out = {k: 0 for k in CLASS_LABELS}
        out.update({int(v): int(c) for v, c in zip(vals, counts)})
        return out


def _two_sided_sim(p_sim: np.ndarray) -> np.ndarray:
    # the folded pseudo p is one-sided toward the observed tail: double it for two-sided bins
    return np.minimum(1.0, 2.0 * p_sim)


def two_sided_p(z: np.ndarray) -> np.ndarray:
    """p = 2(1 − Φ(|z|)), computed as erfc(|z|/√2) so tiny p-values keep their precision."""
    return special.erfc(np.abs(np.asarray(z, dtype=np.float64)) / np.sqrt(2.0))


def confidence_classes(z: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Hot/cold classes ±3/±2/±1 for p < 0.01/0.05/0.10 with the sign of z; 0 otherwise or NaN."""
    z = np.asarray(z, dtype=np.float64)
    p = np.asarray(p, dtype=np.float64)
    # bin edges 0.01, 0.05, 0.10: p below the first is level 3, ..., p >= 0.10 (or NaN) level 0
    level = (3 - np.searchsorted(np.array([0.01, 0.05, 0.10]), p, side="right")).astype(np.int8)
    level[np.isnan(p)] = 0
    sign = np.sign(np.nan_to_num(z)).astype(np.int8)
    return level * sign


def _moments(x: np.ndarray) -> tuple[int, float, float]:
    n = int(x.size)
    if n < 3:
        raise ValueError(f"Gi* needs at least 3 observations, got {n}")
    mean = float(x.mean())
    # population standard deviation, as in Ord & Getis (1995); two-pass for stability
    std = float(np.sqrt(np.mean((x - mean) ** 2)))
    if not std > 0 or std <= 1e-12 * max(1.0, abs(mean)):
        raise ValueError("all values are equal: Gi* is undefined for constant input "
                         "(no cell can be hotter than another)")
    return n, mean, std


def _z(lag: np.ndarray, wsum: np.ndarray, w2sum: np.ndarray, n: int, mean: float, std: float) -> np.ndarray:
    var = (n * w2sum - wsum ** 2) / (n - 1)
    num = lag - mean * wsum
    # var is 0 only when a cell's neighbourhood is the whole sample: the numerator is then 0 too
    # (Σx − n·x̄), and the statistic carries no information, so z = 0.
    safe = var > 1e-12 * np.maximum(1.0, wsum ** 2)
    z = np.zeros_like(num)
    np.divide(num, std * np.sqrt(np.where(safe, var, 1.0)), out=z, where=safe)
    return z


def _finish(z: np.ndarray, p_sim: np.ndarray | None, fdr: bool, permutations: int, seed: int | None,
            n: int, mean: float, std: float, weights: str, islands: int) -> GiStarResult:
    p = two_sided_p(z)
    used = p if p_sim is None else _two_sided_sim(p_sim)
    q = benjamini_hochberg(used) if fdr else None
    classes = confidence_classes(z, q if fdr else used)
    for a in (z, p, classes) + ((p_sim,) if p_sim is not None else ()):
        a.setflags(write=False)
    res = GiStarResult(z=z, p=p, p_sim=p_sim, classes=classes, fdr=fdr,
                       inference="analytic" if p_sim is None else "permutation", permutations=permutations,
                       seed=seed, n=n, mean=mean, std=std, weights=weights, islands=islands)
    if q is not None:
        q.setflags(write=False)
        res.__dict__["p_fdr"] = q  # already computed for the classes; fill the cache
    return res


def _gi_permutation_p(x: np.ndarray, w: sp.csr_matrix, permutations: int, seed: int | None,
                      progress: ProgressFn | None, cancelled: CancelFn | None) -> np.ndarray:
    """Pseudo p of Gᵢ* = (Σ_{j≠i} wᵢⱼ xⱼ + wᵢᵢ xᵢ) / Σx with xᵢ held fixed (esda's star crand)."""
    self_w = w.diagonal()
    total = x.sum()
    if total == 0:
        total = 1.0  # the scaling cancels in the comparison; avoid 0/0 for centred data

    def stat(idx: np.ndarray, lag: np.ndarray) -> np.ndarray:
        own = self_w[idx] * x[idx]
        if lag.ndim == 2:
            own = own[:, None]
        return (lag + own) / total

    return permutation_pvalues(x, w, stat, permutations, seed, progress, cancelled)


def gi_star_grid(
    counts: np.ndarray,
    stencil: GridStencil,
    *,
    study_area: np.ndarray | None = None,
    fdr: bool = False,
    permutations: int = 0,
    seed: int | None = 0,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> GiStarResult:
    """Gi* of every cell of a 2-D count grid (row 0 = southern row) with stencil weights.

    ``study_area`` (bool, same shape) and NaN counts mark cells outside the study area: they are
    left out of n, x̄ and S and contribute to no neighbour sum, so cells at the boundary have
    exactly their in-area neighbours (Σⱼ wᵢⱼ, Σⱼ wᵢⱼ² come from the stencil applied to the mask).
    ``permutations`` > 0 adds conditional permutation pseudo p-values (seeded) and classes by
    them; this builds the explicit sparse matrix, so it is meant for grids up to ~10⁵ cells.
    """
    counts = np.asarray(counts, dtype=np.float64)
    if counts.ndim != 2:
        raise ValueError("counts must be a 2-D grid")
    if stencil.self_weight <= 0:
        raise ValueError("Gi* needs a stencil that includes the cell itself (include_self=True)")
    valid = np.isfinite(counts)
    if study_area is not None:
        study_area = np.asarray(study_area, dtype=bool)
        if study_area.shape != counts.shape:
            raise ValueError("study_area mask must have the grid's shape")
        valid &= study_area
    checkpoint(progress, cancelled, 0.0, "Gi* moments")
    n, mean, std = _moments(counts[valid])
    x = np.where(valid, counts, 0.0)
    m = valid.astype(np.float64)
    lag = stencil.correlate(x)
    checkpoint(progress, cancelled, 0.3, "Gi* neighbour sums")
    wsum = stencil.correlate(m)
    w2sum = wsum if stencil.is_binary else stencil.correlate(m, squared=True)
    checkpoint(progress, cancelled, 0.6, "Gi* z-scores")
    z = _z(lag, wsum, w2sum, n, mean, std)
    z[~valid] = np.nan
    p_sim = None
    if permutations:
        w = stencil.to_sparse(counts.shape, valid)
        sub = _gi_permutation_p(counts[valid], w, permutations, seed, _scaled(progress, 0.6, 1.0), cancelled)
        p_sim = np.full(counts.shape, np.nan)
        p_sim[valid] = sub
    checkpoint(progress, cancelled, 1.0, "Gi* done")
    islands = int((valid & (wsum <= stencil.self_weight)).sum())
    return _finish(z, p_sim, fdr, permutations, seed if permutations else None, n, mean, std, stencil.name,
                   islands)


def gi_star(
    values: Any,
    weights: PolygonWeights | sp.spmatrix,
    *,
    fdr: bool = False,
    permutations: int = 0,
    seed: int | None = 0,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> GiStarResult:
    """Gi* of a value per polygon (or any areal unit) with sparse weights.

    ``PolygonWeights`` get weight 1 on the diagonal (the polygon itself, binary Gi*). A plain
    sparse matrix is used as given and must already carry the self weights wᵢᵢ > 0.
    """
    x = np.asarray(values, dtype=np.float64).ravel()
    if isinstance(weights, PolygonWeights):
        w = weights.with_self(1.0)
        name = weights.kind + " with self"
    else:
        w = sp.csr_matrix(weights, dtype=np.float64)
        name = "custom"
        if np.any(w.diagonal() <= 0):
            raise ValueError("Gi* needs self weights: every diagonal entry of the matrix must be > 0")
    if w.shape != (x.size, x.size):
        raise ValueError(f"weights are {w.shape[0]}x{w.shape[1]} but there are {x.size} values")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{int((~np.isfinite(x)).sum())} values are missing or not finite")
    checkpoint(progress, cancelled, 0.0, "Gi*")
    n, mean, std = _moments(x)
    lag = w @ x
    wsum = np.asarray(w.sum(axis=1)).ravel()
    w2sum = np.asarray(w.multiply(w).sum(axis=1)).ravel()
    z = _z(lag, wsum, w2sum, n, mean, std)
    p_sim = None
    if permutations:
        p_sim = _gi_permutation_p(x, w, permutations, seed, _scaled(progress, 0.1, 1.0), cancelled)
    checkpoint(progress, cancelled, 1.0, "Gi* done")
    off_diagonal = np.diff(w.indptr) - (w.diagonal() != 0)
    islands = int((off_diagonal == 0).sum())
    return _finish(z, p_sim, fdr, permutations, seed if permutations else None, n, mean, std, name, islands)


def _scaled(progress: ProgressFn | None, lo: float, hi: float) -> ProgressFn | None:
    if progress is None:
        return None
    return lambda f, stage: progress(lo + (hi - lo) * f, stage)

