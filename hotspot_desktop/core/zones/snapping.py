"""Snapping to vertices and edges of other zones and of a chosen layer, with an rtree index.

Tolerance is given in map units (the GUI converts its pixel tolerance with the current
metres-per-pixel), so snapping feels the same at every zoom.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from rtree import index as rtree_index
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry


@dataclass(frozen=True)
class Snap:
    x: float
    y: float
    kind: str  # "vertex" or "edge"
    distance: float


class Snapper:
    """Nearest vertex (preferred) or edge point within a tolerance, over a set of geometries."""

    def __init__(self, geometries: list[BaseGeometry]) -> None:
        self._vertices = np.zeros((0, 2))
        coords, segs = [], []
        for g in geometries:
            if g is None or g.is_empty:
                continue
            for line in _boundaries(g):
                c = np.asarray(line.coords)[:, :2]
                coords.append(c)
                segs.extend(zip(c[:-1], c[1:]))
        if coords:
            self._vertices = np.vstack(coords)
        self._segments = np.array(segs).reshape(-1, 2, 2)
        self._seg_index = rtree_index.Index()
        for i, (a, b) in enumerate(self._segments):
            self._seg_index.insert(i, (min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])))
        self._vtx_index = rtree_index.Index()
        for i, (x, y) in enumerate(self._vertices):
            self._vtx_index.insert(i, (x, y, x, y))

    def snap(self, x: float, y: float, tolerance: float) -> Snap | None:
        bbox = (x - tolerance, y - tolerance, x + tolerance, y + tolerance)
        best = None
        for i in self._vtx_index.intersection(bbox):
            vx, vy = self._vertices[i]
            d = float(np.hypot(vx - x, vy - y))
            if d <= tolerance and (best is None or d < best.distance):
                best = Snap(float(vx), float(vy), "vertex", d)
        if best is not None:
            return best
        for i in self._seg_index.intersection(bbox):
            a, b = self._segments[i]
            ab = b - a
            L2 = float(ab @ ab)
            t = 0.0 if L2 == 0 else float(np.clip(((np.array([x, y]) - a) @ ab) / L2, 0, 1))
            px, py = a + t * ab
            d = float(np.hypot(px - x, py - y))
            if d <= tolerance and (best is None or d < best.distance):
                best = Snap(float(px), float(py), "edge", d)
        return best


def _boundaries(g: BaseGeometry):
    if g.geom_type in ("LineString", "LinearRing"):
        yield g
    elif g.geom_type == "Polygon":
        yield g.exterior
        yield from g.interiors
    elif g.geom_type == "Point":
        yield shapely.LineString([g.coords[0], g.coords[0]])
    else:
        for part in getattr(g, "geoms", []):
            yield from _boundaries(part)


def nearest_feature(geometries: list[BaseGeometry], x: float, y: float, tolerance: float) -> int | None:
    """Index of the geometry nearest to (x, y) within ``tolerance`` (e.g. a street to buffer)."""
    if not geometries:
        return None
    tree = shapely.STRtree(geometries)
    i = tree.query_nearest(Point(x, y), max_distance=tolerance)
    return int(i[0]) if len(i) else None
