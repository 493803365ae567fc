"""Headless ``tools`` and ``run`` commands: real files in, real files out."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from hotspot_desktop.cli import main


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("cli_data")
    rng = np.random.default_rng(0)
    n = 1500
    t = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365 * 24, n), unit="h")
    pd.DataFrame({"id": range(n), "date": t.strftime("%Y-%m-%d %H:%M"),
                  "offence": rng.choice(["theft", "burglary"], n),
                  "latitude": 41.88 + rng.normal(0, 0.01, n), "longitude": -87.63 + rng.normal(0, 0.01, n)}
                 ).to_csv(d / "incidents.csv", index=False)
    boxes = [shapely.box(-87.66 + 0.02 * i, 41.86, -87.64 + 0.02 * i, 41.90) for i in range(3)]
    gpd.GeoDataFrame({"name": ["=HYPERLINK(\"x\")", "B", "C"]}, geometry=boxes, crs=4326).to_file(
        d / "beats.geojson", driver="GeoJSON")
    return {"points": d / "incidents.csv", "polygons": d / "beats.geojson"}


def test_tools_json_lists_builtins_and_plugin_without_qt():
    env = dict(os.environ)
    env.pop("QT_QPA_PLATFORM", None)
    env["DISPLAY"] = ""
    code = ("import sys; from hotspot_desktop.cli import main; rc = main(['tools', '--json']); "
            "assert not any(m.startswith('PySide6') for m in sys.modules), 'Qt imported'; sys.exit(rc)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    tools = {t["id"]: t for t in data["tools"]}
    assert tools["example.buffer_count"]["source"] == "hotspot-example-plugin"
    kde = {p["name"]: p for p in tools["hotspot.kde"]["parameters"]}
    assert kde["bandwidth"]["unit"] == "m" and kde["bandwidth"]["default"] == 250.0
    assert kde["kernel"]["choices"][0] == "quartic" and kde["points"]["geometry"] == ["point"]
    assert data["broken"] == []


def test_tools_safe_mode_hides_plugins(capsys):
    assert main(["tools", "--json", "--safe-mode"]) == 0
    ids = [t["id"] for t in json.loads(capsys.readouterr().out)["tools"]]
    assert "hotspot.kde" in ids and "example.buffer_count" not in ids


def test_run_kde_writes_ascii_grid_with_prj(data, tmp_path, capsys):
    out = tmp_path / "kde.asc"
    rc = main(["run", "hotspot.kde", "--input", str(data["points"]), "--bandwidth_rule=fixed", "--bandwidth=300",
               "--cell_size", "50", "--out", str(out), "--quiet"])
    assert rc == 0, capsys.readouterr().err
    header = out.read_text().splitlines()[:6]
    assert header[0].startswith("ncols") and header[4] == "cellsize 50.0"
    assert "UTM" in out.with_suffix(".prj").read_text()
    assert (tmp_path / "kde_kernel_density_parameters_used.csv").exists()
    assert str(out) in capsys.readouterr().out


def test_run_gi_star_writes_geopackage_cells(data, tmp_path):
    out = tmp_path / "gi.gpkg"
    assert main(["run", "hotspot.gi_star_grid", "--input", str(data["points"]), "--cell_size=200",
                 "--out", str(out), "--quiet"]) == 0
    cells = gpd.read_file(out)
    assert {"value", "p", "class", "count"} <= set(cells.columns)
    assert cells["value"].abs().max() > 1.0 and cells.crs.is_projected


def test_run_counts_csv_is_formula_safe(data, tmp_path):
    out = tmp_path / "counts.csv"
    assert main(["run", "vector.count_in_polygons", "--input", str(data["points"]),
                 "--input", str(data["polygons"]), "--density=false", "--out", str(out), "--quiet"]) == 0
    frame = pd.read_csv(out)
    assert frame["count"].sum() > 0 and "wkt" in frame.columns and "per_km2" not in frame.columns
    assert frame["name"][0].startswith("'=")
    table = pd.read_csv(tmp_path / "counts_incident_counts_incidents_per_polygon.csv")
    assert table["polygon"][0].startswith("'=")


def test_run_plugin_tool_from_cli(data, tmp_path):
    out = tmp_path / "near.geojson"
    assert main(["run", "example.buffer_count", "--points", str(data["points"]), "--polygons",
                 str(data["polygons"]), "--distance=50", "--out", str(out), "--quiet"]) == 0
    gdf = gpd.read_file(out)
    assert len(gdf) == 3 and gdf["count"].sum() > 0 and gdf.crs.to_epsg() == 4326


@pytest.mark.parametrize("args, code, message", [
    (["run", "no.such.tool", "--out", "x.asc"], 2, "no tool"),
    (["run", "hotspot.kde", "--input", "{points}", "--radius=5", "--out", "x.asc"], 2, "no parameter"),
    (["run", "hotspot.kde", "--input", "{points}", "--cell_size=-5", "--out", "x.asc"], 2, "at least 0"),
    (["run", "hotspot.kde", "--input", "{points}", "--kernel=box", "--out", "x.asc"], 2, "one of quartic"),
    (["run", "hotspot.kde", "--input", "{points}", "--bandwidth=wide", "--out", "x.asc"], 2, "not a number"),
    (["run", "hotspot.kde", "--input", "{points}"], 2, "--out"),
    (["run", "hotspot.kde", "--out", "x.asc"], 2, "required"),
    (["run", "hotspot.kde", "--input", "missing.csv", "--out", "x.asc"], 1, "missing.csv"),
    (["run", "vector.count_in_polygons", "--input", "{points}", "--input", "{points}", "--out", "x.gpkg"], 2,
     "must be a polygon layer"),
])
def test_run_errors_and_exit_codes(data, tmp_path, capsys, args, code, message):
    args = [a.format(points=data["points"]) for a in args]
    args = [str(tmp_path / a) if a.startswith("x.") or a == "missing.csv" else a for a in args]
    assert main(args) == code
    err = capsys.readouterr().err
    assert err.startswith("error:") and message in err


def test_run_project_reruns_saved_analyses(data, tmp_path):
    from hotspot_desktop.core.io.loaders import add_file_to_project
    from hotspot_desktop.core.io.project_io import save_project
    from hotspot_desktop.core.model import Project
    from hotspot_desktop.tools.execute import run_now
    from hotspot_desktop.tools.registry import load_registry

    project = Project()
    pts, _ = add_file_to_project(project, data["points"])
    done = run_now(load_registry().get("hotspot.grid_counts"), {"points": pts, "cell_size": 250.0})
    project.analyses.append(done.record)
    save_project(project, tmp_path / "p.hsproj")
    out_dir = tmp_path / "rerun"
    assert main(["run", "--project", str(tmp_path / "p.hsproj"), "--out", str(out_dir), "--quiet"]) == 0
    grid = out_dir / "01_grid_counts.asc"
    assert grid.exists() and "cellsize 250.0" in grid.read_text()


def test_tools_one_tool_details(capsys):
    assert main(["tools", "hotspot.gi_star_grid"]) == 0
    out = capsys.readouterr().out
    assert "Getis & Ord (1992)" in out and "--permutations" in out and "Outputs:" in out
    assert main(["tools", "nope"]) == 2


def test_chain_kde_grid_into_candidate_zones(data, tmp_path):
    kde = tmp_path / "kde.asc"
    assert main(["run", "hotspot.kde", "--input", str(data["points"]), "--cell_size=50", "--mode=fast",
                 "--out", str(kde), "--quiet"]) == 0
    zones = tmp_path / "zones.gpkg"
    assert main(["run", "pattern.surface_zones", "--input", str(kde), "--top_percent=2", "--out", str(zones),
                 "--quiet"]) == 0
    gdf = gpd.read_file(zones)
    assert len(gdf) >= 1 and gdf["rank"].iloc[0] == 1 and gdf.crs.is_projected


def test_ctrl_c_cancels_with_exit_code_3(data, tmp_path, capsys):
    import signal
    import threading

    out = tmp_path / "never.asc"
    timer = threading.Timer(1.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    try:
        rc = main(["run", "hotspot.kde", "--input", str(data["points"]), "--bandwidth_rule=fixed",
                   "--bandwidth=5000", "--cell_size=5", "--mode=exact", "--out", str(out), "--quiet"])
    finally:
        timer.cancel()
    assert rc == 3 and "cancelled" in capsys.readouterr().err
    assert not out.exists()


def test_crs_option_for_projected_csv_without_prj(tmp_path, capsys):
    rng = np.random.default_rng(2)
    n = 400
    pd.DataFrame({"TYPE": rng.choice(["Theft", "Mischief"], n), "X": 491_000 + rng.normal(0, 300, n),
                  "Y": 5_459_000 + rng.normal(0, 300, n)}).to_csv(tmp_path / "van.csv", index=False)
    out = tmp_path / "counts.asc"
    assert main(["run", "hotspot.grid_counts", "--input", str(tmp_path / "van.csv"), "--cell_size=100",
                 "--out", str(out), "--quiet"]) == 1
    assert "--crs" in capsys.readouterr().err
    assert main(["run", "hotspot.grid_counts", "--input", str(tmp_path / "van.csv"), "--crs", "EPSG:26910",
                 "--cell_size=100", "--out", str(out), "--quiet"]) == 0
    assert "UTM_Zone_10N" in out.with_suffix(".prj").read_text()


def test_run_json_summary_has_provenance(data, tmp_path, capsys):
    out = tmp_path / "g.asc"
    assert main(["run", "hotspot.grid_counts", "--input", str(data["points"]), "--cell_size=300", "--out", str(out),
                 "--json", "--quiet"]) == 0
    summary = json.loads(capsys.readouterr().out)
    run = summary["runs"][0]
    assert summary["written"][0] == str(out) and run["tool"] == "hotspot.grid_counts" and not run["stale"]
    assert run["provenance"]["parameters"]["cell_size"] == 300.0
    assert run["provenance"]["inputs"]["points"]["name"] == "incidents"


def test_intervention_from_cli_with_zone_roles_and_periods(data, tmp_path):
    zones = gpd.GeoDataFrame({"name": ["t", "c"], "role": ["target", "control"]},
                             geometry=[shapely.box(-87.635, 41.875, -87.625, 41.885),
                                       shapely.box(-87.60, 41.91, -87.59, 41.92)], crs=4326)
    zones.to_file(tmp_path / "zones.geojson", driver="GeoJSON")
    out = tmp_path / "areas.gpkg"
    z = str(tmp_path / "zones.geojson")
    assert main(["run", "evaluation.intervention", "--points", str(data["points"]), "--target", z, "--control", z,
                 "--before=2024-01-01..2024-06-30", "--after", "2024-07-01..2024-12-31", "--out", str(out),
                 "--quiet"]) == 0
    areas = gpd.read_file(out)
    assert list(areas["area"]) == ["target", "catchment", "control"] and areas["before"].iloc[0] > 0
    measures = pd.read_csv(tmp_path / "areas_intervention_areas_measures.csv")
    assert "WDQ" in set(measures["measure"])
