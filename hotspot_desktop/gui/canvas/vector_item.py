"""Polygons and lines drawn as one batched QPainterPath per colour class (not one item per
feature), simplified to the screen resolution and culled to the view, with optional labels."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyqtgraph as pg
import shapely
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QImage, QPainter, QPainterPath, QPen

from hotspot_desktop.core import render_math as rm
from hotspot_desktop.core.model import VectorLayer
from hotspot_desktop.core.symbology import coloured_by_role, feature_classes
from hotspot_desktop.gui.canvas.layer_item import (
    VECTOR_POOL,
    Hit,
    LayerItem,
    qcolor,
    register_item,
)

SELECTION_COLOR = "#FFD400"
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
    # Douglas-Peucker without topology repair: ~5x faster, and a self-touching ring a pixel
    # wide is invisible on screen.
    g = shapely.simplify(geoms, tolerance, preserve_topology=False) if tolerance > 0 else geoms
    parts, part_feature = shapely.get_parts(g, return_index=True)
    if polygons:
        parts = shapely.orient_polygons(parts, exterior_cw=False)
        rings, ring_part = shapely.get_rings(parts, return_index=True)
        ring_feature = part_feature[ring_part]
    else:
        rings, ring_feature = parts, part_feature
    coords, vertex_ring = shapely.get_coordinates(rings, return_index=True)
    return FlatGeometry(coords, vertex_ring, ring_feature[vertex_ring] if len(vertex_ring) else vertex_ring)


def coords_path(coords: np.ndarray, ring: np.ndarray) -> QPainterPath:
    """One QPainterPath of many rings: a new subpath wherever the ring number changes."""
    if len(coords) == 0:
        return QPainterPath()
    connect = np.zeros(len(coords), dtype=np.int32)
    connect[:-1] = ring[1:] == ring[:-1]
    path = pg.arrayToQPath(coords[:, 0], coords[:, 1], connect=connect, finiteCheck=False)
    path.setFillRule(Qt.FillRule.WindingFill)
    return path


@dataclass(frozen=True)
class VectorRenderJob:
    """Everything a worker needs to draw a vector layer for one view (a snapshot: the worker
    never touches the layer)."""

    view: rm.ViewState
    geoms: np.ndarray
    tree: shapely.STRtree
    tolerance: float
    flat: FlatGeometry | None  # cached simplification for ``tolerance``, if any
    cls: np.ndarray
    fills: list[str]
    outlines: list[str]
    polygons: bool
    width: float
    selected: np.ndarray | None  # bool per feature
    labels: list[str] | None
    label_xy: np.ndarray
    bounds: np.ndarray
    label_size: float


@dataclass(frozen=True)
class VectorRenderResult:
    view: rm.ViewState
    tolerance: float
    flat: FlatGeometry
    image: QImage
    in_view: np.ndarray
    labels: QImage | None = None  # drawn above every layer by the canvas's label overlay


def draw_view_image(painter: QPainter, image: QImage, view: rm.ViewState) -> None:
    """Draw an image rendered for ``view`` where that view lies on the map."""
    xmin, _, _, ymax = view.extent
    mpp = view.metres_per_pixel
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
    # Image rows run top (north) to bottom; the map's y axis points north.
    painter.translate(xmin, ymax)
    painter.scale(mpp, -mpp)
    painter.drawImage(0, 0, image)
    painter.restore()


def render_vector(job: VectorRenderJob) -> VectorRenderResult:
    """Draw a vector layer into a view-sized transparent image (runs on a worker thread).

    Paths are built in device pixels, one per colour class; fills are aliased (Qt's antialiased
    fill of a path with thousands of subpaths is ~30x slower) and outlines antialiased when few
    enough features are in view, so fill edges still look smooth under their outline.
    """
    view = job.view
    flat = job.flat if job.flat is not None else flatten(job.geoms, job.polygons, job.tolerance)
    xmin, ymin, xmax, ymax = rm.grow_extent(view.extent, 2 * view.metres_per_pixel)
    in_view = np.sort(np.asarray(job.tree.query(shapely.box(xmin, ymin, xmax, ymax)), dtype=np.int64))
    img = QImage(view.width_px, view.height_px, QImage.Format.Format_ARGB32_Premultiplied)
    img.fill(0)
    labels = None
    if job.labels is not None:
        labels = QImage(view.width_px, view.height_px, QImage.Format.Format_ARGB32_Premultiplied)
        labels.fill(0)
    result = VectorRenderResult(view, job.tolerance, flat, img, in_view, labels)
    if len(flat.feature) == 0 or len(in_view) == 0:
        return result
    in_mask = np.zeros(len(job.geoms), dtype=bool)
    in_mask[in_view] = True
    vmask = in_mask[flat.feature]
    vcls = job.cls[flat.feature]
    mpp = view.metres_per_pixel
    dev = np.empty_like(flat.coords)
    dev[:, 0] = (flat.coords[:, 0] - view.extent[0]) / mpp
    dev[:, 1] = (view.extent[3] - flat.coords[:, 1]) / mpp
    antialias = len(in_view) <= ANTIALIAS_MAX_FEATURES
    painter = QPainter(img)
    try:
        for c, (fill, outline) in enumerate(zip(job.fills, job.outlines)):
            m = vmask & (vcls == c)
            if not m.any():
                continue
            path = coords_path(dev[m], flat.ring[m])
            if job.polygons:
                painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
                painter.fillPath(path, qcolor(fill))
            if job.width > 0 or not job.polygons:
                painter.setRenderHint(QPainter.RenderHint.Antialiasing, antialias)
                painter.strokePath(path, QPen(qcolor(outline), max(job.width, 0.0 if job.polygons else 1.0)))
        if job.selected is not None:
            m = vmask & job.selected[flat.feature]
            if m.any():
                path = coords_path(dev[m], flat.ring[m])
                painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
                if job.polygons:
                    painter.fillPath(path, qcolor(SELECTION_COLOR + "40"))
                painter.strokePath(path, QPen(qcolor(SELECTION_COLOR), 2.5))
    finally:
        painter.end()
    if labels is not None:
        painter = QPainter(labels)
        try:
            paint_labels(painter, job, in_view)
        finally:
            painter.end()
    return result


def paint_labels(painter: QPainter, job: VectorRenderJob, in_view: np.ndarray) -> None:
    """Labels at representative points, only where they fit inside their feature and do not
    overlap a label already placed (legibility before completeness)."""
    font = QFont()
    font.setPointSizeF(job.label_size)
    fm = QFontMetricsF(font)
    placed: list[QRectF] = []
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    halo = QPen(qcolor("#FFFFFFDD"), 3.0)
    view = job.view
    mpp = view.metres_per_pixel
    for i in in_view:
        if len(placed) >= MAX_LABELS or job.cls[i] < 0 or not job.labels[i]:
            continue
        text = job.labels[i]
        w = fm.horizontalAdvance(text)
        b = job.bounds[i]
        if max(b[2] - b[0], b[3] - b[1]) / mpp < w:
            continue
        px = (job.label_xy[i, 0] - view.extent[0]) / mpp
        py = (view.extent[3] - job.label_xy[i, 1]) / mpp
        rect = QRectF(px - w / 2, py - fm.height() / 2, w, fm.height())
        if any(rect.intersects(r) for r in placed):
            continue
        placed.append(rect)
        path = QPainterPath()
        path.addText(rect.left(), rect.top() + fm.ascent(), font, text)
        painter.strokePath(path, halo)
        painter.fillPath(path, qcolor("#222222"))


class VectorItem(LayerItem):
    """Draws a :class:`VectorLayer` (or ZoneLayer). Each settled view is rendered to an image
    on a worker thread, so panning and zooming never wait for thousands of polygons; until the
    new image arrives the previous one is shown stretched to where it belongs."""

    view_dependent = True

    def __init__(self, layer: VectorLayer) -> None:
        super().__init__(layer)
        self._geoms = np.empty(0, dtype=object)
        self._cls = np.empty(0, dtype=np.int64)
        self._fills: list[str] = []
        self._outlines: list[str] = []
        self._tree: shapely.STRtree | None = None
        self._flat: dict[float, FlatGeometry] = {}
        self._labels: list[str] | None = None
        self._label_xy = np.empty((0, 2))
        self._bounds = np.empty((0, 4))
        self._nvertices = 0
        self._segment = 0.0  # mean distance between consecutive vertices
        self._image: QImage | None = None
        self._image_view: rm.ViewState | None = None
        self.labels_image: QImage | None = None  # for the view of ``drawn_view``
        self._in_view = np.empty(0, dtype=np.int64)

    def rebuild(self) -> None:
        layer: VectorLayer = self.layer  # type: ignore[assignment]
        self.prepareGeometryChange()
        geoms = np.asarray(layer.gdf.geometry.values, dtype=object)
        valid = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms)) if len(geoms) else np.empty(0, bool)
        self._geoms = np.where(valid, geoms, None)
        self._cls, self._fills, self._outlines = feature_classes(layer, layer.style)
        self._cls = np.where(valid, self._cls, -1)
        self._tree = shapely.STRtree(self._geoms)
        # GEOS builds the tree on first query; do it here, not concurrently on two threads.
        self._tree.query(shapely.box(0.0, 0.0, 0.0, 0.0))
        self._flat = {}
        self._nvertices = int(shapely.get_num_coordinates(self._geoms).sum()) if len(geoms) else 0
        length = float(np.nansum(shapely.length(self._geoms))) if len(geoms) else 0.0
        self._segment = length / max(1, self._nvertices)
        self._bounds = shapely.bounds(self._geoms) if len(geoms) else np.empty((0, 4))
        field = layer.style.label_field
        if field and field in layer.gdf.columns:
            self._labels = ["" if pd.isna(v) else str(v) for v in layer.gdf[field]]
            pts = shapely.point_on_surface(self._geoms)
            self._label_xy = np.column_stack([shapely.get_x(pts), shapely.get_y(pts)])
        else:
            self._labels = None

    def _tolerance(self, view: rm.ViewState) -> float:
        """Simplification tolerance: a pixel, bucketed to powers of two so a few cached
        simplifications serve every zoom; none while vertices are already pixels apart."""
        mpp = view.metres_per_pixel
        if self._nvertices < SIMPLIFY_MIN_VERTICES or mpp * 4 < self._segment:
            return 0.0
        return float(2.0 ** np.floor(np.log2(max(mpp, 1e-6))))

    def _selected_mask(self) -> np.ndarray | None:
        sel = getattr(self.layer, "selection", None)
        if sel is None or len(sel) == 0:
            return None
        m = np.zeros(len(self._geoms), dtype=bool)
        m[np.asarray(sel, dtype=np.int64)] = True
        return m

    def update_view(self, view: rm.ViewState) -> None:
        style = self.layer.style
        width = ZONE_OUTLINE_WIDTH if coloured_by_role(self.layer, style) else style.symbol.outline_width  # type: ignore[arg-type]
        tol = self._tolerance(view)
        job = VectorRenderJob(view, self._geoms, self._tree, tol, self._flat.get(tol),
                              self._cls, list(self._fills), list(self._outlines),
                              self.layer.geometry_kind == "polygon", float(width), self._selected_mask(),
                              self._labels, self._label_xy, self._bounds, float(style.label_size))
        self.submit(VECTOR_POOL, render_vector, job, view)

    def apply_result(self, result: VectorRenderResult, view: rm.ViewState) -> None:
        if result.tolerance not in self._flat:
            if len(self._flat) >= 6:
                self._flat.pop(next(iter(self._flat)))
            self._flat[result.tolerance] = result.flat
        self._image, self._image_view, self._in_view = result.image, result.view, result.in_view
        self.labels_image = result.labels

    @property
    def drawn_view(self) -> rm.ViewState | None:
        """The view the shown image was rendered for."""
        return self._image_view

    # --- painting --------------------------------------------------------------------------
    def paint(self, painter: QPainter, option, widget=None) -> None:
        if self._image is None or self._image_view is None:
            return
        draw_view_image(painter, self._image, self._image_view)

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
