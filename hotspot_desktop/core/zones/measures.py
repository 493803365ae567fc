"""Zone measures: what each zone holds, and how good a hot spot it is.

For a zone with n of the N incidents (after the layer's filters) and area a within a study
area of size A:
* share (hit rate) = n/N;
* density = n / a (incidents per km²);
* PAI (Chainey, Tompson & Uhlig 2008) = (n/N) / (a/A);
* PEI (Hunt 2016) = n / n*, where n* is the most incidents any set of grid cells with the same
  total area could hold (cells of ``cell_size`` ranked by count; the last cell counted pro rata),
  so PEI = 1 means the zone is as efficient as the best possible area of its size.

Community input (survey responses, service requests: point layers with role ``community``) is
counted beside the incidents: per zone, the count m, m per km² and, when the points have a
category, m by category. Community points never enter N, PAI or PEI.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from hotspot_desktop.core.analysis.repeats import repeat_locations
from hotspot_desktop.core.progress import CancelFn, ProgressFn, checkpoint

PAI_FORMULA = "PAI = (n/N) / (a/A)"
PEI_FORMULA = "PEI = n / n*, n* = most incidents any cells of the same total area hold"


def points_in(geom: BaseGeometry, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Boolean mask of points inside (or on the edge of) ``geom``, with a bounding-box prefilter."""
    xmin, ymin, xmax, ymax = geom.bounds
    inbox = np.flatnonzero((x >= xmin) & (x <= xmax) & (y >= ymin) & (y <= ymax))
    out = np.zeros(x.size, dtype=bool)
    if inbox.size:
        shapely.prepare(geom)
        out[inbox] = shapely.intersects_xy(geom, x[inbox], y[inbox])
    return out


class MaxCapture:
    """n*(a): the most incidents an area a made of grid cells can hold (for PEI)."""

    def __init__(self, x: np.ndarray, y: np.ndarray, cell_size: float = 100.0) -> None:
        self.cell_area = cell_size * cell_size
        if x.size == 0:
            self._cum = np.zeros(1)
            return
        cx = np.floor((x - x.min()) / cell_size).astype(np.int64)
        cy = np.floor((y - y.min()) / cell_size).astype(np.int64)
        _, counts = np.unique(cx * (cy.max() + 1) + cy, return_counts=True)
        self._cum = np.concatenate([[0.0], np.cumsum(np.sort(counts)[::-1])])

    def __call__(self, area_m2: float) -> float:
        k = area_m2 / self.cell_area
        whole = int(np.floor(k))
        if whole >= len(self._cum) - 1:
            return float(self._cum[-1])
        nxt = self._cum[whole + 1] - self._cum[whole]
        return float(self._cum[whole] + (k - whole) * nxt)


@dataclass(frozen=True)
class LiveMeasure:
    """Fast measures for the zone being drawn (shown next to the cursor at every vertex)."""

    area_km2: float
    incidents: int
    share: float
    pai: float | None

    def text(self, area_text: str) -> str:
        pai = "–" if self.pai is None else f"{self.pai:.1f}"
        return f"{area_text} · {self.incidents:,} incidents ({self.share:.1%}) · PAI {pai}"


class LiveMeasurer:
    """Holds the filtered incidents once, then measures any geometry quickly."""

    def __init__(self, x: np.ndarray, y: np.ndarray, study_area_m2: float) -> None:
        self.x = np.asarray(x, float)
        self.y = np.asarray(y, float)
        self.study_area_m2 = float(study_area_m2)

    def measure(self, geom: BaseGeometry | None) -> LiveMeasure | None:
        if geom is None or geom.is_empty or geom.area <= 0:
            return None
        n = int(points_in(geom, self.x, self.y).sum())
        N = self.x.size
        share = n / N if N else 0.0
        a = geom.area
        pai = share / (a / self.study_area_m2) if self.study_area_m2 > 0 and N else None
        return LiveMeasure(a / 1e6, n, share, pai)


@dataclass(frozen=True)
class CommunityPoints:
    """Community input to count per zone: one or more community layers' points, combined."""

    name: str  # the layer name, or the names joined
    x: np.ndarray
    y: np.ndarray
    categories: pd.Series | None = None  # request type / survey answer per point, when known

    def __len__(self) -> int:
        return int(np.asarray(self.x).size)


