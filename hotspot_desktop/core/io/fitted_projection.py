"""PROJ's transformation over one data extent as a fitted polynomial, checked against PROJ.

Projecting a million incident points one by one through PROJ costs ~75 ns a point even with the
fast transverse Mercator series. Over a city's extent a map projection is so smooth that a
bivariate polynomial of degree 4 reproduces it to a micrometre; evaluated with numpy it costs a
quarter of PROJ's time. This is the approach of GDAL's approximate transformer
(``GDALCreateApproxTransformer``: exact transformation at a few points, interpolation between
them within a stated error, ``gdalwarp -et``), with a polynomial instead of linear
interpolation and a much tighter error bound.

:func:`fit` samples PROJ's exact transformation on a 41 x 41 grid over the box, fits the
polynomial of the lowest degree (4 to 7) by least squares on coordinates scaled to [-1, 1]
(total degree, Chebyshev basis), and
accepts it only if it agrees with PROJ within :data:`TOLERANCE_M` on a check grid holding the
fit grid's nodes and every midpoint between them, where a fit's error between nodes peaks. A fit that fails
(a continent-wide box, a pole, the antimeridian) returns None and the caller uses PROJ itself.
Points outside the box are the caller's to project with PROJ.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.polynomial import chebyshev
from pyproj import CRS, Transformer

from hotspot_desktop.core.io import pooled_arrays

TOLERANCE_M = 1e-4  # largest disagreement with PROJ accepted on the check grid (0.1 mm)
DEGREES = (4, 5, 6, 7)
FIT_GRID = 41
CHECK_GRID = 2 * FIT_GRID - 1  # the fit grid, the midpoints between its nodes and of its cells
CHUNK = 65_536  # points evaluated at a time: the temporaries stay in the CPU cache, and each
# numpy operation is long enough that threads evaluating other slices run in parallel


@dataclass(frozen=True)
class FittedTransform:
    """x and y in the target CRS as polynomials of the source coordinates over ``box``."""

    box: tuple[float, float, float, float]  # source xmin, ymin, xmax, ymax
    degree: int
    cx: np.ndarray  # coefficient of u**i * v**j at [i, j] (i + j <= degree), u, v scaled to [-1, 1]
    cy: np.ndarray
    max_error_m: float  # on the check grid

    def outside(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Mask of points outside the fitted box (NaN counts as inside: it stays NaN)."""
        x0, y0, x1, y1 = self.box
        return (x < x0) | (x > x1) | (y < y0) | (y > y1)

    def transform_inplace(self, x: np.ndarray, y: np.ndarray) -> None:
        """Overwrite ``x``, ``y`` (points inside the box) with their target coordinates.

        Horner's scheme in u over polynomials in v, on cache-sized chunks; numpy releases the
        GIL in each operation, so callers can run slices of the arrays on several threads.
        """
        x0, y0, x1, y1 = self.box
        mid_x, mid_y, scale_x, scale_y = (x0 + x1) / 2, (y0 + y1) / 2, 2 / (x1 - x0), 2 / (y1 - y0)
        # Four scratch arrays for all chunks, from Arrow's pool: fresh temporaries per operation,
        # or even per call, would be new memory the system maps page by page.
        width = min(CHUNK, len(x))
        scratch = pooled_arrays.empty(4 * width, np.float64).reshape(4, width)
        for a in range(0, len(x), CHUNK):
            b = min(a + CHUNK, len(x))
            u, v, acc, p = (row[: b - a] for row in scratch)
            np.subtract(x[a:b], mid_x, out=u)
            u *= scale_x
            np.subtract(y[a:b], mid_y, out=v)
            v *= scale_y
            x[a:b] = self._horner(self.cx, u, v, acc, p)
            y[a:b] = self._horner(self.cy, u, v, acc, p)

    def _horner(self, c: np.ndarray, u: np.ndarray, v: np.ndarray, acc: np.ndarray, p: np.ndarray) -> np.ndarray:
        """sum c[i, j] u**i v**j into ``acc`` (``p`` is scratch): Horner in u over Horner in v."""
        d = self.degree
        acc.fill(c[d, 0])
        for i in range(d - 1, -1, -1):
            p.fill(c[i, d - i])
            for j in range(d - i - 1, -1, -1):
                p *= v
                p += c[i, j]
            acc *= u
            acc += p
        return acc


