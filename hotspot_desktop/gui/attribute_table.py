"""The attribute table dock: a virtual table over a layer's attributes (1M rows, no per-row
widgets), sorting, a text filter, and selection kept in step with ``layer.selection`` both ways.

Selecting rows sets ``layer.selection`` (source row indices) and emits ``layer.changed("selection")``
so the canvas highlights them; a selection made on the map arrives through the same signal.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from hotspot_desktop.core.model import Layer
from hotspot_desktop.gui.layer_properties import attribute_frame

_Index = QModelIndex | QPersistentModelIndex
MAX_SELECTION_RANGES = 50_000  # a more scattered map selection is mirrored only in part (count shown)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if np.isnan(value) else f"{value:.6g}"
    if isinstance(value, pd.Timestamp):
        return "" if pd.isna(value) else value.isoformat(sep=" ")
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)


class AttributeTableModel(QAbstractTableModel):
    """Rows of a DataFrame seen through ``order`` (sorted and filtered source row indices)."""

    def __init__(self, frame: pd.DataFrame, parent: Any = None) -> None:
        super().__init__(parent)
        self.frame = frame
        self.order = np.arange(len(frame))
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self._filter_text = ""

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else int(self.order.size)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.frame.columns)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        return _text(self.frame.iat[int(self.order[index.row()]), index.column()])

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return str(self.frame.columns[section])
        return str(int(self.order[section]) + 1) if section < self.order.size else None

    def source_row(self, view_row: int) -> int:
        return int(self.order[view_row])

    def view_rows(self, source_rows: np.ndarray) -> np.ndarray:
        """View rows of the given source rows (those hidden by the text filter are dropped)."""
        pos = np.full(len(self.frame), -1, dtype=np.int64)
        pos[self.order] = np.arange(self.order.size)
        rows = pos[np.asarray(source_rows, dtype=np.int64)]
        return np.sort(rows[rows >= 0])

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        # Column -1 is Qt's "no sort indicator": back to file order.
        self._sort = (column, order) if 0 <= column < len(self.frame.columns) else None
        self._rebuild()

    def set_filter_text(self, text: str) -> None:
        self._filter_text = text.strip()
        self._rebuild()

    def _rebuild(self) -> None:
        self.layoutAboutToBeChanged.emit()
        keep = self._matches(self._filter_text)
        if self._sort is not None:
            col, order = self._sort
            series = self.frame.iloc[:, col]
            # A stable sort keeps equal values in file order; missing values last either way.
            idx = series.sort_values(ascending=order == Qt.SortOrder.AscendingOrder, kind="stable",
                                     na_position="last").index.to_numpy()
            base = np.asarray(idx, dtype=np.int64)
        else:
            base = np.arange(len(self.frame))
        self.order = base[keep[base]] if keep is not None else base
        self.layoutChanged.emit()

    def _matches(self, text: str) -> np.ndarray | None:
        if not text:
            return None
        needle = text.lower()
        keep = np.zeros(len(self.frame), dtype=bool)
        for col in self.frame.columns:
            s = self.frame[col]
            if isinstance(s.dtype, pd.CategoricalDtype):
                # Test each category once, then map through the codes (fast on 1M rows).
                hit = np.array([needle in str(c).lower() for c in s.cat.categories] + [False])
                keep |= hit[s.cat.codes.to_numpy()]
            else:
                keep |= s.astype(str).str.lower().str.contains(needle, regex=False).to_numpy()
        return keep


class AttributeTableDock(QDockWidget):
    """Dock with the table of one layer; closes when the layer is removed."""

    def __init__(self, layer: Layer, canvas: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(f"Attributes — {layer.name}", parent)
        self.setObjectName(f"AttributeTable_{layer.id}")
        self.layer = layer
        self.canvas = canvas
        self._syncing = False
        body = QWidget()
        v = QVBoxLayout(body)
        v.setContentsMargins(4, 4, 4, 4)
        bar = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setObjectName("tableFilter")
        self.search.setPlaceholderText("Filter rows containing…")
        self.search.setClearButtonEnabled(True)
        bar.addWidget(self.search, 1)
        self.zoom_button = QPushButton("Zoom to selection")
        self.zoom_button.setObjectName("zoomSelection")
        self.zoom_button.clicked.connect(self.zoom_to_selection)
        bar.addWidget(self.zoom_button)
        self.clear_button = QPushButton("Clear selection")
        self.clear_button.clicked.connect(lambda: self.set_selection(np.array([], dtype=np.int64)))
        bar.addWidget(self.clear_button)
        v.addLayout(bar)
        frame = attribute_frame(layer)
        self.model = AttributeTableModel(frame if frame is not None else pd.DataFrame(), self)
        self.view = QTableView()
        self.view.setObjectName("attributeView")
        self.view.setModel(self.model)
        self.view.setSortingEnabled(True)
        self.view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.verticalHeader().setDefaultSectionSize(20)
        self.view.setWordWrap(False)
        v.addWidget(self.view, 1)
        self.status = QLabel("")
        self.status.setObjectName("tableStatus")
        v.addWidget(self.status)
        self.setWidget(body)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(lambda: self._apply_filter(self.search.text()))
        self.search.textChanged.connect(lambda _: self._debounce.start())
        self.view.selectionModel().selectionChanged.connect(self._on_view_selection)
        self.model.layoutChanged.connect(self._select_from_layer)
        layer.changed.connect(self._on_layer_changed)
        self._select_from_layer()
        # Qt sizes columns from the rows on screen only, so this is cheap on a million rows.
        QTimer.singleShot(0, self.view.resizeColumnsToContents)

    # --- public ---------------------------------------------------------------------------------
    def set_selection(self, rows: np.ndarray) -> None:
        """Select source rows ``rows`` on the layer (and so in the table and on the map)."""
        rows = np.asarray(rows, dtype=np.int64)
        if rows.size > 1 and not np.all(rows[1:] > rows[:-1]):
            rows = np.unique(rows)
        self.layer.selection = rows if rows.size else None  # type: ignore[attr-defined]
        self.layer.changed.emit("selection")

    def selected_rows(self) -> np.ndarray:
        """Source rows selected in the table view."""
        # Work on selection ranges, not per-row indexes: Ctrl+A on a million rows stays instant.
        mask = np.zeros(self.model.rowCount(), dtype=bool)
        for r in self.view.selectionModel().selection():
            mask[r.top():r.bottom() + 1] = True
        return np.sort(self.model.order[mask]).astype(np.int64)

    def zoom_to_selection(self) -> None:
        if self.canvas is not None and getattr(self.layer, "selection", None) is not None:
            self.canvas.zoom_to_selection(self.layer)

    def closeEvent(self, event: Any) -> None:
        try:
            self.layer.changed.disconnect(self._on_layer_changed)
        except (TypeError, ValueError, RuntimeError):
            pass
        super().closeEvent(event)

    # --- sync --------------------------------------------------------------------------------
    def _apply_filter(self, text: str) -> None:
        self.model.set_filter_text(text)
        self._update_status()

    def _on_view_selection(self, *_: Any) -> None:
        if self._syncing:
            return
        self._syncing = True
        try:
            self.set_selection(self.selected_rows())
        finally:
            self._syncing = False
        self._update_status()

    def _on_layer_changed(self, what: str) -> None:
        if what == "selection" and not self._syncing:
            self._select_from_layer()
        elif what == "name":
            self.setWindowTitle(f"Attributes — {self.layer.name}")
        elif what == "data":
            frame = attribute_frame(self.layer)
            self.model.beginResetModel()
            self.model.frame = frame if frame is not None else pd.DataFrame()
            self.model.order = np.arange(len(self.model.frame))
            self.model.endResetModel()

    def _select_from_layer(self) -> None:
        """Mirror ``layer.selection`` in the view, as row ranges (cheap for big selections)."""
        sel = getattr(self.layer, "selection", None)
        self._syncing = True
        try:
            selection = QItemSelection()
            if sel is not None and len(sel):
                rows = self.model.view_rows(np.asarray(sel))
                if rows.size:
                    breaks = np.flatnonzero(np.diff(rows) != 1)
                    starts = np.r_[rows[0], rows[breaks + 1]][:MAX_SELECTION_RANGES]
                    ends = np.r_[rows[breaks], rows[-1]][:MAX_SELECTION_RANGES]
                    last = self.model.columnCount() - 1
                    for a, b in zip(starts, ends, strict=True):
                        selection.select(self.model.index(int(a), 0), self.model.index(int(b), max(0, last)))
            self.view.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        finally:
            self._syncing = False
        self._update_status()

    def _update_status(self) -> None:
        sel = getattr(self.layer, "selection", None)
        n_sel = 0 if sel is None else len(sel)
        self.status.setText(f"{self.model.rowCount():,} of {len(self.model.frame):,} rows shown, {n_sel:,} selected")
