"""Zone measures keep one row per zone even when zones share a name (the sample's ground-truth
zones do): incidents by offence and by period, community input by category and the export table
(File ▸ Export ▸ Table and ``export table --what zones``), each checked against shapely."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import CRS
from shapely.geometry import Point, box

from hotspot_desktop.cli import main as cli_main
from hotspot_desktop.core.io.project_io import save_project
from hotspot_desktop.core.model import PointLayer, Project, ZoneLayer
from hotspot_desktop.core.zones.measures import (
    community_points,
    project_zone_measures,
    project_zone_table,
    zone_measures,
    zone_table,
)

UTM = CRS.from_epsg(32616)
OFFENCES = ["Burglary", "Robbery", "Theft"]
CATEGORIES = ["Graffiti", "Pothole", "Streetlight out"]


def twin_zones() -> gpd.GeoDataFrame:
    """Two zones called "Market" far apart (different counts), and one other."""
    return gpd.GeoDataFrame({"zone_id": ["m-west", "m-east", "park"], "name": ["Market", "Market", "Park"]},
                            geometry=[box(0, 0, 600, 600), Point(3000, 3000).buffer(400), box(1500, 0, 2500, 800)],
                            crs=UTM)


def incidents(seed: int = 3, n: int = 4000) -> PointLayer:
    rng = np.random.default_rng(seed)
    x = np.concatenate([rng.uniform(0, 4000, n - 600), rng.normal(300, 120, 600)])  # the west market is busy
    y = np.concatenate([rng.uniform(0, 4000, n - 600), rng.normal(300, 120, 600)])
    t = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.uniform(0, 180, n), unit="D")
    attrs = pd.DataFrame({"time": t, "offence": pd.Categorical(rng.choice(OFFENCES, n))})
    return PointLayer("Incidents", x, y, attrs)


def requests(seed: int = 4, n: int = 900) -> PointLayer:
    rng = np.random.default_rng(seed)
    x = np.concatenate([rng.uniform(0, 4000, n - 300), rng.normal(3000, 150, 300)])  # the east market calls
    y = np.concatenate([rng.uniform(0, 4000, n - 300), rng.normal(3000, 150, 300)])
    t = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.uniform(0, 180, n), unit="D")
    layer = PointLayer("Service requests", x, y, pd.DataFrame({"time": t, "offence": pd.Categorical(
        rng.choice(CATEGORIES, n))}))
    layer.role = "community"
    return layer


def inside(geom, x, y) -> np.ndarray:
    return shapely.intersects_xy(geom, np.asarray(x), np.asarray(y))


def test_zones_with_one_name_keep_their_own_counts():
    zones, pts, com = twin_zones(), incidents(), requests()
    off = pts.attributes["offence"].astype(str).to_numpy()
    months = pts.attributes["time"].dt.to_period("M")
    cats = com.attributes["offence"].astype(str).to_numpy()
    res = zone_measures(zones, pts.x, pts.y, times=pts.attributes["time"], offences=pts.attributes["offence"],
                        community=community_points([com]))
    assert len(res.table) == len(res.by_offence) == len(res.by_period) == len(res.community_by_category) == 3
    assert len(res.top_places) == 3
    for frame in (res.by_offence, res.by_period, res.community_by_category):
        assert list(frame.index) == list(res.table.index)
    counts = []
    for i, geom in enumerate(zones.geometry):
        m = inside(geom, pts.x, pts.y)
        counts.append(int(m.sum()))
        assert res.table.loc[i, "incidents"] == m.sum()
        assert res.by_offence.loc[i].to_dict() == {o: int((off[m] == o).sum()) for o in OFFENCES}
        expected_months = months[m].value_counts()
        assert {p: int(v) for p, v in res.by_period.loc[i].items() if v} == expected_months.to_dict()
        c = inside(geom, com.x, com.y)
        assert res.table.loc[i, "community"] == c.sum()
        assert res.community_by_category.loc[i].to_dict() == {k: int((cats[c] == k).sum()) for k in CATEGORIES}
    west, east = counts[0], counts[1]
    assert west > 2 * east > 0  # the twins really differ, so merging them would show
    assert res.community_by_category.loc[1].sum() > 2 * res.community_by_category.loc[0].sum()


def test_zone_table_has_a_row_per_zone_with_ids_offences_and_categories():
    zones, pts, com = twin_zones(), incidents(), requests()
    res = zone_measures(zones, pts.x, pts.y, offences=pts.attributes["offence"], community=community_points([com]))
    frame = zone_table(res, list(zones["zone_id"]))
    assert list(frame["zone_id"]) == ["m-west", "m-east", "park"]
    assert list(frame["zone"]) == ["Market", "Market", "Park"]
    assert list(frame.columns[:2]) == ["zone_id", "zone"]
    assert frame[OFFENCES].sum(axis=1).tolist() == frame["incidents"].tolist()
    cat_cols = [f"Service requests: {c}" for c in CATEGORIES]
    assert set(cat_cols) <= set(frame.columns)
    assert frame[cat_cols].sum(axis=1).tolist() == frame["community"].tolist()
    # without community input or ids: the incident columns only
    plain = zone_table(zone_measures(zones, pts.x, pts.y, offences=pts.attributes["offence"]))
    assert "zone_id" not in plain.columns and "community" not in plain.columns and len(plain) == 3


@pytest.fixture
def project() -> Project:
    p = Project(UTM)
    p.layers.append(incidents())
    p.layers.append(requests())
    p.layers.append(ZoneLayer("Zones", twin_zones()))
    return p


def test_cli_zone_table_counts_twin_zones_apart(project, tmp_path):
    path = tmp_path / "twins.hsproj"
    save_project(project, path)
    out = tmp_path / "zones.csv"
    assert cli_main(["export", "table", str(path), "--what", "zones", "--out", str(out)]) == 0
    frame = pd.read_csv(out)
    assert len(frame) == 3 and list(frame["zone_id"]) == ["m-west", "m-east", "park"]
    pts, com = project.layers.by_name("Incidents"), project.layers.by_name("Service requests")
    for i, geom in enumerate(project.zones.gdf.geometry):
        assert frame.loc[i, "incidents"] == inside(geom, pts.x, pts.y).sum()
        assert frame.loc[i, "community"] == inside(geom, com.x, com.y).sum()
    # the same table as project_zone_table gives in memory
    expected = project_zone_table(project)
    assert list(frame.columns) == list(expected.columns)
    assert frame["incidents"].tolist() == expected["incidents"].tolist()
    assert project_zone_measures(project).community_name == "Service requests"
