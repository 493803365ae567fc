"""Equity check with catchments, the project's equity layer (saved with the project) and the
briefing's equity appendix, each checked against figures computed independently with a
geopandas overlay of the sample city's census areas."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pypdf import PdfReader
from shapely.geometry import box

from hotspot_desktop.cli import main as cli_main
from hotspot_desktop.core.analysis.equity import equity_report, patrol_areas, project_equity
from hotspot_desktop.core.io.project_io import open_project, save_project
from hotspot_desktop.core.model import EquitySetting, VectorLayer, ZoneLayer
from hotspot_desktop.export.briefing import write_briefing
from hotspot_desktop.sample.project import build_sample_project
from hotspot_desktop.tools.builtin import TOOLS
from hotspot_desktop.tools.execute import run_now

GROUPS = ["pop_white", "pop_black", "pop_hispanic", "pop_asian", "pop_other"]


def overlay_shares(census: gpd.GeoDataFrame, groups: list[str], area) -> np.ndarray:
    """Independent areal weighting: geopandas overlay of the census with ``area``."""
    census = census.reset_index(drop=True).assign(_area=census.geometry.area, _row=np.arange(len(census)))
    ov = gpd.overlay(census, gpd.GeoDataFrame(geometry=[area], crs=census.crs), how="intersection")
    frac = ov.geometry.area / ov["_area"]
    pop = np.array([(ov[g] * frac).sum() for g in groups])
    return pop / pop.sum()


def area_shares(census: gpd.GeoDataFrame, groups: list[str]) -> np.ndarray:
    tot = census[groups].sum().to_numpy(dtype=float)
    return tot / tot.sum()


def independent_areas(zones: gpd.GeoDataFrame, roles=("patrol", "target"), ring_m: float = 250.0):
    """(zones union, zones + catchments union) built with shapely directly from the zone rows."""
    patrol = zones[zones["role"].isin(roles)].geometry
    z = shapely.unary_union(list(patrol))
    drawn = list(zones[zones["role"] == "catchment"].geometry)
    parts = [z] + drawn + ([shapely.unary_union([g.buffer(ring_m, quad_segs=32) for g in patrol])] if ring_m else [])
    return z, shapely.unary_union(parts)


def pct(v: float) -> str:
    return f"{100 * v:.1f}%"


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    out = tmp_path_factory.mktemp("equity_sample")
    path = build_sample_project(out, n_incidents=4000, seed=3, years=1)
    return path


@pytest.fixture
def project(sample):
    project, _, warnings = open_project(sample)
    assert warnings == []
    return project


# --- catchments --------------------------------------------------------------------------------
def test_catchment_ring_and_drawn_catchments_match_a_shapely_overlay():
    census = gpd.GeoDataFrame({"a": [1000.0, 0.0, 300.0], "b": [0.0, 1000.0, 300.0]},
                              geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000), box(2000, 0, 3000, 1000)])
    zone = box(200, 200, 600, 600)
    drawn = box(2200, 200, 2600, 600)  # a drawn catchment away from the zone
    areas = patrol_areas([zone], [drawn], catchment_m=300.0)
    assert areas.catchment is not None and not areas.catchment.intersects(zone.buffer(-1))
    rep = equity_report(census, ["a", "b"], areas)
    # zones alone: wholly in area 0 -> group a only
    assert rep.zones.table["share_zone"].tolist() == pytest.approx([1.0, 0.0])
    both = shapely.unary_union([zone.buffer(300.0, quad_segs=32), drawn])
    expected = overlay_shares(census, ["a", "b"], both)
    assert rep.with_catchments.table["share_zone"].to_numpy() == pytest.approx(expected, rel=1e-9)
    assert rep.table["share_catchments"].to_numpy() == pytest.approx(expected, rel=1e-9)
    assert "a 300 m ring" in rep.note and "1 drawn catchment zone" in rep.note
    # Head counts beside the shares: residents of each group living in the zones (areal weighting:
    # 0.16 km2 of area 0's 1 km2 -> 160 of its 1,000 "a"), then in the zones and catchments.
    shown = rep.display_table().set_index("group")
    assert shown["people in zones"].tolist() == ["160", "0"]
    census_areas = census.geometry.area.to_numpy()
    for g in ("a", "b"):
        people = sum(census[g][i] * census.geometry[i].intersection(both).area / census_areas[i] for i in range(3))
        assert shown.loc[g, "people in zones + catchments"] == f"{people:,.0f}"
    # no catchment at all: only the zone figures
    alone = equity_report(census, ["a", "b"], patrol_areas([zone]))
    assert alone.with_catchments is None and "share_catchments" not in alone.table.columns
    assert "no catchments" in alone.note


def test_tool_reports_zones_and_zones_with_catchments_on_the_sample_city(project):
    census = project.layers.by_id("census")
    zones = project.zones
    tool = next(t for t in TOOLS if t.id == "patrol.equity")
    values = tool.defaults() | {"population": census, "groups": ", ".join(GROUPS), "zones": zones,
                                "catchment": zones, "catchment_width": 250.0,
                                "points": project.layers.by_id("incidents")}
    assert tool.validate(values) == {}
    res = run_now(tool, values).result
    table = res.tables[0].frame.set_index("group")
    z, both = independent_areas(zones.gdf)
    for col, area in (("% of zone population", z), ("% of zones + catchments population", both)):
        expected = overlay_shares(census.gdf, GROUPS, area) * 100
        assert table.loc[GROUPS, col].to_numpy() == pytest.approx(expected, abs=0.051), col
    expected_area = area_shares(census.gdf, GROUPS) * 100
    assert table.loc[GROUPS, "% of area population"].to_numpy() == pytest.approx(expected_area, abs=0.051)
    ratio = overlay_shares(census.gdf, GROUPS, both) / area_shares(census.gdf, GROUPS)
    assert table.loc[GROUPS, "ratio (zones + catchments)"].to_numpy() == pytest.approx(ratio, abs=0.0005)  # shown to 3 decimals
    assert set(res.charts[0].series) == {"whole area", "patrol zones", "zones + catchments"}
    assert any("2 drawn catchment zones and a 250 m ring" in n for n in res.notes)


# --- the project's equity layer ----------------------------------------------------------------
def test_equity_setting_round_trips_and_older_files_open(project, tmp_path):
    setting = EquitySetting("census", tuple(GROUPS), None, ("patrol",), 100.0, False, 30.0)
    project.equity = setting
    assert project.modified
    path = tmp_path / "eq.hsproj"
    save_project(project, path)
    manifest = json.loads(path.read_text())
    assert manifest["equity"]["groups"] == GROUPS and manifest["equity"]["catchment_m"] == 100.0
    back, _, warnings = open_project(path)
    assert warnings == [] and back.equity == setting and not back.modified
    # a file written before the equity layer existed (no key) opens with none
    del manifest["equity"]
    old = tmp_path / "old.hsproj"
    old.write_text(json.dumps(manifest))
    assert open_project(old)[0].equity is None
    # a damaged setting, or one whose census layer is gone, is dropped with a warning
    manifest["equity"] = {"population_layer": "census", "groups": "pop_white"}
    old.write_text(json.dumps(manifest))
    p, _, warnings = open_project(old)
    assert p.equity is None and any("equity layer setting was ignored" in w for w in warnings)
    manifest["equity"] = setting.to_dict() | {"population_layer": "gone"}
    old.write_text(json.dumps(manifest))
    p, _, warnings = open_project(old)
    assert p.equity is None and any("did not open" in w for w in warnings)


def test_setting_validates_its_values():
    with pytest.raises(ValueError, match="at least one population group"):
        EquitySetting("census", ())
    with pytest.raises(ValueError, match="zone roles"):
        EquitySetting("census", ("a",), roles=("beat",))
    with pytest.raises(ValueError, match="tolerance"):
        EquitySetting("census", ("a",), tolerance_pct=0.0)
    s = EquitySetting("census", ("a",), tolerance_pct=25.0)
    assert s.high == pytest.approx(1.25) and s.low == pytest.approx(0.8)


def test_project_equity_uses_the_setting_and_the_filtered_incidents(project):
    project.equity = EquitySetting("census", tuple(GROUPS), catchment_m=0.0, drawn_catchments=True)
    rep = project_equity(project)
    census = project.layers.by_id("census").gdf
    z, both = independent_areas(project.zones.gdf, ring_m=0.0)
    assert rep.zones.table["share_zone"].to_numpy() == pytest.approx(overlay_shares(census, GROUPS, z), rel=1e-9)
    assert rep.with_catchments.table["share_zone"].to_numpy() == pytest.approx(
        overlay_shares(census, GROUPS, both), rel=1e-9)
    incidents = project.layers.by_id("incidents")
    assert rep.n_incidents == len(incidents) and rep.incidents_name == incidents.name
    # incidents' shares: each incident counted by its census area's make-up (spatial join)
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(incidents.x, incidents.y), crs=census.crs)
    joined = gpd.sjoin(pts, census, predicate="within")
    pops = joined[GROUPS].to_numpy(float)
    comp = pops[pops.sum(axis=1) > 0] / pops[pops.sum(axis=1) > 0].sum(axis=1, keepdims=True)  # empty areas: nobody
    expected_inc = comp.sum(axis=0) / comp.sum()
    assert rep.zones.table["share_incidents"].to_numpy() == pytest.approx(expected_inc, rel=1e-9)
    # the cache keeps the incidents per area until the incidents' filter changes
    from hotspot_desktop.core.model import PointFilter

    cache: dict = {}
    assert project_equity(project, cache=cache).n_incidents == len(incidents) and "counts" in cache
    incidents.filter = PointFilter(date_to=incidents.time_span()[0] + pd.Timedelta(days=60))
    filtered = project_equity(project, cache=cache)
    assert filtered.n_incidents == int(incidents.mask().sum()) < len(incidents)
    assert cache["n"] == filtered.n_incidents
    incidents.filter = PointFilter()
    project.equity = EquitySetting("beats", ("nothing",))
    with pytest.raises(ValueError, match="population columns not found"):
        project_equity(project)


# --- the briefing ----------------------------------------------------------------------------------
def _pdf_text(path: Path) -> list[str]:
    return [p.extract_text() for p in PdfReader(path).pages]


def test_briefing_appendix_carries_the_equity_table(project, tmp_path):
    project.equity = EquitySetting("census", tuple(GROUPS))
    out = tmp_path / "brief.pdf"
    content = write_briefing(project, out)
    assert content.pages[-2:] == ["methods appendix", "equity check"]
    texts = _pdf_text(out)
    page = texts[-1]
    assert "Methods appendix: equity check" in page and "areal weighting" in page
    census = project.layers.by_id("census").gdf
    z, both = independent_areas(project.zones.gdf)
    zone_shares = overlay_shares(census, GROUPS, z)
    both_shares = overlay_shares(census, GROUPS, both)
    whole = area_shares(census, GROUPS)
    flat = page.replace("\n", " ")
    for g, a, zs, bs in zip(GROUPS, whole, zone_shares, both_shares):
        row = flat[flat.index(g):]
        for figure in (pct(a), pct(zs), f"{zs / a:.2f}", pct(bs), f"{bs / a:.2f}"):
            assert figure in row[:160], (g, figure, row[:160])
    assert "Equity check (next page)" in texts[-2]
    # without the project setting (or when told not to) there is no equity page
    plain = write_briefing(project, tmp_path / "plain.pdf", use_project_equity=False)
    assert "equity check" not in plain.pages


def test_briefing_says_why_a_broken_equity_setting_is_left_out(project, tmp_path):
    project.equity = EquitySetting("census", ("pop_missing",))
    content = write_briefing(project, tmp_path / "b.pdf")
    assert "equity check" not in content.pages
    assert content.warnings and "population columns not found: pop_missing" in content.warnings[0]
    assert "Equity check left out" in _pdf_text(tmp_path / "b.pdf")[-1]


def test_cli_briefing_uses_the_project_setting_and_overrides(project, tmp_path, capsys):
    project.equity = EquitySetting("census", ("pop_white", "pop_black"))
    path = tmp_path / "p.hsproj"
    save_project(project, path)
    out = tmp_path / "cli.pdf"
    assert cli_main(["export", "briefing", str(path), "--out", str(out)]) == 0
    assert "equity check" in capsys.readouterr().out
    last = _pdf_text(out)[-1]
    assert "pop_white" in last and "pop_hispanic" not in last
    # override the groups and the ring for this briefing only
    assert cli_main(["export", "briefing", str(path), "--out", str(out), "--equity-groups",
                     "pop_hispanic,pop_asian", "--equity-catchment", "0", "--equity-tolerance", "10"]) == 0
    last = _pdf_text(out)[-1]
    assert "pop_hispanic" in last and "pop_white" not in last and "flagged at ≥ 1.10" in last.replace("\n", " ")
    assert open_project(path)[0].equity.groups == ("pop_white", "pop_black")  # the file is untouched
    assert cli_main(["export", "briefing", str(path), "--out", str(out), "--no-equity"]) == 0
    assert "equity check" not in capsys.readouterr().out.split("sections:")[-1]
    # a project without a setting: both flags needed
    project.equity = None
    save_project(project, path)
    assert cli_main(["export", "briefing", str(path), "--out", str(out), "--equity-layer", "Beats"]) == 1
    assert "give both --equity-layer and --equity-groups" in capsys.readouterr().err
    assert cli_main(["export", "briefing", str(path), "--out", str(out), "--equity-layer",
                     "Census block groups (population)", "--equity-groups", "pop_white,pop_black"]) == 0
    assert "equity check" in capsys.readouterr().out


def test_equity_layer_setting_names_zone_layer_by_id(project):
    other = ZoneLayer("Other zones", gpd.GeoDataFrame({"name": ["x"], "role": ["patrol"]},
                                                       geometry=[box(*project.zones.gdf.total_bounds)],
                                                       crs=project.working_crs))
    project.layers.append(other)
    rep = project_equity(project, EquitySetting("census", tuple(GROUPS), zone_layer=other.id, catchment_m=0.0))
    assert rep.areas.n_zones == 1 and rep.with_catchments is None
    census = project.layers.by_id("census").gdf
    assert rep.zones.table["share_zone"].to_numpy() == pytest.approx(
        overlay_shares(census, GROUPS, other.gdf.geometry.iloc[0]), rel=1e-9)
    with pytest.raises(ValueError, match="not a polygon layer"):
        project_equity(project, EquitySetting("incidents", tuple(GROUPS)))
    assert isinstance(project.layers.by_id("census"), VectorLayer)
    pd.testing.assert_index_equal(rep.table.columns[:3], pd.Index(["group", "population", "share_area"]))


def test_note_counts_incidents_outside_every_census_area():
    import geopandas as gpd
    import numpy as np
    from shapely.geometry import box

    from hotspot_desktop.core.analysis.equity import PatrolAreas, equity_report

    census = gpd.GeoDataFrame({"a": [100.0, 50.0], "b": [10.0, 80.0]}, geometry=[box(0, 0, 10, 10), box(10, 0, 20, 10)])
    x = np.array([1.0, 2.0, 15.0, 30.0, 40.0])  # the last two are outside both areas
    y = np.array([1.0, 2.0, 5.0, 5.0, 5.0])
    report = equity_report(census, ["a", "b"], PatrolAreas(box(0, 0, 5, 5), None, 1, 0, 0.0), x, y)
    assert "2 of the 5 incidents lie outside every census area" in report.note
    assert "Shares are among the groups chosen" in report.note
