"""Global tests of clustering of incident points: Clark–Evans nearest-neighbour index.

Clark, P. J. & Evans, F. C. (1954) "Distance to nearest neighbor as a measure of spatial
relationships in populations", Ecology 35(4):445-453. For n points in a study area A, with r̄
the observed mean distance from each point to its nearest neighbour:

    r̄_E = ½ √(A/n),   SE = 0.26136 / √(n²/A),   R = r̄ / r̄_E,   z = (r̄ − r̄_E) / SE

R < 1 means clustering (the incidents are closer together than under complete spatial
randomness), R > 1 dispersion. CrimeStat and ArcGIS ("Average Nearest Neighbor") report these.

Points near the boundary have their true nearest neighbour cut off, which inflates r̄; Donnelly
(1978, "Simulations to determine the variance and edge effect of total nearest neighbour
distance", in Hodder (ed.) Simulation Methods in Archaeology, 91-95) corrects with the area's
perimeter P:

    r̄_E = ½ √(A/n) + (0.0514 + 0.041/√n) · P/n,   Var = 0.0703 · A/n² + 0.037 · P · √(A/n⁵)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from scipy import special
from scipy.spatial import cKDTree

__all__ = ["ClarkEvansResult", "clark_evans"]

EdgeCorrection = Literal["none", "donnelly"]


@dataclass(frozen=True)
class ClarkEvansResult:
    """R (nearest-neighbour index), its z-score, two-sided p and one-sided p of clustering."""

    R: float
    z: float
    p: float
    p_clustered: float  # P(Z ≤ z): small when the points are clustered
    observed_mean: float
    expected_mean: float
    se: float
    n: int
    area: float
    perimeter: float | None
    edge_correction: str


def clark_evans(
    x: Any,
    y: Any,
    *,
    area: float | None = None,
    perimeter: float | None = None,
    study_area: Any = None,
    edge_correction: EdgeCorrection = "none",
) -> ClarkEvansResult:
    """Clark–Evans R and z for points (metres) in a study area.

    Give the area as ``area`` (m², and ``perimeter`` in m for Donnelly's correction) or as a
    shapely polygon ``study_area``, whose area and boundary length are used. The area must be
    the real study area: the points' bounding box would understate it and hide clustering.
    """
    x = np.asarray(x, dtype=np.float64).ravel()
    y = np.asarray(y, dtype=np.float64).ravel()
    if x.shape != y.shape:
        raise ValueError("x and y must have the same length")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError("coordinates must be finite")
    n = x.size
    if n < 2:
        raise ValueError("Clark-Evans needs at least 2 points")
    if study_area is not None:
        area = float(study_area.area)
        perimeter = float(study_area.length)
    if area is None or not area > 0:
        raise ValueError("a positive study area (m²) is required")
    d, _ = cKDTree(np.column_stack([x, y])).query(np.column_stack([x, y]), k=2)
    observed = float(d[:, 1].mean())
    if edge_correction == "none":
        expected = 0.5 * np.sqrt(area / n)
        se = 0.26136 / np.sqrt(n * n / area)
    elif edge_correction == "donnelly":
        if perimeter is None or not perimeter > 0:
            raise ValueError("Donnelly's edge correction needs the study area's perimeter")
        expected = 0.5 * np.sqrt(area / n) + (0.0514 + 0.041 / np.sqrt(n)) * perimeter / n
        se = np.sqrt(0.0703 * area / n ** 2 + 0.037 * perimeter * np.sqrt(area / n ** 5))
    else:
        raise ValueError("edge_correction must be 'none' or 'donnelly'")
    z = (observed - expected) / se
    return ClarkEvansResult(
        R=float(observed / expected), z=float(z), p=float(special.erfc(abs(z) / np.sqrt(2.0))),
        p_clustered=float(special.ndtr(z)), observed_mean=observed, expected_mean=float(expected), se=float(se),
        n=int(n), area=float(area), perimeter=None if perimeter is None else float(perimeter),
        edge_correction=edge_correction)
