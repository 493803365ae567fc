"""Zone export/import round trips: geometry and every attribute, in each format."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely
from pyproj import CRS

from hotspot_desktop.core.io.zones_io import ZoneFileError, export_zones, import_zones
from hotspot_desktop.core.model import ZoneLayer

UTM = CRS.from_epsg(32616)  # Chicago


def zones() -> ZoneLayer:
    gdf = gpd.GeoDataFrame(
        {"zone_id": ["z1", "z2"], "name": ["Loop – target", "Zöne B"], "role": ["target", "control"],
         "unit": ["1st district", ""], "shift": ["night", "day"], "priority": [1, 3],
         "start": ["2024-01-01", "2024-02-15"], "end": ["2024-03-31", ""],
         "notes": ["Extra patrol, 2 cars", "Comparable area"]},
        geometry=[shapely.Polygon([(448000, 4637000), (448400, 4637000), (448400, 4637300), (448000, 4637300)]),
                  shapely.Point(449000, 4638000).buffer(250, quad_segs=16)], crs=UTM)
    return ZoneLayer("Patrol zones", gdf)


@pytest.mark.parametrize("suffix", [".gpkg", ".shp", ".geojson", ".kml"])
@pytest.mark.parametrize("wgs84", [False, True])
def test_round_trip_keeps_geometry_and_attributes(tmp_path, suffix, wgs84):
    layer = zones()
    out = export_zones(layer, tmp_path / f"zones{suffix}", CRS.from_epsg(4326) if wgs84 else UTM)
    back = import_zones(out, UTM)
    assert len(back) == 2 and back.kind == "zones"
    assert CRS.from_user_input(back.gdf.crs) == UTM
    for col in ("zone_id", "name", "role", "unit", "shift", "start", "end", "notes"):
        assert list(back.gdf[col]) == list(layer.gdf[col]), col
    assert list(back.gdf["priority"]) == [1, 3]
    for a, b in zip(layer.gdf.geometry, back.gdf.geometry):
        # Reprojection to WGS 84 and back (and KML's text coordinates) move vertices by < 1 cm.
        assert a.symmetric_difference(b).area < 1.0
        assert b.area == pytest.approx(a.area, rel=1e-5)


def test_written_in_the_requested_crs(tmp_path):
    out = export_zones(zones(), tmp_path / "z.geojson", CRS.from_epsg(4326))
    raw = gpd.read_file(out)
    assert -88 < raw.total_bounds[0] < -87 and 41 < raw.total_bounds[1] < 43


def test_overwrite_and_refusals(tmp_path):
    export_zones(zones(), tmp_path / "z.shp")
    export_zones(zones(), tmp_path / "z.shp")  # replaces, no "already exists"
    assert len(import_zones(tmp_path / "z.shp", UTM)) == 2
    with pytest.raises(ZoneFileError):
        export_zones(zones(), tmp_path / "z.csv")
    pts = gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(448000, 4637000)], crs=UTM)
    pts.to_file(tmp_path / "pts.gpkg")
    with pytest.raises(ZoneFileError, match="not polygons"):
        import_zones(tmp_path / "pts.gpkg", UTM)


def test_foreign_names_are_mapped_to_the_schema(tmp_path):
    gdf = gpd.GeoDataFrame({"Name": ["Beat 12"], "Description": ["from another GIS"], "PRIORITY": ["2"]},
                           geometry=[shapely.box(448000, 4637000, 448300, 4637300)], crs=UTM)
    gdf.to_file(tmp_path / "other.geojson")
    layer = import_zones(tmp_path / "other.geojson", UTM)
    row = layer.gdf.iloc[0]
    assert row["name"] == "Beat 12" and row["notes"] == "from another GIS" and row["priority"] == 2
    assert row["zone_id"]  # a fresh id
