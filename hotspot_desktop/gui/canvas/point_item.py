"""Incident points: exact markers when few are in view, a screen-resolution density image when
many are, or a live heat map in map units (style mode "heatmap")."""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import QRectF

from hotspot_desktop.core import render_math as rm
from hotspot_desktop.core.model import PointLayer
from hotspot_desktop.core.styles import HeatmapSettings, LayerStyle
from hotspot_desktop.core.symbology import column_classes
from hotspot_desktop.gui.canvas.layer_item import (
    POINT_POOL,
    Hit,
    LayerItem,
    register_item,
)
from hotspot_desktop.gui.canvas.markers import MarkerItem, symbol_pixmap

SELECTION_COLOR = "#FFD400"
SELECTION_OUTLINE = "#000000"
# Most selected incidents drawn as markers; a bigger selection is drawn as its first ones
# in x order, which keeps a "select all" from stalling the canvas.
MAX_SELECTION_MARKERS = 200_000


@dataclass(frozen=True)
class PointClass:
    """The incidents of one colour class, sorted by x so a view is two binary searches away."""

    color: str
    xs: np.ndarray
    ys: np.ndarray
    rows: np.ndarray  # row index in the layer of each point
    origin: tuple[float, float] = (0.0, 0.0)
    local_xs: np.ndarray | None = None  # float32 offsets from ``origin``, for fast binning
    local_ys: np.ndarray | None = None

    @classmethod
    def of_rows(cls, color: str, x: np.ndarray, y: np.ndarray, rows: np.ndarray, origin: tuple[float, float]
                ) -> PointClass:
        xs, ys = x[rows], y[rows]
        # float32 offsets from the layer's corner keep millimetre precision over ~50 km.
        return cls(color, xs, ys, rows, origin, (xs - origin[0]).astype(np.float32),
                   (ys - origin[1]).astype(np.float32))

    def local_extent(self, extent: rm.Extent) -> rm.Extent:
        ox, oy = self.origin
        return extent[0] - ox, extent[1] - oy, extent[2] - ox, extent[3] - oy

    def x_slice(self, xmin: float, xmax: float) -> slice:
        i0, i1 = np.searchsorted(self.xs, [xmin, xmax], side="left")
        return slice(int(i0), int(i1))


@dataclass(frozen=True)
class ClassesJob:
    """Snapshot of a point layer for sorting and splitting into colour classes off the GUI
    thread (the filter mask is computed by the model on the GUI thread)."""

    x: np.ndarray
    y: np.ndarray
    mask: np.ndarray
    column: pd.Series | None  # the style's field
    style: LayerStyle  # a private copy
    order: np.ndarray | None  # argsort of x when still valid, else None


@dataclass(frozen=True)
class ClassesResult:
    classes: list[PointClass]
    count_index: rm.CountIndex
    order: np.ndarray


def build_classes(job: ClassesJob) -> ClassesResult:
    """Sort by x (once per data version) and split the drawable incidents (filter passed,
    category visible) into colour classes in draw order (worker thread)."""
    order = job.order if job.order is not None else np.argsort(job.x, kind="stable")
    keep_sorted = job.mask[order]
    cls, colors = column_classes(job.column, job.style)
    origin = (float(job.x.min()), float(job.y.min())) if job.x.size else (0.0, 0.0)
    if cls is None:
        classes = [PointClass.of_rows(colors[0], job.x, job.y, order[keep_sorted], origin)]
    else:
        cls_sorted = cls[order]
        classes = [PointClass.of_rows(color, job.x, job.y, order[keep_sorted & (cls_sorted == i)], origin)
                   for i, color in enumerate(colors)]
    index = rm.count_index(np.concatenate([pc.xs for pc in classes] or [np.empty(0)]),
                           np.concatenate([pc.ys for pc in classes] or [np.empty(0)]))
    return ClassesResult(classes, index, order)


