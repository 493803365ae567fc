"""NNH (CrimeStat) and DBSCAN point clustering, convex hulls and deviational ellipses."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from scipy import stats

from hotspot_desktop.core.analysis.clustering import (
    dbscan_clusters,
    nnh_clusters,
    nnh_threshold,
    standard_deviational_ellipse,
)


def _planted(seed: int = 0):
    rng = np.random.default_rng(seed)
    side = 10_000.0
    bx, by = rng.uniform(0, side, 300), rng.uniform(0, side, 300)
    centres = [(2000, 2000), (7000, 3000), (5000, 8000)]
    xs, ys = [bx], [by]
    for cx, cy in centres:
        xs.append(rng.normal(cx, 20, 30))
        ys.append(rng.normal(cy, 20, 30))
    return np.concatenate(xs), np.concatenate(ys), side * side, centres


def test_threshold_formula():
    n, area = 400, 4e6
    d_ran = 0.5 * np.sqrt(area / n)
    assert nnh_threshold(n, area, 0.5) == pytest.approx(d_ran)
    se = 0.26136 / np.sqrt(n * n / area)
    assert nnh_threshold(n, area, 0.05) == pytest.approx(d_ran - stats.t.ppf(0.95, n - 1) * se)
    with pytest.raises(ValueError):
        nnh_threshold(n, 0.0)


def test_nnh_finds_planted_clusters():
    x, y, area, centres = _planted()
    res = nnh_clusters(x, y, area=area, min_points=10, probability=0.05, max_order=1)
    first = res.of_order(1)
    assert len(first) >= 3
    for k, (cx, cy) in enumerate(centres):
        planted = np.arange(300 + 30 * k, 330 + 30 * k)
        # the planted points fall into one cluster, centred on the planted centre
        ids = set(res.labels[planted])
        assert len(ids) == 1 and -1 not in ids
        c = res.clusters[ids.pop()]
        assert np.hypot(c.centre[0] - cx, c.centre[1] - cy) < 30
        assert c.hull.buffer(1e-6).contains(shapely.points(x[c.members], y[c.members])).all()
        assert c.ellipse is not None and c.ellipse.polygon.contains(shapely.Point(cx, cy))
    assert res.thresholds[0] == pytest.approx(nnh_threshold(x.size, area, 0.05))


def test_nnh_second_order_groups_clusters_of_clusters():
    rng = np.random.default_rng(1)
    groups = [(1000, 1000), (1400, 1000), (1200, 1300), (8000, 8000), (8400, 8000), (8200, 8300)]
    x = np.concatenate([rng.normal(cx, 5, 6) for cx, _ in groups])
    y = np.concatenate([rng.normal(cy, 5, 6) for _, cy in groups])
    res = nnh_clusters(x, y, area=1e8, min_points=3, probability=0.05, max_order=3, fixed_distance=50.0)
    assert len(res.of_order(1)) == 6
    second = res.of_order(2)
    assert len(second) == 2
    assert sorted(c.count for c in second) == [18, 18]
    for c in second:
        assert len(c.children) == 3
        kids = np.concatenate([res.clusters[k].members for k in c.children])
        np.testing.assert_array_equal(np.sort(kids), c.members)
    assert res.max_order == 2  # two second-order centres cannot make a third order of 3


def test_nnh_is_independent_of_input_order():
    x, y, area, _ = _planted(4)
    order = np.random.default_rng(0).permutation(x.size)
    a = nnh_clusters(x, y, area=area, min_points=10, probability=0.05)
    b = nnh_clusters(x[order], y[order], area=area, min_points=10, probability=0.05)
    sets_a = sorted(tuple(c.members) for c in a.clusters)
    sets_b = sorted(tuple(np.sort(order[c.members])) for c in b.clusters)
    assert sets_a == sets_b


def test_ellipse_recovers_orientation_and_spread():
    rng = np.random.default_rng(2)
    pts = rng.normal(size=(20000, 2)) * [300.0, 100.0]
    a = np.radians(30)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    xy = pts @ rot.T + [5000, 7000]
    e = standard_deviational_ellipse(xy[:, 0], xy[:, 1], n_sd=1.0)
    assert e.angle == pytest.approx(30, abs=1)
    assert e.azimuth == pytest.approx(60, abs=1)
    assert e.major == pytest.approx(np.sqrt(2) * 300, rel=0.03)
    assert e.minor == pytest.approx(np.sqrt(2) * 100, rel=0.03)
    e2 = standard_deviational_ellipse(xy[:, 0], xy[:, 1], n_sd=2.0)
    assert e2.major == pytest.approx(2 * e.major)
    assert e.polygon.area == pytest.approx(e.area, rel=0.01)


def test_ellipse_equals_yuill_crimestat_formula():
    rng = np.random.default_rng(3)
    x, y = rng.normal(0, 50, 40) + 100, rng.normal(0, 20, 40) + 0.4 * rng.normal(0, 50, 40)
    dx, dy = x - x.mean(), y - y.mean()
    a, b, c = (dx ** 2).sum(), (dy ** 2).sum(), (dx * dy).sum()
    theta = np.arctan(((a - b) + np.sqrt((a - b) ** 2 + 4 * c * c)) / (2 * c))
    n = x.size
    sx = np.sqrt(2) * np.sqrt(((dx * np.cos(theta) - dy * np.sin(theta)) ** 2).sum() / (n - 2))
    sy = np.sqrt(2) * np.sqrt(((dx * np.sin(theta) + dy * np.cos(theta)) ** 2).sum() / (n - 2))
    e = standard_deviational_ellipse(x, y)
    assert sorted([e.major, e.minor]) == pytest.approx(sorted([sx, sy]), rel=1e-10)


def test_dbscan_matches_sklearn_partition():
    from sklearn.cluster import DBSCAN

    x, y, _, _ = _planted(5)
    res = dbscan_clusters(x, y, eps=60.0, min_points=8)
    raw = DBSCAN(eps=60.0, min_samples=8).fit_predict(np.column_stack([x, y]))
    assert set(map(tuple, (c.members for c in res.clusters))) == {
        tuple(np.flatnonzero(raw == k)) for k in set(raw) - {-1}}
    np.testing.assert_array_equal(res.labels == -1, raw == -1)
    assert all(c.count == len(c.members) for c in res.clusters)


def test_degenerate_clusters_have_no_ellipse():
    x = np.array([0.0, 0.0, 0.0, 1000.0])
    y = np.array([0.0, 0.0, 0.0, 1000.0])
    res = dbscan_clusters(x, y, eps=1.0, min_points=3)
    assert len(res.clusters) == 1 and res.clusters[0].ellipse is None
    with pytest.raises(ValueError):
        standard_deviational_ellipse(x[:2], y[:2])


def test_clusters_to_geodataframe():
    x, y, area, _ = _planted(6)
    res = nnh_clusters(x, y, area=area, min_points=10, probability=0.05, n_sd=2.0)
    gdf = res.to_geodataframe("EPSG:32630")
    assert len(gdf) == len(res.clusters) and gdf.crs.to_epsg() == 32630
    assert (gdf["count"] == [c.count for c in res.clusters]).all()
    assert (gdf.geom_type == "Polygon").all() and (gdf["n_sd"] == 2.0).all()
    hulls = res.to_geodataframe(geometry="hull")
    assert np.allclose(hulls.area, hulls["hull_area_m2"])
    c = res.clusters[0]
    assert c.density == pytest.approx(c.count / (c.ellipse.area / 1e6))
