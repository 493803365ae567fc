"""When crime happens, in the GUI: the Time menu, the hour × day heat map and trend dock, the
time filter bar with its animation, emerging hot spot explanations and the near-repeat table.

The main window calls :func:`install` once; the computations live in core/analysis
(temporal, time_filter, time_results, emerging, near_repeat).
"""

from __future__ import annotations

from typing import Any


def install(window: Any) -> Any:
    """Add the Time menu and docks to ``window`` (idempotent); returns the TimeUI (``window.time_ui``)."""
    from hotspot_desktop.gui.time.time_ui import TimeUI

    existing = getattr(window, "time_ui", None)
    if isinstance(existing, TimeUI):
        return existing
    ui = TimeUI(window)
    window.time_ui = ui
    return ui
