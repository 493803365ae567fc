"""Point hot spots as clusters of incidents: CrimeStat's NNH and DBSCAN, with hulls and ellipses.

Nearest-neighbour hierarchical clustering (Levine, CrimeStat IV manual, ch. 7 "Hot Spot
Analysis of Points: I", Nnh). Two incidents may be linked when they are closer than a threshold
distance derived from the mean nearest-neighbour distance expected under complete spatial
randomness (Clark & Evans 1954) in the study area A:

    d_ran = ½ √(A/n),   SE = 0.26136 / √(n²/A),   threshold = d_ran − t₁₋ₚ · SE

where p is the user's one-tailed probability of linking a pair by chance (p = 0.5 gives the
mean random distance itself; smaller p, stricter threshold). Incidents are linked by single
linkage (the "nearest neighbour" rule of hierarchical clustering) and groups with fewer than
``min_points`` incidents are dropped: these are first-order clusters. Their mean centres are then
clustered the same way, with the threshold recomputed for their number in the same area, giving
second-order clusters (clusters of clusters), and so on until no cluster forms.

DBSCAN (Ester, Kriegel, Sander & Xu 1996) via scikit-learn's implementation.

Every cluster carries its member indices, a convex hull and a standard deviational ellipse
(Yuill 1971; CrimeStat ch. 4, with its √2 factor and n − 2 degrees of freedom):

    tan θ = [(Σx'² − Σy'²) + √((Σx'² − Σy'²)² + 4(Σx'y')²)] / (2 Σx'y')
    σ₁ = √2 · √(Σ(x' cos θ − y' sin θ)² / (n − 2)),  σ₂ = √2 · √(Σ(x' sin θ + y' cos θ)² / (n − 2))

with x', y' deviations from the mean centre. θ is the principal-axis rotation of the scatter
matrix, computed here by its eigen-decomposition (same axes, no division by Σx'y' = 0).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from scipy import stats
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from hotspot_desktop.core.progress import CancelFn, ProgressFn, checkpoint

__all__ = [
    "DeviationalEllipse",
    "PointCluster",
    "ClusteringResult",
    "standard_deviational_ellipse",
    "nnh_threshold",
    "nnh_clusters",
    "dbscan_clusters",
]


@dataclass(frozen=True, eq=False)
class DeviationalEllipse:
    """Standard deviational ellipse: mean centre, semi-axes (already × n_sd) and orientation.

    ``angle`` is the major axis direction in degrees counter-clockwise from east; ``azimuth`` the
    same direction clockwise from north (0–180), as ArcGIS and CrimeStat report rotation.
    """

    x: float
    y: float
    major: float
    minor: float
    angle: float
    azimuth: float
    n_sd: float
    polygon: Any  # shapely Polygon

    @property
    def area(self) -> float:
        return float(np.pi * self.major * self.minor)


@dataclass(frozen=True, eq=False)
class PointCluster:
    """One cluster: members are indices into the input points (all orders refer to incidents)."""

    id: int
    order: int
    members: np.ndarray
    count: int
    centre: tuple[float, float]
    hull: Any  # shapely Polygon (LineString/Point when the members are collinear/identical)
    ellipse: DeviationalEllipse | None  # None below 3 distinct members
    children: tuple[int, ...] = ()  # ids of the lower-order clusters it groups (NNH orders ≥ 2)

    @property
    def density(self) -> float:
        """Incidents per km² of the ellipse (CrimeStat's cluster density); NaN without an ellipse."""
        if self.ellipse is None or self.ellipse.area == 0:
            return float("nan")
        return self.count / (self.ellipse.area / 1e6)


@dataclass(frozen=True, eq=False)
class ClusteringResult:
    """Clusters of all orders, first-order label per point (−1 = in no cluster) and parameters."""

    clusters: tuple[PointCluster, ...]
    labels: np.ndarray
    method: str
    parameters: dict[str, Any] = field(default_factory=dict)
    thresholds: tuple[float, ...] = ()  # NNH linking distance used at each order, metres

    def of_order(self, order: int) -> tuple[PointCluster, ...]:
        return tuple(c for c in self.clusters if c.order == order)

    @property
    def max_order(self) -> int:
        return max((c.order for c in self.clusters), default=0)

    def to_geodataframe(self, crs: Any = None, geometry: str = "ellipse") -> Any:
        """One row per cluster with its numbers; geometry ``"ellipse"`` or ``"hull"``.

        Clusters without an ellipse (fewer than 3 distinct points) fall back to their hull.
        """
        import geopandas as gpd

        if geometry not in ("ellipse", "hull"):
            raise ValueError("geometry must be 'ellipse' or 'hull'")
        rows = []
        for c in self.clusters:
            e = c.ellipse
            geom = e.polygon if geometry == "ellipse" and e is not None else c.hull
            rows.append({
                "cluster": c.id, "order": c.order, "count": c.count,
                "centre_x": c.centre[0], "centre_y": c.centre[1],
                "major_m": e.major if e else np.nan, "minor_m": e.minor if e else np.nan,
                "azimuth": e.azimuth if e else np.nan, "n_sd": e.n_sd if e else np.nan,
                "hull_area_m2": float(c.hull.area), "density_km2": c.density, "geometry": geom,
            })
        columns = ["cluster", "order", "count", "centre_x", "centre_y", "major_m", "minor_m", "azimuth", "n_sd",
                   "hull_area_m2", "density_km2", "geometry"]
        return gpd.GeoDataFrame(rows, columns=columns, geometry="geometry", crs=crs)


def standard_deviational_ellipse(x: np.ndarray, y: np.ndarray, n_sd: float = 1.0, *,
                                 dof_correction: bool = True, segments: int = 72) -> DeviationalEllipse:
    """Standard deviational ellipse of points (Yuill 1971; CrimeStat IV ch. 4).

    ``dof_correction`` divides by n − 2 as CrimeStat does (ArcGIS divides by n). ``n_sd``
    scales both axes (1 or 2 standard deviations).
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n = x.size
    if n < 3:
        raise ValueError("a deviational ellipse needs at least 3 points")
    if n_sd <= 0:
        raise ValueError("n_sd must be positive")
    cx, cy = float(x.mean()), float(y.mean())
    dx, dy = x - cx, y - cy
    scatter = np.array([[dx @ dx, dx @ dy], [dx @ dy, dy @ dy]])
    evals, evecs = np.linalg.eigh(scatter)  # ascending: evals[1] along the major axis
    evals = np.clip(evals, 0.0, None)
    denom = (n - 2) if dof_correction else n
    sd_major = np.sqrt(2.0 * evals[1] / denom) * n_sd
    sd_minor = np.sqrt(2.0 * evals[0] / denom) * n_sd
    ux, uy = evecs[:, 1]
    angle = float(np.degrees(np.arctan2(uy, ux)) % 180.0)
    azimuth = float((90.0 - angle) % 180.0)
    t = np.linspace(0.0, 2 * np.pi, segments, endpoint=False)
    a, b = np.radians(angle), np.radians(angle + 90.0)
    px = cx + sd_major * np.cos(t) * np.cos(a) + sd_minor * np.sin(t) * np.cos(b)
    py = cy + sd_major * np.cos(t) * np.sin(a) + sd_minor * np.sin(t) * np.sin(b)
    poly = shapely.Polygon(np.column_stack([px, py])) if sd_minor > 0 else shapely.LineString(
        [(cx - sd_major * np.cos(a), cy - sd_major * np.sin(a)), (cx + sd_major * np.cos(a), cy + sd_major * np.sin(a))])
    return DeviationalEllipse(cx, cy, float(sd_major), float(sd_minor), angle, azimuth, float(n_sd), poly)


def _cluster(cid: int, order: int, members: np.ndarray, x: np.ndarray, y: np.ndarray, n_sd: float,
             children: tuple[int, ...] = ()) -> PointCluster:
    mx, my = x[members], y[members]
    hull = shapely.MultiPoint(np.column_stack([mx, my])).convex_hull
    distinct = np.unique(np.column_stack([mx, my]), axis=0).shape[0]
    ellipse = standard_deviational_ellipse(mx, my, n_sd) if distinct >= 3 else None
    members = np.sort(members)
    members.setflags(write=False)
    return PointCluster(cid, order, members, int(members.size), (float(mx.mean()), float(my.mean())), hull,
                        ellipse, children)


def _xy(x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=np.float64).ravel()
    y = np.asarray(y, dtype=np.float64).ravel()
    if x.shape != y.shape:
        raise ValueError("x and y must have the same length")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError("coordinates must be finite")
    return x, y


def nnh_threshold(n: int, area: float, probability: float = 0.5) -> float:
    """CrimeStat's NNH linking distance: d_ran − t·SE for ``n`` points in ``area`` m².

    ``probability`` is the one-tailed chance of linking a pair of random points (0 < p < 1).
    """
    if n < 2:
        raise ValueError("need at least 2 points")
    if not area > 0:
        raise ValueError("study area must be positive (square metres)")
    if not 0 < probability < 1:
        raise ValueError("probability must be in (0, 1)")
    d_ran = 0.5 * np.sqrt(area / n)
    se = 0.26136 / np.sqrt(n * n / area)
    t = stats.t.ppf(1.0 - probability, df=n - 1)
    return float(d_ran - t * se)


def _single_linkage(px: np.ndarray, py: np.ndarray, threshold: float, min_points: int) -> list[np.ndarray]:
    n = px.size
    pairs = cKDTree(np.column_stack([px, py])).query_pairs(threshold, output_type="ndarray")
    # query_pairs includes pairs exactly at the threshold; CrimeStat links pairs closer than it
    if pairs.size:
        d = np.hypot(px[pairs[:, 0]] - px[pairs[:, 1]], py[pairs[:, 0]] - py[pairs[:, 1]])
        pairs = pairs[d < threshold]
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n)) if len(pairs) else \
        coo_matrix((n, n))
    _, comp = connected_components(graph, directed=False)
    sizes = np.bincount(comp)
    groups = [np.flatnonzero(comp == c) for c in np.flatnonzero(sizes >= min_points)]
    # largest first, ties by first member, so ids are stable for a given input
    groups.sort(key=lambda g: (-g.size, int(g[0])))
    return groups


def nnh_clusters(
    x: Any,
    y: Any,
    *,
    area: float,
    min_points: int = 10,
    probability: float = 0.5,
    fixed_distance: float | None = None,
    max_order: int = 3,
    n_sd: float = 1.0,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> ClusteringResult:
    """CrimeStat nearest-neighbour hierarchical clustering of incidents (x, y in metres).

    ``area`` is the study area in m² (the jurisdiction, not the points' bounding box: the
    threshold scales with √A). ``fixed_distance`` replaces the random-expectation threshold at
    the first order (CrimeStat's "fixed distance" option; higher orders still use the random
    expectation for the cluster centres). Clusters of order k + 1 group the mean centres of
    order-k clusters; their members are all incidents of the grouped clusters.
    """
    x, y = _xy(x, y)
    if min_points < 2:
        raise ValueError("min_points must be at least 2")
    if max_order < 1:
        raise ValueError("max_order must be at least 1")
    labels = np.full(x.size, -1, dtype=np.int64)
    clusters: list[PointCluster] = []
    thresholds: list[float] = []
    # points of the current order: coordinates and, per point, the incidents it stands for
    px, py = x, y
    stands_for: list[np.ndarray] = [np.array([i]) for i in range(x.size)]
    ids_of_points: list[int] = []
    for order in range(1, max_order + 1):
        checkpoint(progress, cancelled, (order - 1) / max_order, f"NNH order {order}")
        if px.size < max(2, min_points):
            break
        if order == 1 and fixed_distance is not None:
            if not fixed_distance > 0:
                raise ValueError("fixed_distance must be positive (metres)")
            threshold = float(fixed_distance)
        else:
            threshold = nnh_threshold(px.size, area, probability)
        if threshold <= 0:
            raise ValueError(f"threshold distance is not positive ({threshold:g} m): raise the probability")
        thresholds.append(threshold)
        groups = _single_linkage(px, py, threshold, min_points)
        if not groups:
            break
        new_x, new_y, new_stand, new_ids = [], [], [], []
        for g in groups:
            members = np.concatenate([stands_for[i] for i in g])
            children = tuple(ids_of_points[i] for i in g) if order > 1 else ()
            c = _cluster(len(clusters), order, members, x, y, n_sd, children)
            clusters.append(c)
            if order == 1:
                labels[members] = c.id
            # the next order clusters the mean centres of this order's clusters (CrimeStat)
            new_x.append(px[g].mean())
            new_y.append(py[g].mean())
            new_stand.append(members)
            new_ids.append(c.id)
        px, py = np.array(new_x), np.array(new_y)
        stands_for, ids_of_points = new_stand, new_ids
    checkpoint(progress, cancelled, 1.0, "NNH done")
    labels.setflags(write=False)
    params = {"area": float(area), "min_points": int(min_points), "probability": float(probability),
              "fixed_distance": fixed_distance, "max_order": int(max_order), "n_sd": float(n_sd)}
    return ClusteringResult(tuple(clusters), labels, "nnh", params, tuple(thresholds))


def dbscan_clusters(
    x: Any,
    y: Any,
    *,
    eps: float,
    min_points: int = 5,
    n_sd: float = 1.0,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> ClusteringResult:
    """DBSCAN (Ester et al. 1996) of incidents: ``eps`` in metres, ``min_points`` incl. the point.

    Uses scikit-learn's ``DBSCAN`` (imported only when called). Noise points get label −1.
    """
    x, y = _xy(x, y)
    if not eps > 0:
        raise ValueError("eps must be positive (metres)")
    if min_points < 1:
        raise ValueError("min_points must be at least 1")
    checkpoint(progress, cancelled, 0.0, "DBSCAN")
    from sklearn.cluster import DBSCAN  # heavy import, only when the tool runs

    raw = DBSCAN(eps=eps, min_samples=min_points, algorithm="kd_tree").fit_predict(np.column_stack([x, y]))
    checkpoint(progress, cancelled, 0.7, "DBSCAN hulls and ellipses")
    groups = [np.flatnonzero(raw == k) for k in np.unique(raw[raw >= 0])]
    groups.sort(key=lambda g: (-g.size, int(g[0])))
    labels = np.full(x.size, -1, dtype=np.int64)
    clusters = []
    for cid, g in enumerate(groups):
        labels[g] = cid
        clusters.append(_cluster(cid, 1, g, x, y, n_sd))
    checkpoint(progress, cancelled, 1.0, "DBSCAN done")
    labels.setflags(write=False)
    return ClusteringResult(tuple(clusters), labels, "dbscan",
                            {"eps": float(eps), "min_points": int(min_points), "n_sd": float(n_sd)})
