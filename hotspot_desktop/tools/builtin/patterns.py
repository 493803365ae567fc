"""Run functions of the pattern tools: LISA, near repeats, repeat locations, clusters, Clark-Evans.

Thin wrappers of core/analysis (moran, near_repeat, repeats, clustering, global_tests).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspot_desktop.core.model import PointLayer, VectorLayer
from hotspot_desktop.core.styles import LayerStyle, Symbol, categorised, graduated
from hotspot_desktop.tools.base import ChartSpec, RunContext, TableResult, ToolResult
from hotspot_desktop.tools.builtin.hotspots import _study_area

# LISA colours as GeoDa draws them: red HH, light blue LH, blue LL, pink HL, grey not significant.
LISA_COLOURS = {0: "#eeeeee", 1: "#d7191c", 2: "#abd9e9", 3: "#2c7bb6", 4: "#fdae61"}


def _weights(gdf: gpd.GeoDataFrame, hood: str, distance: float):
    from hotspot_desktop.core.analysis.weights import polygon_contiguity, polygon_distance_band

    if hood == "distance band":
        return polygon_distance_band(gdf.geometry.values, distance)
    return polygon_contiguity(gdf.geometry.values, hood)


def lisa_polygons(inputs: dict, ctx: RunContext) -> ToolResult:
    """Local Moran's I clusters and outliers of a polygon field, with global Moran's I."""
    from hotspot_desktop.core.analysis.moran import QUADRANT_LABELS, global_moran, local_moran

    polys = inputs["polygons"]
    gdf = polys.gdf.copy()
    values = gdf[inputs["field"]].to_numpy(float)
    ctx.checkpoint(0.05, "building weights")
    w = _weights(gdf, inputs["neighbourhood"], float(inputs["distance"]))
    g = global_moran(values, w)
    res = local_moran(values, w, permutations=int(inputs["permutations"]), seed=ctx.seed,
                      alpha=float(inputs["alpha"]), progress=ctx.sub(0.1, 0.95), cancelled=ctx.cancelled)
    gdf["lisa_i"], gdf["lisa_quad"], gdf["lisa_cluster"] = res.Is, res.quadrants.astype(int), res.clusters.astype(int)
    gdf["lisa_label"] = res.labels
    if res.p_sim is not None:
        gdf["lisa_p"] = res.p_sim
    name = inputs["output"] or "Local Moran clusters"
    layer = VectorLayer(name, gdf, geometry_kind="polygon", source_crs=polys.source_crs)
    style = categorised([1, 2, 3, 4, 0], "lisa_cluster", labels=QUADRANT_LABELS)
    for cat in style.categories:
        cat.color = LISA_COLOURS[int(cat.value)]
    layer.style = style
    summary = pd.DataFrame({
        "statistic": ["Global Moran's I", "E[I]", "z", "p (two-sided)", "n", "weights"] +
                     [f"{QUADRANT_LABELS[k]} polygons" for k in (1, 2, 3, 4, 0)],
        "value": [round(g.I, 4), round(g.expected, 4), round(g.z, 3), round(g.p, 4), g.n, g.transformation] +
                 [int((res.clusters == k).sum()) for k in (1, 2, 3, 4, 0)]})
    return ToolResult(layers=[layer], tables=[TableResult(f"{name}: Moran's I", summary)],
                      notes=[f"{res.permutations} permutations, seed {res.seed}, alpha {res.alpha}"])


def near_repeat(inputs: dict, ctx: RunContext) -> ToolResult:
    """Knox test table (observed/expected ratio and Monte Carlo p) and the risk window."""
    from hotspot_desktop.core.analysis.near_repeat import knox_test, risk_window

    pts = inputs["points"]
    if pts.times is None:
        raise ValueError(f"{pts.name} has no date/time column")
    res = knox_test(pts.x, pts.y, pts.times, distance_band_m=float(inputs["distance_band"]),
                    n_distance_bands=int(inputs["distance_bands"]), time_band_days=float(inputs["time_band"]),
                    n_time_bands=int(inputs["time_bands"]), simulations=int(inputs["simulations"]),
                    seed=ctx.seed, progress=ctx.sub(0.0, 0.95), cancelled=ctx.cancelled)
    window = risk_window(res)
    titles = {"ratio": "observed / expected pairs", "p_value": "Monte Carlo p-values", "observed": "observed pairs"}
    tables = [TableResult(f"Near repeat: {title}", res.table(what).round(3).reset_index(), name=what)
              for what, title in titles.items()]
    note = window.text if window else "No significant near-repeat pattern at the closest distance and time bands."
    layers = []
    if window is not None:
        from hotspot_desktop.core.analysis.near_repeat import risk_polygons

        area, n_recent = risk_polygons(pts.x, pts.y, pts.times, window)
        if not area.is_empty:
            gdf = gpd.GeoDataFrame({"distance_m": [window.distance_m], "days": [window.days],
                                    "incidents": [n_recent], "area_km2": [area.area / 1e6]}, geometry=[area])
            layer = VectorLayer("Near-repeat risk area", gdf, geometry_kind="polygon", source_crs=pts.source_crs)
            layer.style = LayerStyle(symbol=Symbol(fill="#D55E0055", outline="#D55E00ff", outline_width=1.0))
            layers.append(layer)
            note += (f" Risk area: within {max(window.distance_m, 25.0):g} m of the {n_recent} incidents of the last "
                     f"{window.days:g} days.")
    return ToolResult(layers=layers, tables=tables, notes=[note, f"{res.simulations} simulations, seed {res.seed}"])


def repeat_locations(inputs: dict, ctx: RunContext) -> ToolResult:
    """Locations with at least k incidents (within a tolerance), busiest first, as points."""
    from hotspot_desktop.core.analysis.repeats import repeat_locations as core_repeats

    pts = inputs["points"]
    res = core_repeats(pts.x, pts.y, pts.times, tolerance=float(inputs["tolerance"]),
                       min_count=int(inputs["min_count"]), progress=ctx.sub(0.0, 0.95), cancelled=ctx.cancelled)
    frame = res.to_frame()
    name = inputs["output"] or "Repeat locations"
    attrs = frame.drop(columns=["x", "y"])
    layer = PointLayer(name, frame["x"].to_numpy(float), frame["y"].to_numpy(float), attrs,
                       source_crs=pts.source_crs)
    if len(frame):
        style = graduated(frame["count"].to_numpy(float), "count", k=4)
        style.symbol = Symbol(size=8.0)
        layer.style = style
    note = (f"{len(frame):,} locations with {res.min_count}+ incidents hold {res.incidents_at_repeats:,} of "
            f"{res.n_incidents:,} incidents ({res.share:.1%}); tolerance {res.tolerance:g} m")
    return ToolResult(layers=[layer], tables=[TableResult(f"{name}: ranked", frame)], notes=[note])


def _num(v: object) -> str:
    """Readable parameter values: big floats with thousands separators, small ones short."""
    if isinstance(v, float):
        return f"{v:,.0f}" if abs(v) >= 1e4 else f"{v:.4g}"
    return str(v)


def point_clusters(inputs: dict, ctx: RunContext) -> ToolResult:
    """NNH (CrimeStat) or DBSCAN clusters of incidents as hulls or deviational ellipses."""
    from hotspot_desktop.core.analysis.clustering import dbscan_clusters, nnh_clusters

    pts = inputs["points"]
    method = inputs["method"]
    if method == "nnh":
        study = inputs.get("study_area")
        if study is not None and len(study.gdf):
            area = float(shapely.union_all(study.gdf.geometry.values).area)
        else:
            xmin, ymin, xmax, ymax = pts.extent()
            area = float((xmax - xmin) * (ymax - ymin))
            ctx.note("study area = the incidents' bounding box (give a study area for a truer NNH threshold)")
        res = nnh_clusters(pts.x, pts.y, area=area, min_points=int(inputs["min_points"]),
                           progress=ctx.sub(0.0, 0.9), cancelled=ctx.cancelled)
    else:
        res = dbscan_clusters(pts.x, pts.y, eps=float(inputs["distance"]), min_points=int(inputs["min_points"]),
                              progress=ctx.sub(0.0, 0.9), cancelled=ctx.cancelled)
    ctx.checkpoint(0.95, "polygons")
    shape = inputs["shape"]
    rows = []
    for c in res.clusters:
        geom = c.ellipse.polygon if shape == "ellipse" and c.ellipse is not None else c.hull
        if geom is None or geom.is_empty:
            continue
        rows.append({"cluster": c.id, "order": c.order, "count": c.count, "centre_x": c.centre[0],
                     "centre_y": c.centre[1], "area_km2": geom.area / 1e6, "geometry": geom})
    gdf = gpd.GeoDataFrame(rows, geometry="geometry") if rows else gpd.GeoDataFrame(
        {"cluster": [], "order": [], "count": []}, geometry=gpd.GeoSeries([]))
    name = inputs["output"] or "Incident clusters"
    layer = VectorLayer(name, gdf, geometry_kind="polygon", source_crs=pts.source_crs)
    if len(gdf):
        orders = sorted(gdf["order"].unique().tolist())
        layer.style = categorised(orders, "order", labels={o: f"order {o}" for o in orders})
    else:
        layer.style = LayerStyle()
    params = ", ".join(f"{k} {_num(v)}" for k, v in res.parameters.items())
    notes = [f"{res.method}: {len(res.clusters)} clusters ({params})"]
    if res.thresholds:
        notes.append("linking distance by order: " + ", ".join(f"{t:,.0f} m" for t in res.thresholds))
    table = gdf.drop(columns="geometry") if len(gdf) else pd.DataFrame(columns=["cluster", "order", "count"])
    return ToolResult(layers=[layer], tables=[TableResult(f"{name}: clusters", pd.DataFrame(table))], notes=notes)


def clark_evans(inputs: dict, ctx: RunContext) -> ToolResult:
    """Clark-Evans nearest-neighbour index of the incidents in the study area."""
    from hotspot_desktop.core.analysis.global_tests import clark_evans as core_ce

    pts = inputs["points"]
    study = shapely.union_all(inputs["study_area"].gdf.geometry.values)
    ctx.checkpoint(0.1, "nearest neighbours")
    inside = shapely.contains_xy(study, pts.x, pts.y)
    res = core_ce(pts.x[inside], pts.y[inside], study_area=study, edge_correction=inputs["edge_correction"])
    verdict = ("clustered" if res.R < 1 and res.p < 0.05 else "dispersed" if res.R > 1 and res.p < 0.05
               else "not distinguishable from random")
    table = pd.DataFrame({"statistic": ["R (nearest-neighbour index)", "z", "p (two-sided)", "observed mean (m)",
                                        "expected mean (m)", "n", "area (km²)", "edge correction", "pattern"],
                          "value": [round(res.R, 4), round(res.z, 3), f"{res.p:.4g}", round(res.observed_mean, 1),
                                    round(res.expected_mean, 1), res.n, round(res.area / 1e6, 3),
                                    res.edge_correction, verdict]})
    notes = [f"{int((~inside).sum()):,} incidents outside the study area left out"] if (~inside).any() else []
    ctx.checkpoint(1.0, "done")
    return ToolResult(tables=[TableResult("Clark-Evans nearest-neighbour index", table)], notes=notes)




def _grid_counts(inputs: dict, ctx: RunContext):
    """Incident counts of ``points`` on a square grid (``cell_size``, 0 = the documented rule)
    inside the optional ``study_area``: the first half of the run's progress."""
    from hotspot_desktop.core.analysis.grid import square_counts

    pts = inputs["points"]
    cell = float(inputs["cell_size"])
    return square_counts(pts.x, pts.y, cell_size=cell if cell > 0 else None, study_area=_study_area(inputs),
                         progress=ctx.sub(0.0, 0.5), cancelled=ctx.cancelled)


