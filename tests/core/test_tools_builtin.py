"""Every built-in tool runs on small data and returns styled, provenance-stamped results."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from hotspot_desktop.core.model import PointLayer, RasterLayer, VectorLayer, ZoneLayer
from hotspot_desktop.tools.execute import run_now
from hotspot_desktop.tools.registry import load_registry


@pytest.fixture(scope="module")
def reg():
    return load_registry(safe_mode=True)


@pytest.fixture(scope="module")
def pts() -> PointLayer:
    rng = np.random.default_rng(7)
    n = 3000
    x = np.r_[rng.normal(1000, 80, n // 3), rng.uniform(0, 3000, n - n // 3)]
    y = np.r_[rng.normal(1000, 80, n // 3), rng.uniform(0, 3000, n - n // 3)]
    t = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365 * 24, n), unit="h")
    return PointLayer("Incidents", x, y, pd.DataFrame({"time": t, "offence": rng.choice(["a", "b"], n)}))


def test_kde_sequential_raster_with_units(reg, pts):
    done = run_now(reg.get("hotspot.kde"), {"points": pts, "bandwidth_rule": "fixed", "bandwidth": 200.0,
                                            "cell_size": 50.0})
    layer = done.result.layers[0]
    assert isinstance(layer, RasterLayer) and layer.cell_size == 50.0
    assert layer.style.mode == "raster" and not layer.style.raster.symmetric
    assert layer.style.raster.units == "incidents per km²"
    # density integrates to the number of incidents kept (within edge loss)
    total = np.nansum(layer.values) * (50.0 ** 2) / 1e6
    assert total == pytest.approx(len(pts), rel=0.02)
    assert any("bandwidth = 200 m" in n for n in layer.provenance.notes)


def test_gi_star_grid_diverging_symmetric_with_bands(reg, pts):
    done = run_now(reg.get("hotspot.gi_star_grid"), {"points": pts, "cell_size": 100.0})
    layer = done.result.layers[0]
    r = layer.style.raster
    assert r.symmetric and r.vmin == -r.vmax == -3 and r.units.startswith("Gi* class")
    assert {"z", "p", "p_fdr", "class", "count"} <= set(layer.bands)
    assert np.nanmax(layer.bands["z"]) > 3 and np.nanmax(layer.values) == 3  # the planted cluster, 99%
    assert done.result.tables[0].frame["cells"].sum() == np.isfinite(layer.bands["z"]).sum()
    # Only significant cells are drawn; the others are transparent (NaN) but keep their z.
    drawn = np.isfinite(layer.values)
    assert drawn.any() and (layer.bands["class"][drawn] != 0).all()
    assert (layer.bands["class"][~drawn & np.isfinite(layer.bands["z"])] == 0).all()


def test_grid_counts_square_and_hex(reg, pts):
    sq = run_now(reg.get("hotspot.grid_counts"), {"points": pts, "cell_size": 250.0}).result.layers[0]
    assert isinstance(sq, RasterLayer) and np.nansum(sq.values) > 0.95 * len(pts)
    hx = run_now(reg.get("hotspot.grid_counts"), {"points": pts, "cell_size": 250.0, "shape": "hex"}).result.layers[0]
    assert isinstance(hx, VectorLayer) and hx.style.mode == "graduated" and hx.gdf["count"].sum() > 0.95 * len(pts)


def test_count_and_gi_star_polygons(reg, pts):
    boxes = [shapely.box(i * 500, j * 500, (i + 1) * 500, (j + 1) * 500) for i in range(6) for j in range(6)]
    beats = VectorLayer("Beats", gpd.GeoDataFrame({"name": [f"b{i}" for i in range(36)]}, geometry=boxes))
    counted = run_now(reg.get("vector.count_in_polygons"), {"points": pts, "polygons": beats}).result.layers[0]
    inside = int(((pts.x >= 0) & (pts.x <= 3000) & (pts.y >= 0) & (pts.y <= 3000)).sum())
    assert counted.gdf["count"].sum() == inside
    gi = run_now(reg.get("hotspot.gi_star_polygons"), {"polygons": counted, "field": "count"}).result.layers[0]
    assert {"gi_z", "gi_p", "gi_class", "gi_label"} <= set(gi.gdf.columns)
    assert gi.style.mode == "categorised" and gi.gdf.loc[gi.gdf["gi_z"].idxmax(), "gi_class"] > 0


def test_trend_chart_and_table(reg, pts):
    res = run_now(reg.get("time.trend"), {"points": pts, "period": "month", "by_offence": True}).result
    chart = res.charts[0]
    assert chart.kind == "line" and len(chart.x) == 12 and {"a", "b", "all"} <= set(chart.series)
    assert res.tables[0].frame["all"].sum() == len(pts)
    assert chart.to_dict()["x"][0] == "2024-01-01"


def test_intervention_with_zone_roles(reg, pts):
    zones = ZoneLayer("Zones", gpd.GeoDataFrame({"name": ["t", "c"], "role": ["target", "control"]},
                                                geometry=[shapely.box(900, 900, 1100, 1100),
                                                          shapely.box(2500, 2500, 2900, 2900)]))
    tool = reg.get("evaluation.intervention")
    values = {"points": pts, "target": zones, "control": zones, "before": ("2024-01-01", "2024-06-30"),
              "after": ("2024-07-01", "2024-12-31")}
    assert tool.validate({**tool.defaults(), **values}) == {}
    res = run_now(tool, values).result
    areas = res.layers[0].gdf
    assert list(areas["area"]) == ["target", "catchment", "control"]
    assert areas.loc[0, "before"] + areas.loc[0, "after"] > 500
    assert "measures" in res.tables[1].title and res.notes[0].startswith("In the target area")
    titles = [t.title for t in res.tables]
    shift = next(t.frame for t in res.tables if "hour x weekday shift" in t.title)
    assert list(shift["weekday"]) == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] and shift.shape == (7, 25)
    # A second control for the catchment, and controls suggested from candidate polygons.
    beats = VectorLayer("Beats", gpd.GeoDataFrame({"name": ["far", "touching"]},
                                                  geometry=[shapely.box(2000, 0, 2500, 500), shapely.box(1000, 1000, 1500, 1500)]))
    more = run_now(tool, dict(values, catchment_control=VectorLayer("CC", gpd.GeoDataFrame(
        geometry=[shapely.box(0, 2500, 400, 2900)])), candidate_controls=beats)).result
    suggested = next(t.frame for t in more.tables if "suggested controls" in t.title)
    assert list(suggested["name"]) == ["far"] and "correlate" in suggested["reason"].iloc[0]
    assert len(titles) >= 4
    # Beats chosen as the control area: a polygon layer without roles counts by its selection.
    beats.selection = [0]
    by_beat = run_now(tool, dict(values, control=beats)).result.tables[0].frame
    assert by_beat.set_index("area").loc["control", "area_km2"] == pytest.approx(0.25)
    wrong_role = gpd.GeoDataFrame({"role": ["target"]}, geometry=[shapely.box(0, 0, 1, 1)])
    bad = dict(values, control=ZoneLayer("Z2", wrong_role))
    assert "no zones with role control" in tool.validate({**tool.defaults(), **bad})["control"][0]


@pytest.fixture(scope="module")
def beats_counted(reg, pts) -> VectorLayer:
    boxes = [shapely.box(i * 300, j * 300, (i + 1) * 300, (j + 1) * 300) for i in range(10) for j in range(10)]
    beats = VectorLayer("Beats", gpd.GeoDataFrame({"name": [f"b{i}" for i in range(100)]}, geometry=boxes))
    return run_now(reg.get("vector.count_in_polygons"), {"points": pts, "polygons": beats}).result.layers[0]


def test_local_moran_finds_high_high_cluster(reg, beats_counted):
    res = run_now(reg.get("pattern.local_moran"), {"polygons": beats_counted, "field": "count",
                                                   "permutations": 99}).result
    gdf = res.layers[0].gdf
    assert gdf.loc[gdf["count"].idxmax(), "lisa_label"] == "High-High"
    assert res.layers[0].style.mode == "categorised"
    assert res.tables[0].frame.loc[0, "statistic"] == "Global Moran's I"


def test_near_repeat_tables(reg, pts):
    small = PointLayer("Few", pts.x[:400], pts.y[:400], pts.attributes.iloc[:400].reset_index(drop=True))
    res = run_now(reg.get("pattern.near_repeat"), {"points": small, "simulations": 19}).result
    assert [t.name for t in res.tables] == ["ratio", "p_value", "observed"]
    assert res.tables[0].frame.shape[0] == 7  # same location, 5 bands, "more than"


def test_repeat_locations_and_clusters(reg, pts):
    rep = run_now(reg.get("pattern.repeat_locations"), {"points": pts, "tolerance": 10.0, "min_count": 2}).result
    layer = rep.layers[0]
    assert isinstance(layer, PointLayer) and len(layer) == len(rep.tables[0].frame) > 0
    assert layer.attributes["count"].min() >= 2
    cl = run_now(reg.get("pattern.clusters"), {"points": pts, "method": "dbscan", "distance": 30.0,
                                               "shape": "hull"}).result.layers[0]
    assert len(cl) >= 1 and cl.gdf["count"].max() > 100  # the planted cluster


def test_clark_evans_detects_clustering(reg, pts):
    study = VectorLayer("Study", gpd.GeoDataFrame({"n": [1]}, geometry=[shapely.box(0, 0, 3000, 3000)]))
    frame = run_now(reg.get("pattern.clark_evans"), {"points": pts, "study_area": study}).result.tables[0].frame
    values = dict(zip(frame["statistic"], frame["value"]))
    assert values["R (nearest-neighbour index)"] < 1 and values["pattern"] == "clustered"


def test_emerging_hot_spots_classes(reg, pts):
    res = run_now(reg.get("hotspot.emerging"), {"points": pts, "cell_size": 300.0, "step": "month"}).result
    gdf = res.layers[0].gdf
    assert {"class", "label", "incidents", "mk_tau"} <= set(gdf.columns)
    assert gdf["incidents"].sum() > 0.95 * len(pts)
    assert (gdf["class"] > 0).any()  # the planted cluster is hot all year
    assert res.tables[0].frame["cells"].sum() == len(gdf)


def test_prospective_evaluation_table_and_chart(reg, pts):
    res = run_now(reg.get("evaluation.prospective"), {"points": pts, "fit": ("2024-01-01", "2024-06-30"),
                                                      "test": ("2024-07-01", "2024-12-31"), "cell_size": 100.0}).result
    frame = res.tables[0].frame
    assert len(frame) == 3 and (frame["pai"] > 1).all()  # the planted cluster persists
    assert res.charts[0].kind == "bar" and res.charts[0].x == list(frame["method"])


def test_concentration_curve_and_zones(reg, pts):
    res = run_now(reg.get("pattern.concentration"), {"points": pts, "cell_size": 100.0}).result
    values = dict(zip(res.tables[0].frame["measure"], res.tables[0].frame["value"]))
    assert 0 < values["Gini"] < 1
    zones = res.layers[0].gdf
    assert len(zones) >= 1 and zones["incidents"].iloc[0] == zones["incidents"].max()
    chart = res.charts[0]
    assert chart.series["incidents"][0] == 0 and chart.series["incidents"][-1] == pytest.approx(100)


def test_candidate_zones_from_a_kde_surface(reg, pts):
    surface = run_now(reg.get("hotspot.kde"), {"points": pts, "bandwidth_rule": "fixed", "bandwidth": 150.0,
                                               "cell_size": 50.0, "mode": "fast"}).result.layers[0]
    tool = reg.get("pattern.surface_zones")
    assert "must be a raster layer" in tool.validate({**tool.defaults(), "surface": pts})["surface"][0]
    zones = run_now(tool, {"surface": surface, "top_percent": 1.0}).result.layers[0].gdf
    assert len(zones) >= 1 and zones["rank"].iloc[0] == 1
    best = zones.geometry.iloc[0]
    assert best.distance(shapely.Point(1000, 1000)) < 100  # the planted cluster's centre


def test_near_repeat_risk_area_when_pattern_present(reg):
    rng = np.random.default_rng(1)
    n0, k = 300, 3
    x0, y0 = rng.uniform(0, 5000, n0), rng.uniform(0, 5000, n0)
    t0 = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.uniform(0, 365, n0), unit="D")
    x = np.r_[x0, np.repeat(x0, k) + rng.normal(0, 30, n0 * k)]
    y = np.r_[y0, np.repeat(y0, k) + rng.normal(0, 30, n0 * k)]
    lag = pd.to_timedelta(rng.uniform(0, 5, n0 * k), unit="D").values
    t = pd.Series(np.r_[t0.values, np.repeat(t0.values, k) + lag])
    pts = PointLayer("Burglaries", x, y, pd.DataFrame({"time": t}))
    res = run_now(reg.get("pattern.near_repeat"), {"points": pts, "distance_band": 50.0, "time_band": 3.0,
                                                   "simulations": 19}).result
    assert res.notes[0].startswith("Elevated risk of a near repeat")
    assert res.layers and res.layers[0].gdf["incidents"][0] > 0


def test_patrol_plan_visits_and_shift_validation(reg, pts):
    zones = ZoneLayer("Zones", gpd.GeoDataFrame({"name": ["hot", "edge"], "role": ["patrol", "patrol"],
                                                 "priority": [2, 1]},
                                                geometry=[shapely.box(800, 800, 1200, 1200),
                                                          shapely.box(2000, 2000, 2400, 2400)]))
    tool = reg.get("patrol.plan")
    base = {**tool.defaults(), "points": pts, "zones": zones}
    assert tool.validate(base) == {}
    assert "expected form" in tool.validate({**base, "shifts": "all day long"})["shifts"][0]
    assert "expected form" in tool.validate({**base, "first_day": "next monday"})["first_day"][0]
    res = run_now(tool, {"points": pts, "zones": zones, "days": 2, "first_day": "2025-01-06",
                         "shifts": "Late 14-22 x1; Night 22-06 x1"}).result
    visits = res.tables[0].frame
    assert set(visits["zone"]) == {"hot", "edge"} and visits["minutes"].between(10, 16).all()
    assert visits["start"].str.startswith("2025-01-0").all()
    assert res.charts[0].x == ["hot", "edge"]


def test_robustness_share_raster(reg, pts):
    layer = run_now(reg.get("hotspot.robustness"), {"points": pts, "cell_size": 100.0}).result.layers[0]
    assert isinstance(layer, RasterLayer) and np.nanmax(layer.values) == pytest.approx(1.0)
    assert layer.value_at(1000, 1000) == pytest.approx(1.0)  # the planted cluster is hot in every run


def test_equity_check_flags_groups(reg):
    census = VectorLayer("Census", gpd.GeoDataFrame(
        {"a": [900.0, 100.0], "b": [100.0, 900.0]},
        geometry=[shapely.box(0, 0, 1000, 1000), shapely.box(1000, 0, 2000, 1000)]))
    zones = ZoneLayer("Zones", gpd.GeoDataFrame({"name": ["z"], "role": ["patrol"]},
                                                geometry=[shapely.box(0, 0, 500, 1000)]))
    tool = reg.get("patrol.equity")
    assert tool.validate({**tool.defaults(), "population": census, "zones": zones, "groups": "a, b"}) == {}
    res = run_now(tool, {"population": census, "zones": zones, "groups": "a, b"}).result
    table = res.tables[0].frame.set_index("group")
    assert table.loc["a", "% of zone population"] == pytest.approx(90.0)
    assert any("a: over-represented" in w for w in res.warnings)


def test_kde_best_pei_bandwidth_dual_kde_and_global_moran(reg, pts):
    kde_tool = reg.get("hotspot.kde")
    done = run_now(kde_tool, kde_tool.defaults() | {"points": pts, "bandwidth_rule": "best PEI", "cell_size": 100.0})
    assert any(n.startswith("prospective: bandwidth") and "chosen by out-of-sample PEI" in n
               for n in done.result.notes)
    assert done.result.layers[0].provenance.notes[0].startswith("prospective") or any(
        "prospective" in n for n in done.result.layers[0].provenance.notes)
    dual = run_now(kde_tool, kde_tool.defaults() | {"points": pts, "denominator": pts, "dual_op": "ratio",
                                                    "bandwidth_rule": "fixed", "bandwidth": 300.0,
                                                    "cell_size": 100.0}).result.layers[0]
    finite = dual.values[np.isfinite(dual.values)]
    assert finite.size and np.allclose(finite, 1.0)  # a layer over itself: ratio 1 wherever defined
    moran = run_now(reg.get("pattern.global_moran"), {"points": pts, "cell_size": 100.0,
                                                      "neighbourhood": "queen"}).result.tables[0].frame
    stats = dict(zip(moran["statistic"], moran["value"]))
    assert stats["pattern"] == "clustered" and float(stats["Moran's I"]) > 0
