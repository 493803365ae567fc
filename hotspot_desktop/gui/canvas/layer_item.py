"""The base of every layer's graphics item and the registry from layer kind to item class.

One :class:`LayerItem` draws one model layer (napari's layer-to-visual registry, STYLE.md idea 2):
the canvas creates it through :func:`item_for`, forwards the layer's ``changed`` events to it and
asks it to :meth:`LayerItem.refresh` when the view settles on a new extent.

Heavy drawing (density images, thousands of polygons) runs on worker threads: an item submits a
frozen job (snapshot in) and gets its result (image out) back on the GUI thread through a
queued signal; a newer request makes older results stale and they are dropped (STYLE.md
ideas 7 and 8).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, QThread, Signal
from PySide6.QtGui import QColor

from hotspot_desktop.core.model import Layer
from hotspot_desktop.core.render_math import ViewState, hex_to_rgba

# Feature attributes returned by identify: (row index, attributes).
Hit = tuple[int, dict[str, Any]]

# One worker per kind of work, so points and polygons of the same view are drawn in parallel.
POINT_POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="canvas-points")
VECTOR_POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="canvas-vectors")


def qcolor(color: str) -> QColor:
    """A ``#rrggbb[aa]`` colour string as a QColor."""
    r, g, b, a = hex_to_rgba(color)
    return QColor(r, g, b, a)


