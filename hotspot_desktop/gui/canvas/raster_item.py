"""Raster layers (density surfaces, Gi* z grids) as one ImageItem placed in map units."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF

from hotspot_desktop.core import render_math as rm
from hotspot_desktop.core.model import RasterLayer
from hotspot_desktop.gui.canvas.layer_item import Hit, LayerItem, register_item


class RasterItem(LayerItem):
    """A :class:`RasterLayer` coloured by ``style.raster`` (row 0 south, NaN transparent)."""

    def __init__(self, layer: RasterLayer) -> None:
        super().__init__(layer)
        self._image = pg.ImageItem(axisOrder="row-major")
        self._image.setParentItem(self)

    def rebuild(self) -> None:
        layer: RasterLayer = self.layer  # type: ignore[assignment]
        self.prepareGeometryChange()
        # Row-major with row 0 at the rect's bottom edge: the view's y axis points north, so
        # the southern row lands at y0 without flipping.
        self._image.setImage(rm.raster_rgba(layer.values, layer.style.raster), autoLevels=False)
        xmin, ymin, xmax, ymax = layer.extent()
        self._image.setRect(QRectF(xmin, ymin, xmax - xmin, ymax - ymin))

    def identify(self, x: float, y: float, tolerance: float) -> list[Hit]:
        layer: RasterLayer = self.layer  # type: ignore[assignment]
        v = layer.value_at(x, y)
        if not np.isfinite(v):
            return []
        c = int(np.floor((x - layer.x0) / layer.cell_size))
        r = int(np.floor((y - layer.y0) / layer.cell_size))
        attrs = {"value": v, "row": r, "col": c}
        attrs.update({name: float(band[r, c]) for name, band in layer.bands.items()})
        return [(r * layer.values.shape[1] + c, attrs)]


register_item("raster", RasterItem)
