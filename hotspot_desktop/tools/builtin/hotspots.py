"""Run functions of the hot spot tools: thin wrappers of core/analysis (kde, grid, getis_ord).

Each converts the frozen input layers to arrays, calls the core function with the context's
progress and cancel callbacks, and turns its frozen result into styled layers and tables.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import shapely

from hotspot_desktop.core.model import Layer, RasterLayer, VectorLayer
from hotspot_desktop.core.styles import (DIVERGING_RAMP, SEQUENTIAL_RAMP, LayerStyle, RasterSettings, categorised,
                                         graduated)
from hotspot_desktop.tools.base import ChartSpec, RunContext, TableResult, ToolResult


def _study_area(inputs: dict, name: str = "study_area") -> Any:
    layer = inputs.get(name)
    if layer is None or not len(layer.gdf):
        return None
    return shapely.union_all(layer.gdf.geometry.values)


def _auto(value: Any) -> float | None:
    """0 (or empty) means "let the documented rule choose"."""
    return None if value in (None, "") or float(value) <= 0 else float(value)


def _raster(name: str, values: np.ndarray, grid: Any, src: Layer, style: RasterSettings) -> RasterLayer:
    """A styled raster layer on ``grid`` (a core GridSpec)."""
    layer = RasterLayer(name, values, grid.x0, grid.y0, grid.cell_size, source_crs=src.source_crs)
    layer.style = LayerStyle(mode="raster", raster=style)
    return layer


def kernel_density(inputs: dict, ctx: RunContext) -> ToolResult:
    """Kernel density surface of the (filtered) incidents."""
    from hotspot_desktop.core.analysis.kde import kde

    pts = inputs["points"]
    rule = inputs["bandwidth_rule"]
    pei_notes: list[str] = []
    if rule == "best PEI":
        bandwidth, pei_notes = _bandwidth_by_pei(pts, inputs, ctx)
        rule = "fixed"
    else:
        bandwidth = float(inputs["bandwidth"])
    if inputs.get("denominator") is not None:
        return _dual_kde(inputs, ctx, bandwidth if rule == "fixed" else None, rule)
    res = kde(pts.x, pts.y, kernel=inputs["kernel"],
              bandwidth=bandwidth if rule == "fixed" else None,
              bandwidth_rule=rule if rule in ("nrd", "arcgis") else "nrd",
              adaptive_k=int(inputs["adaptive_k"]) if rule == "adaptive" else None,
              cell_size=_auto(inputs["cell_size"]), output=inputs["output_units"], mode=inputs["mode"],
              study_area=_study_area(inputs), progress=ctx.sub(0.0, 0.95), cancelled=ctx.cancelled)
    ctx.checkpoint(0.97, "styling")
    # The faint outer tails of the kernels (and FFT round-off) would tint the whole map: values
    # under 2% of the peak are transparent, as in QGIS's heat map renderer.
    peak = float(np.nanmax(res.values)) if np.isfinite(res.values).any() else 0.0
    layer = _raster(inputs["output"] or "Kernel density", res.values, res.grid, pts,
                    RasterSettings(ramp=SEQUENTIAL_RAMP, vmin=0.0, transparent_below=0.02 * peak, units=res.units))
    notes = pei_notes + list(res.rules)
    if res.mode_used == "fast":
        notes.insert(0, "fast KDE mode (binned FFT)")
    params = pd.DataFrame({"parameter": list(res.parameters()), "value": [str(v) for v in res.parameters().values()]})
    return ToolResult(layers=[layer], tables=[TableResult(f"{layer.name}: parameters used", params)], notes=notes)


def _bandwidth_by_pei(pts: Any, inputs: dict, ctx: RunContext) -> tuple[float, list[str]]:
    """Evaluation-first bandwidth: fit on the first 75% of the time span, score on the rest."""
    from hotspot_desktop.core.analysis.robustness import choose_bandwidth_by_pei

    if pts.times is None or pts.times.notna().sum() < 20:
        raise ValueError("choosing the bandwidth by PEI needs incidents with dates")
    t = pts.times
    t0, t1 = t.min(), t.max()
    cut = t0 + (t1 - t0) * 0.75
    fit = (t < cut).to_numpy()
    test = (t >= cut).to_numpy()
    sel = choose_bandwidth_by_pei((pts.x[fit], pts.y[fit]), (pts.x[test], pts.y[test]), kernel=inputs["kernel"],
                                  cell_size=_auto(inputs["cell_size"]), study_area=_study_area(inputs),
                                  progress=ctx.sub(0.0, 0.5), cancelled=ctx.cancelled)
    return sel.bandwidth, [f"prospective: {sel.rule} (fitted before {cut.date()}, tested after)"]


def _dual_kde(inputs: dict, ctx: RunContext, bandwidth: float | None, rule: str) -> ToolResult:
    """Two densities on one grid combined per cell (ratio, log ratio or difference)."""
    from hotspot_desktop.core.analysis.kde import dual_kde

    pts, den = inputs["points"], inputs["denominator"]
    res = dual_kde((pts.x, pts.y), (den.x, den.y), inputs["dual_op"], kernel=inputs["kernel"], bandwidth=bandwidth,
                   bandwidth_rule=rule if rule in ("nrd", "arcgis") else "nrd", cell_size=_auto(inputs["cell_size"]),
                   study_area=_study_area(inputs), mode=inputs["mode"], progress=ctx.sub(0.5 if bandwidth else 0.0, 0.95),
                   cancelled=ctx.cancelled)
    diverging = inputs["dual_op"] != "ratio"
    name = inputs["output"] or f"Dual KDE ({inputs['dual_op']})"
    layer = _raster(name, res.values, res.grid, pts,
                    RasterSettings(ramp=DIVERGING_RAMP if diverging else SEQUENTIAL_RAMP, symmetric=diverging,
                                   units=f"{inputs['dual_op'].replace('_', ' ')}: {pts.name} / {den.name}"))
    return ToolResult(layers=[layer], notes=[res.formula] + list(res.rules))


def grid_counts(inputs: dict, ctx: RunContext) -> ToolResult:
    """Incident counts per square cell (raster) or hexagon (polygons)."""
    from hotspot_desktop.core.analysis.grid import grid_counts as core_counts

    pts = inputs["points"]
    shape = inputs["shape"]
    res = core_counts(pts.x, pts.y, cell_size=_auto(inputs["cell_size"]), shape=shape,
                      study_area=_study_area(inputs), progress=ctx.sub(0.0, 0.9), cancelled=ctx.cancelled)
    name = inputs["output"] or "Incident counts"
    if shape == "hex":
        gdf = res.to_geodataframe()
        layer: Layer = VectorLayer(name, gdf, geometry_kind="polygon", source_crs=pts.source_crs)
        layer.style = graduated(gdf["count"].to_numpy(float), "count", method="quantiles", k=5)
        counts = gdf["count"].to_numpy(float)
    else:
        values = np.where(res.mask, res.counts, np.nan)
        layer = _raster(name, values, res.grid, pts,
                        RasterSettings(ramp=SEQUENTIAL_RAMP, vmin=0.0, transparent_below=0.0,
                                       units=f"incidents per {res.grid.cell_size:g} m cell"))
        counts = res.counts[res.mask]
    summary = pd.DataFrame({"measure": ["incidents", "counted", "outside study area", "cells", "empty cells",
                                        "max per cell"],
                            "value": [res.n_points, res.n_counted, res.n_outside, counts.size,
                                      int((counts == 0).sum()), float(counts.max(initial=0))]})
    ctx.checkpoint(1.0, "done")
    return ToolResult(layers=[layer], tables=[TableResult(f"{name}: summary", summary)], notes=list(res.rules))


def _class_table(res: Any, title: str) -> TableResult:
    from hotspot_desktop.core.analysis.getis_ord import CLASS_LABELS

    counts = res.class_counts()
    frame = pd.DataFrame({"class": [CLASS_LABELS[k] for k in sorted(CLASS_LABELS, reverse=True)],
                          "cells": [counts[k] for k in sorted(CLASS_LABELS, reverse=True)]})
    return TableResult(title, frame)


def _gi_notes(res: Any) -> list[str]:
    notes = [f"weights: {res.weights}", f"inference: {res.inference}"]
    if res.fdr:
        notes.append("classes corrected for multiple testing (Benjamini-Hochberg FDR)")
    if res.permutations:
        notes.append(f"{res.permutations} conditional permutations, seed {res.seed}")
    return notes


def gi_star_grid(inputs: dict, ctx: RunContext) -> ToolResult:
    """Getis-Ord Gi* hot spots of incident counts on a square grid."""
    from hotspot_desktop.core.analysis.getis_ord import gi_star_grid as core_gi
    from hotspot_desktop.core.analysis.grid import square_counts
    from hotspot_desktop.core.analysis.weights import grid_contiguity, grid_distance_band

    pts = inputs["points"]
    counts = square_counts(pts.x, pts.y, cell_size=_auto(inputs["cell_size"]), study_area=_study_area(inputs),
                           progress=ctx.sub(0.0, 0.2), cancelled=ctx.cancelled)
    hood = inputs["neighbourhood"]
    if hood == "distance band":
        stencil = grid_distance_band(float(inputs["distance"]), counts.grid.cell_size)
    else:
        stencil = grid_contiguity(hood)
    res = core_gi(counts.counts, stencil, study_area=counts.mask, fdr=bool(inputs["fdr"]),
                  permutations=int(inputs["permutations"]), seed=ctx.seed, progress=ctx.sub(0.2, 0.95),
                  cancelled=ctx.cancelled)
    name = inputs["output"] or "Gi* hot spots"
    # Drawn: the confidence class of the significant cells (±3 = 99%, ±2 = 95%, ±1 = 90%, with
    # FDR when asked), as ArcGIS shows Gi*; the rest is transparent so the map underneath stays
    # readable. The z-scores themselves are in band "z".
    shown = np.where(res.classes != 0, res.classes.astype(np.float64), np.nan)
    layer = _raster(name, shown, counts.grid, pts,
                    RasterSettings(ramp=DIVERGING_RAMP, vmin=-3.0, vmax=3.0, symmetric=True,
                                   units="Gi* class: ±3 99%, ±2 95%, ±1 90%"))
    layer.bands = {"z": res.z, "p": res.p, "p_fdr": res.p_fdr, "class": res.classes.astype(np.float64),
                   "count": np.where(counts.mask, counts.counts, np.nan)}
    if res.p_sim is not None:
        layer.bands["p_sim"] = res.p_sim
    return ToolResult(layers=[layer], tables=[_class_table(res, f"{name}: cells by class")],
                      notes=list(counts.rules) + _gi_notes(res))


def gi_star_polygons(inputs: dict, ctx: RunContext) -> ToolResult:
    """Getis-Ord Gi* of a numeric field of polygons (beats, hexagons) with contiguity weights."""
    from hotspot_desktop.core.analysis.getis_ord import CLASS_LABELS, gi_star
    from hotspot_desktop.core.analysis.weights import polygon_contiguity, polygon_distance_band

    polys = inputs["polygons"]
    gdf = polys.gdf.copy()
    ctx.checkpoint(0.05, "building weights")
    hood = inputs["neighbourhood"]
    w = (polygon_distance_band(gdf.geometry.values, float(inputs["distance"])) if hood == "distance band"
         else polygon_contiguity(gdf.geometry.values, hood))
    res = gi_star(gdf[inputs["field"]].to_numpy(float), w, fdr=bool(inputs["fdr"]),
                  permutations=int(inputs["permutations"]), seed=ctx.seed, progress=ctx.sub(0.1, 0.95),
                  cancelled=ctx.cancelled)
    gdf["gi_z"], gdf["gi_p"], gdf["gi_class"] = res.z, res.p, res.classes.astype(int)
    gdf["gi_label"] = res.labels
    name = inputs["output"] or "Gi* hot spots"
    layer = VectorLayer(name, gdf, geometry_kind="polygon", source_crs=polys.source_crs)
    order = sorted(CLASS_LABELS, reverse=True)
    style = categorised(order, "gi_class", labels=CLASS_LABELS)
    colours = ["#b2182b", "#ef8a62", "#fddbc7", "#f0f0f0", "#d1e5f0", "#67a9cf", "#2166ac"]
    for cat, colour in zip(style.categories, colours):
        cat.color = colour
    layer.style = style
    return ToolResult(layers=[layer], tables=[_class_table(res, f"{name}: polygons by class")], notes=_gi_notes(res))


def incident_trend(inputs: dict, ctx: RunContext) -> ToolResult:
    """Counts per day/week/month with a moving average, as a chart and a table."""
    from hotspot_desktop.core.analysis.temporal import trend

    pts = inputs["points"]
    if pts.times is None:
        raise ValueError(f"{pts.name} has no date/time column")
    groups = pts.offences if inputs["by_offence"] and pts.offences is not None else None
    ctx.checkpoint(0.1, "counting by period")
    res = trend(pts.times, groups, freq=inputs["period"])
    ctx.checkpoint(0.9, "charting")
    x = [d.date().isoformat() for d in res.counts.index]
    series = {str(c): res.counts[c].astype(float).tolist() for c in res.counts.columns}
    series["moving average (all)"] = res.moving_average["all"].astype(float).tolist()
    chart = ChartSpec("line", f"Incidents per {inputs['period']}", x, series, x_label=inputs["period"],
                      y_label="incidents")
    table = res.counts.reset_index()
    table["period"] = table["period"].dt.date.astype(str)
    return ToolResult(tables=[TableResult(f"Incidents per {inputs['period']}", table)], charts=[chart])


# ESRI-like emerging hot spot palette: hot classes in reds/oranges, cold in blues, none grey.
_EMERGING_COLOURS = {1: "#fdd0a2", 2: "#fdae6b", 3: "#e6550d", 4: "#a63603", 5: "#fd8d3c", 6: "#f16913",
                     7: "#d94801", 8: "#bcbddc", -1: "#c6dbef", -2: "#9ecae1", -3: "#3182bd", -4: "#08519c",
                     -5: "#6baed6", -6: "#4292c6", -7: "#2171b5", -8: "#dadaeb", 0: "#f0f0f0"}


def emerging_hot_spots(inputs: dict, ctx: RunContext) -> ToolResult:
    """ESRI-style emerging hot spot classes from a space-time cube of grid counts."""
    from hotspot_desktop.core.analysis.emerging import CLASS_NAMES, build_cube
    from hotspot_desktop.core.analysis.emerging import emerging_hot_spots as core_emerging
    from hotspot_desktop.core.analysis.grid import square_counts
    from hotspot_desktop.core.analysis.time_results import encode_series_rows

    pts = inputs["points"]
    if pts.times is None:
        raise ValueError(f"{pts.name} has no date/time column")
    counts = square_counts(pts.x, pts.y, cell_size=_auto(inputs["cell_size"]), study_area=_study_area(inputs),
                           progress=ctx.sub(0.0, 0.1), cancelled=ctx.cancelled)
    g = counts.grid
    cube = build_cube(pts.x, pts.y, pts.times, x0=g.x0, y0=g.y0, cell_size=g.cell_size, rows=g.rows, cols=g.cols,
                      step=inputs["step"])
    ctx.checkpoint(0.2, "space-time cube built")
    res = core_emerging(cube, radius_cells=int(inputs["radius_cells"]), alpha=float(inputs["alpha"]),
                        mask=counts.mask, progress=ctx.sub(0.2, 0.9), cancelled=ctx.cancelled)
    total = cube.counts.sum(axis=0)
    rr, cc = np.nonzero(counts.mask & ((res.classes != 0) | (total > 0)))
    x = g.x0 + cc * g.cell_size
    y = g.y0 + rr * g.cell_size
    codes = res.classes[rr, cc].astype(int)
    import geopandas as gpd

    gdf = gpd.GeoDataFrame({"row": rr, "col": cc, "class": codes,
                            "label": [CLASS_NAMES[int(k)] for k in codes], "simple": res.simple_classes[rr, cc],
                            "incidents": total[rr, cc], "mk_tau": res.mk_tau[rr, cc], "mk_p": res.mk_p[rr, cc],
                            # Per cell Gi* z over time, for the "Why this class?" panel (gui/time).
                            "mk_z": res.mk_z[rr, cc],
                            "z_series": encode_series_rows(res.z[:, rr, cc].T),
                            "step": inputs["step"], "first_step": str(cube.step_starts[0].date())},
                           geometry=shapely.box(x, y, x + g.cell_size, y + g.cell_size))
    name = inputs["output"] or "Emerging hot spots"
    layer = VectorLayer(name, gdf, geometry_kind="polygon", source_crs=pts.source_crs)
    present = [k for k in sorted(CLASS_NAMES, key=lambda k: (k <= 0, abs(k))) if (codes == k).any()]
    style = categorised(present, "class", labels=CLASS_NAMES)
    for cat in style.categories:
        cat.color = _EMERGING_COLOURS[int(cat.value)]
    layer.style = style
    table = gdf.groupby("label").agg(cells=("class", "size"), incidents=("incidents", "sum")).reset_index()
    steps = cube.step_starts
    notes = [f"{len(steps)} {inputs['step']} steps from {steps[0].date()} to {steps[-1].date()}",
             f"Gi* neighbourhood {res.radius_cells} cell(s), time lag {res.time_lag}, alpha {res.alpha}"]
    notes += list(counts.rules)
    return ToolResult(layers=[layer], tables=[TableResult(f"{name}: cells by class", table)], notes=notes)


def robustness(inputs: dict, ctx: RunContext) -> ToolResult:
    """Share of KDE runs (bandwidths 0.5-2x the normal-reference rule) in which each cell is hot."""
    from hotspot_desktop.core.analysis.robustness import robustness_map

    pts = inputs["points"]
    cell = _auto(inputs["cell_size"])
    res = robustness_map(pts.x, pts.y, cell_sizes=None if cell is None else [cell],
                         top_fraction=float(inputs["top_percent"]) / 100.0, study_area=_study_area(inputs),
                         progress=ctx.sub(0.0, 0.95), cancelled=ctx.cancelled)
    name = inputs["output"] or "Hot spot robustness"
    layer = _raster(name, res.share, res.grid, pts,
                    RasterSettings(ramp=SEQUENTIAL_RAMP, vmin=0.0, vmax=1.0, transparent_below=0.0,
                                   units="share of runs in which the cell is hot"))
    runs = pd.DataFrame([{"bandwidth_m": r.bandwidth, "cell_size_m": r.cell_size, "period": r.period or "all",
                          "hot_cells": r.n_hot_cells} for r in res.runs])
    robust = int(res.robust_cells().sum())
    notes = [f"stability (mean pairwise Jaccard of hot sets) = {res.stability:.2f}; {robust} cells hot in every run"]
    return ToolResult(layers=[layer], tables=[TableResult(f"{name}: runs", runs, name="runs")],
                      notes=notes + list(res.rules))
