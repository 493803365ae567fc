"""Export GUI: the map composer with a live, editable page preview, the briefing PDF dialog,
layer and table exports, all written in the background. The main window calls
:func:`install` once."""

from __future__ import annotations

from typing import Any


def install(window: Any) -> Any:
    """Add File ▸ Export ▸ Map…, Briefing PDF…, Layer… and Table as CSV to ``window``
    (idempotent); returns the ExportUI (also ``window.export_ui``)."""
    from hotspot_desktop.gui.export.actions import ExportUI

    existing = getattr(window, "export_ui", None)
    if isinstance(existing, ExportUI):
        return existing
    ui = ExportUI(window)
    window.export_ui = ui
    return ui
