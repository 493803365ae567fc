"""The conditional permutation engine against a plain loop over the same draws."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from hotspot_desktop.core.analysis.permutation import permutation_pvalues


def test_engine_equals_naive_loop_with_the_same_draws():
    rng = np.random.default_rng(0)
    n, perms, seed = 40, 199, 17
    x = rng.normal(size=n)
    dense = (rng.random((n, n)) < 0.15) * rng.uniform(0.5, 2.0, (n, n))
    np.fill_diagonal(dense, 0.0)
    dense[7] = 0.0  # an island
    w = sp.csr_matrix(dense)

    def stat(idx, lag):
        return lag * (x[idx][:, None] if lag.ndim == 2 else x[idx])

    got = permutation_pvalues(x, w, stat, perms, seed)
    # the same draws the engine makes: P rows of k_max indices among the n - 1 others
    kmax = int(np.diff(w.indptr).max())
    r = np.random.default_rng(seed)
    draws = np.stack([r.choice(n - 1, size=kmax, replace=False) for _ in range(perms)])
    for i in range(n):
        cols = w.indices[w.indptr[i]:w.indptr[i + 1]]
        if cols.size == 0:
            assert np.isnan(got[i])
            continue
        others = np.delete(x, i)
        vals = w.data[w.indptr[i]:w.indptr[i + 1]]
        sims = np.array([others[d[:cols.size]] @ vals for d in draws]) * x[i]
        obs = (dense[i] @ x) * x[i]
        larger = int((sims >= obs).sum())
        expected = (min(larger, perms - larger) + 1) / (perms + 1)
        assert got[i] == expected, i
