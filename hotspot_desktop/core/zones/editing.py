"""Vertex-level edits of zone polygons, addressed as (part, ring, vertex).

Ring 0 is a polygon's exterior, rings 1.. its holes; parts index the polygons of a
MultiPolygon (0 for a Polygon). Every function returns a new geometry (shapely geometries are
immutable), which an undoable command then puts into the layer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from hotspot_desktop.core.zones.validation import ZoneGeometryError


@dataclass(frozen=True)
class VertexAddress:
    part: int
    ring: int
    index: int


def _parts(geom: BaseGeometry) -> list[Polygon]:
    return list(geom.geoms) if isinstance(geom, MultiPolygon) else [geom]


def _rings(poly: Polygon) -> list[np.ndarray]:
    """Ring coordinates without the closing duplicate."""
    return [np.asarray(r.coords)[:-1, :2].copy() for r in [poly.exterior, *poly.interiors]]


def _rebuild(parts_rings: list[list[np.ndarray]], multi: bool) -> BaseGeometry:
    polys = [Polygon(rings[0], rings[1:]) for rings in parts_rings]
    return MultiPolygon(polys) if multi or len(polys) > 1 else polys[0]


def vertices(geom: BaseGeometry) -> list[tuple[VertexAddress, float, float]]:
    out = []
    for p, poly in enumerate(_parts(geom)):
        for r, ring in enumerate(_rings(poly)):
            out += [(VertexAddress(p, r, i), float(x), float(y)) for i, (x, y) in enumerate(ring)]
    return out


def nearest_vertex(geom: BaseGeometry, x: float, y: float, tolerance: float) -> VertexAddress | None:
    best, best_d = None, tolerance
    for addr, vx, vy in vertices(geom):
        d = float(np.hypot(vx - x, vy - y))
        if d <= best_d:
            best, best_d = addr, d
    return best


def nearest_edge(geom: BaseGeometry, x: float, y: float, tolerance: float) -> tuple[VertexAddress, float, float] | None:
    """The edge nearest (x, y) within tolerance: address of its first vertex and the foot point."""
    best, best_d = None, tolerance
    q = np.array([x, y])
    for p, poly in enumerate(_parts(geom)):
        for r, ring in enumerate(_rings(poly)):
            a = ring
            b = np.roll(ring, -1, axis=0)
            ab = b - a
            L2 = (ab**2).sum(axis=1)
            t = np.clip(np.divide(((q - a) * ab).sum(axis=1), L2, out=np.zeros_like(L2), where=L2 > 0), 0, 1)
            foot = a + t[:, None] * ab
            d = np.hypot(*(foot - q).T)
            i = int(np.argmin(d))
            if d[i] <= best_d:
                best, best_d = (VertexAddress(p, r, i), float(foot[i, 0]), float(foot[i, 1])), float(d[i])
    return best


def _edit(geom: BaseGeometry, addr: VertexAddress, fn) -> BaseGeometry:
    multi = isinstance(geom, MultiPolygon)
    parts = [_rings(poly) for poly in _parts(geom)]
    parts[addr.part][addr.ring] = fn(parts[addr.part][addr.ring])
    if len(parts[addr.part][addr.ring]) < 3:
        raise ZoneGeometryError("A zone outline needs at least three vertices.")
    return _rebuild(parts, multi)


def move_vertex(geom: BaseGeometry, addr: VertexAddress, x: float, y: float) -> BaseGeometry:
    def fn(ring: np.ndarray) -> np.ndarray:
        ring[addr.index] = (x, y)
        return ring
    return _edit(geom, addr, fn)


def insert_vertex(geom: BaseGeometry, after: VertexAddress, x: float, y: float) -> BaseGeometry:
    """Insert (x, y) after vertex ``after`` (i.e. on the edge that starts there)."""
    return _edit(geom, after, lambda ring: np.insert(ring, after.index + 1, (x, y), axis=0))


def delete_vertex(geom: BaseGeometry, addr: VertexAddress) -> BaseGeometry:
    return _edit(geom, addr, lambda ring: np.delete(ring, addr.index, axis=0))


def translate(geom: BaseGeometry, dx: float, dy: float) -> BaseGeometry:
    return shapely.transform(geom, lambda c: c + np.array([dx, dy]))
