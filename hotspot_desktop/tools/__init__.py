"""Analysis tools: the plugin contract, discovery, built-ins, running and provenance.

* :mod:`.base` - the contract: :class:`~.base.Tool` (id, name, category, version, help,
  reference, typed parameters, declared outputs, ``run = "module:function"``),
  :class:`~.base.RunContext`, :class:`~.base.ToolResult`, :class:`~.base.ChartSpec`.
* :mod:`.registry` - discovery over the ``hotspot_desktop.tools`` entry-point group; broken
  plugins are listed, never fatal; safe mode loads only the app's own tools.
* :mod:`.execute` - prepare (freeze inputs) / compute (any thread) / finish (provenance,
  staleness, analysis record); shared by the GUI task runner and the CLI.
* :mod:`.charts` - ChartSpec drawn with matplotlib (exports).
* :mod:`.builtin` - the built-in tools, declared in ``builtin/declarations.py``.

Writing a plugin (``tests/plugin_example`` is a complete one)::

    # pyproject.toml of your package
    [project.entry-points."hotspot_desktop.tools"]
    mytools = "my_package:TOOLS"

    # my_package/__init__.py - declarations only, cheap to import
    from hotspot_desktop.tools.base import Tool, layer_param, number_param, output_param
    TOOLS = [Tool(id="my.buffer_count", name="Incidents near polygons", category="My tools",
                  version="1.0", help="What it does.", reference="Author (year) Journal.",
                  run="my_package.run:buffer_count",
                  params=(layer_param("points", "Incidents", "point"),
                          number_param("distance", "Distance", 100, unit="m", minimum=0, maximum=5000),
                          output_param("output", "Output name", "Near polygons")))]

    # my_package/run.py - imported only when the tool runs
    def buffer_count(inputs, ctx):
        ctx.checkpoint(0.1, "buffering")  # reports progress, raises Cancelled on Cancel
        ...
        return ToolResult(layers=[layer], tables=[...], notes=[...])

The run function gets frozen snapshots (point layers hold only the filtered incidents), must not
touch the project, and should call ``ctx.checkpoint`` between chunks so Cancel is prompt.
"""
