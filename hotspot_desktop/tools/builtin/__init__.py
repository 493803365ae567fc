"""Built-in tool declarations, registered through the ``hotspot_desktop.tools`` entry point.

Declarations only: each tool's ``run`` names a function in a sibling module that imports the
core analysis when the tool runs.
"""

from __future__ import annotations

from hotspot_desktop.tools.base import Tool
from hotspot_desktop.tools.builtin.declarations import declared_tools

TOOLS: list[Tool] = declared_tools()
