"""Qt-free arithmetic behind the map canvas: view state, scale, level of detail, screen binning,
live heat maps, colour ramps and view history.

Everything here works on numpy arrays in the working CRS (metres) so it is testable without a
display; ``hotspot_desktop.gui.canvas`` only turns the results into Qt items.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from hotspot_desktop.core.styles import HeatmapSettings, RasterSettings

Extent = tuple[float, float, float, float]  # xmin, ymin, xmax, ymax in the working CRS

# One inch in metres: scale denominators relate map metres to screen metres.
INCH_M = 0.0254
DEFAULT_DPI = 96.0
# Above this many points in view the canvas draws a density image instead of markers; below it
# pyqtgraph's ScatterPlotItem draws exact markers within one frame.
LOD_MAX_MARKERS = 60_000
# A live heat map never convolves with a kernel wider than this many grid cells (radius), so
# zooming far in coarsens the grid instead of exploding the kernel.
HEATMAP_MAX_KERNEL_CELLS = 48
# Share of the heat-map ramp above ``transparent_below`` over which opacity rises to full.
HEATMAP_FADE = 0.1


@dataclass(frozen=True)
class ViewState:
    """What the canvas shows: the map extent and the size of the view in screen pixels."""

    extent: Extent
    width_px: int
    height_px: int

    @property
    def metres_per_pixel(self) -> float:
        xmin, _, xmax, _ = self.extent
        return (xmax - xmin) / max(1, self.width_px)

    def scale_denominator(self, dpi: float = DEFAULT_DPI) -> float:
        return scale_denominator(self.metres_per_pixel, dpi)


def scale_denominator(metres_per_pixel: float, dpi: float = DEFAULT_DPI) -> float:
    """N of the map scale 1:N when one screen pixel covers ``metres_per_pixel`` map metres.

    A pixel is ``0.0254 / dpi`` metres on the screen, so N = ground metres / screen metres.
    """
    return float(metres_per_pixel) * float(dpi) / INCH_M


def metres_per_pixel_for_scale(denominator: float, dpi: float = DEFAULT_DPI) -> float:
    """Inverse of :func:`scale_denominator`."""
    return float(denominator) * INCH_M / float(dpi)


def use_density(n_in_view: int, threshold: int = LOD_MAX_MARKERS) -> bool:
    """Level-of-detail decision: density image when more than ``threshold`` points are in view."""
    return n_in_view > threshold


def grow_extent(extent: Extent, margin: float) -> Extent:
    """``extent`` grown by ``margin`` map units on every side."""
    xmin, ymin, xmax, ymax = extent
    return xmin - margin, ymin - margin, xmax + margin, ymax + margin


def fit_extent(extent: Extent, width_px: int, height_px: int, pad: float = 0.02) -> Extent:
    """The extent that shows ``extent`` whole in a ``width_px`` x ``height_px`` view with square
    pixels (metres per pixel equal on both axes) and ``pad`` (share) of margin."""
    xmin, ymin, xmax, ymax = extent
    w = max(xmax - xmin, 1.0)
    h = max(ymax - ymin, 1.0)
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    mpp = max(w / max(1, width_px), h / max(1, height_px)) * (1 + 2 * pad)
    hw, hh = mpp * width_px / 2, mpp * height_px / 2
    return cx - hw, cy - hh, cx + hw, cy + hh


def pixel_indices(x: np.ndarray, y: np.ndarray, extent: Extent, width: int, height: int
                  ) -> np.ndarray:
    """Flat pixel index ``row * width + col`` of each point (row 0 = south), -1 outside.

    The pixel of a point is ``floor((x - xmin) / metres per pixel)``, the same pixel a marker
    centred on the point covers on screen.
    """
    pix = _pixel_or_overflow(x, y, extent, width, height)
    pix[pix == width * height] = -1
    return pix


def _pixel_or_overflow(x: np.ndarray, y: np.ndarray, extent: Extent, width: int, height: int
                       ) -> np.ndarray:
    """Like :func:`pixel_indices` but outside points get ``width * height`` (one overflow bin),
    which lets :func:`bin_counts` skip boolean indexing, the slow part at millions of points.
    Works in the precision of ``x``/``y`` (float32 local coordinates halve the memory traffic).
    """
    xmin, ymin, xmax, ymax = extent
    idx = np.int32 if width * height < 2**31 - 1 else np.int64
    ix = _floor_clipped(x, xmin, width / (xmax - xmin), width, idx)
    iy = _floor_clipped(y, ymin, height / (ymax - ymin), height, idx)
    outside = (ix < 0) | (ix >= width) | (iy < 0) | (iy >= height)
    iy *= width
    iy += ix
    iy[outside] = width * height
    return iy


def _floor_clipped(v: np.ndarray, origin: float, scale: float, size: int, idx: type) -> np.ndarray:
    """floor((v - origin) * scale) clipped to [-1, size], as integers."""
    f = v - origin
    f *= scale
    # Shift by one so truncation toward zero is a floor for everything at or above -1.
    f += 1.0
    np.clip(f, 0.0, size + 1, out=f)
    i = f.astype(idx)
    i -= 1
    return i


def bin_counts(x: np.ndarray, y: np.ndarray, extent: Extent, width: int, height: int,
               weights: np.ndarray | None = None) -> np.ndarray:
    """Point counts on a ``height`` x ``width`` grid over ``extent`` (row 0 = south)."""
    pix = _pixel_or_overflow(x, y, extent, width, height)
    counts = np.bincount(pix, weights=weights, minlength=width * height + 1)
    return counts[: width * height].reshape(height, width)


def box_sum(grid: np.ndarray, size: int) -> np.ndarray:
    """Sum of ``grid`` over a ``size`` x ``size`` window centred on each cell (zero padded)."""
    if size <= 1:
        return grid.astype(np.float32, copy=False)
    from scipy.ndimage import uniform_filter

    g = grid.astype(np.float32, copy=False)
    return uniform_filter(g, size=size, mode="constant", cval=0.0) * float(size * size)


def marker_footprint_px(size: float) -> int:
    """Side in pixels of the square window a marker of diameter ``size`` covers."""
    return max(1, round(size))


def disc_footprint(side: int) -> np.ndarray:
    """Boolean ``side`` x ``side`` disc: the pixels a round marker of that diameter covers."""
    c = (side - 1) / 2.0
    d = np.arange(side) - c
    return (d[:, None] ** 2 + d[None, :] ** 2) <= (side / 2.0) ** 2


def disc_sum(grid: np.ndarray, side: int) -> np.ndarray:
    """Sum of ``grid`` over the disc of diameter ``side`` centred on each cell: how many
    round markers of that size cover each pixel."""
    if side <= 3:
        return box_sum(grid, side)  # a 3-pixel disc is the full square
    from scipy.ndimage import correlate

    g = grid.astype(np.float32, copy=False)
    return correlate(g, disc_footprint(side).astype(np.float32), mode="constant", cval=0.0)


def hex_to_rgba(color: str) -> tuple[int, int, int, int]:
    """``#rrggbb`` / ``#rrggbbaa`` (or any matplotlib colour name) as 0..255 RGBA."""
    c = color.strip()
    if c.startswith("#") and len(c) in (7, 9):
        r, g, b = int(c[1:3], 16), int(c[3:5], 16), int(c[5:7], 16)
        a = int(c[7:9], 16) if len(c) == 9 else 255
        return r, g, b, a
    from matplotlib.colors import to_rgba

    return tuple(round(v * 255) for v in to_rgba(c))  # type: ignore[return-value]


