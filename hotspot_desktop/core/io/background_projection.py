"""Project the loader's coordinate arrays to the working CRS on worker threads, in place.

PROJ releases the GIL while it transforms, so the projection of a million points runs on the
other cores while the loader parses dates, checks ids and builds the attribute table:
:class:`ProjectionJob` starts at construction and :meth:`ProjectionJob.wait` collects it.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import pairwise
from typing import Self

import numpy as np
from pyproj import CRS, Transformer

from hotspot_desktop.core.crs import WGS84, choose_working_crs, transform_xy
from hotspot_desktop.core.io import pooled_arrays
from hotspot_desktop.core.io.csv_coords import robust_box
from hotspot_desktop.core.io.fast_projection import approx_pipeline, near_meridian
from hotspot_desktop.core.io.fitted_projection import FittedTransform, fit
from hotspot_desktop.core.progress import CancelFn, ProgressFn, checkpoint, wait_for

TRANSFORM_CHUNKS = 8
CENTROID_SAMPLE = 20_000
MIN_POINTS_TO_FIT = 50_000  # below this PROJ point by point is about as fast as fitting
ROBUST_MARGIN = 0.5  # the robust box grows by this share of its size on each side


def centroid_sample(n: int) -> slice:
    """The even sample of rows (every k-th, about :data:`CENTROID_SAMPLE`) the working CRS is
    chosen from: the median of a sample picks the same UTM zone as that of all points."""
    return slice(None, None, max(1, n // CENTROID_SAMPLE))


def working_crs_for_sample(x: np.ndarray, y: np.ndarray, live: np.ndarray, src: CRS) -> CRS | None:
    """The UTM zone (or the projected ``src`` itself) of the median live point of a sample;
    None when no point of the sample is live."""
    if not live.any():
        return None
    mx, my = float(np.median(x[live])), float(np.median(y[live]))
    lon, lat = transform_xy(np.array([mx]), np.array([my]), src, WGS84)
    return choose_working_crs([src], (float(lon[0]), float(lat[0])))


def working_crs_for(x: np.ndarray, y: np.ndarray, live: np.ndarray, src: CRS) -> CRS:
    """The default working CRS for points ``x``, ``y`` (in ``src``) on the rows ``live``:
    that of the :func:`centroid_sample` (all live rows when the sample holds none of them)."""
    rows = centroid_sample(len(x))
    return (working_crs_for_sample(x[rows], y[rows], live[rows], src)
            or working_crs_for_sample(x, y, live, src) or choose_working_crs([src], None))


def _fit_extent(x: np.ndarray, y: np.ndarray, src: CRS, working: CRS) -> tuple[FittedTransform | None, bool]:
    """A polynomial for the points' whole extent, else for their robust extent with a margin
    (a few stray geocodes far away must not cost the fast path of all the others); and whether
    it covers every point (then no point needs testing for being outside it)."""
    with np.errstate(invalid="ignore"):
        box = (np.nanmin(x, initial=np.inf), np.nanmin(y, initial=np.inf),
               np.nanmax(x, initial=-np.inf), np.nanmax(y, initial=-np.inf))
    fitted = fit(src, working, box)
    if fitted is not None:
        return fitted, True
    if np.isfinite(box).all():
        x0, y0, x1, y1 = robust_box(x, y)
        mx, my = (x1 - x0) * ROBUST_MARGIN, (y1 - y0) * ROBUST_MARGIN
        return fit(src, working, (x0 - mx, y0 - my, x1 + mx, y1 + my)), False
    return None, False


class ProjectionJob:
    """Projects ``x``, ``y`` (owned by the caller, overwritten) from ``src`` to ``working`` (when
    None, :func:`working_crs_for` the ``live`` rows) in the background; rows not ``live`` become
    NaN. Everything, the choice of the working CRS included, happens on worker threads, so the
    caller goes on at once. Use as a context manager so an exception (a cancel) in the caller's
    own work stops the workers before the arrays are dropped.

    From :data:`MIN_POINTS_TO_FIT` points, the points inside the data's extent go through a
    polynomial fitted to PROJ over that extent and checked against it (see
    :mod:`fitted_projection`: within 0.1 mm, a quarter of PROJ's time); points outside it, and
    every point when no fit passes its check, go through PROJ as follows.

    Each worker builds its own Transformer (they are not thread-safe) on a Python thread
    (pyproj's thread-local context crashes in threads Python did not create). From longitude/
    latitude to a transverse Mercator CRS (UTM, the usual working CRS), points within
    :data:`fast_projection.APPROX_MAX_DEGREES` of the central meridian go through PROJ's faster
    Evenden-Snyder series (``+approx``, sub-millimetre there); any others, and every other CRS
    pair, through PROJ's exact operation once the workers are done.
    """

    def __init__(self, x: np.ndarray, y: np.ndarray, live: np.ndarray, src: CRS, working: CRS | None) -> None:
        self.x, self.y = x, y
        self.src = src
        self.working = working
        self._far: np.ndarray | None = None
        self._dead: np.ndarray | None = None
        self._stop = False
        self._chunks_done = 0
        self._workers = max(1, min(4, os.cpu_count() or 1))
        self._pool: ThreadPoolExecutor | None = ThreadPoolExecutor(max_workers=self._workers,
                                                                   thread_name_prefix="project")
        self._driver: Future = self._pool.submit(self._drive, live)

    def _drive(self, live: np.ndarray) -> None:
        x, y, src = self.x, self.y, self.src
        if self.working is None:
            self.working = working_crs_for(x, y, live, src)
        working = self.working
        # Project every row in place (gathering the live rows first would copy both columns
        # twice to skip the few rejected ones); rejected rows are NaN, which stays NaN.
        dead = np.logical_not(live, out=pooled_arrays.bools(len(live)))
        x[dead] = np.nan
        y[dead] = np.nan
        if src == working:
            return
        fitted, covers_all = _fit_extent(x, y, src, working) if len(x) >= MIN_POINTS_TO_FIT else (None, False)
        fast = None if fitted is not None else approx_pipeline(src, working)
        if fitted is None and dead.any():
            # PROJ gives infinity for NaN between some CRSs (British National Grid to UTM):
            # wait() puts NaN back on the rows not live. The polynomial keeps NaN by itself.
            self._dead = dead
        if fitted is not None:
            outside = None if covers_all else fitted.outside(x, y)
        elif fast is not None:
            pipeline, meridian = fast
            outside = ~near_meridian(x, meridian)
        else:
            outside = None
        if outside is not None and outside.any():
            far = np.flatnonzero(outside)
            self._far, self._far_xy = far, (x[far], y[far])
        local = threading.local()

        def run(a: int, b: int) -> None:
            if fitted is not None:
                fitted.transform_inplace(x[a:b], y[a:b])
                return
            tr = getattr(local, "tr", None)
            if tr is None:
                tr = local.tr = (Transformer.from_crs(src, working, always_xy=True) if fast is None
                                 else Transformer.from_pipeline(pipeline))
            tr.transform(x[a:b], y[a:b], inplace=True)

        bounds = np.linspace(0, len(x), TRANSFORM_CHUNKS + 1).astype(int)
        chunks = iter(pairwise(bounds.tolist()))
        lock = threading.Lock()

        def work() -> None:
            while not self._stop:
                with lock:
                    ab = next(chunks, None)
                if ab is None:
                    return
                run(*ab)
                with lock:
                    self._chunks_done += 1

        helpers = [self._pool.submit(work) for _ in range(self._workers - 1)]  # type: ignore[union-attr]
        work()
        for helper in helpers:
            helper.result()

    def wait(self, progress: ProgressFn | None = None, cancelled: CancelFn | None = None,
             span: tuple[float, float] = (0.0, 1.0)) -> tuple[np.ndarray, np.ndarray, CRS]:
        """Block until done; returns (x, y, working CRS). Raises ``Cancelled`` (workers stopped)."""
        wait_for(self._driver, progress, cancelled,
                 lambda: span[0] + (span[1] - span[0]) * self._chunks_done / TRANSFORM_CHUNKS, "projecting")
        self._shutdown()
        if self._far is not None:
            exact = Transformer.from_crs(self.src, self.working, always_xy=True)
            self.x[self._far], self.y[self._far] = exact.transform(*self._far_xy)
            self._far = None
        if self._dead is not None:
            self.x[self._dead], self.y[self._dead] = np.nan, np.nan
            self._dead = None
        checkpoint(progress, cancelled, span[1], "projecting")
        return self.x, self.y, self.working  # type: ignore[return-value]

    def _shutdown(self) -> None:
        self._stop = True  # workers finish the chunk they are on and take no other
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self._shutdown()
