"""Clark–Evans nearest-neighbour index: hand example and complete spatial randomness."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from shapely.geometry import box

from hotspot_desktop.core.analysis.global_tests import clark_evans


def test_hand_example_square():
    # four corners of a 10 m square in a 20 m x 20 m area: every nearest neighbour is 10 m away
    res = clark_evans([0, 10, 0, 10], [0, 0, 10, 10], area=400.0)
    assert res.observed_mean == 10.0
    assert res.expected_mean == pytest.approx(5.0)  # ½√(400/4)
    assert res.se == pytest.approx(0.26136 / np.sqrt(16 / 400))
    assert res.R == pytest.approx(2.0)
    assert res.z == pytest.approx(5.0 / 1.3068)
    assert res.p == pytest.approx(2 * stats.norm.sf(res.z))
    assert res.p_clustered == pytest.approx(stats.norm.cdf(res.z))


def test_donnelly_formula():
    res = clark_evans([0, 10, 0, 10], [0, 0, 10, 10], study_area=box(-5, -5, 15, 15), edge_correction="donnelly")
    expected = 5.0 + (0.0514 + 0.041 / 2) * 80 / 4
    assert res.expected_mean == pytest.approx(expected)
    assert res.se == pytest.approx(np.sqrt(0.0703 * 400 / 16 + 0.037 * 80 * np.sqrt(400 / 4 ** 5)))
    assert res.perimeter == 80.0


def test_csr_simulation_gives_r_near_one():
    rng = np.random.default_rng(0)
    side = 1000.0
    plain, donnelly, z = [], [], []
    for _ in range(40):
        x, y = rng.uniform(0, side, 300), rng.uniform(0, side, 300)
        plain.append(clark_evans(x, y, area=side * side).R)
        d = clark_evans(x, y, study_area=box(0, 0, side, side), edge_correction="donnelly")
        donnelly.append(d.R)
        z.append(d.z)
    assert np.mean(donnelly) == pytest.approx(1.0, abs=0.015)
    # without the correction the boundary inflates R a little, as Donnelly showed
    assert np.mean(plain) > np.mean(donnelly)
    assert abs(np.mean(z)) < 0.5 and 0.6 < np.std(z) < 1.5


def test_clustered_points_have_small_r():
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.normal(c, 10, 50) for c in (200, 500, 800)])
    y = np.concatenate([rng.normal(c, 10, 50) for c in (300, 700, 400)])
    res = clark_evans(x, y, area=1e6)
    assert res.R < 0.5 and res.z < -5 and res.p_clustered < 1e-6


def test_errors():
    with pytest.raises(ValueError, match="study area"):
        clark_evans([0, 1], [0, 1])
    with pytest.raises(ValueError, match="perimeter"):
        clark_evans([0, 1, 2], [0, 1, 0], area=10.0, edge_correction="donnelly")
