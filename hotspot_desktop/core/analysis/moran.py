"""Moran's I: global spatial autocorrelation and local clusters/outliers (LISA).

Global (Moran 1950; Cliff & Ord 1981, eqs. 1.35–1.38), with zᵢ = xᵢ − x̄ and S₀ = Σᵢ Σⱼ wᵢⱼ:

    I = (n / S₀) · Σᵢ Σⱼ wᵢⱼ zᵢ zⱼ / Σᵢ zᵢ²,    E[I] = −1 / (n − 1),
    Var_N[I] = (n² S₁ − n S₂ + 3 S₀²) / ((n² − 1) S₀²) − E[I]²       (normality assumption)

S₁ = ½ Σᵢ Σⱼ (wᵢⱼ + wⱼᵢ)², S₂ = Σᵢ (Σⱼ wᵢⱼ + Σⱼ wⱼᵢ)²; z = (I − E[I]) / √Var_N, p two-sided.

Local (Anselin 1995, "Local Indicators of Spatial Association — LISA", Geographical Analysis
27(2):93-115, eq. 12), with zᵢ standardised by the population standard deviation:

    Iᵢ = (n − 1) · zᵢ Σⱼ wᵢⱼ zⱼ / Σⱼ zⱼ²

Quadrants of the Moran scatter plot (esda's codes): 1 HH (high value, high neighbours), 2 LH,
3 LL, 4 HL; HH/LL are clusters, HL/LH spatial outliers. Significance by conditional permutation
(seeded pseudo p, folded to the nearer tail as esda and GeoDa do). Weights are row standardised
unless ``transformation="B"``, matching esda's defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp

from hotspot_desktop.core.analysis.getis_ord import two_sided_p
from hotspot_desktop.core.analysis.permutation import permutation_pvalues
from hotspot_desktop.core.analysis.weights import GridStencil, PolygonWeights, row_standardise
from hotspot_desktop.core.progress import CancelFn, ProgressFn, checkpoint

__all__ = [
    "QUADRANT_LABELS",
    "GlobalMoranResult",
    "LocalMoranResult",
    "global_moran",
    "local_moran",
    "local_moran_grid",
    "global_moran_grid",
]

QUADRANT_LABELS: dict[int, str] = {0: "Not significant", 1: "High-High", 2: "Low-High", 3: "Low-Low",
                                   4: "High-Low"}
Transformation = Literal["R", "B"]


@dataclass(frozen=True)
class GlobalMoranResult:
    """Global Moran's I with its expectation, variance and z under the normality assumption."""

    I: float  # noqa: E741 - the statistic's name in every reference
    expected: float
    variance: float
    z: float
    p: float
    n: int
    transformation: str


@dataclass(frozen=True, eq=False)
class LocalMoranResult:
    """Local Moran's Iᵢ per unit (grid results have the grid's shape, NaN outside the area).

    quadrants: 1..4 as in QUADRANT_LABELS for every unit; clusters: the quadrant where
    p_sim < alpha, else 0. p_sim is None when permutations = 0.
    """

    Is: np.ndarray
    quadrants: np.ndarray
    p_sim: np.ndarray | None
    clusters: np.ndarray
    alpha: float
    permutations: int
    seed: int | None
    transformation: str

    @property
    def labels(self) -> np.ndarray:
        lut = np.array([QUADRANT_LABELS[k] for k in range(5)], dtype=object)
        return lut[self.clusters.astype(np.int64)]


def _matrix(weights: PolygonWeights | sp.spmatrix, n: int, transformation: str) -> sp.csr_matrix:
    w = weights.matrix if isinstance(weights, PolygonWeights) else sp.csr_matrix(weights, dtype=np.float64)
    if w.shape != (n, n):
        raise ValueError(f"weights are {w.shape[0]}x{w.shape[1]} but there are {n} values")
    t = transformation.upper()
    if t == "R":
        return row_standardise(w)
    if t == "B":
        b = sp.csr_matrix(w, dtype=np.float64, copy=True)
        b.data[:] = 1.0
        return b
    raise ValueError("transformation must be 'R' (row standardised) or 'B' (binary)")


def _values(values: Any) -> np.ndarray:
    x = np.asarray(values, dtype=np.float64).ravel()
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{int((~np.isfinite(x)).sum())} values are missing or not finite")
    if x.size < 3:
        raise ValueError("Moran's I needs at least 3 observations")
    if np.ptp(x) <= 1e-12 * max(1.0, float(np.abs(x).max())):
        raise ValueError("all values are equal: Moran's I is undefined for constant input")
    return x


