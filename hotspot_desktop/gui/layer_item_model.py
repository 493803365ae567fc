"""A Qt list model over the pure :class:`LayerList`, top layer first (the list is bottom first).

Both directions stay in sync: the model listens to the LayerList's psygnal signals and to each
layer's ``changed`` signal; edits through the model (check box, rename, drag-and-drop, moveRows)
change the LayerList, which then notifies every view. Pattern after napari's
``_qt/containers/_base_item_model.py``.
"""

from __future__ import annotations

import json
from typing import Any

from psygnal import Signal
from PySide6.QtCore import QAbstractListModel, QByteArray, QMimeData, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QIcon

from hotspot_desktop.core.model import Layer, LayerList

LAYER_MIME = "application/x-hotspot-layer-ids"
LayerRole = Qt.ItemDataRole.UserRole + 1
FilterTextRole = Qt.ItemDataRole.UserRole + 2

_Index = QModelIndex | QPersistentModelIndex


def filter_text(layer: Layer) -> str:
    """"filtered: ..." for a point layer whose filter is active, else ""."""
    flt = getattr(layer, "filter", None)
    if flt is not None and flt.is_active():
        return f"filtered: {flt.describe()}"
    return ""


class LayerItemModel(QAbstractListModel):
    """Rows are layers, row 0 = top of the drawing order (last item of the LayerList)."""

    def __init__(self, layers: LayerList, parent: Any = None) -> None:
        super().__init__(parent)
        self._layers = layers
        self._icons: dict[tuple[str, str], QIcon] = {}
        layers.inserted.connect(self._on_inserted)
        layers.removed.connect(self._on_removed)
        layers.moved.connect(self._on_moved)
        for layer in layers:
            layer.changed.connect(self._on_layer_changed)

    # --- mapping between view rows and LayerList indices -----------------------------------
    def row_of(self, layer: Layer) -> int:
        return len(self._layers) - 1 - self._layers.index(layer)

    def layer_at(self, row: int) -> Layer:
        return self._layers[len(self._layers) - 1 - row]

    def index_of(self, layer: Layer) -> QModelIndex:
        return self.index(self.row_of(layer), 0)

    def disconnect_all(self) -> None:
        """Stop listening to the model (when the window switches to another project)."""
        self._layers.inserted.disconnect(self._on_inserted)
        self._layers.removed.disconnect(self._on_removed)
        self._layers.moved.disconnect(self._on_moved)
        for layer in self._layers:
            layer.changed.disconnect(self._on_layer_changed)

    # --- Qt model API -------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt signature)
        return 0 if parent.isValid() else len(self._layers)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._layers):
            return None
        layer = self.layer_at(index.row())
        if role == Qt.ItemDataRole.DisplayRole:
            extra = filter_text(layer)
            return f"{layer.name}\n{extra}" if extra else layer.name
        if role == Qt.ItemDataRole.EditRole:
            return layer.name
        if role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if layer.visible else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = f"{layer.name} — {len(layer):,} features"
            if layer.source.path is not None:
                tip += f"\n{layer.source.path}"
            extra = filter_text(layer)
            return f"{tip}\n{extra}" if extra else tip
        if role == Qt.ItemDataRole.DecorationRole:
            return self._icon_for(layer)
        if role == LayerRole:
            return layer
        if role == FilterTextRole:
            return filter_text(layer)
        return None

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid():
            return False
        layer = self.layer_at(index.row())
        if role == Qt.ItemDataRole.CheckStateRole:
            layer.visible = Qt.CheckState(value) == Qt.CheckState.Checked if not isinstance(value, bool) else value
            return True
        if role == Qt.ItemDataRole.EditRole:
            name = str(value).strip()
            if not name:
                return False
            layer.name = name
            return True
        return False

    def flags(self, index: _Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsDropEnabled
        if not index.isValid():
            return base
        return (base | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable
                | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsDragEnabled)

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [LAYER_MIME]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:
        ids = [self.layer_at(i.row()).id for i in indexes if i.isValid()]
        mime = QMimeData()
        mime.setData(LAYER_MIME, QByteArray(json.dumps(ids).encode()))
        return mime

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
                     parent: _Index) -> bool:
        if action == Qt.DropAction.IgnoreAction or not data.hasFormat(LAYER_MIME):
            return False
        ids = json.loads(bytes(data.data(LAYER_MIME).data()).decode())
        if row < 0:
            row = parent.row() if parent.isValid() else self.rowCount()
        for layer_id in ids:
            layer = self._layers.by_id(layer_id)
            if layer is not None:
                src = self.row_of(layer)
                self.moveRows(QModelIndex(), src, 1, QModelIndex(), row)
                row = self.row_of(layer) + 1
        # False: the move is done; returning True would make the view delete the "source" row.
        return False

    def moveRows(self, source_parent: _Index, source_row: int, count: int, dest_parent: _Index,
                 dest_child: int) -> bool:
        """Move ``count`` rows so they sit before view row ``dest_child`` (Qt semantics)."""
        n = len(self._layers)
        if count != 1 or not 0 <= source_row < n or not 0 <= dest_child <= n:
            return False
        target_row = dest_child if dest_child <= source_row else dest_child - 1
        if target_row == source_row:
            return False
        # View row r is LayerList index n-1-r.
        self._layers.move(n - 1 - source_row, n - 1 - target_row)
        return True

    # --- LayerList -> Qt ------------------------------------------------------------------
    # psygnal reports after the fact, so begin/end pairs are emitted back to back: views have
    # not queried in between, which is what Qt requires.
    def _on_inserted(self, index: int, layer: Layer) -> None:
        row = len(self._layers) - 1 - index
        self.beginInsertRows(QModelIndex(), row, row)
        self.endInsertRows()
        layer.changed.connect(self._on_layer_changed)

    def _on_removed(self, index: int, layer: Layer) -> None:
        row = len(self._layers) - index  # the list is already one shorter
        layer.changed.disconnect(self._on_layer_changed)
        self.beginRemoveRows(QModelIndex(), row, row)
        self.endRemoveRows()

    def _on_moved(self, old: int, new: int) -> None:
        n = len(self._layers)
        src, dst = n - 1 - old, n - 1 - new
        dest_child = dst + 1 if dst > src else dst
        if self.beginMoveRows(QModelIndex(), src, src, QModelIndex(), dest_child):
            self.endMoveRows()
        else:
            self.beginResetModel()
            self.endResetModel()

    def _on_layer_changed(self, what: str) -> None:
        if what not in ("name", "visibility", "filter", "style", "data", "opacity"):
            return
        sender = Signal.sender()
        if isinstance(sender, Layer) and sender in list(self._layers):
            idx = self.index_of(sender)
            self.dataChanged.emit(idx, idx)

    def _icon_for(self, layer: Layer) -> QIcon:
        from hotspot_desktop.gui.layer_swatch import swatch

        # Cached per layer and style: the swatch is redrawn only after a style change.
        key = (layer.id, repr(layer.style))
        if key not in self._icons:
            self._icons = {k: v for k, v in self._icons.items() if k[0] != layer.id}
            self._icons[key] = swatch(layer.style, layer.geometry_kind)
        return self._icons[key]
