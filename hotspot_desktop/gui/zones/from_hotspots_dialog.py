"""Zones ▸ Make zones from hot spots: cells of a raster result (Gi* classes, KDE values) at or
above a threshold, or the selected features of a polygon result, dissolved, smoothed and
simplified into zones (core from_hotspots) — added as one undoable macro."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QWidget,
)

from hotspot_desktop.core.model import Layer, Project, RasterLayer, VectorLayer
from hotspot_desktop.core.zones.commands import AddZone
from hotspot_desktop.core.zones.from_hotspots import (
    cells_to_polygons,
    zones_from_shapes,
)
from hotspot_desktop.core.zones.validation import ZoneGeometryError, validate_zone
from hotspot_desktop.gui.zones.controller import ZoneController
from hotspot_desktop.gui.zones.undo import ZoneUndoCommand

VALUES = "values"  # the raster's main grid (KDE density, Gi* z); other choices are its bands


def hotspot_sources(project: Project) -> list[Layer]:
    """Layers zones can be made from: rasters and polygon layers other than zones, top first."""
    return [lyr for lyr in reversed(list(project.layers))
            if isinstance(lyr, RasterLayer) or (isinstance(lyr, VectorLayer) and lyr.kind != "zones"
                                                 and lyr.geometry_kind == "polygon")]


def default_threshold(layer: RasterLayer, band: str) -> float:
    """2 for a Gi* class band (hot at 95 %), else the 95th percentile of the grid."""
    if band == "class":
        return 2.0
    grid = layer.values if band == VALUES else layer.bands[band]
    finite = grid[np.isfinite(grid)]
    return float(np.percentile(finite, 95)) if finite.size else 0.0


def source_shapes(layer: Layer, band: str = VALUES, threshold: float = 0.0) -> list:
    """Cell squares with value ≥ threshold, or a polygon layer's selected features."""
    if isinstance(layer, RasterLayer):
        grid = layer.values if band == VALUES else layer.bands[band]
        with np.errstate(invalid="ignore"):
            mask = np.isfinite(grid) & (grid >= threshold)
        return cells_to_polygons(mask, layer.x0, layer.y0, layer.cell_size)
    sel = getattr(layer, "selection", None)
    if sel is None or not len(sel):
        return []
    return [g for g in layer.gdf.geometry.values[np.asarray(sel, dtype=np.int64)] if g is not None]


def make_zones(controller: ZoneController, shapes: list, *, smooth_m: float, simplify_m: float,
               min_area_m2: float, source_name: str) -> list[str]:
    """Add zones made from ``shapes`` as one undo step; returns the new zone_ids."""
    polys = zones_from_shapes(shapes, smooth_m=smooth_m, simplify_m=simplify_m, min_area_m2=min_area_m2)
    if not polys:
        return []
    layer = controller.ensure_layer()
    stack = controller.undo_stack
    ids = []
    stack.beginMacro(f"make {len(polys)} zone(s) from {source_name}")
    try:
        for i, poly in enumerate(polys, start=1):
            try:
                geom = validate_zone(poly).geometry
            except ZoneGeometryError:
                continue
            cmd = AddZone(geom, {"name": f"{source_name} hot spot {i}", "role": "target",
                                 "notes": f"Made from {source_name}."})
            stack.push(ZoneUndoCommand(layer, cmd))
            ids.append(cmd.zone_id)
    finally:
        stack.endMacro()
    return ids


class FromHotspotsDialog(QDialog):
    """Choose the result layer, threshold and shape clean-up; OK makes the zones."""

    def __init__(self, controller: ZoneController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Make zones from hot spots")
        self.setObjectName("fromHotspotsDialog")
        self.controller = controller
        self.sources = hotspot_sources(controller.project)
        self.layer_combo = QComboBox()
        for lyr in self.sources:
            self.layer_combo.addItem(lyr.name, lyr.id)
        self.band_combo = QComboBox()
        self.threshold = QDoubleSpinBox()
        self.threshold.setRange(-1e12, 1e12)
        self.threshold.setDecimals(4)
        self.smooth = self._metres(0.0)
        self.simplify = self._metres(0.0)
        self.min_area = QDoubleSpinBox()
        self.min_area.setRange(0.0, 1e10)
        self.min_area.setDecimals(0)
        self.min_area.setSuffix(" m²")
        self.note = QLabel("")
        self.note.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow("Result &layer", self.layer_combo)
        form.addRow("&Grid", self.band_combo)
        form.addRow("Cells with value ≥", self.threshold)
        form.addRow("&Smooth corners by", self.smooth)
        form.addRow("S&implify by", self.simplify)
        form.addRow("&Drop zones smaller than", self.min_area)
        form.addRow(self.note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.created: list[str] = []
        self.layer_combo.currentIndexChanged.connect(self._on_layer)
        self.band_combo.currentIndexChanged.connect(self._on_band)
        self._on_layer()

    @staticmethod
    def _metres(value: float) -> QDoubleSpinBox:
        s = QDoubleSpinBox()
        s.setRange(0.0, 10000.0)
        s.setDecimals(0)
        s.setSuffix(" m")
        s.setValue(value)
        return s

    def layer(self) -> Layer | None:
        i = self.layer_combo.currentIndex()
        return self.sources[i] if 0 <= i < len(self.sources) else None

    def _on_layer(self, *args) -> None:
        layer = self.layer()
        raster = isinstance(layer, RasterLayer)
        self.band_combo.blockSignals(True)
        self.band_combo.clear()
        if raster:
            self.band_combo.addItems([VALUES, *layer.bands])
            if "class" in layer.bands:
                self.band_combo.setCurrentText("class")
            cell = layer.cell_size
            self.smooth.setValue(round(cell / 2))
            self.simplify.setValue(round(cell / 4))
            self.min_area.setValue(round(2 * cell * cell))
            self.note.setText("Touching cells become one zone.")
        else:
            n = 0 if layer is None or layer.selection is None else len(layer.selection)
            self.smooth.setValue(0)
            self.simplify.setValue(0)
            self.min_area.setValue(0)
            self.note.setText(f"{n} selected feature(s) of this layer become zones (touching ones merge)."
                              if layer is not None else "The project has no result layer.")
        self.band_combo.blockSignals(False)
        self.band_combo.setEnabled(raster)
        self.threshold.setEnabled(raster)
        self._on_band()

    def _on_band(self, *args) -> None:
        layer = self.layer()
        if isinstance(layer, RasterLayer):
            self.threshold.setValue(default_threshold(layer, self.band_combo.currentText() or VALUES))

    def accept(self) -> None:
        layer = self.layer()
        if layer is None:
            super().reject()
            return
        shapes = source_shapes(layer, self.band_combo.currentText() or VALUES, self.threshold.value())
        if not shapes:
            self.note.setText("Nothing to make zones from: no cell reaches the threshold or no feature is selected.")
            return
        self.created = make_zones(self.controller, shapes, smooth_m=self.smooth.value(),
                                  simplify_m=self.simplify.value(), min_area_m2=self.min_area.value(),
                                  source_name=layer.name)
        self.controller.post(f"Made {len(self.created)} zone(s) from {layer.name}.")
        super().accept()
