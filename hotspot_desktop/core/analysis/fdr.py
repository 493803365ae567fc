"""False discovery rate control for the many tests a hot spot map makes at once.

A Gi* map tests every cell; at 95% confidence one cell in twenty of a crime-free city would
still come out "hot". Benjamini & Hochberg (1995, JRSS B 57(1):289-300) bound the expected share
of false discoveries instead: sort the m p-values p₍₁₎ ≤ … ≤ p₍ₘ₎ and reject the k smallest, where
k is the largest rank with p₍ₖ₎ ≤ (k/m)·α. Equivalently each test gets the adjusted p-value
(q-value)

    q₍ᵢ₎ = min_{k ≥ i} min(1, m·p₍ₖ₎ / k),

and a test is significant at level α after FDR correction iff q ≤ α. ArcGIS's "Apply False
Discovery Rate correction" option of Hot Spot Analysis uses the same procedure per confidence
level.
"""

from __future__ import annotations

import numpy as np

__all__ = ["benjamini_hochberg", "bh_significant"]


def benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values, same shape as ``p``.

    NaN entries (cells outside the study area) are neither counted in m nor adjusted; they stay
    NaN. The result is monotone in ``p`` and never below it.
    """
    p = np.asarray(p, dtype=np.float64)
    out = np.full(p.shape, np.nan)
    flat = p.ravel()
    valid = np.flatnonzero(~np.isnan(flat))
    m = valid.size
    if m == 0:
        return out
    if np.any((flat[valid] < 0) | (flat[valid] > 1)):
        raise ValueError("p-values must lie in [0, 1]")
    order = valid[np.argsort(flat[valid], kind="mergesort")]
    ranked = flat[order] * m / np.arange(1, m + 1)
    # the running minimum from the largest rank down makes q monotone (step-up procedure)
    q = np.minimum(np.minimum.accumulate(ranked[::-1])[::-1], 1.0)
    out_flat = out.ravel()
    out_flat[order] = q
    return out_flat.reshape(p.shape)


def bh_significant(p: np.ndarray, alpha: float) -> np.ndarray:
    """Boolean mask of the tests rejected by Benjamini–Hochberg at FDR level ``alpha``."""
    if not 0 < alpha < 1:
        raise ValueError("alpha must be in (0, 1)")
    q = benjamini_hochberg(p)
    return np.where(np.isnan(q), False, q <= alpha)
