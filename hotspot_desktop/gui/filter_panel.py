"""The incident filter of a point layer: a date range and an offence checklist -> ``layer.filter``.

Hour-of-day and weekday parts of an existing filter are kept as they are (other panels set them).
"""

from __future__ import annotations

import dataclasses

import pandas as pd
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hotspot_desktop.core.model import PointFilter, PointLayer


def _qdate(ts: pd.Timestamp) -> QDate:
    return QDate(ts.year, ts.month, ts.day)


def _timestamp(d: QDate, end: bool = False) -> pd.Timestamp:
    ts = pd.Timestamp(d.year(), d.month(), d.day())
    # The end date is inclusive: keep the whole of that day.
    return ts + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1) if end else ts


class FilterPanel(QWidget):
    """Edit the filter of one point layer; Apply sets it, Clear removes it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("filterPanel")
        self.layer: PointLayer | None = None
        layout = QVBoxLayout(self)
        self.title = QLabel("No incident layer")
        self.title.setObjectName("filterTitle")
        self.title.setWordWrap(True)
        layout.addWidget(self.title)

        form = QFormLayout()
        self.use_dates = QCheckBox("Only incidents between")
        self.use_dates.setObjectName("useDates")
        self.date_from = QDateEdit()
        self.date_from.setObjectName("dateFrom")
        self.date_to = QDateEdit()
        self.date_to.setObjectName("dateTo")
        for d in (self.date_from, self.date_to):
            d.setCalendarPopup(True)
            d.setDisplayFormat("yyyy-MM-dd")
            d.dateChanged.connect(lambda _=None: self.use_dates.setChecked(True))
        form.addRow(self.use_dates)
        form.addRow("from", self.date_from)
        form.addRow("to (inclusive)", self.date_to)
        layout.addLayout(form)

        layout.addWidget(QLabel("Offence types"))
        self.offences = QListWidget()
        self.offences.setObjectName("offenceList")
        layout.addWidget(self.offences, 1)
        sel = QHBoxLayout()
        self.all_button = QPushButton("All")
        self.all_button.clicked.connect(lambda: self._check_all(True))
        self.none_button = QPushButton("None")
        self.none_button.clicked.connect(lambda: self._check_all(False))
        sel.addWidget(self.all_button)
        sel.addWidget(self.none_button)
        sel.addStretch(1)
        layout.addLayout(sel)

        self.count = QLabel("")
        self.count.setObjectName("filterCount")
        layout.addWidget(self.count)
        buttons = QHBoxLayout()
        self.apply_button = QPushButton("Apply")
        self.apply_button.setObjectName("applyFilter")
        self.apply_button.clicked.connect(self.apply)
        self.clear_button = QPushButton("Clear filter")
        self.clear_button.setObjectName("clearFilter")
        self.clear_button.clicked.connect(self.clear)
        buttons.addWidget(self.apply_button)
        buttons.addWidget(self.clear_button)
        layout.addLayout(buttons)
        self.set_layer(None)

    def set_layer(self, layer: PointLayer | None) -> None:
        """Show the filter of ``layer`` (None, or a non-point layer: disabled)."""
        if self.layer is not None:
            self.layer.changed.disconnect(self._on_layer_changed)
        self.layer = layer if isinstance(layer, PointLayer) else None
        enabled = self.layer is not None
        for w in (self.use_dates, self.date_from, self.date_to, self.offences, self.apply_button,
                  self.clear_button, self.all_button, self.none_button):
            w.setEnabled(enabled)
        if self.layer is None:
            self.title.setText("Select an incident (point) layer to filter it.")
            self.offences.clear()
            self.count.setText("")
            return
        self.layer.changed.connect(self._on_layer_changed)
        self._load_from_layer()

    def _load_from_layer(self) -> None:
        layer = self.layer
        assert layer is not None
        self.title.setText(f"<b>{layer.name}</b>")
        f = layer.filter
        span = layer.time_span()
        has_time = span is not None
        for w in (self.use_dates, self.date_from, self.date_to):
            w.setEnabled(has_time)
        for w in (self.date_from, self.date_to):
            w.blockSignals(True)
        if has_time:
            lo, hi = span
            # No clamping to the data's span: a period may reach past the last incident.
            self.title.setText(f"<b>{layer.name}</b><br>incidents from {lo.date()} to {hi.date()}")
            self.date_from.setDate(_qdate(f.date_from) if f.date_from is not None else _qdate(lo))
            self.date_to.setDate(_qdate(f.date_to) if f.date_to is not None else _qdate(hi))
        for w in (self.date_from, self.date_to):
            w.blockSignals(False)
        self.use_dates.setChecked(f.date_from is not None or f.date_to is not None)
        self.offences.clear()
        types = layer.offence_types()
        for t in types:
            item = QListWidgetItem(t)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if f.offences is None or t in f.offences
                               else Qt.CheckState.Unchecked)
            self.offences.addItem(item)
        self.offences.setEnabled(bool(types))
        self._update_count()

    def _check_all(self, on: bool) -> None:
        for i in range(self.offences.count()):
            self.offences.item(i).setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def set_offences(self, names: set[str]) -> None:
        """Tick exactly the offence types in ``names``."""
        for i in range(self.offences.count()):
            item = self.offences.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.text() in names else Qt.CheckState.Unchecked)

    def build_filter(self) -> PointFilter:
        """The filter the panel currently describes (keeping the layer's hour/weekday parts)."""
        assert self.layer is not None
        old = self.layer.filter
        date_from = date_to = None
        if self.use_dates.isChecked() and self.use_dates.isEnabled():
            date_from = _timestamp(self.date_from.date())
            date_to = _timestamp(self.date_to.date(), end=True)
        checked = {self.offences.item(i).text() for i in range(self.offences.count())
                   if self.offences.item(i).checkState() == Qt.CheckState.Checked}
        offences = None if self.offences.count() == 0 or len(checked) == self.offences.count() else frozenset(checked)
        return dataclasses.replace(old, date_from=date_from, date_to=date_to, offences=offences)

    def apply(self) -> None:
        if self.layer is not None:
            self.layer.filter = self.build_filter()

    def clear(self) -> None:
        if self.layer is not None:
            self.layer.filter = PointFilter()

    def _on_layer_changed(self, what: str) -> None:
        if what == "filter":
            self._load_from_layer()
        elif what == "name" and self.layer is not None:
            self.title.setText(f"<b>{self.layer.name}</b>")

    def _update_count(self) -> None:
        if self.layer is None:
            return
        n = int(self.layer.mask().sum())
        text = f"{n:,} of {len(self.layer):,} incidents shown"
        if self.layer.filter.is_active():
            text += f"\nfiltered: {self.layer.filter.describe()}"
        self.count.setText(text)
