"""Conditional permutation inference for local statistics (Anselin 1995, section 4).

For observation i the value xᵢ is held fixed and the other n − 1 values are permuted over its
kᵢ neighbours; the statistic recomputed each time gives a reference distribution. As in esda's
``crand`` (Rey et al.), one set of P draws of k_max indices from the n − 1 other observations is
shared by all i (index j ≥ i shifts by one to skip i itself), which keeps the work at
O(P·Σkᵢ). The pseudo p-value is folded toward the nearer tail:

    p_sim = (min(#{sim ≥ obs}, P − #{sim ≥ obs}) + 1) / (P + 1),

i.e. one-sided in the direction the observation lies (esda's ``p_sim``, GeoDa's pseudo p).
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import scipy.sparse as sp

from hotspot_desktop.core.progress import CancelFn, ProgressFn, checkpoint

# Working-set cap for the (chunk, P, k) gather of permuted values, in array elements.
_CHUNK_ELEMENTS = 8_000_000


def permutation_pvalues(
    x: np.ndarray,
    neighbours: sp.csr_matrix,
    statistic: Callable[[np.ndarray, np.ndarray], np.ndarray],
    permutations: int,
    seed: int | None,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> np.ndarray:
    """Folded pseudo p-values of a local statistic under conditional permutation.

    ``neighbours`` holds the weights wᵢⱼ for j ≠ i (its diagonal is ignored); ``statistic(idx,
    lag)`` maps the observations ``idx`` and their lags Σⱼ wᵢⱼ xⱼ (shape (len(idx), P) for the
    permuted lags, (len(idx),) for the observed) to the statistic, so the same function scores
    the observation and its permutations.
    """
    if permutations < 1:
        raise ValueError("permutations must be >= 1")
    x = np.asarray(x, dtype=np.float64)
    n = x.size
    w = sp.csr_matrix(neighbours, dtype=np.float64, copy=True)
    w.setdiag(0.0)
    w.eliminate_zeros()
    w.sort_indices()
    card = np.diff(w.indptr)
    kmax = int(card.max()) if n else 0
    observed = statistic(np.arange(n), w @ x)
    if kmax == 0:
        return np.full(n, np.nan)
    if kmax > n - 1:
        raise ValueError("a row has more neighbours than there are other observations")
    # padded weights: row i holds its kᵢ weights then zeros, so padded draws add nothing
    pad = np.zeros((n, kmax))
    rows = np.repeat(np.arange(n), card)
    cols = np.arange(w.nnz) - np.repeat(w.indptr[:-1], card)
    pad[rows, cols] = w.data
    rng = np.random.default_rng(seed)
    draws = np.stack([rng.choice(n - 1, size=kmax, replace=False) for _ in range(permutations)])
    # Drawn index d stands for observation d + 1[d >= i] (i itself is skipped), so the permuted
    # value is x[d] + 1[d >= i]·(x[d+1] − x[d]): the gather from x happens once for all i and the
    # per-observation work is a comparison on a small (P, k) array that stays in cache.
    xd = x[draws]
    delta = x[np.minimum(draws + 1, n - 1)] - xd
    p = np.full(n, np.nan)
    chunk = max(1, _CHUNK_ELEMENTS // (permutations * kmax))
    for start in range(0, n, chunk):
        checkpoint(progress, cancelled, start / n, "permutations")
        idx = np.arange(start, min(n, start + chunk))
        shifted = np.where(draws[None, :, :] >= idx[:, None, None], delta[None, :, :], 0.0)
        lag = pad[idx] @ xd.T + np.matmul(shifted, pad[idx][:, :, None])[:, :, 0]
        sims = statistic(idx, lag)
        larger = (sims >= observed[idx, None]).sum(axis=1)
        larger = np.minimum(larger, permutations - larger)
        p[idx] = (larger + 1.0) / (permutations + 1.0)
    p[card == 0] = np.nan  # islands have no neighbours to permute
    checkpoint(progress, cancelled, 1.0, "permutations")
    return p
