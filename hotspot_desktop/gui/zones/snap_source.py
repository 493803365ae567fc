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
        # Zones change at every mouse move of a drag, the snapping layer rarely: two caches.
        self._zones_key: tuple | None = None
        self._zones_snapper: Snapper | None = None
        self._layer_key: tuple | None = None
        self._layer_snapper: Snapper | None = None

    def layer(self) -> VectorLayer | None:
        """The chosen snapping layer, if it is still in the project."""
        sid = self.settings.layer_id
        layer = self.project.layers.by_id(sid) if sid else None
        return layer if isinstance(layer, VectorLayer) else None

    def _zones(self, zones: ZoneLayer | None, exclude: str | None, extent: tuple) -> Snapper:
        key = (None if zones is None else (zones.id, zones.data_version), exclude, extent)
        if key != self._zones_key or self._zones_snapper is None:
            view = shapely.box(*extent)
            geoms = []
            if zones is not None and len(zones):
                keep = zones.gdf["zone_id"] != exclude if exclude else slice(None)
                geoms = [g for g in zones.gdf.geometry[keep] if g is not None and g.intersects(view)]
            self._zones_snapper, self._zones_key = Snapper(geoms), key
        return self._zones_snapper

    def _layer(self, extent: tuple) -> Snapper | None:
        extra = self.layer()
        if extra is None or extra.kind == "zones" or not len(extra):
            return None
        key = (extra.id, extra.data_version, extent)
        if key != self._layer_key or self._layer_snapper is None:
            hits = extra.gdf.sindex.query(shapely.box(*extent), predicate="intersects")
            self._layer_snapper, self._layer_key = Snapper(list(extra.gdf.geometry.values[hits])), key
        return self._layer_snapper

    def snap(self, x: float, y: float, tolerance_m: float, zones: ZoneLayer | None, exclude: str | None,
             extent: tuple[float, float, float, float]) -> Snap | None:
        """The snapped position of (x, y), or None (snapping off or nothing within tolerance).
        A vertex wins over an edge point; then the nearer one."""
        if not self.settings.enabled or tolerance_m <= 0:
            return None
        extent = tuple(round(v, 3) for v in extent)
        snappers = [self._zones(zones, exclude, extent), self._layer(extent)]
        found = [s for s in (sn.snap(x, y, tolerance_m) for sn in snappers if sn is not None) if s is not None]
        return min(found, key=lambda s: (s.kind != "vertex", s.distance)) if found else None
