"""Mann–Kendall trend test, vectorised over many series (one per grid cell).

Mann (1945), Kendall (1975): S = Σ_{i<j} sgn(x_j − x_i);
Var(S) = [n(n−1)(2n+5) − Σ_g t_g(t_g−1)(2t_g+5)] / 18 (t_g = size of tie group g);
z = (S − sgn(S)) / √Var(S) (continuity correction), p = 2(1 − Φ(|z|)); Kendall's τ-b =
S / √[(n₀ − n₁)(n₀ − n₂)] with n₀ = n(n−1)/2 and n₁ = n₂ = Σ t_g(t_g−1)/2 (time has no ties).
This is the trend test of ESRI's emerging hot spot analysis and of sfdep (Kendall::MannKendall).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class MannKendall:
    s: np.ndarray
    variance: np.ndarray
    z: np.ndarray
    p: np.ndarray
    tau: np.ndarray


def _tie_terms(series: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row: Σ t(t−1)(2t+5) and Σ t(t−1)/2 over tie groups."""
    m, n = series.shape
    srt = np.sort(series, axis=1)
    new_group = np.ones((m, n), dtype=bool)
    new_group[:, 1:] = srt[:, 1:] != srt[:, :-1]
    group_id = np.cumsum(new_group.ravel()) - 1
    sizes = np.bincount(group_id).astype(float)
    row_of_group = np.repeat(np.arange(m), new_group.sum(axis=1))
    var_term = np.bincount(row_of_group, weights=sizes * (sizes - 1) * (2 * sizes + 5), minlength=m)
    pair_term = np.bincount(row_of_group, weights=sizes * (sizes - 1) / 2, minlength=m)
    return var_term, pair_term


def mann_kendall(series: np.ndarray, chunk: int = 4096) -> MannKendall:
    """Mann–Kendall test of each row of ``series`` (rows = cells, columns = time steps)."""
    from scipy.stats import norm  # loaded on first use: the GUI imports this module at start-up

    x = np.atleast_2d(np.asarray(series, dtype=float))
    m, n = x.shape
    if n < 3:
        raise ValueError("the Mann–Kendall test needs at least 3 time steps")
    s = np.zeros(m)
    iu, ju = np.triu_indices(n, k=1)
    for a in range(0, m, chunk):
        blk = x[a:a + chunk]
        s[a:a + chunk] = np.sign(blk[:, ju] - blk[:, iu]).sum(axis=1)
    var_term, pair_term = _tie_terms(x)
    variance = (n * (n - 1) * (2 * n + 5) - var_term) / 18.0
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(variance > 0, (s - np.sign(s)) / np.sqrt(variance), 0.0)
        n0 = n * (n - 1) / 2
        tau = np.where(n0 - pair_term > 0, s / np.sqrt(n0 * (n0 - pair_term)), 0.0)
    p = 2 * (1 - norm.cdf(np.abs(z)))
    return MannKendall(s, variance, z, p, tau)
