"""Shared helpers of the canvas tests: a shown canvas and map-position pixel lookup."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF

from hotspot_desktop.gui.canvas import MapCanvas, image_to_array

W, H = 400, 300


def show_canvas(qtbot, project, extent=None) -> MapCanvas:
    canvas = MapCanvas(project)
    qtbot.addWidget(canvas)
    canvas.resize(W, H)
    canvas.show()
    qtbot.waitExposed(canvas)
    if extent is not None:
        canvas.zoom_to_extent(extent, pad=0.0)
    canvas.flush()
    return canvas


def snapshot(canvas: MapCanvas) -> np.ndarray:
    """The canvas as an RGBA array, everything drawn."""
    gv = canvas.graphics_view
    return image_to_array(canvas.render_to_image(gv.width(), gv.height()))


def to_pixel(canvas: MapCanvas, x: float, y: float) -> tuple[int, int]:
    """(column, row) of the screen pixel showing map position (x, y)."""
    scene = canvas.view_box.mapViewToScene(QPointF(x, y))
    p = canvas.graphics_view.mapFromScene(scene)
    return p.x(), p.y()


def rgb_at(canvas: MapCanvas, img: np.ndarray, x: float, y: float) -> tuple[int, int, int]:
    c, r = to_pixel(canvas, x, y)
    return tuple(int(v) for v in img[r, c, :3])


def close(rgb, expected, tol=40) -> bool:
    return all(abs(a - b) <= tol for a, b in zip(rgb, expected))
