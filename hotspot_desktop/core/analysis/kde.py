"""Kernel density estimation of incidents on a grid, exact or binned-FFT, fixed or adaptive.

The estimate at cell centre s is  f(s) = Σᵢ wᵢ · K_hᵢ(‖s − pᵢ‖)  (Silverman 1986, eq. 5.1 in
2-D; Chainey & Ratcliffe 2005, ch. 6 for crime mapping), with the kernels of
:mod:`hotspot_desktop.core.analysis.kernels`. ``output="density"`` uses the normalised kernels
and reports incidents per km², so the surface integrates to the (weighted) number of incidents;
``output="raw"`` reports QGIS-style raw kernel sums (peak 1 per incident).

Two evaluation modes:

* **exact** evaluates the sum at the true cell centres (QGIS 3.22 puts points up to a pixel off,
  see METHODS.md). Incidents are binned by cell and, for each offset of a small stencil of cells
  within reach of h, the kernel is evaluated for all incidents at once and accumulated with
  ``np.bincount``: n × (stencil size) kernel evaluations, no n × cells matrix.
* **fast** spreads incidents onto the cell centres by linear (bilinear) binning and convolves
  with the kernel sampled on the grid (``scipy.signal.fftconvolve``), as KDEpy's FFTKDE and
  Wand (1994) do. Its error bound is computed and stored on the result
  (:attr:`KdeResult.error_bound`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from scipy.ndimage import map_coordinates
from scipy.signal import fftconvolve
from shapely.geometry.base import BaseGeometry

from hotspot_desktop.core.analysis.bandwidth import BandwidthRule, auto_bandwidth, knn_bandwidths
from hotspot_desktop.core.analysis.grid import (
    GridSpec, RobustExtent, default_cell_size, grid_for_extent, robust_extent, study_mask,
)
from hotspot_desktop.core.analysis.kernels import Kernel, get_kernel
from hotspot_desktop.core.progress import CancelFn, ProgressFn, checkpoint

__all__ = ["AUTO_FAST_POINTS", "DualKdeResult", "KdeResult", "abramson_bandwidths", "dual_kde", "evaluate_exact",
           "evaluate_fast", "kde"]

Output = Literal["density", "raw"]
Mode = Literal["auto", "exact", "fast"]

# "auto" switches to the binned FFT above this many incidents (smooth kernels, fixed bandwidth
# only). Below it the exact sum is a matter of seconds, and exact is what an analyst expects.
AUTO_FAST_POINTS = 1_000_000
# ... or when the exact method would need more kernel evaluations than this (big h / fine cells).
AUTO_FAST_EVALUATIONS = 300_000_000
CHUNK = 262_144  # at most this many incidents per chunk in exact mode
FAST_MAX_CELLS = 8_000_000  # binning-grid cells in fast mode (~300 MB of FFT buffers)
BATCH = 4_194_304  # kernel evaluations per vectorised step (~100 MB of temporaries)
PER_KM2 = 1.0e6
ABRAMSON_MAX_FACTOR = 5.0  # upper bound of Abramson bandwidths, in multiples of the pilot h₀


@dataclass(frozen=True)
class KdeResult:
    """A kernel density surface and everything needed to explain and reproduce it.

    ``values`` has shape ``grid.shape`` (row 0 = south); NaN marks cells outside the study area.
    """

    values: np.ndarray
    grid: GridSpec
    kernel: str
    bandwidth: float  # the fixed radius h in metres (median h for adaptive runs)
    bandwidth_rule: str  # "fixed", "nrd", "arcgis", "adaptive-knn" or "adaptive-abramson"
    bandwidths: np.ndarray | None  # per used incident, adaptive runs only
    adaptive_k: int | None
    output: str
    units: str
    mode_requested: str
    mode_used: str
    error_bound: float | None  # fast mode: max absolute error, in output units
    n_points: int
    n_used: int
    n_outside: int
    weight_total: float
    mask: np.ndarray  # True = cell inside the study area
    rules: tuple[str, ...] = field(default_factory=tuple)

    @property
    def peak(self) -> float:
        return float(np.nanmax(self.values))

    def parameters(self) -> dict:
        """The parameters actually used, for provenance and the result panel."""
        return {"kernel": self.kernel, "bandwidth_m": self.bandwidth, "bandwidth_rule": self.bandwidth_rule,
                "adaptive_k": self.adaptive_k, "cell_size_m": self.grid.cell_size, "output": self.output,
                "units": self.units, "mode_requested": self.mode_requested, "mode_used": self.mode_used,
                "error_bound": self.error_bound, "n_points": self.n_points, "n_used": self.n_used,
                "grid": self.grid.to_dict()}


def _reach(h: float, cell: float) -> int:
    """Stencil half-width in cells: a point anywhere in its cell reaches centres ≤ h away."""
    return math.ceil(h / cell + 0.5)


def _stencil(h: float, cell: float) -> tuple[np.ndarray, np.ndarray]:
    """Cell offsets (dr, dc) whose centre can lie within h of some point of the origin cell."""
    m = _reach(h, cell)
    dr, dc = np.meshgrid(np.arange(-m, m + 1), np.arange(-m, m + 1), indexing="ij")
    near_r = np.maximum(np.abs(dr) - 0.5, 0.0) * cell
    near_c = np.maximum(np.abs(dc) - 0.5, 0.0) * cell
    ok = near_r ** 2 + near_c ** 2 <= h * h * (1 + 1e-12)
    return dr[ok], dc[ok]


def evaluate_exact(x: np.ndarray, y: np.ndarray, grid: GridSpec, kernel: Kernel, h: float | np.ndarray,
                   weights: np.ndarray | None = None, *, progress: ProgressFn | None = None,
                   cancelled: CancelFn | None = None) -> np.ndarray:
    """Σᵢ wᵢ · K_raw(‖centre − pᵢ‖ / hᵢ) at every cell centre of ``grid`` (raw kernel sums).

    ``h`` is a scalar or one radius per incident. Exact up to floating-point summation order.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=np.float64)
    hs = np.broadcast_to(np.asarray(h, dtype=np.float64), x.shape)
    cell = grid.cell_size
    # Group incidents by stencil reach so an adaptive run does not pay the widest stencil for all.
    reach = np.ceil(hs / cell + 0.5).astype(np.int64)
    groups = np.unique(reach)
    # Incidents up to g cells outside the grid still reach it, and their stencil reaches g cells
    # further: the accumulator is padded by 2·g so no target index wraps into another row.
    pad = 2 * int(groups.max()) if groups.size else 0
    width, height = grid.cols + 2 * pad, grid.rows + 2 * pad
    acc = np.zeros(width * height, dtype=np.float64)
    col = np.floor((x - grid.x0) / cell).astype(np.int64)
    row = np.floor((y - grid.y0) / cell).astype(np.int64)
    total_work = float(sum(_stencil(float(hs[reach == g].max()), cell)[0].size * np.count_nonzero(reach == g)
                           for g in groups)) or 1.0
    done = 0.0
    for g in groups:
        sel = reach == g
        # Incidents farther than g cells outside the grid cannot reach any centre in it.
        sel &= (col >= -g) & (col < grid.cols + g) & (row >= -g) & (row < grid.rows + g)
        idx = np.flatnonzero(sel)
        if idx.size == 0:
            continue
        # Sorting by cell keeps bincount's scattered writes within a few cache lines.
        idx = idx[np.argsort(row[idx] * width + col[idx], kind="stable")]
        hmax = float(hs[idx].max())
        dr_all, dc_all = _stencil(hmax, cell)
        offsets = np.arange(-int(g), int(g) + 1)
        flat_off = dr_all * width + dc_all
        # Chunk incidents so the per-axis distance tables stay ~64 MB, and batch stencil offsets so
        # each bincount sees ~4M contributions (one pass over the accumulator per batch, not per
        # offset: that would cost grid size x stencil size for a handful of incidents).
        chunk = max(1, min(CHUNK, BATCH // offsets.size))
        for start in range(0, idx.size, chunk):
            part = idx[start:start + chunk]
            r, c = row[part], col[part]
            fx = x[part] - (grid.x0 + (c + 0.5) * cell)  # offset of each point from its cell centre
            fy = y[part] - (grid.y0 + (r + 0.5) * cell)
            inv_h2 = 1.0 / (hs[part] * hs[part])
            wp = w[part]
            base = (r + pad) * width + (c + pad)
            dx2 = ((offsets * cell)[:, None] - fx[None, :]) ** 2  # row k: column offset offsets[k]
            dy2 = ((offsets * cell)[:, None] - fy[None, :]) ** 2
            if part.size * 4 >= acc.size:
                # Many incidents: one bincount per offset already amortises the accumulator pass,
                # and rows of the distance tables are used in place (no gathered copies).
                u2 = np.empty(part.size)
                for k, (drk, dck) in enumerate(zip(dr_all.tolist(), dc_all.tolist())):
                    np.add(dx2[dck + g], dy2[drk + g], out=u2)
                    u2 *= inv_h2
                    kernel.raw_inplace(u2)
                    u2 *= wp
                    acc += np.bincount(base + (drk * width + dck), weights=u2, minlength=acc.size)
                    if k % 16 == 15:
                        checkpoint(progress, cancelled, (done + (k + 1) * part.size) / total_work, "kernel sums")
                done += dr_all.size * part.size
                continue
            per_batch = max(1, BATCH // part.size)
            for b0 in range(0, dr_all.size, per_batch):
                kr = dr_all[b0:b0 + per_batch] + g
                kc = dc_all[b0:b0 + per_batch] + g
                u2 = dx2[kc] + dy2[kr]
                u2 *= inv_h2
                kernel.raw_inplace(u2)
                u2 *= wp
                target = base[None, :] + flat_off[b0:b0 + per_batch, None]
                acc += np.bincount(target.ravel(), weights=u2.ravel(), minlength=acc.size)
                done += kr.size * part.size
                checkpoint(progress, cancelled, done / total_work, "kernel sums")
    out = acc.reshape(height, width)[pad:pad + grid.rows, pad:pad + grid.cols]
    return np.ascontiguousarray(out)


def linear_binning(x: np.ndarray, y: np.ndarray, grid: GridSpec, weights: np.ndarray | None, pad: int) -> np.ndarray:
    """Bilinear share of each incident's weight to the four surrounding cell centres.

    Returns a (rows + 2·pad, cols + 2·pad) array whose node (i, j) is the centre of grid cell
    (i − pad, j − pad). Incidents whose four nodes are not all inside that array are ignored
    (they are more than ``pad`` cells outside the grid).
    """
    height, width = grid.rows + 2 * pad, grid.cols + 2 * pad
    gx = (np.asarray(x) - grid.x0) / grid.cell_size - 0.5 + pad
    gy = (np.asarray(y) - grid.y0) / grid.cell_size - 0.5 + pad
    i0 = np.floor(gy).astype(np.int64)
    j0 = np.floor(gx).astype(np.int64)
    ok = (i0 >= 0) & (i0 < height - 1) & (j0 >= 0) & (j0 < width - 1)
    w = np.ones(gx.shape) if weights is None else np.asarray(weights, dtype=np.float64)
    i0, j0, w = i0[ok], j0[ok], w[ok]
    ty, tx = gy[ok] - i0, gx[ok] - j0
    base = i0 * width + j0
    size = height * width
    out = np.bincount(base, weights=w * (1 - ty) * (1 - tx), minlength=size)
    out += np.bincount(base + 1, weights=w * (1 - ty) * tx, minlength=size)
    out += np.bincount(base + width, weights=w * ty * (1 - tx), minlength=size)
    out += np.bincount(base + width + 1, weights=w * ty * tx, minlength=size)
    return out.reshape(height, width)


def oversampling(grid: GridSpec, h: float) -> int:
    """Odd refinement factor f for fast mode: the binning grid has cells of ``cell / f``.

    Linear-binning error falls with (binning cell / h)², so the binning grid is refined until
    h spans at least 10 binning cells (f ∈ 1, 3, 5, 7; odd so coarse centres are fine centres),
    while keeping the FFT under :data:`FAST_MAX_CELLS` cells.
    """
    for f in (1, 3, 5, 7):
        pad = _reach(h, grid.cell_size / f) + 1
        if (grid.rows * f + 2 * pad) * (grid.cols * f + 2 * pad) > FAST_MAX_CELLS:
            return max(1, f - 2)
        if grid.cell_size / f <= 0.1 * h:
            return f
    return 7


def evaluate_fast(x: np.ndarray, y: np.ndarray, grid: GridSpec, kernel: Kernel, h: float,
                  weights: np.ndarray | None = None, *, progress: ProgressFn | None = None,
                  cancelled: CancelFn | None = None) -> tuple[np.ndarray, float | None]:
    """Binned-FFT raw kernel sums at the cell centres and their worst-case absolute error (raw units).

    Incidents are linearly binned onto a grid refined by :func:`oversampling` (its centres include
    the output centres), convolved with the kernel sampled on that grid and read back at the
    output centres.

    Error bound: linear binning replaces each incident's kernel by its bilinear interpolant between
    the four surrounding binning nodes (spacing δ), so the error per incident is the interpolation
    error of K (see :data:`kernels.KERNELS`: 2·(δ/h)² for the quartic); the bound multiplies it by
    an upper bound on the (weighted) number of incidents within h + 2√2·δ of any node. None for
    the uniform kernel, whose jump at h has no useful bound.
    """
    f = oversampling(grid, h)
    fine = GridSpec(grid.x0, grid.y0, grid.cell_size / f, grid.rows * f, grid.cols * f)
    cell = fine.cell_size
    m = _reach(h, cell)
    pad = m + 1
    checkpoint(progress, cancelled, 0.05, "binning incidents")
    binned = linear_binning(x, y, fine, weights, pad)
    off = np.arange(-m, m + 1) * cell
    d2 = off[:, None] ** 2 + off[None, :] ** 2
    stencil = kernel.raw_inplace(d2 / (h * h))
    checkpoint(progress, cancelled, 0.3, "convolving (FFT)")
    full = fftconvolve(binned, stencil, mode="same")
    o = (f - 1) // 2
    out = np.ascontiguousarray(full[pad + o:pad + fine.rows:f, pad + o:pad + fine.cols:f])
    del full
    # FFT round-off leaves ~1e-16·peak noise where the true sum is zero; clear it so cells far from
    # every incident read exactly 0 (and ties in hot-cell ranking stay ties).
    peak = float(out.max()) if out.size else 0.0
    out[out < 1e-11 * peak] = 0.0
    checkpoint(progress, cancelled, 0.8, "error bound")
    bound = None
    if kernel.binning_error is not None:
        # Incidents that can affect a binning node lie within h + 2√2·δ of it. Counting them on the
        # coarse output grid (nearest-cell bins, disc grown by √2·cell to cover both the node's and
        # the incident's distance to their cell centres) keeps the bound cheap and still an upper
        # bound.
        reach = h + 2.0 * math.sqrt(2.0) * cell + math.sqrt(2.0) * grid.cell_size
        cpad = math.ceil(reach / grid.cell_size) + 1
        r, c, _ = GridSpec(grid.x0 - cpad * grid.cell_size, grid.y0 - cpad * grid.cell_size, grid.cell_size,
                           grid.rows + 2 * cpad, grid.cols + 2 * cpad).cell_of(x, y)
        ok = (r >= 0) & (r < grid.rows + 2 * cpad) & (c >= 0) & (c < grid.cols + 2 * cpad)
        flat = r[ok] * (grid.cols + 2 * cpad) + c[ok]
        wts = None if weights is None else np.asarray(weights, dtype=np.float64)[ok]
        coarse = np.bincount(flat, weights=wts, minlength=(grid.rows + 2 * cpad) * (grid.cols + 2 * cpad))
        coarse = coarse.reshape(grid.rows + 2 * cpad, grid.cols + 2 * cpad).astype(np.float64)
        mm = math.ceil(reach / grid.cell_size)
        off = np.arange(-mm, mm + 1) * grid.cell_size
        disc = (off[:, None] ** 2 + off[None, :] ** 2 <= reach * reach).astype(np.float64)
        nearby = fftconvolve(coarse, disc, mode="same")
        bound = kernel.binning_error(cell / h) * float(nearby.max() * (1 + 1e-9))
    checkpoint(progress, cancelled, 1.0, "done")
    return out, bound


def _validate_xy(x, y, weights) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    x = np.asarray(x, dtype=np.float64).ravel()
    y = np.asarray(y, dtype=np.float64).ravel()
    if x.shape != y.shape:
        raise ValueError("x and y must have the same length")
    if x.size == 0:
        raise ValueError("no incidents: a density surface needs at least one incident")
    w = None
    if weights is not None:
        w = np.asarray(weights, dtype=np.float64).ravel()
        if w.shape != x.shape:
            raise ValueError("weights must have one value per incident")
        if not np.all(np.isfinite(w)) or (w < 0).any():
            raise ValueError("weights must be finite and non-negative")
        if w.sum() <= 0:
            raise ValueError("all weights are zero: the density would be zero everywhere")
    return x, y, w


def kde(x: np.ndarray, y: np.ndarray, *, kernel: str = "quartic", bandwidth: float | None = None,
        bandwidth_rule: BandwidthRule = "nrd", adaptive_k: int | None = None,
        adaptive: Literal["knn", "abramson"] | None = None, cell_size: float | None = None,
        weights: np.ndarray | None = None, output: Output = "density", mode: Mode = "auto",
        grid: GridSpec | None = None, study_area: BaseGeometry | None = None, decay: float = 0.0,
        progress: ProgressFn | None = None, cancelled: CancelFn | None = None) -> KdeResult:
    """Kernel density of incidents at (x, y) metres on a regular grid.

    f(s) = Σᵢ wᵢ · c/hᵢ² · k(‖s − pᵢ‖/hᵢ) · 10⁶  incidents per km² (``output="density"``; c and k
    per kernel in :mod:`kernels`, e.g. quartic 3/(πh²)(1 − d²/h²)², so the surface integrates to
    Σwᵢ), or Σᵢ wᵢ · k(‖s − pᵢ‖/hᵢ) (``output="raw"``, QGIS heatmap raw values).

    Bandwidth: ``bandwidth`` (metres) if given; otherwise ``bandwidth_rule`` "nrd" (MASS
    bandwidth.nrd, as sfhotspot) or "arcgis" (ArcGIS Kernel Density default). Adaptive
    bandwidths, one per incident: ``adaptive="knn"`` (implied by ``adaptive_k``) gives hᵢ = the
    distance to the k-th nearest neighbour (floored at the cell size, and at ``bandwidth`` when
    one is given); ``adaptive="abramson"`` gives hᵢ = h₀·(f̃(pᵢ)/g)^(−1/2) (Abramson 1982), see
    :func:`abramson_bandwidths`. A fixed bandwidth below the cell size is refused: the kernel
    would fall between cell centres and most incidents would vanish from the map.

    Extent: ``grid`` if given; else the robust extent of the incidents (or the study area's bounds)
    grown by h on every side, at ``cell_size`` (default rule in :func:`grid.default_cell_size`).
    Incidents outside the study area / robust extent are left out and counted in ``n_outside``.
    Cells outside the study area are NaN.

    ``mode="auto"`` runs exact unless there are more than :data:`AUTO_FAST_POINTS` incidents (or
    the exact sum would need over 3·10⁸ kernel evaluations) with a smooth kernel and a fixed
    bandwidth; ``mode_used`` says which ran.
    """
    x, y, w = _validate_xy(x, y, weights)
    if output not in ("density", "raw"):
        raise ValueError(f"unknown output {output!r}: use 'density' or 'raw'")
    if mode not in ("auto", "exact", "fast"):
        raise ValueError(f"unknown mode {mode!r}: use 'auto', 'exact' or 'fast'")
    kern = get_kernel(kernel, decay)
    if adaptive is None and adaptive_k is not None:
        adaptive = "knn"
    if adaptive not in (None, "knn", "abramson"):
        raise ValueError(f"unknown adaptive method {adaptive!r}: use 'knn' or 'abramson'")
    if adaptive == "knn" and adaptive_k is None:
        raise ValueError("the k-nearest-neighbour adaptive bandwidth needs adaptive_k (e.g. 10)")
    ext: RobustExtent = robust_extent(x, y, study_area)
    used = ext.inside
    xu, yu = x[used], y[used]
    wu = None if w is None else w[used]
    if xu.size == 0:
        raise ValueError("no incidents inside the study area")
    rules: list[str] = [ext.rule]

    if bandwidth is not None:
        if not (bandwidth > 0 and math.isfinite(bandwidth)):
            raise ValueError(f"the bandwidth must be a positive distance in metres, got {bandwidth}")
        h = float(bandwidth)
        rule_name = "fixed"
        rules.append(f"bandwidth = {h:,.0f} m (set by the analyst)")
    elif adaptive == "knn":
        h = float("nan")
        rule_name = "adaptive-knn"
    else:
        choice = auto_bandwidth(xu, yu, bandwidth_rule, wu)
        h, rule_name = choice.bandwidth, choice.rule
        rules.append(choice.text)

    if grid is None:
        if cell_size is None:
            cs = default_cell_size(ext.bounds if (ext.xmax > ext.xmin or ext.ymax > ext.ymin)
                                   else _padded(ext.bounds, h))
            cell_size = cs.cell_size
            rules.append(cs.rule)
        else:
            rules.append(f"cell size = {cell_size:g} m (set by the analyst)")
    else:
        if cell_size is not None and cell_size != grid.cell_size:
            raise ValueError(f"cell size {cell_size:g} m contradicts the given grid's {grid.cell_size:g} m cells")
        cell_size = grid.cell_size
        rules.append(f"grid given: {grid.rows} x {grid.cols} cells of {cell_size:g} m")

    hs: np.ndarray | None = None
    if adaptive != "knn" and h < cell_size:
        raise ValueError(
            f"bandwidth {h:,.1f} m is smaller than the cell size {cell_size:g} m: the kernel would fall "
            f"between cell centres and many incidents would not show on the map. Use a bandwidth of at least "
            f"{cell_size:g} m or a cell size of at most {h:,.1f} m.")
    if adaptive == "knn":
        floor = max(cell_size, h) if bandwidth is not None else cell_size
        hs = knn_bandwidths(xu, yu, adaptive_k, minimum=floor)
        h = float(np.median(hs))
        rule_name = "adaptive-knn"
        rules.append(f"adaptive bandwidth: distance to the {adaptive_k}th nearest incident, at least "
                     f"{floor:,.0f} m (median {h:,.0f} m, range {hs.min():,.0f}-{hs.max():,.0f} m)")
    elif adaptive == "abramson":
        # the pilot covers every used incident (a given output grid may be a window of the data)
        pilot_grid = grid_for_extent(ext.bounds, cell_size, margin=h)
        hs = abramson_bandwidths(xu, yu, h, pilot_grid, kern, wu, cancelled=cancelled)
        rules.append(f"adaptive bandwidth (Abramson 1982): hᵢ = h₀·(f̃(pᵢ)/g)^-½ with pilot h₀ = {h:,.0f} m, "
                     f"bounded to {cell_size:g}-{ABRAMSON_MAX_FACTOR * h:,.0f} m (median {np.median(hs):,.0f} m)")
        h = float(np.median(hs))
        rule_name = "adaptive-abramson"

    if grid is None:
        hmax = float(hs.max()) if hs is not None else h
        margin = 0.0 if study_area is not None else hmax
        grid = grid_for_extent(ext.bounds, cell_size, margin=margin)
        rules.append(f"grid: {grid.rows} x {grid.cols} cells of {cell_size:g} m"
                     + ("" if study_area is not None else f", the extent grown by the bandwidth ({hmax:,.0f} m)"))

    n_stencil = _stencil(h if hs is None else float(np.max(hs)), cell_size)[0].size
    mode_used = mode
    if mode == "auto":
        big = xu.size > AUTO_FAST_POINTS or xu.size * n_stencil > AUTO_FAST_EVALUATIONS
        mode_used = "fast" if (big and kern.smooth and hs is None) else "exact"
    if mode_used == "fast" and hs is not None:
        raise ValueError("fast (binned FFT) mode needs one fixed bandwidth; adaptive bandwidths run in exact mode")

    bound = None
    if mode_used == "exact":
        raw = evaluate_exact(xu, yu, grid, kern, h if hs is None else hs,
                             _density_weights(wu, hs if output == "density" else None, kern, xu.size),
                             progress=progress, cancelled=cancelled)
        rules.append(f"exact kernel sums at cell centres ({xu.size:,} incidents)")
    else:
        raw, bound = evaluate_fast(xu, yu, grid, kern, h, wu, progress=progress, cancelled=cancelled)
        rules.append("fast mode: linear binning + FFT convolution"
                     + ("" if bound is None else f"; error at most {bound / max(float(raw.max()), 1e-300):.2%} "
                        f"of the peak (bound)"))

    if output == "density":
        units = "incidents per km²"
        if hs is None:
            scale = kern.norm / (h * h) * PER_KM2
            values = raw * scale
            bound = None if bound is None else bound * scale
        else:
            values = raw  # per-incident normalisation already folded into the weights
    else:
        units = "kernel sum (raw)"
        values = raw
    mask = study_mask(grid, study_area)
    if study_area is not None:
        values = np.where(mask, values, np.nan)
    wt = float(xu.size if wu is None else wu.sum())
    return KdeResult(values, grid, kern.name, float(h), rule_name, hs, adaptive_k if adaptive == "knn" else None,
                     output, units, mode, mode_used,
                     bound, int(x.size), int(xu.size), int(x.size - xu.size), wt, mask, tuple(rules))


def abramson_bandwidths(x: np.ndarray, y: np.ndarray, h0: float, grid: GridSpec, kernel: Kernel,
                        weights: np.ndarray | None = None, *, cancelled: CancelFn | None = None) -> np.ndarray:
    """Abramson's square-root law: hᵢ = h₀ · (f̃(pᵢ) / g)^(−1/2).

    f̃ is a pilot density with the fixed bandwidth h₀ (on ``grid``, read at each incident by
    bilinear interpolation), g the (weighted) geometric mean of f̃ over the incidents (Abramson
    1982, Ann. Statist. 10:1217-1223; Silverman 1986 §5.3). Kernels narrow where incidents are
    dense and widen where they are sparse. hᵢ is bounded to [cell size, 5·h₀]: below the cell
    size kernels fall between centres, and the upper bound keeps isolated incidents from
    spreading over the whole map.
    """
    mode_fast = kernel.smooth and x.size > AUTO_FAST_POINTS // 10
    pilot = (evaluate_fast(x, y, grid, kernel, h0, weights, cancelled=cancelled)[0] if mode_fast
             else evaluate_exact(x, y, grid, kernel, h0, weights, cancelled=cancelled))
    rows = (y - grid.y0) / grid.cell_size - 0.5
    cols = (x - grid.x0) / grid.cell_size - 0.5
    at_points = map_coordinates(pilot, [rows, cols], order=1, mode="nearest")
    # every incident's own kernel makes f̃ > 0 at it; the floor only guards interpolation round-off
    at_points = np.maximum(at_points, 1e-12 * float(pilot.max()))
    w = np.ones_like(at_points) if weights is None else weights
    g = float(np.exp(np.average(np.log(at_points), weights=w)))
    return np.clip(h0 * np.sqrt(g / at_points), grid.cell_size, ABRAMSON_MAX_FACTOR * h0)


def _density_weights(w: np.ndarray | None, hs: np.ndarray | None, kern: Kernel, n: int) -> np.ndarray | None:
    """Per-incident multipliers: weights, and for adaptive density the kernel norm c/hᵢ² per km²."""
    if hs is None:
        return w
    out = np.ones(n) if w is None else w.astype(np.float64, copy=True)
    return out * (kern.norm / (hs * hs) * PER_KM2)


def _padded(bounds: tuple[float, float, float, float], h: float) -> tuple[float, float, float, float]:
    if not math.isfinite(h):
        raise ValueError("all incidents are at one spot: give a fixed bandwidth and a cell size")
    return (bounds[0] - h, bounds[1] - h, bounds[2] + h, bounds[3] + h)


@dataclass(frozen=True)
class DualKdeResult:
    """Two densities on one grid and their combination (``values``; NaN where undefined)."""

    values: np.ndarray
    op: str
    a: KdeResult
    b: KdeResult
    formula: str
    rules: tuple[str, ...] = field(default_factory=tuple)

    @property
    def grid(self) -> GridSpec:
        return self.a.grid


def dual_kde(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray], op: str = "ratio", *,
             kernel: str = "quartic", bandwidth: float | None = None, bandwidth_rule: BandwidthRule = "nrd",
             cell_size: float | None = None, weights_a: np.ndarray | None = None,
             weights_b: np.ndarray | None = None, grid: GridSpec | None = None,
             study_area: BaseGeometry | None = None, mode: Mode = "auto", min_denominator: float = 0.0,
             progress: ProgressFn | None = None, cancelled: CancelFn | None = None) -> DualKdeResult:
    """Dual kernel density (Levine, CrimeStat ch. 10): two surfaces on one grid, combined per cell.

    ``op``: "ratio" f_a/f_b (e.g. burglaries per household), "log_ratio" ln(f_a/f_b) or
    "difference" f_a − f_b. Both use the same kernel, bandwidth and grid (bandwidth from the rule
    applied to ``a`` unless given). Ratios are NaN where f_b ≤ ``min_denominator`` (undefined, not
    infinite); the log ratio is NaN where either density is zero.
    """
    if op not in ("ratio", "log_ratio", "difference"):
        raise ValueError(f"unknown dual KDE operation {op!r}: use 'ratio', 'log_ratio' or 'difference'")
    xa, ya, wa = _validate_xy(*a, weights_a)
    xb, yb, wb = _validate_xy(*b, weights_b)
    rules: list[str] = []
    if bandwidth is None:
        ea = robust_extent(xa, ya, study_area)
        choice = auto_bandwidth(xa[ea.inside], ya[ea.inside], bandwidth_rule, None if wa is None else wa[ea.inside])
        bandwidth = choice.bandwidth
        rules.append(choice.text + " (from the first layer, used for both)")
    if grid is None:
        ea = robust_extent(xa, ya, study_area)
        eb = robust_extent(xb, yb, study_area)
        bounds = (min(ea.xmin, eb.xmin), min(ea.ymin, eb.ymin), max(ea.xmax, eb.xmax), max(ea.ymax, eb.ymax))
        if cell_size is None:
            cs = default_cell_size(bounds)
            cell_size = cs.cell_size
            rules.append(cs.rule)
        grid = grid_for_extent(bounds, cell_size, margin=0.0 if study_area is not None else bandwidth)
    sub = (lambda lo, hi: (lambda f, s: progress(lo + (hi - lo) * f, s))) if progress is not None else None
    ra = kde(xa, ya, kernel=kernel, bandwidth=bandwidth, weights=wa, grid=grid, study_area=study_area, mode=mode,
             progress=None if sub is None else sub(0.0, 0.5), cancelled=cancelled)
    rb = kde(xb, yb, kernel=kernel, bandwidth=bandwidth, weights=wb, grid=grid, study_area=study_area, mode=mode,
             progress=None if sub is None else sub(0.5, 1.0), cancelled=cancelled)
    fa, fb = ra.values, rb.values
    with np.errstate(divide="ignore", invalid="ignore"):
        if op == "ratio":
            values = np.where(fb > min_denominator, fa / fb, np.nan)
            formula = "f_a / f_b (NaN where f_b is zero)"
        elif op == "log_ratio":
            values = np.where((fa > 0) & (fb > min_denominator), np.log(fa / fb), np.nan)
            formula = "ln(f_a / f_b) (NaN where either is zero)"
        else:
            values = fa - fb
            formula = "f_a − f_b (incidents per km²)"
    return DualKdeResult(values, op, ra, rb, formula, tuple(rules) + ra.rules)
