"""Analysis grids: the grid definition, a robust study extent, the default cell size and counts.

Every surface in the hot spot engine (counts, kernel density, Gi*) lives on a :class:`GridSpec`.
Its conventions match :class:`hotspot_desktop.core.model.RasterLayer`: row 0 is the **southern**
row and the centre of cell ``(r, c)`` is ``(x0 + (c + 0.5) * cell, y0 + (r + 0.5) * cell)``.

Two complaints about peer tools shape this module (see METHODS.md): grids that spill outside the
jurisdiction, and one stray geocode at (0, 0) that blows the extent up to a continent. Hence
:func:`robust_extent` (study-area polygon first, otherwise a percentile box) and a cell size rule
that is stated, rounded to a nice number and bounded.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from hotspot_desktop.core.progress import CancelFn, ProgressFn, checkpoint

__all__ = [
    "GridSpec", "RobustExtent", "CellSizeChoice", "GridCounts", "HexCounts",
    "robust_extent", "default_cell_size", "nice_number", "grid_for_extent", "grid_counts",
    "square_counts", "hex_counts", "points_in_area", "study_mask",
]

# Robust extent rule: the central 99% box of the points, grown by a quarter of its side on every
# side; points beyond that are stray geocodes. A quarter keeps the genuine tail of a clustered
# pattern (a normal tail beyond 3.9 sd is 1 in 10,000) but drops a point 100 km away.
PERCENTILES = (0.5, 99.5)
GROW_FRACTION = 0.25

# Cell size rule: ArcGIS's shorter side / 250, rounded down to 1, 2, 2.5 or 5 x 10^k, kept in
# [MIN_CELL, MAX_CELL] and coarsened until the grid has at most MAX_CELLS cells (memory).
CELL_DIVISOR = 250
MIN_CELL = 5.0
MAX_CELL = 1000.0
MAX_CELLS = 4_000_000


@dataclass(frozen=True)
class GridSpec:
    """A regular square grid in the working CRS (metres). Row 0 is the southern row."""

    x0: float
    y0: float
    cell_size: float
    rows: int
    cols: int

    def __post_init__(self) -> None:
        if not (self.cell_size > 0 and math.isfinite(self.cell_size)):
            raise ValueError(f"cell size must be a positive number of metres, got {self.cell_size}")
        if self.rows < 1 or self.cols < 1:
            raise ValueError(f"a grid needs at least one row and column, got {self.rows} x {self.cols}")

    @property
    def shape(self) -> tuple[int, int]:
        return (self.rows, self.cols)

    @property
    def cell_area(self) -> float:
        return self.cell_size * self.cell_size

    @property
    def extent(self) -> tuple[float, float, float, float]:
        """(xmin, ymin, xmax, ymax)."""
        return (self.x0, self.y0, self.x0 + self.cols * self.cell_size, self.y0 + self.rows * self.cell_size)

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        """Cell-centre coordinates: 1-D ``xc`` (length cols) and ``yc`` (length rows)."""
        return (self.x0 + (np.arange(self.cols) + 0.5) * self.cell_size,
                self.y0 + (np.arange(self.rows) + 0.5) * self.cell_size)

    def cell_of(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Row, column and an inside-grid mask for each point (cells are half-open [x0, x0+cell))."""
        c = np.floor((np.asarray(x, dtype=np.float64) - self.x0) / self.cell_size).astype(np.int64)
        r = np.floor((np.asarray(y, dtype=np.float64) - self.y0) / self.cell_size).astype(np.int64)
        inside = (r >= 0) & (r < self.rows) & (c >= 0) & (c < self.cols)
        return r, c, inside

    def cell_polygons(self, mask: np.ndarray | None = None) -> np.ndarray:
        """Shapely boxes of the cells (row-major), or of the cells where ``mask`` is True."""
        rr, cc = np.indices(self.shape)
        if mask is not None:
            rr, cc = rr[mask], cc[mask]
        else:
            rr, cc = rr.ravel(), cc.ravel()
        x = self.x0 + cc * self.cell_size
        y = self.y0 + rr * self.cell_size
        return shapely.box(x, y, x + self.cell_size, y + self.cell_size)

    def to_dict(self) -> dict:
        return {"x0": self.x0, "y0": self.y0, "cell_size": self.cell_size, "rows": self.rows, "cols": self.cols}


