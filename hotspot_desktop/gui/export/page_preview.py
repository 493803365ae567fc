"""The composer's live page preview: the rendered page plus one editable box per element."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QGraphicsDropShadowEffect,
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsView,
    QWidget,
)

from hotspot_desktop.export.page import MM_PER_INCH, page_size_inches
from hotspot_desktop.export.template import Element, MapTemplate
from hotspot_desktop.gui.export.element_item import ElementItem
from hotspot_desktop.gui.export.preview_render import PREVIEW_DPI


def element_scene_rect(e: Element, page_w: float, page_h: float, mw: float, mh: float) -> QRectF:
    """An element's rectangle in scene pixels (y down) from its page fractions (y up, inside
    the margins ``mw``/``mh``, fractions of the page)."""
    left = (mw + e.x * (1 - 2 * mw)) * page_w
    top = (1 - (mh + (e.y + e.h) * (1 - 2 * mh))) * page_h
    return QRectF(left, top, e.w * (1 - 2 * mw) * page_w, e.h * (1 - 2 * mh) * page_h)


def scene_rect_fractions(r: QRectF, page_w: float, page_h: float, mw: float, mh: float) -> tuple[float, float, float, float]:
    """Inverse of :func:`element_scene_rect`: (x, y, w, h) page fractions inside the margins."""
    x = (r.left() / page_w - mw) / (1 - 2 * mw)
    w = r.width() / page_w / (1 - 2 * mw)
    y = (1 - r.bottom() / page_h - mh) / (1 - 2 * mh)
    h = r.height() / page_h / (1 - 2 * mh)
    return x, y, w, h


class PagePreview(QGraphicsView):
    """Shows the page image; ``element_edited(kind, x, y, w, h)`` when a box is moved or resized."""

    element_edited = Signal(str, float, float, float, float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("composerPreview")
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform)
        self.setBackgroundBrush(QBrush(QColor("#8a9199")))
        self.setMinimumSize(420, 320)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.page = QGraphicsRectItem()
        self.page.setBrush(QBrush(QColor("white")))
        self.page.setPen(QPen(Qt.PenStyle.NoPen))
        shadow = QGraphicsDropShadowEffect()
        shadow.setBlurRadius(14)
        shadow.setOffset(2, 3)
        shadow.setColor(QColor(0, 0, 0, 110))
        self.page.setGraphicsEffect(shadow)
        self.scene().addItem(self.page)
        self.pixmap = QGraphicsPixmapItem(self.page)
        self.pixmap.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.items_by_kind: dict[str, ElementItem] = {}
        self.page_w = self.page_h = 1.0
        self.mw = self.mh = 0.0
        self.show_boxes = True

    # --- layout -----------------------------------------------------------------------------
    def set_template(self, tpl: MapTemplate) -> None:
        """Size the page and place one box per enabled element."""
        w_in, h_in = page_size_inches(tpl.page, tpl.landscape)
        self.page_w, self.page_h = w_in * PREVIEW_DPI, h_in * PREVIEW_DPI
        self.mw = tpl.margins_mm / MM_PER_INCH / w_in
        self.mh = tpl.margins_mm / MM_PER_INCH / h_in
        self.page.setRect(QRectF(0, 0, self.page_w, self.page_h))
        pad = 0.04 * max(self.page_w, self.page_h)
        self.scene().setSceneRect(QRectF(-pad, -pad, self.page_w + 2 * pad, self.page_h + 2 * pad))
        selected = self.selected_kind()
        for item in self.items_by_kind.values():
            self.scene().removeItem(item)
        self.items_by_kind.clear()
        bounds = QRectF(self.mw * self.page_w, self.mh * self.page_h, (1 - 2 * self.mw) * self.page_w,
                        (1 - 2 * self.mh) * self.page_h)
        # The map first, so the smaller elements on top of it stay reachable.
        for kind in sorted(tpl.elements, key=lambda k: k != "map"):
            e = tpl.elements[kind]
            if not e.enabled:
                continue
            item = ElementItem(kind, element_scene_rect(e, self.page_w, self.page_h, self.mw, self.mh), bounds,
                               self._edited)
            item.setZValue(5 if kind == "map" else 10)
            item.setVisible(self.show_boxes)
            self.scene().addItem(item)
            item.setSelected(kind == selected)
            self.items_by_kind[kind] = item
        self._fit()

    def set_image(self, image: QImage) -> None:
        """Show a rendered page, scaled to the page rectangle."""
        pm = QPixmap.fromImage(image)
        self.pixmap.setPixmap(pm)
        if pm.width():
            self.pixmap.setScale(self.page_w / pm.width())

    def set_boxes_visible(self, on: bool) -> None:
        self.show_boxes = on
        for item in self.items_by_kind.values():
            item.setVisible(on)

    def _edited(self, kind: str, rect: QRectF) -> None:
        x, y, w, h = scene_rect_fractions(rect, self.page_w, self.page_h, self.mw, self.mh)
        self.element_edited.emit(kind, x, y, w, h)

    def selected_kind(self) -> str | None:
        return next((k for k, it in self.items_by_kind.items() if it.isSelected()), None)

    def keyPressEvent(self, event) -> None:
        # Arrow keys nudge the selected element by 1 mm (Shift: 5 mm), for exact placement.
        steps = {Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Right: (1, 0), Qt.Key.Key_Up: (0, -1), Qt.Key.Key_Down: (0, 1)}
        kind = self.selected_kind()
        if kind is None or event.key() not in steps:
            super().keyPressEvent(event)
            return
        mm = (5.0 if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else 1.0) * PREVIEW_DPI / MM_PER_INCH
        dx, dy = steps[event.key()]
        item = self.items_by_kind[kind]
        item.setPos(item.pos().x() + dx * mm, item.pos().y() + dy * mm)  # itemChange keeps it on the page
        self._edited(kind, item.scene_rect())

    # --- view -------------------------------------------------------------------------------
    def _fit(self) -> None:
        self.fitInView(self.scene().sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._fit()
