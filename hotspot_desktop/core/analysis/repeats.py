"""Repeat locations: places where incidents recur, ranked.

The simplest and most used hot spot product in many agencies: the addresses with k or more
incidents (Sherman, Gartin & Buerger 1989, "Hot spots of predatory crime", Criminology 27(1):
27-55 counted calls per address; Weisburd 2015 on crime concentration at places). Geocoded
incidents of one address share coordinates exactly, so exact coordinates are the default; a
tolerance in metres gathers near-duplicates (several geocoders, building entrances).

With a tolerance, locations are grouped by *leader* clustering rather than by chaining: exact
locations are taken in order of decreasing count, and each one not yet taken claims every
untaken location within ``tolerance`` of it. A row of shops 5 m apart therefore does not merge
into one street-long "location", and the reported coordinate is a real address (the most
frequent one in the group).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from hotspot_desktop.core.progress import CancelFn, ProgressFn, checkpoint

__all__ = ["RepeatLocation", "RepeatLocationsResult", "repeat_locations"]


@dataclass(frozen=True, eq=False)
class RepeatLocation:
    """One repeat location: rank 1 is the busiest; members index the input incidents."""

    rank: int
    x: float
    y: float
    count: int
    members: np.ndarray
    first: pd.Timestamp | None
    last: pd.Timestamp | None


@dataclass(frozen=True, eq=False)
class RepeatLocationsResult:
    locations: tuple[RepeatLocation, ...]
    tolerance: float
    min_count: int
    n_incidents: int

    @property
    def incidents_at_repeats(self) -> int:
        return int(sum(loc.count for loc in self.locations))

    @property
    def share(self) -> float:
        """Share of all incidents that happened at the listed locations."""
        return self.incidents_at_repeats / self.n_incidents if self.n_incidents else 0.0

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({
            "rank": [loc.rank for loc in self.locations],
            "x": [loc.x for loc in self.locations],
            "y": [loc.y for loc in self.locations],
            "count": [loc.count for loc in self.locations],
            "first": pd.to_datetime(pd.Series([loc.first for loc in self.locations], dtype=object)),
            "last": pd.to_datetime(pd.Series([loc.last for loc in self.locations], dtype=object)),
        })

    def to_geodataframe(self, crs: Any = None) -> Any:
        """The ranked table as points (for a map layer or an export)."""
        import geopandas as gpd

        frame = self.to_frame()
        return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["x"], frame["y"]), crs=crs)


def _leaders(ux: np.ndarray, uy: np.ndarray, counts: np.ndarray, tolerance: float,
             progress: ProgressFn | None, cancelled: CancelFn | None) -> np.ndarray:
    """Group id (index of the leading exact location) for every exact location."""
    from scipy.spatial import cKDTree  # first use only: the GUI imports this module at start-up

    n = ux.size
    group = np.arange(n)
    xy = np.column_stack([ux, uy])
    tree = cKDTree(xy)
    pairs = tree.query_pairs(tolerance, output_type="ndarray")
    if pairs.size == 0:
        return group
    # only locations with a neighbour within the tolerance need the sequential pass
    crowded = np.zeros(n, dtype=bool)
    crowded[pairs.ravel()] = True
    cand = np.flatnonzero(crowded)
    # busiest first; ties broken by coordinates so the result does not depend on input order
    cand = cand[np.lexsort((uy[cand], ux[cand], -counts[cand]))]
    taken = np.zeros(n, dtype=bool)
    for k, i in enumerate(cand):
        if k % 5000 == 0:
            checkpoint(progress, cancelled, 0.2 + 0.7 * k / cand.size, "grouping nearby locations")
        if taken[i]:
            continue
        near = np.asarray(tree.query_ball_point(xy[i], tolerance), dtype=np.int64)
        near = near[~taken[near]]
        group[near] = i
        taken[near] = True
    return group


def repeat_locations(
    x: Any,
    y: Any,
    times: Any = None,
    *,
    tolerance: float = 0.0,
    min_count: int = 2,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> RepeatLocationsResult:
    """Locations with at least ``min_count`` incidents, busiest first.

    ``x``, ``y`` in metres; ``times`` (optional, datetime-like, NaT allowed) gives each
    location's first and last incident. ``tolerance`` (metres, 0 = exact coordinates) gathers
    near-duplicate locations by leader clustering (see the module docstring).
    """
    x = np.asarray(x, dtype=np.float64).ravel()
    y = np.asarray(y, dtype=np.float64).ravel()
    if x.shape != y.shape:
        raise ValueError("x and y must have the same length")
    if min_count < 1:
        raise ValueError("min_count must be at least 1")
    if not tolerance >= 0:
        raise ValueError("tolerance must be >= 0 metres")
    t = None
    if times is not None:
        t = pd.to_datetime(pd.Series(times)).to_numpy()
        if t.size != x.size:
            raise ValueError("times must have one entry per incident")
    ok = np.isfinite(x) & np.isfinite(y)
    idx = np.flatnonzero(ok)
    checkpoint(progress, cancelled, 0.0, "exact locations")
    uniq, inverse, counts = np.unique(np.column_stack([x[idx], y[idx]]), axis=0, return_inverse=True,
                                      return_counts=True)
    inverse = inverse.ravel()
    if tolerance > 0 and uniq.shape[0] > 1:
        group_of_unique = _leaders(uniq[:, 0], uniq[:, 1], counts, tolerance, progress, cancelled)
    else:
        group_of_unique = np.arange(uniq.shape[0])
    group = group_of_unique[inverse]  # group (leader's unique index) of each valid incident
    totals = np.bincount(group, minlength=uniq.shape[0])
    keep = np.flatnonzero(totals >= min_count)
    keep = keep[np.lexsort((uniq[keep, 1], uniq[keep, 0], -totals[keep]))]
    order = np.argsort(group, kind="stable")
    starts = np.searchsorted(group[order], keep)
    locations = []
    for rank, (g, s) in enumerate(zip(keep, starts), start=1):
        members = np.sort(idx[order[s:s + totals[g]]])
        members.setflags(write=False)
        first = last = None
        if t is not None:
            tt = t[members]
            tt = tt[~pd.isna(tt)]
            if tt.size:
                first, last = pd.Timestamp(tt.min()), pd.Timestamp(tt.max())
        locations.append(RepeatLocation(rank, float(uniq[g, 0]), float(uniq[g, 1]), int(totals[g]), members,
                                        first, last))
    checkpoint(progress, cancelled, 1.0, "repeat locations done")
    return RepeatLocationsResult(tuple(locations), float(tolerance), int(min_count), int(x.size))
