"""MapCanvas: the layered, north-up map view of a Project."""

from __future__ import annotations

import warnings

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget

from hotspot_desktop.core import render_math as rm
from hotspot_desktop.core.model import Layer, Project

# Registers the item classes of the built-in layer kinds.
from hotspot_desktop.gui.canvas import (  # noqa: F401
    basemap_items,
    point_item,
    raster_item,
    vector_item,
)
from hotspot_desktop.gui.canvas.layer_item import LayerItem, item_for
from hotspot_desktop.gui.canvas.overlays import LabelOverlay, ScaleBar
from hotspot_desktop.gui.canvas.view_box import MapViewBox

BACKGROUND = "#FFFFFF"
# Redraw this long after the last view change: wheel bursts and drags cost one redraw.
REFRESH_DELAY_MS = 15
# A view held this long becomes a step of the previous/next history.
HISTORY_DELAY_MS = 400
IDENTIFY_TOLERANCE_PX = 4.0
MIN_ZOOM_SPAN_M = 50.0


class MapCanvas(QWidget):
    """Draws ``project.layers`` bottom first and navigates the map.

    Layers are drawn by one item each (see ``layer_item.item_for``); the canvas listens to the
    layer list and to each layer's ``changed`` signal and redraws only what changed, after the
    view settles.
    """

    cursor_moved = Signal(float, float)
    scale_changed = Signal(float)
    view_changed = Signal(object)
    features_identified = Signal(object)
    render_complete = Signal()

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vb = MapViewBox()
        self._plot = pg.PlotWidget(viewBox=self._vb, background=BACKGROUND)
        pi = self._plot.getPlotItem()
        for axis in ("left", "bottom", "right", "top"):
            pi.hideAxis(axis)
        pi.hideButtons()
        pi.setMenuEnabled(False)
        pi.layout.setContentsMargins(0, 0, 0, 0)
        pi.layout.setSpacing(0)
        self._plot.setFrameShape(self._plot.Shape.NoFrame)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._plot)

        self._project: Project | None = None
        self._items: dict[str, LayerItem] = {}
        self._history = rm.ViewHistory()
        self._last_view: rm.ViewState | None = None
        self._refresh_timer = QTimer(self, singleShot=True, interval=REFRESH_DELAY_MS)
        self._refresh_timer.timeout.connect(self._refresh)
        self._history_timer = QTimer(self, singleShot=True, interval=HISTORY_DELAY_MS)
        self._history_timer.timeout.connect(self._record_history)

        self._labels = LabelOverlay(self._label_sources)
        self._vb.addItem(self._labels, ignoreBounds=True)
        self.scale_bar = ScaleBar(self._vb, lambda: self._project.display_units if self._project else "m")
        self._vb.sigRangeChanged.connect(self._on_range_changed)
        self._vb.sigResized.connect(self._on_range_changed)
        self._vb.identify_requested.connect(self._on_identify)
        self._plot.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.set_project(project)

    # --- project wiring ----------------------------------------------------------------------
    def set_project(self, project: Project) -> None:
        """Show ``project`` (replacing the previous one) at its saved view or full extent."""
        self._detach()
        self._project = project
        project.layers.inserted.connect(self._on_inserted)
        project.layers.removed.connect(self._on_removed)
        project.layers.moved.connect(self._on_moved)
        for i, layer in enumerate(project.layers):
            self._add_item(layer)
        self._restack()
        self._history = rm.ViewHistory()
        v = project.view
        if all(k in v for k in ("xmin", "ymin", "xmax", "ymax")):
            self.zoom_to_extent((v["xmin"], v["ymin"], v["xmax"], v["ymax"]), pad=0.0)
        else:
            self.zoom_full()

    def _detach(self) -> None:
        if self._project is None:
            return
        self._project.layers.inserted.disconnect(self._on_inserted)
        self._project.layers.removed.disconnect(self._on_removed)
        self._project.layers.moved.disconnect(self._on_moved)
        for layer_id in list(self._items):
            self._remove_item(layer_id)
        self._project = None

    def _add_item(self, layer: Layer) -> None:
        try:
            item = item_for(layer)
        except KeyError as exc:
            # A layer kind from a newer plugin: the rest of the map must still draw.
            warnings.warn(str(exc), RuntimeWarning, stacklevel=2)
            return
        item.request_refresh = self._schedule_refresh
        item.notify_rendered = self._on_item_rendered
        layer.changed.connect(item.on_layer_changed)
        self._items[layer.id] = item
        self._vb.addItem(item, ignoreBounds=True)

    def _remove_item(self, layer_id: str) -> None:
        item = self._items.pop(layer_id, None)
        if item is None:
            return
        item.layer.changed.disconnect(item.on_layer_changed)
        self._vb.removeItem(item)

    def _restack(self) -> None:
        if self._project is None:
            return
        for i, layer in enumerate(self._project.layers):
            item = self._items.get(layer.id)
            if item is not None:
                item.setZValue(i)

    def _on_inserted(self, index: int, layer: Layer) -> None:
        self._add_item(layer)
        self._restack()
        self._schedule_refresh()

    def _on_removed(self, index: int, layer: Layer) -> None:
        if layer.id in self._items:
            self._remove_item(layer.id)
        self._restack()
        self._schedule_refresh()

    def _on_moved(self, old: int, new: int) -> None:
        self._restack()

    def item(self, layer: Layer) -> LayerItem:
        """The graphics item drawing ``layer``."""
        return self._items[layer.id]

    def refresh_selection(self, layer: Layer) -> None:
        """Redraw the selection highlight of ``layer`` after ``layer.selection`` changed."""
        item = self._items.get(layer.id)
        if item is not None:
            item.on_layer_changed("selection")

    # --- refresh -----------------------------------------------------------------------------
    def _view_state(self) -> rm.ViewState | None:
        r = self._vb.viewRect()
        w, h = round(self._vb.width()), round(self._vb.height())
        if w < 2 or h < 2 or r.width() <= 0 or r.height() <= 0:
            return None
        return rm.ViewState((r.left(), r.top(), r.right(), r.bottom()), w, h)

    def _schedule_refresh(self) -> None:
        if not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def _refresh(self) -> None:
        view = self._view_state()
        if view is None:
            return
        for item in self._items.values():
            if item.isVisible() and not item.is_current(view):
                item.refresh(view)
        self._last_view = view
        self._labels.refresh()
        if self.is_render_complete():
            self.render_complete.emit()

    def _label_sources(self):
        """Label images of visible layers, bottom layer first."""
        if self._project is None:
            return []
        out = []
        for layer in self._project.layers:
            item = self._items.get(layer.id)
            image = getattr(item, "labels_image", None)
            if item is not None and image is not None and item.isVisible() and item.drawn_view is not None:
                out.append((image, item.drawn_view))
        return out

    def _on_item_rendered(self) -> None:
        """A layer drawn on a worker thread arrived."""
        self._labels.refresh()
        if self.is_render_complete():
            self.render_complete.emit()

    def flush(self) -> None:
        """Draw every pending change now (instead of after the settle delay) and wait for
        layers drawn on worker threads."""
        self._refresh_timer.stop()
        self._refresh()
        for item in list(self._items.values()):
            item.wait_rendered()

    def is_render_complete(self) -> bool:
        """True when every visible layer is drawn for the current view."""
        view = self._view_state()
        if view is None or self._refresh_timer.isActive():
            return False
        return all(item.is_current(view) for item in self._items.values() if item.isVisible())

    def _on_range_changed(self, *args) -> None:
        view = self._view_state()
        if view is None:
            return
        self._schedule_refresh()
        self._history_timer.start()
        if self._project is not None:
            xmin, ymin, xmax, ymax = view.extent
            self._project.view = {"xmin": xmin, "ymin": ymin, "xmax": xmax, "ymax": ymax}
        self.view_changed.emit(view.extent)
        self.scale_changed.emit(view.scale_denominator(self._dpi()))

    def _record_history(self) -> None:
        view = self._view_state()
        if view is None:
            return
        self._history.push(view.extent)

    def _dpi(self) -> float:
        dpi = float(self.logicalDpiX())
        return dpi if dpi > 0 else rm.DEFAULT_DPI

    # --- navigation --------------------------------------------------------------------------
    def current_extent(self) -> tuple[float, float, float, float]:
        """(xmin, ymin, xmax, ymax) of the view in the working CRS."""
        r = self._vb.viewRect()
        return r.left(), r.top(), r.right(), r.bottom()

    def scale_denominator(self) -> float:
        """N of the current 1:N scale at the screen's logical dpi."""
        view = self._view_state()
        if view is None:
            return float("nan")
        return view.scale_denominator(self._dpi())

    def zoom_to_extent(self, extent, pad: float = 0.02) -> None:
        """Show ``extent`` (xmin, ymin, xmax, ymax) whole, with ``pad`` share of margin."""
        self._record_pending_history()
        self._set_extent(extent, pad)

    def _set_extent(self, extent, pad: float) -> None:
        xmin, ymin, xmax, ymax = (float(v) for v in extent)
        cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
        hw = max(xmax - xmin, MIN_ZOOM_SPAN_M) * (0.5 + pad)
        hh = max(ymax - ymin, MIN_ZOOM_SPAN_M) * (0.5 + pad)
        self._vb.setRange(xRange=(cx - hw, cx + hw), yRange=(cy - hh, cy + hh), padding=0.0)

    def zoom_full(self) -> None:
        """Show every layer."""
        ext = self._project.full_extent() if self._project is not None else None
        if ext is not None:
            self.zoom_to_extent(ext)

    def zoom_to_layer(self, layer: Layer) -> None:
        if len(layer):
            self.zoom_to_extent(layer.extent())

    def zoom_to_selection(self, layer: Layer) -> None:
        """Show the selected features of ``layer`` (nothing happens without a selection)."""
        item = self._items.get(layer.id)
        if item is None:
            return
        view = self._view_state()
        if view is not None and not item.is_current(view):
            item.refresh(view)
            item.wait_rendered()
        ext = item.selection_extent()
        if ext is not None:
            self.zoom_to_extent(ext, pad=0.1)

    def previous_view(self) -> None:
        """Go back to the view before the current one (QGIS "zoom last")."""
        self._record_pending_history()
        ext = self._history.back()
        if ext is not None:
            self._set_extent(ext, pad=0.0)

    def next_view(self) -> None:
        """Undo :meth:`previous_view` ("zoom next")."""
        self._record_pending_history()
        ext = self._history.forward()
        if ext is not None:
            self._set_extent(ext, pad=0.0)

    def _record_pending_history(self) -> None:
        """Make the current view a history step now (before a jump replaces it)."""
        self._history_timer.stop()
        self._record_history()

    def set_tool(self, name: str) -> None:
        """"pan" (default), "zoom_box", "identify" or "none" (mouse left to overlay tools)."""
        self._vb.set_tool(name)

    @property
    def tool(self) -> str:
        return self._vb.tool

    @property
    def view_box(self) -> MapViewBox:
        return self._vb

    @property
    def plot_item(self) -> pg.PlotItem:
        return self._plot.getPlotItem()

    @property
    def graphics_view(self) -> pg.PlotWidget:
        return self._plot

    # --- mouse -------------------------------------------------------------------------------
    def _on_mouse_moved(self, scene_pos) -> None:
        if self._vb.sceneBoundingRect().contains(scene_pos):
            p = self._vb.mapSceneToView(scene_pos)
            self.cursor_moved.emit(float(p.x()), float(p.y()))

    def _on_identify(self, pos: QPointF) -> None:
        self.features_identified.emit(self.identify_at(pos.x(), pos.y()))

    def identify_at(self, x: float, y: float) -> list[tuple[Layer, int, dict]]:
        """Features of visible layers at map position (x, y), top layer first."""
        view = self._view_state()
        if view is None or self._project is None:
            return []
        out = []
        for layer in reversed(list(self._project.layers)):
            item = self._items.get(layer.id)
            if item is None or not layer.visible:
                continue
            if not item.is_current(view):
                item.refresh(view)
                item.wait_rendered()
            px = IDENTIFY_TOLERANCE_PX
            if layer.geometry_kind == "point":
                px = max(px, layer.style.symbol.size / 2 + 2)
            for row, attrs in item.identify(x, y, px * view.metres_per_pixel):
                out.append((layer, row, attrs))
        return out

    # --- output ------------------------------------------------------------------------------
    def render_to_image(self, width: int, height: int) -> QImage:
        """The map at the current extent rendered into a ``width`` x ``height`` image."""
        if self.isVisible() and (width, height) == (self._plot.width(), self._plot.height()):
            self.flush()
            return self._plot.grab().toImage()
        twin = MapCanvas(self._project)
        try:
            twin.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
            twin.resize(width, height)
            twin.show()
            QApplication.processEvents()
            twin.zoom_to_extent(self.current_extent(), pad=0.0)
            QApplication.processEvents()
            twin.flush()
            return twin._plot.grab().toImage()
        finally:
            twin._detach()
            twin.close()
            twin.deleteLater()


def image_to_array(image: QImage) -> np.ndarray:
    """A QImage as an (h, w, 4) uint8 RGBA array (for tests and exports)."""
    img = image.convertToFormat(QImage.Format.Format_RGBA8888)
    ptr = img.constBits()
    arr = np.frombuffer(ptr, dtype=np.uint8, count=img.sizeInBytes())
    return arr.reshape(img.height(), img.bytesPerLine() // 4, 4)[:, : img.width()].copy()
