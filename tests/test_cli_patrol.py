"""Patrol plan and dosage through the real CLI: plan CSVs read back, AVL CSVs measured against them."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from hotspot_desktop.cli import main
from hotspot_desktop.core.io.patrol_io import read_plan_csv, visits_table

ZONES = {"Market": (-87.640, 41.875), "Station": (-87.625, 41.885), "Park": (-87.632, 41.893)}
PLAN_ARGS = ["--days=3", "--first_day=2025-01-06", "--shifts=Late 14-22 x2; Night 22-06 x1", "--visits_per_shift=3"]


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("patrol_cli")
    rng = np.random.default_rng(5)
    n = 1200
    t = pd.Timestamp("2024-10-01") + pd.to_timedelta(rng.integers(0, 90 * 24, n), unit="h")
    centres = np.array(list(ZONES.values()))[rng.integers(0, 3, n)]
    pd.DataFrame({"id": range(n), "date": t.strftime("%Y-%m-%d %H:%M"),
                  "latitude": centres[:, 1] + rng.normal(0, 0.002, n),
                  "longitude": centres[:, 0] + rng.normal(0, 0.002, n)}).to_csv(d / "incidents.csv", index=False)
    boxes = [shapely.box(x - 0.003, y - 0.002, x + 0.003, y + 0.002) for x, y in ZONES.values()]
    gpd.GeoDataFrame({"name": list(ZONES), "role": ["patrol"] * 3}, geometry=boxes, crs=4326).to_file(
        d / "zones.geojson", driver="GeoJSON")
    return {"incidents": d / "incidents.csv", "zones": d / "zones.geojson", "dir": d}


def _plan(files, out: Path, capsys) -> Path:
    rc = main(["run", "patrol.plan", "--input", str(files["incidents"]), "--input", str(files["zones"]),
               *PLAN_ARGS, "--out", str(out), "--quiet"])
    assert rc == 0, capsys.readouterr().err
    return out


def test_plan_from_cli_reads_back_as_the_same_visits(files, tmp_path, capsys):
    from hotspot_desktop.core.io.loaders import add_file_to_project
    from hotspot_desktop.core.model import Project
    from hotspot_desktop.tools.execute import run_now
    from hotspot_desktop.tools.registry import load_registry

    week = _plan(files, tmp_path / "week.csv", capsys)  # --out .csv: the visits table is the file itself
    other = _plan(files, tmp_path / "run" / "plan.gpkg", capsys)  # otherwise STEM_visits.csv
    printed = capsys.readouterr().out
    a, b = read_plan_csv(week), read_plan_csv(tmp_path / "run" / "plan_visits.csv")
    pd.testing.assert_frame_equal(a.visits, b.visits)
    assert (tmp_path / "week.plan.json").is_file() and (tmp_path / "run" / "plan_visits.plan.json").is_file()
    assert a.settings["shifts"] and a.coverage["expected_coverage"].notna().all()  # the sidecar's
    assert set(a.visits["zone"]) == set(ZONES) and a.visits["minutes"].between(10, 16).all()
    # The same inputs run in-process give the same table (seed 0 both ways).
    project = Project()
    pts, _ = add_file_to_project(project, files["incidents"])
    zones, _ = add_file_to_project(project, files["zones"])
    tool = load_registry(safe_mode=True).get("patrol.plan")
    values = {"points": pts, "zones": zones, "days": 3, "first_day": "2025-01-06",
              "shifts": "Late 14-22 x2; Night 22-06 x1", "visits_per_shift": 3}
    table = next(t for t in run_now(tool, values).result.tables if t.name == "visits").frame
    pd.testing.assert_frame_equal(visits_table(a.visits), table)
    # One timeline per shift, written as chart data beside the tables.
    late = pd.read_csv(tmp_path / "week_patrol_timeline_late_shift_chart.csv")
    assert list(late.columns) == ["zone", "lane", "lane_name", "start", "end"]
    assert len(late) == (a.visits["shift"] == "Late").sum() and late["start"].between(14, 22).all()
    assert late["lane_name"].str.contains("Late-").all()
    assert str(tmp_path / "week_patrol_timeline_night_shift_chart.csv") in printed
    assert other.with_name("plan_coverage.csv").exists()


def _avl(files, plan_csv: Path, out: Path, **kw) -> tuple[Path, pd.DataFrame]:
    from hotspot_desktop.sample.avl import load_zones, simulate_avl, write_avl_csv

    zones, crs = load_zones(files["zones"])
    sim = simulate_avl(read_plan_csv(plan_csv).visits, zones, seed=3, **kw)
    extra = sim.pings.iloc[:40].assign(time=sim.pings["time"].iloc[:40] + pd.Timedelta(days=30))  # after the plan
    write_avl_csv(pd.concat([sim.pings, extra], ignore_index=True), out, crs)
    return out, sim.visits


def test_dosage_from_cli_against_the_plan(files, tmp_path, capsys):
    plan_csv = _plan(files, tmp_path / "week.csv", capsys)
    avl, truth = _avl(files, plan_csv, tmp_path / "avl.csv", drive=False, max_delay_minutes=0, compliance=0.7)
    assert {"unit", "time", "latitude", "longitude"} == set(pd.read_csv(avl).columns)
    capsys.readouterr()
    out = tmp_path / "dosage.csv"
    rc = main(["run", "patrol.dosage", "--input", str(avl), "--input", str(files["zones"]),
               f"--plan={plan_csv}", "--out", str(out), "--json", "--quiet"])
    assert rc == 0, capsys.readouterr().err
    summary = json.loads(capsys.readouterr().out)
    notes = " ".join(summary["runs"][0]["notes"])
    assert "40 pings outside it are not counted against the plan" in notes and "at most 5 min apart" in notes
    by_zone = pd.read_csv(out).set_index("zone")
    expected = truth[truth["kept"]].groupby("zone")["minutes"].sum()
    planned = truth.groupby("zone")["minutes"].sum()
    for zone in ZONES:
        assert by_zone.loc[zone, "planned_minutes"] == planned[zone]
        assert by_zone.loc[zone, "delivered_minutes"] == pytest.approx(expected.get(zone, 0))
        assert by_zone.loc[zone, "delivered_%"] == pytest.approx(100 * expected.get(zone, 0) / planned[zone], abs=0.1)
    per_visit = pd.read_csv(tmp_path / "dosage_visit_delivery.csv")
    assert (per_visit["made"] == "yes").sum() == truth["kept"].sum()
    by_shift = pd.read_csv(tmp_path / "dosage_by_shift.csv").set_index("shift")
    assert by_shift["visits_made"].sum() == truth["kept"].sum() and set(by_shift.index) == {"Late", "Night"}
    chart = pd.read_csv(tmp_path / "dosage_dosage_planned_vs_delivered_minutes_chart.csv")
    assert list(chart.columns) == ["zone", "planned minutes", "delivered minutes"]


def test_dosage_with_projected_pings_and_no_plan(files, tmp_path, capsys):
    from hotspot_desktop.sample.avl import load_zones, simulate_avl

    plan_csv = _plan(files, tmp_path / "week.csv", capsys)
    zones, crs = load_zones(files["zones"])
    sim = simulate_avl(read_plan_csv(plan_csv).visits, zones, seed=8, compliance=1.0)
    pings = sim.pings.rename(columns={"unit": "car"})
    pings.assign(time=pings["time"].dt.strftime("%Y-%m-%dT%H:%M:%S")).to_csv(tmp_path / "log.csv", index=False)
    out = tmp_path / "delivered.csv"
    rc = main(["run", "patrol.dosage", "--pings", str(tmp_path / "log.csv"), "--zones", str(files["zones"]),
               "--unit_field=car", f"--crs=EPSG:{crs.to_epsg()}", "--out", str(out), "--quiet"])
    assert rc == 0, capsys.readouterr().err
    by_zone = pd.read_csv(out)
    assert list(by_zone.columns) == ["zone", "delivered_stays", "delivered_minutes"]
    # Every visit was made and units drive between zones: at least the planned minutes are delivered.
    assert by_zone["delivered_minutes"].sum() >= sim.visits["minutes"].sum()


@pytest.mark.parametrize("plan, code, message", [
    ("absent.csv", 2, "--plan: Patrol plan (CSV): no file"),
    ("zones.geojson", 2, "--plan: Patrol plan (CSV) must be a .csv file"),
    ("incidents.csv", 1, "incidents.csv is not a patrol plan: it has no 'zone', 'start', 'end' columns"),
])
def test_dosage_plan_errors(files, tmp_path, capsys, plan, code, message):
    avl = tmp_path / "avl.csv"
    pd.DataFrame({"unit": ["a", "a"], "time": ["2025-01-06 14:00", "2025-01-06 14:01"],
                  "latitude": [41.875, 41.875], "longitude": [-87.64, -87.64]}).to_csv(avl, index=False)
    path = files["dir"] / plan
    assert main(["run", "patrol.dosage", "--input", str(avl), "--input", str(files["zones"]), f"--plan={path}",
                 "--out", str(tmp_path / "d.csv"), "--quiet"]) == code
    err = capsys.readouterr().err
    assert err.startswith("error:") and message in err


def test_tools_lists_the_file_parameter(capsys):
    assert main(["tools", "patrol.dosage"]) == 0
    out = capsys.readouterr().out
    assert "--plan" in out and "file[.csv]" in out and "Telep" in out and "min [0.5..240]" in out
    assert main(["tools", "patrol.dosage", "--json"]) == 0
    params = {p["name"]: p for p in json.loads(capsys.readouterr().out)["parameters"]}
    assert params["plan"]["type"] == "file" and params["plan"]["extensions"] == ["csv"] and params["plan"]["optional"]


def test_sample_avl_command_writes_pings_the_loader_reads(files, tmp_path, capsys):
    from hotspot_desktop.core.io.loaders import add_file_to_project
    from hotspot_desktop.core.model import Project
    from hotspot_desktop.sample.avl import main as avl_main

    plan_csv = _plan(files, tmp_path / "week.csv", capsys)
    out = tmp_path / "avl.csv"
    assert avl_main([str(files["zones"]), str(plan_csv), str(out), "--compliance", "0.5", "--interval", "2"]) == 0
    assert "planned visits made" in capsys.readouterr().err
    layer, report = add_file_to_project(Project(), out)
    assert len(layer) == len(pd.read_csv(out)) and not report.warnings
    assert layer.times.notna().all() and set(layer.attributes["unit"].astype(str)) == {"Late-1", "Late-2", "Night-1"}
    assert avl_main([str(files["zones"]), str(plan_csv), str(out), "--compliance", "2"]) == 2
    assert avl_main([str(files["incidents"]), str(plan_csv), str(out)]) == 1
    assert "not a polygon layer" in capsys.readouterr().err


def test_plan_for_the_top_hot_spots_without_zones(files, tmp_path, capsys):
    """No zones: the top N polygons of a hot spot layer, ranked by recent incidents counted
    independently here, become the zones, the busiest first."""
    d = tmp_path
    cells = [shapely.box(x - 0.003, y - 0.002, x + 0.003, y + 0.002) for x, y in ZONES.values()]
    cells.append(shapely.box(-87.70, 41.80, -87.69, 41.81))  # an empty cell
    gpd.GeoDataFrame({"z": [3.1, 2.5, 2.9, 0.1]}, geometry=cells, crs=4326).to_file(d / "gi.gpkg")
    rc = main(["run", "patrol.plan", "--input", str(files["incidents"]), f"--hotspots={d / 'gi.gpkg'}",
               "--top_n=2", *PLAN_ARGS, "--out", str(d / "top.gpkg"), "--json", "--quiet"])
    assert rc == 0, capsys.readouterr().err
    notes = " ".join(json.loads(capsys.readouterr().out)["runs"][0]["notes"])
    inc = pd.read_csv(files["incidents"])
    counts = [int(shapely.contains_xy(c, inc["longitude"], inc["latitude"]).sum()) for c in cells]
    best = np.argsort(counts)[::-1][:2]
    plan = read_plan_csv(d / "top_visits.csv")  # the zones layer is the first output, the visits a table
    assert set(plan.visits["zone"]) == {"Hot spot 1", "Hot spot 2"}
    assert f"Hot spot 1 {counts[best[0]]:,}" in notes and f"Hot spot 2 {counts[best[1]]:,}" in notes
    # The chosen polygons come back as a layer: busiest first with priority 1, named as in the
    # plan, so the dosage tool run on this layer matches the plan's zones.
    from hotspot_desktop.tools.builtin.patrol import zone_names

    top = gpd.read_file(d / "top.gpkg")
    assert list(top["name"]) == ["Hot spot 1", "Hot spot 2"] and list(top["priority"]) == [1, 2]
    assert list(top["incidents"]) == [counts[best[0]], counts[best[1]]]
    assert zone_names(top) == sorted(set(plan.visits["zone"]))
    assert top.to_crs(4326).geometry.iloc[0].normalize().equals_exact(cells[best[0]].normalize(), 1e-7)
    # Neither zones nor hot spots: a clear error.
    assert main(["run", "patrol.plan", "--input", str(files["incidents"]), *PLAN_ARGS,
                 "--out", str(d / "none.csv"), "--quiet"]) == 1
    assert "choose the patrol zones, or a hot spot layer" in capsys.readouterr().err
