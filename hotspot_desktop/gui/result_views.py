"""Docks for tool tables (pandas) and charts (ChartSpec rendered with pyqtgraph)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (QDockWidget, QFileDialog, QPushButton, QTableView, QVBoxLayout, QWidget)

from hotspot_desktop.core.styles import QUALITATIVE
from hotspot_desktop.tools.base import TIME_AXIS_LABEL, ChartSpec, TableResult, hour_label
from hotspot_desktop.tools.charts import x_positions

BAR_HEIGHT = 0.72  # timeline bars: share of a lane's height
MAX_BAR_LABELS = 800  # timelines with more bars are labelled by colour and tooltip only


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

    def proposed_path(self) -> str:
        """The file name 'Save CSV…' proposes: the table's title with the characters Windows
        forbids in file names (``<>:"/\\|?*``) replaced, in the project's folder when the
        project has been saved."""
        name = re.sub(r'\s*[<>:"/\\|?*]+\s*', " - ", self.result.title).strip(" .-") or "table"
        project = getattr(self.parent(), "project", None)
        folder = getattr(project, "path", None)
        return str(Path(folder).parent / f"{name}.csv") if folder else f"{name}.csv"

    def _save(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save table", self.proposed_path(), "CSV (*.csv)")
        if path:
            self.result.write_csv(path)


class ChartDock(QDockWidget):
    """A ChartSpec drawn with pyqtgraph (line, bar, scatter, step or timeline)."""

    def __init__(self, spec: ChartSpec, parent: QWidget | None = None) -> None:
        super().__init__(f"Chart: {spec.title}", parent)
        import pyqtgraph as pg

        self.setObjectName(f"chart_{spec.title}")
        self.spec = spec
        self.plot = pg.PlotWidget(self, background="w")
        self.plot.setTitle(spec.title, color="k")
        self.plot.setLabel("bottom", TIME_AXIS_LABEL if spec.kind == "timeline" else spec.x_label)
        self.plot.setLabel("left", spec.y_label)
        self.bar_items: dict[str, Any] = {}  # timeline: one bar item per label (zone)
        self.bar_labels: list[Any] = []  # timeline: text on the bars, shown when they are wide enough
        if spec.kind == "timeline":
            self._draw_timeline(spec)
            self.setWidget(self.plot)
            return
        # Top right, above the data: bar charts get headroom below so the legend never hides a bar.
        self.plot.addLegend(offset=(-10, 10))
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
        if spec.kind == "bar":
            values = np.concatenate([np.asarray(v, dtype=float) for v in spec.series.values()] or [np.zeros(1)])
            values = values[np.isfinite(values)]
            top = float(values.max()) if values.size else 1.0
            bottom = min(0.0, float(values.min()) if values.size else 0.0)
            if top > 0:
                self.plot.setYRange(bottom, top * (1.0 + 0.12 * (len(spec.series) + 1)), padding=0)
        self.setWidget(self.plot)

    # --- timelines ---------------------------------------------------------------------------
    def _draw_timeline(self, spec: ChartSpec) -> None:
        """Lanes top to bottom, a bar per entry coloured by its label, clock-time ticks, a faint
        line between days, labels on bars wide enough to hold them and a tooltip per bar."""
        import pyqtgraph as pg

        bars = spec.bars()
        lanes = spec.lanes or [str(i) for i in range(max((b[0] for b in bars), default=-1) + 1)]
        plot_item = self.plot.getPlotItem()
        plot_item.invertY(True)
        plot_item.showGrid(x=True, y=False, alpha=0.25)
        # The legend sits under the time axis, in the plot's own layout, so it never hides a bar.
        legend = pg.LegendItem(colCount=max(1, min(len(spec.groups), 8)), labelTextColor="#222222")
        plot_item.layout.addItem(legend, 5, 1)
        self.legend = legend
        by_label: dict[str, list[tuple[int, float, float, str]]] = {}
        for b in bars:
            by_label.setdefault(b[3], []).append(b)
        for label in sorted(by_label, key=spec.colour_index):
            rows = np.asarray([b[:3] for b in by_label[label]], dtype=float)
            colour = QUALITATIVE[spec.colour_index(label) % len(QUALITATIVE)]
            item = pg.BarGraphItem(x0=rows[:, 1], width=rows[:, 2] - rows[:, 1], y=rows[:, 0], height=BAR_HEIGHT,
                                   brush=colour, pen=pg.mkPen("#333333", width=0.5), name=label)
            self.plot.addItem(item)
            legend.addItem(item, label)
            self.bar_items[label] = item
        days = [lane.split(" · ")[0] for lane in lanes]
        for i in range(1, len(lanes)):
            if days[i] != days[i - 1]:
                self.plot.addItem(pg.InfiniteLine(pos=i - 0.5, angle=0, pen=pg.mkPen("#b0b0b0", width=1)))
        left = self.plot.getAxis("left")
        left.setWidth(QFontMetrics(left.font()).horizontalAdvance(max(lanes, key=len, default="")) + 40)
        self._lanes, self._lane_px = lanes, -1
        lo, hi = spec.x_range or (min((b[1] for b in bars), default=0.0), max((b[2] for b in bars), default=24.0))
        every = 1 if hi - lo <= 12 else 2 if hi - lo <= 24 else 6
        first = np.ceil(lo / every) * every
        self.plot.getAxis("bottom").setTicks([[(float(h), hour_label(h)) for h in np.arange(first, hi + 1e-9, every)],
                                              [(float(h), "") for h in np.arange(np.ceil(lo), hi + 1e-9, 1.0)]])
        self.plot.setXRange(lo, hi, padding=0.045)  # room for the first and last hour label
        self.plot.setYRange(-0.5, len(lanes) - 0.5, padding=0)
        plot_item.getViewBox().setLimits(xMin=lo - 1, xMax=hi + 1, yMin=-1, yMax=len(lanes))
        vb = plot_item.getViewBox()
        vb.sigRangeChanged.connect(self._fit_lane_ticks)
        vb.sigResized.connect(self._fit_lane_ticks)
        self._fit_lane_ticks()
        if len(bars) <= MAX_BAR_LABELS:
            for lane, a, b, label in bars:
                text = pg.TextItem(label, color="#111111", anchor=(0.5, 0.5))
                text.setPos((a + b) / 2, lane)
                text.setZValue(5)
                self.plot.addItem(text)
                self.bar_labels.append((text, b - a))
            plot_item.getViewBox().sigRangeChanged.connect(self._fit_bar_labels)
            plot_item.getViewBox().sigResized.connect(self._fit_bar_labels)
            self._fit_bar_labels()
        self._bars = bars
        self.plot.scene().sigMouseMoved.connect(self._hover)

    def _fit_lane_ticks(self, *_args: Any) -> None:
        """Name every lane when lanes are tall enough for text; else only each day, at its first
        lane (every n-th day when even that is too crowded), so labels never pile up."""
        vb = self.plot.getPlotItem().getViewBox()
        shown = max(vb.viewRange()[1][1] - vb.viewRange()[1][0], 1e-9)
        lane_px = vb.height() / shown
        if int(lane_px) == self._lane_px:
            return
        self._lane_px = int(lane_px)
        lanes = self._lanes
        text_px = QFontMetrics(self.plot.getAxis("left").font()).height() + 1
        minor = [(float(i), "") for i in range(len(lanes))]
        if lane_px >= text_px:
            major = [(float(i), lane) for i, lane in enumerate(lanes)]
        else:
            days = [lane.split(" · ")[0] for lane in lanes]
            firsts = [i for i in range(len(lanes)) if i == 0 or days[i] != days[i - 1]]
            per_day = len(lanes) / max(len(firsts), 1)
            every = max(1, int(np.ceil(text_px / max(lane_px * per_day, 1e-9))))
            major = [(float(i), days[i]) for i in firsts[::every]]
        self.plot.getAxis("left").setTicks([major, minor])

    def _fit_bar_labels(self, *_args: Any) -> None:
        """Show a bar's text only when the bar is wider on screen than the text."""
        vb = self.plot.getPlotItem().getViewBox()
        px_per_hour = vb.width() / max(vb.viewRange()[0][1] - vb.viewRange()[0][0], 1e-9)
        for text, hours in self.bar_labels:
            text.setVisible(hours * px_per_hour >= text.boundingRect().width() + 2)

    def _hover(self, pos: Any) -> None:
        vb = self.plot.getPlotItem().getViewBox()
        if not vb.sceneBoundingRect().contains(pos):
            return
        p = vb.mapSceneToView(pos)
        hit = next((b for b in self._bars if b[1] <= p.x() <= b[2] and abs(p.y() - b[0]) <= BAR_HEIGHT / 2), None)
        lanes = self.spec.lanes
        self.plot.setToolTip("" if hit is None else
                             f"{hit[3]}\n{lanes[hit[0]] if hit[0] < len(lanes) else ''}\n"
                             f"{hour_label(hit[1])}-{hour_label(hit[2])} ({(hit[2] - hit[1]) * 60:.0f} min)")


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
