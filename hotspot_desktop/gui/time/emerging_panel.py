""""Why this class?": an emerging hot spot cell's Gi* z-series over time with the significance
thresholds, its Mann–Kendall trend statistics and the ESRI rule that gave its class."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from hotspot_desktop.core.analysis.emerging import ESRI_RULES
from hotspot_desktop.core.analysis.time_results import (
    EmergingCell,
    emerging_cell,
    rule_for,
)

HINT = ("Run Tools ▸ Hot spots ▸ Emerging hot spots, then click a cell of its layer with the Identify tool "
        "to see why it got its class.")


def is_emerging_layer(layer: Any) -> bool:
    """A result layer of the emerging hot spot tool that keeps each cell's z-series."""
    gdf = getattr(layer, "gdf", None)
    return gdf is not None and {"z_series", "class"} <= set(gdf.columns)


class WhyClassPanel(QWidget):
    """Explains one cell of an emerging hot spot layer; ``show_cell(layer, row)`` chooses it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("whyClassPanel")
        self.cell: EmergingCell | None = None
        layout = QVBoxLayout(self)
        self.heading = QLabel(HINT)
        self.heading.setObjectName("whyHeading")
        self.heading.setWordWrap(True)
        layout.addWidget(self.heading)
        self.plot = pg.PlotWidget(self, background="w", axisItems={"bottom": pg.DateAxisItem()})
        self.plot.setMinimumHeight(150)
        self.plot.setLabel("left", "Gi* z")
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        layout.addWidget(self.plot, 1)
        self.explanation = QLabel("")
        self.explanation.setObjectName("whyExplanation")
        self.explanation.setWordWrap(True)
        self.explanation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.explanation)
        self.rules_button = QPushButton("Show the 17 class rules")
        self.rules_button.setObjectName("whyRulesButton")
        self.rules_button.setCheckable(True)
        layout.addWidget(self.rules_button)
        self.rules = QTextBrowser()
        self.rules.setObjectName("whyRules")
        self.rules.setPlainText(ESRI_RULES)
        self.rules.setVisible(False)
        self.rules_button.toggled.connect(self.rules.setVisible)
        layout.addWidget(self.rules, 1)

    def show_cell(self, layer: Any, row: int) -> bool:
        """Explain row ``row`` of ``layer``; False when the layer keeps no z-series."""
        if not is_emerging_layer(layer):
            return False
        prov = getattr(layer, "provenance", None)
        alpha = float(prov.parameters.get("alpha", 0.05)) if prov is not None else 0.05
        rec = layer.gdf.iloc[int(row)]
        cell = emerging_cell(rec, alpha=alpha)
        if cell is None:
            return False
        self.cell = cell
        where = f"row {int(rec['row'])}, column {int(rec['col'])}" if "row" in rec else f"#{int(row) + 1}"
        self.heading.setText(f"<b>{layer.name}</b>: cell {where}, {int(rec.get('incidents', 0))} incidents")
        self._draw(cell)
        self.explanation.setText(f"{cell.explain()}\n\nRule: {rule_for(cell.code)}")
        return True

    def _draw(self, cell: EmergingCell) -> None:
        self.plot.clear()
        x = cell.steps.astype("datetime64[s]").astype(np.int64).to_numpy().astype(float)
        self.plot.plot(x, cell.z, pen=pg.mkPen("#333333", width=2), symbol="o", symbolSize=5,
                       symbolBrush=["#d62728" if p < cell.alpha and z > 0 else "#1f77b4" if p < cell.alpha else "#bbbbbb"
                                    for z, p in zip(np.nan_to_num(cell.z), cell.p)])
        for y in (cell.threshold, -cell.threshold):
            self.plot.addItem(pg.InfiniteLine(pos=y, angle=0, pen=pg.mkPen("#d62728" if y > 0 else "#1f77b4",
                                                                           style=Qt.PenStyle.DashLine),
                                              label=f"z = {y:+.2f} (p = {cell.alpha})",
                                              labelOpts={"position": 0.93, "color": "#555"}))
        self.plot.setTitle("Gi* z per time step (red/blue dots: significantly hot/cold)", color="k", size="9pt")
