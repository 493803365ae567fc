"""The canvas's ViewBox: map navigation tools on top of pyqtgraph's pan/zoom."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal

TOOLS = ("pan", "zoom_box", "identify", "none")


class MapViewBox(pg.ViewBox):
    """North-up, square-pixel view. Tools: ``pan`` (drag pans, wheel zooms about the cursor),
    ``zoom_box`` (drag a rubber band to zoom in), ``identify`` (click reports the map position,
    drag still pans) and ``none`` (drags left to overlay tools such as zone drawing)."""

    identify_requested = Signal(QPointF)  # map position of an identify click

    def __init__(self) -> None:
        super().__init__(enableMenu=False, lockAspect=1.0, invertY=False)
        self.disableAutoRange()
        self.tool = "pan"

    def set_tool(self, name: str) -> None:
        if name not in TOOLS:
            raise ValueError(f"unknown map tool {name!r}; expected one of {TOOLS}")
        self.tool = name
        self.setMouseMode(self.RectMode if name == "zoom_box" else self.PanMode)
        enabled = name != "none"
        self.setMouseEnabled(x=enabled, y=enabled)

    def mouseDragEvent(self, ev, axis=None) -> None:
        if self.tool == "none":
            ev.ignore()
            return
        super().mouseDragEvent(ev, axis)

    def mouseClickEvent(self, ev) -> None:
        if ev.button() == Qt.MouseButton.LeftButton and self.tool == "identify":
            ev.accept()
            self.identify_requested.emit(self.mapSceneToView(ev.scenePos()))
            return
        ev.ignore()

    def wheelEvent(self, ev, axis=None) -> None:
        # Zooming stays available with the "none" tool (zone drawing) like in every GIS.
        if self.tool == "none":
            self.setMouseEnabled(x=True, y=True)
            super().wheelEvent(ev, axis)
            self.setMouseEnabled(x=False, y=False)
            return
        super().wheelEvent(ev, axis)