class LayerItem(pg.GraphicsObject):
    """Draws one layer. Subclasses rebuild in :meth:`rebuild` (data/style/filter changed) and,
    when their drawing depends on the view (level of detail, culling), in :meth:`update_view`,
    either synchronously or by :meth:`submit`-ting a job whose result :meth:`apply_result`
    draws."""

    view_dependent = False
    _job_done = Signal(object)  # a finished Future, delivered on the GUI thread
    _changed_elsewhere = Signal(str)  # a layer change emitted on another thread, re-delivered

    def __init__(self, layer: Layer) -> None:
        super().__init__()
        self.layer = layer
        self._view: ViewState | None = None  # view the current drawing was made for
        self._dirty = True  # the drawing needs rebuilding from the layer
        self._generation = 0
        self._item_rect: QRectF | None = None  # cached: Layer.extent() scans every point
        self._pending: tuple[Future, int, ViewState] | None = None
        self.request_refresh: Callable[[], None] = lambda: None  # set by the canvas
        self.notify_rendered: Callable[[], None] = lambda: None  # set by the canvas
        self.setFlag(self.GraphicsItemFlag.ItemHasNoContents, False)
        self.setVisible(layer.visible)
        self.setOpacity(layer.opacity)
        self._job_done.connect(self._on_job_done)
        self._changed_elsewhere.connect(self.on_layer_changed, Qt.ConnectionType.QueuedConnection)

    # --- change handling -------------------------------------------------------------------
    def on_layer_changed(self, what: str) -> None:
        """React to ``layer.changed``: cheap properties now, content at the next refresh."""
        if QThread.currentThread() is not self.thread():
            # psygnal calls back on the emitting thread; Qt items may only change on theirs.
            self._changed_elsewhere.emit(what)
            return
        if what == "visibility":
            self.setVisible(self.layer.visible)
        elif what == "opacity":
            self.setOpacity(self.layer.opacity)
        elif what == "name":
            return
        elif what == "selection":
            self.mark_selection_changed()
        else:
            self._dirty = True
        self.request_refresh()

    def mark_dirty(self) -> None:
        self._dirty = True

    def mark_selection_changed(self) -> None:
        """``layer.selection`` changed in place: redraw for the current view."""
        self._view = None
        self._cancel_pending()

    def is_current(self, view: ViewState) -> bool:
        """True when the drawing matches the layer and (for view-dependent items) ``view``."""
        if self._dirty or self._pending is not None:
            return False
        return not self.view_dependent or self._view == view

    def refresh(self, view: ViewState) -> None:
        """Bring the drawing up to date for ``view`` (or start doing so on a worker)."""
        if self._dirty:
            self._cancel_pending()
            self.prepareGeometryChange()
            self._item_rect = None
            self.rebuild()
            self._dirty = False
            self._view = None
        if not self.view_dependent:
            return
        if self._view == view or (self._pending is not None and self._pending[2] == view):
            return
        self._cancel_pending()
        self.update_view(view)
        if self._pending is None:
            self._view = view

    def rebuild(self) -> None:
        """Recompute everything derived from the layer's data and style."""

    def update_view(self, view: ViewState) -> None:
        """Recompute what depends on the view (only called when ``view_dependent``)."""

    # --- background jobs -------------------------------------------------------------------
    def submit(self, pool: ThreadPoolExecutor, fn: Callable[..., Any], job: Any, view: ViewState) -> None:
        """Run ``fn(job)`` on ``pool``; its result reaches :meth:`apply_result` on the GUI
        thread unless a newer request supersedes it."""
        self._generation += 1
        future = pool.submit(fn, job)
        self._pending = (future, self._generation, view)
        future.add_done_callback(self._deliver)

    def _deliver(self, future: Future) -> None:
        """Worker thread: hand the finished job to the GUI thread (queued signal)."""
        try:
            self._job_done.emit(future)
        except RuntimeError:
            return  # the item was deleted while its job ran

    def _on_job_done(self, future: Future) -> None:
        if self._pending is not None and self._pending[0] is future:
            self._finish()

    def _finish(self) -> None:
        future, generation, view = self._pending  # type: ignore[misc]
        self._pending = None
        if generation != self._generation:
            return
        self.apply_result(future.result(), view)
        self._view = view
        self.update()
        self.notify_rendered()

    def _cancel_pending(self) -> None:
        """Forget the running job; one still queued is not started at all (during a drag many
        views are requested and only the last one matters)."""
        self._generation += 1
        if self._pending is not None:
            self._pending[0].cancel()
        self._pending = None

    def wait_rendered(self) -> None:
        """Block until the jobs running on workers have been drawn (one job's result may
        start another, e.g. classes then the density image)."""
        while self._pending is not None:
            self._pending[0].result()
            self._finish()

    def apply_result(self, result: Any, view: ViewState) -> None:
        """Draw the result of a job submitted for ``view`` (GUI thread)."""

    # --- queries ---------------------------------------------------------------------------
    def identify(self, x: float, y: float, tolerance: float) -> list[Hit]:
        """Features at map position (x, y) within ``tolerance`` map units, nearest/top first."""
        return []

    def selection_extent(self) -> tuple[float, float, float, float] | None:
        """Extent of the layer's selected features, if any."""
        return None

    # --- QGraphicsItem ----------------------------------------------------------------------
    def boundingRect(self) -> QRectF:
        if self._item_rect is None:
            if len(self.layer) == 0:
                self._item_rect = QRectF()
            else:
                xmin, ymin, xmax, ymax = self.layer.extent()
                self._item_rect = QRectF(xmin, ymin, max(xmax - xmin, 1e-9), max(ymax - ymin, 1e-9))
        return QRectF(self._item_rect)

    def paint(self, painter, option, widget=None) -> None:
        """Children draw; the base item itself has nothing to paint."""


_REGISTRY: dict[str, Callable[[Layer], LayerItem]] = {}


def register_item(kind: str, factory: Callable[[Layer], LayerItem]) -> None:
    """Draw layers whose ``kind`` is ``kind`` with items made by ``factory``."""
    _REGISTRY[kind] = factory


def item_for(layer: Layer) -> LayerItem:
    """A new item drawing ``layer``, found by the layer's kind (then its base classes' kinds)."""
    for cls in type(layer).__mro__:
        kind = getattr(cls, "kind", None)
        if kind in _REGISTRY:
            return _REGISTRY[kind](layer)
    raise KeyError(f"no canvas item is registered for layer kind {layer.kind!r}")
