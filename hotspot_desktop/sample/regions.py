"""The planted regions of Riverton as polygons in the working CRS: hot spots, the emerging hot spot,
intervention targets with their catchment rings split into displacement / diffusion sectors, and
control areas with their own catchments (for WDD, Wheeler & Ratcliffe 2018).

Targets and controls look hand-drawn (a wobbly polygon), like zones an analyst sketches on a map.
Their shape depends only on ``spec.DESIGN_SEED``, never on the generator's seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import Point, Polygon

from hotspot_desktop.sample import spec


@dataclass(frozen=True)
class InterventionRegions:
    name: str
    target: Polygon
    catchment: Polygon  # the whole ring
    displacement: Polygon  # the sector of the ring that gains crime (empty for controls)
    diffusion: Polygon  # the rest of the ring


@dataclass(frozen=True)
class Regions:
    hotspots: dict[str, Polygon]
    emerging: Polygon
    targets: list[InterventionRegions]
    controls: list[InterventionRegions]


def hand_drawn_polygon(rng: np.random.Generator, cx: float, cy: float, r: float) -> Polygon:
    n = 11
    ang = np.sort(np.linspace(0, 2 * np.pi, n, endpoint=False) + rng.uniform(-0.15, 0.15, n))
    rad = r * (1.0 + rng.uniform(-0.13, 0.13, n))
    return Polygon(np.column_stack([cx + rad * np.cos(ang), cy + rad * np.sin(ang)])).buffer(0)


def _wedge(cx: float, cy: float, bearing_deg: float, width_deg: float, reach: float) -> Polygon:
    """A pie slice centred on a compass bearing (degrees clockwise from north)."""
    b = np.radians(np.linspace(bearing_deg - width_deg / 2, bearing_deg + width_deg / 2, 25))
    pts = [(cx, cy)] + [(cx + reach * np.sin(a), cy + reach * np.cos(a)) for a in b]
    return Polygon(pts)


def build_regions(centre: tuple[float, float]) -> Regions:
    """All planted regions for the city whose local origin is ``centre`` (working CRS)."""
    ox, oy = centre
    rng = np.random.default_rng(spec.DESIGN_SEED)
    hotspots = {h.name: Point(ox + h.x, oy + h.y).buffer(h.radius_m, quad_segs=32) for h in spec.HOTSPOTS}
    em = spec.EMERGING
    emerging = Point(ox + em.x, oy + em.y).buffer(em.radius_m, quad_segs=32)

    def zone(z: spec.InterventionZoneSpec, with_sectors: bool) -> InterventionRegions:
        cx, cy = ox + z.x, oy + z.y
        target = hand_drawn_polygon(rng, cx, cy, z.radius_m)
        ring = target.buffer(z.catchment_m, quad_segs=16).difference(target)
        if with_sectors:
            wedge = _wedge(cx, cy, z.displacement_bearing, spec.DISPLACEMENT_SECTOR_DEG,
                           3 * (z.radius_m + z.catchment_m))
            disp, diff = ring.intersection(wedge), ring.difference(wedge)
        else:
            disp, diff = Polygon(), ring
        return InterventionRegions(z.name, target, ring, disp, diff)

    targets = [zone(z, True) for z in spec.TARGETS]
    controls = [zone(z, False) for z in spec.CONTROLS]
    return Regions(hotspots, emerging, targets, controls)


def inside(poly: Polygon, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Boolean mask of points inside ``poly`` (vectorised)."""
    if poly.is_empty:
        return np.zeros(np.shape(x), dtype=bool)
    return shapely.contains_xy(poly, x, y)
