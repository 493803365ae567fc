"""Which part of the map a composed page shows: the canvas view, everything, or one zone."""

from __future__ import annotations

import numpy as np

from hotspot_desktop.core.model import Project

Extent = tuple[float, float, float, float]
ZONE_PAD = 0.15  # a zone framed with some of its surroundings, as the CLI's --zone does


def zone_names(project: Project) -> list[str]:
    """Names of the project's zones (ZoneLayer), in table order."""
    z = project.zones
    if z is None or not len(z.gdf) or "name" not in z.gdf.columns:
        return []
    return [str(n) for n in z.gdf["name"] if str(n)]


def zone_extent(project: Project, name: str) -> Extent | None:
    """The zone's bounds padded by ``ZONE_PAD`` of its larger side; None if there is no such zone."""
    z = project.zones
    if z is None or "name" not in z.gdf.columns:
        return None
    hit = z.gdf[z.gdf["name"].astype(str) == name]
    if hit.empty:
        return None
    x0, y0, x1, y1 = (float(v) for v in hit.total_bounds)
    pad = ZONE_PAD * max(x1 - x0, y1 - y0, 1.0)
    return x0 - pad, y0 - pad, x1 + pad, y1 + pad


def valid_extent(extent: Extent | None) -> bool:
    """True for a finite extent with a positive width and height."""
    if extent is None:
        return False
    x0, y0, x1, y1 = extent
    return bool(np.isfinite(extent).all()) and x1 > x0 and y1 > y0
