"""A draggable, resizable rectangle over one page element in the composer preview."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsRectItem,
    QGraphicsSceneMouseEvent,
    QStyleOptionGraphicsItem,
    QWidget,
)

HANDLE_PX = 9.0  # the lower-right grip that resizes the element
MIN_SIZE_PX = 8.0
LABELS = {"title": "Title", "subtitle": "Subtitle", "map": "Map", "legend": "Legend", "scalebar": "Scale bar",
          "north": "North arrow", "overview": "Overview", "autotext": "Auto text", "logo": "Logo",
          "marking": "Marking", "footnote": "Methods footnote"}


class ElementItem(QGraphicsRectItem):
    """Drag to move; drag the lower-right grip to resize. ``on_edited(kind, scene_rect)`` is
    called once the mouse is released, with the element's new rectangle in scene pixels."""

    def __init__(self, kind: str, rect: QRectF, bounds: QRectF, on_edited: Callable[[str, QRectF], None]) -> None:
        super().__init__(QRectF(0, 0, rect.width(), rect.height()))
        self.kind = kind
        self.bounds = bounds
        self.on_edited = on_edited
        self._resizing = False
        self._hover = False
        self._press: QPointF | None = None
        self.setPos(rect.topLeft())
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsMovable | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
                      | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges)
        self.setAcceptHoverEvents(True)
        self.setZValue(10)
        self.setToolTip(f"{LABELS.get(kind, kind)}: drag to move, drag the corner to resize")
        self.setCursor(Qt.CursorShape.SizeAllCursor)

    def scene_rect(self) -> QRectF:
        return self.mapRectToScene(self.rect())

    def _in_handle(self, p: QPointF) -> bool:
        r = self.rect()
        return p.x() >= r.right() - HANDLE_PX and p.y() >= r.bottom() - HANDLE_PX

    # --- drawing ----------------------------------------------------------------------------
    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        selected = self.isSelected()
        color = QColor("#1f6fd1")
        pen = QPen(color, 2 if selected else 1, Qt.PenStyle.SolidLine if selected else Qt.PenStyle.DashLine)
        pen.setCosmetic(True)
        painter.setPen(pen)
        fill = QColor(color)
        fill.setAlpha(40 if selected else 22 if self._hover else 0)
        painter.setBrush(QBrush(fill))
        r = self.rect()
        painter.drawRect(r)
        painter.setBrush(QBrush(color))
        painter.drawRect(QRectF(r.right() - HANDLE_PX, r.bottom() - HANDLE_PX, HANDLE_PX, HANDLE_PX))
        # The name tag covers part of the element, so it shows only for the box being worked on.
        if selected or self._hover:
            font = painter.font()
            font.setPointSizeF(7.5)
            painter.setFont(font)
            tag = LABELS.get(self.kind, self.kind)
            metrics = painter.fontMetrics()
            box = QRectF(r.left(), r.top(), metrics.horizontalAdvance(tag) + 6, metrics.height())
            painter.fillRect(box, color)
            painter.setPen(QColor("white"))
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, tag)

    # --- interaction ------------------------------------------------------------------------
    def hoverEnterEvent(self, event) -> None:
        self._hover = True
        self.update()
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event) -> None:
        self._hover = False
        self.update()
        super().hoverLeaveEvent(event)

    def hoverMoveEvent(self, event) -> None:
        self.setCursor(Qt.CursorShape.SizeFDiagCursor if self._in_handle(event.pos()) else Qt.CursorShape.SizeAllCursor)
        super().hoverMoveEvent(event)

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        self._press = self.pos()
        self._resizing = event.button() == Qt.MouseButton.LeftButton and self._in_handle(event.pos())
        if self._resizing:
            self.setSelected(True)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._resizing:
            p = event.pos()
            b = self.mapRectFromScene(self.bounds)
            w = min(max(p.x(), MIN_SIZE_PX), b.right())
            h = min(max(p.y(), MIN_SIZE_PX), b.bottom())
            self.prepareGeometryChange()
            self.setRect(QRectF(0, 0, w, h))
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        moved = self._resizing or (self._press is not None and self.pos() != self._press)
        self._resizing = False
        self._press = None
        super().mouseReleaseEvent(event)
        if moved:
            self.on_edited(self.kind, self.scene_rect())

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value):
        # Keep the element on the page while it is dragged.
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionChange and self.scene() is not None:
            r = self.rect()
            x = min(max(value.x(), self.bounds.left()), self.bounds.right() - r.width())
            y = min(max(value.y(), self.bounds.top()), self.bounds.bottom() - r.height())
            return QPointF(x, y)
        return super().itemChange(change, value)
