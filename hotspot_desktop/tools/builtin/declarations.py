"""Declarations of the built-in tools (cheap: no numerics imported here)."""

from __future__ import annotations

from hotspot_desktop.tools.base import (OutputSpec, Tool, bool_param, choice_param, date_range_param, field_param,
                                        file_param, integer_param, layer_param, number_param, output_param,
                                        text_param, zones_param)

_PKG = "hotspot_desktop.tools.builtin"
# Kept here (not imported from patrol.py) so declaring tools imports no implementation module.
SHIFT_RE = r"\s*([A-Za-z][\w ]*?)\s+(\d{1,2})\s*-\s*(\d{1,2})\s*x\s*(\d{1,2})\s*"
SHIFTS_PATTERN = rf"{SHIFT_RE}(;{SHIFT_RE})*;?"
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
                choice_param("bandwidth_rule", "Bandwidth", ("nrd", "arcgis", "fixed", "adaptive", "best PEI"),
                             help="nrd: normal reference rule (MASS bandwidth.nrd); arcgis: ArcGIS default; "
                                  "fixed: the distance below; adaptive: k-th nearest neighbour distance; best PEI: "
                                  "fitted on the first 75% of the incidents' time span, the bandwidth whose top 5% "
                                  "of the area best predicts the last 25% (Hunt 2016), stamped with that hit rate."),
                number_param("bandwidth", "Fixed bandwidth", 250.0, unit="m", minimum=1.0, maximum=50_000,
                             help="Search radius when the bandwidth is fixed."),
                integer_param("adaptive_k", "Adaptive k", 15, unit="count", minimum=1, maximum=500),
                number_param("cell_size", "Cell size", 0.0, unit="m", minimum=0.0, maximum=5000, help=_AUTO_CELL),
                choice_param("output_units", "Values", ("density", "raw"),
                             help="density: incidents per km²; raw: kernel sums as QGIS's heatmap."),
                choice_param("mode", "Method", ("auto", "exact", "fast")),
                layer_param("denominator", "Dual KDE: divide by", "point", optional=True,
                            help="A second point layer (e.g. population or households as points): the result "
                                 "combines both densities on one grid (Levine, CrimeStat ch. 10)."),
                choice_param("dual_op", "Dual KDE operation", ("ratio", "log_ratio", "difference")),
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
            id="hotspot.emerging", name="Emerging hot spots", category="Hot spots", version="1.0",
            help="Classifies each grid cell by how its Gi* hot/cold status evolved over time (new, "
                 "consecutive, intensifying, persistent, diminishing, sporadic, oscillating, historical), "
                 "with a Mann-Kendall trend test of the z-scores.",
            reference="ESRI, How Emerging Hot Spot Analysis works; Getis & Ord (1992); Mann (1945), "
                      "Kendall (1975).",
            run=f"{_PKG}.hotspots:emerging_hot_spots",
            params=(layer_param("points", "Incidents", "point"), _study_area(),
                    number_param("cell_size", "Cell size", 0.0, unit="m", minimum=0.0, maximum=5000,
                                 help=_AUTO_CELL),
                    choice_param("step", "Time step", ("month", "week", "day")),
                    integer_param("radius_cells", "Neighbourhood (cells)", 1, unit="count", minimum=1, maximum=10),
                    number_param("alpha", "Significance level", 0.05, minimum=0.001, maximum=0.2),
                    output_param("output", "Output name", "Emerging hot spots")),
            outputs=(OutputSpec("classes", "layer"), OutputSpec("summary", "table")),
        ),
        Tool(
            id="hotspot.robustness", name="Hot spot robustness", category="Hot spots", version="1.0",
            help="Re-runs the kernel density at 0.5, 0.75, 1, 1.5 and 2 times the normal-reference bandwidth "
                 "and maps, per cell, the share of runs in which it is among the top cells. Cells hot in every "
                 "run do not depend on the bandwidth choice.",
            reference="Chainey (2013) Examining the influence of cell size and bandwidth size on kernel "
                      "density estimation crime hotspot maps, Geomatica 67(4); Jaccard (1912).",
            run=f"{_PKG}.hotspots:robustness",
            params=(layer_param("points", "Incidents", "point"), _study_area(),
                    number_param("cell_size", "Cell size", 0.0, unit="m", minimum=0.0, maximum=5000, help=_AUTO_CELL),
                    number_param("top_percent", "Hot share of area", 5.0, unit="%", minimum=0.1, maximum=50),
                    output_param("output", "Output name", "Hot spot robustness")),
            outputs=(OutputSpec("share", "layer", "share of runs hot per cell"), OutputSpec("runs", "table")),
        ),
        Tool(
            id="pattern.global_moran", name="Is crime clustered? (global Moran's I)", category="Patterns",
            version="1.0",
            help="Global Moran's I of incident counts on a square grid: above its expectation -1/(n-1) "
                 "neighbouring cells have similar counts (clustering), with an analytic z-test.",
            reference="Moran (1950) Biometrika 37; Cliff & Ord (1981) Spatial Processes, normality assumption.",
            run=f"{_PKG}.patterns:global_moran_grid",
            params=(layer_param("points", "Incidents", "point"), _study_area(),
                    number_param("cell_size", "Cell size", 0.0, unit="m", minimum=0.0, maximum=5000, help=_AUTO_CELL),
                    choice_param("neighbourhood", "Neighbourhood", ("queen", "rook"))),
            outputs=(OutputSpec("statistics", "table"),),
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
                layer_param("catchment_control", "Control for the catchment", "polygon", optional=True,
                            help="A second control area for the catchment (WDD with two controls, Wheeler & "
                                 "Ratcliffe 2018); without it the target's control serves both."),
                layer_param("candidate_controls", "Suggest controls from", "polygon", optional=True,
                            help="Polygons (e.g. beats) to rank as control areas by how well their before-period "
                                 "monthly counts track the target's (parallel trends); the top three are listed."),
                date_range_param("before", "Before period", optional=False),
                date_range_param("after", "After period", optional=False),
                number_param("ring_width", "Catchment ring width", 250.0, unit="m", minimum=10.0, maximum=5000.0),
                integer_param("rings", "Catchment rings", 1, unit="count", minimum=1, maximum=10),
                output_param("output", "Output name", "Intervention areas"),
            ),
            outputs=(OutputSpec("areas", "layer", "target, catchment and control with counts"),
                     OutputSpec("measures", "table"), OutputSpec("monthly", "chart"),
                     OutputSpec("hour_weekday_shift", "table", "temporal displacement inside the target"),
                     OutputSpec("suggested_controls", "table")),
        ),
        Tool(
            id="pattern.local_moran", name="Clusters and outliers (local Moran's I)", category="Patterns",
            version="1.0",
            help="Local Moran's I (LISA) of a numeric polygon field: High-High clusters, Low-Low clusters "
                 "and High-Low / Low-High outliers by conditional permutation, plus global Moran's I.",
            reference="Anselin (1995) Local indicators of spatial association - LISA, Geographical Analysis "
                      "27(2); Moran (1950) Biometrika 37.",
            run=f"{_PKG}.patterns:lisa_polygons",
            params=(layer_param("polygons", "Polygons", "polygon"),
                    field_param("field", "Value field", "polygons", numeric=True, default="count"),
                    choice_param("neighbourhood", "Neighbourhood", ("queen", "rook", "distance band")),
                    number_param("distance", "Distance band", 500.0, unit="m", minimum=1.0, maximum=50_000),
                    integer_param("permutations", "Permutations", 999, unit="count", minimum=99, maximum=9999),
                    number_param("alpha", "Significance level", 0.05, minimum=0.001, maximum=0.2),
                    output_param("output", "Output name", "Local Moran clusters")),
            outputs=(OutputSpec("lisa", "layer"), OutputSpec("moran", "table")),
        ),
        Tool(
            id="pattern.near_repeat", name="Near repeat (Knox test)", category="Patterns", version="1.0",
            help="Are incidents close in space also close in time more often than chance? Observed / "
                 "expected pair counts per distance and time band with Monte Carlo p-values, and the "
                 "window of elevated risk.",
            reference="Knox (1964) Applied Statistics 13; Johnson et al. (2007) J. Quantitative Criminology "
                      "23; Ratcliffe (2009) Near Repeat Calculator.",
            run=f"{_PKG}.patterns:near_repeat",
            params=(layer_param("points", "Incidents", "point"),
                    number_param("distance_band", "Distance band", 100.0, unit="m", minimum=1.0, maximum=5000),
                    integer_param("distance_bands", "Distance bands", 5, unit="count", minimum=1, maximum=20),
                    number_param("time_band", "Time band", 7.0, unit="days", minimum=1.0, maximum=365),
                    integer_param("time_bands", "Time bands", 5, unit="count", minimum=1, maximum=20),
                    integer_param("simulations", "Simulations", 99, unit="count", minimum=19, maximum=9999)),
            outputs=(OutputSpec("ratio", "table"), OutputSpec("p_value", "table"), OutputSpec("observed", "table")),
        ),
        Tool(
            id="pattern.repeat_locations", name="Repeat locations", category="Patterns", version="1.0",
            help="Places with at least k incidents (coordinates within the tolerance count as one place), "
                 "ranked busiest first, with the share of all incidents they hold.",
            reference="Sherman, Gartin & Buerger (1989) Criminology 27(1); Weisburd (2015) Criminology 53(2).",
            run=f"{_PKG}.patterns:repeat_locations",
            params=(layer_param("points", "Incidents", "point"),
                    integer_param("min_count", "At least", 3, unit="count", minimum=1, maximum=10_000),
                    number_param("tolerance", "Same place within", 0.0, unit="m", minimum=0.0, maximum=200),
                    output_param("output", "Output name", "Repeat locations")),
            outputs=(OutputSpec("locations", "layer"), OutputSpec("ranked", "table")),
        ),
        Tool(
            id="pattern.clusters", name="Incident clusters (NNH / DBSCAN)", category="Patterns", version="1.0",
            help="Groups of incidents closer together than chance (CrimeStat nearest-neighbour hierarchical "
                 "clustering) or dense groups (DBSCAN), drawn as convex hulls or standard deviational ellipses.",
            reference="Levine, CrimeStat IV manual ch. 7 (NNH); Ester et al. (1996) KDD (DBSCAN); "
                      "Yuill (1971) (deviational ellipse).",
            run=f"{_PKG}.patterns:point_clusters",
            params=(layer_param("points", "Incidents", "point"), _study_area(),
                    choice_param("method", "Method", ("nnh", "dbscan")),
                    integer_param("min_points", "Minimum incidents per cluster", 10, unit="count", minimum=2,
                                  maximum=10_000),
                    number_param("distance", "DBSCAN distance", 100.0, unit="m", minimum=1.0, maximum=5000),
                    choice_param("shape", "Draw as", ("ellipse", "hull")),
                    output_param("output", "Output name", "Incident clusters")),
            outputs=(OutputSpec("clusters", "layer"), OutputSpec("table", "table")),
        ),
        Tool(
            id="pattern.concentration", name="Crime concentration at places", category="Patterns", version="1.0",
            help="What share of places holds what share of incidents: the concentration (Lorenz) curve over "
                 "grid cells, Gini and generalised Gini, and the top cells dissolved into candidate zones.",
            reference="Weisburd (2015) The law of crime concentration, Criminology 53(2); Bernasco & "
                      "Steenbeek (2017) J. Quantitative Criminology 33 (generalised Gini).",
            run=f"{_PKG}.patterns:concentration",
            params=(layer_param("points", "Incidents", "point"), _study_area(),
                    number_param("cell_size", "Cell size", 100.0, unit="m", minimum=0.0, maximum=5000,
                                 help="Size of a 'place'. " + _AUTO_CELL),
                    number_param("top_percent", "Top places", 5.0, unit="%", minimum=0.1, maximum=50),
                    output_param("output", "Output name", "Top places")),
            outputs=(OutputSpec("zones", "layer"), OutputSpec("concentration", "table"), OutputSpec("curve", "chart")),
        ),
        Tool(
            id="pattern.surface_zones", name="Candidate zones from a surface", category="Patterns",
            version="1.0",
            help="Takes the top share of a surface's cells (kernel density, Gi* z-scores, counts) and "
                 "dissolves edge-sharing cells into ranked candidate patrol zones.",
            reference="Chainey, Tompson & Uhlig (2008) (hot spots as the top share of the area); "
                      "Braga & Weisburd (2010) Policing Problem Places, ch. 4.",
            run=f"{_PKG}.patterns:surface_zones",
            params=(layer_param("surface", "Surface", "raster"),
                    number_param("top_percent", "Top share of area", 2.0, unit="%", minimum=0.1, maximum=50),
                    integer_param("min_cells", "Smallest zone", 1, unit="count", minimum=1, maximum=10_000,
                                  help="Zones of fewer cells than this are left out."),
                    output_param("output", "Output name", "Candidate zones")),
            outputs=(OutputSpec("zones", "layer"), OutputSpec("table", "table")),
        ),
        Tool(
            id="pattern.clark_evans", name="Clustering test (Clark-Evans)", category="Patterns", version="1.0",
            help="Nearest-neighbour index R of the incidents in the study area: below 1 clustered, above 1 "
                 "dispersed, with a z-test.",
            reference="Clark & Evans (1954) Ecology 35(4); Donnelly (1978) edge correction.",
            run=f"{_PKG}.patterns:clark_evans",
            params=(layer_param("points", "Incidents", "point"),
                    layer_param("study_area", "Study area", "polygon"),
                    choice_param("edge_correction", "Edge correction", ("none", "donnelly"))),
            outputs=(OutputSpec("statistics", "table"),),
        ),
        Tool(
            id="evaluation.prospective", name="Which hot spot method predicts best?", category="Evaluation",
            version="1.0",
            help="Fits grid counts and kernel density (two bandwidth rules) on the fitting period, takes the "
                 "top share of the area as hot spots, and scores them on the test period: hit rate, PAI, "
                 "PEI and RRI side by side on one grid.",
            reference="Chainey, Tompson & Uhlig (2008) Security Journal 21 (PAI); Hunt (2016) (PEI); "
                      "Levine (2008) (RRI).",
            run=f"{_PKG}.evaluation:prospective",
            params=(layer_param("points", "Incidents", "point"), _study_area(),
                    date_range_param("fit", "Fitting period", optional=False),
                    date_range_param("test", "Test period", optional=False),
                    number_param("top_percent", "Hot spot share of area", 5.0, unit="%", minimum=0.1, maximum=50),
                    number_param("cell_size", "Cell size", 0.0, unit="m", minimum=0.0, maximum=5000,
                                 help=_AUTO_CELL)),
            outputs=(OutputSpec("scores", "table"), OutputSpec("chart", "chart")),
        ),
        Tool(
            id="patrol.equity", name="Equity check of patrol zones", category="Patrol", version="1.1",
            help="Compares who lives in the patrol zones, and in the zones with their catchments, with who "
                 "lives in the whole area (and, with incidents, where incidents are), by population group "
                 "fields of a census layer, and flags groups over- or under-represented in the zones.",
            reference="Goodchild & Lam (1980) Geo-Processing 1 (areal weighting); Weisburd et al. (2019) "
                      "Proactive Policing, National Academies, ch. 7 (equity); Weisburd et al. (2006) "
                      "Criminology 44(3) (catchments: displacement and diffusion).",
            run=f"{_PKG}.evaluation:equity",
            params=(layer_param("population", "Census areas", "polygon"),
                    text_param("groups", "Population group fields", "", optional=False,
                               pattern=r"[^,]+(,[^,]+)*",
                               help="comma-separated numeric fields of the census layer, e.g. 'white, black, asian'"),
                    zones_param("zones", "Patrol zones", ("patrol", "target")),
                    zones_param("catchment", "Drawn catchments", "catchment", optional=True,
                                help="Zones with role catchment, counted with the patrol zones in the "
                                     "'zones + catchments' figures."),
                    number_param("catchment_width", "Catchment ring width", 250.0, unit="m", minimum=0.0,
                                 maximum=10000.0,
                                 help="A ring this wide around the patrol zones also counts as their catchment "
                                      "(as the intervention tool's rings); 0 = drawn catchments only."),
                    layer_param("points", "Incidents", "point", optional=True),
                    number_param("tolerance", "Flag when off by", 25.0, unit="%", minimum=1.0, maximum=200.0)),
            outputs=(OutputSpec("equity", "table"), OutputSpec("shares", "chart")),
        ),
        Tool(
            id="patrol.plan", name="Patrol plan", category="Patrol", version="1.3",
            help="Schedules a week of short, randomised visits (10-16 minutes by default) to each patrol zone "
                 "(or to the top N polygons of a hot spot layer, ranked by their recent incidents, which are "
                 "added to the map as 'Patrol plan zones (top N)'), weighted towards the hours of the week when "
                 "its incidents happened, within the units each shift has. A zone's visits of a day (visits per "
                 "shift x number of shifts) are shared among the shifts in proportion to its risk in each "
                 "shift's hours on that weekday (largest remainder; every shift holding risk gets one when "
                 "there are enough; a zone without history is spread evenly), then placed at random among the "
                 "starts that have a free unit and are at least 60 minutes from the zone's other visits, "
                 "weighted by its risk. Zones with priority 1 (the highest) are scheduled first, then 2 and so "
                 "on; zones without a priority last. Reports the share of historical risk each zone's visits "
                 "cover, what could not be placed and why, and shows a timeline per shift (a lane per day and "
                 "unit, a bar per visit). Save the visits table as CSV to hand out and to check later with "
                 "'Dosage delivered vs plan'.",
            reference="Koper (1995) Justice Quarterly 12(4) (the Koper curve); Ratcliffe (2009) aoristic "
                      "temporal weights; Sherman & Weisburd (1995) Justice Quarterly 12(4).",
            run=f"{_PKG}.patrol:patrol_plan",
            params=(layer_param("points", "Incidents", "point"),
                    zones_param("zones", "Patrol zones", ("patrol", "target"), optional=True,
                                help="zones with their priority (1 = highest, scheduled first; blank or 0 = none, "
                                     "scheduled last); leave empty to patrol the top hot spots instead"),
                    layer_param("hotspots", "Or hot spot polygons", "polygon", optional=True,
                                help="used when no patrol zones are chosen: any polygon layer, e.g. grid counts "
                                     "as hexagons, cluster hulls or candidate zones from a surface (a raster such "
                                     "as Gi* or square grid counts must be turned into polygons first); the top "
                                     "N get priority 1 (busiest) to N"),
                    integer_param("top_n", "Top N hot spots", 5, unit="count", minimum=1, maximum=50),
                    text_param("shifts", "Shifts", "Early 06-14 x2; Late 14-22 x2; Night 22-06 x1", optional=False,
                               pattern=SHIFTS_PATTERN,
                               help="NAME START-END xUNITS separated by ';', e.g. 'Late 14-22 x2'; names must "
                                    "differ, at least one unit each, '00-24' for a whole day"),
                    integer_param("visits_per_shift", "Visits per zone and shift", 4, unit="count", minimum=1,
                                  maximum=20, help="on average: a zone's visits of a day are this times the number "
                                                   "of shifts, shared among the shifts by its risk"),
                    integer_param("visit_min", "Shortest visit", 10, unit="min", minimum=1, maximum=240,
                                  help="each visit lasts a random whole number of minutes from the shortest to "
                                       "the longest (Koper curve: 10-16)"),
                    integer_param("visit_max", "Longest visit", 16, unit="min", minimum=1, maximum=240,
                                  help="at least the shortest visit"),
                    integer_param("days", "Days", 7, unit="days", minimum=1, maximum=28),
                    text_param("first_day", "First day", "", pattern=r"\d{4}-\d{2}-\d{2}",
                               help="YYYY-MM-DD; blank = the day after the latest incident"),
                    integer_param("history_days", "Risk history", 90, unit="days", minimum=7, maximum=3650)),
            outputs=(OutputSpec("zones", "layer", "the top N hot spot polygons, when no zones are chosen"),
                     OutputSpec("visits", "table"), OutputSpec("coverage", "table"), OutputSpec("coverage", "chart"),
                     OutputSpec("unplaced", "table", "visits that could not be placed, and why"),
                     OutputSpec("timeline", "chart", "one timeline per shift")),
        ),
        Tool(
            id="patrol.dosage", name="Dosage delivered vs plan", category="Patrol", version="1.0",
            help="Minutes units actually spent in each patrol zone, from AVL or patrol-log points (a CSV of "
                 "unit, time and position loaded as a point layer): consecutive pings of a unit inside a zone "
                 "count as presence when close enough in time. With a plan CSV saved from 'Patrol plan', "
                 "compares delivered with planned minutes per zone and shift and says which planned visits "
                 "were made; pings outside the plan's days are not counted against it.",
            reference="Telep, Mitchell & Weisburd (2014) Justice Quarterly 31(5) (AVL-measured dosage at hot "
                      "spots); Koper (1995) Justice Quarterly 12(4).",
            run=f"{_PKG}.patrol:patrol_dosage",
            params=(layer_param("pings", "AVL / patrol-log points", "point", point_roles=("patrol_log",),
                                help="one point per position report, with its date/time"),
                    field_param("unit_field", "Unit column", "pings", default="unit",
                                help="the column naming the car or officer of each point"),
                    zones_param("zones", "Patrol zones", ("patrol", "target")),
                    file_param("plan", "Patrol plan (CSV)", ("csv",), optional=True,
                               help="the visits table of 'Patrol plan' saved as CSV; blank = delivered dosage only"),
                    number_param("max_gap", "Longest gap between pings", 5.0, unit="min", minimum=0.5, maximum=240,
                                 help="two pings in a zone further apart than this do not count as presence "
                                      "between them (the unit may have left)"),
                    number_param("slack", "Lateness allowed per visit", 15.0, unit="min", minimum=0.0, maximum=240,
                                 help="presence this long before a planned visit's start or after its end still "
                                      "counts towards it")),
            outputs=(OutputSpec("dosage", "table"), OutputSpec("by_shift", "table"),
                     OutputSpec("visit_delivery", "table"), OutputSpec("by_unit", "table"),
                     OutputSpec("dosage", "chart", "planned vs delivered minutes per zone")),
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
