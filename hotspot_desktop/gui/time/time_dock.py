"""The Time dock: when the active point layer's incidents happen.

"Layer" lists the point layers with dates: the incidents, then community input (survey
responses, service requests) marked as such; the dock follows the active incident layer, and
describes a community layer only when the analyst picks it in that list.
Tab "Hour × day": a weekday × hour heat map (counts, or aoristic weights when incidents have a
``time_end``) of the whole filtered layer, the selection, a zone or selected hot spot polygons;
clicking cells filters the map to those hours and weekdays, keeping the date and offence parts
of the filter; the busiest windows are listed as sentences underneath.
Tab "Trend": incidents per day/week/month per offence type with the moving average.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from hotspot_desktop.core.analysis.time_filter import (
    Cell,
    cells_to_filter,
    filter_cells,
    filter_mask,
    has_windows,
    heat_table,
    offence_noun,
    peak_sentences,
    without_clock,
)
from hotspot_desktop.core.model import Layer, PointLayer, Project
from hotspot_desktop.gui.time.heatmap_view import HeatMapView
from hotspot_desktop.gui.time.sources import Source, source_mask, sources
from hotspot_desktop.gui.time.trend_view import TrendView


class TimeDock(QDockWidget):
    """Heat map and trend of one point layer; ``set_layer`` chooses it. Picking a layer in the
    "Layer" list emits ``layer_chosen(layer)`` (the Time UI then sets it here and on the filter bar)."""

    layer_chosen = Signal(object)

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__("Time", parent)
        self.setObjectName("TimeDock")
        self.project = project
        self.layer: PointLayer | None = None
        self.clicked: set[Cell] = set()  # cells chosen by clicks (the filter holds their hours × days)
        self._watched: list[Layer] = []
        self._cache_key: Any = None
        self._pending = QTimer(self)
        self._pending.setSingleShot(True)
        self._pending.setInterval(0)
        self._pending.timeout.connect(self.refresh)

        body = QWidget(self)
        layout = QVBoxLayout(body)
        self.title = QLabel("Select an incident (point) layer with dates.")
        self.title.setObjectName("timeTitle")
        self.title.setWordWrap(True)
        layout.addWidget(self.title)
        row = QHBoxLayout()
        row.addWidget(QLabel("Layer"))
        self.layer_box = QComboBox()
        self.layer_box.setObjectName("timeLayer")
        self.layer_box.setToolTip("The point layer described here. Community input (survey responses, service "
                                  "requests) is listed after the incidents and is shown only when picked.")
        self.layer_box.activated.connect(self._on_layer_picked)
        row.addWidget(self.layer_box, 1)
        layout.addLayout(row)
        row = QHBoxLayout()
        row.addWidget(QLabel("Incidents in"))
        self.source = QComboBox()
        self.source.setObjectName("timeSource")
        self.source.currentIndexChanged.connect(lambda _i: self.schedule_refresh())
        row.addWidget(self.source, 1)
        layout.addLayout(row)
        row = QHBoxLayout()
        self.aoristic = QCheckBox("Aoristic weights")
        self.aoristic.setObjectName("timeAoristic")
        self.aoristic.setToolTip("Spread an incident known only within a time window over the hours it may have "
                                 "happened in (Ratcliffe 2002); off: count each at its start time.")
        self.aoristic.toggled.connect(lambda _on: self.schedule_refresh())
        row.addWidget(self.aoristic)
        row.addStretch(1)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setObjectName("timeClearCells")
        self.clear_button.setToolTip("Show every hour and weekday again")
        self.clear_button.clicked.connect(self.clear_cells)
        row.addWidget(self.clear_button)
        layout.addLayout(row)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("timeTabs")
        heat_tab = QWidget()
        heat_layout = QVBoxLayout(heat_tab)
        heat_layout.setContentsMargins(2, 2, 2, 2)
        self.heatmap = HeatMapView(heat_tab)
        self.heatmap.cell_clicked.connect(self.choose_cell)
        heat_layout.addWidget(self.heatmap, 1)
        self.peaks = QLabel("")
        self.peaks.setObjectName("timePeaks")
        self.peaks.setWordWrap(True)
        self.peaks.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        heat_layout.addWidget(self.peaks)
        self.save_heatmap_button = QPushButton("Save image…")
        self.save_heatmap_button.setObjectName("timeSaveHeatMap")
        self.save_heatmap_button.setToolTip("The heat map and its busiest windows as PNG, PDF or SVG")
        self.save_heatmap_button.clicked.connect(self._save_heatmap)
        heat_layout.addWidget(self.save_heatmap_button, 0, Qt.AlignmentFlag.AlignRight)
        self.tabs.addTab(heat_tab, "Hour × day")
        self.trend = TrendView()
        self.tabs.addTab(self.trend, "Trend")
        layout.addWidget(self.tabs, 1)
        # Scrolls rather than forcing its minimum height on a right column already full of docks.
        area = QScrollArea(self)
        area.setWidgetResizable(True)
        area.setFrameShape(QScrollArea.Shape.NoFrame)
        area.setWidget(body)
        self.setWidget(area)
        self.visibilityChanged.connect(lambda visible: self._pending.start() if visible else None)
        self.set_project(project)

    # --- wiring ----------------------------------------------------------------------------
    def set_project(self, project: Project) -> None:
        """Follow ``project`` (after New/Open); the layer is chosen again with ``set_layer``."""
        for sig in (self.project.layers.inserted, self.project.layers.removed):
            sig.disconnect(self._on_layers_changed)
        self.project = project
        project.layers.inserted.connect(self._on_layers_changed)
        project.layers.removed.connect(self._on_layers_changed)
        self.set_layer(None)

    def set_layer(self, layer: PointLayer | None) -> None:
        """Describe ``layer`` (a point layer with a time column; anything else: empty dock)."""
        if self.layer is not None and layer is self.layer:
            return
        self.layer = layer if isinstance(layer, PointLayer) and layer.times is not None else None
        self.clicked = set()
        self._cache_key = None
        self._rewatch()
        self.fill_layers()
        self._fill_sources()
        has_win = self.layer is not None and has_windows(self.layer)
        self.aoristic.blockSignals(True)
        self.aoristic.setEnabled(has_win)
        self.aoristic.setChecked(has_win)
        self.aoristic.blockSignals(False)
        self.schedule_refresh()

    def _rewatch(self) -> None:
        for lyr in self._watched:
            lyr.changed.disconnect(self._on_layer_changed)
        self._watched = []
        if self.layer is None:
            return
        others = [lyr for lyr in self.project.layers if lyr.kind in ("zones", "vector")]
        for lyr in [self.layer, *others]:
            lyr.changed.connect(self._on_layer_changed)
            self._watched.append(lyr)

    def layer_choices(self) -> list[PointLayer]:
        """The point layers with dates, top-most first: incidents, then community input."""
        dated = [lyr for lyr in reversed(list(self.project.layers))
                 if isinstance(lyr, PointLayer) and lyr.times is not None]
        return [lyr for lyr in dated if not lyr.is_community] + [lyr for lyr in dated if lyr.is_community]

    def fill_layers(self) -> None:
        """List the layers to pick from (after layers are added, removed, renamed or change role)."""
        self.layer_box.blockSignals(True)
        self.layer_box.clear()
        if self.layer is None:
            self.layer_box.addItem("(no incident layer with dates)", None)
        for lyr in self.layer_choices():
            self.layer_box.addItem(f"{lyr.name} (community input)" if lyr.is_community else lyr.name, lyr.id)
        self.layer_box.setCurrentIndex(max(0, self.layer_box.findData(None if self.layer is None else self.layer.id)))
        self.layer_box.setEnabled(bool(self.layer_choices()))
        self.layer_box.blockSignals(False)

    def _on_layer_picked(self, index: int) -> None:
        layer = self.project.layers.by_id(self.layer_box.itemData(index) or "")
        if isinstance(layer, PointLayer) and layer is not self.layer:
            self.layer_chosen.emit(layer)

    def _fill_sources(self) -> None:
        current = self.current_source()
        self.source.blockSignals(True)
        self.source.clear()
        for s in sources(self.project) if self.layer is not None else []:
            self.source.addItem(s.label, s)
        keep = next((i for i in range(self.source.count())
                     if current is not None and self.source.itemData(i) == current), 0)
        self.source.setCurrentIndex(keep)
        self.source.blockSignals(False)

    def _on_layers_changed(self, _index: int, _layer: Layer) -> None:
        if self.layer is not None and self.layer not in list(self.project.layers):
            self.set_layer(None)
            return
        self._rewatch()
        self.fill_layers()
        self._fill_sources()
        self.schedule_refresh()

    def _on_layer_changed(self, what: str) -> None:
        if what in ("filter", "data", "selection", "name"):
            if what in ("data", "name"):
                self._fill_sources()
            self.schedule_refresh()

    def current_source(self) -> Source | None:
        return self.source.currentData() if self.source.count() else None

    def set_source(self, kind: str, label_contains: str = "") -> bool:
        """Choose the first source of ``kind`` whose label contains ``label_contains``."""
        for i in range(self.source.count()):
            s: Source = self.source.itemData(i)
            if s.kind == kind and label_contains in s.label:
                self.source.setCurrentIndex(i)
                return True
        return False

    # --- cells -> filter ---------------------------------------------------------------------
    def choose_cell(self, day: int, hour: int, add: bool = False) -> None:
        """Filter the map to the clicked cell (``add``: also to the cells chosen before)."""
        if self.layer is None:
            return
        cell = (int(day), int(hour))
        if add:
            self.clicked = self.clicked ^ {cell} if cell in self.clicked else self.clicked | {cell}
        else:
            self.clicked = {cell}
        hours, weekdays = cells_to_filter(self.clicked)
        self.layer.filter = dataclasses.replace(self.layer.filter, hours=hours, weekdays=weekdays)

    def clear_cells(self) -> None:
        """Every hour and weekday again (dates and offences stay filtered)."""
        self.clicked = set()
        if self.layer is not None and (self.layer.filter.hours is not None or self.layer.filter.weekdays is not None):
            self.layer.filter = dataclasses.replace(self.layer.filter, hours=None, weekdays=None)

    # --- drawing -----------------------------------------------------------------------------
    def schedule_refresh(self) -> None:
        """Recompute after the current event (several changes in a row cost one refresh);
        a hidden dock waits until it is shown (the animation steps the filter several times a second)."""
        if self.isVisible():
            self._pending.start()

    def flush(self) -> None:
        """Run a pending refresh now (tests, screenshots)."""
        if self._pending.isActive():
            self._pending.stop()
            self.refresh()

    def refresh(self) -> None:
        """Recompute the heat map, peak sentences and trend for the layer, filter and source."""
        layer = self.layer
        enabled = layer is not None
        for w in (self.source, self.clear_button, self.tabs):
            w.setEnabled(enabled)
        if layer is None:
            self.title.setText("Select an incident (point) layer with dates.")
            self.heatmap.set_table(np.zeros((7, 24)), "incidents")
            self.heatmap.set_chosen(set())
            self.peaks.setText("")
            self.trend.set_data(None, None, "")
            return
        f = layer.filter
        if f.hours is None and f.weekdays is None:
            self.clicked = set()
        source = self.current_source() or Source("layer", "the whole layer")
        aoristic = self.aoristic.isChecked() and self.aoristic.isEnabled()
        base = without_clock(f)
        sel_key = None if layer.selection is None else tuple(np.asarray(layer.selection).tolist()[:10000])
        key = (layer.id, layer.data_version, repr(base), source, aoristic, sel_key, self._others_version())
        if key != self._cache_key:
            self._cache_key = key
            mask = filter_mask(layer, base) & source_mask(self.project, layer, source)
            self._mask = mask
            n = int(mask.sum())
            unit = "weighted incidents" if aoristic else "incidents"
            self.heatmap.set_table(heat_table(layer, mask, aoristic=aoristic), unit)
            what = offence_noun(f.offences)
            lines = peak_sentences(self.heatmap.table, what)
            head = f"Busiest 4-hour windows ({'aoristic' if aoristic else 'counts'}, {n:,} incidents):"
            self.peaks.setText(head + "\n" + "\n".join(f"• {s}" for s in lines) if lines
                               else "No incidents with a time here.")
            offences = layer.attributes["offence"][mask] if layer.has_column("offence") else None
            self.trend.set_data(layer.times[mask], offences, f"{layer.name}: {source.label}")
            what_rows = " (community input)" if layer.is_community else ""
            self.title.setText(f"<b>{layer.name}</b>{what_rows} — {source.label}; {base.describe()}")
        chosen = filter_cells(f.hours, f.weekdays) if (f.hours is not None or f.weekdays is not None) else set()
        self.heatmap.set_chosen(chosen)

    def _save_heatmap(self) -> None:
        if self.layer is None:
            return
        path, _ = QFileDialog.getSaveFileName(self, "Save heat map", "hour_by_day.png",
                                              "PNG (*.png);;PDF (*.pdf);;SVG (*.svg)")
        if path:
            from hotspot_desktop.export.charts import heatmap_figure, save_figure

            source = self.current_source() or Source("layer", "the whole layer")
            title = f"{self.layer.name}: {source.label}; {without_clock(self.layer.filter).describe()}"
            save_figure(heatmap_figure(self.heatmap.table, title=title, unit=self.heatmap.unit,
                                       what=offence_noun(self.layer.filter.offences)), path)

    def _others_version(self) -> tuple:
        """Data versions and selections of the zone / polygon layers a source may read."""
        out = []
        for lyr in self._watched[1:]:
            sel = getattr(lyr, "selection", None)
            out.append((lyr.id, lyr.data_version, None if sel is None else tuple(np.asarray(sel).tolist())))
        return tuple(out)
