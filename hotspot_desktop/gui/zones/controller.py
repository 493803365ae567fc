"""The zone-editing controller: turns the canvas's mouse and key events into the core drawing
tools (core/zones/drawing.py) and the editing tools (edit_tools.py), draws the rubber band with
the live measure, snaps, validates and pushes every change onto the window's undo stack.

Events are taken with an event filter on the canvas's graphics view, so the canvas itself
stays unaware of zones. While a zone tool is active the canvas tool is "none": drags no longer
pan, the wheel still zooms.
"""

from __future__ import annotations

import numpy as np
import shapely
from PySide6.QtCore import QEvent, QObject, QPointF, Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent, QUndoStack
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry

from hotspot_desktop.core.model import Project, ZoneLayer
from hotspot_desktop.core.zones import drawing
from hotspot_desktop.core.zones.commands import AddZone, DeleteZone, SetGeometry, row_of
from hotspot_desktop.core.zones.editing import vertices
from hotspot_desktop.core.zones.snapping import nearest_feature
from hotspot_desktop.core.zones.validation import ZoneGeometryError, validate_zone
from hotspot_desktop.gui.canvas.map_canvas import MapCanvas
from hotspot_desktop.gui.zones.edit_tools import EDIT_TOOLS, EditTool
from hotspot_desktop.gui.zones.live_measure import LiveMeasureSource
from hotspot_desktop.gui.zones.rubber_band import RubberBand
from hotspot_desktop.gui.zones.snap_source import SnapSettings, SnapSource
from hotspot_desktop.gui.zones.undo import DragGeometryCommand, ZoneUndoCommand

DRAW_MODES = tuple(drawing.TOOLS)  # polygon, rectangle, circle, lasso, buffer
MODES = DRAW_MODES + tuple(EDIT_TOOLS)
KEY_NAMES = {Qt.Key.Key_Return: "Return", Qt.Key.Key_Enter: "Enter", Qt.Key.Key_Backspace: "Backspace",
             Qt.Key.Key_Escape: "Escape", Qt.Key.Key_Delete: "Delete"}
LASSO_SPACING_PX = 3.0
PICK_TOLERANCE_PX = 5.0
DEFAULT_ROLE = "target"


