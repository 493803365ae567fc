"""Offline basemaps on the canvas: georeferenced images and MBTiles tile packages."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QImage, QPainter, QPolygonF, QTransform

from hotspot_desktop.core import render_math as rm
from hotspot_desktop.core.basemap_layers import ImageLayer, TileLayer
from hotspot_desktop.core.io.basemap import (
    TILE_SIZE,
    choose_zoom,
    tile_bounds_3857,
    tiles_covering,
)
from hotspot_desktop.gui.canvas.layer_item import LayerItem, register_item

# Above this many tiles for a view, a coarser zoom is used (magnified) to bound the work.
MAX_TILES_PER_VIEW = 96
TILE_CACHE_SIZE = 256


def rgba_to_qimage(rgba: np.ndarray) -> QImage:
    """A QImage owning a copy of an (h, w, 4) uint8 RGBA array."""
    h, w = rgba.shape[:2]
    img = QImage(np.ascontiguousarray(rgba).data, w, h, 4 * w, QImage.Format.Format_RGBA8888)
    return img.copy()


def quad_transform(width: float, height: float, corners: np.ndarray) -> QTransform:
    """Transform from image pixels (y down) onto ``corners`` (upper-left, upper-right,
    lower-right, lower-left) in map units."""
    src = QPolygonF([QPointF(0, 0), QPointF(width, 0), QPointF(width, height), QPointF(0, height)])
    dst = QPolygonF([QPointF(float(x), float(y)) for x, y in corners])
    t = QTransform()
    if not QTransform.quadToQuad(src, dst, t):
        raise ValueError("degenerate image corners")
    return t


def corners_bbox(corners: np.ndarray) -> QRectF:
    xmin, ymin = corners.min(axis=0)
    xmax, ymax = corners.max(axis=0)
    return QRectF(float(xmin), float(ymin), float(xmax - xmin), float(ymax - ymin))


class ImageLayerItem(LayerItem):
    """A georeferenced picture stretched onto its corners."""

    def __init__(self, layer: ImageLayer) -> None:
        super().__init__(layer)
        self._image = QImage()
        self._transform = QTransform()

    def rebuild(self) -> None:
        layer: ImageLayer = self.layer  # type: ignore[assignment]
        self.prepareGeometryChange()
        self._image = rgba_to_qimage(layer.rgba)
        self._transform = quad_transform(self._image.width(), self._image.height(), layer.corners)
        self.update()

    def paint(self, painter: QPainter, option, widget=None) -> None:
        if self._image.isNull():
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        painter.setTransform(self._transform, combine=True)
        painter.drawImage(0, 0, self._image)
        painter.restore()

    def boundingRect(self) -> QRectF:
        return corners_bbox(self.layer.corners)  # type: ignore[attr-defined]


class TileLayerItem(LayerItem):
    """An MBTiles basemap: tiles of the zoom that matches the view, each reprojected by its
    four corners from Web Mercator to the working CRS (see TileLayer)."""

    view_dependent = True

    def __init__(self, layer: TileLayer) -> None:
        super().__init__(layer)
        self._cache: OrderedDict[tuple[int, int, int], QImage | None] = OrderedDict()
        self._drawn: list[tuple[QImage, QTransform]] = []
        self.zoom: int | None = None

    def rebuild(self) -> None:
        self._cache.clear()
        self.prepareGeometryChange()

    def _tile_image(self, z: int, x: int, y: int) -> QImage | None:
        key = (z, x, y)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        data = self.layer.tiles.tile(z, x, y)  # type: ignore[attr-defined]
        img = None
        if data is not None:
            img = QImage.fromData(data)
            img = None if img.isNull() else img
        self._cache[key] = img
        if len(self._cache) > TILE_CACHE_SIZE:
            self._cache.popitem(last=False)
        return img

    def update_view(self, view: rm.ViewState) -> None:
        layer: TileLayer = self.layer  # type: ignore[assignment]
        xmin, ymin, xmax, ymax = view.extent
        # Corners and edge midpoints: a UTM view is not a rectangle in Web Mercator.
        vx = np.array([xmin, xmax, xmax, xmin, (xmin + xmax) / 2, (xmin + xmax) / 2, xmin, xmax])
        vy = np.array([ymin, ymin, ymax, ymax, ymin, ymax, (ymin + ymax) / 2, (ymin + ymax) / 2])
        mx, my = layer.to_mercator(vx, vy)
        bounds = (float(mx.min()), float(my.min()), float(mx.max()), float(my.max()))
        zooms = layer.tiles.zoom_levels()
        self._drawn = []
        self.zoom = None
        if not zooms or not np.all(np.isfinite(mx)):
            self.update()
            return
        z = choose_zoom((bounds[2] - bounds[0]) / max(1, view.width_px), zooms)
        tiles = tiles_covering(bounds, z)
        while len(tiles) > MAX_TILES_PER_VIEW and z > min(zooms):
            z = max(q for q in zooms if q < z)
            tiles = tiles_covering(bounds, z)
        self.zoom = z
        for x, y in tiles:
            img = self._tile_image(z, x, y)
            if img is None:
                continue
            bx0, by0, bx1, by1 = tile_bounds_3857(z, x, y)
            cx, cy = layer.from_mercator(np.array([bx0, bx1, bx1, bx0]), np.array([by1, by1, by0, by0]))
            self._drawn.append((img, quad_transform(img.width() or TILE_SIZE, img.height() or TILE_SIZE,
                                                    np.column_stack([cx, cy]))))
        self.update()

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        base = painter.transform()
        for img, t in self._drawn:
            painter.setTransform(t * base)
            painter.drawImage(0, 0, img)
        painter.setTransform(base)

    def boundingRect(self) -> QRectF:
        xmin, ymin, xmax, ymax = self.layer.extent()
        return QRectF(xmin, ymin, xmax - xmin, ymax - ymin)


register_item("image", ImageLayerItem)
register_item("tiles", TileLayerItem)
