"""Which point layer is "the incidents": AVL pings (role patrol_log) and other point layers are
never briefed on, measured or equity-checked as incidents; the briefing, the CLI's
``--incidents`` and a public briefing that leaves the patrol schedule out."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pypdf import PdfReader

from hotspot_desktop.cli import main as cli_main
from hotspot_desktop.core.analysis.patrol import Shift, ZoneDemand, make_plan
from hotspot_desktop.core.io.loaders import add_file_to_project
from hotspot_desktop.core.io.patrol_io import write_plan_csv
from hotspot_desktop.core.io.project_io import open_project, save_project
from hotspot_desktop.core.model import POINT_ROLES, Project, ZoneLayer, guess_point_role, unit_column
from hotspot_desktop.core.zones.measures import project_zone_measures
from hotspot_desktop.export.briefing import PLAN_LEFT_OUT_PUBLIC, write_briefing
from hotspot_desktop.export.public import PublicOptions
from hotspot_desktop.sample import generate_city


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    return generate_city(tmp_path_factory.mktemp("city"), n_incidents=2000, seed=11, years=1, n_service_requests=300)


def _pings_csv(city, path, n=500):
    """AVL pings: unit, time, latitude, longitude, two years after the incidents."""
    inc = pd.read_csv(city.incidents_csv)
    lat_col = next(c for c in inc.columns if c.lower() in ("latitude", "lat"))
    lon_col = next(c for c in inc.columns if c.lower() in ("longitude", "lon", "lng"))
    rng = np.random.default_rng(3)
    pick = rng.integers(0, len(inc), n)
    times = pd.Timestamp("2031-05-01 06:00") + pd.to_timedelta(np.arange(n), unit="min")
    pd.DataFrame({"unit": [f"B{i % 3 + 1}" for i in range(n)], "time": times.strftime("%Y-%m-%d %H:%M:%S"),
                  "latitude": inc[lat_col].to_numpy()[pick], "longitude": inc[lon_col].to_numpy()[pick]}
                 ).to_csv(path, index=False)
    return path


def _land_use_csv(city, path, n=60):
    """Points of interest without dates (a "Land use" point layer)."""
    inc = pd.read_csv(city.incidents_csv)
    lat_col = next(c for c in inc.columns if c.lower() in ("latitude", "lat"))
    lon_col = next(c for c in inc.columns if c.lower() in ("longitude", "lon", "lng"))
    pd.DataFrame({"name": [f"site {i}" for i in range(n)], "kind": ["bar"] * n,
                  "latitude": inc[lat_col].to_numpy()[:n], "longitude": inc[lon_col].to_numpy()[:n]}
                 ).to_csv(path, index=False)
    return path


@pytest.fixture
def project(city, tmp_path) -> Project:
    p = Project()
    incidents, _ = add_file_to_project(p, city.incidents_csv)
    incidents.name = "Incidents"
    zones = gpd.read_file(city.ground_truth_gpkg, layer="intervention_zones").to_crs(p.working_crs)
    p.layers.append(ZoneLayer("Zones", gpd.GeoDataFrame({"name": zones["name"], "role": zones["role"]},
                                                        geometry=zones.geometry, crs=p.working_crs)))
    land, _ = add_file_to_project(p, _land_use_csv(city, tmp_path / "land_use.csv"))
    land.name = "Land use"
    avl, _ = add_file_to_project(p, _pings_csv(city, tmp_path / "avl.csv"))
    avl.name, avl.role = "AVL", "patrol_log"
    p.layers.active = avl  # README dosage steps: the AVL file was added last and is active
    return p


def test_patrol_log_role_and_guess():
    assert "patrol_log" in POINT_ROLES
    assert unit_column(["time", "Call Sign", "lat"]) == "Call Sign"
    assert unit_column(["time", "offence", "lat"]) is None
    assert guess_point_role(["unit", "time", "latitude", "longitude"], None) == "patrol_log"
    assert guess_point_role(["vehicle", "time", "x", "y"], None) == "patrol_log"
    assert guess_point_role(["unit", "offence", "time", "x", "y"], "offence") == "incidents"  # crime with a unit
    assert guess_point_role(["id", "time", "x", "y"], None) == "incidents"


def test_incident_layer_rule(project):
    inc, land, avl = (project.layers.by_name(n) for n in ("Incidents", "Land use", "AVL"))
    assert avl.is_patrol_log and not avl.is_community and not avl.is_incidents
    assert project.incident_layer() is inc  # the active AVL layer is never the incidents
    assert avl not in project.incident_layers() and avl not in project.community_layers()
    project.layers.active = land  # an undated point layer: the dated incidents win
    assert project.incident_layer() is inc
    project.layers.active = inc
    assert project.incident_layer() is inc
    # top-most dated incidents layer when the active one is not incidents
    second, _ = add_file_to_project(project, project.layers.by_name("Incidents").source.path)
    second.name = "Incidents (copy)"
    project.layers.active = avl
    assert project.incident_layer() is second
    # an active incidents layer with dates is taken as is
    project.layers.active = inc
    assert project.incident_layer() is inc
    for lyr in (inc, second):
        lyr.role = "community"
    assert project.incident_layer() is land  # undated incidents-role layer when nothing else
    land.role = "patrol_log"
    assert project.incident_layer() is None  # never a patrol log or community input


def test_briefing_with_avl_active_is_about_the_incidents(project, tmp_path):
    inc = project.layers.by_name("Incidents")
    content = write_briefing(project, tmp_path / "b.pdf")
    span = inc.time_span()
    assert content.period[1] == pd.Timestamp(span[1])  # not 2031 (the pings)
    assert content.period[1].year < 2031
    text = "".join(pg.extract_text() for pg in PdfReader(tmp_path / "b.pdf").pages)
    assert "Incident layer 'Incidents'" in text and "Incident layer 'AVL'" not in text
    # the land-use points active: the briefing still works, on the incidents
    project.layers.active = project.layers.by_name("Land use")
    again = write_briefing(project, tmp_path / "c.pdf")
    assert again.period == content.period
    # an explicit incidents layer without dates is refused with its name
    with pytest.raises(ValueError, match="Land use"):
        write_briefing(project, tmp_path / "d.pdf", incidents=project.layers.by_name("Land use"))


def test_zone_measures_use_the_incidents_not_the_pings(project):
    inc = project.layers.by_name("Incidents")
    res = project_zone_measures(project)
    explicit = project_zone_measures(project, incidents=inc)
    assert res.table["incidents"].tolist() == explicit.table["incidents"].tolist()
    assert res.table["incidents"].sum() <= len(inc)


def test_patrol_log_role_round_trips(project, tmp_path):
    save_project(project, tmp_path / "p.hsproj")
    doc = json.loads((tmp_path / "p.hsproj").read_text())
    roles = {e["name"]: e.get("role") for e in doc["layers"]}
    assert roles["AVL"] == "patrol_log" and roles["Incidents"] is None
    back, _reports, _warnings = open_project(tmp_path / "p.hsproj")
    assert back.layers.by_name("AVL").role == "patrol_log"
    assert back.incident_layer().name == "Incidents"


def _plan_csv(project, path):
    names = [str(n) for n in project.zones.gdf["name"]]
    rng = np.random.default_rng(1)
    plan = make_plan([ZoneDemand(n, rng.random(168), visits_per_shift=2) for n in names[:3]],
                     [Shift("Early", 6, 14, 2), Shift("Late", 14, 22, 2)],
                     first_day=pd.Timestamp("2025-03-03"), days=7, seed=5)
    write_plan_csv(plan, path)
    return path, plan


def test_public_briefing_leaves_the_patrol_plan_out(project, tmp_path, capsys):
    plan_csv, plan = _plan_csv(project, tmp_path / "week.csv")
    private = write_briefing(project, tmp_path / "private.pdf", patrol_plan=plan)
    assert "patrol plan" in private.pages and PLAN_LEFT_OUT_PUBLIC not in private.warnings
    public = write_briefing(project, tmp_path / "public.pdf", patrol_plan=plan, public=PublicOptions(method="hex"))
    assert "patrol plan" not in public.pages and PLAN_LEFT_OUT_PUBLIC in public.warnings
    text = "".join(pg.extract_text() for pg in PdfReader(tmp_path / "public.pdf").pages)
    private_text = "".join(pg.extract_text() for pg in PdfReader(tmp_path / "private.pdf").pages)
    unit = str(plan.visits["unit"].iloc[0])
    assert unit in private_text and unit not in text  # no visit rows, no timeline
    assert "Patrol plan left out" in text

    # the CLI: a warning on stderr, no plan pages; --incidents picks the layer by name
    save_project(project, tmp_path / "p.hsproj")
    out = tmp_path / "cli.pdf"
    rc = cli_main(["export", "briefing", str(tmp_path / "p.hsproj"), "--out", str(out), "--public", "hex",
                   "--plan", str(plan_csv), "--incidents", "Incidents"])
    captured = capsys.readouterr()
    assert rc == 0 and out.exists()
    assert "warning: Patrol plan left out" in captured.err and "patrol plan" not in captured.out
    rc = cli_main(["export", "briefing", str(tmp_path / "p.hsproj"), "--out", str(out), "--incidents", "AVL"])
    assert rc == 1 and "not a layer of incidents" in capsys.readouterr().err
    rc = cli_main(["export", "briefing", str(tmp_path / "p.hsproj"), "--out", str(out), "--incidents", "Nope"])
    assert rc == 1 and "no point layer named 'Nope'" in capsys.readouterr().err


def test_community_page_names_the_files_category_column(project, city, tmp_path):
    requests, _ = add_file_to_project(project, city.service_requests_csv)
    requests.name, requests.role = "Service requests", "community"
    content = write_briefing(project, tmp_path / "b.pdf")
    assert "community input" in content.pages
    text = " ".join(pg.extract_text() for pg in PdfReader(tmp_path / "b.pdf").pages)
    flat = " ".join(text.split())
    assert "column 'category'" in flat and "column 'offence'" not in flat
    assert "Service requests (survey responses / service requests)" not in flat


def test_patrol_logs_never_go_public_and_are_named_in_the_small_print():
    """Even counts of AVL pings show where and when patrols go: public mode leaves them out and
    refuses to export them; the map small print calls them a patrol log."""
    import numpy as np
    import pandas as pd

    from hotspot_desktop.core.model import PointLayer, Project
    from hotspot_desktop.core.privacy import PublicReleaseRefused
    from hotspot_desktop.export.compose import auto_text
    from hotspot_desktop.export.public import PublicOptions, public_geodataframe, public_layers

    t = pd.Timestamp("2025-01-06") + pd.to_timedelta(np.arange(50), unit="min")
    avl = PointLayer("avl", np.arange(50.0), np.arange(50.0), pd.DataFrame({"time": t, "unit": "Late-1"}))
    avl.role = "patrol_log"
    inc = PointLayer("Incidents", np.arange(50.0), np.arange(50.0), pd.DataFrame({"time": t}))
    kept = public_layers([inc, avl], PublicOptions("hex", cell_size_m=100, min_count=1))
    assert len(kept) == 1 and kept[0].name != "avl"
    with pytest.raises(PublicReleaseRefused, match="patrol log"):
        public_geodataframe(avl, PublicOptions("hex"), None)
    assert "avl (patrol log): 2025-01-06 to 2025-01-06" in auto_text(Project(), [avl])