def global_moran(values: Any, weights: PolygonWeights | sp.spmatrix, *,
                 transformation: Transformation = "R") -> GlobalMoranResult:
    """Global Moran's I with analytic inference under normality (esda ``Moran``: I, EI, z_norm)."""
    x = _values(values)
    n = x.size
    w = _matrix(weights, n, transformation)
    z = x - x.mean()
    s0 = float(w.sum())
    if s0 == 0:
        raise ValueError("the weights have no neighbour pairs")
    i_stat = n / s0 * float(z @ (w @ z)) / float(z @ z)
    sym = w + w.T
    s1 = 0.5 * float(sym.multiply(sym).sum())
    s2 = float(((np.asarray(w.sum(axis=1)).ravel() + np.asarray(w.sum(axis=0)).ravel()) ** 2).sum())
    ei = -1.0 / (n - 1)
    var = (n * n * s1 - n * s2 + 3 * s0 * s0) / ((n - 1) * (n + 1) * s0 * s0) - ei * ei
    zn = (i_stat - ei) / np.sqrt(var)
    return GlobalMoranResult(I=i_stat, expected=ei, variance=float(var), z=float(zn), p=float(two_sided_p(zn)),
                             n=n, transformation=transformation.upper())


def local_moran(
    values: Any,
    weights: PolygonWeights | sp.spmatrix,
    *,
    transformation: Transformation = "R",
    permutations: int = 999,
    seed: int | None = 0,
    alpha: float = 0.05,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> LocalMoranResult:
    """Local Moran's I (Anselin 1995) with quadrants and seeded conditional-permutation pseudo p.

    Equal to esda ``Moran_Local(y, w, transformation)``'s ``Is`` and ``q``; ``p_sim`` follows the
    same conditional randomisation with this module's own random stream.
    """
    if not 0 < alpha < 1:
        raise ValueError("alpha must be in (0, 1)")
    x = _values(values)
    n = x.size
    w = _matrix(weights, n, transformation)
    checkpoint(progress, cancelled, 0.0, "local Moran")
    z = (x - x.mean()) / x.std()
    den = float(z @ z)
    lag = w @ z
    scale = (n - 1) / den
    is_ = scale * z * lag
    quads = _quadrants(z, lag)
    p_sim = None
    if permutations:
        def stat(idx: np.ndarray, lg: np.ndarray) -> np.ndarray:
            return scale * (z[idx][:, None] if lg.ndim == 2 else z[idx]) * lg

        p_sim = permutation_pvalues(z, w, stat, permutations, seed, progress, cancelled)
    checkpoint(progress, cancelled, 1.0, "local Moran done")
    return _local_result(is_, quads, p_sim, alpha, permutations, seed, transformation)


def _quadrants(z: np.ndarray, lag: np.ndarray) -> np.ndarray:
    """Moran scatterplot quadrant per unit: 1 HH, 2 LH, 3 LL, 4 HL (esda's rule: a value exactly
    at the mean counts as low, a zero lag as low)."""
    high, high_lag = z > 0, lag > 0
    quads = np.where(high & high_lag, 1, np.where(~high & high_lag, 2, np.where(~high & ~high_lag, 3, 4)))
    return quads.astype(np.int8)


def _local_result(is_: np.ndarray, quads: np.ndarray, p_sim: np.ndarray | None, alpha: float,
                  permutations: int, seed: int, transformation: str) -> LocalMoranResult:
    """Clusters are the quadrants of units significant at ``alpha`` (none without permutations);
    every array is frozen."""
    if p_sim is None:
        clusters = np.zeros(quads.shape, dtype=np.int8)
    else:
        sig = np.where(np.isnan(p_sim), False, p_sim < alpha)
        clusters = np.where(sig, quads, 0).astype(np.int8)
    for a in (is_, quads, clusters) + ((p_sim,) if p_sim is not None else ()):
        a.setflags(write=False)
    return LocalMoranResult(Is=is_, quadrants=quads, p_sim=p_sim, clusters=clusters, alpha=alpha,
                            permutations=permutations, seed=seed if permutations else None,
                            transformation=transformation.upper())


def _grid_parts(counts: np.ndarray, stencil: GridStencil, study_area: np.ndarray | None,
                transformation: str) -> tuple[np.ndarray, np.ndarray, GridStencil, np.ndarray, np.ndarray]:
    """Valid mask, values, the stencil without self, per-cell row sums r and 1/r (0 for islands)."""
    counts = np.asarray(counts, dtype=np.float64)
    if counts.ndim != 2:
        raise ValueError("counts must be a 2-D grid")
    if transformation.upper() not in ("R", "B"):
        raise ValueError("transformation must be 'R' (row standardised) or 'B' (binary)")
    valid = np.isfinite(counts)
    if study_area is not None:
        study_area = np.asarray(study_area, dtype=bool)
        if study_area.shape != counts.shape:
            raise ValueError("study_area mask must have the grid's shape")
        valid &= study_area
    x = _values(counts[valid])
    k = stencil.without_self()
    if not np.array_equal(k.kernel, k.kernel[::-1, ::-1]):
        raise ValueError("Moran's I on grids needs a symmetric stencil")
    m = valid.astype(np.float64)
    r = np.where(valid, k.correlate(m), 0.0)
    inv_r = np.divide(1.0, r, out=np.zeros_like(r), where=r > 0)
    return valid, x, k, r, inv_r


def _grid_lag(z_grid: np.ndarray, k: GridStencil, inv_r: np.ndarray, valid: np.ndarray, transformation: str
              ) -> np.ndarray:
    lag = k.correlate(z_grid)
    if transformation.upper() == "R":
        lag = lag * inv_r
    return np.where(valid, lag, 0.0)


def global_moran_grid(counts: np.ndarray, stencil: GridStencil, *, study_area: np.ndarray | None = None,
                      transformation: Transformation = "R") -> GlobalMoranResult:
    """Global Moran's I of a count grid with stencil weights (self weight dropped), no matrix.

    Same statistic as :func:`global_moran` on ``stencil.without_self().to_sparse(...)``; S₀, S₁
    and S₂ come from correlations of the study-area mask with the (symmetric) kernel:
    binary: S₀ = Σrᵢ, S₁ = 2 Σᵢ Σⱼ kᵢⱼ², S₂ = Σ (2rᵢ)²; row standardised (wᵢⱼ = kᵢⱼ/rᵢ):
    S₀ = #non-islands, S₁ = Σᵢ [Σⱼ kᵢⱼ²/rᵢ² + (Σⱼ kᵢⱼ²/rⱼ)/rᵢ], S₂ = Σᵢ (1[rᵢ>0] + Σⱼ kᵢⱼ/rⱼ)².
    """
    valid, x, k, r, inv_r = _grid_parts(counts, stencil, study_area, transformation)
    n = x.size
    z = np.zeros(valid.shape)
    z[valid] = x - x.mean()
    lag = _grid_lag(z, k, inv_r, valid, transformation)
    k2 = GridStencil(k.kernel ** 2, k.name)
    c2 = np.where(valid, k2.correlate(valid.astype(np.float64)), 0.0)
    if transformation.upper() == "B":
        s0 = float(r.sum())
        s1 = 2.0 * float(c2.sum())
        s2 = float(((2.0 * r) ** 2).sum())
    else:
        s0 = float((r > 0).sum())
        s1 = float((c2 * inv_r ** 2).sum() + (np.where(valid, k2.correlate(inv_r), 0.0) * inv_r).sum())
        col = np.where(valid, k.correlate(inv_r), 0.0)
        s2 = float((((r > 0).astype(np.float64) + col) ** 2)[valid].sum())
    if s0 == 0:
        raise ValueError("no cell has a neighbour inside the study area")
    i_stat = n / s0 * float((z * lag).sum()) / float((z * z).sum())
    ei = -1.0 / (n - 1)
    var = (n * n * s1 - n * s2 + 3 * s0 * s0) / ((n - 1) * (n + 1) * s0 * s0) - ei * ei
    zn = (i_stat - ei) / np.sqrt(var)
    return GlobalMoranResult(I=i_stat, expected=ei, variance=float(var), z=float(zn), p=float(two_sided_p(zn)),
                             n=n, transformation=transformation.upper())


def local_moran_grid(
    counts: np.ndarray,
    stencil: GridStencil,
    *,
    study_area: np.ndarray | None = None,
    transformation: Transformation = "R",
    permutations: int = 999,
    seed: int | None = 0,
    alpha: float = 0.05,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> LocalMoranResult:
    """Local Moran's I of a count grid (row 0 = south); the stencil's self weight is dropped.

    Iᵢ and quadrants come from stencil correlations (no matrix, fast on million-cell grids);
    permutations build the explicit sparse matrix, so keep them to grids of ~10⁵ cells.
    Cells outside ``study_area`` or NaN are left out and come back NaN (cluster 0).
    """
    if not 0 < alpha < 1:
        raise ValueError("alpha must be in (0, 1)")
    valid, x, k, r, inv_r = _grid_parts(counts, stencil, study_area, transformation)
    checkpoint(progress, cancelled, 0.0, "local Moran")
    n = x.size
    z = np.zeros(valid.shape)
    z[valid] = (x - x.mean()) / x.std()
    lag = _grid_lag(z, k, inv_r, valid, transformation)
    scale = (n - 1) / float((z * z).sum())
    is_ = np.where(valid, scale * z * lag, np.nan)
    quads = np.where(valid, _quadrants(z, lag), 0).astype(np.int8)
    p_sim = None
    if permutations:
        w = _matrix(k.to_sparse(valid.shape, valid), n, transformation)
        zv = z[valid]

        def stat(idx: np.ndarray, lg: np.ndarray) -> np.ndarray:
            return scale * (zv[idx][:, None] if lg.ndim == 2 else zv[idx]) * lg

        sub = permutation_pvalues(zv, w, stat, permutations, seed, progress, cancelled)
        p_sim = np.full(valid.shape, np.nan)
        p_sim[valid] = sub
    checkpoint(progress, cancelled, 1.0, "local Moran done")
    return _local_result(is_, quads, p_sim, alpha, permutations, seed, transformation)
