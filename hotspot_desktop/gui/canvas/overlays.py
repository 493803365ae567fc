"""Screen overlays of the canvas: labels above every layer and a scale bar."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPainter,
    QPainterPath,
    QPen,
)

from hotspot_desktop.core import render_math as rm
from hotspot_desktop.gui.canvas.vector_item import draw_view_image

LABEL_Z = 1_000_000
SCALE_BAR_MAX_PX = 120
FEET_PER_METRE = 1 / 0.3048
FEET_PER_MILE = 5280.0


class LabelOverlay(pg.GraphicsObject):
    """Draws the label images of vector layers (bottom layer first) above all layers, as GIS
    software does, so incidents never hide beat or zone names."""

    def __init__(self, sources: Callable[[], Iterable[tuple[QImage, rm.ViewState]]]) -> None:
        super().__init__()
        self._sources = sources
        self._rect = QRectF()
        self.setZValue(LABEL_Z)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    def refresh(self) -> None:
        rect = QRectF()
        for _, view in self._sources():
            xmin, ymin, xmax, ymax = view.extent
            rect = rect.united(QRectF(xmin, ymin, xmax - xmin, ymax - ymin))
        if rect != self._rect:
            self.prepareGeometryChange()
            self._rect = rect
        self.update()

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter: QPainter, option, widget=None) -> None:
        for image, view in self._sources():
            draw_view_image(painter, image, view)


def nice_length(max_length: float) -> float:
    """The largest 1, 2 or 5 x 10^k not above ``max_length``."""
    if max_length <= 0:
        return 0.0
    exp = math.floor(math.log10(max_length))
    for m in (5, 2, 1):
        if m * 10**exp <= max_length:
            return float(m * 10**exp)
    return float(10**exp)


def scale_bar_spec(metres_per_pixel: float, units: str = "m", max_px: float = SCALE_BAR_MAX_PX
                   ) -> tuple[float, str]:
    """Bar length in pixels and its label for the display unit system ("m" or "ft")."""
    if metres_per_pixel <= 0:
        return 0.0, ""
    max_m = metres_per_pixel * max_px
    if units in ("ft", "mi"):
        feet = max_m * FEET_PER_METRE
        if feet >= FEET_PER_MILE:
            miles = nice_length(feet / FEET_PER_MILE)
            return miles * FEET_PER_MILE / FEET_PER_METRE / metres_per_pixel, f"{miles:g} mi"
        ft = nice_length(feet)
        return ft / FEET_PER_METRE / metres_per_pixel, f"{ft:g} ft"
    length = nice_length(max_m)
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    return length / metres_per_pixel, label


class ScaleBar(pg.GraphicsObject):
    """A black-and-white scale bar in the lower-left corner of the view (screen-fixed)."""

    def __init__(self, view_box: pg.ViewBox, units: Callable[[], str]) -> None:
        super().__init__(view_box)
        self._vb = view_box
        self._units = units
        self.setZValue(LABEL_Z + 1)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        view_box.sigRangeChanged.connect(self._moved)
        view_box.sigResized.connect(self._moved)

    def _moved(self, *args) -> None:
        self.prepareGeometryChange()
        self.update()

    def spec(self) -> tuple[float, str]:
        w = self._vb.width()
        if w <= 0:
            return 0.0, ""
        return scale_bar_spec(self._vb.viewRect().width() / w, self._units())

    def boundingRect(self) -> QRectF:
        h = self._vb.height()
        return QRectF(0, max(0.0, h - 44), SCALE_BAR_MAX_PX + 80, 44)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        length, label = self.spec()
        if length <= 0:
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        x0, y0 = 12.0, self._vb.height() - 14.0
        half = length / 2
        painter.setPen(QPen(QColor("#000000"), 1.0))
        painter.setBrush(QColor("#000000"))
        painter.drawRect(QRectF(x0, y0 - 5, half, 5))
        painter.setBrush(QColor("#FFFFFF"))
        painter.drawRect(QRectF(x0 + half, y0 - 5, length - half, 5))
        font = QFont()
        font.setPointSizeF(8.0)
        fm = QFontMetricsF(font)
        path = QPainterPath()
        path.addText(QPointF(x0 + length + 6, y0 - 5 + fm.ascent() / 2), font, label)
        painter.strokePath(path, QPen(QColor(255, 255, 255, 220), 3.0))
        painter.fillPath(path, QColor("#000000"))
