"""Public-release protection: no incident-level location leaves the agency in public mode.

Two ways to publish incidents (Wieland et al. 2008; Hampton et al. 2010, "Mapping health data:
improved privacy protection with donut method geomasking", *Am. J. Epidemiol.* 172(9);
Allshouse et al. 2010):
* aggregates: counts per grid square or hexagon with small counts suppressed (shown as
  "fewer than k"), so a single household cannot be singled out;
* donut geomasking: every point is moved in a random direction by a random distance between
  a minimum (so no point stays at or near its true location) and a maximum (so the pattern
  survives); distances are drawn uniformly over the donut's *area*, r = √U(r_min², r_max²).

Community input (survey responses, service requests: point layers with role ``community``) is
as sensitive as incidents (it is often the respondent's home address), so every rule here
applies to it too: public exports aggregate or geomask every point layer, whatever its role.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


class PublicReleaseRefused(PermissionError):
    """Raised when an export would publish incident-level locations or attributes."""


@dataclass(frozen=True)
class DonutMask:
    x: np.ndarray
    y: np.ndarray
    min_m: float
    max_m: float
    seed: int

    def describe(self) -> str:
        return (f"Locations geomasked (donut method): each point moved {self.min_m:g}–{self.max_m:g} m in a "
                f"random direction (seed {self.seed}).")


def donut_mask(x: np.ndarray, y: np.ndarray, *, min_m: float = 100.0, max_m: float = 400.0, seed: int = 0) -> DonutMask:
    """Displace each point by a distance in [min_m, max_m] (uniform over the donut's area)."""
    if not 0 < min_m < max_m:
        raise ValueError("donut masking needs 0 < minimum displacement < maximum displacement")
    rng = np.random.default_rng(seed)
    n = len(x)
    r = np.sqrt(rng.uniform(min_m**2, max_m**2, n))
    a = rng.uniform(0, 2 * np.pi, n)
    return DonutMask(np.asarray(x, float) + r * np.cos(a), np.asarray(y, float) + r * np.sin(a), min_m, max_m, seed)


def suppress_small_counts(counts: np.ndarray, threshold: int = 5) -> tuple[np.ndarray, int]:
    """Counts with every cell in 1..threshold−1 replaced by NaN (shown as "fewer than k").

    Zero stays zero (an empty cell reveals nobody). Returns the array and how many cells were
    suppressed.
    """
    c = np.asarray(counts, dtype=float).copy()
    small = (c > 0) & (c < threshold)
    c[small] = np.nan
    return c, int(small.sum())
