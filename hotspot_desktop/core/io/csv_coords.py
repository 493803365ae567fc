"""Coordinates of incident rows: parsing, CRS from value ranges, swap detection, robust extent.

All functions are vectorised over whole columns (numpy / Arrow compute), so a million rows cost
milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hotspot_desktop.core.io import pooled_arrays
from hotspot_desktop.core.io.csv_columns import LATLON_RE, WKT_RE
from hotspot_desktop.core.io.csv_schema import CsvSchema

GEO_SHARE = 0.9  # share of values inside lon/lat ranges that makes a file geographic
POLAR_LAT = 80.0  # beyond this latitude a "latitude" is taken for a longitude in the wrong column
BOX_SAMPLE = 100_000  # points of the sample robust_box takes its quantiles from


@dataclass
class RawXY:
    """x (easting / longitude) and y as float arrays, NaN where not usable, with the why."""

    x: np.ndarray
    y: np.ndarray
    missing: np.ndarray  # empty field(s)
    unparseable: np.ndarray  # present but not a number


def numbers(values: pa.Array | pa.ChunkedArray, decimal: str = ".") -> tuple[np.ndarray, np.ndarray]:
    """(float64 values with NaN, mask of values that were present but not numbers).

    The values array is always a new, writable array (the loader projects it in place).
    """
    if pa.types.is_floating(values.type) or pa.types.is_integer(values.type):
        # The chunks go straight into one array from Arrow's pool (see pooled_arrays), missing
        # values as NaN; a filled copy of the whole column first would be fresh memory again.
        values = pc.cast(values, pa.float64())
        chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
        out = pooled_arrays.empty(len(values), np.float64)
        if chunks:
            np.concatenate([chunk.to_numpy(zero_copy_only=False) for chunk in chunks], out=out)
        return out, pooled_arrays.full(len(values), False, np.bool_)
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    present = values.is_valid().to_numpy(zero_copy_only=False)
    text = pc.utf8_trim_whitespace(pc.cast(values, pa.string()))
    empty = pc.fill_null(pc.equal(text, ""), True).to_numpy(zero_copy_only=False)
    present &= ~empty
    if decimal == ",":
        text = pc.replace_substring(text, ",", ".")
    try:
        out = pc.cast(pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text), pa.float64())
        vals = out.to_numpy(zero_copy_only=False)
    except pa.ArrowInvalid:
        vals = pd.to_numeric(pd.Series(text.to_pandas(), dtype=object), errors="coerce").to_numpy(np.float64)
    vals = np.where(present, vals, np.nan)
    return vals, present & ~np.isfinite(vals)


def _location(values: pa.Array | pa.ChunkedArray, fmt: str) -> RawXY:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    text = pc.cast(values, pa.string())
    empty = pc.fill_null(pc.equal(pc.utf8_trim_whitespace(text), ""), True).to_numpy(zero_copy_only=False)
    pattern = WKT_RE if fmt == "wkt" else LATLON_RE
    upper = pc.utf8_upper(text) if fmt == "wkt" else text
    parts = pc.extract_regex(upper, pattern)
    a, bad_a = numbers(parts.field("a"))
    b, bad_b = numbers(parts.field("b"))
    matched = parts.is_valid().to_numpy(zero_copy_only=False)
    unparseable = ~empty & (~matched | bad_a | bad_b)
    # WKT is "POINT (x y)"; the Socrata-style tuple is "(lat, lon)".
    x, y = (a, b) if fmt == "wkt" else (b, a)
    x = np.where(unparseable | empty, np.nan, x)
    y = np.where(unparseable | empty, np.nan, y)
    return RawXY(x, y, empty, unparseable)


def read_xy(table: pa.Table, schema: CsvSchema) -> RawXY:
    """Raw coordinates of every row of ``table`` as the schema says (swap not applied)."""
    if schema.location:
        return _location(table.column(schema.location), schema.location_format or "wkt")
    x, bad_x = numbers(table.column(schema.x), schema.decimal)
    y, bad_y = numbers(table.column(schema.y), schema.decimal)
    unparseable = np.logical_or(bad_x, bad_y, out=bad_x)
    missing = np.isnan(x, out=pooled_arrays.bools(len(x)))
    missing |= np.isnan(y, out=bad_y)
    missing &= np.logical_not(unparseable, out=bad_y)  # NaN but not for a bad number: empty
    return RawXY(x, y, missing, unparseable)


def geographic_share(x: np.ndarray, y: np.ndarray) -> float:
    ok = np.isfinite(x) & np.isfinite(y) & ~((x == 0) & (y == 0))
    if not ok.any():
        return 0.0
    return float(np.mean((np.abs(x[ok]) <= 180) & (np.abs(y[ok]) <= 90)))


def looks_swapped(x: np.ndarray, y: np.ndarray) -> bool:
    """True when the "longitude" column holds latitudes and vice versa.

    Decidable when the "latitude" values exceed 90 degrees (impossible) or 80 degrees (polar;
    no police force records crime there) while the "longitude" values look like latitudes, i.e.
    wherever longitudes exceed 80 degrees in magnitude (the Americas, Asia, Oceania). In Europe and
    Africa both orders are plausible and the file is taken as labelled.
    """
    ok = np.isfinite(x) & np.isfinite(y) & ~((x == 0) & (y == 0))
    if not ok.any():
        return False
    xs, ys = np.abs(x[ok]), np.abs(y[ok])
    return bool(np.mean(ys > POLAR_LAT) >= 0.5 and np.mean((xs <= POLAR_LAT) & (ys <= 180)) >= GEO_SHARE)


def robust_box(x: np.ndarray, y: np.ndarray, q: float = 0.01) -> tuple[float, float, float, float]:
    """The q..1-q quantile box of the points, trimming at least one point on each side.

    A 1st-99th percentile box alone lets one stray geocode in a 20-row file define the area;
    trimming at least one point each side (when there are 5 or more) means it never can.
    NaN marks a row to leave out (in both arrays): NaN sorts last, so partitioning the
    arrays at the ranks among the non-NaN values needs no gathering of the rows kept first. Above
    :data:`BOX_SAMPLE` points the quantiles are those of an even, deterministic sample of about
    that many (a quantile of 100,000 points is within a hair of the full one; this box only
    sets where "50 km away" starts).
    """
    if len(x) > 2 * BOX_SAMPLE:
        step = len(x) // BOX_SAMPLE
        x, y = x[::step], y[::step]
    n = len(x) - int(np.count_nonzero(np.isnan(x)))
    k = int(np.floor(q * n))
    if n >= 5:
        k = max(k, 1)
    x0, x1 = _ranks(x, k, n - 1 - k)
    y0, y1 = _ranks(y, k, n - 1 - k)
    return x0, y0, x1, y1


def _ranks(values: np.ndarray, lo: int, hi: int) -> tuple[float, float]:
    """The values of rank ``lo`` and ``hi`` (0-based, NaN last), partitioning one copy in place
    one rank at a time: numpy partitions at two ranks at once several times slower."""
    work = pooled_arrays.empty(len(values), np.float64)  # a copy: the caller's array stays as it is
    work[:] = values
    work.partition(lo)
    low = float(work[lo])
    work[lo:].partition(hi - lo)
    return low, float(work[hi])


def far_from_box(x: np.ndarray, y: np.ndarray, box: tuple[float, float, float, float], metres: float) -> np.ndarray:
    """Mask of points farther than ``metres`` from the box (0 inside it)."""
    # Fast answer for the usual file: when no coordinate is more than metres/sqrt(2) beyond the
    # box on either axis, no point can be farther than ``metres`` from it.
    m = metres / np.sqrt(2.0)
    if (np.nanmin(x, initial=np.inf) >= box[0] - m and np.nanmax(x, initial=-np.inf) <= box[2] + m
            and np.nanmin(y, initial=np.inf) >= box[1] - m and np.nanmax(y, initial=-np.inf) <= box[3] + m):
        return pooled_arrays.full(len(x), False, np.bool_)
    dx = np.maximum(0.0, np.maximum(box[0] - x, x - box[2]))
    dy = np.maximum(0.0, np.maximum(box[1] - y, y - box[3]))
    return np.hypot(dx, dy) > metres
