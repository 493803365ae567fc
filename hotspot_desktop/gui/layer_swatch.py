"""Small legend swatches for the layer panel, drawn from the layer's own style."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QLinearGradient, QPainter, QPen, QPixmap, QPolygonF

from hotspot_desktop.core.styles import LayerStyle, ramp_colors

SIZE = 18


def _qcolor(color: str) -> QColor:
    c = QColor(color[:7])
    if len(color) == 9:
        c.setAlpha(int(color[7:9], 16))
    return c


def style_colors(style: LayerStyle) -> list[str]:
    """Up to four colours that summarise the style (classes, categories or a ramp)."""
    if style.mode == "categorised" and style.categories:
        return [c.color for c in style.categories if c.visible][:4] or [style.symbol.fill]
    if style.mode == "graduated" and style.classes:
        cls = style.classes
        picks = sorted({0, len(cls) // 3, (2 * len(cls)) // 3, len(cls) - 1})
        return [cls[i].color for i in picks]
    if style.mode == "heatmap":
        return ramp_colors(style.heatmap.ramp, 4)
    if style.mode == "raster":
        return ramp_colors(style.raster.ramp, 4)
    return [style.symbol.fill]


def swatch(style: LayerStyle, geometry_kind: str) -> QIcon:
    """A point, line, polygon or ramp swatch coloured like the layer."""
    pm = QPixmap(SIZE, SIZE)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    colors = style_colors(style)
    outline = QPen(_qcolor(style.symbol.outline), 1.0)
    if geometry_kind == "raster" or style.mode in ("heatmap", "raster"):
        grad = QLinearGradient(0, SIZE, SIZE, 0)
        for i, c in enumerate(colors):
            grad.setColorAt(i / max(1, len(colors) - 1), QColor(c[:7]))
        p.fillRect(QRectF(1, 1, SIZE - 2, SIZE - 2), QBrush(grad))
    elif geometry_kind == "point":
        spots = [(5, 5), (13, 6), (8, 13), (14, 14)]
        p.setPen(outline)
        for i, (x, y) in enumerate(spots):
            p.setBrush(_qcolor(colors[i % len(colors)]))
            p.drawEllipse(QPointF(x, y), 3.2, 3.2)
    elif geometry_kind == "line":
        for i, c in enumerate(colors[:2] if len(colors) > 1 else colors):
            p.setPen(QPen(_qcolor(style.symbol.outline if len(colors) == 1 else c), 2.0))
            off = 4 * i
            p.drawPolyline(QPolygonF([QPointF(1, 14 - off), QPointF(6, 8 - off), QPointF(11, 12 - off),
                                      QPointF(17, 4 - off)]))
    else:
        shape = QPolygonF([QPointF(2, 5), QPointF(10, 2), QPointF(16, 8), QPointF(13, 16), QPointF(3, 14)])
        p.setPen(outline)
        if len(colors) == 1:
            p.setBrush(_qcolor(colors[0]))
            p.drawPolygon(shape)
        else:
            w = (SIZE - 2) / len(colors)
            for i, c in enumerate(colors):
                p.fillRect(QRectF(1 + i * w, 1, w, SIZE - 2), QColor(c[:7]))
    p.end()
    return QIcon(pm)
