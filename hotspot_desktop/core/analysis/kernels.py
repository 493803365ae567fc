"""Kernel functions for density estimation, as functions of u² = d²/h² (h = support radius).

Raw forms follow QGIS's heatmap (``src/analysis/raster/qgskde.cpp``): value 1 at the incident,
0 beyond h. The density forms multiply the raw kernel by ``norm / h²`` so each incident's kernel
integrates to 1 over the plane (Silverman 1986, Table 3.1 in 2-D; ArcGIS and CrimeStat use the
quartic one):

=============  ==========================  =========================================
kernel         raw K(d)                    density
=============  ==========================  =========================================
quartic        (1 − d²/h²)²                3/(πh²) · (1 − d²/h²)²
triweight      (1 − d²/h²)³                4/(πh²) · (1 − d²/h²)³
epanechnikov   1 − d²/h²                   2/(πh²) · (1 − d²/h²)
uniform        1                           1/(πh²)
triangular     1 − (1 − decay)·d/h         3/((1 + 2·decay)πh²) · (1 − (1 − decay)d/h)
gaussian       exp(−d²/(2σ²)), σ = h/4     exp(−d²/(2σ²)) / (2πσ²(1 − e⁻⁸))
=============  ==========================  =========================================

The Gaussian follows MASS ``kde2d`` (sd = h/4) and is truncated at d = h = 4σ, where it has
fallen to e⁻⁸ ≈ 3.4·10⁻⁴ of its peak; the factor 1/(1 − e⁻⁸) renormalises the truncated kernel
so it still integrates to exactly 1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from collections.abc import Callable

import numpy as np

__all__ = ["Kernel", "KERNELS", "get_kernel"]

_E8 = math.exp(-8.0)


@dataclass(frozen=True)
class Kernel:
    """A radially symmetric kernel with compact support of radius h."""

    name: str
    label: str
    norm: float  # density = norm / h² · raw
    # In-place raw evaluation on an array of u² values (d²/h²); returns the same array.
    raw_inplace: Callable[[np.ndarray], np.ndarray]
    # Linear-binning error per incident in raw units, as a function of (cell / h); None = no
    # useful bound (discontinuous kernel). See kde._fast_error_bound.
    binning_error: Callable[[float], float] | None
    smooth: bool  # continuous first derivative: fast (binned FFT) mode is accurate

    def raw(self, d: np.ndarray, h: float | np.ndarray) -> np.ndarray:
        """Raw kernel value at distances ``d`` (not in place)."""
        u2 = (np.asarray(d, dtype=np.float64) / h) ** 2
        return self.raw_inplace(np.array(u2, dtype=np.float64, copy=True))

    def density(self, d: np.ndarray, h: float | np.ndarray) -> np.ndarray:
        """Kernel value per m² at distances ``d``; integrates to 1 over the plane."""
        return self.raw(d, h) * (self.norm / np.asarray(h, dtype=np.float64) ** 2)


def _quartic(u2: np.ndarray) -> np.ndarray:
    np.subtract(1.0, u2, out=u2)
    np.maximum(u2, 0.0, out=u2)
    np.multiply(u2, u2, out=u2)
    return u2


def _triweight(u2: np.ndarray) -> np.ndarray:
    np.subtract(1.0, u2, out=u2)
    np.maximum(u2, 0.0, out=u2)
    t = u2 * u2
    np.multiply(u2, t, out=u2)
    return u2


def _epanechnikov(u2: np.ndarray) -> np.ndarray:
    np.subtract(1.0, u2, out=u2)
    np.maximum(u2, 0.0, out=u2)
    return u2


def _uniform(u2: np.ndarray) -> np.ndarray:
    inside = u2 <= 1.0
    u2[...] = inside
    return u2


def _make_triangular(decay: float) -> Callable[[np.ndarray], np.ndarray]:
    def tri(u2: np.ndarray) -> np.ndarray:
        inside = u2 <= 1.0
        np.sqrt(u2, out=u2)
        np.multiply(u2, -(1.0 - decay), out=u2)
        np.add(u2, 1.0, out=u2)
        u2[~inside] = 0.0
        return u2

    return tri


def _gaussian(u2: np.ndarray) -> np.ndarray:
    inside = u2 <= 1.0
    np.multiply(u2, -8.0, out=u2)
    np.exp(u2, out=u2)
    u2[~inside] = 0.0
    return u2


# Linear-binning error bounds, per incident, in raw kernel units (q = cell / h).
# Bilinear interpolation error of a C² function is at most δ²/8 · (sup|K_xx| + sup|K_yy|)
# (e.g. de Boor, A Practical Guide to Splines); sup|K_xx| is 8/h² (quartic), 6/h² (triweight),
# 16/h² (Gaussian, 1/σ², plus its e⁻⁸ truncation step). For Lipschitz kernels the interpolant is a
# convex combination of values at corners ≤ √2·δ away: error ≤ L·√2·δ.
KERNELS: dict[str, Kernel] = {
    "quartic": Kernel("quartic", "Quartic (biweight)", 3.0 / math.pi, _quartic,
                      lambda q: 2.0 * q * q, True),
    "triweight": Kernel("triweight", "Triweight", 4.0 / math.pi, _triweight,
                        lambda q: 1.5 * q * q, True),
    "epanechnikov": Kernel("epanechnikov", "Epanechnikov", 2.0 / math.pi, _epanechnikov,
                           lambda q: 2.0 * math.sqrt(2.0) * q, False),
    "uniform": Kernel("uniform", "Uniform (disc)", 1.0 / math.pi, _uniform, None, False),
    "triangular": Kernel("triangular", "Triangular", 3.0 / math.pi, _make_triangular(0.0),
                         lambda q: math.sqrt(2.0) * q, False),
    "gaussian": Kernel("gaussian", "Gaussian (sd = h/4, truncated at h)", 8.0 / (math.pi * (1.0 - _E8)),
                       _gaussian, lambda q: 4.0 * q * q + _E8, True),
}


def get_kernel(name: str, decay: float = 0.0) -> Kernel:
    """Look up a kernel by name; ``decay`` (0 ≤ decay < 1) shapes the triangular kernel as in QGIS."""
    key = name.lower()
    if key == "biweight":
        key = "quartic"
    if key not in KERNELS:
        raise ValueError(f"unknown kernel {name!r}: choose one of {', '.join(KERNELS)}")
    if key == "triangular" and decay != 0.0:
        if not 0.0 <= decay < 1.0:
            raise ValueError("the triangular kernel's decay must be in [0, 1)")
        return Kernel("triangular", f"Triangular (decay {decay:g})", 3.0 / ((1.0 + 2.0 * decay) * math.pi),
                      _make_triangular(decay), lambda q: (1.0 - decay) * math.sqrt(2.0) * q, False)
    return KERNELS[key]
