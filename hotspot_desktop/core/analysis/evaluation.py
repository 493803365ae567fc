"""How well do hot spots capture future crime? Hit rate, PAI, PEI, RRI and a prospective test.

Notation (METHODS.md): n = incidents inside the hot spots, N = all incidents, a = hot spot area,
A = study area.

* Hit rate = n/N.
* PAI, Predictive Accuracy Index (Chainey, Tompson & Uhlig 2008, Security Journal 21:4-28)
  = (n/N)/(a/A).
* PEI, Predictive Efficiency Index (Hunt 2016, "Do crime hot spots move?", NIJ) = n/n*, where n*
  is the most incidents any set of cells of the same total area could have captured.
* RRI, Recapture Rate Index (Levine 2008, CrimeStat) = (n₂/n₁)/(N₂/N₁): hit rate in the test
  period over the hit rate in the fitting period.

The names are used for different ratios in different tools, so every result carries its
formula, and the GUI shows it next to the number.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from collections.abc import Callable, Mapping

import numpy as np
from shapely.geometry.base import BaseGeometry

from hotspot_desktop.core.analysis.grid import GridSpec, default_cell_size, grid_for_extent, robust_extent, \
    square_counts
from hotspot_desktop.core.progress import CancelFn, ProgressFn, checkpoint

__all__ = [
    "FORMULAS", "Measure", "HotspotEvaluation", "ProspectiveRow", "ProspectiveTable", "Method",
    "hit_rate", "pai", "pei", "rri", "hot_cells", "max_capture", "evaluate_hot_cells", "prospective_test",
    "counts_method", "kde_method",
]

FORMULAS = {
    "hit_rate": "hit rate = n / N  (n incidents in hot spots, N all incidents)",
    "pai": "PAI = (n / N) / (a / A)  (Chainey, Tompson & Uhlig 2008; a hot spot area, A study area)",
    "pei": "PEI = n / n*  (Hunt 2016; n* = most incidents any cells of the same total area could hold)",
    "rri": "RRI = (n₂ / N₂) / (n₁ / N₁)  (Levine 2008; hit rate in the test period over the fitting period)",
}


@dataclass(frozen=True)
class Measure:
    """One evaluation number with the formula and inputs that produced it."""

    name: str
    value: float
    formula: str
    inputs: dict = field(default_factory=dict)

    def __float__(self) -> float:
        return self.value


def hit_rate(n: float, N: float) -> Measure:
    """Share of incidents captured by the hot spots: n/N."""
    if N <= 0:
        raise ValueError("no incidents to evaluate against (N = 0)")
    if not 0 <= n <= N:
        raise ValueError(f"captured incidents n = {n} must lie between 0 and N = {N}")
    return Measure("hit rate", n / N, FORMULAS["hit_rate"], {"n": n, "N": N})


def pai(n: float, N: float, a: float, A: float) -> Measure:
    """Predictive Accuracy Index (Chainey, Tompson & Uhlig 2008): (n/N)/(a/A)."""
    if not 0 < a <= A:
        raise ValueError(f"hot spot area a = {a} must be positive and at most the study area A = {A}")
    return Measure("PAI", hit_rate(n, N).value / (a / A), FORMULAS["pai"], {"n": n, "N": N, "a": a, "A": A})


def pei(n: float, n_star: float) -> Measure:
    """Predictive Efficiency Index (Hunt 2016): n/n*, 1 = the best possible hot spots of that area."""
    if n_star <= 0:
        raise ValueError("n* = 0: no cells of this area could capture any incident, PEI is undefined")
    if n > n_star * (1 + 1e-12):
        raise ValueError(f"n = {n} exceeds the maximum capturable n* = {n_star}")
    return Measure("PEI", n / n_star, FORMULAS["pei"], {"n": n, "n_star": n_star})


def rri(n_test: float, N_test: float, n_fit: float, N_fit: float) -> Measure:
    """Recapture Rate Index (Levine 2008): (n₂/N₂)/(n₁/N₁) = (n₂/n₁)/(N₂/N₁)."""
    h_fit = hit_rate(n_fit, N_fit).value
    if h_fit == 0:
        raise ValueError("the hot spots captured no incident in the fitting period: RRI is undefined")
    return Measure("RRI", hit_rate(n_test, N_test).value / h_fit, FORMULAS["rri"],
                   {"n_test": n_test, "N_test": N_test, "n_fit": n_fit, "N_fit": N_fit})


def hot_cells(scores: np.ndarray, top_fraction: float, mask: np.ndarray | None = None) -> np.ndarray:
    """The top ``top_fraction`` of the study area's cells by score (bool array, same shape).

    k = round(top_fraction · cells in the mask), at least 1. Cells with a score of 0 or NaN are
    never hot, so sparse data can give fewer than k cells. Ties at the threshold are broken by cell
    order (row-major), so the result is deterministic.
    """
    if not 0 < top_fraction <= 1:
        raise ValueError(f"the hot spot share of the area must be in (0, 1], got {top_fraction}")
    scores = np.asarray(scores, dtype=np.float64)
    valid = np.isfinite(scores) & (scores > 0)
    if mask is not None:
        valid &= mask
    n_cells = int(scores.size if mask is None else np.count_nonzero(mask))
    k = max(1, round(top_fraction * n_cells))
    flat = np.where(valid, scores, -np.inf).ravel()
    order = np.lexsort((np.arange(flat.size), -flat))[:k]
    hot = np.zeros(flat.size, dtype=bool)
    hot[order] = True
    hot &= valid.ravel()
    return hot.reshape(scores.shape)


def max_capture(counts: np.ndarray, area: float, cell_areas: np.ndarray | None = None) -> float:
    """n*: the most incidents cells of total area ``area`` can hold.

    Equal cells: the sum of the k largest counts, k = area / cell area (exact). Unequal cells
    (clipped hexagons): the fractional greedy optimum by count per m², which is an upper bound on
    the true n*, so the PEI reported is conservative.
    """
    c = np.asarray(counts, dtype=np.float64).ravel()
    if cell_areas is None:
        raise ValueError("cell areas are needed: pass one area per cell")
    ar = np.broadcast_to(np.asarray(cell_areas, dtype=np.float64), c.shape).ravel()
    if np.allclose(ar, ar[0]):
        k = round(area / ar[0])
        return float(np.sort(c)[::-1][:k].sum())
    order = np.argsort(-c / ar, kind="stable")
    cum_a = np.cumsum(ar[order])
    full = np.searchsorted(cum_a, area, side="right")
    total = float(c[order][:full].sum())
    if full < c.size:
        left = area - (cum_a[full - 1] if full > 0 else 0.0)
        total += c[order][full] * left / ar[order][full]
    return total


@dataclass(frozen=True)
class HotspotEvaluation:
    """Hit rate, PAI and PEI of one set of hot cells against one set of counts."""

    n: float
    N: float
    a: float
    A: float
    n_star: float
    hit_rate: Measure
    pai: Measure
    pei: Measure
    n_hot_cells: int


def evaluate_hot_cells(hot: np.ndarray, counts: np.ndarray, *, cell_area: float | np.ndarray,
                       mask: np.ndarray | None = None) -> HotspotEvaluation:
    """Score hot cells against incident counts on the same cells (hit rate, PAI, PEI)."""
    hot = np.asarray(hot, dtype=bool)
    counts = np.asarray(counts, dtype=np.float64)
    if hot.shape != counts.shape:
        raise ValueError("hot cells and counts must be on the same grid")
    m = np.ones(hot.shape, dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    areas = np.broadcast_to(np.asarray(cell_area, dtype=np.float64), hot.shape)
    hot = hot & m
    if not hot.any():
        raise ValueError("there are no hot cells (no cell in the study area has a positive score)")
    n = float(counts[hot].sum())
    N = float(counts[m].sum())
    a = float(areas[hot].sum())
    A = float(areas[m].sum())
    n_star = max_capture(counts[m], a, areas[m])
    return HotspotEvaluation(n, N, a, A, n_star, hit_rate(n, N), pai(n, N, a, A),
                             pei(n, n_star) if n_star > 0 else Measure("PEI", math.nan, FORMULAS["pei"]),
                             int(hot.sum()))


# A hot spot method maps incidents of the fitting period to a score per cell of a grid.
Method = Callable[[np.ndarray, np.ndarray, GridSpec], np.ndarray]


def counts_method() -> Method:
    """Last period's counts per cell (the naive 'where it happened' forecast)."""
    def run(x: np.ndarray, y: np.ndarray, grid: GridSpec) -> np.ndarray:
        return square_counts(x, y, grid=grid).counts

    return run


