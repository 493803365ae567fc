"""Robustness map over bandwidths / cell sizes / periods and the PEI-driven bandwidth choice."""

from __future__ import annotations

import numpy as np
import pytest
from shapely.geometry import box

from hotspot_desktop.core.analysis.grid import GridSpec
from hotspot_desktop.core.analysis.robustness import choose_bandwidth_by_pei, jaccard, robustness_map


def clustered(rng, n, centres, sd):
    k = rng.integers(0, len(centres), n)
    return centres[k, 0] + rng.normal(0, sd, n), centres[k, 1] + rng.normal(0, sd, n)


CENTRES = np.array([[1000.0, 1000.0], [3000.0, 2500.0], [1500.0, 3500.0]])
GRID = GridSpec(0.0, 0.0, 50.0, 90, 90)


def test_jaccard():
    a = np.array([True, True, False, False])
    b = np.array([True, False, True, False])
    assert jaccard(a, b) == pytest.approx(1 / 3)
    assert jaccard(a, a) == 1.0
    assert jaccard(np.zeros(3, bool), np.zeros(3, bool)) == 1.0


def test_robustness_over_bandwidths():
    rng = np.random.default_rng(21)
    x, y = clustered(rng, 1200, CENTRES, 120)
    res = robustness_map(x, y, bandwidths=[150, 200, 300], grid=GRID, top_fraction=0.03)
    assert len(res.runs) == 3 and res.share.shape == GRID.shape
    assert np.nanmax(res.share) == 1.0 and np.nanmin(res.share) == 0.0
    assert 0.3 < res.stability <= 1.0
    assert res.jaccard.shape == (3, 3) and np.allclose(np.diag(res.jaccard), 1)
    # the cluster centres are hot whatever the bandwidth
    robust = res.robust_cells()
    for cx, cy in CENTRES:
        r, c, _ = GRID.cell_of(np.array([cx]), np.array([cy]))
        assert robust[r[0], c[0]]


def test_identical_runs_are_perfectly_stable():
    rng = np.random.default_rng(22)
    x, y = clustered(rng, 500, CENTRES, 150)
    res = robustness_map(x, y, bandwidths=[200], periods=[np.ones(500, bool), np.ones(500, bool)], grid=GRID)
    assert res.stability == 1.0 and [r.period for r in res.runs] == ["period 1", "period 2"]


def test_cell_sizes_periods_and_skips():
    rng = np.random.default_rng(23)
    x, y = clustered(rng, 1000, CENTRES, 150)
    first = np.arange(1000) < 500
    res = robustness_map(x, y, bandwidths=[80, 250], cell_sizes=[50, 100], periods=[first, ~first],
                         period_labels=["H1", "H2"], study_area=box(0, 0, 4000, 4000))
    assert res.grid.cell_size == 50
    # 80 m on 100 m cells is refused, in both periods
    assert len(res.runs) == 6 and sum("skipped" in r for r in res.rules) == 2
    assert {r.period for r in res.runs} == {"H1", "H2"}
    # the study area's box (plus at most one edge cell), not grown by the bandwidth
    assert res.grid.extent[:2] == (0.0, 0.0) and 4000.0 <= res.grid.extent[2] <= 4050.0
    assert np.isnan(res.share[:, -1]).all()  # edge cells whose centre lies outside the study area
    assert ((res.share[:-1, :-1] >= 0) & (res.share[:-1, :-1] <= 1)).all()
    with pytest.raises(ValueError):
        robustness_map(x, y, bandwidths=[20], cell_sizes=[50])


def test_default_bandwidths_from_rule():
    rng = np.random.default_rng(24)
    x, y = clustered(rng, 600, CENTRES, 150)
    res = robustness_map(x, y, grid=GRID)
    assert len(res.runs) >= 3 and any("normal-reference" in r for r in res.rules)


def test_choose_bandwidth_by_pei():
    rng = np.random.default_rng(25)
    fit = clustered(rng, 1500, CENTRES, 100)
    test = clustered(rng, 1500, CENTRES, 100)
    sel = choose_bandwidth_by_pei(fit, test, candidates=[60, 150, 400, 1200], grid=GRID, top_fraction=0.05)
    assert [c[0] for c in sel.candidates] == [60, 150, 400, 1200]
    peis = {c[0]: c[3] for c in sel.candidates}
    assert sel.pei == max(peis.values()) and peis[sel.bandwidth] == sel.pei
    assert sel.bandwidth in (150, 400)  # clusters of sd 100 m: neither the tiny nor the huge radius
    assert 0 < sel.hit_rate <= 1 and "PEI" in sel.rule
    with pytest.raises(ValueError):
        choose_bandwidth_by_pei(fit, test, candidates=[10, 20], grid=GRID)


def test_choose_bandwidth_default_candidates():
    rng = np.random.default_rng(26)
    sel = choose_bandwidth_by_pei(clustered(rng, 500, CENTRES, 150), clustered(rng, 500, CENTRES, 150),
                                  cell_size=50.0)
    assert len(sel.candidates) >= 4 and sel.bandwidth >= 50
