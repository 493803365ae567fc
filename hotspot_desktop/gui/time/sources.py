"""Which incidents the Time dock describes: the whole (filtered) layer, its selection, one zone,
or the selected polygons of a hot spot result layer."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from hotspot_desktop.core.analysis.time_filter import selection_mask, zone_mask
from hotspot_desktop.core.model import PointLayer, Project, VectorLayer


@dataclass(frozen=True)
class Source:
    """One entry of the dock's "Incidents in" list."""

    kind: str  # "layer", "selection", "zone", "polygons"
    label: str
    layer_id: str | None = None
    row: int | None = None


def hot_spot_layers(project: Project) -> list[VectorLayer]:
    """Polygon result layers of hot spot tools (their selected polygons can be a source)."""
    out = []
    for layer in project.layers:
        prov = getattr(layer, "provenance", None)
        if isinstance(layer, VectorLayer) and layer.kind != "zones" and layer.geometry_kind == "polygon" \
                and prov is not None and prov.tool_id.startswith(("hotspot.", "pattern.")):
            out.append(layer)
    return out


def sources(project: Project) -> list[Source]:
    """Every source available in ``project`` (the layer and selection first)."""
    out = [Source("layer", "the whole layer (as filtered)"), Source("selection", "the selected incidents")]
    zones = project.zones
    if zones is not None:
        for i, row in zones.gdf.reset_index(drop=True).iterrows():
            name = str(row.get("name") or "") or f"zone {i + 1}"
            out.append(Source("zone", f"zone: {name}", zones.id, int(i)))
    for layer in hot_spot_layers(project):
        out.append(Source("polygons", f"selected polygons of {layer.name}", layer.id))
    return out


def source_mask(project: Project, layer: PointLayer, source: Source) -> np.ndarray:
    """Incidents of ``layer`` belonging to ``source`` (before the layer filter)."""
    n = len(layer)
    if source.kind == "selection":
        return selection_mask(n, layer.selection)
    if source.kind in ("zone", "polygons"):
        poly_layer = project.layers.by_id(source.layer_id or "")
        if not isinstance(poly_layer, VectorLayer):
            return np.zeros(n, dtype=bool)
        gdf = poly_layer.gdf.reset_index(drop=True)
        if source.kind == "zone":
            if source.row is None or source.row >= len(gdf):
                return np.zeros(n, dtype=bool)
            geom = gdf.geometry.iloc[source.row]
        else:
            sel = poly_layer.selection
            if sel is None or not len(sel):
                return np.zeros(n, dtype=bool)
            geom = shapely.union_all(gdf.geometry.iloc[np.asarray(sel, dtype=np.int64)].values)
        return zone_mask(layer.x, layer.y, geom)
    return np.ones(n, dtype=bool)