def density_rgba_single(counts: np.ndarray, color: str, marker_px: int) -> np.ndarray:
    """RGBA image (uint8, row 0 = south) of a single-symbol point layer drawn as density.

    Each pixel takes the symbol colour with the alpha that ``n`` overlapping translucent markers
    of that colour would composite to, ``1 - (1 - a)^n``, where ``n`` is the number of markers
    whose footprint covers the pixel; so switching between markers and density is invisible.
    """
    r, g, b, a = hex_to_rgba(color)
    n = disc_sum(counts, marker_px)
    out = np.empty(counts.shape + (4,), dtype=np.uint8)
    out[..., 0], out[..., 1], out[..., 2] = r, g, b
    out[..., 3] = _composite_alpha_lut(a)[_lut_index(n)]
    return out


# Past this many overlapping markers the composited alpha no longer changes visibly.
_MAX_OVERLAP = 255


@lru_cache(maxsize=64)
def _composite_alpha_lut(alpha: int) -> np.ndarray:
    """uint8 alpha of 0..255 overlapping markers of alpha ``alpha``: ``1 - (1 - a)^n``."""
    n = np.arange(_MAX_OVERLAP + 1, dtype=np.float64)
    return np.clip(np.round((1.0 - np.power(1.0 - alpha / 255.0, n)) * 255), 0, 255).astype(np.uint8)


def _lut_index(n: np.ndarray) -> np.ndarray:
    """Overlap counts (float, from a box filter) as LUT indices 0..255."""
    return np.clip(n + 0.5, 0, _MAX_OVERLAP).astype(np.uint8)


