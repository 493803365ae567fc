"""The layered map canvas: MapCanvas and the per-layer graphics items."""

from hotspot_desktop.gui.canvas.pyside_guard import pin_bool_refcounts

# Before anything emits: pyqtgraph emits on every mouse move (see pyside_guard).
pin_bool_refcounts()

from hotspot_desktop.gui.canvas.layer_item import LayerItem, item_for, register_item
from hotspot_desktop.gui.canvas.map_canvas import MapCanvas, image_to_array

__all__ = ["LayerItem", "MapCanvas", "image_to_array", "item_for", "pin_bool_refcounts", "register_item"]
