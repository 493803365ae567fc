"""Spatial weights: who counts as a neighbour of whom, for Gi* and Moran's I.

Two representations, chosen by what the data is:

* **Grids** use a :class:`GridStencil`, the weights of one cell written as a small kernel
  centred on the cell (rook, queen or a distance band in metres). Because every cell shares the
  same stencil, ``Σⱼ wᵢⱼ xⱼ`` is a correlation of the grid with the kernel, so a 1000×1000 grid
  never needs a million-row sparse matrix. Edge cells and cells beside the study-area boundary
  simply have fewer neighbours: the kernel is applied to a 0/1 mask to get their exact Σⱼ wᵢⱼ
  and Σⱼ wᵢⱼ².
* **Polygons** (beats, blocks) use :class:`PolygonWeights`, a binary ``scipy.sparse`` CSR matrix
  built from shared borders (queen: any common point; rook: a common stretch of border, with a
  snapping tolerance for digitised borders that almost meet) or from a distance band between
  centroids. Polygons without neighbours are reported as islands.

The definitions follow libpysal (Rey & Anselin 2007, "PySAL: A Python Library of Spatial
Analytical Methods"): queen/rook contiguity and distance-band weights, binary before any
transformation; row standardisation divides each row by its sum.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp
from scipy import ndimage, signal
from scipy.spatial import cKDTree

__all__ = [
    "GridStencil",
    "grid_contiguity",
    "grid_distance_band",
    "PolygonWeights",
    "polygon_contiguity",
    "polygon_distance_band",
    "row_standardise",
    "set_diagonal",
]

Contiguity = Literal["rook", "queen"]

# Above this many kernel cells an FFT correlation beats the direct sum (measured on 1000×1000).
_FFT_MIN_KERNEL_CELLS = 121


@dataclass(frozen=True, eq=False)
class GridStencil:
    """Weights of one grid cell as a kernel centred on it.

    ``kernel[radius + dr, radius + dc]`` is the weight of the cell ``dr`` rows north and ``dc``
    columns east of the centre (row 0 of a grid is its southern row); the centre entry is the
    cell's weight on itself (1 for Gi*, 0 for Moran's I and Gi).
    """

    kernel: np.ndarray
    name: str

    def __post_init__(self) -> None:
        k = np.array(self.kernel, dtype=np.float64)
        if k.ndim != 2 or k.shape[0] != k.shape[1] or k.shape[0] % 2 == 0:
            raise ValueError("a stencil kernel must be a square array of odd size")
        if not np.all(np.isfinite(k)) or np.any(k < 0):
            raise ValueError("stencil weights must be finite and non-negative")
        k.setflags(write=False)
        object.__setattr__(self, "kernel", k)  # a private read-only copy: the stencil is a value

    @property
    def radius(self) -> int:
        return self.kernel.shape[0] // 2

    @property
    def self_weight(self) -> float:
        return float(self.kernel[self.radius, self.radius])

    @property
    def is_binary(self) -> bool:
        return bool(np.all((self.kernel == 0) | (self.kernel == 1)))

    def without_self(self) -> "GridStencil":
        k = self.kernel.copy()
        k[self.radius, self.radius] = 0.0
        return GridStencil(k, self.name)

    def correlate(self, values: np.ndarray, squared: bool = False) -> np.ndarray:
        """``Σⱼ wᵢⱼ xⱼ`` for every cell (``wᵢⱼ²`` with ``squared``); cells beyond the edge count 0.

        Integer-valued inputs with a binary kernel give integer sums, which the FFT path rounds
        back to exact integers so the result does not depend on the path taken.
        """
        values = np.asarray(values, dtype=np.float64)
        kernel = self.kernel ** 2 if squared else self.kernel
        if np.all(kernel == 1):
            # a full square of ones (queen with self) is separable: two 1-D passes, exact sums
            ones = np.ones(kernel.shape[0])
            out = ndimage.correlate1d(values, ones, axis=0, mode="constant", cval=0.0)
            return ndimage.correlate1d(out, ones, axis=1, mode="constant", cval=0.0)
        if kernel.size < _FFT_MIN_KERNEL_CELLS:
            return ndimage.correlate(values, kernel, mode="constant", cval=0.0)
        # correlation = convolution with the flipped kernel; "same" keeps the grid's shape
        out = signal.oaconvolve(values, kernel[::-1, ::-1], mode="same")
        if self.is_binary and np.all(values == np.round(values)):
            out = np.rint(out)
        return out

    def to_sparse(self, shape: tuple[int, int], mask: np.ndarray | None = None) -> sp.csr_matrix:
        """Explicit n×n CSR matrix over the cells inside ``mask``, in row-major order.

        For small grids, tests and statistics that need the matrix (Moran's I permutations).
        """
        rows, cols = shape
        if mask is None:
            mask = np.ones(shape, dtype=bool)
        mask = np.asarray(mask, dtype=bool)
        index = np.full(shape, -1, dtype=np.int64)
        index[mask] = np.arange(int(mask.sum()))
        r = self.radius
        src, dst, val = [], [], []
        for dr, dc in zip(*np.nonzero(self.kernel)):
            w = self.kernel[dr, dc]
            dr, dc = int(dr) - r, int(dc) - r
            # cells (i, j) whose neighbour (i+dr, j+dc) lies on the grid
            i0, i1 = max(0, -dr), min(rows, rows - dr)
            j0, j1 = max(0, -dc), min(cols, cols - dc)
            if i0 >= i1 or j0 >= j1:
                continue
            a = index[i0:i1, j0:j1]
            b = index[i0 + dr:i1 + dr, j0 + dc:j1 + dc]
            ok = (a >= 0) & (b >= 0)
            src.append(a[ok])
            dst.append(b[ok])
            val.append(np.full(int(ok.sum()), w))
        n = int(mask.sum())
        if not src:
            return sp.csr_matrix((n, n))
        m = sp.coo_matrix((np.concatenate(val), (np.concatenate(src), np.concatenate(dst))), shape=(n, n))
        return m.tocsr()


def grid_contiguity(kind: Contiguity = "queen", include_self: bool = True) -> GridStencil:
    """Rook (4 edge neighbours) or queen (8 edge-or-corner neighbours) grid contiguity.

    ``include_self`` puts weight 1 on the cell itself, as Gi* requires (Getis & Ord 1992).
    """
    if kind == "rook":
        k = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], dtype=np.float64)
    elif kind == "queen":
        k = np.ones((3, 3), dtype=np.float64)
        k[1, 1] = 0.0
    else:
        raise ValueError(f"unknown contiguity {kind!r}; use 'rook' or 'queen'")
    if include_self:
        k[1, 1] = 1.0
    return GridStencil(k, f"{kind} contiguity" + (" with self" if include_self else ""))


def grid_distance_band(distance_m: float, cell_size: float, include_self: bool = True) -> GridStencil:
    """Binary distance band: cells whose centres lie within ``distance_m`` metres of the cell's.

    Raises ``ValueError`` when the band reaches no other cell (a band below the cell size would
    otherwise silently turn Gi* into a plain z-score of each cell).
    """
    if not (np.isfinite(distance_m) and np.isfinite(cell_size)) or cell_size <= 0:
        raise ValueError("distance and cell size must be positive numbers in metres")
    if distance_m < cell_size:
        raise ValueError(f"distance band {distance_m:g} m is smaller than the cell size {cell_size:g} m: "
                         "no cell would have a neighbour")
    r = int(np.floor(distance_m / cell_size))
    d = np.arange(-r, r + 1, dtype=np.float64)
    dist2 = (d[:, None] ** 2 + d[None, :] ** 2) * cell_size ** 2
    # a relative epsilon keeps cells exactly on the band edge in despite rounding of d²
    k = (dist2 <= distance_m ** 2 * (1 + 1e-12)).astype(np.float64)
    k[r, r] = 1.0 if include_self else 0.0
    return GridStencil(k, f"distance band {distance_m:g} m" + (" with self" if include_self else ""))


@dataclass(frozen=True, eq=False)
class PolygonWeights:
    """Binary neighbour matrix of n polygons (zero diagonal) and the polygons with no neighbour."""

    matrix: sp.csr_matrix
    kind: str
    islands: tuple[int, ...]

    @property
    def n(self) -> int:
        return int(self.matrix.shape[0])

    @property
    def cardinalities(self) -> np.ndarray:
        return np.diff(self.matrix.indptr)

    def with_self(self, weight: float = 1.0) -> sp.csr_matrix:
        """The matrix with ``weight`` on the diagonal (Gi* counts the polygon itself)."""
        return set_diagonal(self.matrix, weight)


def _geometries(geoms: Any) -> tuple[np.ndarray, Any]:
    crs = getattr(geoms, "crs", None)
    if hasattr(geoms, "geometry"):
        geoms = geoms.geometry
    arr = np.asarray(geoms, dtype=object)
    if arr.ndim != 1:
        raise ValueError("expected a 1-D sequence of geometries")
    return arr, crs


def _check_metric(crs: Any) -> None:
    if crs is not None and getattr(crs, "is_geographic", False):
        raise ValueError("geometries are in a geographic CRS (degrees); project them to metres first")


def _from_pairs(i: np.ndarray, j: np.ndarray, n: int, kind: str) -> PolygonWeights:
    keep = i != j
    i, j = i[keep], j[keep]
    data = np.ones(2 * i.size)
    m = sp.coo_matrix((data, (np.concatenate([i, j]), np.concatenate([j, i]))), shape=(n, n)).tocsr()
    m.data[:] = 1.0  # duplicates were summed; the weights are binary
    m.sort_indices()
    islands = tuple(int(k) for k in np.flatnonzero(np.diff(m.indptr) == 0))
    return PolygonWeights(m, kind, islands)


def polygon_contiguity(geoms: Any, kind: Contiguity = "queen", tolerance: float = 0.0) -> PolygonWeights:
    """Queen or rook contiguity of polygons, found with a shapely STRtree.

    queen: the polygons share at least one point of their borders (``intersects``; with a
    ``tolerance`` in metres, borders closer than it count as shared, which absorbs slivers and
    gaps between independently digitised beats).
    rook: the polygons share a stretch of border: a boundary segment of one lies along a
    segment of the other (within ``tolerance``) for more than ``tolerance`` metres, so two
    polygons meeting only at a corner stay queen-only neighbours.
    """
    import shapely

    arr, crs = _geometries(geoms)
    _check_metric(crs)
    if tolerance < 0:
        raise ValueError("tolerance must be >= 0")
    n = arr.size
    if n == 0:
        return PolygonWeights(sp.csr_matrix((0, 0)), kind, ())
    if kind == "rook":
        i, j = _rook_pairs(arr, tolerance)
    elif kind == "queen":
        tree = shapely.STRtree(arr)
        if tolerance > 0:
            i, j = tree.query(arr, predicate="dwithin", distance=tolerance)
        else:
            i, j = tree.query(arr, predicate="intersects")
    else:
        raise ValueError(f"unknown contiguity {kind!r}; use 'rook' or 'queen'")
    return _from_pairs(i, j, n, kind)


# Collinearity slack for exact rook contiguity: projected coordinates carry ~1e-9 m of rounding.
_EXACT_SLACK_M = 1e-7


def _rook_pairs(arr: np.ndarray, tolerance: float) -> tuple[np.ndarray, np.ndarray]:
    """Polygon pairs with a common stretch of border, from their boundary segments.

    Segments of different polygons are compared pairwise (candidates from an STRtree): the
    shorter must lie within ``tolerance`` of the line of the longer, and its projection on the
    longer must overlap it by more than ``tolerance``. Working on segments instead of on whole
    boundaries handles T-junctions (a border split by a vertex on one side only) and avoids
    buffering every boundary, which is slow for tens of thousands of blocks.
    """
    import shapely

    parts, part_of = shapely.get_parts(arr, return_index=True)
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    coords, coord_of = shapely.get_coordinates(rings, return_index=True)
    same_ring = coord_of[:-1] == coord_of[1:]
    p0, p1 = coords[:-1][same_ring], coords[1:][same_ring]
    owner = part_of[ring_of[coord_of[:-1][same_ring]]]
    length = np.hypot(*(p1 - p0).T)
    keep = length > 0
    p0, p1, owner, length = p0[keep], p1[keep], owner[keep], length[keep]
    slack = max(tolerance, _EXACT_SLACK_M)
    lo, hi = np.minimum(p0, p1), np.maximum(p0, p1)
    tree = shapely.STRtree(shapely.box(lo[:, 0], lo[:, 1], hi[:, 0], hi[:, 1]))
    # envelope overlap only (no GEOS predicate): the exact test below is vectorised numpy
    a, b = tree.query(shapely.box(lo[:, 0] - slack, lo[:, 1] - slack, hi[:, 0] + slack, hi[:, 1] + slack))
    cand = (a < b) & (owner[a] != owner[b])
    a, b = a[cand], b[cand]
    # base = the longer segment of each pair, so a short segment is tested against a long line
    swap = length[a] < length[b]
    base = np.where(swap, b, a)
    other = np.where(swap, a, b)
    u = (p1[base] - p0[base]) / length[base][:, None]
    rel0 = p0[other] - p0[base]
    rel1 = p1[other] - p0[base]
    perp = np.maximum(np.abs(u[:, 0] * rel0[:, 1] - u[:, 1] * rel0[:, 0]),
                      np.abs(u[:, 0] * rel1[:, 1] - u[:, 1] * rel1[:, 0]))
    t0 = np.einsum("ij,ij->i", u, rel0)
    t1 = np.einsum("ij,ij->i", u, rel1)
    overlap = np.minimum(length[base], np.maximum(t0, t1)) - np.maximum(0.0, np.minimum(t0, t1))
    shared = (perp <= slack) & (overlap > slack)
    return owner[base[shared]], owner[other[shared]]


def polygon_distance_band(geoms: Any, distance_m: float) -> PolygonWeights:
    """Binary distance band on polygon centroids (or on points): neighbours within ``distance_m``."""
    import shapely

    arr, crs = _geometries(geoms)
    _check_metric(crs)
    if not distance_m > 0:
        raise ValueError("distance must be positive (metres)")
    c = shapely.centroid(arr)
    xy = np.column_stack([shapely.get_x(c), shapely.get_y(c)])
    pairs = cKDTree(xy).query_pairs(distance_m, output_type="ndarray")
    return _from_pairs(pairs[:, 0], pairs[:, 1], arr.size, f"distance band {distance_m:g} m")


def set_diagonal(matrix: sp.spmatrix, weight: float) -> sp.csr_matrix:
    """Copy of ``matrix`` with every diagonal entry set to ``weight``."""
    m = sp.csr_matrix(matrix, dtype=np.float64, copy=True)
    m = sp.csr_matrix(m - sp.diags(m.diagonal()) + sp.diags(np.full(m.shape[0], float(weight))))
    m.eliminate_zeros()
    m.sort_indices()
    return m


def row_standardise(matrix: sp.spmatrix) -> sp.csr_matrix:
    """Divide each row by its sum (libpysal transform "R"); rows of islands stay zero."""
    m = sp.csr_matrix(matrix, dtype=np.float64, copy=True)
    sums = np.asarray(m.sum(axis=1)).ravel()
    scale = np.divide(1.0, sums, out=np.zeros_like(sums), where=sums != 0)
    return sp.csr_matrix(sp.diags(scale) @ m)
