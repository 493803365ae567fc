"""Declarations of the built-in tools (cheap: no numerics imported here)."""

from __future__ import annotations

from hotspot_desktop.tools.base import (OutputSpec, Tool, bool_param, layer_param, output_param)

_PKG = "hotspot_desktop.tools.builtin"


def declared_tools() -> list[Tool]:
    """Every built-in tool whose implementation is available."""
    return [
        Tool(
            id="vector.count_in_polygons",
            name="Count incidents in polygons",
            category="Counts",
            version="1.0",
            help="Counts the incidents (after the layer's filter) falling inside each polygon, e.g. beats "
                 "or patrol zones, and adds the count and the count per km² as columns.",
            reference="Point-in-polygon spatial join (de Smith, Goodchild & Longley, Geospatial Analysis, 6th ed., 4.2).",
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
    ]