def density_rgba_classes(class_counts: list[np.ndarray], colors: list[str], marker_px: int
                         ) -> np.ndarray:
    """RGBA image of a categorised/graduated point layer drawn as density.

    Each pixel takes the colour of the class with most points in it (ties go to the later class,
    drawn on top as markers), spread over the marker footprint; alpha composites the markers
    covering the pixel as in :func:`density_rgba_single`.
    """
    if not class_counts:
        raise ValueError("no classes to draw")
    shape = class_counts[0].shape
    best = np.zeros(shape, dtype=np.int64)
    label = np.zeros(shape, dtype=np.int64)
    total = np.zeros(shape, dtype=np.float64)
    for i, c in enumerate(class_counts):
        take = c >= np.maximum(best, 1)
        best[take] = c[take]
        label[take] = i
        total += c
    nclass = len(class_counts)
    # Dilate the dominant label over the marker footprint: a key that sorts by count then
    # label lets one maximum filter carry both.
    key = np.minimum(best, 1 << 30) * (nclass + 1) + np.where(best > 0, label + 1, 0)
    if marker_px > 1:
        from scipy.ndimage import maximum_filter

        key = maximum_filter(key, footprint=disc_footprint(marker_px), mode="constant", cval=0)
    lab = key % (nclass + 1) - 1
    rgba = np.array([hex_to_rgba(c) for c in colors], dtype=np.float64)
    n = disc_sum(total, marker_px)
    out = np.zeros(shape + (4,), dtype=np.uint8)
    has = lab >= 0
    col = rgba[lab[has]]
    out[has, :3] = col[:, :3].astype(np.uint8)
    alphas = np.stack([_composite_alpha_lut(int(c[3])) for c in rgba])  # class x overlap
    out[has, 3] = alphas[lab[has], _lut_index(n[has])]
    return out


@lru_cache(maxsize=32)
def ramp_lut(ramp: str, n: int = 256) -> np.ndarray:
    """``n`` x 4 uint8 lookup table of a matplotlib colormap."""
    from matplotlib import colormaps

    lut = colormaps[ramp](np.linspace(0.0, 1.0, n))
    lut = np.round(lut * 255).astype(np.uint8)
    lut.setflags(write=False)
    return lut


def quartic_kernel(radius_cells: float) -> np.ndarray:
    """Quartic (biweight) kernel on a grid, radius in cells, normalised to sum 1.

    K(d) ∝ (1 - d²/r²)² for d < r (Silverman 1986, eq. 4.5; the kernel of QGIS and ArcGIS
    heat maps). Normalising the sampled kernel keeps the count exact when the radius is only a
    cell or two wide.
    """
    r = max(float(radius_cells), 0.5)
    k = int(np.ceil(r))
    d = np.arange(-k, k + 1, dtype=np.float64)
    d2 = (d[None, :] ** 2 + d[:, None] ** 2) / (r * r)
    w = np.where(d2 < 1.0, (1.0 - d2) ** 2, 0.0)
    s = w.sum()
    if s <= 0:
        w = np.zeros_like(w)
        w[k, k] = 1.0
        return w
    return w / s


@dataclass(frozen=True)
class HeatGrid:
    """A live heat-map grid: incidents per km², row 0 = south, placed at (x0, y0)."""

    values: np.ndarray
    x0: float
    y0: float
    cell: float

    @property
    def extent(self) -> Extent:
        rows, cols = self.values.shape
        return self.x0, self.y0, self.x0 + cols * self.cell, self.y0 + rows * self.cell

    def value_at(self, x: float, y: float) -> float:
        c = int(np.floor((x - self.x0) / self.cell))
        r = int(np.floor((y - self.y0) / self.cell))
        if 0 <= r < self.values.shape[0] and 0 <= c < self.values.shape[1]:
            return float(self.values[r, c])
        return float("nan")


def heatmap_cell(metres_per_pixel: float, radius_m: float) -> float:
    """Grid cell of a live heat map: a screen pixel, coarsened so the kernel radius stays within
    :data:`HEATMAP_MAX_KERNEL_CELLS` cells."""
    return max(float(metres_per_pixel), float(radius_m) / HEATMAP_MAX_KERNEL_CELLS)