def kde_method(**kde_kwargs) -> Method:
    """Kernel density with the given :func:`kde.kde` keyword arguments, on the test grid."""
    from hotspot_desktop.core.analysis.kde import kde

    def run(x: np.ndarray, y: np.ndarray, grid: GridSpec) -> np.ndarray:
        return kde(x, y, grid=grid, **kde_kwargs).values

    return run


def default_methods() -> dict[str, Method]:
    return {
        "Grid counts": counts_method(),
        "KDE quartic, normal-reference bandwidth": kde_method(kernel="quartic", bandwidth_rule="nrd"),
        "KDE quartic, ArcGIS bandwidth": kde_method(kernel="quartic", bandwidth_rule="arcgis"),
    }


@dataclass(frozen=True)
class ProspectiveRow:
    method: str
    hit_rate: float
    pai: float
    pei: float
    rri: float
    hit_rate_fit: float
    n_hot_cells: int
    hot_area_km2: float


@dataclass(frozen=True)
class ProspectiveTable:
    """Methods fitted on one period and scored on the next, side by side."""

    rows: tuple[ProspectiveRow, ...]
    grid: GridSpec
    top_fraction: float
    n_fit: float
    n_test: float
    formulas: dict
    rules: tuple[str, ...] = field(default_factory=tuple)

    def to_records(self) -> list[dict]:
        return [dict(r.__dict__) for r in self.rows]

    def best(self, by: str = "pei") -> ProspectiveRow:
        """The row with the highest value of ``by`` (NaN ranks last)."""
        return max(self.rows, key=lambda r: -math.inf if math.isnan(getattr(r, by)) else getattr(r, by))


