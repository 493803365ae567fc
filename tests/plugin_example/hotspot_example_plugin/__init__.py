"""An example Hotspot Desktop plugin: one tool, declared cheaply, registered by entry point.

A third party ships exactly this: a list of :class:`Tool` declarations under the
``hotspot_desktop.tools`` entry-point group; the run function lives in another module and is
imported only when the tool runs.
"""

from hotspot_desktop.tools.base import OutputSpec, Tool, layer_param, number_param, output_param

TOOLS = [
    Tool(
        id="example.buffer_count",
        name="Incidents near polygons",
        category="Examples",
        version="0.1.0",
        help="Counts the incidents within a distance of each polygon (the polygon grown by a buffer), "
             "e.g. crimes within 100 m of each licensed premises or park.",
        reference="Buffer analysis: Chainey & Ratcliffe (2005) GIS and Crime Mapping, ch. 5.",
        run="hotspot_example_plugin.run:buffer_count",
        params=(
            layer_param("points", "Incidents", "point"),
            layer_param("polygons", "Polygons", "polygon"),
            number_param("distance", "Buffer distance", 100.0, unit="m", minimum=0.0, maximum=5000.0),
            output_param("output", "Output name", "Incidents near polygons"),
        ),
        outputs=(OutputSpec("buffers", "layer", "buffered polygons with a count column"),),
    )
]
