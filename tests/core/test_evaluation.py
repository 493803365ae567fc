"""Hit rate, PAI, PEI, RRI on hand-computed examples, hot cell selection and the prospective test."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hotspot_desktop.core.analysis.evaluation import (
    FORMULAS, evaluate_hot_cells, hit_rate, hot_cells, kde_method, max_capture, pai, pei, prospective_test, rri,
)
from hotspot_desktop.core.analysis.grid import GridSpec


def worked_example():
    """10 x 10 cells of 100 m (A = 1 km²); 5 hot cells (a = 0.05 km²) hold 60 of 200 test incidents."""
    counts = np.zeros((10, 10))
    hot = np.zeros((10, 10), dtype=bool)
    hot_idx = [(0, 0), (0, 1), (1, 0), (1, 1), (2, 2)]
    for (r, c), v in zip(hot_idx, [20, 15, 10, 10, 5]):
        counts[r, c] = v
        hot[r, c] = True
    counts[9, 9] = 20  # a busy cell the hot spots missed
    rest = [(r, c) for r in range(10) for c in range(10) if not hot[r, c] and (r, c) != (9, 9)]
    for i, (r, c) in enumerate(rest):  # 94 cells: 26 with 2 incidents, 68 with 1 -> 120
        counts[r, c] = 2 if i < 26 else 1
    return counts, hot


def test_worked_example_hit_rate_pai_pei():
    counts, hot = worked_example()
    assert counts.sum() == 200
    ev = evaluate_hot_cells(hot, counts, cell_area=100.0 * 100.0)
    assert (ev.n, ev.N, ev.a, ev.A) == (60, 200, 50_000, 1_000_000)
    assert ev.hit_rate.value == pytest.approx(0.3)
    assert ev.pai.value == pytest.approx(6.0)  # 0.3 / 0.05
    assert ev.n_star == 75  # 20 + 20 + 15 + 10 + 10
    assert ev.pei.value == pytest.approx(0.8)
    assert ev.pai.formula == FORMULAS["pai"] and "Chainey" in ev.pai.formula


def test_measure_functions_and_rri():
    assert hit_rate(30, 120).value == 0.25
    assert pai(30, 120, 2.0, 40.0).value == pytest.approx(5.0)
    assert pei(30, 40).value == 0.75
    m = rri(n_test=60, N_test=200, n_fit=75, N_fit=150)  # 0.3 / 0.5
    assert m.value == pytest.approx(0.6) and "Levine" in m.formula
    with pytest.raises(ValueError):
        hit_rate(1, 0)
    with pytest.raises(ValueError):
        pai(1, 10, 0.0, 5.0)
    with pytest.raises(ValueError):
        pei(5, 4)
    with pytest.raises(ValueError):
        rri(1, 10, 0, 10)


def test_max_capture_unequal_areas_is_fractional_greedy():
    counts = np.array([10.0, 9.0, 1.0])
    areas = np.array([2.0, 1.0, 1.0])  # densities 5, 9, 1
    assert max_capture(counts, 2.0, areas) == pytest.approx(9 + 5)
    assert max_capture(counts, 2.0, np.ones(3)) == 19


def test_hot_cells_top_share_ties_and_zeros():
    s = np.array([[5.0, 1.0, 1.0, 0.0], [1.0, 3.0, np.nan, 0.0]])
    hot = hot_cells(s, 0.5)  # k = 4
    assert hot.tolist() == [[True, True, True, False], [False, True, False, False]]
    assert hot_cells(s, 0.25).sum() == 2
    # never more than the positive cells
    assert hot_cells(s, 1.0).sum() == 5
    mask = np.ones_like(s, dtype=bool)
    mask[0, 0] = False
    assert not hot_cells(s, 0.25, mask)[0, 0]
    with pytest.raises(ValueError):
        hot_cells(s, 0.0)


def _clustered(rng, n, centres, sd):
    k = rng.integers(0, len(centres), n)
    return centres[k, 0] + rng.normal(0, sd, n), centres[k, 1] + rng.normal(0, sd, n)


def test_prospective_test_table():
    rng = np.random.default_rng(12)
    centres = rng.uniform(500, 4500, (6, 2))
    fit = _clustered(rng, 1500, centres, 150)
    test = _clustered(rng, 1500, centres, 150)
    grid = GridSpec(0.0, 0.0, 50.0, 100, 100)
    zero = lambda x, y, g: np.zeros(g.shape)  # noqa: E731
    table = prospective_test(fit, test, {"KDE 200 m": kde_method(bandwidth=200.0), "nothing": zero},
                             grid=grid, top_fraction=0.05)
    kde_row, none_row = table.rows
    assert kde_row.n_hot_cells == 500 and kde_row.hot_area_km2 == pytest.approx(1.25)
    assert kde_row.pai == pytest.approx(kde_row.hit_rate / 0.05)
    assert 0.3 < kde_row.hit_rate <= 1 and 0 < kde_row.pei <= 1
    assert kde_row.rri == pytest.approx(kde_row.hit_rate / kde_row.hit_rate_fit)
    assert math.isnan(none_row.pai)
    assert table.best("pei").method == "KDE 200 m"
    assert 1490 <= table.n_fit <= 1500 and 1490 <= table.n_test <= 1500
    assert set(table.formulas) == {"hit_rate", "pai", "pei", "rri"}
    assert len(table.to_records()) == 2


def test_prospective_test_default_methods():
    rng = np.random.default_rng(13)
    centres = rng.uniform(500, 4500, (5, 2))
    table = prospective_test(_clustered(rng, 800, centres, 200), _clustered(rng, 800, centres, 200), cell_size=50.0)
    assert [r.method for r in table.rows][0] == "Grid counts"
    assert len(table.rows) == 3
    for r in table.rows:
        assert 0 <= r.hit_rate <= 1 and 0 <= r.pei <= 1 + 1e-12
