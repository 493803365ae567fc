"""Gini, generalised Gini (Bernasco & Steenbeek 2017), concentration curve and candidate zones."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from hotspot_desktop.core.analysis.concentration import (
    concentration_curve, generalized_gini, gini, top_places_zones,
)
from hotspot_desktop.core.analysis.grid import GridSpec


def test_gini_known_vectors():
    # the worked examples of the lorenzgini R package documentation
    assert gini([10, 8, 2] + [0] * 7) == pytest.approx(0.78)
    assert gini([5, 2, 1] + [0] * 7) == pytest.approx(0.8)
    assert gini([10] + [0] * 9) == pytest.approx(0.9)
    assert gini([10] + [0] * 99) == pytest.approx(0.99)
    assert gini([3, 3, 3, 3]) == pytest.approx(0.0)


def test_generalized_gini():
    assert generalized_gini([10, 8, 2] + [0] * 7) == pytest.approx(0.78)  # N >= n: same as Gini
    assert generalized_gini([5, 2, 1] + [0] * 7) == pytest.approx(0.75)
    # maximal equality given 4 incidents at 10 places: 4 places with one each -> 0
    assert generalized_gini([1, 1, 1, 1] + [0] * 6) == pytest.approx(0.0)
    assert gini([1, 1, 1, 1] + [0] * 6) == pytest.approx(0.6)


def test_gini_rejects_bad_input():
    with pytest.raises(ValueError):
        gini([0, 0, 0])
    with pytest.raises(ValueError):
        gini([-1, 2])
    with pytest.raises(ValueError):
        gini([])


def test_concentration_curve():
    counts = np.array([[50.0, 0, 0, 0, 0], [25, 10, 5, 5, 5]])
    cc = concentration_curve(counts)
    assert cc.n_places == 10 and cc.n_incidents == 100
    assert cc.share_in_top(0.1) == pytest.approx(0.5)
    assert cc.share_in_top(0.2) == pytest.approx(0.75)
    assert cc.share_in_top(0.15) == pytest.approx(0.625)
    assert cc.places_for_share(0.5) == pytest.approx(0.1)
    assert cc.places_for_share(0.8) == pytest.approx(0.3)
    assert cc.incident_share[-1] == pytest.approx(1.0) and cc.place_share[0] == 0
    assert "50%" in cc.summary()
    # NaN (outside the study area) is not a place
    with_nan = np.append(counts.ravel(), np.nan)
    assert concentration_curve(with_nan).n_places == 10
    sparse = concentration_curve([2, 1] + [0] * 8)
    assert sparse.equality_share[1] == pytest.approx(1 / 3)  # 3 incidents, 10 places: one each at best
    assert sparse.equality_share[3] == pytest.approx(1.0)


def test_top_places_zones_dissolve():
    grid = GridSpec(0.0, 0.0, 100.0, 5, 6)
    s = np.zeros(grid.shape)
    s[0, 0:3] = [9, 8, 7]  # a strip of three cells in the south-west
    s[4, 5] = 6  # a single cell in the north-east
    s[3, 4] = 1  # touches it only at a corner
    counts = np.zeros(grid.shape)
    counts[0, 0:3] = [3, 2, 1]
    counts[4, 5] = 10
    counts[3, 4] = 1
    zones = top_places_zones(s, grid, top_fraction=5 / 30, counts=counts)
    assert zones.counts.tolist() == [10.0, 6.0, 1.0]  # ranked by incidents
    assert zones.n_cells.tolist() == [1, 3, 1]
    assert zones.areas.tolist() == [10_000.0, 30_000.0, 10_000.0]
    strip = zones.polygons[1]
    assert strip.geom_type == "Polygon" and shapely.equals(strip, shapely.box(0, 0, 300, 100))
    gdf = zones.to_geodataframe()
    assert gdf["rank"].tolist() == [1, 2, 3]


def test_unbiased_generalized_gini():
    assert generalized_gini([10] + [0] * 9, unbiased=True) == pytest.approx(1.0)
    assert generalized_gini([5, 2, 1] + [0] * 7, unbiased=True) == pytest.approx(0.75 * 8 / 7)
    with pytest.raises(ValueError):
        generalized_gini([1, 0, 0], unbiased=True)
