"""Process-wide memory settings, made once when the package is imported."""

from __future__ import annotations

import os

HUGE_PAGE_ENV = "NUMPY_MADVISE_HUGEPAGE"


def limit_huge_pages() -> bool:
    """Stop numpy asking the kernel for transparent huge pages on new arrays; returns whether
    the setting was changed.

    numpy marks every new array of 4 MB or more with ``madvise(MADV_HUGEPAGE)``. Under Linux's
    default huge-page ``defrag`` setting ("madvise"), the first touch of memory so marked may
    compact memory synchronously to find a free 2 MB page. A first load of a million incidents
    stalled 20-90 ms on it (``bench/bench_loader.py``: 0.29-0.37 s, then 0.26-0.28 s without);
    kernel density and the canvas benchmarks time the same either way. Memory numpy already
    holds keeps its pages. A value of ``NUMPY_MADVISE_HUGEPAGE`` in the environment wins.
    """
    if HUGE_PAGE_ENV in os.environ:
        return False
    try:
        from numpy._core.multiarray import _set_madvise_hugepage
    except ImportError:  # numpy 1.x
        try:
            from numpy.core.multiarray import _set_madvise_hugepage
        except ImportError:
            return False
    _set_madvise_hugepage(False)
    return True
