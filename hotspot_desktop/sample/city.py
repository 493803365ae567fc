"""``generate_city``: build Riverton, simulate its incidents and write every file plus the truth."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np

from hotspot_desktop.core.progress import CancelFn, ProgressFn, checkpoint
from hotspot_desktop.sample import spec
from hotspot_desktop.sample.geography import build_geography
from hotspot_desktop.sample.incidents import make_calendar, simulate
from hotspot_desktop.sample.regions import build_regions
from hotspot_desktop.sample.truth import ground_truth
from hotspot_desktop.sample.writers import choose_dirt, write_gpkg_layers, write_incident_csvs, write_shapefile

MAX_INCIDENTS = 5_000_000
SERVICE_REQUESTS = 2_500  # community input rows (service requests) written beside the incidents


@dataclass(frozen=True)
class CityOutputs:
    """Paths of everything ``generate_city`` wrote, and the ground truth it planted."""

    out_dir: Path
    incidents_csv: Path  # lat/lon (EPSG:4326)
    incidents_stateplane_csv: Path  # X_COORD / Y_COORD in EPSG:3435 US feet, .prj beside it
    beats: Path  # Shapefile, EPSG:3435
    districts: Path  # Shapefile, EPSG:3435
    streets: Path  # GeoPackage, layer "streets", EPSG:4326
    city_layers: Path  # GeoPackage: land_use, census_block_groups, water, city_limits (EPSG:4326)
    ground_truth_json: Path
    ground_truth_gpkg: Path  # layers hotspots, emerging_hotspot, intervention_zones (EPSG:32616)
    truth: dict = field(repr=False)
    service_requests_csv: Path | None = None  # community input: 311-style requests, lat/lon (EPSG:4326)

    def files(self) -> list[Path]:
        """Every written file (Shapefile sidecars and .prj included), sorted."""
        return sorted(p for p in self.out_dir.iterdir() if p.is_file())


def generate_city(out_dir: Path, *, n_incidents: int = 200_000, seed: int = 42, years: int = 3,
                  n_service_requests: int = SERVICE_REQUESTS, progress: ProgressFn | None = None,
                  cancelled: CancelFn | None = None) -> CityOutputs:
    """Generate the fictional city of Riverton with planted ground truth into ``out_dir``.

    Deterministic: the same arguments give the same bytes in every file. The geography depends on
    ``seed`` only, so cities of different sizes with one seed share streets, beats and census areas.
    See ``hotspot_desktop.sample`` for what is written and ``incidents`` for the crime model;
    ``n_service_requests`` community-input rows go to ``service_requests.csv`` (0: no file).
    """
    if not 1 <= n_incidents <= MAX_INCIDENTS:
        raise ValueError(f"n_incidents must be between 1 and {MAX_INCIDENTS:,}")
    if not 1 <= years <= 10:
        raise ValueError("years must be between 1 and 10")
    if n_service_requests < 0:
        raise ValueError("n_service_requests cannot be negative")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    # a fourth child for the service requests leaves the first three (and their files) unchanged
    geo_ss, sim_ss, dirt_ss, requests_ss = np.random.SeedSequence(seed).spawn(4)
    checkpoint(progress, cancelled, 0.0, "building streets and neighbourhoods")
    geo = build_geography(np.random.default_rng(geo_ss))
    regions = build_regions(geo.centre)
    calendar = make_calendar(years)

    def sub(lo: float, hi: float) -> ProgressFn | None:
        if progress is None:
            return None
        return lambda f, stage: progress(lo + (hi - lo) * f, stage)

    sim = simulate(geo, regions, calendar, n_incidents, np.random.default_rng(sim_ss),
                   progress=sub(0.05, 0.55), cancelled=cancelled)
    dirt = choose_dirt(np.random.default_rng(dirt_ss), n_incidents)

    out = CityOutputs(
        out_dir=out_dir, incidents_csv=out_dir / "incidents_latlon.csv",
        incidents_stateplane_csv=out_dir / "incidents_stateplane.csv", beats=out_dir / "beats.shp",
        districts=out_dir / "districts.shp", streets=out_dir / "streets.gpkg", city_layers=out_dir / "city.gpkg",
        ground_truth_json=out_dir / "ground_truth.json", ground_truth_gpkg=out_dir / "ground_truth.gpkg", truth={},
        service_requests_csv=out_dir / "service_requests.csv" if n_service_requests > 0 else None)
    checkpoint(progress, cancelled, 0.6, "writing incident files")
    write_incident_csvs(geo, sim, dirt, out.incidents_csv, out.incidents_stateplane_csv)
    checkpoint(progress, cancelled, 0.85, "writing map layers")
    write_shapefile(geo.beats, out.beats, spec.STATE_PLANE_EPSG)
    write_shapefile(geo.districts, out.districts, spec.STATE_PLANE_EPSG)
    write_gpkg_layers({"streets": geo.streets}, out.streets, 4326)
    water = gpd.GeoDataFrame({"name": ["Kaskaskia River"]}, geometry=[geo.river], crs=spec.WORKING_EPSG)
    limits = gpd.GeoDataFrame({"name": ["City of Riverton"]}, geometry=[geo.boundary], crs=spec.WORKING_EPSG)
    write_gpkg_layers({"land_use": geo.landuse, "census_block_groups": geo.census, "water": water,
                       "city_limits": limits}, out.city_layers, 4326)
    if out.service_requests_csv is not None:
        from hotspot_desktop.sample.community import write_service_requests

        write_service_requests(geo, calendar, n_service_requests, np.random.default_rng(requests_ss),
                               out.service_requests_csv)
    checkpoint(progress, cancelled, 0.95, "writing ground truth")
    doc, regions_gdf = ground_truth(geo, regions, sim, seed=seed, n_incidents=n_incidents, years=years,
                                    dirt_counts=dirt.counts())
    doc["files"] = {k: getattr(out, k).name for k in ("incidents_csv", "incidents_stateplane_csv", "beats",
                                                      "districts", "streets", "city_layers", "ground_truth_gpkg")}
    out.ground_truth_json.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    layers = {"hotspots": regions_gdf[regions_gdf["layer"] == "hotspot"],
              "emerging_hotspot": regions_gdf[regions_gdf["layer"] == "emerging"],
              "intervention_zones": regions_gdf[(regions_gdf["layer"] == "intervention")
                                                & ~regions_gdf.geometry.is_empty]}
    write_gpkg_layers({k: v.drop(columns="layer").reset_index(drop=True) for k, v in layers.items()},
                      out.ground_truth_gpkg)
    checkpoint(progress, cancelled, 1.0, "done")
    return CityOutputs(**{**out.__dict__, "truth": doc})