def heatmap_grid(x: np.ndarray, y: np.ndarray, extent: Extent, metres_per_pixel: float,
                 radius_m: float) -> HeatGrid:
    """Kernel density of points in incidents per km² over ``extent``, radius in map metres.

    Points are binned on a grid of :func:`heatmap_cell` metres anchored to multiples of the cell
    (so panning does not shift the grid), over the extent grown by the radius (points just
    outside the view still warm its edge), then convolved with :func:`quartic_kernel` of radius
    ``radius_m / cell`` cells. Because the radius is in metres, the value at a map location does
    not depend on the zoom beyond binning error.
    """
    cell = heatmap_cell(metres_per_pixel, radius_m)
    xmin, ymin, xmax, ymax = grow_extent(extent, radius_m)
    gx0 = np.floor(xmin / cell) * cell
    gy0 = np.floor(ymin / cell) * cell
    cols = max(1, int(np.ceil((xmax - gx0) / cell)))
    rows = max(1, int(np.ceil((ymax - gy0) / cell)))
    counts = bin_counts(x, y, (gx0, gy0, gx0 + cols * cell, gy0 + rows * cell), cols, rows)
    kernel = quartic_kernel(radius_m / cell)
    if kernel.shape[0] > 1 and counts.any():
        from scipy.signal import oaconvolve

        dens = oaconvolve(counts.astype(np.float64), kernel, mode="same")
        dens[dens < 1e-9] = 0.0  # FFT round-off would otherwise tint empty pixels
    else:
        dens = counts.astype(np.float64)
    per_km2 = dens / (cell * cell) * 1e6
    return HeatGrid(per_km2, float(gx0), float(gy0), float(cell))


def heatmap_rgba(values: np.ndarray, settings: HeatmapSettings, vmax: float) -> np.ndarray:
    """Colour a heat grid with the style's ramp; values below ``transparent_below`` of ``vmax``
    are transparent and opacity rises over the next tenth of the ramp, so sparse areas fade
    into the basemap instead of being painted pale yellow."""
    vmax = float(settings.max_density or vmax or 1.0)
    t = np.clip(values / vmax, 0.0, 1.0)
    lut = ramp_lut(settings.ramp)
    out = lut[np.round(t * 255).astype(np.int64)].copy()
    tb = float(settings.transparent_below)
    fade = np.clip((t - tb) / HEATMAP_FADE, 0.0, 1.0)
    out[..., 3] = np.round(out[..., 3] * fade).astype(np.uint8)
    out[values <= 0] = 0
    return out


def raster_limits(values: np.ndarray, settings: RasterSettings) -> tuple[float, float]:
    """(vmin, vmax) of a raster style: explicit limits, else the data range; symmetric about 0
    for diverging ramps of z-scores."""
    finite = values[np.isfinite(values)]
    lo = settings.vmin if settings.vmin is not None else (float(finite.min()) if finite.size else 0.0)
    hi = settings.vmax if settings.vmax is not None else (float(finite.max()) if finite.size else 1.0)
    if settings.symmetric:
        m = max(abs(lo), abs(hi)) or 1.0
        lo, hi = -m, m
    if hi <= lo:
        hi = lo + 1.0
    return float(lo), float(hi)


def raster_rgba(values: np.ndarray, settings: RasterSettings) -> np.ndarray:
    """RGBA (uint8, row 0 = south) of a raster drawn with ``settings``; NaN and values at or
    below ``transparent_below`` are fully transparent."""
    lo, hi = raster_limits(values, settings)
    finite = np.isfinite(values)
    t = np.zeros(values.shape, dtype=np.float64)
    np.divide(values - lo, hi - lo, out=t, where=finite)
    idx = np.round(np.clip(t, 0.0, 1.0) * 255).astype(np.int64)
    out = ramp_lut(settings.ramp)[idx].copy()
    hide = ~finite
    if settings.transparent_below is not None:
        hide |= finite & (np.nan_to_num(values, nan=-np.inf) <= settings.transparent_below)
    out[hide] = 0
    return out


class ViewHistory:
    """Back/forward stack of map extents, like a browser's (QGIS "zoom last/next")."""

    def __init__(self, limit: int = 100) -> None:
        self._items: list[Extent] = []
        self._pos = -1
        self._limit = limit

    def push(self, extent: Extent) -> None:
        """Record a new settled view; drops any forward history."""
        if self._pos >= 0 and _same_extent(self._items[self._pos], extent):
            return
        del self._items[self._pos + 1:]
        self._items.append(tuple(float(v) for v in extent))  # type: ignore[arg-type]
        if len(self._items) > self._limit:
            del self._items[0]
        self._pos = len(self._items) - 1

    def can_back(self) -> bool:
        return self._pos > 0

    def can_forward(self) -> bool:
        return self._pos < len(self._items) - 1

    def back(self) -> Extent | None:
        if not self.can_back():
            return None
        self._pos -= 1
        return self._items[self._pos]

    def forward(self) -> Extent | None:
        if not self.can_forward():
            return None
        self._pos += 1
        return self._items[self._pos]

    def current(self) -> Extent | None:
        return self._items[self._pos] if self._pos >= 0 else None


