"""Zone measures: what each zone holds, and how good a hot spot it is.

For a zone with n of the N incidents (after the layer's filters) and area a within a study
area of size A:
* share (hit rate) = n/N;
* density = n / a (incidents per km²);
* PAI (Chainey, Tompson & Uhlig 2008) = (n/N) / (a/A);
* PEI (Hunt 2016) = n / n*, where n* is the most incidents any set of grid cells with the same
  total area could hold (cells of ``cell_size`` ranked by count; the last cell counted pro rata),
  so PEI = 1 means the zone is as efficient as the best possible area of its size.
"""

from __future__ import annotations

from dataclasses import dataclass

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
class ZoneMeasures:
    table: pd.DataFrame  # one row per zone: name, area_km2, incidents, share, density_km2, pai, pei
    by_offence: pd.DataFrame  # zone x offence counts
    by_period: pd.DataFrame  # zone x period counts
    top_places: dict[str, pd.DataFrame]  # zone name -> busiest places inside
    formulas: tuple[str, ...] = (PAI_FORMULA, PEI_FORMULA)


def zone_measures(zones: gpd.GeoDataFrame, x: np.ndarray, y: np.ndarray, *, times: pd.Series | None = None,
                  offences: pd.Series | None = None, study_area_m2: float | None = None, period: str = "M",
                  cell_size: float = 100.0, top: int = 5, progress: ProgressFn | None = None,
                  cancelled: CancelFn | None = None) -> ZoneMeasures:
    """Measures for every zone (see the module docstring). ``study_area_m2`` defaults to the
    area of the incidents' convex hull."""
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    N = x.size
    if study_area_m2 is None:
        study_area_m2 = shapely.convex_hull(shapely.multipoints(np.column_stack([x, y]))).area if N >= 3 else 0.0
    cap = MaxCapture(x, y, cell_size)
    names = [str(n) if str(n) else f"Zone {i + 1}" for i, n in enumerate(zones.get("name", pd.Series(range(len(zones)))))]
    rows, by_off, by_per, places = [], {}, {}, {}
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
            by_off[name] = off[m].value_counts()
        if t is not None:
            by_per[name] = t[m].dt.to_period(period).value_counts()
        rl = repeat_locations(x[m], y[m], None if t is None else t[m].to_numpy(), min_count=2)
        places[name] = rl.to_frame().head(top)
    table = pd.DataFrame(rows, columns=["zone", "area_km2", "incidents", "share", "density_km2", "pai", "pei"])
    by_offence = pd.DataFrame(by_off).T.fillna(0).astype(int) if by_off else pd.DataFrame(index=names)
    by_period = pd.DataFrame(by_per).T.fillna(0).astype(int).sort_index(axis=1) if by_per else pd.DataFrame(index=names)
    checkpoint(progress, cancelled, 1.0, "Done")
    return ZoneMeasures(table, by_offence, by_period, places)
