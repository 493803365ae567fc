"""The Layers dock: top layer first, visibility, drag to reorder, opacity, rename and actions.

The view edits the pure LayerList through :class:`LayerItemModel`; the active layer follows the
selection both ways (``LayerList.active`` <-> current row).
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QListView,
    QMenu,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from hotspot_desktop.core.model import Layer, LayerList
from hotspot_desktop.gui.layer_item_model import LayerItemModel


class LayerPanel(QDockWidget):
    """Dock listing the project's layers. Emits requests the main window carries out."""

    properties_requested = Signal(object)  # layer
    attribute_table_requested = Signal(object)
    filter_requested = Signal(object)
    zoom_requested = Signal(object)
    remove_requested = Signal(object)
    rerun_requested = Signal(object)  # a result layer: reopen its tool pre-filled from provenance

    def __init__(self, layers: LayerList, parent: QWidget | None = None) -> None:
        super().__init__("Layers", parent)
        self.setObjectName("LayersDock")
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)

        self.view = QListView()
        self.view.setObjectName("layerList")
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setWordWrap(True)  # the "filtered: ..." line must stay readable in a narrow dock
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.view.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.view.setDragEnabled(True)
        self.view.setAcceptDrops(True)
        self.view.setDropIndicatorShown(True)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        remove = QAction("Remove layer", self.view)
        remove.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        remove.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        remove.triggered.connect(lambda: self._emit_for_current(self.remove_requested))
        self.view.addAction(remove)
        layout.addWidget(self.view)

        row = QHBoxLayout()
        row.addWidget(QLabel("Opacity"))
        self.opacity = QSlider(Qt.Orientation.Horizontal)
        self.opacity.setObjectName("opacitySlider")
        self.opacity.setRange(0, 100)
        self.opacity.setEnabled(False)
        self.opacity.valueChanged.connect(self._opacity_changed)
        row.addWidget(self.opacity, 1)
        self.opacity_label = QLabel("")
        self.opacity_label.setMinimumWidth(36)
        row.addWidget(self.opacity_label)
        layout.addLayout(row)

        buttons = QHBoxLayout()
        self.buttons: dict[str, QToolButton] = {}
        for key, text, tip, signal in (
            ("up", "▲", "Move layer up", None), ("down", "▼", "Move layer down", None),
            ("zoom", "Zoom", "Zoom to layer", self.zoom_requested),
            ("properties", "Style…", "Layer properties", self.properties_requested),
            ("remove", "Remove", "Remove layer", self.remove_requested),
        ):
            btn = QToolButton()
            btn.setText(text)
            btn.setToolTip(tip)
            btn.setObjectName(f"layer_{key}")
            btn.setEnabled(False)
            if signal is not None:
                btn.clicked.connect(lambda _=False, s=signal: self._emit_for_current(s))
            buttons.addWidget(btn)
            self.buttons[key] = btn
        self.buttons["up"].clicked.connect(lambda: self.move_current(+1))
        self.buttons["down"].clicked.connect(lambda: self.move_current(-1))
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.setWidget(body)

        self.model: LayerItemModel | None = None
        self._layers: LayerList | None = None
        self.set_layers(layers)

    # --- binding ---------------------------------------------------------------------------
    def set_layers(self, layers: LayerList) -> None:
        """Show another LayerList (a newly opened project)."""
        if self.model is not None and self._layers is not None:
            self.model.disconnect_all()
            self._layers.active_changed.disconnect(self._on_active_changed)
            self._layers.moved.disconnect(self._sync_current)
        self._layers = layers
        self.model = LayerItemModel(layers, self)
        self.view.setModel(self.model)
        self.view.selectionModel().currentChanged.connect(self._on_current_changed)
        self.model.dataChanged.connect(lambda *_: self._update_controls())
        self.model.rowsInserted.connect(lambda *_: self._update_controls())
        self.model.rowsRemoved.connect(lambda *_: self._update_controls())
        layers.active_changed.connect(self._on_active_changed)
        layers.moved.connect(self._sync_current)
        self._on_active_changed(layers.active)

    @property
    def layers(self) -> LayerList:
        assert self._layers is not None
        return self._layers

    def current_layer(self) -> Layer | None:
        idx = self.view.currentIndex()
        if self.model is None or not idx.isValid():
            return self.layers.active
        return self.model.layer_at(idx.row())

    # --- actions -----------------------------------------------------------------------------
    def move_current(self, step: int) -> None:
        """Move the current layer ``step`` places up (+) or down (-) the drawing order."""
        layer = self.current_layer()
        if layer is None:
            return
        i = self.layers.index(layer)
        self.layers.move(i, i + step)

    def _emit_for_current(self, signal: Signal) -> None:
        layer = self.current_layer()
        if layer is not None:
            signal.emit(layer)

    def _context_menu(self, pos: QPoint) -> None:
        idx = self.view.indexAt(pos)
        if not idx.isValid() or self.model is None:
            return
        self.context_menu(idx).popup(self.view.viewport().mapToGlobal(pos))

    def context_menu(self, idx: QModelIndex) -> QMenu:
        """The right-click menu of the layer at ``idx``."""
        layer = self.model.layer_at(idx.row())
        menu = QMenu(self)
        if layer.provenance is not None:
            rerun = menu.addAction("Re-run with changed parameters…", lambda: self.rerun_requested.emit(layer))
            rerun.setObjectName("rerunAction")
            menu.addSeparator()
        menu.addAction("Zoom to layer", lambda: self.zoom_requested.emit(layer))
        menu.addAction("Properties…", lambda: self.properties_requested.emit(layer))
        if hasattr(layer, "attributes") or hasattr(layer, "gdf"):
            menu.addAction("Attribute table", lambda: self.attribute_table_requested.emit(layer))
        if layer.kind == "points":
            menu.addAction("Filter…", lambda: self.filter_requested.emit(layer))
        menu.addAction("Rename", lambda: self.view.edit(idx))
        menu.addSeparator()
        menu.addAction("Remove", lambda: self.remove_requested.emit(layer))
        return menu

    # --- sync --------------------------------------------------------------------------------
    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self.model is not None and current.isValid():
            self.layers.active = self.model.layer_at(current.row())
        self._update_controls()

    def _on_active_changed(self, layer: Layer | None) -> None:
        if self.model is None:
            return
        if layer is None or layer not in list(self.layers):
            self.view.selectionModel().clearCurrentIndex()
        else:
            idx = self.model.index_of(layer)
            if self.view.currentIndex() != idx:
                self.view.selectionModel().setCurrentIndex(idx, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self._update_controls()

    def _sync_current(self, *_: object) -> None:
        self._on_active_changed(self.layers.active)

    def _update_controls(self) -> None:
        layer = self.current_layer()
        has = layer is not None
        for btn in self.buttons.values():
            btn.setEnabled(has)
        self.opacity.setEnabled(has)
        if has:
            i = self.layers.index(layer)
            self.buttons["up"].setEnabled(i < len(self.layers) - 1)
            self.buttons["down"].setEnabled(i > 0)
            value = round(layer.opacity * 100)
            if self.opacity.value() != value:
                self.opacity.blockSignals(True)
                self.opacity.setValue(value)
                self.opacity.blockSignals(False)
            self.opacity_label.setText(f"{value} %")
        else:
            self.opacity_label.setText("")

    def _opacity_changed(self, value: int) -> None:
        layer = self.current_layer()
        if layer is not None:
            layer.opacity = value / 100.0
            self.opacity_label.setText(f"{value} %")