def community_points(layers: list, *, filtered: bool = True) -> CommunityPoints | None:
    """The points of ``layers`` (PointLayers with role community) as one CommunityPoints, each
    layer after its own filter; None without layers. Categories come from the ``offence``
    column (where the CSV loader puts a category column)."""
    layers = [lyr for lyr in layers if len(lyr)]
    if not layers:
        return None
    xs, ys, cats = [], [], []
    any_cat = any(lyr.has_column("offence") for lyr in layers)
    for lyr in layers:
        m = lyr.mask() if filtered else np.ones(len(lyr), dtype=bool)
        xs.append(lyr.x[m])
        ys.append(lyr.y[m])
        if any_cat:
            col = lyr.attributes["offence"][m] if lyr.has_column("offence") else pd.Series([None] * int(m.sum()))
            cats.append(pd.Series(np.asarray(col, dtype=object)))
    categories = pd.concat(cats, ignore_index=True) if any_cat else None
    return CommunityPoints(" + ".join(lyr.name for lyr in layers), np.concatenate(xs), np.concatenate(ys), categories)


def community_counts(geoms: list[BaseGeometry], community: CommunityPoints, names: list[str] | None = None,
                     ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(counts, by category): per geometry the community points inside (``community``), per km²
    (``community_km2``); and a geometry × category table of counts (empty without categories)."""
    names = names or [f"Zone {i + 1}" for i in range(len(geoms))]
    x, y = np.asarray(community.x, float), np.asarray(community.y, float)
    cats = None if community.categories is None else community.categories.reset_index(drop=True).astype(object)
    counts, per_km2, by_cat = [], [], []
    for geom in geoms:
        m = points_in(geom, x, y)
        n = int(m.sum())
        a = float(geom.area)
        counts.append(n)
        per_km2.append(n / (a / 1e6) if a > 0 else np.nan)
        if cats is not None:
            by_cat.append(cats[m].dropna().astype(str).value_counts())
    table = pd.DataFrame({"community": counts, "community_km2": per_km2}, index=pd.Index(names, name="zone"))
    # one row per geometry, by position: zones may share a name
    by_category = (pd.DataFrame([s.to_dict() for s in by_cat], index=pd.Index(names, name="zone")).fillna(0).astype(int)
                   if by_cat else pd.DataFrame(index=pd.Index(names, name="zone")))
    if len(by_category.columns):
        by_category = by_category[sorted(by_category.columns, key=lambda c: (-by_category[c].sum(), str(c)))]
    return table, by_category


@dataclass(frozen=True)
class ZoneMeasures:
    """Measures of every zone. ``table`` has one row per zone in the zones' order (RangeIndex);
    ``by_offence``, ``by_period`` and ``community_by_category`` share that index, so they line
    up with ``table`` row for row even when zones share a name."""

    table: pd.DataFrame  # one row per zone: name, area_km2, incidents, share, density_km2, pai, pei
    by_offence: pd.DataFrame  # zone x offence counts
    by_period: pd.DataFrame  # zone x period counts
    top_places: list[pd.DataFrame]  # per zone, in order: the busiest places inside
    formulas: tuple[str, ...] = (PAI_FORMULA, PEI_FORMULA)
    community_name: str = ""  # with community input: the table also has community, community_km2
    community_by_category: pd.DataFrame = field(default_factory=pd.DataFrame)  # zone x category counts


def zone_measures(zones: gpd.GeoDataFrame, x: np.ndarray, y: np.ndarray, *, times: pd.Series | None = None,
                  offences: pd.Series | None = None, study_area_m2: float | None = None, period: str = "M",
                  cell_size: float = 100.0, top: int = 5, community: CommunityPoints | None = None,
                  progress: ProgressFn | None = None, cancelled: CancelFn | None = None) -> ZoneMeasures:
    """Measures for every zone (see the module docstring). ``study_area_m2`` defaults to the
    area of the incidents' convex hull. With ``community``, the table gains ``community`` (points
    inside) and ``community_km2`` beside the incident columns."""
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    N = x.size
    if study_area_m2 is None:
        study_area_m2 = shapely.convex_hull(shapely.multipoints(np.column_stack([x, y]))).area if N >= 3 else 0.0
    cap = MaxCapture(x, y, cell_size)
    names = [str(n) if str(n) else f"Zone {i + 1}" for i, n in enumerate(zones.get("name", pd.Series(range(len(zones)))))]
    rows: list[tuple] = []
    by_off: list[pd.Series] = []
    by_per: list[pd.Series] = []
    places: list[pd.DataFrame] = []
    off = None if offences is None else pd.Series(np.asarray(offences, dtype=object)).astype(str)
    t = None if times is None else pd.Series(pd.to_datetime(np.asarray(times)))
    for i, (name, geom) in enumerate(zip(names, zones.geometry)):
        checkpoint(progress, cancelled, i / max(1, len(zones)), f"Measuring {name}")
        m = points_in(geom, x, y)
        n = int(m.sum())
        a = float(geom.area)
        share = n / N if N else 0.0
        pai = share / (a / study_area_m2) if study_area_m2 and a > 0 and N else np.nan
        nstar = cap(a)
        pei = n / nstar if nstar > 0 else np.nan
        rows.append((name, a / 1e6, n, share, n / (a / 1e6) if a > 0 else np.nan, pai, min(pei, 1.0) if np.isfinite(pei) else pei))
        if off is not None:
            by_off.append(off[m].value_counts())
        if t is not None:
            by_per.append(t[m].dt.to_period(period).value_counts())
        rl = repeat_locations(x[m], y[m], None if t is None else t[m].to_numpy(), min_count=2)
        places.append(rl.to_frame().head(top))
    table = pd.DataFrame(rows, columns=["zone", "area_km2", "incidents", "share", "density_km2", "pai", "pei"])
    # keyed by position, not by name: zones may share a name (a dict by name merged them)
    by_offence = _per_zone(by_off, table.index)
    by_offence = by_offence[sorted(by_offence.columns, key=str)]
    by_period = _per_zone(by_per, table.index).sort_index(axis=1)
    if community is None:
        checkpoint(progress, cancelled, 1.0, "Done")
        return ZoneMeasures(table, by_offence, by_period, places)
    counts, by_category = community_counts(list(zones.geometry), community, names)
    table["community"] = counts["community"].to_numpy()
    table["community_km2"] = counts["community_km2"].to_numpy()
    by_category = by_category.set_axis(table.index, axis=0)
    checkpoint(progress, cancelled, 1.0, "Done")
    return ZoneMeasures(table, by_offence, by_period, places, community_name=community.name,
                        community_by_category=by_category)


def _per_zone(counts: list[pd.Series], index: pd.Index) -> pd.DataFrame:
    """One row of counts per zone (``index``, the zones' order), 0 where a zone has none."""
    if not counts:
        return pd.DataFrame(index=index)
    return pd.DataFrame([c.to_dict() for c in counts], index=index).fillna(0).astype(int)


def zone_table(res: ZoneMeasures, zone_ids: list | None = None) -> pd.DataFrame:
    """The zone measures as one table, a row per zone in order: the measures, incidents by
    offence, then community points by category (headed "<community layer>: <category>"), with a
    ``zone_id`` column first when ``zone_ids`` are given (names need not be unique). The table
    File ▸ Export ▸ Table and ``hotspot-desktop export table --what zones`` write."""
    parts = [res.table, res.by_offence]
    if len(res.community_by_category.columns):
        parts.append(res.community_by_category.add_prefix(f"{res.community_name}: "))
    frame = pd.concat(parts, axis=1)
    if zone_ids is not None:
        frame.insert(0, "zone_id", [str(z) for z in zone_ids])
    return frame.reset_index(drop=True)


def project_zone_table(project, *, progress: ProgressFn | None = None,
                       cancelled: CancelFn | None = None) -> pd.DataFrame:
    """:func:`zone_table` of :func:`project_zone_measures`, with the zones' ``zone_id``."""
    res = project_zone_measures(project, progress=progress, cancelled=cancelled)
    gdf = project.zones.gdf
    return zone_table(res, list(gdf["zone_id"]) if "zone_id" in gdf.columns else None)


def project_zone_measures(project, *, progress: ProgressFn | None = None,
                          cancelled: CancelFn | None = None, incidents=None) -> ZoneMeasures:
    """:func:`zone_measures` of the project's zones for ``incidents`` (default its incident layer,
    :meth:`Project.incident_layer`; never community input or a patrol log) after the layer's
    filter, with its community layers (each after its filter) counted beside the incidents."""
    layer = incidents if incidents is not None else project.incident_layer()
    if layer is None:
        raise ValueError("the project has no incident layer")
    z = project.zones
    if z is None or not len(z.gdf):
        raise ValueError("the project has no zones")
    m = layer.mask()
    return zone_measures(z.gdf, layer.x[m], layer.y[m],
                         times=layer.attributes["time"][m] if layer.has_column("time") else None,
                         offences=layer.attributes["offence"][m] if layer.has_column("offence") else None,
                         community=community_points(project.community_layers()), progress=progress,
                         cancelled=cancelled)
