"""Polygons and lines drawn as one batched QPainterPath per colour class (not one item per
feature), simplified to the screen resolution and culled to the view, with optional labels."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyqtgraph as pg
import shapely
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QPainter, QPainterPath, QPen

from hotspot_desktop.core import render_math as rm
from hotspot_desktop.core.model import ZONE_ROLE_COLORS, ZONE_ROLES, VectorLayer
from hotspot_desktop.core.styles import LayerStyle, Symbol, class_index
from hotspot_desktop.gui.canvas.layer_item import Hit, LayerItem, qcolor, register_item

SELECTION_COLOR = "#FFD400"
UNKNOWN_ROLE_COLOR = "#7F7F7F"
# Below this many vertices the layer is drawn unsimplified at every zoom.
SIMPLIFY_MIN_VERTICES = 50_000
MAX_LABELS = 400
ANTIALIAS_MAX_FEATURES = 3_000
ZONE_OUTLINE_WIDTH = 2.0  # role-coloured zone outlines must read over a busy heat map


@dataclass(frozen=True)
class FlatGeometry:
    """All vertices of a layer (simplified for one tolerance) with their ring and feature."""

    coords: np.ndarray  # (n, 2)
    ring: np.ndarray  # ring/part number of each vertex
    feature: np.ndarray  # feature row of each vertex


def flatten(geoms: np.ndarray, polygons: bool, tolerance: float) -> FlatGeometry:
    """Vertices of ``geoms`` ring by ring; polygons are oriented (shells counter-clockwise,
    holes clockwise) so one non-zero-winding path fills overlaps and leaves holes empty."""
    g = shapely.simplify(geoms, tolerance, preserve_topology=True) if tolerance > 0 else geoms
    parts, part_feature = shapely.get_parts(g, return_index=True)
    if polygons:
        parts = shapely.orient_polygons(parts, exterior_cw=False)
        rings, ring_part = shapely.get_rings(parts, return_index=True)
        ring_feature = part_feature[ring_part]
    else:
        rings, ring_feature = parts, part_feature
    coords, vertex_ring = shapely.get_coordinates(rings, return_index=True)
    return FlatGeometry(coords, vertex_ring, ring_feature[vertex_ring] if len(vertex_ring) else vertex_ring)


def feature_classes(layer: VectorLayer, style: LayerStyle) -> tuple[np.ndarray, list[str], list[str]]:
    """Class index per feature (-1 = not drawn) with fill and outline colours per class."""
    gdf = layer.gdf
    n = len(gdf)
    s = style.symbol
    outline_by_class = layer.geometry_kind == "line"
    if style.mode == "categorised" and style.field in gdf.columns:
        cats = [c for c in style.categories if c.visible]
        col = gdf[style.field]
        idx = col.map({c.value: i for i, c in enumerate(cats)})
        if idx.isna().all() and n:
            idx = col.astype(str).map({str(c.value): i for i, c in enumerate(cats)})
        cls = pd.to_numeric(idx, errors="coerce").fillna(-1).to_numpy(dtype=np.int64)
        fills = [c.color for c in cats]
        return cls, fills, (fills if outline_by_class else [s.outline] * len(fills))
    if style.mode == "graduated" and style.field in gdf.columns:
        vals = pd.to_numeric(gdf[style.field], errors="coerce").to_numpy(dtype=float)
        fills = [c.color for c in style.classes]
        return class_index(vals, style.classes), fills, (fills if outline_by_class else [s.outline] * len(fills))
    if coloured_by_role(layer, style):
        # Zones are coloured by role until the analyst styles them otherwise.
        roles = list(ZONE_ROLES)
        cls = gdf["role"].map({r: i for i, r in enumerate(roles)}).fillna(len(roles)).to_numpy(dtype=np.int64)
        lines = [ZONE_ROLE_COLORS[r] for r in roles] + [UNKNOWN_ROLE_COLOR]
        return cls, [c + "55" for c in lines], lines
    return np.zeros(n, dtype=np.int64), [s.fill], [s.outline]


def coloured_by_role(layer: VectorLayer, style: LayerStyle) -> bool:
    """Zone layers keep the default single style until the analyst restyles them; then they
    are drawn in ZONE_ROLE_COLORS."""
    return (layer.kind == "zones" and style.mode == "single" and style.symbol == Symbol()
            and "role" in layer.gdf.columns)


def coords_path(coords: np.ndarray, ring: np.ndarray) -> QPainterPath:
    """One QPainterPath of many rings: a new subpath wherever the ring number changes."""
    if len(coords) == 0:
        return QPainterPath()
    connect = np.zeros(len(coords), dtype=np.int32)
    connect[:-1] = ring[1:] == ring[:-1]
    path = pg.arrayToQPath(coords[:, 0], coords[:, 1], connect=connect, finiteCheck=False)
    path.setFillRule(Qt.FillRule.WindingFill)
    return path


class VectorItem(LayerItem):
    """Draws a :class:`VectorLayer` (or ZoneLayer) as batched paths per colour class."""

    view_dependent = True

    def __init__(self, layer: VectorLayer) -> None:
        super().__init__(layer)
        self._geoms = np.empty(0, dtype=object)
        self._cls = np.empty(0, dtype=np.int64)
        self._fills: list[str] = []
        self._outlines: list[str] = []
        self._tree: shapely.STRtree | None = None
        self._flat: dict[float, FlatGeometry] = {}
        self._paths: list[tuple[QPainterPath, str, str]] = []
        self._selection_path = QPainterPath()
        self._in_view = np.empty(0, dtype=np.int64)
        self._labels: list[str] | None = None
        self._label_xy = np.empty((0, 2))
        self._bounds = np.empty((0, 4))
        self._nvertices = 0

    def rebuild(self) -> None:
        layer: VectorLayer = self.layer  # type: ignore[assignment]
        self.prepareGeometryChange()
        geoms = np.asarray(layer.gdf.geometry.values, dtype=object)
        valid = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms)) if len(geoms) else np.empty(0, bool)
        self._geoms = np.where(valid, geoms, None)
        self._cls, self._fills, self._outlines = feature_classes(layer, layer.style)
        self._cls = np.where(valid, self._cls, -1)
        self._tree = shapely.STRtree(self._geoms)
        self._flat = {}
        self._nvertices = int(shapely.get_num_coordinates(self._geoms).sum()) if len(geoms) else 0
        self._bounds = shapely.bounds(self._geoms) if len(geoms) else np.empty((0, 4))
        field = layer.style.label_field
        if field and field in layer.gdf.columns:
            self._labels = ["" if pd.isna(v) else str(v) for v in layer.gdf[field]]
            pts = shapely.point_on_surface(self._geoms)
            self._label_xy = np.column_stack([shapely.get_x(pts), shapely.get_y(pts)])
        else:
            self._labels = None

    def _tolerance(self, view: rm.ViewState) -> float:
        """Simplification tolerance: half a pixel, bucketed to powers of two so a few cached
        simplifications serve every zoom."""
        if self._nvertices < SIMPLIFY_MIN_VERTICES:
            return 0.0
        return float(2.0 ** np.floor(np.log2(max(view.metres_per_pixel * 0.5, 1e-6))))

    def _flat_for(self, tol: float) -> FlatGeometry:
        if tol not in self._flat:
            if len(self._flat) >= 6:
                self._flat.pop(next(iter(self._flat)))
            self._flat[tol] = flatten(self._geoms, self.layer.geometry_kind == "polygon", tol)
        return self._flat[tol]

    def update_view(self, view: rm.ViewState) -> None:
        flat = self._flat_for(self._tolerance(view))
        xmin, ymin, xmax, ymax = rm.grow_extent(view.extent, 2 * view.metres_per_pixel)
        hits = self._tree.query(shapely.box(xmin, ymin, xmax, ymax)) if self._tree is not None else []
        self._in_view = np.sort(np.asarray(hits, dtype=np.int64))
        in_view = np.zeros(len(self._geoms), dtype=bool)
        in_view[self._in_view] = True
        vmask = in_view[flat.feature] if len(flat.feature) else np.zeros(0, bool)
        vcls = self._cls[flat.feature] if len(flat.feature) else np.zeros(0, np.int64)
        self._paths = []
        for c, (fill, outline) in enumerate(zip(self._fills, self._outlines)):
            m = vmask & (vcls == c)
            if m.any():
                self._paths.append((coords_path(flat.coords[m], flat.ring[m]), fill, outline))
        self._selection_path = self._build_selection(flat, vmask)
        self.update()

    def _build_selection(self, flat: FlatGeometry, vmask: np.ndarray) -> QPainterPath:
        sel = getattr(self.layer, "selection", None)
        if sel is None or len(sel) == 0 or len(flat.feature) == 0:
            return QPainterPath()
        selected = np.zeros(len(self._geoms), dtype=bool)
        selected[np.asarray(sel, dtype=np.int64)] = True
        m = vmask & selected[flat.feature]
        return coords_path(flat.coords[m], flat.ring[m])

    def mark_selection_changed(self) -> None:
        """Selection changed in place: only the highlight path is rebuilt."""
        if self._view is not None and not self._dirty:
            self.update_view(self._view)

    # --- painting --------------------------------------------------------------------------
    def paint(self, painter: QPainter, option, widget=None) -> None:
        polygons = self.layer.geometry_kind == "polygon"
        width = self.layer.style.symbol.outline_width
        if coloured_by_role(self.layer, self.layer.style):  # type: ignore[arg-type]
            width = ZONE_OUTLINE_WIDTH
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, len(self._in_view) <= ANTIALIAS_MAX_FEATURES)
        for path, fill, outline in self._paths:
            pen = QPen(qcolor(outline), max(width, 1.0 if not polygons else width))
            pen.setCosmetic(True)
            painter.setPen(pen if width > 0 or not polygons else Qt.PenStyle.NoPen)
            painter.setBrush(qcolor(fill) if polygons else Qt.BrushStyle.NoBrush)
            painter.drawPath(path)
        if not self._selection_path.isEmpty():
            pen = QPen(qcolor(SELECTION_COLOR), 2.5)
            pen.setCosmetic(True)
            painter.setPen(pen)
            painter.setBrush(qcolor(SELECTION_COLOR + "40") if polygons else Qt.BrushStyle.NoBrush)
            painter.drawPath(self._selection_path)
        if self._labels is not None and self._view is not None:
            self._paint_labels(painter, self._view)

    def _paint_labels(self, painter: QPainter, view: rm.ViewState) -> None:
        """Labels at representative points, only where they fit inside their feature and do
        not overlap a label already placed (legibility before completeness)."""
        to_screen = painter.transform()
        font = QFont()
        font.setPointSizeF(self.layer.style.label_size)
        fm = QFontMetricsF(font)
        placed: list[QRectF] = []
        painter.save()
        painter.resetTransform()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        halo = QPen(qcolor("#FFFFFFDD"), 3.0)
        mpp = view.metres_per_pixel
        for i in self._in_view:
            if len(placed) >= MAX_LABELS or self._cls[i] < 0:
                continue
            text = self._labels[i]
            if not text:
                continue
            w = fm.horizontalAdvance(text)
            b = self._bounds[i]
            span_px = max(b[2] - b[0], b[3] - b[1]) / mpp
            if span_px < w:
                continue
            p = to_screen.map(QPointF(*self._label_xy[i]))
            rect = QRectF(p.x() - w / 2, p.y() - fm.height() / 2, w, fm.height())
            if any(rect.intersects(r) for r in placed):
                continue
            placed.append(rect)
            path = QPainterPath()
            path.addText(rect.left(), rect.top() + fm.ascent(), font, text)
            painter.strokePath(path, halo)
            painter.fillPath(path, qcolor("#222222"))
        painter.restore()

    def boundingRect(self) -> QRectF:
        r = super().boundingRect()
        return r.adjusted(-1, -1, 1, 1) if not r.isNull() else r

    # --- queries ---------------------------------------------------------------------------
    def identify(self, x: float, y: float, tolerance: float) -> list[Hit]:
        if self._tree is None or len(self._geoms) == 0:
            return []
        pt = shapely.Point(x, y)
        if self.layer.geometry_kind == "polygon":
            idx = self._tree.query(pt, predicate="intersects")
        else:
            idx = self._tree.query(pt, predicate="dwithin", distance=tolerance)
        idx = [int(i) for i in np.sort(idx)[::-1] if self._cls[i] >= 0]  # top-drawn first
        gdf = self.layer.gdf  # type: ignore[attr-defined]
        attrs = gdf.drop(columns=gdf.geometry.name)
        return [(i, attrs.iloc[i].to_dict()) for i in idx]

    def selection_extent(self) -> tuple[float, float, float, float] | None:
        sel = getattr(self.layer, "selection", None)
        if sel is None or len(sel) == 0:
            return None
        b = self._bounds[np.asarray(sel, dtype=np.int64)] if len(self._bounds) else np.empty((0, 4))
        if len(b) == 0:
            return None
        return float(np.nanmin(b[:, 0])), float(np.nanmin(b[:, 1])), float(np.nanmax(b[:, 2])), float(np.nanmax(b[:, 3]))


register_item("vector", VectorItem)
register_item("zones", VectorItem)