def _same_extent(a: Extent, b: Extent, rel: float = 1e-6) -> bool:
    span = max(abs(a[2] - a[0]), abs(a[3] - a[1]), 1e-9)
    return all(abs(p - q) <= rel * span for p, q in zip(a, b))


def points_near(x: np.ndarray, y: np.ndarray, px: float, py: float, tolerance: float) -> np.ndarray:
    """Indices of points within ``tolerance`` of (px, py), nearest first."""
    near = np.flatnonzero((np.abs(x - px) <= tolerance) & (np.abs(y - py) <= tolerance))
    d2 = (x[near] - px) ** 2 + (y[near] - py) ** 2
    keep = d2 <= tolerance * tolerance
    near, d2 = near[keep], d2[keep]
    return near[np.argsort(d2, kind="stable")]


@dataclass(frozen=True)
class CountIndex:
    """Summed-area table of point counts on a coarse grid: bounds on how many points lie in any
    rectangle in O(1), so the level-of-detail decision never scans millions of points."""

    sat: np.ndarray  # (rows + 1, cols + 1) cumulative counts, sat[r, c] = points in cells < r, < c
    x0: float
    y0: float
    cell_w: float
    cell_h: float

    def _sum(self, r0: int, r1: int, c0: int, c1: int) -> int:
        if r1 <= r0 or c1 <= c0:
            return 0
        s = self.sat
        return int(s[r1, c1] - s[r0, c1] - s[r1, c0] + s[r0, c0])

    def bounds(self, extent: Extent) -> tuple[int, int]:
        """(at least, at most) points inside ``extent``."""
        rows, cols = self.sat.shape[0] - 1, self.sat.shape[1] - 1
        fx0 = (extent[0] - self.x0) / self.cell_w
        fx1 = (extent[2] - self.x0) / self.cell_w
        fy0 = (extent[1] - self.y0) / self.cell_h
        fy1 = (extent[3] - self.y0) / self.cell_h

        def clip(v: float, n: int) -> int:
            return int(min(max(v, 0), n))

        lower = self._sum(clip(np.ceil(fy0), rows), clip(np.floor(fy1), rows),
                          clip(np.ceil(fx0), cols), clip(np.floor(fx1), cols))
        upper = self._sum(clip(np.floor(fy0), rows), clip(np.ceil(fy1), rows),
                          clip(np.floor(fx0), cols), clip(np.ceil(fx1), cols))
        return lower, upper


def count_index(x: np.ndarray, y: np.ndarray, bins: int = 256) -> CountIndex:
    """Build a :class:`CountIndex` of points (x, y) on a ``bins`` x ``bins`` grid over their
    extent; the last row/column is closed so the extreme points are counted."""
    if x.size == 0:
        return CountIndex(np.zeros((2, 2), dtype=np.int64), 0.0, 0.0, 1.0, 1.0)
    xmin, xmax = float(x.min()), float(x.max())
    ymin, ymax = float(y.min()), float(y.max())
    cw = max(xmax - xmin, 1e-9) / bins * (1 + 1e-9)
    ch = max(ymax - ymin, 1e-9) / bins * (1 + 1e-9)
    counts = bin_counts(x, y, (xmin, ymin, xmin + cw * bins, ymin + ch * bins), bins, bins)
    sat = np.zeros((bins + 1, bins + 1), dtype=np.int64)
    sat[1:, 1:] = counts.cumsum(axis=0).cumsum(axis=1)
    return CountIndex(sat, xmin, ymin, cw, ch)


def resample_to_view(grid: HeatGrid, view: ViewState) -> np.ndarray:
    """Bilinear samples of ``grid`` at the centres of the view's pixels (row 0 = south), so a
    heat grid coarser than the screen (deep zoom) is drawn smooth instead of in blocks."""
    from scipy.ndimage import map_coordinates

    xmin, ymin, xmax, ymax = view.extent
    cx = xmin + (np.arange(view.width_px) + 0.5) * (xmax - xmin) / view.width_px
    cy = ymin + (np.arange(view.height_px) + 0.5) * (ymax - ymin) / view.height_px
    # Fractional grid indices where cell centres sit at integers.
    gc = (cx - grid.x0) / grid.cell - 0.5
    gr = (cy - grid.y0) / grid.cell - 0.5
    rows, cols = np.meshgrid(gr, gc, indexing="ij")
    return map_coordinates(grid.values, [rows, cols], order=1, mode="nearest")
