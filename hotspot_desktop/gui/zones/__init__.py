"""Hand-drawn patrol zones in the GUI: draw, edit, annotate, measure, export and autosave.

The main window calls :func:`install` once; the core logic lives in core/zones/.
"""

from __future__ import annotations

from typing import Any


def install(window: Any) -> Any:
    """Add the zones tool bar, menu, docks and canvas controller to ``window`` (idempotent);
    returns the ZonesUI (also ``window.zones_ui``)."""
    from hotspot_desktop.gui.zones.zones_ui import ZonesUI

    existing = getattr(window, "zones_ui", None)
    if isinstance(existing, ZonesUI):
        return existing
    ui = ZonesUI(window)
    window.zones_ui = ui
    return ui
