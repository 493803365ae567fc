"""Equity check: who lives in the patrol zones, against who lives in the area and where
incidents are.

Population inside a zone is estimated by areal weighting (Goodchild & Lam 1980): each census
area contributes its population × the share of its area inside the zone, which assumes people
are spread evenly within a census area (state this when reporting). For each population
group g:
* share of the zone population  s_z(g) = P_zone(g) / Σ_g P_zone(g)
* share of the whole area        s_a(g) = P(g) / Σ_g P(g)
* share of incidents             s_i(g) = Σ_areas incidents_a · P_a(g)/P_a / Σ incidents
  (incidents attributed to groups by the composition of the area where they happen)
* disparity ratio                r(g) = s_z(g) / s_a(g); flagged when r ≥ ``high`` or ≤ ``low``.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry


@dataclass(frozen=True)
class EquityResult:
    table: pd.DataFrame  # group, population, zone_population, share_area, share_zone, share_incidents, ratio, flag
    zone_area_km2: float
    note: str


def equity_check(census: gpd.GeoDataFrame, group_columns: list[str], zones: BaseGeometry,
                 incident_x: np.ndarray | None = None, incident_y: np.ndarray | None = None, *,
                 high: float = 1.25, low: float = 0.8) -> EquityResult:
    """Population shares in ``zones`` (patrol zones and their catchments, one geometry) by group."""
    if census.empty:
        raise ValueError("the population layer has no areas")
    missing = [c for c in group_columns if c not in census.columns]
    if missing:
        raise ValueError(f"population columns not found: {', '.join(missing)}")
    pops = census[group_columns].astype(float).fillna(0.0).to_numpy()
    geoms = census.geometry.to_numpy()
    areas = shapely.area(geoms)
    inside = shapely.area(shapely.intersection(geoms, zones))
    frac = np.divide(inside, areas, out=np.zeros_like(areas), where=areas > 0)
    zone_pop = (pops * frac[:, None]).sum(axis=0)
    total_pop = pops.sum(axis=0)
    share_area = total_pop / total_pop.sum() if total_pop.sum() > 0 else np.zeros_like(total_pop)
    share_zone = zone_pop / zone_pop.sum() if zone_pop.sum() > 0 else np.zeros_like(zone_pop)
    share_inc = np.full(len(group_columns), np.nan)
    if incident_x is not None and len(incident_x):
        tree = shapely.STRtree(geoms)
        pts = shapely.points(np.asarray(incident_x, float), np.asarray(incident_y, float))
        pi, ai = tree.query(pts, predicate="within")
        counts = np.bincount(ai, minlength=len(geoms)).astype(float)
        area_tot = pops.sum(axis=1)
        comp = np.divide(pops, area_tot[:, None], out=np.zeros_like(pops), where=area_tot[:, None] > 0)
        by_group = (comp * counts[:, None]).sum(axis=0)
        share_inc = by_group / by_group.sum() if by_group.sum() > 0 else share_inc
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(share_area > 0, share_zone / share_area, np.nan)
    flag = np.where(ratio >= high, "over-represented in patrol zones",
                    np.where(ratio <= low, "under-represented in patrol zones", ""))
    table = pd.DataFrame({"group": group_columns, "population": total_pop, "zone_population": zone_pop,
                          "share_area": share_area, "share_zone": share_zone, "share_incidents": share_inc,
                          "ratio": ratio, "flag": flag})
    note = ("Population in zones estimated by areal weighting (people assumed evenly spread within each census "
            f"area); ratio = share in zones / share of the area's population; flagged at ≥ {high} or ≤ {low}.")
    return EquityResult(table, float(zones.area / 1e6), note)
