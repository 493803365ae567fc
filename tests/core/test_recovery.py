"""Recovery files: written atomically per project, newer-than-project check, restore, clear."""

from __future__ import annotations

import os
import time

import geopandas as gpd
import shapely
from pyproj import CRS

from hotspot_desktop.core import recovery
from hotspot_desktop.core.model import Project, ZoneLayer

UTM = CRS.from_epsg(32616)


def project_with_zones() -> Project:
    p = Project(UTM)
    gdf = gpd.GeoDataFrame({"name": ["A"], "role": ["target"], "priority": [2], "start": ["2024-01-01"]},
                           geometry=[shapely.box(0, 0, 100, 50)], crs=UTM)
    p.layers.append(ZoneLayer("Patrol zones", gdf, layer_id="zones"))
    return p


def test_write_read_restore_into_fresh_project(tmp_path):
    p = project_with_zones()
    f = recovery.write_recovery(tmp_path / "rec", p)
    assert f.name == "zones-untitled.json" and not list((tmp_path / "rec").glob(".*tmp"))
    rec = recovery.pending_recovery(tmp_path / "rec", None)
    assert rec is not None and rec.zone_count() == 1
    fresh = Project(UTM)
    touched = recovery.restore(fresh, rec)
    z = fresh.zones
    assert touched == [z] and z.id == "zones"
    row = z.gdf.iloc[0]
    assert (row["name"], row["role"], row["priority"], row["start"]) == ("A", "target", 2, "2024-01-01")
    assert row["zone_id"] == p.zones.gdf.iloc[0]["zone_id"]
    assert z.gdf.geometry.iloc[0].equals(shapely.box(0, 0, 100, 50))
    recovery.clear_recovery(tmp_path / "rec", None)
    assert recovery.pending_recovery(tmp_path / "rec", None) is None


def test_restore_replaces_the_zones_of_the_same_layer(tmp_path):
    p = project_with_zones()
    rec = recovery.read_recovery(recovery.write_recovery(tmp_path, p))
    other = project_with_zones()
    other.zones.gdf = other.zones.gdf.iloc[0:0]
    recovery.restore(other, rec)
    assert len(other.layers) == 1 and len(other.zones) == 1


def test_only_newer_than_the_saved_project_is_offered(tmp_path):
    proj_file = tmp_path / "city.hsproj"
    proj_file.write_text("{}")
    p = project_with_zones()
    p.path = proj_file
    f = recovery.write_recovery(tmp_path / "rec", p)
    assert f != recovery.recovery_file(tmp_path / "rec", None)
    assert recovery.pending_recovery(tmp_path / "rec", proj_file) is not None
    # The project saved after the recovery was written: nothing to offer.
    later = time.time() + 60
    os.utime(proj_file, (later, later))
    assert recovery.pending_recovery(tmp_path / "rec", proj_file) is None
    assert recovery.pending_recovery(tmp_path / "rec", tmp_path / "other.hsproj") is None
