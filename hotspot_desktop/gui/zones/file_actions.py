"""Zones ▸ Export zones… / Import zones…: file dialogs around core/io/zones_io.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog, QInputDialog

from hotspot_desktop.core.crs import WGS84, choose_working_crs
from hotspot_desktop.core.io.zones_io import (
    FILE_FILTER,
    ZoneFileError,
    export_zones,
    import_zones,
)
from hotspot_desktop.gui import settings

CRS_CHOICES = ("Working CRS of the project", "WGS 84 (longitude/latitude)")


def export_dialog(window: Any, layer) -> Path | None:
    """Ask for a file and a CRS, then write ``layer``'s zones there."""
    if layer is None or not len(layer):
        window.map_status.showMessage("There are no zones to export.", 5000)
        return None
    start = str(Path(settings.last_directory()) / f"{layer.name}.gpkg")
    path, _ = QFileDialog.getSaveFileName(window, "Export zones", start, FILE_FILTER)
    if not path:
        return None
    crs = window.project.working_crs
    if not path.lower().endswith(".kml"):
        choice, ok = QInputDialog.getItem(window, "Export zones", "Coordinates:", list(CRS_CHOICES), 0, False)
        if not ok:
            return None
        if choice == CRS_CHOICES[1]:
            crs = WGS84
    try:
        out = export_zones(layer, path, crs)
    except (ZoneFileError, OSError) as exc:
        window.show_error("Cannot export zones", str(exc))
        return None
    settings.set_last_directory(out)
    window.map_status.showMessage(f"Exported {len(layer)} zones to {out}", 5000)
    return out


def import_dialog(window: Any) -> Any:
    """Ask for a zone file and add it as a zone layer."""
    path, _ = QFileDialog.getOpenFileName(window, "Import zones", settings.last_directory(), FILE_FILTER)
    if not path:
        return None
    return import_file(window, Path(path))


def import_file(window: Any, path: Path) -> Any:
    """Read ``path`` into a zone layer in the working CRS and add it to the project."""
    try:
        layer = import_zones(path, window.project.working_crs)
    except ZoneFileError as exc:
        window.show_error("Cannot import zones", str(exc))
        return None
    if window.project.working_crs is None:
        # The first layer sets the working CRS: the file's own if metric, else its UTM zone.
        centre = layer.gdf.to_crs(WGS84).union_all().centroid if len(layer) else None
        crs = choose_working_crs([layer.gdf.crs], None if centre is None else (centre.x, centre.y))
        layer.gdf = layer.gdf.to_crs(crs)
        window.project.working_crs = crs
    settings.set_last_directory(path)
    window.add_layer(layer)
    return layer
