"""A lean marker item: one pre-rendered symbol stamped at many positions per paint.

pyqtgraph's ScatterPlotItem keeps per-point style records and spends ~3 µs of Python per point
in ``setData``; a canvas layer has one symbol per colour class, so this item keeps only the
coordinate arrays and draws them with ``QPainter.drawPixmapFragments`` (the same primitive
ScatterPlotItem uses for its atlas).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pyqtgraph as pg
from pyqtgraph.graphicsItems.ScatterPlotItem import renderSymbol
from pyqtgraph.Qt.internals import PrimitiveArray
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter, QPixmap

from hotspot_desktop.gui.canvas.layer_item import qcolor


@lru_cache(maxsize=128)
def symbol_pixmap(marker: str, size: float, outline: str, outline_width: float, fill: str) -> QPixmap:
    """The marker rendered once, antialiased, as a pixmap."""
    pen = pg.mkPen(qcolor(outline), width=outline_width) if outline_width > 0 else pg.mkPen(None)
    return QPixmap.fromImage(renderSymbol(marker, size, pen, pg.mkBrush(qcolor(fill))))


class MarkerItem(pg.GraphicsObject):
    """Identical markers at (x, y) map positions; sizes are in screen pixels."""

    def __init__(self) -> None:
        super().__init__()
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self._x = np.empty(0)
        self._y = np.empty(0)
        self._pixmap: QPixmap | None = None
        self._bounds = QRectF()
        self._fragments = PrimitiveArray(QPainter.PixmapFragment, 10)

    def set_data(self, x: np.ndarray, y: np.ndarray, pixmap: QPixmap) -> None:
        self.prepareGeometryChange()
        self._x = np.asarray(x, dtype=np.float64)
        self._y = np.asarray(y, dtype=np.float64)
        self._pixmap = pixmap
        if self._x.size:
            x0, x1, y0, y1 = self._x.min(), self._x.max(), self._y.min(), self._y.max()
            self._bounds = QRectF(x0, y0, max(x1 - x0, 1e-9), max(y1 - y0, 1e-9))
        else:
            self._bounds = QRectF()
        self.update()

    def clear(self) -> None:
        self.set_data(np.empty(0), np.empty(0), self._pixmap or QPixmap())

    def __len__(self) -> int:
        return int(self._x.size)

    def boundingRect(self) -> QRectF:
        if self._bounds.isNull() or self._pixmap is None:
            return self._bounds
        # Markers stick out of the data bounds by half a symbol in screen pixels.
        px = self.pixelLength(pg.Point(1, 0)) or 0.0
        r = self._pixmap.width() * 0.5 * (px or 0.0)
        return self._bounds.adjusted(-r, -r, r, r)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        if self._pixmap is None or self._x.size == 0:
            return
        t = painter.transform()
        px = t.m11() * self._x + t.m21() * self._y + t.dx()
        py = t.m12() * self._x + t.m22() * self._y + t.dy()
        np.clip(px, -2**30, 2**30, out=px)  # Qt misbehaves with huge coordinates
        np.clip(py, -2**30, 2**30, out=py)
        painter.resetTransform()
        dpr = self._pixmap.devicePixelRatio() or 1.0
        self._fragments.resize(px.size)
        frags = self._fragments.ndarray()
        frags[:, 0] = px
        frags[:, 1] = py
        frags[:, 2:6] = [0, 0, self._pixmap.width(), self._pixmap.height()]
        frags[:, 6:10] = [1 / dpr, 1 / dpr, 0.0, 1.0]
        painter.drawPixmapFragments(*self._fragments.drawargs(), self._pixmap)
        painter.setTransform(t)
