import numpy as np
import pytest

from hotspot_desktop.core.privacy import donut_mask, suppress_small_counts


def test_donut_mask_moves_every_point_within_bounds():
    rng = np.random.default_rng(0)
    x, y = rng.uniform(0, 1e4, 5000), rng.uniform(0, 1e4, 5000)
    m = donut_mask(x, y, min_m=50, max_m=300, seed=3)
    d = np.hypot(m.x - x, m.y - y)
    assert d.min() >= 50 - 1e-9 and d.max() <= 300 + 1e-9
    assert not np.any((m.x == x) & (m.y == y))
    again = donut_mask(x, y, min_m=50, max_m=300, seed=3)
    np.testing.assert_array_equal(m.x, again.x)
    with pytest.raises(ValueError):
        donut_mask(x, y, min_m=0, max_m=10)


def test_small_counts_are_suppressed_but_zeros_kept():
    c, n = suppress_small_counts(np.array([[0, 1, 4], [5, 9, 2]]), threshold=5)
    assert n == 3 and c[0, 0] == 0 and np.isnan(c[0, 1]) and c[1, 0] == 5
