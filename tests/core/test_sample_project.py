"""The sample project: built from a small city, opened back through the project reader."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from hotspot_desktop.core.io.project_io import open_project
from hotspot_desktop.core.model import ZONE_ROLES, Project
from hotspot_desktop.sample.city import CityOutputs
from hotspot_desktop.sample.project import PROJECT_NAME, build_sample_project

N = 5000
COMMITTED = Path(__file__).resolve().parents[2] / "sample_projects" / "riverton"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    calls: list[tuple[Project, CityOutputs]] = []
    out = tmp_path_factory.mktemp("sample")
    path = build_sample_project(out, n_incidents=N, seed=3, years=2, result_steps=[lambda p, o: calls.append((p, o))])
    return path, calls


def test_project_opens_with_the_layers_in_draw_order(built):
    path, _ = built
    assert path.name == PROJECT_NAME and path.is_file()
    project, _reports, warnings = open_project(path)
    assert warnings == []
    assert project.working_crs.to_epsg() == 32616
    ids = [layer.id for layer in project.layers]
    assert ids == ["streets", "water", "census", "beats", "districts", "land_use", "incidents", "kde",
                   "service_requests", "zones"]
    by_id = {layer.id: layer for layer in project.layers}
    # the saved analysis: a KDE result with its provenance and a re-runnable analysis record
    assert by_id["kde"].provenance.tool_id == "hotspot.kde" and by_id["kde"].provenance.parameters["bandwidth"] == 300
    assert [a.tool_id for a in project.analyses] == ["hotspot.kde"] and project.analyses[0].output_layer_ids == ["kde"]
    assert not by_id["census"].visible and by_id["streets"].visible
    assert by_id["beats"].style.label_field == "name"
    incidents = by_id["incidents"]
    assert incidents.style.mode == "categorised" and incidents.style.field == "offence"
    assert {c.value for c in incidents.style.categories} == set(incidents.offence_types())
    truth = json.loads((path.parent / "data" / "ground_truth.json").read_text())
    assert len(incidents) == N - sum(v for k, v in truth["dirt"].items() if k != "duplicate_id")
    assert incidents.attributes["time_end"].notna().any()  # burglary windows were recognised
    # every source is inside the project folder, so the project can be moved as a whole
    manifest = json.loads(path.read_text())
    paths = [e["source"]["path"] for e in manifest["layers"] if e["storage"]["kind"] == "source"]
    assert len(paths) == 8 and all(p.startswith("data/") for p in paths)
    # the service requests are community input: counted per zone, never the incidents
    requests = by_id["service_requests"]
    assert project.community_layers() == [requests] and project.incident_layer() is incidents
    assert not requests.visible and requests.style.symbol.marker == "t"
    assert len(requests) == len(pd.read_csv(path.parent / "data" / "service_requests.csv"))


def test_zones_come_from_the_ground_truth(built):
    path, _ = built
    project, _, _ = open_project(path)
    zones = project.zones
    assert zones is not None
    roles = set(zones.gdf["role"])
    assert roles == set(ZONE_ROLES)
    truth = json.loads((path.parent / "data" / "ground_truth.json").read_text())
    targets = zones.gdf[zones.gdf["role"] == "target"]
    assert sorted(targets["name"]) == sorted(t["name"] for t in truth["intervention"]["targets"])
    assert (targets["start"] == truth["intervention"]["start_date"]).all()


def test_result_steps_run_before_saving(built):
    _, calls = built
    assert len(calls) == 1
    project, outputs = calls[0]
    assert project.layers.by_id("incidents") is not None
    assert outputs.ground_truth_json.is_file()
    assert not (outputs.out_dir / "incidents_stateplane.csv").exists()


def test_committed_sample_is_small_and_complete():
    if not COMMITTED.is_dir():
        pytest.skip("the committed sample project is absent")
    total = sum(p.stat().st_size for p in COMMITTED.rglob("*") if p.is_file())
    assert total < 20 * 1024 * 1024
    assert (COMMITTED / PROJECT_NAME).is_file() and (COMMITTED / "README.md").is_file()
    project, _, warnings = open_project(COMMITTED / PROJECT_NAME)
    assert warnings == [] and len(project.layers) >= 7
    # the committed sample has the community input layer: the service requests of the same seed
    assert [c.id for c in project.community_layers()] == ["service_requests"]
    assert project.incident_layer() is project.layers.by_id("incidents")
