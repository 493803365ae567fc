"""Run function of the example tool (imported only when it runs)."""

from __future__ import annotations

import numpy as np
import shapely

from hotspot_desktop.core.model import VectorLayer
from hotspot_desktop.core.styles import graduated
from hotspot_desktop.tools.base import RunContext, ToolResult


def buffer_count(inputs: dict, ctx: RunContext) -> ToolResult:
    """Buffer each polygon by ``distance`` metres and count the incidents inside the buffer."""
    pts, polys = inputs["points"], inputs["polygons"]
    gdf = polys.gdf.copy()
    ctx.checkpoint(0.1, "buffering")
    gdf["geometry"] = gdf.geometry.buffer(float(inputs["distance"]))
    tree = shapely.STRtree(gdf.geometry.values)
    ctx.checkpoint(0.4, "counting")
    _, idx = tree.query(shapely.points(pts.x, pts.y), predicate="intersects")
    gdf["count"] = np.bincount(idx, minlength=len(gdf))
    layer = VectorLayer(inputs["output"] or "Incidents near polygons", gdf, geometry_kind="polygon")
    layer.style = graduated(gdf["count"].to_numpy(float), "count", k=4)
    ctx.checkpoint(1.0, "done")
    return ToolResult(layers=[layer], notes=[f"buffer {float(inputs['distance']):g} m"])
