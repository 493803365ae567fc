"""Bandwidth (search radius) rules for kernel density, each with the text the GUI shows.

Bandwidths here are the kernel's **support radius h** in metres: every kernel in
:mod:`hotspot_desktop.core.analysis.kde` is zero beyond h (the Gaussian is truncated there).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.spatial import cKDTree

__all__ = ["BandwidthChoice", "bandwidth_nrd", "bandwidth_arcgis", "auto_bandwidth", "knn_bandwidths",
           "BandwidthRule"]

BandwidthRule = Literal["nrd", "arcgis"]


@dataclass(frozen=True)
class BandwidthChoice:
    bandwidth: float
    rule: str  # "nrd", "arcgis", "fixed"
    text: str


def _check(x: np.ndarray, y: np.ndarray, weights: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=np.float64)
    if x.size == 0:
        raise ValueError("no incidents: a bandwidth cannot be estimated")
    if x.size < 2 or np.count_nonzero(w) < 2:
        raise ValueError("a bandwidth rule needs at least two incidents; give a fixed bandwidth in metres")
    if np.ptp(x[w > 0]) == 0 and np.ptp(y[w > 0]) == 0:
        raise ValueError("all incidents are at the same location, so their spread is zero and no bandwidth "
                         "rule applies; give a fixed bandwidth in metres")
    return x, y, w


def _weighted_quantile(v: np.ndarray, w: np.ndarray, q: float) -> float:
    order = np.argsort(v, kind="stable")
    v, w = v[order], w[order]
    cw = np.cumsum(w)
    return float(np.interp(q * cw[-1], cw - 0.5 * w, v))


def bandwidth_nrd(x: np.ndarray, y: np.ndarray, weights: np.ndarray | None = None) -> BandwidthChoice:
    """Normal-reference rule of MASS ``bandwidth.nrd`` (Venables & Ripley 2002), averaged over x and y.

    Per axis ``h = 4 · 1.06 · min(sd, IQR/1.34) · n^(-1/5)``; the factor 4 makes h a support-like
    width (MASS ``kde2d`` uses a Gaussian of sd h/4, which is also our Gaussian kernel's
    convention). The 2-D radius is the mean of the two axes, as sfhotspot uses it. Weights enter
    as frequency weights (n = sum of weights). An axis with zero spread is ignored.
    """
    x, y, w = _check(x, y, weights)
    n = float(w.sum())
    hs = []
    for v in (x, y):
        mean = float(np.average(v, weights=w))
        sd = math.sqrt(float(np.average((v - mean) ** 2, weights=w)) * n / max(n - 1.0, 1.0))
        iqr = _weighted_quantile(v, w, 0.75) - _weighted_quantile(v, w, 0.25) if weights is not None \
            else float(np.subtract(*np.percentile(v, [75, 25])))
        spread = min(sd, iqr / 1.34) if iqr > 0 else sd
        if spread > 0:
            hs.append(4.0 * 1.06 * spread * n ** -0.2)
    h = float(np.mean(hs))
    return BandwidthChoice(h, "nrd", f"bandwidth = normal-reference rule (MASS bandwidth.nrd: 4·1.06·min(sd, IQR/1.34)"
                                      f"·n^-1/5, mean of x and y) = {h:,.0f} m")


def bandwidth_arcgis(x: np.ndarray, y: np.ndarray, weights: np.ndarray | None = None) -> BandwidthChoice:
    """ArcGIS Kernel Density default search radius (ESRI, "How Kernel Density works").

    ``h = 0.9 · min(SD, √(1/ln 2) · Dm) · n^(-0.2)`` where SD is the standard distance from the
    (weighted) mean centre, Dm the (weighted) median distance to it, n the sum of weights. It is
    Silverman's rule of thumb made robust to outliers.
    """
    x, y, w = _check(x, y, weights)
    n = float(w.sum())
    mx, my = float(np.average(x, weights=w)), float(np.average(y, weights=w))
    d2 = (x - mx) ** 2 + (y - my) ** 2
    sd = math.sqrt(float(np.average(d2, weights=w)))
    dm = _weighted_quantile(np.sqrt(d2), w, 0.5) if weights is not None else float(np.median(np.sqrt(d2)))
    h = 0.9 * min(sd, math.sqrt(1.0 / math.log(2.0)) * dm) * n ** -0.2
    return BandwidthChoice(h, "arcgis", f"bandwidth = ArcGIS rule 0.9·min(SD, √(1/ln2)·Dm)·n^-0.2 = {h:,.0f} m")


def auto_bandwidth(x: np.ndarray, y: np.ndarray, rule: BandwidthRule = "nrd",
                   weights: np.ndarray | None = None) -> BandwidthChoice:
    """Dispatch on the rule name: ``"nrd"`` (default, as sfhotspot) or ``"arcgis"``."""
    if rule == "nrd":
        return bandwidth_nrd(x, y, weights)
    if rule == "arcgis":
        return bandwidth_arcgis(x, y, weights)
    raise ValueError(f"unknown bandwidth rule {rule!r}: use 'nrd' or 'arcgis'")


def knn_bandwidths(x: np.ndarray, y: np.ndarray, k: int, *, minimum: float, maximum: float | None = None) -> np.ndarray:
    """Adaptive bandwidth per incident: the distance to its k-th nearest other incident.

    The nearest-neighbour variable kernel (Silverman 1986, §5.2; CrimeStat's adaptive KDE): dense
    areas get narrow kernels, sparse areas wide ones. Distances are floored at ``minimum`` (the
    cell size, below which a kernel falls between cell centres, and for stacked duplicate
    addresses whose distance is zero) and capped at ``maximum`` if given.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if k < 1:
        raise ValueError("the adaptive k must be at least 1")
    if x.size <= k:
        raise ValueError(f"an adaptive bandwidth with k = {k} needs more than {k} incidents (got {x.size})")
    tree = cKDTree(np.column_stack([x, y]))
    d, _ = tree.query(np.column_stack([x, y]), k=[k + 1])  # the first neighbour is the point itself
    h = np.maximum(d[:, 0], minimum)
    if maximum is not None:
        h = np.minimum(h, maximum)
    return h
