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

Patrol reaches beyond the zone boundary (Weisburd et al. 2006 on diffusion of benefits), so
:func:`equity_report` measures twice: the patrol zones alone, and the zones together with their
catchments (drawn catchment zones and/or a ring of fixed width around the zones, as the
intervention evaluation defines them), reporting both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from hotspot_desktop.core.model import EquitySetting, PointLayer, Project, VectorLayer, ZoneLayer

FLAG_OVER = "over-represented in patrol zones"
FLAG_UNDER = "under-represented in patrol zones"
AREAL_WEIGHTING_NOTE = ("Population in zones estimated by areal weighting (Goodchild & Lam 1980): each census area "
                        "counts with the share of its area inside the zones, which assumes people are spread evenly "
                        "within each census area.")


@dataclass(frozen=True)
class EquityResult:
    table: pd.DataFrame  # group, population, zone_population, share_area, share_zone, share_incidents, ratio, flag
    zone_area_km2: float
    note: str


def incidents_per_area(census: gpd.GeoDataFrame, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """How many of the points (x, y) fall within each census area (STRtree query)."""
    geoms = census.geometry.to_numpy()
    if len(x) == 0:
        return np.zeros(len(geoms))
    tree = shapely.STRtree(geoms)
    _pi, ai = tree.query(shapely.points(np.asarray(x, float), np.asarray(y, float)), predicate="within")
    return np.bincount(ai, minlength=len(geoms)).astype(float)


def equity_check(census: gpd.GeoDataFrame, group_columns: list[str], zones: BaseGeometry,
                 incident_x: np.ndarray | None = None, incident_y: np.ndarray | None = None, *,
                 high: float = 1.25, low: float = 0.8, incident_counts: np.ndarray | None = None) -> EquityResult:
    """Population shares in ``zones`` (one geometry: the zones, or zones and catchments) by group.
    ``incident_counts`` (incidents per census area, :func:`incidents_per_area`) replaces the
    incident coordinates when already known."""
    if census.empty:
        raise ValueError("the population layer has no areas")
    missing = [c for c in group_columns if c not in census.columns]
    if missing:
        raise ValueError(f"population columns not found: {', '.join(missing)}")
    try:
        pops = census[group_columns].apply(pd.to_numeric, errors="raise").astype(float).fillna(0.0).to_numpy()
    except (TypeError, ValueError) as exc:
        raise ValueError(f"population group fields must be numeric ({exc})") from None
    geoms = census.geometry.to_numpy()
    areas = shapely.area(geoms)
    inside = shapely.area(shapely.intersection(geoms, zones))
    frac = np.divide(inside, areas, out=np.zeros_like(areas), where=areas > 0)
    zone_pop = (pops * frac[:, None]).sum(axis=0)
    total_pop = pops.sum(axis=0)
    share_area = total_pop / total_pop.sum() if total_pop.sum() > 0 else np.zeros_like(total_pop)
    share_zone = zone_pop / zone_pop.sum() if zone_pop.sum() > 0 else np.zeros_like(zone_pop)
    share_inc = np.full(len(group_columns), np.nan)
    counts = incident_counts
    if counts is None and incident_x is not None and len(incident_x):
        counts = incidents_per_area(census, incident_x, incident_y)
    if counts is not None and counts.sum() > 0:
        area_tot = pops.sum(axis=1)
        comp = np.divide(pops, area_tot[:, None], out=np.zeros_like(pops), where=area_tot[:, None] > 0)
        by_group = (comp * counts[:, None]).sum(axis=0)
        share_inc = by_group / by_group.sum() if by_group.sum() > 0 else share_inc
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(share_area > 0, share_zone / share_area, np.nan)
    flag = np.where(ratio >= high, FLAG_OVER, np.where(ratio <= low, FLAG_UNDER, ""))
    table = pd.DataFrame({"group": group_columns, "population": total_pop, "zone_population": zone_pop,
                          "share_area": share_area, "share_zone": share_zone, "share_incidents": share_inc,
                          "ratio": ratio, "flag": flag})
    note = (f"{AREAL_WEIGHTING_NOTE} Ratio = share in zones / share of the area's population; flagged at "
            f"≥ {high:.2f} or ≤ {low:.2f}.")
    return EquityResult(table, float(zones.area / 1e6), note)


@dataclass(frozen=True)
class PatrolAreas:
    """The patrol zones, and their catchments (zones excluded; None when there are none)."""

    zones: BaseGeometry
    catchment: BaseGeometry | None
    n_zones: int
    n_drawn_catchments: int
    catchment_m: float

    @property
    def with_catchments(self) -> BaseGeometry:
        """Zones and catchments as one geometry (the zones alone when there is no catchment)."""
        return self.zones if self.catchment is None else shapely.union(self.zones, self.catchment)

    def describe(self) -> str:
        """What "zones" and "zones + catchments" cover, in words, with areas."""
        text = f"{self.n_zones} patrol zone{'s' if self.n_zones != 1 else ''} ({self.zones.area / 1e6:.2f} km²)"
        if self.catchment is None:
            return text + "; no catchments (no drawn catchment zones and no ring)."
        parts = []
        if self.n_drawn_catchments:
            parts.append(f"{self.n_drawn_catchments} drawn catchment zone{'s' if self.n_drawn_catchments != 1 else ''}")
        if self.catchment_m > 0:
            parts.append(f"a {self.catchment_m:g} m ring around each zone")
        return (f"{text}; zones + catchments adds {' and '.join(parts)} "
                f"({self.with_catchments.area / 1e6:.2f} km² in all).")


def patrol_areas(zones: Sequence[BaseGeometry], drawn_catchments: Sequence[BaseGeometry] = (), *,
                 catchment_m: float = 0.0) -> PatrolAreas:
    """The union of ``zones`` and their catchment: the ``drawn_catchments`` plus a ring
    ``catchment_m`` wide around the zones (as the intervention tool's catchment rings), minus the
    zones themselves."""
    geoms = [g for g in zones if g is not None and not g.is_empty]
    if not geoms:
        raise ValueError("there are no patrol zones to check")
    union = shapely.union_all(geoms)
    if union.area <= 0:
        raise ValueError("the patrol zones have no area")
    if catchment_m < 0:
        raise ValueError("the catchment ring width cannot be negative")
    drawn = [g for g in drawn_catchments if g is not None and not g.is_empty]
    pieces = list(drawn)
    if catchment_m > 0:
        pieces.append(union.buffer(float(catchment_m), quad_segs=32))
    catchment = None
    if pieces:
        catchment = shapely.union_all(pieces).difference(union)
        if catchment.is_empty or catchment.area <= 0:
            catchment = None
    return PatrolAreas(union, catchment, len(geoms), len(drawn), float(catchment_m))


@dataclass(frozen=True)
class EquityReport:
    """Equity figures for the patrol zones alone and for the zones with their catchments."""

    zones: EquityResult
    with_catchments: EquityResult | None
    areas: PatrolAreas
    n_incidents: int
    high: float
    low: float
    population_name: str = ""
    incidents_name: str = ""
    n_located: int = -1  # incidents inside some census area (-1: not known)

    @property
    def note(self) -> str:
        outside = ""
        if 0 <= self.n_located < self.n_incidents:
            outside = (f"{self.n_incidents - self.n_located:,} of the {self.n_incidents:,} incidents lie outside every "
                       "census area and are left out of the incident shares. ")
        return (f"{AREAL_WEIGHTING_NOTE} Ratio = a group's share of the people living in the zones / its share of "
                f"the whole area's population; flagged at ≥ {self.high:.2f} or ≤ {self.low:.2f}. Shares are among "
                "the groups chosen. Shares of incidents attribute each incident to groups by the make-up of the "
                f"census area where it happened. {outside}" + self.areas.describe())

    @property
    def table(self) -> pd.DataFrame:
        """One row per group: population, shares (fractions), ratios and flags, zones first,
        then zones + catchments (``*_catchments`` columns) when there are catchments."""
        t = self.zones.table[["group", "population", "share_area", "share_incidents", "zone_population",
                              "share_zone", "ratio", "flag"]].copy()
        if self.with_catchments is not None:
            c = self.with_catchments.table
            t["catchments_population"] = c["zone_population"].to_numpy()
            t["share_catchments"] = c["share_zone"].to_numpy()
            t["ratio_catchments"] = c["ratio"].to_numpy()
            t["flag_catchments"] = c["flag"].to_numpy()
        return t

    def flagged(self) -> list[str]:
        """"group: flag (where)" for every flagged group."""
        out = []
        for label, res in (("zones", self.zones), ("zones + catchments", self.with_catchments)):
            if res is None:
                continue
            out += [f"{g}: {f} ({label}, ratio {r:.2f})" for g, f, r in
                    zip(res.table["group"], res.table["flag"], res.table["ratio"]) if f]
        return out

    def display_table(self) -> pd.DataFrame:
        """The table as shown to people: percentages with one decimal, ratios with two, and the
        estimated number of residents of each group living in the zones (whole people)."""
        t = self.table
        pct = lambda s: s.map(lambda v: "–" if pd.isna(v) else f"{100 * v:.1f}%")  # noqa: E731
        rat = lambda s: s.map(lambda v: "–" if pd.isna(v) or not np.isfinite(v) else f"{v:.2f}")  # noqa: E731
        people = lambda s: s.map(lambda v: "–" if pd.isna(v) else f"{v:,.0f}")  # noqa: E731
        out = pd.DataFrame({"group": t["group"], "% of population": pct(t["share_area"]),
                            "% of incidents": pct(t["share_incidents"]), "% in zones": pct(t["share_zone"]),
                            "ratio": rat(t["ratio"]), "people in zones": people(t["zone_population"])})
        if "share_catchments" in t.columns:
            out["% in zones + catchments"] = pct(t["share_catchments"])
            out["ratio with catchments"] = rat(t["ratio_catchments"])
            out["people in zones + catchments"] = people(t["catchments_population"])
            out["flag"] = [_both_flags(a, b) for a, b in zip(t["flag"], t["flag_catchments"])]
        else:
            out["flag"] = t["flag"].map(lambda f: _SHORT.get(f, ""))
        return out


_SHORT = {FLAG_OVER: "over-represented", FLAG_UNDER: "under-represented"}


def _both_flags(zones: str, with_catchments: str) -> str:
    """One short flag for the zones and the zones + catchments figures."""
    a, b = _SHORT.get(zones, ""), _SHORT.get(with_catchments, "")
    if a and a == b:
        return f"{a} (both)"
    return ", ".join(x for x in (f"{a} (zones)" if a else "", f"{b} (with catchments)" if b else "") if x)


def equity_report(census: gpd.GeoDataFrame, group_columns: list[str], areas: PatrolAreas,
                  incident_x: np.ndarray | None = None, incident_y: np.ndarray | None = None, *,
                  high: float = 1.25, low: float = 0.8, population_name: str = "", incidents_name: str = "",
                  incident_counts: np.ndarray | None = None, n_incidents: int = 0) -> EquityReport:
    """:func:`equity_check` for the zones alone and for the zones with their catchments
    (``incident_counts`` as in :func:`equity_check`; the incidents are located once)."""
    if incident_counts is None and incident_x is not None and len(incident_x):
        incident_counts = incidents_per_area(census, incident_x, incident_y)
    zones = equity_check(census, group_columns, areas.zones, high=high, low=low, incident_counts=incident_counts)
    both = None
    if areas.catchment is not None:
        both = equity_check(census, group_columns, areas.with_catchments, high=high, low=low,
                            incident_counts=incident_counts)
    n = int(len(incident_x)) if incident_x is not None else n_incidents
    located = int(incident_counts.sum()) if incident_counts is not None else -1
    return EquityReport(zones, both, areas, n, high, low, population_name, incidents_name, located)


def project_equity(project: Project, setting: EquitySetting | None = None, *,
                   cache: dict | None = None, incidents: PointLayer | None = None) -> EquityReport:
    """The equity report of ``project`` for ``setting`` (default: the project's equity layer),
    with the filtered points of ``incidents`` (default :meth:`Project.incident_layer`);
    ValueError says what is missing. ``cache`` (a
    dict the caller keeps) holds the incidents per census area between calls, so changing the
    groups, zones or tolerance does not locate every incident again."""
    setting = setting or project.equity
    if setting is None:
        raise ValueError("no equity layer is set for this project")
    pop = project.layers.by_id(setting.population_layer)
    if not isinstance(pop, VectorLayer) or pop.geometry_kind != "polygon" or isinstance(pop, ZoneLayer):
        raise ValueError(f"the equity population layer (id {setting.population_layer}) is not a polygon layer of "
                         "this project any more")
    zone_layer = project.layers.by_id(setting.zone_layer) if setting.zone_layer else project.zones
    if not isinstance(zone_layer, VectorLayer) or zone_layer.geometry_kind != "polygon":
        raise ValueError("the equity check needs a zone layer")
    gdf = zone_layer.gdf
    if "role" in gdf.columns:
        zones = gdf[gdf["role"].isin(setting.roles)]
        drawn = gdf[gdf["role"] == "catchment"] if setting.drawn_catchments else gdf.iloc[0:0]
    else:
        zones, drawn = gdf, gdf.iloc[0:0]
    if zones.empty:
        raise ValueError(f"{zone_layer.name} has no zones with role {' or '.join(setting.roles)}")
    areas = patrol_areas(list(zones.geometry), list(drawn.geometry), catchment_m=setting.catchment_m)
    if incidents is None:
        incidents = project.incident_layer()
    counts, n = None, 0
    if incidents is not None:
        key = (pop.id, pop.data_version, incidents.id, incidents.data_version, repr(incidents.filter.to_dict()))
        if cache is not None and cache.get("key") == key:
            counts, n = cache["counts"], cache["n"]
        else:
            x, y = incidents.filtered_xy()
            counts, n = incidents_per_area(pop.gdf, x, y), int(len(x))
            if cache is not None:
                cache.update(key=key, counts=counts, n=n)
    return equity_report(pop.gdf, list(setting.groups), areas, high=setting.high, low=setting.low,
                         population_name=pop.name, incidents_name="" if incidents is None else incidents.name,
                         incident_counts=counts, n_incidents=n)
