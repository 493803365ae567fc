"""Drawing tools as small state machines over map coordinates (metres, working CRS).

Each tool receives press / move / release / key events already converted to map
coordinates and exposes ``preview()`` (the rubber-band geometry to draw, or None) and
``finished`` (the final geometry once complete). Keys: Enter closes a polygon,
Backspace removes its last vertex, Esc cancels any tool. A double-click closes a polygon.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import shapely
from shapely.geometry import LineString, Point, Polygon, box
from shapely.geometry.base import BaseGeometry

Coord = tuple[float, float]


@dataclass
class DrawTool:
    """Base: common state and the Esc behaviour."""

    finished: BaseGeometry | None = None
    cancelled: bool = False

    def press(self, p: Coord) -> None: ...

    def move(self, p: Coord) -> None: ...

    def release(self, p: Coord) -> None: ...

    def double_click(self, p: Coord) -> None: ...

    def key(self, name: str) -> None:
        if name == "Escape":
            self.cancel()

    def cancel(self) -> None:
        self.cancelled = True
        self.finished = None

    def preview(self) -> BaseGeometry | None:
        return None

    @property
    def active(self) -> bool:
        return not self.cancelled and self.finished is None

    def status(self) -> str:
        """Text next to the cursor: area, radius... (in metres; the GUI converts units)."""
        g = self.preview()
        return "" if g is None or g.area == 0 else f"area {g.area:,.0f} m²"


@dataclass
class PolygonTool(DrawTool):
    """Click vertices; double-click or Enter closes; Backspace removes the last vertex."""

    vertices: list[Coord] = field(default_factory=list)
    cursor: Coord | None = None

    def press(self, p: Coord) -> None:
        if self.active and (not self.vertices or self.vertices[-1] != p):
            self.vertices.append(p)

    def move(self, p: Coord) -> None:
        self.cursor = p

    def double_click(self, p: Coord) -> None:
        # The double-click's first press already added the vertex.
        if self.vertices and self.vertices[-1] != p:
            self.vertices.append(p)
        self.close()

    def key(self, name: str) -> None:
        if name in ("Enter", "Return"):
            self.close()
        elif name == "Backspace" and self.vertices:
            self.vertices.pop()
        else:
            super().key(name)

    def close(self) -> None:
        if len(self.vertices) >= 3:
            self.finished = Polygon(self.vertices)

    def preview(self) -> BaseGeometry | None:
        pts = list(self.vertices) + ([self.cursor] if self.cursor is not None and self.active else [])
        if len(pts) >= 3:
            return Polygon(pts)
        if len(pts) == 2:
            return LineString(pts)
        return None

    def self_intersecting(self) -> bool:
        """True when the rubber band crosses itself (shown to the user while drawing)."""
        g = self.preview()
        return isinstance(g, Polygon) and not g.is_valid


@dataclass
class RectangleTool(DrawTool):
    start: Coord | None = None
    cursor: Coord | None = None

    def press(self, p: Coord) -> None:
        self.start = p

    def move(self, p: Coord) -> None:
        self.cursor = p

    def release(self, p: Coord) -> None:
        self.cursor = p
        if self.start is not None:
            self.finished = self.preview()

    def preview(self) -> BaseGeometry | None:
        if self.start is None or self.cursor is None:
            return None
        (x0, y0), (x1, y1) = self.start, self.cursor
        return box(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


@dataclass
class CircleTool(DrawTool):
    """Press at the centre, drag to the radius (shown while dragging), release."""

    centre: Coord | None = None
    cursor: Coord | None = None
    quad_segs: int = 32

    @property
    def radius(self) -> float:
        if self.centre is None or self.cursor is None:
            return 0.0
        return math.dist(self.centre, self.cursor)

    def press(self, p: Coord) -> None:
        self.centre = p

    def move(self, p: Coord) -> None:
        self.cursor = p

    def release(self, p: Coord) -> None:
        self.cursor = p
        if self.centre is not None:
            self.finished = self.preview()

    def preview(self) -> BaseGeometry | None:
        if self.centre is None or self.radius <= 0:
            return None
        return Point(self.centre).buffer(self.radius, quad_segs=self.quad_segs)

    def status(self) -> str:
        g = self.preview()
        return "" if g is None else f"radius {self.radius:,.0f} m, area {g.area:,.0f} m²"


@dataclass
class LassoTool(DrawTool):
    """Freehand: press, drag around the area, release. Points closer than ``spacing`` (map
    units) to the previous one are skipped so the outline stays light."""

    points: list[Coord] = field(default_factory=list)
    spacing: float = 5.0
    drawing: bool = False

    def press(self, p: Coord) -> None:
        self.points = [p]
        self.drawing = True

    def move(self, p: Coord) -> None:
        if self.drawing and math.dist(self.points[-1], p) >= self.spacing:
            self.points.append(p)

    def release(self, p: Coord) -> None:
        self.move(p)
        self.drawing = False
        if len(self.points) >= 3:
            self.finished = Polygon(self.points).simplify(self.spacing / 2)

    def preview(self) -> BaseGeometry | None:
        if len(self.points) >= 3:
            return Polygon(self.points)
        return LineString(self.points) if len(self.points) == 2 else None


@dataclass
class BufferTool(DrawTool):
    """Click a point (or pick a street segment); the zone is the buffer of ``distance``."""

    distance: float = 100.0
    target: BaseGeometry | None = None

    def press(self, p: Coord) -> None:
        self.target = Point(p)

    def pick(self, geom: BaseGeometry) -> None:
        """Use a picked feature (e.g. the street segment under the cursor) instead of a point."""
        self.target = geom

    def release(self, p: Coord) -> None:
        if self.target is not None:
            self.finished = self.preview()

    def preview(self) -> BaseGeometry | None:
        if self.target is None or self.distance <= 0:
            return None
        return shapely.buffer(self.target, self.distance, quad_segs=16)


TOOLS = {"polygon": PolygonTool, "rectangle": RectangleTool, "circle": CircleTool, "lasso": LassoTool,
         "buffer": BufferTool}
