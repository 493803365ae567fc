"""The planted ground truth of a generated city: what an analysis *should* find.

Expected counts are exact expectations of the simulated model (see ``incidents``), summed over
the street pieces whose midpoint lies in the region; observed counts differ by noise. Counts are
over-dispersed by the repeat-victimisation clusters: use ``count_dispersion`` x the expectation as
the variance (a Poisson test on raw counts is too strict).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS, Transformer
from shapely.geometry import Polygon

from hotspot_desktop.sample import spec
from hotspot_desktop.sample.geography import Geography
from hotspot_desktop.sample.incidents import Simulation, expected_per_piece
from hotspot_desktop.sample.regions import Regions, inside

COUNT_DISPERSION = 2.5  # variance / mean of region counts (Hawkes clusters), a safe upper value


def _iso(ts: pd.Timestamp) -> str:
    return ts.date().isoformat()


def ground_truth(geo: Geography, regions: Regions, sim: Simulation, *, seed: int, n_incidents: int,
                 years: int, dirt_counts: dict[str, int]) -> tuple[dict, gpd.GeoDataFrame]:
    """The ground-truth document (JSON-ready dict) and its regions as one GeoDataFrame (EPSG:32616)."""
    cal = sim.calendar
    p = geo.pieces
    to_ll = Transformer.from_crs(CRS.from_epsg(spec.WORKING_EPSG), CRS.from_epsg(4326), always_xy=True)
    ones = np.ones(p["mx"].size)

    def per_piece(comps, d0: int, d1: int, modifier=None) -> np.ndarray:
        return expected_per_piece(comps, sim.day_tables, sim.piece_modifier if modifier is None else modifier,
                                  cal, d0, d1, sim.scale)

    full = per_piece(sim.components, 0, cal.n_days)
    background = per_piece([c for c in sim.components if c.source == "background"], 0, cal.n_days)
    before = per_piece(sim.components, cal.before_day, cal.intervention_day)
    after = per_piece(sim.components, cal.intervention_day, cal.n_days)
    after_without = per_piece(sim.components, cal.intervention_day, cal.n_days, ones)
    em_before = per_piece(sim.components, 0, cal.emerging_day)
    em_after = per_piece(sim.components, cal.emerging_day, cal.n_days)

    def total(values: np.ndarray, poly: Polygon) -> float:
        return round(float(values[inside(poly, p["mx"], p["my"])].sum()), 2)

    def centre(x: float, y: float) -> dict:
        lon, lat = to_ll.transform(geo.centre[0] + x, geo.centre[1] + y)
        return {"x": geo.centre[0] + x, "y": geo.centre[1] + y, "lon": round(lon, 6), "lat": round(lat, 6)}

    def periods(poly: Polygon) -> dict:
        return {"before": total(before, poly), "after": total(after, poly),
                "after_without_intervention": total(after_without, poly)}

    rows: list[dict] = []
    hotspots = []
    for h in spec.HOTSPOTS:
        poly = regions.hotspots[h.name]
        hotspots.append({"name": h.name, "centre": centre(h.x, h.y), "radius_m": h.radius_m,
                         "intensity_factor": h.factor, "offence_mix": h.mix,
                         "expected_count": total(full, poly), "expected_background": total(background, poly),
                         "area_m2": round(poly.area, 1)})
        rows.append({"layer": "hotspot", "name": h.name, "role": "hotspot", "geometry": poly})
    em = spec.EMERGING
    emerging = {"name": em.name, "centre": centre(em.x, em.y), "radius_m": em.radius_m,
                "start_date": _iso(cal.date(cal.emerging_day)), "intensity_factor": em.factor,
                "offence_mix": em.mix, "expected_before_start": total(em_before, regions.emerging),
                "expected_after_start": total(em_after, regions.emerging),
                "area_m2": round(regions.emerging.area, 1)}
    rows.append({"layer": "emerging", "name": em.name, "role": "emerging", "geometry": regions.emerging})

    targets, controls = [], []
    for z, r in zip(spec.TARGETS, regions.targets):
        targets.append({"name": z.name, "centre": centre(z.x, z.y), "unit": z.unit, "shift": z.shift,
                        "area_m2": round(r.target.area, 1), "expected": periods(r.target),
                        "catchment": {"width_m": z.catchment_m, "expected": periods(r.catchment),
                                      "displacement_sector": {"bearing_deg": z.displacement_bearing,
                                                              "width_deg": spec.DISPLACEMENT_SECTOR_DEG,
                                                              "expected": periods(r.displacement)},
                                      "diffusion_sector": {"expected": periods(r.diffusion)}}})
        rows += [{"layer": "intervention", "name": z.name, "role": "target", "geometry": r.target},
                 {"layer": "intervention", "name": z.name, "role": "catchment", "geometry": r.catchment},
                 {"layer": "intervention", "name": z.name, "role": "displacement", "geometry": r.displacement},
                 {"layer": "intervention", "name": z.name, "role": "diffusion", "geometry": r.diffusion}]
    for z, r in zip(spec.CONTROLS, regions.controls):
        controls.append({"name": z.name, "centre": centre(z.x, z.y), "area_m2": round(r.target.area, 1),
                         "expected": periods(r.target),
                         "catchment": {"width_m": z.catchment_m, "expected": periods(r.catchment)}})
        rows += [{"layer": "intervention", "name": z.name, "role": "control", "geometry": r.target},
                 {"layer": "intervention", "name": z.name, "role": "control_catchment", "geometry": r.catchment}]

    end = cal.date(cal.n_days - 1)
    doc = {
        "generator": "hotspot_desktop.sample",
        "format_version": 1,
        "city": "Riverton (fictional)",
        "seed": seed,
        "parameters": {"n_incidents": n_incidents, "years": years, "data_start": _iso(cal.start),
                       "data_end": _iso(end), "piece_length_m": spec.PIECE_LENGTH},
        "crs": {"working": f"EPSG:{spec.WORKING_EPSG}", "state_plane": f"EPSG:{spec.STATE_PLANE_EPSG}",
                "latlon": "EPSG:4326", "city_centre": centre(0.0, 0.0)},
        "offences": {o: {"background_share": s.share, "branching_ratio": s.branching,
                         "summer_amplitude": s.summer_amplitude, "window_share": s.window_share}
                     for o, s in spec.OFFENCE_SPECS.items()},
        "count_dispersion": COUNT_DISPERSION,
        "hotspots": hotspots,
        "emerging_hotspot": emerging,
        "intervention": {
            "start_date": _iso(cal.date(cal.intervention_day)),
            "before": {"start": _iso(cal.date(cal.before_day)), "end": _iso(cal.date(cal.intervention_day - 1))},
            "after": {"start": _iso(cal.date(cal.intervention_day)), "end": _iso(end)},
            "true_reduction": spec.REDUCTION, "true_displacement": spec.DISPLACEMENT,
            "true_diffusion": spec.DIFFUSION, "offences": "all",
            "targets": targets, "controls": controls,
        },
        "dirt": dirt_counts,
        "notes": [
            ("Expected counts are over all incidents by their true time; about 0.3% of rows carry dirt "
             "(see 'dirt') and some burglary / theft-from-vehicle times are windows whose start is exported."),
            ("Expected counts include the intervention effect where a region overlaps a target or catchment "
             "('after_without_intervention' gives the counterfactual)."),
        ],
    }
    gdf = gpd.GeoDataFrame(pd.DataFrame(rows).drop(columns="geometry"),
                           geometry=[r["geometry"] for r in rows], crs=spec.WORKING_EPSG)
    return doc, gdf