def global_moran_grid(inputs: dict, ctx: RunContext) -> ToolResult:
    """Global Moran's I of incident counts on a square grid (row-standardised contiguity)."""
    from hotspot_desktop.core.analysis.moran import global_moran_grid as core_moran
    from hotspot_desktop.core.analysis.weights import grid_contiguity

    counts = _grid_counts(inputs, ctx)
    res = core_moran(counts.counts, grid_contiguity(inputs["neighbourhood"]), study_area=counts.mask)
    verdict = ("clustered" if res.I > res.expected and res.p < 0.05 else
               "dispersed" if res.I < res.expected and res.p < 0.05 else "not distinguishable from random")
    table = pd.DataFrame({"statistic": ["Moran's I", "expected I", "variance", "z", "p (two-sided)", "cells",
                                        "cell size (m)", "weights", "pattern"],
                          "value": [round(res.I, 5), round(res.expected, 6), f"{res.variance:.4g}", round(res.z, 3),
                                    f"{res.p:.4g}", res.n, counts.grid.cell_size,
                                    f"{inputs['neighbourhood']} contiguity, row standardised", verdict]})
    ctx.checkpoint(1.0, "done")
    return ToolResult(tables=[TableResult("Global Moran's I of grid counts", table)], notes=list(counts.rules))