def prospective_test(fit: tuple[np.ndarray, np.ndarray], test: tuple[np.ndarray, np.ndarray],
                     methods: Mapping[str, Method] | None = None, *, top_fraction: float = 0.05,
                     grid: GridSpec | None = None, cell_size: float | None = None,
                     study_area: BaseGeometry | None = None, progress: ProgressFn | None = None,
                     cancelled: CancelFn | None = None) -> ProspectiveTable:
    """Fit each method on the earlier period, take its top ``top_fraction`` of the area as hot
    spots, and score them on the later period: hit rate, PAI, PEI and RRI per method.

    All methods share one grid (from both periods' robust extent, or the study area), so their
    areas are identical and the numbers comparable. Default methods: last period's counts and the
    quartic KDE with the normal-reference and ArcGIS bandwidth rules.
    """
    fx, fy = (np.asarray(v, dtype=np.float64) for v in fit)
    tx, ty = (np.asarray(v, dtype=np.float64) for v in test)
    if fx.size == 0 or tx.size == 0:
        raise ValueError("both the fitting and the test period need incidents")
    methods = dict(methods) if methods is not None else default_methods()
    rules: list[str] = []
    if grid is None:
        ext = robust_extent(np.concatenate([fx, tx]), np.concatenate([fy, ty]), study_area)
        rules.append(ext.rule)
        if cell_size is None:
            choice = default_cell_size(ext.bounds)
            cell_size = choice.cell_size
            rules.append(choice.rule)
        grid = grid_for_extent(ext.bounds, cell_size)
    fit_counts = square_counts(fx, fy, grid=grid, study_area=study_area)
    test_counts = square_counts(tx, ty, grid=grid, study_area=study_area)
    mask = fit_counts.mask
    rules.append(f"hot spots = top {top_fraction:.1%} of the study area's cells by each method's score")
    rows = []
    for i, (name, method) in enumerate(methods.items()):
        checkpoint(progress, cancelled, i / max(len(methods), 1), f"fitting {name}")
        scores = np.asarray(method(fx, fy, grid), dtype=np.float64)
        hot = hot_cells(scores, top_fraction, mask)
        if not hot.any():
            rules.append(f"{name}: no cell scored above zero, so it has no hot spots")
            rows.append(ProspectiveRow(name, math.nan, math.nan, math.nan, math.nan, math.nan, 0, 0.0))
            continue
        ev = evaluate_hot_cells(hot, test_counts.counts, cell_area=grid.cell_area, mask=mask)
        n_fit = float(fit_counts.counts[hot & mask].sum())
        N_fit = float(fit_counts.counts[mask].sum())
        r = rri(ev.n, ev.N, n_fit, N_fit).value if n_fit > 0 else math.nan
        rows.append(ProspectiveRow(name, ev.hit_rate.value, ev.pai.value, ev.pei.value, r, n_fit / N_fit,
                                   ev.n_hot_cells, ev.a / 1e6))
    checkpoint(progress, cancelled, 1.0, "scored")
    return ProspectiveTable(tuple(rows), grid, top_fraction, float(fit_counts.counts[mask].sum()),
                            float(test_counts.counts[mask].sum()), dict(FORMULAS), tuple(rules))
