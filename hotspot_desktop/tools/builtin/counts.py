"""Run functions of the counting tools."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hotspot_desktop.core.model import VectorLayer
from hotspot_desktop.core.styles import graduated
from hotspot_desktop.tools.base import RunContext, TableResult, ToolResult


LABEL_NAMES = ("name", "label", "beat", "district", "zone", "neighbourhood", "neighborhood", "area", "id")


def label_column(gdf) -> str | None:
    """The column that best names each polygon: a usual name column, else the first text column."""
    cols = [c for c in gdf.columns if c != gdf.geometry.name]
    lower = {str(c).lower(): c for c in cols}
    for key in LABEL_NAMES:
        if key in lower:
            return lower[key]
    return next((c for c in cols if gdf[c].dtype == object or pd.api.types.is_string_dtype(gdf[c])), None)


def count_in_polygons(inputs: dict, ctx: RunContext) -> ToolResult:
    """Count points per polygon with an STRtree query (each point counted in every polygon covering it)."""
    import shapely

    pts, polys = inputs["points"], inputs["polygons"]
    gdf = polys.gdf.copy()
    ctx.checkpoint(0.05, "indexing polygons")
    tree = shapely.STRtree(gdf.geometry.values)
    counts = np.zeros(len(gdf), dtype=np.int64)
    n = len(pts.x)
    chunk = 200_000
    for start in range(0, max(n, 1), chunk):
        ctx.checkpoint(0.1 + 0.85 * start / max(n, 1), "counting incidents")
        geoms = shapely.points(pts.x[start:start + chunk], pts.y[start:start + chunk])
        _, poly_idx = tree.query(geoms, predicate="intersects")
        counts += np.bincount(poly_idx, minlength=len(gdf))
    gdf["count"] = counts
    if inputs.get("density", True):
        area_km2 = gdf.geometry.area.to_numpy() / 1e6
        gdf["per_km2"] = np.where(area_km2 > 0, counts / np.where(area_km2 > 0, area_km2, 1), np.nan)
    layer = VectorLayer(inputs.get("output") or "Incident counts", gdf, geometry_kind="polygon",
                        source_crs=getattr(polys, "source_crs", None))
    layer.style = graduated(counts.astype(float), "count", method="quantiles", k=5)
    name_col = label_column(gdf)
    table = pd.DataFrame({"polygon": gdf[name_col].astype(str) if name_col else (gdf.index + 1).astype(str),
                          "count": counts})
    if "per_km2" in gdf.columns:
        table["per_km2"] = gdf["per_km2"].round(2)
    ctx.checkpoint(1.0, "done")
    return ToolResult(layers=[layer], tables=[TableResult(f"{layer.name}: incidents per polygon", table)])
