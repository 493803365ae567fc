"""Checks applied to every zone geometry before it enters the zone layer."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

MIN_AREA_M2 = 1.0  # below this a shape is treated as zero-area (a line or a point)


class ZoneGeometryError(ValueError):
    """A shape that cannot be a zone (message for the user)."""


@dataclass(frozen=True)
class ValidatedZone:
    geometry: Polygon | MultiPolygon
    messages: tuple[str, ...]  # what was repaired, for the user
    overlaps: tuple[int, ...]  # row indices of existing zones this one overlaps (allowed, flagged)


def polygonal_part(geom: BaseGeometry) -> Polygon | MultiPolygon | None:
    """The polygons of a geometry (make_valid can return collections with lines)."""
    if isinstance(geom, (Polygon, MultiPolygon)):
        return geom
    polys = [g for g in getattr(geom, "geoms", []) if isinstance(g, (Polygon, MultiPolygon))]
    if not polys:
        return None
    merged = shapely.union_all(polys)
    return merged if isinstance(merged, (Polygon, MultiPolygon)) else None


def validate_zone(geom: BaseGeometry, existing: gpd.GeoDataFrame | None = None, *,
                  repair: bool = True, ignore_index: int | None = None) -> ValidatedZone:
    """Refuse zero-area shapes; repair self-intersections with make_valid (or refuse when
    ``repair`` is False); flag overlaps with ``existing`` zones (overlaps are allowed)."""
    if geom is None or geom.is_empty:
        raise ZoneGeometryError("The shape is empty.")
    messages = []
    if not geom.is_valid:
        reason = shapely.is_valid_reason(geom)
        if not repair:
            raise ZoneGeometryError(f"The shape crosses itself ({reason}); redraw it or allow repair.")
        fixed = polygonal_part(shapely.make_valid(geom))
        if fixed is None:
            raise ZoneGeometryError("The shape has no area after repairing its self-intersection.")
        messages.append(f"The shape crossed itself ({reason}); it was repaired into "
                        f"{len(getattr(fixed, 'geoms', [fixed]))} part(s).")
        geom = fixed
    geom = polygonal_part(geom)
    if geom is None or geom.area < MIN_AREA_M2:
        raise ZoneGeometryError("The shape has no area (zero-area zones are not allowed).")
    overlaps: list[int] = []
    if existing is not None and len(existing):
        hits = existing.sindex.query(geom, predicate="intersects")
        for i in hits:
            if ignore_index is not None and int(i) == ignore_index:
                continue
            if existing.geometry.iloc[int(i)].intersection(geom).area > MIN_AREA_M2:
                overlaps.append(int(i))
        if overlaps:
            names = ", ".join(str(existing.iloc[i].get("name", i)) or f"#{i}" for i in overlaps)
            messages.append(f"Overlaps existing zone(s): {names}.")
    return ValidatedZone(geom, tuple(messages), tuple(sorted(overlaps)))