@dataclass(frozen=True)
class DensityJob:
    """Screen-resolution binning of the incidents in view (local float32 coordinates)."""

    width: int
    height: int
    xs: list[np.ndarray]  # per colour class
    ys: list[np.ndarray]
    extents: list[rm.Extent]  # the view in each class's local coordinates
    colors: list[str]
    marker_px: int


def render_density(job: DensityJob) -> np.ndarray:
    """RGBA density image of the incidents in view (worker thread)."""
    counts = [rm.bin_counts(x, y, e, job.width, job.height) for x, y, e in zip(job.xs, job.ys, job.extents)]
    if len(counts) == 1:
        return rm.density_rgba_single(counts[0], job.colors[0], job.marker_px)
    return rm.density_rgba_classes(counts, job.colors, job.marker_px)


@dataclass(frozen=True)
class HeatJob:
    view: rm.ViewState
    xs: list[np.ndarray]  # incidents within the view grown by the radius, per class
    ys: list[np.ndarray]
    settings: HeatmapSettings
    vmax: float | None  # reference peak, None = compute from all incidents
    all_xs: list[np.ndarray]
    all_ys: list[np.ndarray]


@dataclass(frozen=True)
class HeatResult:
    grid: rm.HeatGrid
    rgba: np.ndarray
    vmax: float
    extent: rm.Extent  # where ``rgba`` goes on the map


def reference_max(xs: np.ndarray, ys: np.ndarray, settings: HeatmapSettings) -> float:
    """Peak density over the whole layer at a fixed resolution, so the colours of a heat map
    do not change as the analyst zooms (the values never do)."""
    if xs.size == 0:
        return 1.0
    ext = (float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max()))
    mpp = max(ext[2] - ext[0], ext[3] - ext[1], 1.0) / 512.0
    grid = rm.heatmap_grid(xs, ys, ext, max(mpp, settings.radius_m / 8.0), settings.radius_m)
    return float(grid.values.max()) or 1.0


def render_heatmap(job: HeatJob) -> HeatResult:
    """Live heat map of the incidents around the view (worker thread)."""
    vmax = job.vmax
    if vmax is None:
        vmax = reference_max(np.concatenate(job.all_xs or [np.empty(0)]),
                             np.concatenate(job.all_ys or [np.empty(0)]), job.settings)
    xs = np.concatenate(job.xs or [np.empty(0)])
    ys = np.concatenate(job.ys or [np.empty(0)])
    grid = rm.heatmap_grid(xs, ys, job.view.extent, job.view.metres_per_pixel, job.settings.radius_m)
    if grid.cell > 1.5 * job.view.metres_per_pixel:
        smooth = rm.resample_to_view(grid, job.view)
        return HeatResult(grid, rm.heatmap_rgba(smooth, job.settings, vmax), vmax, job.view.extent)
    return HeatResult(grid, rm.heatmap_rgba(grid.values, job.settings, vmax), vmax, grid.extent)


