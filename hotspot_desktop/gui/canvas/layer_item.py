"""The base of every layer's graphics item and the registry from layer kind to item class.

One :class:`LayerItem` draws one model layer (napari's layer-to-visual registry, STYLE.md idea 2):
the canvas creates it through :func:`item_for`, forwards the layer's ``changed`` events to it and
asks it to :meth:`LayerItem.update_view` when the view settles on a new extent.
"""

from __future__ import annotations

from typing import Any, Callable

import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor

from hotspot_desktop.core.model import Layer
from hotspot_desktop.core.render_math import ViewState, hex_to_rgba

# Feature attributes returned by identify: (row index, attributes).
Hit = tuple[int, dict[str, Any]]


def qcolor(color: str) -> QColor:
    """A ``#rrggbb[aa]`` colour string as a QColor."""
    r, g, b, a = hex_to_rgba(color)
    return QColor(r, g, b, a)


class LayerItem(pg.GraphicsObject):
    """Draws one layer. Subclasses rebuild in :meth:`rebuild` (data/style/filter changed) and,
    when their drawing depends on the view (level of detail, culling), in :meth:`update_view`."""

    view_dependent = False

    def __init__(self, layer: Layer) -> None:
        super().__init__()
        self.layer = layer
        self._view: ViewState | None = None  # view the current drawing was made for
        self._dirty = True  # the drawing needs rebuilding from the layer
        self.request_refresh: Callable[[], None] = lambda: None  # set by the canvas
        self.notify_rendered: Callable[[], None] = lambda: None  # set by the canvas
        self.setFlag(self.GraphicsItemFlag.ItemHasNoContents, False)
        self.setVisible(layer.visible)
        self.setOpacity(layer.opacity)

    # --- change handling -------------------------------------------------------------------
    def on_layer_changed(self, what: str) -> None:
        """React to ``layer.changed``: cheap properties now, content at the next refresh."""
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
        """``layer.selection`` changed; items that highlight selections override this."""

    def is_current(self, view: ViewState) -> bool:
        """True when the drawing matches the layer and (for view-dependent items) ``view``."""
        if self._dirty:
            return False
        return not self.view_dependent or self._view == view

    def refresh(self, view: ViewState) -> None:
        """Bring the drawing up to date for ``view``."""
        if self._dirty:
            self.rebuild()
            self._dirty = False
            self._view = None
        if self.view_dependent and self._view != view:
            self.update_view(view)
        self._view = view

    def wait_rendered(self) -> None:
        """Block until drawing started on a worker thread has arrived (no-op when synchronous)."""

    def rebuild(self) -> None:
        """Recompute everything derived from the layer's data and style."""

    def update_view(self, view: ViewState) -> None:
        """Recompute what depends on the view (only called when ``view_dependent``)."""

    def identify(self, x: float, y: float, tolerance: float) -> list[Hit]:
        """Features at map position (x, y) within ``tolerance`` map units, nearest/top first."""
        return []

    def selection_extent(self) -> tuple[float, float, float, float] | None:
        """Extent of the layer's selected features, if any."""
        return None

    # --- QGraphicsItem ----------------------------------------------------------------------
    def boundingRect(self) -> QRectF:
        if len(self.layer) == 0:
            return QRectF()
        xmin, ymin, xmax, ymax = self.layer.extent()
        return QRectF(xmin, ymin, max(xmax - xmin, 1e-9), max(ymax - ymin, 1e-9))

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
