"""Declarations of the built-in tools (cheap: no numerics imported here)."""

from __future__ import annotations

from hotspot_desktop.tools.base import (OutputSpec, Tool, bool_param, choice_param, date_range_param, field_param,
                                        integer_param, layer_param, number_param, output_param, zones_param)

_PKG = "hotspot_desktop.tools.builtin"
KERNELS = ("quartic", "triweight", "epanechnikov", "uniform", "triangular", "gaussian")
_AUTO_CELL = "0 = automatic: shorter side of the study extent / 250, rounded (ArcGIS rule)."


def _study_area() -> object:
    return layer_param("study_area", "Study area", "polygon", optional=True,
                       help="Jurisdiction boundary: incidents outside it are left out and cells outside it "
                            "are blank. Without it, a robust extent of the incidents is used.")


def _gi_params(cell_sized: bool) -> tuple:
    params = (
        choice_param("neighbourhood", "Neighbourhood", ("queen", "rook", "distance band"),
                     help="Queen: cells sharing an edge or corner; rook: an edge; distance band: within the distance."),
        number_param("distance", "Distance band", 500.0, unit="m", minimum=1.0, maximum=50_000,
                     help="Used with the distance-band neighbourhood."),
        bool_param("fdr", "Correct for multiple testing (FDR)", True,
                   help="Benjamini-Hochberg false discovery rate correction of the class p-values."),
        integer_param("permutations", "Permutations", 0, unit="count", minimum=0, maximum=9999,
                      help="0 = analytic p-values; 99-999 adds conditional permutation pseudo p-values."),
    )
    if cell_sized:
        params = (number_param("cell_size", "Cell size", 0.0, unit="m", minimum=0.0, maximum=5000,
                               help=_AUTO_CELL),) + params
    return params


