"""The tables File ▸ Export ▸ Table as CSV offers: zone measures, top hot spots and every
open result table. Frames are built when chosen (no Qt here)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from hotspot_desktop.core.model import Project


def zone_measures_table(project: Project) -> pd.DataFrame:
    """Zone measures of the project's zones for its incident layer's filtered points (incidents,
    share, density, PAI, PEI, by offence) and its community input per zone (points, per km², by
    category): the table ``hotspot-desktop export table --what zones`` writes, one row per zone."""
    from hotspot_desktop.core.zones.measures import project_zone_table

    return project_zone_table(project)


def top_hotspots_table(project: Project) -> pd.DataFrame:
    """The briefing's top hot spots for the current period."""
    from hotspot_desktop.export.briefing import current_period, top_hotspots

    layer = _incidents(project)
    return top_hotspots(project, layer, current_period(layer))


def _incidents(project: Project):
    layer = project.incident_layer()
    if layer is None:
        raise ValueError("the project has no incident layer")
    return layer


def table_sources(window: Any) -> list[tuple[str, Callable[[], pd.DataFrame]]]:
    """(menu label, frame builder) for every table that can be saved now."""
    import shiboken6

    project = window.project
    out: list[tuple[str, Callable[[], pd.DataFrame]]] = []
    incidents = project.incident_layer()  # never community input (survey responses, service requests)
    if incidents is not None and project.zones is not None and len(project.zones.gdf):
        out.append(("Zone measures", lambda: zone_measures_table(project)))
    if incidents is not None and incidents.times is not None:
        out.append(("Top hot spots", lambda: top_hotspots_table(project)))
    for dock in getattr(window, "_result_docks", []):
        if not shiboken6.isValid(dock):
            continue
        result = getattr(dock, "result", None)
        frame = getattr(result, "frame", None)
        if isinstance(frame, pd.DataFrame):
            out.append((str(result.title), lambda f=frame: f))
    return out
