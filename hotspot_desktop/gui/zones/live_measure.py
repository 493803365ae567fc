"""What the live measure next to the cursor is computed against: the incidents of the active
point layer after its filter, and the study area (union of the polygon layers, else the
incidents' convex hull). Rebuilt only when one of those changes."""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from hotspot_desktop.core.crs import format_area, format_length
from hotspot_desktop.core.model import PointLayer, Project
from hotspot_desktop.core.zones.measures import LiveMeasurer


def measure_points(project: Project) -> PointLayer | None:
    """The point layer zones are measured against (:meth:`Project.incident_layer`)."""
    return project.incident_layer()


# The last study area computed, by the polygon layers (and incidents) it came from: a union of
# thousands of census blocks is worth computing once, not at every zone edit.
_last_area: dict[tuple, float] = {}


def study_area_m2(project: Project, x: np.ndarray, y: np.ndarray) -> float:
    """Area of the union of the project's polygon layers (zones excepted), else of the
    incidents' convex hull."""
    layers = [lyr for lyr in project.layers.of_kind("vector") if lyr.geometry_kind == "polygon"]
    if layers:
        key: tuple = tuple((lyr.id, lyr.data_version, len(lyr)) for lyr in layers)
    else:
        key = ("hull", x.size, float(x.sum()) if x.size else 0.0, float(y.sum()) if y.size else 0.0)
    if key in _last_area:
        return _last_area[key]
    if layers:
        polys = [g for lyr in layers for g in lyr.gdf.geometry.values if g is not None]
        area = float(shapely.union_all(polys).area) if polys else 0.0
    elif x.size >= 3:
        area = hull_area(x, y)
    else:
        area = 0.0
    _last_area.clear()
    _last_area[key] = area
    return area


def hull_area(x: np.ndarray, y: np.ndarray) -> float:
    """Area of the points' convex hull (Qhull: a million points in well under a second,
    several times faster than shapely); 0 for collinear points."""
    from scipy.spatial import ConvexHull, QhullError  # first use only: keeps start-up fast

    try:
        return float(ConvexHull(np.column_stack([x, y])).volume)  # "volume" of a 2-D hull is its area
    except QhullError:
        return 0.0


class LiveMeasureSource:
    """A LiveMeasurer for the project's current incidents, cached until something changes."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._key: tuple | None = None
        self._measurer: LiveMeasurer | None = None

    def _state_key(self, layer: PointLayer | None) -> tuple:
        polys = tuple((lyr.id, lyr.data_version) for lyr in self.project.layers.of_kind("vector")
                      if lyr.geometry_kind == "polygon")
        if layer is None:
            return (None, polys)
        return (layer.id, layer.data_version, id(layer.filter), polys)

    def measurer(self) -> LiveMeasurer | None:
        layer = measure_points(self.project)
        key = self._state_key(layer)
        if key != self._key:
            self._key = key
            if layer is None:
                self._measurer = None
            else:
                x, y = layer.filtered_xy()
                self._measurer = LiveMeasurer(x, y, study_area_m2(self.project, x, y))
        return self._measurer

    def text(self, geom: BaseGeometry | None, radius_m: float | None = None) -> str:
        """"radius · area · incidents (share) · PAI" for ``geom`` in the project's units."""
        if geom is None or geom.is_empty or geom.area <= 0:
            return ""
        units = self.project.display_units
        area = format_area(geom.area, units)
        m = self.measurer()
        text = area if m is None else m.measure(geom).text(area)
        if radius_m is not None:
            text = f"radius {format_length(radius_m, units)} · {text}"
        return text
