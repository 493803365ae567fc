"""Docks for tool tables (pandas) and charts (ChartSpec rendered with pyqtgraph)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (QDockWidget, QFileDialog, QPushButton, QTableView, QVBoxLayout, QWidget)

from hotspot_desktop.core.styles import QUALITATIVE
from hotspot_desktop.tools.base import ChartSpec, TableResult
from hotspot_desktop.tools.charts import x_positions


SORT_ROLE = Qt.ItemDataRole.UserRole + 1


class DataFrameModel(QAbstractTableModel):
    """Read-only table model over a pandas DataFrame."""

    def __init__(self, frame: pd.DataFrame, parent: Any = None) -> None:
        super().__init__(parent)
        self.frame = frame

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802 (Qt API)
        return 0 if parent.isValid() else len(self.frame)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.frame.columns)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        v = self.frame.iat[index.row(), index.column()]
        if role == SORT_ROLE:
            # Numbers sort as numbers, everything else as text; missing values last.
            if isinstance(v, int | float | np.number) and not (isinstance(v, float | np.floating) and np.isnan(v)):
                return float(v)
            return None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
        if role == Qt.ItemDataRole.DisplayRole:
            if isinstance(v, float | np.floating):
                return "" if np.isnan(v) else f"{v:,.4g}" if abs(v) < 1e5 else f"{v:,.0f}"
            return "" if v is None else str(v)
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(v, int | float | np.number):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return str(self.frame.columns[section])
        return str(section + 1)


class TableDock(QDockWidget):
    """A result table with a 'Save CSV…' button."""

    def __init__(self, table: TableResult, parent: QWidget | None = None) -> None:
        super().__init__(table.title, parent)
        self.setObjectName(f"table_{table.title}")
        self.result = table
        body = QWidget(self)
        lay = QVBoxLayout(body)
        self.view = QTableView(body)
        self.source_model = DataFrameModel(table.frame, self.view)
        proxy = QSortFilterProxyModel(self.view)
        proxy.setSourceModel(self.source_model)
        proxy.setSortRole(SORT_ROLE)
        self.view.setModel(proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # keep the tool's own order until clicked
        save = QPushButton("Save CSV…", body)
        save.clicked.connect(self._save)
        lay.addWidget(self.view)
        lay.addWidget(save)
        self.setWidget(body)

    def _save(self) -> None:
        from hotspot_desktop.core.io.writers import write_table_csv

        path, _ = QFileDialog.getSaveFileName(self, "Save table", f"{self.result.title}.csv", "CSV (*.csv)")
        if path:
            write_table_csv(self.result.frame, path)


class ChartDock(QDockWidget):
    """A ChartSpec drawn with pyqtgraph (line, bar, scatter or step)."""

    def __init__(self, spec: ChartSpec, parent: QWidget | None = None) -> None:
        super().__init__(f"Chart: {spec.title}", parent)
        import pyqtgraph as pg

        self.setObjectName(f"chart_{spec.title}")
        self.spec = spec
        self.plot = pg.PlotWidget(self, background="w")
        self.plot.setTitle(spec.title, color="k")
        self.plot.setLabel("bottom", spec.x_label)
        self.plot.setLabel("left", spec.y_label)
        self.plot.addLegend()
        x, ticks = x_positions(spec.x)
        if ticks is not None:
            step = max(1, len(ticks) // 12)
            self.plot.getAxis("bottom").setTicks([[(float(i), t) for i, t in enumerate(ticks)][::step]])
        n = max(1, len(spec.series))
        for i, (label, ys) in enumerate(spec.series.items()):
            color = QUALITATIVE[i % len(QUALITATIVE)]
            y = np.asarray(ys, dtype=float)
            if spec.kind == "bar":
                width = 0.8 / n
                self.plot.addItem(pg.BarGraphItem(x=x - 0.4 + width * (i + 0.5), height=y, width=width,
                                                  brush=color, name=label))
            elif spec.kind == "scatter":
                self.plot.plot(x, y, pen=None, symbol="o", symbolBrush=color, name=label)
            else:
                self.plot.plot(x, y, pen=pg.mkPen(color, width=2), name=label,
                               stepMode="center" if spec.kind == "step" and len(x) == len(y) + 1 else None)
        for label, yv in spec.hlines.items():
            self.plot.addItem(pg.InfiniteLine(pos=yv, angle=0, pen=pg.mkPen("#666", style=Qt.PenStyle.DashLine),
                                              label=label))
        self.setWidget(self.plot)


def show_results(window: Any, tables: list[TableResult], charts: list[ChartSpec]) -> list[QDockWidget]:
    """Add docks for ``tables`` and ``charts`` to ``window``, tabified at the bottom."""
    docks: list[QDockWidget] = [TableDock(t, window) for t in tables] + [ChartDock(c, window) for c in charts]
    previous = getattr(window, "_result_docks", [])
    for dock in docks:
        dock.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        anchor = next((d for d in reversed(previous) if d.isVisible()), None)
        if anchor is not None:
            window.tabifyDockWidget(anchor, dock)
        previous.append(dock)
        dock.show()
        dock.raise_()
    window._result_docks = [d for d in previous]
    return docks
