"""The loader's projection: the fitted polynomial and the background job agree with PROJ itself."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from pyproj import CRS, Transformer

from hotspot_desktop.core.io import background_projection
from hotspot_desktop.core.io.background_projection import (
    MIN_POINTS_TO_FIT,
    ProjectionJob,
)
from hotspot_desktop.core.io.fitted_projection import TOLERANCE_M, fit
from hotspot_desktop.core.io.report import Cancelled

WGS84 = CRS.from_epsg(4326)


def _exact(src: CRS, dst: CRS, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.array(Transformer.from_crs(src, dst, always_xy=True).transform(x, y))


@pytest.mark.parametrize(("src", "dst", "box"), [
    (4326, 32616, (-87.95, 41.64, -87.52, 42.03)),  # Chicago to UTM 16N
    (4326, 32610, (-123.27, 49.19, -123.02, 49.32)),  # Vancouver to UTM 10N
    (4326, 32756, (150.5, -34.2, 151.4, -33.5)),  # Sydney, southern hemisphere
    (4326, 3857, (-0.51, 51.28, 0.33, 51.69)),  # London to Web Mercator
    (2272, 32618, (2_660_000, 200_000, 2_760_000, 310_000)),  # Philadelphia State Plane (US ft) to UTM
    (4326, 32614, (-100.0, 30.0, -94.0, 36.0)),  # a 6-degree region: needs a higher degree
])
def test_fit_agrees_with_proj_inside_its_box(src: int, dst: int, box: tuple) -> None:
    s, d = CRS.from_epsg(src), CRS.from_epsg(dst)
    fitted = fit(s, d, box)
    assert fitted is not None and fitted.max_error_m <= TOLERANCE_M
    rng = np.random.default_rng(src + dst)
    x = rng.uniform(box[0], box[2], 50_000)
    y = rng.uniform(box[1], box[3], 50_000)
    expected = _exact(s, d, x, y)
    got_x, got_y = x.copy(), y.copy()
    fitted.transform_inplace(got_x, got_y)
    unit = d.axis_info[0].unit_conversion_factor
    assert np.abs(np.array([got_x, got_y]) - expected).max() * unit < TOLERANCE_M
    assert not fitted.outside(x, y).any()


def test_fit_keeps_nan_as_nan_and_flags_points_outside() -> None:
    fitted = fit(WGS84, CRS.from_epsg(32616), (-88.0, 41.6, -87.5, 42.1))
    assert fitted is not None
    x, y = np.array([np.nan, -87.7, -80.0]), np.array([np.nan, 41.9, 41.9])
    assert fitted.outside(x, y).tolist() == [False, False, True]
    fitted.transform_inplace(x, y)
    assert np.isnan(x[0]) and np.isnan(y[0])


@pytest.mark.parametrize("box", [
    (-180.0, -80.0, 180.0, 80.0),  # the world
    (-124.0, 32.0, -114.0, 42.0),  # 10 degrees: no degree up to 7 is within 0.1 mm
    (-87.7, 41.8, -87.7, 41.9),  # no width
    (-87.7, np.nan, -87.6, 41.9),
])
def test_no_fit_where_a_polynomial_cannot_be_trusted(box: tuple) -> None:
    assert fit(WGS84, CRS.from_epsg(32614), box) is None


def test_fit_does_not_wake_lapack_threads(monkeypatch) -> None:
    # A least-squares call through LAPACK leaves OpenBLAS threads spinning on the cores the
    # rest of the load needs; the fit solves its tiny normal equations instead.
    def forbidden(*args, **kwargs):
        raise AssertionError("lstsq called")

    monkeypatch.setattr(np.linalg, "lstsq", forbidden)
    assert fit(WGS84, CRS.from_epsg(32616), (-88.0, 41.6, -87.5, 42.1)) is not None


def _city(n: int, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return -87.68 + rng.normal(0, 0.06, n), 41.84 + rng.normal(0, 0.08, n)


def test_projection_job_matches_proj_with_strays_and_rejected_rows() -> None:
    n = MIN_POINTS_TO_FIT + 10_000
    lon, lat = _city(n)
    lon[[5, 17]], lat[[5, 17]] = [-73.9, 2.35], [40.7, 48.86]  # New York and Paris geocodes
    live = np.ones(n, dtype=bool)
    live[[3, 40_000]] = False
    dst = CRS.from_epsg(32616)
    expected = _exact(WGS84, dst, lon, lat)
    x, y = lon.copy(), lat.copy()
    with ProjectionJob(x, y, live, WGS84, None) as job:
        px, py, working = job.wait()
    assert working == dst  # UTM zone of the median point
    assert np.isnan(px[~live]).all() and np.isnan(py[~live]).all()
    assert np.abs(np.array([px, py])[:, live] - expected[:, live]).max() < 1e-3


def test_projection_job_falls_back_to_proj_when_no_fit_holds() -> None:
    n = MIN_POINTS_TO_FIT + 1
    rng = np.random.default_rng(9)
    lon, lat = rng.uniform(-100, -80, n), rng.uniform(30, 45, n)  # 20 degrees wide: no polynomial
    assert fit(WGS84, CRS.from_epsg(32616), (lon.min(), lat.min(), lon.max(), lat.max())) is None
    dst = CRS.from_epsg(32616)
    x, y = lon.copy(), lat.copy()
    with ProjectionJob(x, y, np.ones(n, dtype=bool), WGS84, dst) as job:
        job.wait()
    assert np.abs(np.array([x, y]) - _exact(WGS84, dst, lon, lat)).max() < 1e-3


def test_projection_job_cancel_stops_the_workers(monkeypatch) -> None:
    # The driver is held until the job has been told to stop, so the cancel always lands
    # before the work is done, however fast the machine (a timing-based version was flaky).
    stopping = threading.Event()
    real_working_crs_for = background_projection.working_crs_for

    def held_working_crs_for(*args: object) -> CRS:
        assert stopping.wait(10)
        return real_working_crs_for(*args)

    real_shutdown = ProjectionJob._shutdown

    def shutdown(self: ProjectionJob) -> None:
        self._stop = True
        stopping.set()
        real_shutdown(self)

    monkeypatch.setattr(background_projection, "working_crs_for", held_working_crs_for)
    monkeypatch.setattr(ProjectionJob, "_shutdown", shutdown)
    lon, lat = _city(400_000)
    with pytest.raises(Cancelled), ProjectionJob(lon, lat, np.ones(len(lon), dtype=bool), WGS84, None) as job:
        job.wait(cancelled=lambda: True)
    assert job._pool is None
    assert job._chunks_done < background_projection.TRANSFORM_CHUNKS
    assert not [t for t in threading.enumerate() if t.name.startswith("project")]


def test_same_crs_only_marks_rejected_rows() -> None:
    x, y = np.array([500_000.0, 1.0, 2.0]), np.array([4_600_000.0, 3.0, 4.0])
    utm = CRS.from_epsg(32616)
    with ProjectionJob(x, y, np.array([True, False, True]), utm, utm) as job:
        px, py, working = job.wait()
    assert working == utm
    assert px[0] == 500_000.0 and np.isnan(px[1]) and py[2] == 4.0
