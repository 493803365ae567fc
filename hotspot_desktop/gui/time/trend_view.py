"""Trend tab: incidents per day/week/month per offence type with the moving average."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hotspot_desktop.core.analysis.temporal import TrendResult, trend
from hotspot_desktop.core.styles import QUALITATIVE


class TrendView(QWidget):
    """Line chart of :func:`core.analysis.temporal.trend`: thin lines = counts, dashed = moving average."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timeTrend")
        self.result: TrendResult | None = None
        self.title = ""
        self._times: pd.Series | None = None
        self._offences: pd.Series | None = None
        self._stale = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(QLabel("Per"))
        self.period = QComboBox()
        self.period.setObjectName("trendPeriod")
        self.period.addItems(["week", "day", "month"])
        self.period.currentTextChanged.connect(lambda _t: self._recompute())
        row.addWidget(self.period)
        self.by_offence = QCheckBox("one line per offence type")
        self.by_offence.setObjectName("trendByOffence")
        self.by_offence.setChecked(True)
        self.by_offence.toggled.connect(lambda _on: self._recompute())
        row.addWidget(self.by_offence)
        row.addStretch(1)
        self.save_button = QPushButton("Save chart…")
        self.save_button.setObjectName("trendSave")
        self.save_button.clicked.connect(self._save)
        row.addWidget(self.save_button)
        layout.addLayout(row)
        self.plot = pg.PlotWidget(self, background="w", axisItems={"bottom": pg.DateAxisItem()})
        self.plot.setMinimumHeight(170)
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        self.legend = self.plot.addLegend(offset=(-10, 10), brush=pg.mkBrush(255, 255, 255, 210),
                                          labelTextColor="#222222", colCount=2)
        layout.addWidget(self.plot, 1)
        self.hover = QLabel("")
        self.hover.setObjectName("trendHover")
        self.hover.setWordWrap(True)
        layout.addWidget(self.hover)
        self.curves: dict[str, tuple[pg.PlotDataItem, pg.PlotDataItem]] = {}
        self.plot.scene().sigMouseMoved.connect(self._on_moved)

    def set_data(self, times: pd.Series | None, offences: pd.Series | None, title: str) -> None:
        """Incidents to chart (already filtered to the dock's source) and the chart title."""
        self._times = times
        self._offences = offences
        self.title = title
        # Counting 100,000 incidents per offence takes a noticeable moment: only for a shown chart.
        self._stale = True
        if self.isVisible():
            self._recompute()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale:
            self._recompute()

    def series_names(self) -> list[str]:
        return list(self.curves)

    def _recompute(self) -> None:
        self._stale = False
        self.plot.clear()
        self.legend.clear()
        self.curves = {}
        self.result = None
        if self._times is None or self._times.notna().sum() == 0:
            self.plot.setTitle("No dated incidents", color="k")
            return
        groups = self._offences if self.by_offence.isChecked() and self._offences is not None else None
        self.result = trend(self._times, groups, freq=self.period.currentText())
        x = self.result.counts.index.astype("datetime64[s]").astype(np.int64).astype(float)
        for i, name in enumerate(self.result.counts.columns):
            colour = QUALITATIVE[i % len(QUALITATIVE)]
            raw = self.plot.plot(x, self.result.counts[name].to_numpy(float), pen=pg.mkPen(colour, width=1), name=name)
            raw.setOpacity(0.55)
            ma = self.plot.plot(x, self.result.moving_average[name].to_numpy(float),
                                pen=pg.mkPen(colour, width=2.5, style=Qt.PenStyle.DashLine))
            self.curves[str(name)] = (raw, ma)
        self.plot.setTitle(self.title, color="k")
        self.plot.setLabel("left", f"incidents per {self.result.freq}")

    def value_text(self, x: float) -> str:
        """The counts of the period nearest to x (seconds since 1970) for every series."""
        if self.result is None or self.result.counts.empty:
            return ""
        idx = self.result.counts.index
        secs = idx.astype("datetime64[s]").astype(np.int64).to_numpy()
        i = int(np.clip(np.searchsorted(secs, x), 0, len(idx) - 1))
        if i > 0 and abs(secs[i - 1] - x) < abs(secs[i] - x):
            i -= 1
        row = self.result.counts.iloc[i]
        ma = self.result.moving_average.iloc[i]
        parts = [f"{name}: {int(row[name])} (avg {ma[name]:.1f})" for name in self.result.counts.columns]
        return f"{self.result.freq} of {idx[i].date()}: " + "; ".join(parts)

    def _on_moved(self, scene_pos: QPointF) -> None:
        if self.result is None:
            return
        p = self.plot.getViewBox().mapSceneToView(scene_pos)
        self.hover.setText(self.value_text(p.x()))

    def _save(self) -> None:
        if self.result is None:
            return
        path, _ = QFileDialog.getSaveFileName(self, "Save trend chart", "trend.png", "PNG (*.png);;PDF (*.pdf);;SVG (*.svg)")
        if path:
            from hotspot_desktop.export.charts import save_trend_chart

            save_trend_chart(self.result, path, title=self.title)