@dataclass(frozen=True)
class RobustExtent:
    """The analysis extent and which points lie inside it."""

    xmin: float
    ymin: float
    xmax: float
    ymax: float
    inside: np.ndarray  # bool per input point
    n_outside: int
    rule: str

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        return (self.xmin, self.ymin, self.xmax, self.ymax)


@dataclass(frozen=True)
class CellSizeChoice:
    cell_size: float
    rule: str


def points_in_area(x: np.ndarray, y: np.ndarray, area: BaseGeometry) -> np.ndarray:
    """Boolean mask of points inside (or on the boundary of) a polygon."""
    area = shapely.make_valid(area)
    shapely.prepare(area)
    return shapely.intersects_xy(area, np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))


def robust_extent(x: np.ndarray, y: np.ndarray, study_area: BaseGeometry | None = None) -> RobustExtent:
    """Extent of the incidents that ignores stray geocodes.

    With a study-area polygon the extent is the polygon's bounding box and points outside the
    polygon are counted as outside. Without one, the rule is: take the 0.5th-99.5th percentile box
    of x and of y, grow it by 25% of its side on every side, call points beyond that box stray,
    and return the tight bounding box of the remaining points. A single geocode at (0, 0) or
    100 km away therefore cannot stretch the grid. With fewer than about 200 incidents the
    percentiles are the extreme points themselves, so nothing is dropped: give a study area.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.shape != y.shape:
        raise ValueError("x and y must have the same length")
    finite = np.isfinite(x) & np.isfinite(y)
    if not finite.any():
        raise ValueError("no incidents with valid coordinates: nothing to analyse")
    if study_area is not None:
        if study_area.is_empty:
            raise ValueError("the study area polygon is empty")
        inside = finite.copy()
        inside[finite] = points_in_area(x[finite], y[finite], study_area)
        xmin, ymin, xmax, ymax = (float(v) for v in study_area.bounds)
        n_out = int(x.size - inside.sum())
        return RobustExtent(xmin, ymin, xmax, ymax, inside, n_out,
                            f"extent = study area bounds; {n_out:,} of {x.size:,} incidents lie outside the "
                            f"study area and are left out")
    xf, yf = x[finite], y[finite]
    lo_x, hi_x = np.percentile(xf, PERCENTILES)
    lo_y, hi_y = np.percentile(yf, PERCENTILES)
    # a flat box (all incidents on one line) grows by the other side instead of by zero
    wx, wy = hi_x - lo_x, hi_y - lo_y
    gx = GROW_FRACTION * (wx if wx > 0 else wy)
    gy = GROW_FRACTION * (wy if wy > 0 else wx)
    inside = finite & (x >= lo_x - gx) & (x <= hi_x + gx) & (y >= lo_y - gy) & (y <= hi_y + gy)
    n_out = int(x.size - inside.sum())
    xi, yi = x[inside], y[inside]
    rule = (f"extent = 0.5-99.5 percentile box grown by 25% of its side; {n_out:,} of {x.size:,} incidents "
            f"lie beyond it (stray geocodes) and are left out")
    return RobustExtent(float(xi.min()), float(yi.min()), float(xi.max()), float(yi.max()), inside, n_out, rule)


def nice_number(value: float) -> float:
    """Largest number of the form {1, 2, 2.5, 5} x 10^k not above ``value``."""
    if not (value > 0 and math.isfinite(value)):
        raise ValueError(f"cannot round {value} to a nice number")
    k = math.floor(math.log10(value))
    base = 10.0 ** k
    for m in (5.0, 2.5, 2.0, 1.0):
        if m * base <= value * (1 + 1e-12):
            return m * base
    return base


def default_cell_size(extent: tuple[float, float, float, float]) -> CellSizeChoice:
    """Default cell size for an extent (xmin, ymin, xmax, ymax), with the rule stated.

    Rule: the shorter side of the extent divided by 250 (ArcGIS's default), rounded down to a
    nice number (1, 2, 2.5, 5 x 10^k m), bounded to 5-1000 m, then coarsened if the grid would
    exceed 4 million cells. The analyst can always override it.
    """
    xmin, ymin, xmax, ymax = extent
    w, h = xmax - xmin, ymax - ymin
    short = min(w, h) if min(w, h) > 0 else max(w, h)
    if not short > 0:
        raise ValueError("the extent has no width or height (all incidents at one spot): choose a cell size")
    cell = min(MAX_CELL, max(MIN_CELL, nice_number(short / CELL_DIVISOR)))
    rule = f"cell size = shorter side {short:,.0f} m / {CELL_DIVISOR} rounded down to a nice number"
    while (math.ceil(w / cell) + 1) * (math.ceil(h / cell) + 1) > MAX_CELLS and cell < MAX_CELL * 10:
        cell = _next_nice(cell)
        rule += f"; coarsened to {cell:g} m to keep under {MAX_CELLS:,} cells"
    if cell == MIN_CELL or cell == MAX_CELL:
        rule += f" (bounded to {MIN_CELL:g}-{MAX_CELL:g} m)"
    return CellSizeChoice(cell, rule + f" = {cell:g} m")


def _next_nice(value: float) -> float:
    k = math.floor(math.log10(value))
    base = 10.0 ** k
    for m in (1.0, 2.0, 2.5, 5.0, 10.0):
        if m * base > value * (1 + 1e-12):
            return m * base
    return 10 * base


def grid_for_extent(extent: tuple[float, float, float, float], cell_size: float, *, margin: float = 0.0) -> GridSpec:
    """Grid covering ``extent`` grown by ``margin`` on every side, origin snapped to whole cells.

    Snapping the origin to a multiple of the cell size keeps grids of different runs (bandwidths,
    periods) aligned cell for cell, which the robustness map and the prospective test rely on.
    """
    if not (cell_size > 0 and math.isfinite(cell_size)):
        raise ValueError(f"cell size must be a positive number of metres, got {cell_size}")
    xmin, ymin, xmax, ymax = extent
    xmin, ymin, xmax, ymax = xmin - margin, ymin - margin, xmax + margin, ymax + margin
    x0 = math.floor(xmin / cell_size) * cell_size
    y0 = math.floor(ymin / cell_size) * cell_size
    # floor + 1 so a point exactly on the max edge still falls inside the half-open last cell.
    cols = max(1, math.floor((xmax - x0) / cell_size) + 1)
    rows = max(1, math.floor((ymax - y0) / cell_size) + 1)
    if rows * cols > 50 * MAX_CELLS:
        raise ValueError(f"a {cell_size:g} m grid over this extent would have {rows * cols:,} cells; "
                         f"use a larger cell size or a study area")
    return GridSpec(float(x0), float(y0), float(cell_size), rows, cols)


@dataclass(frozen=True)
class GridCounts:
    """Incident counts on square cells. ``mask`` is True for cells inside the study area."""

    grid: GridSpec
    counts: np.ndarray  # (rows, cols) float64, weighted counts, 0 outside the mask
    mask: np.ndarray  # (rows, cols) bool
    n_points: int
    n_counted: int
    n_outside: int
    weight_total: float
    rules: tuple[str, ...] = field(default_factory=tuple)

    @property
    def shape_kind(self) -> str:
        return "square"


@dataclass(frozen=True)
class HexCounts:
    """Incident counts on hexagons (pointy-top), ready for a GeoDataFrame.

    ``polygons`` are shapely hexagons (clipped to the study area when one was given), ``areas``
    their areas in m²; an unclipped hexagon has area ``cell_size**2`` by construction.
    """

    centre_x: np.ndarray
    centre_y: np.ndarray
    polygons: np.ndarray  # object array of shapely Polygons
    areas: np.ndarray
    counts: np.ndarray
    cell_size: float
    hex_side: float
    n_points: int
    n_counted: int
    n_outside: int
    weight_total: float
    rules: tuple[str, ...] = field(default_factory=tuple)

    @property
    def shape_kind(self) -> str:
        return "hex"

    def to_geodataframe(self, crs=None):
        """A GeoDataFrame with columns count, area_m2 and the hexagon geometry."""
        import geopandas as gpd

        return gpd.GeoDataFrame({"count": self.counts, "area_m2": self.areas}, geometry=self.polygons, crs=crs)


def _prepare_points(x, y, weights, study_area) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, RobustExtent]:
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.size == 0:
        raise ValueError("no incidents to count")
    w = None
    if weights is not None:
        w = np.asarray(weights, dtype=np.float64)
        if w.shape != x.shape:
            raise ValueError("weights must have one value per incident")
        if not np.all(np.isfinite(w)) or (w < 0).any():
            raise ValueError("weights must be finite and non-negative")
    ext = robust_extent(x, y, study_area)
    return x, y, w, ext


def grid_counts(x: np.ndarray, y: np.ndarray, *, cell_size: float | None = None,
                shape: Literal["square", "hex"] = "square", study_area: BaseGeometry | None = None,
                weights: np.ndarray | None = None, grid: GridSpec | None = None,
                progress: ProgressFn | None = None, cancelled: CancelFn | None = None) -> GridCounts | HexCounts:
    """Count incidents per square or hexagonal cell (see :func:`square_counts`, :func:`hex_counts`)."""
    if shape == "square":
        return square_counts(x, y, cell_size=cell_size, study_area=study_area, weights=weights, grid=grid,
                             progress=progress, cancelled=cancelled)
    if shape == "hex":
        if grid is not None:
            raise ValueError("a square GridSpec cannot be used for hexagons; pass cell_size instead")
        return hex_counts(x, y, cell_size=cell_size, study_area=study_area, weights=weights,
                          progress=progress, cancelled=cancelled)
    raise ValueError(f"unknown cell shape {shape!r}: use 'square' or 'hex'")


def square_counts(x: np.ndarray, y: np.ndarray, *, cell_size: float | None = None,
                  study_area: BaseGeometry | None = None, weights: np.ndarray | None = None,
                  grid: GridSpec | None = None, progress: ProgressFn | None = None,
                  cancelled: CancelFn | None = None) -> GridCounts:
    """(Weighted) incident counts per square cell.

    The grid covers :func:`robust_extent` (or the study area) at ``cell_size`` (default:
    :func:`default_cell_size`). With a study area, a cell belongs to it when it overlaps the
    polygon (:func:`study_mask`), and incidents outside the polygon are not counted. Counts of the kept
    incidents sum to their (weighted) number.
    """
    x, y, w, ext = _prepare_points(x, y, weights, study_area)
    rules = [ext.rule]
    if grid is None:
        if cell_size is None:
            choice = default_cell_size(ext.bounds)
            cell_size = choice.cell_size
            rules.append(choice.rule)
        else:
            rules.append(f"cell size = {cell_size:g} m (set by the analyst)")
        grid = grid_for_extent(ext.bounds, cell_size)
    checkpoint(progress, cancelled, 0.2, "counting incidents")
    mask = study_mask(grid, study_area)
    r, c, in_grid = grid.cell_of(x, y)
    keep = ext.inside & in_grid
    if study_area is not None:
        # only an incident exactly on the boundary, in a cell merely touching the area, can get here
        lost = keep & ~mask[np.clip(r, 0, grid.rows - 1), np.clip(c, 0, grid.cols - 1)]
        if lost.any():
            rules.append(f"{int(lost.sum()):,} incidents on the study area's boundary fall in cells outside it "
                         f"and are not counted")
        keep &= ~lost
    flat = r[keep] * grid.cols + c[keep]
    counts = np.bincount(flat, weights=None if w is None else w[keep], minlength=grid.rows * grid.cols)
    counts = counts.astype(np.float64).reshape(grid.shape)
    checkpoint(progress, cancelled, 1.0, "counted")
    n_counted = int(keep.sum())
    return GridCounts(grid, counts, mask, int(x.size), n_counted, int(x.size - n_counted),
                      float(counts.sum()), tuple(rules))


def study_mask(grid: GridSpec, study_area: BaseGeometry | None) -> np.ndarray:
    """True for cells that overlap the study area (share some area with it); all cells without one.

    Overlap rather than centre-in-polygon, so every incident inside the jurisdiction lands in a
    study-area cell and none is lost along the boundary. Cells whose centre is inside are taken
    at once; only cells the boundary runs through are tested geometrically.
    """
    if study_area is None:
        return np.ones(grid.shape, dtype=bool)
    area = shapely.make_valid(study_area)
    xc, yc = grid.centres()
    gx, gy = np.meshgrid(xc, yc)
    mask = points_in_area(gx.ravel(), gy.ravel(), area).reshape(grid.shape)
    # Cells crossed by the boundary: those holding a vertex of the boundary densified to a quarter
    # cell, plus their 8 neighbours (a boundary clipping a cell corner may skip its vertices).
    pts = shapely.get_coordinates(shapely.segmentize(area.boundary, grid.cell_size / 4.0))
    if pts.size == 0:
        return mask
    r, c, _ = grid.cell_of(pts[:, 0], pts[:, 1])
    near = np.zeros(grid.shape, dtype=bool)
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            rr, cc = r + dr, c + dc
            ok = (rr >= 0) & (rr < grid.rows) & (cc >= 0) & (cc < grid.cols)
            near[rr[ok], cc[ok]] = True
    cand = near & ~mask
    if cand.any():
        boxes = grid.cell_polygons(cand)
        mask[cand] = shapely.area(shapely.intersection(boxes, area)) > 1e-9 * grid.cell_area
    return mask


def hex_side_for(cell_size: float) -> float:
    """Side of the regular hexagon whose area equals ``cell_size**2`` (area = 3√3/2 · s²)."""
    return cell_size * math.sqrt(2.0 / (3.0 * math.sqrt(3.0)))


def hex_counts(x: np.ndarray, y: np.ndarray, *, cell_size: float | None = None,
               study_area: BaseGeometry | None = None, weights: np.ndarray | None = None,
               progress: ProgressFn | None = None, cancelled: CancelFn | None = None) -> HexCounts:
    """(Weighted) incident counts per pointy-top hexagon of area ``cell_size**2``.

    Equal area with the square cell of the same ``cell_size`` keeps PAI and concentration
    comparable between the two tessellations. Points are assigned to hexagons with axial
    coordinates and cube rounding (exact nearest-centre assignment). Only hexagons holding
    counts or lying within the extent are returned; with a study area, hexagons not touching it
    are dropped and the rest are clipped to it.
    """
    x, y, w, ext = _prepare_points(x, y, weights, study_area)
    rules = [ext.rule]
    if cell_size is None:
        choice = default_cell_size(ext.bounds)
        cell_size = choice.cell_size
        rules.append(choice.rule)
    else:
        rules.append(f"cell size = {cell_size:g} m (set by the analyst)")
    s = hex_side_for(cell_size)
    rules.append(f"hexagons of side {s:.1f} m, area {cell_size:g}² m² (same area as the square cells)")
    ox, oy = ext.xmin, ext.ymin
    checkpoint(progress, cancelled, 0.1, "assigning incidents to hexagons")
    keep = ext.inside
    q, r = _axial_round((x[keep] - ox), (y[keep] - oy), s)
    # enumerate every hexagon whose centre lies within the extent grown by one hexagon.
    xmax, ymax = ext.xmax - ox, ext.ymax - oy
    r_all = np.arange(-1, math.ceil(ymax / (1.5 * s)) + 2)
    q_lo = np.floor((-s * math.sqrt(3) - math.sqrt(3) / 2 * s * r_all) / (math.sqrt(3) * s)).astype(int) - 1
    q_hi = np.ceil((xmax + s * math.sqrt(3) - math.sqrt(3) / 2 * s * r_all) / (math.sqrt(3) * s)).astype(int) + 1
    qq = np.concatenate([np.arange(a, b + 1) for a, b in zip(q_lo, q_hi)])
    rr = np.concatenate([np.full(b - a + 1, rv) for a, b, rv in zip(q_lo, q_hi, r_all)])
    cx = ox + s * math.sqrt(3) * (qq + rr / 2.0)
    cy = oy + s * 1.5 * rr
    near = (cx >= ext.xmin - 2 * s) & (cx <= ext.xmax + 2 * s) & (cy >= ext.ymin - 2 * s) & (cy <= ext.ymax + 2 * s)
    qq, rr, cx, cy = qq[near], rr[near], cx[near], cy[near]
    # map each point's (q, r) to its hexagon index by a sorted key lookup.
    q_min, r_min = int(min(qq.min(), q.min())), int(min(rr.min(), r.min()))
    span = int(max(qq.max(), q.max())) - q_min + 1
    keys = (rr - r_min) * span + (qq - q_min)
    order = np.argsort(keys)
    pkeys = (r - r_min) * span + (q - q_min)
    pos = np.searchsorted(keys[order], pkeys)
    idx = order[np.clip(pos, 0, order.size - 1)]
    if not np.array_equal(keys[idx], pkeys):
        raise RuntimeError("hexagon enumeration missed a point's hexagon")
    wk = None if w is None else w[keep]
    counts = np.bincount(idx, weights=wk, minlength=keys.size).astype(np.float64)
    checkpoint(progress, cancelled, 0.5, "building hexagons")
    ang = np.deg2rad(30.0 + 60.0 * np.arange(6))
    ring_x = cx[:, None] + s * np.cos(ang)[None, :]
    ring_y = cy[:, None] + s * np.sin(ang)[None, :]
    polys = shapely.polygons(np.stack([ring_x, ring_y], axis=-1))
    areas = np.full(cx.size, float(cell_size) ** 2)
    n_counted = int(keep.sum())
    if study_area is not None:
        area = shapely.make_valid(study_area)
        shapely.prepare(area)
        touch = shapely.intersects(area, polys)
        if counts[~touch].sum() > 0:
            raise RuntimeError("an incident inside the study area was assigned to a hexagon outside it")
        polys, cx, cy, counts = shapely.intersection(polys[touch], area), cx[touch], cy[touch], counts[touch]
        areas = shapely.area(polys)
        rules.append("hexagons clipped to the study area")
    checkpoint(progress, cancelled, 1.0, "hexagons done")
    return HexCounts(cx, cy, polys, areas, counts, float(cell_size), s, int(x.size), n_counted,
                     int(x.size - n_counted), float(counts.sum()), tuple(rules))


def _axial_round(x: np.ndarray, y: np.ndarray, s: float) -> tuple[np.ndarray, np.ndarray]:
    """Axial (q, r) of the pointy-top hexagon containing each point (Red Blob Games cube rounding)."""
    qf = (math.sqrt(3) / 3 * x - y / 3.0) / s
    rf = (2.0 / 3.0 * y) / s
    xf, zf = qf, rf
    yf = -xf - zf
    rx, ry, rz = np.rint(xf), np.rint(yf), np.rint(zf)
    dx, dy, dz = np.abs(rx - xf), np.abs(ry - yf), np.abs(rz - zf)
    fix_x = (dx > dy) & (dx > dz)
    fix_y = ~fix_x & (dy > dz)
    rx = np.where(fix_x, -ry - rz, rx)
    ry = np.where(fix_y, -rx - rz, ry)
    rz = np.where(~fix_x & ~fix_y, -rx - ry, rz)
    return rx.astype(np.int64), rz.astype(np.int64)