def concentration(inputs: dict, ctx: RunContext) -> ToolResult:
    """How concentrated crime is: Lorenz curve and Gini over grid cells, and the top cells as zones."""
    from hotspot_desktop.core.analysis.concentration import concentration_curve, top_places_zones

    counts = _grid_counts(inputs, ctx)
    inside = counts.counts[counts.mask]
    curve = concentration_curve(inside)
    ctx.checkpoint(0.7, "candidate zones")
    top = float(inputs["top_percent"]) / 100.0
    zones = top_places_zones(counts.counts, counts.grid, top, counts=counts.counts, mask=counts.mask)
    name = inputs["output"] or "Top places"
    gdf = zones.to_geodataframe()
    layer = VectorLayer(name, gdf, geometry_kind="polygon", source_crs=inputs["points"].source_crs)
    if len(gdf):
        layer.style = graduated(gdf["incidents"].to_numpy(float), "incidents", k=min(5, len(gdf)))
    size = curve.place_share.size
    pick = np.unique(np.r_[np.arange(0, size, max(1, size // 200)), size - 1])  # ~200 points, ends kept
    chart = ChartSpec("line", "Concentration of incidents across places",
                      [round(100 * float(v), 2) for v in curve.place_share[pick]],
                      {"incidents": [100 * float(v) for v in curve.incident_share[pick]],
                       "maximal equality": [100 * float(v) for v in curve.equality_share[pick]]},
                      x_label=f"% of {counts.grid.cell_size:g} m cells (busiest first)", y_label="% of incidents")
    table = pd.DataFrame({
        "measure": ["places (cells)", "incidents", "Gini", "generalised Gini", "places holding 50% of incidents",
                    "incidents in top 5% of places", f"incidents in top {inputs['top_percent']:g}% of places"],
        "value": [curve.n_places, int(curve.n_incidents), round(curve.gini, 4), round(curve.generalized_gini, 4),
                  f"{curve.places_for_share(0.5):.1%}", f"{curve.share_in_top(0.05):.1%}",
                  f"{curve.share_in_top(top):.1%}"]})
    formulas = pd.DataFrame({"measure": list(curve.formulas), "formula": list(curve.formulas.values())})
    return ToolResult(layers=[layer], tables=[TableResult(f"{name}: concentration", table, name="concentration"),
                                              TableResult("Concentration formulas", formulas, name="formulas")],
                      charts=[chart], notes=[curve.summary(), zones.rule] + list(counts.rules))


def surface_zones(inputs: dict, ctx: RunContext) -> ToolResult:
    """The top cells of a surface (density, Gi* z, counts) dissolved into candidate patrol zones."""
    from hotspot_desktop.core.analysis.concentration import top_places_zones
    from hotspot_desktop.core.analysis.grid import GridSpec

    raster = inputs["surface"]
    rows, cols = raster.values.shape
    grid = GridSpec(raster.x0, raster.y0, raster.cell_size, rows, cols)
    values = np.asarray(raster.values, dtype=np.float64)
    mask = np.isfinite(values)
    ctx.checkpoint(0.2, "selecting top cells")
    top = float(inputs["top_percent"]) / 100.0
    zones = top_places_zones(values, grid, top, mask=mask)
    ctx.checkpoint(0.8, "zone polygons")
    gdf = zones.to_geodataframe().rename(columns={"incidents": "score_sum"})
    gdf["area_km2"] = gdf["area_m2"] / 1e6
    keep = gdf[gdf["cells"] >= int(inputs["min_cells"])].reset_index(drop=True)
    keep["rank"] = np.arange(1, len(keep) + 1)
    name = inputs["output"] or "Candidate zones"
    layer = VectorLayer(name, keep, geometry_kind="polygon", source_crs=raster.source_crs)
    if len(keep):
        layer.style = graduated(keep["score_sum"].to_numpy(float), "score_sum", k=min(5, len(keep)))
    notes = [zones.rule]
    dropped = len(gdf) - len(keep)
    if dropped:
        notes.append(f"{dropped} zone(s) of fewer than {int(inputs['min_cells'])} cells left out")
    table = TableResult(f"{name}: zones", pd.DataFrame(keep.drop(columns="geometry")))
    return ToolResult(layers=[layer], tables=[table], notes=notes)
