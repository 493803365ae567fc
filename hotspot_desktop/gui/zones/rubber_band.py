"""The rubber band over the map: the shape being drawn or edited, its vertex handles, the snap
marker and the live measure text next to the cursor. Lives in map coordinates in the view box."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import shapely
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsPathItem
from shapely.geometry.base import BaseGeometry

BAND_COLOR = "#1F3A93"
INVALID_COLOR = "#E00000"
SNAP_COLOR = "#FF00FF"
Z_TOP = 1e6  # above every layer item (their z is the layer index)


def geometry_path(geom: BaseGeometry | None) -> QPainterPath:
    """A QPainterPath of a polygon's rings or a line, in map coordinates."""
    path = QPainterPath()
    if geom is None or geom.is_empty:
        return path
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        lines = shapely.get_rings(shapely.get_parts(geom))
        closed = True
    else:
        lines = shapely.get_parts(geom)
        closed = False
    for line in lines:
        c = np.asarray(shapely.get_coordinates(line))
        if len(c) == 0:
            continue
        path.moveTo(float(c[0, 0]), float(c[0, 1]))
        for x, y in c[1:]:
            path.lineTo(float(x), float(y))
        if closed:
            path.closeSubpath()
    path.setFillRule(Qt.FillRule.WindingFill)
    return path


class RubberBand:
    """Graphics items of the interaction in progress, added to (and removed from) a view box."""

    def __init__(self, view_box: pg.ViewBox) -> None:
        self.view_box = view_box
        self.shape = QGraphicsPathItem()
        self.shape.setZValue(Z_TOP)
        self.handles = pg.ScatterPlotItem(size=9, symbol="s", pen=pg.mkPen("#000000"), brush=pg.mkBrush("#FFFFFF"))
        self.handles.setZValue(Z_TOP + 1)
        self.snap_marker = pg.ScatterPlotItem(size=14, symbol="o", pen=pg.mkPen(SNAP_COLOR, width=2),
                                              brush=pg.mkBrush(0, 0, 0, 0))
        self.snap_marker.setZValue(Z_TOP + 2)
        self.label = pg.TextItem("", color="#000000", fill=pg.mkBrush(255, 255, 255, 225),
                                 border=pg.mkPen("#666666"), anchor=(-0.05, 1.2))
        self.label.setZValue(Z_TOP + 3)
        for item in (self.shape, self.handles, self.snap_marker, self.label):
            view_box.addItem(item, ignoreBounds=True)
        self.set_geometry(None)
        self.label.setVisible(False)

    def set_geometry(self, geom: BaseGeometry | None, invalid: bool = False) -> None:
        """Show ``geom`` (None hides the band); red while ``invalid`` (a self-crossing outline)."""
        color = QColor(INVALID_COLOR if invalid else BAND_COLOR)
        pen = QPen(color, 2.0 if invalid else 1.6)
        pen.setCosmetic(True)
        if not invalid:
            pen.setStyle(Qt.PenStyle.DashLine)
        fill = QColor(color)
        fill.setAlpha(60)
        self.shape.setPen(pen)
        polygonal = geom is not None and geom.geom_type in ("Polygon", "MultiPolygon")
        self.shape.setBrush(QBrush(fill) if polygonal else QBrush(Qt.BrushStyle.NoBrush))
        self.shape.setPath(geometry_path(geom))
        self.shape.setVisible(geom is not None)
        self.invalid = bool(invalid and geom is not None)

    def set_handles(self, coords: np.ndarray | None) -> None:
        if coords is None or len(coords) == 0:
            self.handles.setData([], [])
        else:
            self.handles.setData(coords[:, 0], coords[:, 1])

    def set_snap(self, point: tuple[float, float] | None) -> None:
        if point is None:
            self.snap_marker.setData([], [])
        else:
            self.snap_marker.setData([point[0]], [point[1]])

    def set_text(self, text: str, x: float = 0.0, y: float = 0.0) -> None:
        """The live measure next to the cursor (empty text hides it)."""
        self.label.setText(text)
        self.label.setPos(x, y)
        self.label.setVisible(bool(text))

    @property
    def text(self) -> str:
        return self.label.textItem.toPlainText() if self.label.isVisible() else ""

    def clear(self) -> None:
        self.set_geometry(None)
        self.set_handles(None)
        self.set_snap(None)
        self.set_text("")

    def remove(self) -> None:
        for item in (self.shape, self.handles, self.snap_marker, self.label):
            self.view_box.removeItem(item)
