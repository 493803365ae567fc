"""Editing interactions on existing zones, each a small state machine fed with map points
(STYLE.md idea 10): select, edit vertices, move a zone, delete a zone.

They talk to the controller through a narrow host interface (``zone_at``, ``geometry``,
``tolerance_m``, ``snap``, ``push_geometry``, ``delete_zone``, ``select``, ``open_form``,
``post``, ``show_handles``, ``cancel_drag``) so the rules stay readable apart from Qt events.
"""

from __future__ import annotations

from typing import Any

from shapely.geometry.base import BaseGeometry

from hotspot_desktop.core.zones.editing import (
    VertexAddress,
    delete_vertex,
    insert_vertex,
    move_vertex,
    nearest_edge,
    nearest_vertex,
    translate,
)
from hotspot_desktop.core.zones.validation import ZoneGeometryError, validate_zone
from hotspot_desktop.gui.zones.undo import new_drag_token

Point = tuple[float, float]


class EditTool:
    """Base: every event is optional; ``dragging`` tells the controller a drag is under way."""

    name = "edit"

    def __init__(self, host: Any) -> None:
        self.host = host
        self.dragging = False

    def press(self, p: Point) -> None: ...

    def right_press(self, p: Point) -> None: ...

    def move(self, p: Point) -> None: ...

    def release(self, p: Point) -> None: ...

    def double_click(self, p: Point) -> None:
        zid = self.host.zone_at(*p)
        if zid is not None:
            self.host.open_form(zid)

    def key(self, name: str) -> None:
        if name == "Escape":
            self.host.select(None)

    def activate(self) -> None:
        """Called when the tool becomes current."""


class SelectTool(EditTool):
    """Click selects the zone under the cursor; double-click opens its form; Delete deletes it."""

    name = "select"

    def press(self, p: Point) -> None:
        self.host.select(self.host.zone_at(*p))

    def key(self, name: str) -> None:
        if name == "Delete" and self.host.selected is not None:
            self.host.delete_zone(self.host.selected)
        else:
            super().key(name)


class DeleteTool(EditTool):
    """Click a zone to delete it."""

    name = "delete"

    def press(self, p: Point) -> None:
        zid = self.host.zone_at(*p)
        if zid is not None:
            self.host.delete_zone(zid)


class MoveTool(EditTool):
    """Drag a zone to move it; the whole drag is one undo step."""

    name = "move"

    def __init__(self, host: Any) -> None:
        super().__init__(host)
        self._zone: str | None = None
        self._origin: BaseGeometry | None = None
        self._start: Point = (0.0, 0.0)
        self._token = 0

    def press(self, p: Point) -> None:
        zid = self.host.zone_at(*p)
        self.host.select(zid)
        if zid is None:
            return
        self._zone, self._origin, self._start = zid, self.host.geometry(zid), p
        self._token = new_drag_token()
        self.dragging = True

    def move(self, p: Point) -> None:
        if not self.dragging:
            return
        q = self.host.snap(*p, exclude=self._zone)
        dx, dy = q[0] - self._start[0], q[1] - self._start[1]
        if dx or dy:
            self.host.push_geometry(self._zone, translate(self._origin, dx, dy), "move zone", self._token)

    def release(self, p: Point) -> None:
        if self.dragging:
            self.move(p)
        self.dragging = False

    def key(self, name: str) -> None:
        if name == "Escape" and self.dragging:
            self.dragging = False
            self.host.cancel_drag(self._token)
        else:
            super().key(name)


class VertexTool(EditTool):
    """Vertex editing of the selected zone: drag a vertex to move it, double-click an edge to
    insert one, right-click a vertex (or hover it and press Delete) to delete it."""

    name = "vertices"

    def __init__(self, host: Any) -> None:
        super().__init__(host)
        self._addr: VertexAddress | None = None
        self._zone: str | None = None
        self._origin: BaseGeometry | None = None
        self._hover: tuple[str, VertexAddress] | None = None
        self._token = 0

    def activate(self) -> None:
        self.host.show_handles(self.host.selected)

    def _vertex_near(self, p: Point) -> tuple[str, VertexAddress] | None:
        tol = self.host.tolerance_m()
        for zid in (self.host.selected, self.host.zone_at(*p)):
            if zid is None:
                continue
            addr = nearest_vertex(self.host.geometry(zid), p[0], p[1], tol)
            if addr is not None:
                return zid, addr
        return None

    def press(self, p: Point) -> None:
        hit = self._vertex_near(p)
        if hit is None:
            self.host.select(self.host.zone_at(*p))
            self.host.show_handles(self.host.selected)
            return
        self._zone, self._addr = hit
        self.host.select(self._zone)
        self.host.show_handles(self._zone)
        self._origin = self.host.geometry(self._zone)
        self._token = new_drag_token()
        self.dragging = True

    def move(self, p: Point) -> None:
        if not self.dragging:
            self._hover = self._vertex_near(p)
            return
        x, y = self.host.snap(*p, exclude=self._zone)
        geom = move_vertex(self._origin, self._addr, x, y)
        self.host.push_geometry(self._zone, geom, "move vertex", self._token, preview_invalid=not geom.is_valid)

    def release(self, p: Point) -> None:
        if not self.dragging:
            return
        self.move(p)
        self.dragging = False
        geom = self.host.geometry(self._zone)
        if not geom.is_valid:
            try:
                fixed = validate_zone(geom)
            except ZoneGeometryError as exc:
                self.host.cancel_drag(self._token)
                self.host.post(str(exc))
                return
            self.host.push_geometry(self._zone, fixed.geometry, "move vertex", self._token)
            self.host.post(" ".join(fixed.messages))
        self.host.show_handles(self._zone)

    def double_click(self, p: Point) -> None:
        zid = self.host.selected or self.host.zone_at(*p)
        if zid is None:
            return
        geom = self.host.geometry(zid)
        edge = nearest_edge(geom, p[0], p[1], self.host.tolerance_m())
        if edge is None:
            if self.host.zone_at(*p) == zid:
                self.host.open_form(zid)
            return
        addr, fx, fy = edge
        self.host.push_geometry(zid, insert_vertex(geom, addr, fx, fy), "insert vertex")
        self.host.show_handles(zid)

    def right_press(self, p: Point) -> None:
        hit = self._vertex_near(p)
        if hit is not None:
            self._delete(*hit)

    def _delete(self, zid: str, addr: VertexAddress) -> None:
        try:
            geom = delete_vertex(self.host.geometry(zid), addr)
            fixed = validate_zone(geom)
        except ZoneGeometryError as exc:
            self.host.post(str(exc))
            return
        self.host.push_geometry(zid, fixed.geometry, "delete vertex")
        self._hover = None
        self.host.show_handles(zid)

    def key(self, name: str) -> None:
        if name in ("Delete", "Backspace") and self._hover is not None and not self.dragging:
            self._delete(*self._hover)
        elif name == "Escape" and self.dragging:
            self.dragging = False
            self.host.cancel_drag(self._token)
            self.host.show_handles(self._zone)
        else:
            super().key(name)
            if name == "Escape":
                self.host.show_handles(None)


EDIT_TOOLS = {"select": SelectTool, "vertices": VertexTool, "move": MoveTool, "delete": DeleteTool}