def _grid(n: int) -> tuple[np.ndarray, np.ndarray]:
    u, v = np.meshgrid(np.linspace(-1.0, 1.0, n), np.linspace(-1.0, 1.0, n))
    return u.ravel(), v.ravel()


def _chebyshev(t: np.ndarray, degree: int) -> np.ndarray:
    """T_0(t) .. T_degree(t) as columns (T_k+1 = 2t T_k - T_k-1)."""
    out = np.empty((len(t), degree + 1))
    out[:, 0] = 1.0
    if degree:
        out[:, 1] = t
    for k in range(1, degree):
        out[:, k + 1] = 2.0 * t * out[:, k] - out[:, k - 1]
    return out


def _least_squares(u: np.ndarray, v: np.ndarray, values: np.ndarray, degree: int) -> np.ndarray:
    """Monomial coefficients c[i, j] of u**i * v**j (i + j <= degree) fitting ``values`` (points x 2).

    Fitted in the Chebyshev basis T_i(u) T_j(v), whose normal equations are well conditioned on
    [-1, 1], then converted to monomials for Horner's scheme. The sums use einsum and the solve is
    tiny: a least-squares call through LAPACK would wake OpenBLAS's threads, which then spin on
    the cores the rest of the load needs.
    """
    tu, tv = _chebyshev(u, degree), _chebyshev(v, degree)
    terms = [(i, j) for i in range(degree + 1) for j in range(degree + 1 - i)]
    design = np.stack([tu[:, i] * tv[:, j] for i, j in terms], axis=1)
    gram = np.einsum("pk,pl->kl", design, design)
    rhs = np.einsum("pk,pc->kc", design, values)
    solved = np.linalg.solve(gram, rhs)
    to_monomial = np.zeros((degree + 1, degree + 1))  # [k, i]: coefficient of t**k in T_i
    for i in range(degree + 1):
        unit = np.zeros(degree + 1)
        unit[i] = 1.0
        mono = chebyshev.cheb2poly(unit)
        to_monomial[: len(mono), i] = mono
    out = []
    for c in range(values.shape[1]):
        cheb = np.zeros((degree + 1, degree + 1))
        for k, (i, j) in enumerate(terms):
            cheb[i, j] = solved[k, c]
        out.append(np.einsum("ki,ij,lj->kl", to_monomial, cheb, to_monomial))
    return np.stack(out)


def fit(src: CRS, dst: CRS, box: tuple[float, float, float, float]) -> FittedTransform | None:
    """The lowest-degree polynomial reproducing PROJ's ``src`` -> ``dst`` over ``box`` within
    :data:`TOLERANCE_M`, or None (degenerate box, PROJ fails there, or no degree is good enough)."""
    x0, y0, x1, y1 = (float(b) for b in box)
    if not all(np.isfinite([x0, y0, x1, y1])) or not (x1 > x0 and y1 > y0):
        return None
    exact = Transformer.from_crs(src, dst, always_xy=True)
    half = np.array([(x1 - x0) / 2, (y1 - y0) / 2])
    mid = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
    fu, fv = _grid(FIT_GRID)
    gu, gv = _grid(CHECK_GRID)
    fx, fy = exact.transform(mid[0] + half[0] * fu, mid[1] + half[1] * fv, errcheck=False)
    check_x, check_y = mid[0] + half[0] * gu, mid[1] + half[1] * gv
    gx, gy = exact.transform(check_x, check_y, errcheck=False)
    if not (np.isfinite(fx).all() and np.isfinite(fy).all() and np.isfinite(gx).all() and np.isfinite(gy).all()):
        return None
    samples = np.stack([fx, fy], axis=1)
    for degree in DEGREES:
        cx, cy = _least_squares(fu, fv, samples, degree)
        candidate = FittedTransform((x0, y0, x1, y1), degree, cx, cy, 0.0)
        px, py = check_x.copy(), check_y.copy()
        candidate.transform_inplace(px, py)
        error = float(max(np.abs(px - gx).max(), np.abs(py - gy).max()))
        if error <= TOLERANCE_M:
            return replace(candidate, max_error_m=error)
    return None