class PointItem(LayerItem):
    """Draws a :class:`PointLayer`; ``mode`` tells which representation is on screen."""

    view_dependent = True

    def __init__(self, layer: PointLayer, lod_threshold: int = rm.LOD_MAX_MARKERS) -> None:
        super().__init__(layer)
        self.lod_threshold = lod_threshold
        self.mode = "markers"  # or "density" / "heatmap"
        self.heat_grid: rm.HeatGrid | None = None
        self._image = pg.ImageItem(axisOrder="row-major")
        self._image.setParentItem(self)
        self._image.setVisible(False)
        self._scatters: list[MarkerItem] = []
        self._selection = MarkerItem()
        self._selection.setParentItem(self)
        self._selection.setZValue(1000)
        self._classes: list[PointClass] = []
        self._count_index = rm.count_index(np.empty(0), np.empty(0))
        self._order: np.ndarray | None = None
        self._order_version = -1
        self._heat_vmax: float | None = None

    # --- model -> arrays ------------------------------------------------------------------
    def refresh(self, view: rm.ViewState) -> None:
        if self._dirty:
            self._start_rebuild(view)
            return
        super().refresh(view)

    def _start_rebuild(self, view: rm.ViewState) -> None:
        """Sort and split the layer on a worker; the old drawing stays until it is done (a
        filter change on 5 million incidents never freezes the window)."""
        layer: PointLayer = self.layer  # type: ignore[assignment]
        self._cancel_pending()
        self._dirty = False
        self._view = None
        self.prepareGeometryChange()
        self._item_rect = None
        order = self._order if (self._order is not None and self._order_version == layer.data_version
                                and len(self._order) == len(layer)) else None
        field = layer.style.field
        column = layer.attributes[field] if field and layer.has_column(field) else None
        job = ClassesJob(layer.x, layer.y, layer.mask(), column, copy.deepcopy(layer.style), order)
        self._order_version = layer.data_version
        self.submit(POINT_POOL, build_classes, job, view)

    def _apply_classes(self, result: ClassesResult) -> None:
        self._classes = result.classes
        self._count_index = result.count_index
        self._order = result.order
        self._heat_vmax = None
        while len(self._scatters) < len(self._classes):
            s = MarkerItem()
            s.setParentItem(self)
            s.setZValue(1 + len(self._scatters))
            self._scatters.append(s)
        for s in self._scatters[len(self._classes):]:
            s.clear()
            s.setVisible(False)

    # --- view ------------------------------------------------------------------------------
    def update_view(self, view: rm.ViewState) -> None:
        style = self.layer.style
        if style.mode == "heatmap":
            self._draw_heatmap(view)
        else:
            margin = style.symbol.size * view.metres_per_pixel
            ext = rm.grow_extent(view.extent, margin)
            slices = [pc.x_slice(ext[0], ext[2]) for pc in self._classes]
            lower, upper = self._count_index.bounds(ext)
            if rm.use_density(lower, self.lod_threshold):
                # Clearly too many for markers: skip the exact count (a scan of every point).
                self._draw_density(view, slices)
            else:
                masks = [(pc.ys[sl] >= ext[1]) & (pc.ys[sl] <= ext[3]) for pc, sl in zip(self._classes, slices)]
                n = upper if not rm.use_density(upper, self.lod_threshold) else sum(int(m.sum()) for m in masks)
                if rm.use_density(n, self.lod_threshold):
                    self._draw_density(view, slices)
                else:
                    self._draw_markers(slices, masks)
        self._draw_selection(view)

    def _draw_markers(self, slices: list[slice], masks: list[np.ndarray]) -> None:
        self.mode = "markers"
        self.heat_grid = None
        self._image.setVisible(False)
        sym = self.layer.style.symbol
        for pc, sl, m, scatter in zip(self._classes, slices, masks, self._scatters):
            pixmap = symbol_pixmap(sym.marker, sym.size, sym.outline, sym.outline_width, pc.color)
            scatter.set_data(pc.xs[sl][m], pc.ys[sl][m], pixmap)
            scatter.setVisible(True)

    def _draw_density(self, view: rm.ViewState, slices: list[slice]) -> None:
        job = DensityJob(view.width_px, view.height_px,
                         [pc.local_xs[sl] for pc, sl in zip(self._classes, slices)],
                         [pc.local_ys[sl] for pc, sl in zip(self._classes, slices)],
                         [pc.local_extent(view.extent) for pc in self._classes],
                         [pc.color for pc in self._classes],
                         rm.marker_footprint_px(self.layer.style.symbol.size))
        self.submit(POINT_POOL, render_density, job, view)

    def _draw_heatmap(self, view: rm.ViewState) -> None:
        h = self.layer.style.heatmap
        xmin, _, xmax, _ = rm.grow_extent(view.extent, h.radius_m)
        slices = [pc.x_slice(xmin, xmax) for pc in self._classes]
        job = HeatJob(view, [pc.xs[sl] for pc, sl in zip(self._classes, slices)],
                      [pc.ys[sl] for pc, sl in zip(self._classes, slices)], h, self._heat_vmax,
                      [pc.xs for pc in self._classes], [pc.ys for pc in self._classes])
        self.submit(POINT_POOL, render_heatmap, job, view)

    def apply_result(self, result, view: rm.ViewState) -> None:
        if isinstance(result, ClassesResult):
            self._apply_classes(result)
            self.update_view(view)  # markers now, or another job for density / heat
            return
        for s in self._scatters:
            s.setVisible(False)
        if isinstance(result, HeatResult):
            self.mode = "heatmap"
            self.heat_grid = result.grid
            self._heat_vmax = result.vmax
            self._show_image(result.rgba, result.extent)
        else:
            self.mode = "density"
            self._show_image(result, view.extent)

    @property
    def heat_reference_max(self) -> float | None:
        """Incidents per km² at the top of the heat-map ramp (the style's ``max_density`` or the
        layer's peak at a fixed resolution), for legends; None until a heat map is drawn."""
        if self.layer.style.heatmap.max_density:
            return float(self.layer.style.heatmap.max_density)
        return self._heat_vmax

    def _show_image(self, rgba: np.ndarray, extent: rm.Extent) -> None:
        xmin, ymin, xmax, ymax = extent
        self._image.setImage(rgba, autoLevels=False)
        self._image.setRect(QRectF(xmin, ymin, xmax - xmin, ymax - ymin))
        self._image.setVisible(True)

    def _draw_selection(self, view: rm.ViewState) -> None:
        sel = getattr(self.layer, "selection", None)
        if sel is None or len(sel) == 0:
            self._selection.clear()
            return
        layer: PointLayer = self.layer  # type: ignore[assignment]
        rows = np.asarray(sel, dtype=np.int64)
        xs, ys = layer.x[rows], layer.y[rows]
        xmin, ymin, xmax, ymax = rm.grow_extent(view.extent, layer.style.symbol.size * view.metres_per_pixel)
        m = (xs >= xmin) & (xs <= xmax) & (ys >= ymin) & (ys <= ymax)
        xs, ys = xs[m][:MAX_SELECTION_MARKERS], ys[m][:MAX_SELECTION_MARKERS]
        sym = layer.style.symbol
        self._selection.set_data(xs, ys, symbol_pixmap(sym.marker, sym.size + 3, SELECTION_OUTLINE, 1.2,
                                                       SELECTION_COLOR))

    def mark_selection_changed(self) -> None:
        """Selection changed in place: only the highlight is redrawn."""
        if self._view is not None and not self._dirty:
            self._draw_selection(self._view)

    # --- queries ---------------------------------------------------------------------------
    def identify(self, x: float, y: float, tolerance: float) -> list[Hit]:
        found: list[tuple[float, int]] = []
        for pc in self._classes:
            sl = pc.x_slice(x - tolerance, x + tolerance)
            near = rm.points_near(pc.xs[sl], pc.ys[sl], x, y, tolerance)
            for i in near:
                j = sl.start + int(i)
                found.append(((pc.xs[j] - x) ** 2 + (pc.ys[j] - y) ** 2, int(pc.rows[j])))
        found.sort()
        attrs = self.layer.attributes  # type: ignore[attr-defined]
        return [(row, attrs.iloc[row].to_dict()) for _, row in found]

    def selection_extent(self) -> tuple[float, float, float, float] | None:
        sel = getattr(self.layer, "selection", None)
        if sel is None or len(sel) == 0:
            return None
        rows = np.asarray(sel, dtype=np.int64)
        xs, ys = self.layer.x[rows], self.layer.y[rows]  # type: ignore[attr-defined]
        return float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max())

    def drawn_count(self) -> int:
        """Number of incidents the current style and filter draw (all views)."""
        return int(sum(pc.xs.size for pc in self._classes))


register_item("points", PointItem)