class ZoneController(QObject):
    """Zone drawing and editing on one canvas, for the project shown there."""

    mode_changed = Signal(object)  # mode name or None
    selection_changed = Signal(object)  # zone_id or None
    form_requested = Signal(str)  # zone_id (double-click on a zone)
    zone_added = Signal(str)  # zone_id
    message = Signal(str)  # for the status bar

    def __init__(self, canvas: MapCanvas, project: Project, undo_stack: QUndoStack,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.canvas = canvas
        self.project = project
        self.undo_stack = undo_stack
        self.snap_settings = SnapSettings()
        self.snapping = SnapSource(project, self.snap_settings)
        self.live = LiveMeasureSource(project)
        self.buffer_distance_m = 100.0
        self.default_role = DEFAULT_ROLE
        self.mode: str | None = None
        self.tool: drawing.DrawTool | None = None
        self.edit: EditTool | None = None
        self.selected: str | None = None
        self.last_message = ""
        self._pressed = False
        self._handles_zone: str | None = None
        self.band = RubberBand(canvas.view_box)
        self.view = canvas.graphics_view
        # Compared by identity in eventFilter, which Qt may still call while the view is being
        # destroyed (calling view.viewport() then would touch a deleted C++ object).
        self._viewport = self.view.viewport()
        self._viewport.installEventFilter(self)
        self.view.installEventFilter(self)
        undo_stack.indexChanged.connect(self._sync_selection)

    # --- project / layer -------------------------------------------------------------------
    def set_project(self, project: Project) -> None:
        """Follow the window to a new project (New / Open)."""
        self.set_mode(None)
        self.project = project
        self.snapping.project = project
        self.live = LiveMeasureSource(project)
        self.selected = None

    @property
    def layer(self) -> ZoneLayer | None:
        """The zone layer edited: the active layer if it is a zone layer, else the first one."""
        active = self.project.layers.active
        return active if isinstance(active, ZoneLayer) else self.project.zones

    def ensure_layer(self) -> ZoneLayer:
        return self.layer or self.project.ensure_zones()

    # --- modes -----------------------------------------------------------------------------
    def set_mode(self, mode: str | None) -> None:
        """Activate a zone tool (one of MODES) or none (back to the pan tool)."""
        if mode is not None and mode not in MODES:
            raise ValueError(f"unknown zone tool {mode!r}; expected one of {MODES}")
        self.band.clear()
        self._handles_zone = None
        self._pressed = False
        self.mode = mode
        self.tool = None
        self.edit = None
        if mode in DRAW_MODES:
            self._new_tool()
        elif mode is not None:
            self.edit = EDIT_TOOLS[mode](self)
            self.edit.activate()
        if mode is not None:
            self.canvas.set_tool("none")
            self.view.setFocus(Qt.FocusReason.OtherFocusReason)
        elif self.canvas.tool == "none":
            self.canvas.set_tool("pan")
        self.mode_changed.emit(mode)

    def _new_tool(self) -> None:
        self.tool = drawing.TOOLS[self.mode]()
        if isinstance(self.tool, drawing.BufferTool):
            self.tool.distance = self.buffer_distance_m
        if isinstance(self.tool, drawing.LassoTool):
            self.tool.spacing = LASSO_SPACING_PX * self.metres_per_pixel()

    # --- geometry helpers used by the tools --------------------------------------------------
    def metres_per_pixel(self) -> float:
        xmin, _, xmax, _ = self.canvas.current_extent()
        w = self.canvas.view_box.width()
        return (xmax - xmin) / w if w > 0 else 1.0

    def tolerance_m(self) -> float:
        return self.snap_settings.tolerance_px * self.metres_per_pixel()

    def map_point(self, pos: QPointF) -> tuple[float, float]:
        """Viewport pixel position → map coordinates."""
        p = self.canvas.view_box.mapSceneToView(self.view.mapToScene(pos.toPoint()))
        return float(p.x()), float(p.y())

    def snap(self, x: float, y: float, exclude: str | None = None) -> tuple[float, float]:
        """(x, y) pulled onto a vertex/edge within the snapping tolerance; the marker shows it."""
        s = self.snapping.snap(x, y, self.tolerance_m(), self.layer, exclude, self.canvas.current_extent())
        self.band.set_snap(None if s is None else (s.x, s.y))
        return (x, y) if s is None else (s.x, s.y)

    def zone_at(self, x: float, y: float) -> str | None:
        """zone_id of the top zone at (x, y) (inside or within the pick tolerance of its edge)."""
        layer = self.layer
        if layer is None or not len(layer):
            return None
        pt = shapely.Point(x, y)
        tol = PICK_TOLERANCE_PX * self.metres_per_pixel()
        hits = layer.gdf.sindex.query(pt.buffer(tol), predicate="intersects")
        if not len(hits):
            return None
        geoms = layer.gdf.geometry.values
        inside = [i for i in hits if geoms[i].intersects(pt)]
        best = max(inside) if inside else min(hits, key=lambda i: geoms[i].distance(pt))
        return str(layer.gdf["zone_id"].iloc[int(best)])

    def geometry(self, zone_id: str) -> BaseGeometry:
        layer = self.layer
        return layer.gdf.geometry.iloc[row_of(layer, zone_id)]

    # --- changes ---------------------------------------------------------------------------
    def push_geometry(self, zone_id: str, geom: BaseGeometry, text: str, drag: int | None = None,
                      preview_invalid: bool = False) -> None:
        layer = self.layer
        cmd = SetGeometry(zone_id, geom, text=text)
        self.undo_stack.push(DragGeometryCommand(layer, cmd, drag, text) if drag is not None
                             else ZoneUndoCommand(layer, cmd))
        self.band.set_geometry(geom if preview_invalid else None, invalid=preview_invalid)
        self._show_measure(geom, None)

    def cancel_drag(self, drag: int) -> None:
        """Esc during a drag: put the zone back where the drag started."""
        top = self.undo_stack.command(self.undo_stack.index() - 1)
        if isinstance(top, DragGeometryCommand) and top.drag == drag:
            # Undo it, then let the stack drop it (an obsolete command is removed, not undone
            # again): a cancelled drag leaves no redo step behind.
            top.undo()
            top.setObsolete(True)
            self.undo_stack.undo()
        self.band.set_geometry(None)
        self.band.set_text("")

    def _sync_selection(self, *args) -> None:
        """After any change of the undo stack: keep the selection (and handles) on the same zone."""
        layer = self.layer
        ids = [] if layer is None else list(layer.gdf["zone_id"])
        if self.selected is not None and self.selected not in ids:
            self.select(None)
        elif self.selected is not None:
            layer.selection = np.array([ids.index(self.selected)])
        if self._handles_zone is not None:
            self.show_handles(self._handles_zone if self._handles_zone in ids else None)

    def delete_zone(self, zone_id: str) -> None:
        self.undo_stack.push(ZoneUndoCommand(self.layer, DeleteZone(zone_id)))
        if self.selected == zone_id:
            self.select(None)

    def select(self, zone_id: str | None) -> None:
        layer = self.layer
        self.selected = zone_id
        if layer is not None:
            layer.selection = None if zone_id is None else np.array([row_of(layer, zone_id)])
            self.canvas.refresh_selection(layer)
        self.selection_changed.emit(zone_id)

    def open_form(self, zone_id: str) -> None:
        self.select(zone_id)
        self.form_requested.emit(zone_id)

    def show_handles(self, zone_id: str | None) -> None:
        self._handles_zone = zone_id
        if zone_id is None or self.layer is None:
            self.band.set_handles(None)
            return
        coords = np.array([(x, y) for _, x, y in vertices(self.geometry(zone_id))])
        self.band.set_handles(coords)

    def post(self, text: str) -> None:
        """A message for the user (status bar)."""
        self.last_message = text
        self.message.emit(text)

    def finish(self, geom: BaseGeometry, kind: str) -> str | None:
        """Validate a drawn shape and add it as a zone (one undo step). Returns its zone_id."""
        layer = self.ensure_layer()
        try:
            valid = validate_zone(geom, layer.gdf)
        except ZoneGeometryError as exc:
            self.post(str(exc))
            return None
        n = len(layer) + 1
        names = set(layer.gdf["name"].astype(str))
        while f"Zone {n}" in names:
            n += 1
        cmd = AddZone(valid.geometry, {"name": f"Zone {n}", "role": self.default_role})
        self.undo_stack.push(ZoneUndoCommand(layer, cmd, f"draw {kind} zone"))
        self.post(" ".join(valid.messages) if valid.messages else f"Added Zone {n}.")
        self.zone_added.emit(cmd.zone_id)
        return cmd.zone_id

    # --- drawing -----------------------------------------------------------------------------
    def _after_draw_event(self, cursor: tuple[float, float]) -> None:
        tool = self.tool
        if tool is None:
            return
        if tool.finished is not None:
            geom = tool.finished
            self.band.clear()
            self.finish(geom, self.mode)
            self._new_tool()
            return
        if tool.cancelled:
            self.band.clear()
            self._new_tool()
            return
        preview = tool.preview()
        invalid = preview is not None and preview.geom_type == "Polygon" and not preview.is_valid
        self.band.set_geometry(preview, invalid=invalid)
        radius = tool.radius if isinstance(tool, drawing.CircleTool) else None
        self._show_measure(preview, cursor, radius)

    def _show_measure(self, geom: BaseGeometry | None, cursor: tuple[float, float] | None,
                      radius: float | None = None) -> None:
        if geom is None or geom.geom_type not in ("Polygon", "MultiPolygon"):
            self.band.set_text("")
            return
        text = self.live.text(geom, radius)
        if geom.geom_type == "Polygon" and not geom.is_valid:
            text = f"{text} · crosses itself" if text else "crosses itself"
        if cursor is None:
            cursor = (geom.bounds[2], geom.bounds[3])
        self.band.set_text(text, *cursor)

    def _buffer_pick(self, x: float, y: float) -> BaseGeometry | None:
        """The street segment (of the snapping layer) under the cursor, if any."""
        layer = self.snapping.layer()
        if layer is None or layer.geometry_kind != "line" or not len(layer):
            return None
        tol = self.tolerance_m()
        hits = layer.gdf.sindex.query(shapely.Point(x, y).buffer(tol), predicate="intersects")
        if not len(hits):
            return None
        geoms = list(layer.gdf.geometry.values[hits])
        i = nearest_feature(geoms, x, y, tol)
        if i is None:
            return None
        segments = [LineString(seg) for line in shapely.get_parts(geoms[i])
                    for seg in zip(line.coords[:-1], line.coords[1:])]
        pt = shapely.Point(x, y)
        return min(segments, key=lambda s: s.distance(pt))

    # --- events ------------------------------------------------------------------------------
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        t = event.type()
        if obj is self.view:
            return t == QEvent.Type.KeyPress and self._key(event)
        if obj is not self._viewport:
            return False
        if t == QEvent.Type.MouseButtonDblClick:
            return self._double_click(event)
        if self.mode is None:
            return False
        if t == QEvent.Type.MouseButtonPress:
            return self._press(event)
        if t == QEvent.Type.MouseMove:
            self._move(event)
            return False  # the canvas still reports the cursor position
        if t == QEvent.Type.MouseButtonRelease:
            return self._release(event)
        return False

    def _press(self, event: QMouseEvent) -> bool:
        p = self.map_point(event.position())
        if event.button() == Qt.MouseButton.RightButton:
            if self.edit is not None:
                self.edit.right_press(p)
                return True
            return False
        if event.button() != Qt.MouseButton.LeftButton:
            return False
        self.view.setFocus(Qt.FocusReason.MouseFocusReason)
        self._pressed = True
        if self.edit is not None:
            self.edit.press(p)
            return True
        tool = self.tool
        if isinstance(tool, drawing.BufferTool):
            tool.distance = self.buffer_distance_m
            picked = self._buffer_pick(*p)
            if picked is not None:
                tool.pick(picked)
                self._after_draw_event(p)
                return True
        if isinstance(tool, drawing.LassoTool):
            tool.spacing = LASSO_SPACING_PX * self.metres_per_pixel()
        q = self.snap(*p)
        tool.press(q)
        if isinstance(tool, drawing.PolygonTool):
            tool.move(q)
        self._after_draw_event(p)
        return True

    def _move(self, event: QMouseEvent) -> None:
        p = self.map_point(event.position())
        if self.edit is not None:
            self.edit.move(p)
            return
        q = p if isinstance(self.tool, drawing.LassoTool) else self.snap(*p)
        self.tool.move(q)
        self._after_draw_event(p)

    def _release(self, event: QMouseEvent) -> bool:
        if event.button() != Qt.MouseButton.LeftButton:
            return event.button() == Qt.MouseButton.RightButton and self.edit is not None
        p = self.map_point(event.position())
        was_pressed, self._pressed = self._pressed, False
        if self.edit is not None:
            self.edit.release(p)
            # The measure follows a drag; once the zone is dropped the dock shows it.
            self.band.set_geometry(None)
            self.band.set_text("")
            self.band.set_snap(None)
            return True
        if was_pressed and not isinstance(self.tool, drawing.PolygonTool):
            q = p if isinstance(self.tool, drawing.LassoTool) else self.snap(*p)
            self.tool.release(q)
            self._after_draw_event(p)
        return True

    def _double_click(self, event: QMouseEvent) -> bool:
        if event.button() != Qt.MouseButton.LeftButton:
            return False
        p = self.map_point(event.position())
        if self.mode is None:
            # Outside zone tools a double-click on a zone opens its form (pan tool otherwise).
            zid = self.zone_at(*p)
            if zid is None or self.canvas.tool not in ("pan", "identify"):
                return False
            self.open_form(zid)
            return True
        self._pressed = True  # a double-click replaces the second press; a release follows
        if self.edit is not None:
            self.edit.double_click(p)
            return True
        if isinstance(self.tool, drawing.PolygonTool):
            self.tool.double_click(self.snap(*p))
            if self.tool.finished is None and self.tool.active:
                self.post("A zone outline needs at least three vertices.")
            self._after_draw_event(p)
        return True

    def _key(self, event: QKeyEvent) -> bool:
        name = KEY_NAMES.get(Qt.Key(event.key()))
        if name is None or self.mode is None:
            return False
        if self.edit is not None:
            self.edit.key(name)
            return True
        if isinstance(self.tool, drawing.PolygonTool) and name in ("Enter", "Return") and len(self.tool.vertices) < 3:
            self.post("A zone outline needs at least three vertices.")
        self.tool.key(name)
        cursor = self.tool.cursor if isinstance(self.tool, drawing.PolygonTool) and self.tool.cursor else (0.0, 0.0)
        self._after_draw_event(cursor)
        return True

    def detach(self) -> None:
        """Remove the event filters and graphics items (the canvas outlives the controller)."""
        self._viewport.removeEventFilter(self)
        self.view.removeEventFilter(self)
        self.band.remove()
