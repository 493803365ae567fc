"""numpy arrays whose memory comes from Arrow's memory pool, for the loader's per-row columns.

A new numpy array of a million rows is fresh memory from the C library's allocator: the system
maps it on first touch one 4 KB page at a time (2,000 page faults, each clearing its page, for
8 MB), and unmaps it again when the array is freed. Arrow's pool (mimalloc or jemalloc) keeps the
memory it has freed and maps it in 2 MB pages, so the same array costs a handful of faults. That
is most of why a bare ``pyarrow.csv.read_csv`` of a 72 MB file makes 300 page faults and the
loader made 10,000 more on its first load. The arrays are ordinary writable numpy arrays; the
pool buffer lives as long as the array does.

The loader's row masks (one byte a row: 1 MB at a million rows) come from here too, through
``out=`` arguments: as numpy temporaries they were 40 MB of fresh memory per load of a million
rows, 6,000 page faults on a repeated load and 10,000 on the first (now under 1,000 and 2,000).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

MIN_POOLED_BYTES = 256 << 10  # smaller arrays come from the C allocator's own reused free lists


def empty(n: int, dtype: np.dtype | type | str) -> np.ndarray:
    """An uninitialised writable array of ``n`` values (Arrow's pool from 256 KB)."""
    dtype = np.dtype(dtype)
    nbytes = n * dtype.itemsize
    if nbytes < MIN_POOLED_BYTES:
        return np.empty(n, dtype=dtype)
    return np.frombuffer(pa.allocate_buffer(nbytes), dtype=dtype)


def full(n: int, value, dtype: np.dtype | type | str) -> np.ndarray:
    """``np.full`` in Arrow's pool (from 256 KB)."""
    out = empty(n, dtype)
    out.fill(value)
    return out


def bools(n: int) -> np.ndarray:
    """An uninitialised boolean mask of ``n`` rows (for ``out=``)."""
    return empty(n, np.bool_)
