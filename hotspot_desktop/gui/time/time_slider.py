"""Time filter bar: a date range (start and end sliders), an offence picker and a Play/Pause
animation that steps a one-week or one-month window through the data, driving ``layer.filter``.

A handle dragged to its end leaves that side of the range open (no date limit), so incidents
added later still show. Hour and weekday parts of the filter are kept.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QWidget,
)

from hotspot_desktop.core.analysis.time_filter import (
    first_window,
    next_window,
    window_label,
)
from hotspot_desktop.core.model import PointFilter, PointLayer

ALL_OFFENCES = "All offences"
SEVERAL = "Offences chosen in the Filter panel"
STEP_INTERVAL_MS = 700


class TimeFilterBar(QWidget):
    """Date range + offence + animation controls for one point layer."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timeFilterBar")
        self.layer: PointLayer | None = None
        self.day0: pd.Timestamp | None = None  # the day of the first incident (slider value 0)
        self.span: tuple[pd.Timestamp, pd.Timestamp] | None = None
        grid = QGridLayout(self)
        grid.setContentsMargins(4, 2, 4, 2)
        self.start_slider = QSlider(Qt.Orientation.Horizontal)
        self.start_slider.setObjectName("timeStart")
        self.end_slider = QSlider(Qt.Orientation.Horizontal)
        self.end_slider.setObjectName("timeEnd")
        for s in (self.start_slider, self.end_slider):
            s.setPageStep(7)
            # While dragging only the labels follow; the filter (map, docks) is set on release.
            s.setTracking(False)
            s.valueChanged.connect(self._on_slider)
            s.sliderMoved.connect(self._preview)
        self.start_label = QLabel("")
        self.start_label.setObjectName("timeStartLabel")
        self.end_label = QLabel("")
        self.end_label.setObjectName("timeEndLabel")
        grid.addWidget(QLabel("From"), 0, 0)
        grid.addWidget(self.start_slider, 0, 1)
        grid.addWidget(self.start_label, 0, 2)
        grid.addWidget(QLabel("To"), 1, 0)
        grid.addWidget(self.end_slider, 1, 1)
        grid.addWidget(self.end_label, 1, 2)
        grid.setColumnStretch(1, 1)
        controls = QHBoxLayout()
        self.offence = QComboBox()
        self.offence.setObjectName("timeOffence")
        self.offence.currentIndexChanged.connect(lambda _i: self._apply_offence())
        controls.addWidget(self.offence)
        controls.addWidget(QLabel("step"))
        self.step = QComboBox()
        self.step.setObjectName("timeStep")
        self.step.addItems(["week", "month"])
        controls.addWidget(self.step)
        self.play_button = QPushButton("Play")
        self.play_button.setObjectName("timePlay")
        self.play_button.setCheckable(True)
        self.play_button.setToolTip("Step a one-week or one-month window through the incidents")
        self.play_button.toggled.connect(self._on_play)
        controls.addWidget(self.play_button)
        self.window_label = QLabel("")
        self.window_label.setObjectName("timeWindowLabel")
        controls.addWidget(self.window_label, 1)
        grid.addLayout(controls, 2, 0, 1, 3)
        self.timer = QTimer(self)
        self.timer.setInterval(STEP_INTERVAL_MS)
        self.timer.timeout.connect(self.advance)
        self.set_layer(None)

    # --- layer -------------------------------------------------------------------------------
    def set_layer(self, layer: PointLayer | None) -> None:
        """Drive the filter of ``layer`` (a point layer with dates; anything else disables the bar)."""
        self.pause()
        if self.layer is not None:
            self.layer.changed.disconnect(self._on_layer_changed)
        self.layer = layer if isinstance(layer, PointLayer) and layer.time_span() is not None else None
        self.setEnabled(self.layer is not None)
        if self.layer is None:
            self.span = self.day0 = None
            self.window_label.setText("Select an incident layer with dates")
            self.offence.blockSignals(True)
            self.offence.clear()
            self.offence.blockSignals(False)
            return
        self.layer.changed.connect(self._on_layer_changed)
        lo, hi = self.layer.time_span()
        self.span = (lo, hi)
        self.day0 = lo.normalize()
        days = int((hi.normalize() - self.day0).days)
        for s in (self.start_slider, self.end_slider):
            s.blockSignals(True)
            s.setRange(0, days)
            s.blockSignals(False)
        self.offence.blockSignals(True)
        self.offence.clear()
        self.offence.addItem(ALL_OFFENCES)
        self.offence.addItems(self.layer.offence_types())
        self.offence.blockSignals(False)
        self._load_filter()

    def _on_layer_changed(self, what: str) -> None:
        if what == "filter":
            self._load_filter()
        elif what == "data" and self.layer is not None:
            self.set_layer(self.layer)

    def _load_filter(self) -> None:
        """Put the sliders and offence picker where the layer's filter is."""
        assert self.layer is not None and self.day0 is not None
        f = self.layer.filter
        top = self.end_slider.maximum()
        start = 0 if f.date_from is None else int((f.date_from.normalize() - self.day0).days)
        end = top if f.date_to is None else int((f.date_to.normalize() - self.day0).days)
        for s, v in ((self.start_slider, start), (self.end_slider, end)):
            s.blockSignals(True)
            s.setValue(max(0, min(top, v)))
            s.blockSignals(False)
        self.offence.blockSignals(True)
        several = self.offence.findText(SEVERAL, Qt.MatchFlag.MatchStartsWith)
        if several >= 0:
            self.offence.removeItem(several)
        if f.offences is None:
            self.offence.setCurrentIndex(0)
        elif len(f.offences) == 1:
            self.offence.setCurrentIndex(max(0, self.offence.findText(next(iter(f.offences)))))
        else:  # chosen in the Filter panel: say so rather than show "All offences"
            self.offence.addItem(f"{SEVERAL} ({len(f.offences)})")
            self.offence.setCurrentIndex(self.offence.count() - 1)
        self.offence.blockSignals(False)
        self._update_labels()

    def _update_labels(self) -> None:
        f = self.layer.filter if self.layer is not None else PointFilter()
        self.start_label.setText("start" if f.date_from is None else f.date_from.date().isoformat())
        self.end_label.setText("end" if f.date_to is None else f.date_to.date().isoformat())
        n = int(self.layer.mask().sum()) if self.layer is not None else 0
        playing = "▶ " if self.timer.isActive() else ""
        self.window_label.setText(f"{playing}{window_label(f.date_from, f.date_to)}: {n:,} incidents")

    # --- sliders and offence -> filter -----------------------------------------------------
    def dates_for(self, start: int, end: int) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
        """The filter dates of slider values; a handle at its end leaves that side open."""
        assert self.day0 is not None
        date_from = None if start <= self.start_slider.minimum() else self.day0 + pd.Timedelta(days=start)
        date_to = None if end >= self.end_slider.maximum() else \
            self.day0 + pd.Timedelta(days=end + 1) - pd.Timedelta(microseconds=1)
        return date_from, date_to

    def _preview(self, _value: int) -> None:
        """Labels of the range being dragged, before it is applied."""
        if self.day0 is None:
            return
        date_from, date_to = self.dates_for(self.start_slider.sliderPosition(), self.end_slider.sliderPosition())
        self.start_label.setText("start" if date_from is None else date_from.date().isoformat())
        self.end_label.setText("end" if date_to is None else date_to.date().isoformat())

    def _on_slider(self, _value: int) -> None:
        if self.layer is None:
            return
        self.pause()
        start, end = self.start_slider.value(), self.end_slider.value()
        if start > end:  # the handles push each other rather than cross
            moved_start = self.sender() is self.start_slider
            other = self.end_slider if moved_start else self.start_slider
            other.blockSignals(True)
            other.setValue(start if moved_start else end)
            other.blockSignals(False)
            start, end = self.start_slider.value(), self.end_slider.value()
        date_from, date_to = self.dates_for(start, end)
        self.layer.filter = dataclasses.replace(self.layer.filter, date_from=date_from, date_to=date_to)

    def _apply_offence(self) -> None:
        if self.layer is None:
            return
        text = self.offence.currentText()
        if text.startswith(SEVERAL):
            return
        offences = None if text in ("", ALL_OFFENCES) else frozenset({text})
        self.layer.filter = dataclasses.replace(self.layer.filter, offences=offences)

    # --- animation ---------------------------------------------------------------------------
    def play(self) -> None:
        self.play_button.setChecked(True)

    def pause(self) -> None:
        self.play_button.setChecked(False)

    def is_playing(self) -> bool:
        return self.timer.isActive()

    def _on_play(self, on: bool) -> None:
        self.play_button.setText("Pause" if on else "Play")
        if not on:
            self.timer.stop()
            if self.layer is not None:
                self._update_labels()
            return
        if self.layer is None or self.span is None:
            self.pause()
            return
        step = self.step.currentText()
        f = self.layer.filter
        # Resume from the range's start (its calendar week/month); from the first incident's when
        # that is the last window.
        if f.date_from is not None and next_window(f.date_from, step, self.span) is not None:
            window = first_window((f.date_from, self.span[1]), step)
        else:
            window = first_window(self.span, step)
        self.timer.start()
        self._show_window(window)

    def advance(self) -> None:
        """One animation step: the next window, or stop after the last one."""
        if self.layer is None or self.span is None or self.layer.filter.date_from is None:
            self.pause()
            return
        nxt = next_window(self.layer.filter.date_from, self.step.currentText(), self.span)
        if nxt is None:
            self.pause()
            return
        self._show_window(nxt)

    def _show_window(self, window: tuple[pd.Timestamp, pd.Timestamp]) -> None:
        assert self.layer is not None
        self.layer.filter = dataclasses.replace(self.layer.filter, date_from=window[0], date_to=window[1])
