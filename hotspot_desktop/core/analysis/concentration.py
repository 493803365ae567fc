"""Crime concentration at places: Lorenz curve, Gini, generalised Gini and candidate zones.

Weisburd (2015) found about half of crime on 2-6% of street segments; the curve and the Gini
make that statement checkable for the analyst's own data. When incidents are fewer than places,
the standard Gini overstates concentration (most places must be empty even if crime were spread
as evenly as possible); Bernasco & Steenbeek (2017, J Quant Criminol 33:451-467) compare against
*maximal equality given the data* instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from scipy import ndimage

from hotspot_desktop.core.analysis.evaluation import hot_cells
from hotspot_desktop.core.analysis.grid import GridSpec

__all__ = ["ConcentrationCurve", "CandidateZones", "gini", "generalized_gini", "concentration_curve",
           "top_places_zones"]

GINI_FORMULA = "G = Σᵢ (2i − n − 1)·x₍ᵢ₎ / (n·Σx), places sorted ascending (n places)"
GENERALIZED_FORMULA = "G′ = max(1, n/N)·(G − 1) + 1 (Bernasco & Steenbeek 2017; N incidents, n places)"


def _counts(counts: np.ndarray) -> np.ndarray:
    c = np.asarray(counts, dtype=np.float64).ravel()
    c = c[np.isfinite(c)]
    if c.size == 0:
        raise ValueError("no places to measure concentration over")
    if (c < 0).any():
        raise ValueError("counts must be non-negative")
    if c.sum() <= 0:
        raise ValueError("no incidents at any place: concentration is undefined")
    return c


def gini(counts: np.ndarray) -> float:
    """Gini coefficient of incident counts over places (the 'biased' sample form of DescTools::Gini).

    G = Σᵢ (2i − n − 1)·x₍ᵢ₎ / (n·Σx) with x sorted ascending, i = 1..n. 0 = every place has the same
    count; (n − 1)/n = all incidents at one place.
    """
    c = np.sort(_counts(counts))
    n = c.size
    i = np.arange(1, n + 1)
    return float(((2 * i - n - 1) * c).sum() / (n * c.sum()))


def generalized_gini(counts: np.ndarray, *, unbiased: bool = False) -> float:
    """Generalised Gini for sparse data (Bernasco & Steenbeek 2017): G′ = max(1, n/N)·(G − 1) + 1.

    With N incidents at n places and N < n, maximal equality is N places with one incident each;
    G′ is 0 there and equals G whenever N ≥ n (``lorenzgini::gini(unbiased = FALSE)``). With
    ``unbiased=True`` it is multiplied by m/(m − 1), m = min(n, N), so that all incidents at one
    place give exactly 1 (the small-sample correction of the lorenzgini package).
    """
    c = _counts(counts)
    g = max(1.0, c.size / c.sum()) * (gini(c) - 1.0) + 1.0
    if unbiased:
        m = min(c.size, c.sum())
        if m <= 1:
            raise ValueError("the unbiased generalised Gini needs at least two places and two incidents")
        g *= m / (m - 1.0)
    return float(g)


@dataclass(frozen=True)
class ConcentrationCurve:
    """Share of incidents in the top x share of places (places ranked by count, highest first)."""

    place_share: np.ndarray  # 0, 1/n, ..., 1
    incident_share: np.ndarray  # cumulative share of incidents, same length
    equality_share: np.ndarray  # maximal equality given the data (generalised Lorenz line)
    gini: float
    generalized_gini: float
    n_places: int
    n_incidents: float
    formulas: dict = field(default_factory=dict)

    def share_in_top(self, fraction: float) -> float:
        """Share of incidents at the top ``fraction`` of places (linear between places)."""
        return float(np.interp(fraction, self.place_share, self.incident_share))

    def places_for_share(self, share: float) -> float:
        """Smallest share of places holding ``share`` of the incidents (e.g. 0.5 -> 'half of crime')."""
        i = int(np.searchsorted(self.incident_share, share - 1e-12, side="left"))
        return float(self.place_share[min(i, self.place_share.size - 1)])

    def summary(self) -> str:
        return (f"{self.places_for_share(0.5):.1%} of places hold 50% of incidents; top 5% of places hold "
                f"{self.share_in_top(0.05):.1%}; Gini {self.gini:.3f}, generalised Gini {self.generalized_gini:.3f}")


def concentration_curve(counts: np.ndarray) -> ConcentrationCurve:
    """Concentration (Lorenz) curve of counts per place, with Gini and generalised Gini.

    NaN entries (places outside the study area) are ignored; zero-count places are places.
    """
    c = _counts(counts)
    desc = np.sort(c)[::-1]
    n, total = c.size, float(c.sum())
    place = np.arange(n + 1) / n
    share = np.concatenate([[0.0], np.cumsum(desc) / total])
    equality = np.minimum(place * n / min(total, n), 1.0)
    return ConcentrationCurve(place, share, equality, gini(c), generalized_gini(c), n, total,
                              {"gini": GINI_FORMULA, "generalized_gini": GENERALIZED_FORMULA})


@dataclass(frozen=True)
class CandidateZones:
    """Dissolved hot cells as zone polygons, largest number of incidents first."""

    polygons: np.ndarray  # object array of shapely (Multi)Polygons
    counts: np.ndarray  # incidents (or score sum when no counts given) per zone
    areas: np.ndarray  # m²
    n_cells: np.ndarray
    top_fraction: float
    rule: str

    def to_geodataframe(self, crs=None):
        import geopandas as gpd

        return gpd.GeoDataFrame({"rank": np.arange(1, self.counts.size + 1), "incidents": self.counts,
                                 "area_m2": self.areas, "cells": self.n_cells}, geometry=self.polygons, crs=crs)


def top_places_zones(scores: np.ndarray, grid: GridSpec, top_fraction: float = 0.05, *,
                     counts: np.ndarray | None = None, mask: np.ndarray | None = None) -> CandidateZones:
    """Turn the top ``top_fraction`` of cells (by ``scores``) into candidate zone polygons.

    Hot cells (see :func:`evaluation.hot_cells`) that share an edge are dissolved into one polygon
    (4-connectivity, so two cells touching only at a corner stay two zones). Zones are ranked by
    the incidents they hold (``counts`` on the same grid; the score sum without counts).
    """
    scores = np.asarray(scores, dtype=np.float64)
    if scores.shape != grid.shape:
        raise ValueError("scores must be on the grid")
    hot = hot_cells(scores, top_fraction, mask)
    labels, n = ndimage.label(hot)
    weights = np.nan_to_num(scores if counts is None else np.asarray(counts, dtype=np.float64))
    idx = np.arange(1, n + 1)
    totals = np.asarray(ndimage.sum(weights, labels, idx), dtype=np.float64).reshape(-1)
    n_cells = np.asarray(ndimage.sum(hot, labels, idx), dtype=np.int64).reshape(-1)
    boxes = grid.cell_polygons(hot)
    lab = labels[hot]
    polys = np.empty(n, dtype=object)
    for k in range(n):
        polys[k] = shapely.coverage_union_all(boxes[lab == k + 1])
    order = np.lexsort((idx, -totals))
    rule = (f"zones = cells in the top {top_fraction:.1%} of the area by score, dissolved where they share an edge; "
            f"ranked by {'incidents' if counts is not None else 'score'}")
    return CandidateZones(polys[order] if n else np.empty(0, dtype=object), totals[order], n_cells[order] *
                          grid.cell_area, n_cells[order], top_fraction, rule)
