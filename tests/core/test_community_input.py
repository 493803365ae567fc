"""Community input (survey responses, service requests): the sample city's requests CSV, the
point-layer role in the model and the project file, zone measures beside the incidents, the
briefing's zone table, and public-release exports that never show the points."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import CRS
from pypdf import PdfReader
from shapely.geometry import Point, box

from hotspot_desktop.cli import main as cli_main
from hotspot_desktop.core.io.loaders import add_file_to_project, load_file
from hotspot_desktop.core.io.project_io import open_project, save_project
from hotspot_desktop.core.model import PointLayer, Project, ZoneLayer
from hotspot_desktop.core.zones.measures import community_points, project_zone_measures, zone_measures
from hotspot_desktop.export.briefing import write_briefing
from hotspot_desktop.export.compose import compose_map
from hotspot_desktop.export.public import PublicOptions, assert_no_incident_locations, public_layers
from hotspot_desktop.export.template import MapTemplate
from hotspot_desktop.sample import generate_city
from hotspot_desktop.sample.community import CATEGORIES, COLUMNS

UTM = CRS.from_epsg(32616)


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    return generate_city(tmp_path_factory.mktemp("city"), n_incidents=3000, seed=7, years=1, n_service_requests=800)


@pytest.fixture
def project(city) -> Project:
    p = Project()
    incidents, _ = add_file_to_project(p, city.incidents_csv)
    requests, _ = add_file_to_project(p, city.service_requests_csv)
    requests.name, requests.role = "Service requests", "community"
    zones = gpd.read_file(city.ground_truth_gpkg, layer="intervention_zones").to_crs(p.working_crs)
    p.layers.append(ZoneLayer("Zones", gpd.GeoDataFrame({"name": zones["name"], "role": zones["role"]},
                                                        geometry=zones.geometry, crs=p.working_crs)))
    p.layers.active = requests  # the community layer is even the active one
    return p


def test_sample_city_writes_service_requests(city, tmp_path):
    frame = pd.read_csv(city.service_requests_csv)
    assert list(frame.columns) == list(COLUMNS) and len(frame) == 800
    assert set(frame["category"]) == {c for c, _ in CATEGORIES}
    assert frame["request_id"].is_unique and pd.to_datetime(frame["requested"]).is_monotonic_increasing
    # same seed, same bytes; the other files do not change because of the requests
    again = generate_city(tmp_path / "again", n_incidents=3000, seed=7, years=1, n_service_requests=800)
    assert again.service_requests_csv.read_bytes() == city.service_requests_csv.read_bytes()
    none = generate_city(tmp_path / "none", n_incidents=3000, seed=7, years=1, n_service_requests=0)
    assert none.service_requests_csv is None and not (none.out_dir / "service_requests.csv").exists()
    assert none.incidents_csv.read_bytes() == city.incidents_csv.read_bytes()
    # the CSV loader reads it like any point file: category where offences go, the request time as time
    layer, report = load_file(city.service_requests_csv)
    assert report.rows_kept == 800 and sorted(layer.offence_types()) == sorted(c for c, _ in CATEGORIES)
    assert layer.times is not None and layer.role == "incidents"  # a role is the analyst's choice, not the file's


def test_community_layer_is_never_the_incident_layer(project):
    requests = project.layers.by_name("Service requests")
    incidents = project.incident_layer()
    assert incidents is not None and incidents is not requests and not incidents.is_community
    assert project.community_layers() == [requests]
    incidents.role = "community"
    assert project.incident_layer() is None  # no incidents left: never falls back to community input
    incidents.role = "incidents"
    with pytest.raises(ValueError, match="role"):
        requests.role = "calls"


def test_role_round_trips_through_the_project_file(project, tmp_path):
    path = tmp_path / "c.hsproj"
    save_project(project, path)
    manifest = json.loads(path.read_text())
    roles = {e["name"]: e.get("role") for e in manifest["layers"]}
    assert roles["Service requests"] == "community" and roles[project.incident_layer().name] is None
    back, _, warnings = open_project(path)
    assert warnings == []
    assert [lyr.name for lyr in back.community_layers()] == ["Service requests"]
    assert back.incident_layer().name == project.incident_layer().name
    entry = next(e for e in manifest["layers"] if e["name"] == "Service requests")
    entry["role"] = "rumours"
    path.write_text(json.dumps(manifest))
    back, _, warnings = open_project(path)
    assert back.community_layers() == [] and any("role 'rumours' is unknown" in w for w in warnings)


def test_zone_measures_count_community_points_beside_incidents():
    zones = gpd.GeoDataFrame({"name": ["a", "b"]}, geometry=[box(0, 0, 1000, 1000), box(1000, 0, 3000, 1000)])
    rng = np.random.default_rng(4)
    x, y = rng.uniform(0, 3000, 500), rng.uniform(0, 1000, 500)
    cx, cy = rng.uniform(0, 3000, 120), rng.uniform(0, 1000, 120)
    cats = pd.Series(rng.choice(["Graffiti", "Pothole"], 120))
    layer = PointLayer("Survey", cx, cy, pd.DataFrame({"offence": pd.Categorical(cats)}))
    layer.role = "community"
    plain = zone_measures(zones, x, y, study_area_m2=3e6)
    res = zone_measures(zones, x, y, study_area_m2=3e6, community=community_points([layer]))
    # incident measures are untouched by community input
    pd.testing.assert_frame_equal(res.table[plain.table.columns], plain.table)
    for i, g in enumerate(zones.geometry):
        inside = shapely.contains_xy(g, cx, cy) | shapely.touches(g, shapely.points(cx, cy))
        assert res.table.loc[i, "community"] == inside.sum()
        assert res.table.loc[i, "community_km2"] == pytest.approx(inside.sum() / (g.area / 1e6))
        assert res.community_by_category.loc[i].to_dict() == cats[inside].value_counts().to_dict()
    assert res.community_name == "Survey"
    # the layer's filter applies: only graffiti
    from hotspot_desktop.core.model import PointFilter

    layer.filter = PointFilter(offences=frozenset({"Graffiti"}))
    only = zone_measures(zones, x, y, community=community_points([layer]))
    assert only.table["community"].sum() == (cats == "Graffiti").sum()
    assert list(only.community_by_category.columns) == ["Graffiti"]


def test_project_zone_measures_and_cli_table(project, tmp_path):
    res = project_zone_measures(project)
    requests = project.layers.by_name("Service requests")
    for i, g in enumerate(project.zones.gdf.geometry):
        expected = int((shapely.contains_xy(g, requests.x, requests.y)).sum())
        assert res.table.loc[i, "community"] == expected
    assert res.table["community"].sum() > 0
    path = tmp_path / "p.hsproj"
    save_project(project, path)
    out = tmp_path / "zones.csv"
    assert cli_main(["export", "table", str(path), "--what", "zones", "--out", str(out)]) == 0
    frame = pd.read_csv(out)
    assert list(frame["community"]) == list(res.table["community"])
    assert any(c.startswith("Service requests: ") for c in frame.columns)


def test_briefing_zone_table_shows_community_input_next_to_incidents(project, tmp_path):
    out = tmp_path / "brief.pdf"
    content = write_briefing(project, out)
    assert "community input" in content.pages
    table = content.community
    assert "Service requests" in table.columns and "incidents" in table.columns
    # independent counts in the briefing period
    period = content.period
    requests = project.layers.by_name("Service requests")
    incidents = project.incident_layer()
    in_req = ((requests.times >= period[0]) & (requests.times <= period[1])).to_numpy()
    in_inc = ((incidents.times >= period[0]) & (incidents.times <= period[1])).to_numpy()
    for i, g in enumerate(project.zones.gdf.geometry):
        n_req = int(shapely.intersects_xy(g, requests.x[in_req], requests.y[in_req]).sum())
        n_inc = int(shapely.intersects_xy(g, incidents.x[in_inc], incidents.y[in_inc]).sum())
        assert table.iloc[i]["Service requests"] == f"{n_req:,}" and table.iloc[i]["incidents"] == f"{n_inc:,}"
    texts = [p.extract_text() for p in PdfReader(out).pages]
    page = next(t for t in texts if "Zones: incidents and community input" in t)
    assert "Service requests" in page and table.iloc[0]["zone"] in page
    assert "Community input (survey responses / service requests): 'Service requests'" in texts[-1].replace("\n", " ")


def test_public_mode_never_shows_community_points(project, tmp_path):
    requests = project.layers.by_name("Service requests")
    opts = PublicOptions("hex", cell_size_m=300, min_count=3)
    layers = public_layers(list(project.layers), opts)
    assert not any(isinstance(lyr, PointLayer) for lyr in layers)
    assert any(lyr.name == "Service requests (count per cell)" for lyr in layers)
    # donut geomasking moves every community point off its address
    masked = public_layers([requests], PublicOptions("donut", seed=2))[0]
    assert_no_incident_locations(np.column_stack([masked.x, masked.y]), np.column_stack([requests.x, requests.y]))
    assert np.hypot(masked.x - requests.x, masked.y - requests.y).min() >= 100.0 - 1e-6
    # a public map draws no raw point of either layer
    c = compose_map(project, MapTemplate(dpi=72), public=opts)
    ax = c.figure.axes[0]
    drawn = [coll.get_offsets() for coll in ax.collections if len(getattr(coll, "get_offsets", lambda: [])())]
    originals = np.column_stack([requests.x, requests.y])
    for offsets in drawn:
        assert_no_incident_locations(np.asarray(offsets), originals)
    # the CLI layer export in public mode aggregates the community layer; raw is refused
    path = tmp_path / "p.hsproj"
    save_project(project, path)
    out = tmp_path / "requests.geojson"
    assert cli_main(["export", "layer", str(path), "--layer", "Service requests", "--out", str(out),
                     "--public", "hex", "--min-count", "3"]) == 0
    gdf = gpd.read_file(out)
    assert set(gdf.geom_type) == {"Polygon"} and (gdf["count"].dropna() >= 3).all()
    assert cli_main(["export", "layer", str(path), "--layer", "Service requests", "--out", str(out),
                     "--public", "raw"]) == 4
    # the briefing in public mode: small zone counts read "fewer than k"
    content = write_briefing(project, tmp_path / "pub.pdf", public=opts)
    col = content.community["Service requests"]
    assert all(v == "fewer than 3" or v == "0" or int(v.replace(",", "")) >= 3 for v in col)


def test_community_points_combine_layers_and_keep_categories():
    a = PointLayer("A", np.array([1.0, 2.0]), np.array([1.0, 2.0]), pd.DataFrame({"offence": ["x", "y"]}))
    b = PointLayer("B", np.array([3.0]), np.array([3.0]))
    cp = community_points([a, b])
    assert cp.name == "A + B" and len(cp) == 3 and list(cp.categories[:2]) == ["x", "y"] and cp.categories[2] is None
    assert community_points([]) is None
    z = gpd.GeoDataFrame({"name": ["all"]}, geometry=[Point(2, 2).buffer(5)])
    res = zone_measures(z, np.array([0.0]), np.array([0.0]), community=cp)
    assert res.table.loc[0, "community"] == 3 and res.community_by_category.loc[0].sum() == 2


def test_map_small_print_names_community_input_as_such():
    """A visible community layer is not described with offence types in the map's automatic text."""
    from hotspot_desktop.export.compose import auto_text

    t = pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(10), unit="D")
    req = PointLayer("Service requests", np.arange(10.0), np.arange(10.0), pd.DataFrame({"time": t}))
    req.role = "community"
    inc = PointLayer("Incidents", np.arange(10.0), np.arange(10.0), pd.DataFrame({"time": t}))
    text = auto_text(Project(), [inc, req])
    assert "Incidents: 2024-01-01 to 2024-01-10; all offence types" in text
    assert "Service requests (community input): 2024-01-01 to 2024-01-10" in text
    assert "Service requests (community input): 2024-01-01 to 2024-01-10;" not in text
