"""Near repeat results: the Knox table with explicit row/column meanings, cells coloured by
significance, and "Draw risk areas" around the most recent incidents."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import geopandas as gpd
import numpy as np
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hotspot_desktop.core.analysis.near_repeat import (
    KnoxResult,
    RiskWindow,
    risk_polygons,
    risk_window,
)
from hotspot_desktop.core.model import PointLayer, VectorLayer
from hotspot_desktop.core.styles import LayerStyle, Symbol

# Significance colours: strong / significant / not significant near-repeat excess; white otherwise.
SIG_COLOURS = {"p ≤ 0.01": "#d7301f", "p ≤ 0.05": "#fc8d59", "p ≤ 0.10": "#fdd49e"}
LEGEND = ("Rows: distance between incidents. Columns: days between incidents. Each cell: observed ÷ expected "
          "pairs (Monte Carlo p). Shaded: more pairs than chance — dark p ≤ 0.01, orange p ≤ 0.05, "
          "light p ≤ 0.10.")


def cell_colour(ratio: float, p: float) -> str | None:
    """Background of a Knox cell: shaded only where pairs exceed the expectation significantly."""
    if not np.isfinite(ratio) or ratio <= 1.0:
        return None
    if p <= 0.01:
        return SIG_COLOURS["p ≤ 0.01"]
    if p <= 0.05:
        return SIG_COLOURS["p ≤ 0.05"]
    if p <= 0.10:
        return SIG_COLOURS["p ≤ 0.10"]
    return None


class KnoxDock(QDockWidget):
    """Shows a KnoxResult; ``add_layer`` is called with the risk area layer."""

    def __init__(self, add_layer: Callable[[Any], None], parent: QWidget | None = None) -> None:
        super().__init__("Near repeats (Knox test)", parent)
        self.setObjectName("KnoxDock")
        self.add_layer = add_layer
        self.result: KnoxResult | None = None
        self.points: PointLayer | None = None
        self.window: RiskWindow | None = None
        self.run_requested: Callable[[], None] | None = None
        body = QWidget(self)
        layout = QVBoxLayout(body)
        self.summary = QLabel("Run Tools ▸ Patterns ▸ Near repeat (Knox test) to fill this table.")
        self.summary.setObjectName("knoxSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.axes = QLabel("↓ distance between incidents   → days between incidents")
        self.axes.setObjectName("knoxAxes")
        layout.addWidget(self.axes)
        self.table = QTableWidget(0, 0)
        self.table.setObjectName("knoxTable")
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        layout.addWidget(self.table, 1)
        legend = QLabel(LEGEND)
        legend.setObjectName("knoxLegend")
        legend.setWordWrap(True)
        layout.addWidget(legend)
        buttons = QHBoxLayout()
        self.run_button = QPushButton("Run Knox test…")
        self.run_button.setObjectName("knoxRun")
        self.run_button.clicked.connect(lambda: self.run_requested() if self.run_requested else None)
        buttons.addWidget(self.run_button)
        self.draw_button = QPushButton("Draw risk areas")
        self.draw_button.setObjectName("knoxDrawRisk")
        self.draw_button.setToolTip("Add the areas around the most recent incidents where a near repeat is "
                                    "most likely, as a polygon layer")
        self.draw_button.clicked.connect(self.draw_risk_areas)
        self.draw_button.setEnabled(False)
        buttons.addWidget(self.draw_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.caption = QLabel("")
        self.caption.setObjectName("knoxCaption")
        self.caption.setWordWrap(True)
        layout.addWidget(self.caption)
        self.table.setMinimumHeight(170)
        area = QScrollArea(self)
        area.setWidgetResizable(True)
        area.setFrameShape(QScrollArea.Shape.NoFrame)
        area.setWidget(body)
        self.setWidget(area)

    def set_result(self, result: KnoxResult, points: PointLayer | None) -> None:
        """Show ``result``; ``points`` are the incidents it was computed from (for risk areas)."""
        self.result = result
        self.points = points
        self.window = risk_window(result)
        t = self.table
        t.clear()
        t.setRowCount(len(result.distance_labels))
        t.setColumnCount(len(result.time_labels))
        t.setVerticalHeaderLabels([f"distance: {lab}" for lab in result.distance_labels])
        t.setHorizontalHeaderLabels([f"days apart: {lab}" for lab in result.time_labels])
        for r in range(t.rowCount()):
            for c in range(t.columnCount()):
                ratio, p = float(result.ratio[r, c]), float(result.p_value[r, c])
                text = "–" if not np.isfinite(ratio) else f"{ratio:.2f} (p {p:.3f})"
                item = QTableWidgetItem(text)
                item.setToolTip(f"{int(result.observed[r, c])} pairs observed, {result.expected[r, c]:.1f} expected "
                                f"({result.distance_labels[r]} apart, {result.time_labels[c]} apart)")
                colour = cell_colour(ratio, p)
                if colour is not None:
                    item.setBackground(QBrush(QColor(colour)))
                t.setItem(r, c, item)
        t.resizeColumnsToContents()
        where = points.name if points is not None else "incidents"
        self.summary.setText(f"Knox test of {where}: {result.simulations} simulations, seed {result.seed}. "
                             + (self.window.text if self.window else
                                "No significant near-repeat pattern at the closest distance and time bands."))
        self.draw_button.setEnabled(self.window is not None and points is not None)
        self.caption.setText("")

    def draw_risk_areas(self) -> VectorLayer | None:
        """Add the risk-window buffers around the most recent incidents as a polygon layer."""
        if self.window is None or self.points is None or self.points.times is None:
            return None
        w, pts = self.window, self.points
        area, n_recent = risk_polygons(pts.x, pts.y, pts.times, w)
        if area.is_empty:
            self.caption.setText("No incidents in the last risk window: nothing to draw.")
            return None
        as_of = pts.times.max().date().isoformat()
        caption = (f"Near-repeat risk to {as_of}: within {max(w.distance_m, 25.0):g} m of the {n_recent} incidents "
                   f"of the last {w.days:g} days")
        gdf = gpd.GeoDataFrame({"distance_m": [w.distance_m], "days": [w.days], "incidents": [n_recent],
                                "as_of": [as_of], "caption": [w.text], "area_km2": [area.area / 1e6]},
                               geometry=[area])
        layer = VectorLayer(f"Near-repeat risk ({w.distance_m:g} m, {w.days:g} days)", gdf,
                            geometry_kind="polygon", source_crs=pts.source_crs)
        layer.style = LayerStyle(symbol=Symbol(fill="#D55E0055", outline="#D55E00ff", outline_width=1.0))
        self.add_layer(layer)
        self.caption.setText(f"{caption}. {w.text}")
        return layer