def declared_tools() -> list[Tool]:
    """Every built-in tool."""
    return [
        Tool(
            id="hotspot.kde", name="Kernel density", category="Hot spots", version="1.0",
            help="A smooth surface of incident density (incidents per km²) from the filtered incidents, "
                 "with a stated bandwidth rule. Large layers switch to a binned FFT ('fast KDE mode') "
                 "whose error bound is recorded.",
            reference="Silverman (1986) Density Estimation, eq. 5.1; Chainey & Ratcliffe (2005) GIS and "
                      "Crime Mapping, ch. 6.",
            run=f"{_PKG}.hotspots:kernel_density",
            params=(
                layer_param("points", "Incidents", "point"),
                _study_area(),
                choice_param("kernel", "Kernel", KERNELS),
                choice_param("bandwidth_rule", "Bandwidth", ("nrd", "arcgis", "fixed", "adaptive"),
                             help="nrd: normal reference rule (MASS bandwidth.nrd); arcgis: ArcGIS default; "
                                  "fixed: the distance below; adaptive: k-th nearest neighbour distance."),
                number_param("bandwidth", "Fixed bandwidth", 250.0, unit="m", minimum=1.0, maximum=50_000,
                             help="Search radius when the bandwidth is fixed."),
                integer_param("adaptive_k", "Adaptive k", 15, unit="count", minimum=1, maximum=500),
                number_param("cell_size", "Cell size", 0.0, unit="m", minimum=0.0, maximum=5000, help=_AUTO_CELL),
                choice_param("output_units", "Values", ("density", "raw"),
                             help="density: incidents per km²; raw: kernel sums as QGIS's heatmap."),
                choice_param("mode", "Method", ("auto", "exact", "fast")),
                output_param("output", "Output name", "Kernel density"),
            ),
            outputs=(OutputSpec("density", "layer", "density raster"),
                     OutputSpec("parameters", "table", "parameters actually used")),
        ),
        Tool(
            id="hotspot.grid_counts", name="Grid counts", category="Hot spots", version="1.0",
            help="Counts the filtered incidents per square cell (a grid) or per hexagon (polygons).",
            reference="Chainey, Tompson & Uhlig (2008) The utility of hotspot mapping, Security Journal 21.",
            run=f"{_PKG}.hotspots:grid_counts",
            params=(
                layer_param("points", "Incidents", "point"),
                _study_area(),
                choice_param("shape", "Cell shape", ("square", "hex")),
                number_param("cell_size", "Cell size", 0.0, unit="m", minimum=0.0, maximum=5000, help=_AUTO_CELL),
                output_param("output", "Output name", "Incident counts"),
            ),
            outputs=(OutputSpec("counts", "layer", "count grid or hexagons"), OutputSpec("summary", "table")),
        ),
        Tool(
            id="hotspot.gi_star_grid", name="Hot spots (Gi*) on a grid", category="Hot spots", version="1.0",
            help="Getis-Ord Gi* z-scores of incident counts per cell, with 90/95/99% hot and cold spot "
                 "classes (bands p, p_fdr, class, count).",
            reference="Getis & Ord (1992) Geographical Analysis 24(3); Ord & Getis (1995) Geographical "
                      "Analysis 27(4); Benjamini & Hochberg (1995) for the FDR correction.",
            run=f"{_PKG}.hotspots:gi_star_grid",
            params=(layer_param("points", "Incidents", "point"), _study_area(), *_gi_params(True),
                    output_param("output", "Output name", "Gi* hot spots")),
            outputs=(OutputSpec("gi", "layer", "z-score raster with p and class bands"),
                     OutputSpec("classes", "table", "cells per class")),
        ),
        Tool(
            id="hotspot.gi_star_polygons", name="Hot spots (Gi*) of polygons", category="Hot spots",
            version="1.0",
            help="Getis-Ord Gi* of a numeric field of polygons (e.g. counts per beat) with contiguity or "
                 "distance-band weights.",
            reference="Getis & Ord (1992) Geographical Analysis 24(3); Ord & Getis (1995).",
            run=f"{_PKG}.hotspots:gi_star_polygons",
            params=(layer_param("polygons", "Polygons", "polygon"),
                    field_param("field", "Value field", "polygons", numeric=True, default="count"),
                    *_gi_params(False), output_param("output", "Output name", "Gi* hot spots")),
            outputs=(OutputSpec("gi", "layer", "polygons with gi_z, gi_p, gi_class"),
                     OutputSpec("classes", "table")),
        ),
        Tool(
            id="vector.count_in_polygons", name="Count incidents in polygons", category="Counts", version="1.0",
            help="Counts the incidents (after the layer's filter) falling inside each polygon, e.g. beats "
                 "or patrol zones, and adds the count and the count per km² as columns.",
            reference="Point-in-polygon spatial join (de Smith, Goodchild & Longley, Geospatial Analysis, "
                      "6th ed., 4.2).",
            run=f"{_PKG}.counts:count_in_polygons",
            params=(
                layer_param("points", "Incidents", "point"),
                layer_param("polygons", "Polygons", "polygon"),
                bool_param("density", "Add count per km²", True),
                output_param("output", "Output name", "Incident counts"),
            ),
            outputs=(OutputSpec("counts", "layer", "polygons with a count column"),
                     OutputSpec("summary", "table", "count per polygon")),
        ),
        Tool(
            id="evaluation.intervention", name="Evaluate an intervention", category="Evaluation", version="1.0",
            help="Before/after incident counts in the target zones, the catchment around them and the "
                 "control zones, with displacement and effect measures (WDQ, TNE, WDD, RIRR) and a "
                 "plain-language summary. Zones come from the project's zone layer by role.",
            reference="Bowers & Johnson (2003) J. Quantitative Criminology 19(3) (WDQ); Guerette (2009) (TNE); "
                      "Wheeler & Ratcliffe (2018) Crime Science 7 (WDD); Wilson (2022) (RIRR).",
            run=f"{_PKG}.evaluation:evaluate",
            params=(
                layer_param("points", "Incidents", "point"),
                zones_param("target", "Target zones", "target"),
                zones_param("control", "Control zones", "control"),
                zones_param("catchment", "Drawn catchment", "catchment", optional=True,
                            help="Replaces the automatic rings when given."),
                date_range_param("before", "Before period", optional=False),
                date_range_param("after", "After period", optional=False),
                number_param("ring_width", "Catchment ring width", 250.0, unit="m", minimum=10.0, maximum=5000.0),
                integer_param("rings", "Catchment rings", 1, unit="count", minimum=1, maximum=10),
                output_param("output", "Output name", "Intervention areas"),
            ),
            outputs=(OutputSpec("areas", "layer", "target, catchment and control with counts"),
                     OutputSpec("measures", "table"), OutputSpec("monthly", "chart")),
        ),
        Tool(
            id="time.trend", name="Incident trend", category="Time", version="1.0",
            help="Incidents per day, week or month with a centred moving average; optionally one line "
                 "per offence type. Empty periods count as zero.",
            reference="Santos (2017) Crime Analysis with Crime Mapping, 4th ed., ch. 9 (temporal analysis).",
            run=f"{_PKG}.hotspots:incident_trend",
            params=(layer_param("points", "Incidents", "point"),
                    choice_param("period", "Period", ("week", "day", "month")),
                    bool_param("by_offence", "One line per offence type", False)),
            outputs=(OutputSpec("trend", "chart"), OutputSpec("counts", "table")),
        ),
    ]
