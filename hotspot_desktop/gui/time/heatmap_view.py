"""Hour-of-day × day-of-week heat map (pyqtgraph ImageItem) with hover values and cell clicks."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPoint, QPointF, Qt, Signal
from PySide6.QtWidgets import QLabel, QToolTip, QVBoxLayout, QWidget

from hotspot_desktop.core.analysis.temporal import DAYS
from hotspot_desktop.core.analysis.time_filter import Cell, cell_label

HOVER_HINT = "Hover a cell to see its value; click to filter the map to it, shift-click to add."


class HeatMapView(QWidget):
    """7 × 24 table drawn as an image: Monday on top, hour 0 on the left.

    Emits ``cell_clicked(day, hour, add)``; ``add`` is True for a shift-click (add to the choice).
    """

    cell_clicked = Signal(int, int, bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timeHeatMap")
        self.table = np.zeros((7, 24))
        self.unit = "incidents"
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.plot = pg.PlotWidget(self, background="w")
        self.plot.setMinimumHeight(170)
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        self.plot.setMenuEnabled(False)
        vb = self.plot.getViewBox()
        vb.invertY(True)  # Monday at the top, like a calendar
        vb.setRange(xRange=(0, 24), yRange=(0, 7), padding=0.0)
        vb.setLimits(xMin=0, xMax=24, yMin=0, yMax=7)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setRect(0, 0, 24, 7)
        self.image.setLookupTable(pg.colormap.get("viridis").getLookupTable(nPts=256))
        self.plot.addItem(self.image)
        self.outline = pg.ScatterPlotItem(pxMode=False, symbol="s", size=1.0, brush=None,
                                          pen=pg.mkPen("#ff2d2d", width=2.5))
        self.plot.addItem(self.outline)
        bottom = self.plot.getAxis("bottom")
        bottom.setTicks([[(h + 0.5, f"{h:02d}") for h in range(0, 24, 3)], [(h + 0.5, "") for h in range(24)]])
        bottom.setLabel("hour of day")
        self.plot.getAxis("left").setTicks([[(d + 0.5, DAYS[d]) for d in range(7)]])
        layout.addWidget(self.plot, 1)
        self.hover = QLabel(HOVER_HINT)
        self.hover.setObjectName("heatHover")
        self.hover.setWordWrap(True)
        layout.addWidget(self.hover)
        scene = self.plot.scene()
        scene.sigMouseMoved.connect(self._on_moved)
        scene.sigMouseClicked.connect(self._on_clicked)

    def set_table(self, table: np.ndarray, unit: str) -> None:
        """Show ``table`` (rows Monday..Sunday, columns hours); ``unit`` names its values."""
        self.table = np.asarray(table, dtype=float)
        self.unit = unit
        top = float(self.table.max()) if self.table.size else 0.0
        self.image.setImage(self.table, levels=(0.0, max(top, 1e-9)), autoLevels=False)
        self.image.setRect(0, 0, 24, 7)
        self.hover.setText(f"Colour: 0 (dark blue) to {top:,.0f} (yellow) {unit} per hour of the week. {HOVER_HINT}")

    def set_chosen(self, cells: set[Cell]) -> None:
        """Outline the cells the map is filtered to (none: no outline)."""
        spots = [{"pos": (h + 0.5, d + 0.5)} for d, h in sorted(cells)]
        self.outline.setData(spots)

    def chosen(self) -> set[Cell]:
        """The outlined cells."""
        data = self.outline.data
        return {(int(p[1]), int(p[0])) for p in zip(data["x"], data["y"])} if len(data) else set()

    def cell_at(self, scene_pos: QPointF) -> Cell | None:
        """(day, hour) under a scene position, None outside the table."""
        p = self.plot.getViewBox().mapSceneToView(scene_pos)
        h, d = int(np.floor(p.x())), int(np.floor(p.y()))
        return (d, h) if 0 <= d < 7 and 0 <= h < 24 else None

    def cell_pos(self, day: int, hour: int) -> QPoint:
        """Viewport pixel of the centre of cell (day, hour) (for tests and tool tips)."""
        scene = self.plot.getViewBox().mapViewToScene(QPointF(hour + 0.5, day + 0.5))
        return self.plot.mapFromScene(scene)

    def value_text(self, day: int, hour: int) -> str:
        v = self.table[day, hour]
        share = v / self.table.sum() if self.table.sum() > 0 else 0.0
        value = f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}"
        return f"{cell_label(day, hour)}: {value} {self.unit} ({share:.1%} of the week)"

    def _on_moved(self, scene_pos: QPointF) -> None:
        cell = self.cell_at(scene_pos)
        if cell is None:
            return
        text = self.value_text(*cell)
        self.hover.setText(text)
        view_pos = self.plot.mapFromScene(scene_pos)
        QToolTip.showText(self.plot.viewport().mapToGlobal(view_pos), text, self.plot)

    def _on_clicked(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        cell = self.cell_at(event.scenePos())
        if cell is not None:
            add = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            self.cell_clicked.emit(cell[0], cell[1], add)
