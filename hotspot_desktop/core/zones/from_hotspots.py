"""Turn hot spot results (Gi* hot cells, KDE cells above a threshold, cluster hulls) into
editable zones: dissolve touching cells, smooth the staircase outline, simplify, drop slivers.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import Polygon, box
from shapely.geometry.base import BaseGeometry


def cells_to_polygons(mask: np.ndarray, x0: float, y0: float, cell_size: float) -> list[BaseGeometry]:
    """Square cell polygons for True cells of a (rows, cols) mask (row 0 = southern row)."""
    rows, cols = np.nonzero(mask)
    return [box(x0 + c * cell_size, y0 + r * cell_size, x0 + (c + 1) * cell_size, y0 + (r + 1) * cell_size)
            for r, c in zip(rows, cols)]


def zones_from_shapes(shapes: list[BaseGeometry], *, smooth_m: float = 0.0, simplify_m: float = 0.0,
                      min_area_m2: float = 0.0) -> list[Polygon]:
    """Dissolve ``shapes`` into separate polygons, optionally smoothed (a closing: buffer out
    then in by ``smooth_m``, rounding the corners of cell staircases) and simplified
    (Douglas–Peucker, ``simplify_m``); polygons smaller than ``min_area_m2`` are dropped.
    Largest first."""
    if not shapes:
        return []
    merged = shapely.union_all(shapes)
    if smooth_m > 0:
        merged = merged.buffer(smooth_m, quad_segs=8).buffer(-smooth_m, quad_segs=8)
    if simplify_m > 0:
        merged = merged.simplify(simplify_m, preserve_topology=True)
    parts = [g for g in getattr(merged, "geoms", [merged]) if isinstance(g, Polygon) and g.area > max(min_area_m2, 0)]
    return sorted(parts, key=lambda g: -g.area)
