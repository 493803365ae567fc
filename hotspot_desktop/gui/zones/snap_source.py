"""Snapping settings and the Snapper they imply: other zones' vertices and edges plus the
features of a chosen layer, limited to the features in view (a city's street layer has far
more segments than the analyst can see), rebuilt when the view, the data or the choice changes."""

from __future__ import annotations

from dataclasses import dataclass

import shapely

from hotspot_desktop.core.model import Project, VectorLayer, ZoneLayer
from hotspot_desktop.core.zones.snapping import Snap, Snapper

DEFAULT_TOLERANCE_PX = 10


@dataclass
class SnapSettings:
    enabled: bool = True
    tolerance_px: int = DEFAULT_TOLERANCE_PX
    layer_id: str | None = None  # extra layer to snap to (streets, beats...)


class SnapSource:
    """Snaps map points for the zone controller."""

    def __init__(self, project: Project, settings: SnapSettings) -> None:
        self.project = project
        self.settings = settings
        self._key: tuple | None = None
        self._snapper: Snapper | None = None

    def layer(self) -> VectorLayer | None:
        """The chosen snapping layer, if it is still in the project."""
        sid = self.settings.layer_id
        layer = self.project.layers.by_id(sid) if sid else None
        return layer if isinstance(layer, VectorLayer) else None

    def _snapper_for(self, zones: ZoneLayer | None, exclude: str | None,
                     extent: tuple[float, float, float, float]) -> Snapper:
        extra = self.layer()
        key = (None if zones is None else (zones.id, zones.data_version), exclude,
               None if extra is None else (extra.id, extra.data_version), tuple(round(v, 3) for v in extent))
        if key != self._key or self._snapper is None:
            view = shapely.box(*extent)
            geoms = []
            if zones is not None and len(zones):
                keep = zones.gdf["zone_id"] != exclude if exclude else slice(None)
                geoms += [g for g in zones.gdf.geometry[keep] if g is not None and g.intersects(view)]
            if extra is not None and extra is not zones and len(extra):
                hits = extra.gdf.sindex.query(view, predicate="intersects")
                geoms += list(extra.gdf.geometry.values[hits])
            self._snapper = Snapper(geoms)
            self._key = key
        return self._snapper

    def snap(self, x: float, y: float, tolerance_m: float, zones: ZoneLayer | None, exclude: str | None,
             extent: tuple[float, float, float, float]) -> Snap | None:
        """The snapped position of (x, y), or None (snapping off or nothing within tolerance)."""
        if not self.settings.enabled or tolerance_m <= 0:
            return None
        return self._snapper_for(zones, exclude, extent).snap(x, y, tolerance_m)
