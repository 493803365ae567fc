"""Load an incident CSV into a :class:`PointLayer` in the working CRS, with a full load report.

Every data row is either kept or rejected with one reason (the first that applies, in the order
of :data:`REASON_ORDER`, after ``malformed_row`` for rows with a wrong field count); nothing is
dropped silently. Rejected rows are kept in ``report.rejected_rows`` (source values, 1-based
``row``, ``reason``) so the analyst can fix and reload them.

Times: ``time`` is the incident time as written (naive local clock). ``time_end`` closes a
window when the time is not exact: the end column of a start/end pair, else the end of the
value's precision (next midnight for a date without a time, first of the next month for a
month-only date), so aoristic analyses (Ratcliffe 2002) spread such incidents over the window.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# pandas imports these lazily when it first turns Arrow text into a pandas column (the Version
# class compiles a long regular expression): at import, not inside the user's first load.
import pyarrow.pandas_compat
import pyarrow.vendored.version
from pyproj import CRS

from hotspot_desktop.core.crs import WGS84, choose_working_crs, transform_xy
from hotspot_desktop.core.io import csv_coords, pooled_arrays
from hotspot_desktop.core.io.background_projection import (
    ProjectionJob,
    centroid_sample,
    working_crs_for_sample,
)
from hotspot_desktop.core.io.csv_dates import NAT_TICKS
from hotspot_desktop.core.io.csv_detect import (
    detect_with_notes,
    parse_spec,
    preview_rows,
)
from hotspot_desktop.core.io.csv_read import read_table
from hotspot_desktop.core.io.csv_schema import CsvSchema, DateSpec
from hotspot_desktop.core.io.csv_sniff import DELIMITER_NAMES, sniff
from hotspot_desktop.core.io.memory_budget import check_csv_budget
from hotspot_desktop.core.io.report import LoadError, LoadReport
from hotspot_desktop.core.model import PointLayer, SourceRef
from hotspot_desktop.core.progress import CancelFn, ProgressFn, checkpoint, wait_for

__all__ = ["REASON_ORDER", "load_incidents_csv", "preview_rows"]

REASON_ORDER = ("missing_coordinates", "unparseable_number", "out_of_range", "zero_zero", "unparseable_date",
                "duplicate_id", "far_outlier")
MALFORMED = "malformed_row"  # wrong number of fields; Arrow skips these while parsing
CANONICAL = ("time", "time_end", "offence", "incident_id")
CATEGORY_MAX_SHARE = 0.5  # string columns with fewer distinct values than this share become categories


def load_incidents_csv(path: str | Path, working_crs: CRS | None = None, schema: CsvSchema | None = None, *,
                       crs: CRS | str | None = None, outlier_km: float = 50.0, progress: ProgressFn | None = None,
                       cancelled: CancelFn | None = None) -> tuple[PointLayer, LoadReport]:
    """Read incidents from ``path`` (schema detected when not given; ``crs`` overrides its CRS).

    Points farther than ``outlier_km`` from the robust extent of the data (the 1st-99th
    percentile box, see :func:`csv_coords.robust_box`) are rejected as ``far_outlier``.
    Raises :class:`LoadError` when the file cannot be loaded at all and
    :class:`~hotspot_desktop.core.io.report.Cancelled` when ``cancelled()`` turns True.
    """
    path = Path(path)
    report = LoadReport(source=str(path))
    checkpoint(progress, cancelled, 0.0, "detecting columns")
    detected = schema is None
    if schema is None:
        schema, notes = detect_with_notes(path, crs=crs)
        report.warnings += notes  # includes the swap note
    elif crs is not None:
        schema = schema.with_changes(crs=CRS.from_user_input(crs), crs_source="user")
    _check_schema(path, schema, report)

    check_csv_budget(path)  # refuse up front rather than run out of memory half-way
    encoding = schema.encoding
    schema = schema.with_changes()  # read_table may correct the encoding of this copy
    table, invalid = read_table(path, schema, progress, cancelled, span=(0.02, 0.5))
    if schema.encoding != encoding:
        report.warnings.append(f"the file is not valid {encoding} beyond its first rows; it was read as "
                               f"{schema.encoding}")
    n = table.num_rows
    report.rows_read = n + len(invalid)
    if report.rows_read == 0:
        raise LoadError(f"{path.name} has a header but no data rows.", report)

    checkpoint(progress, cancelled, 0.52, "checking coordinates")
    code = pooled_arrays.full(n, 0, np.int8)

    def reject(reason: str, mask: np.ndarray) -> None:
        _mark(code, np.flatnonzero(mask), reason)

    def rejected_since_live() -> bool:  # rows live for the projection and the table, rejected since
        return np.count_nonzero(code) > rejected_before

    with _worker_pool("csv-load") as pool:
        # Dates need nothing but the table: they are read on a worker from the start, beside the
        # coordinate checks here and then the projection, the attribute table and the id check.
        # Rows rejected later were projected and copied for nothing, which costs less than
        # waiting for the checks first.
        dates = pool.submit(_dates, table, schema) if schema.date is not None else None
        raw = csv_coords.read_xy(table, schema)
        x, y = (raw.y, raw.x) if schema.swapped else (raw.x, raw.y)
        _reject_coordinates(code, raw, x, y, schema.crs.is_geographic)  # type: ignore[union-attr]
        if schema.swapped and not detected:
            report.warnings.append(f"the longitude column '{schema.x}' holds latitudes and '{schema.y}' "
                                   "longitudes; they were swapped back")
        live = np.equal(code, 0, out=pooled_arrays.bools(n))
        rejected_before = np.count_nonzero(code)
        sample = centroid_sample(n)
        sample_xy = (x[sample].copy(), y[sample].copy()) if working_crs is None else None  # x, y get projected
        with ProjectionJob(x, y, live, schema.crs, working_crs) as projection:
            attributes = pool.submit(_attributes, table, schema, live)
            checkpoint(progress, cancelled, 0.58, "checking ids")
            ids = table.column(schema.incident_id) if schema.incident_id else None
            repeated = _repeated_ids(ids, live) if ids is not None else None

            checkpoint(progress, cancelled, 0.66, "reading dates")
            time = time_end = None
            if dates is not None:
                time, time_end, bad_dates, notes = wait_for(dates, progress, cancelled, 0.66, "reading dates")
                report.warnings += notes
                reject("unparseable_date", bad_dates)
            if repeated is not None:
                # An id repeated only on a row rejected for its date is no duplicate: check again
                # among the rows still live when dates rejected any (rare).
                reject("duplicate_id", repeated if not rejected_since_live() else _repeated_ids(ids, code == 0))

            checkpoint(progress, cancelled, 0.72, "building layer")
            attrs = attributes.result()
            wx, wy, projected_to = projection.wait(progress, cancelled, span=(0.76, 0.9))
            if sample_xy is not None and rejected_since_live():
                # The default CRS was chosen before the dates and ids rejected rows: choose it again
                # without them, as the kept points decide (a changed zone is rare: re-project then).
                chosen = _working_crs_of_kept(sample_xy, sample, wx, wy, code == 0, schema.crs, projected_to)  # type: ignore[arg-type]
                if chosen != projected_to:
                    wx, wy = (np.array(a, dtype=np.float64) for a in transform_xy(wx, wy, projected_to, chosen))
                    projected_to = chosen
            working_crs = projected_to
            _reject_unprojectable(wx, wy, code, late=rejected_since_live())
            # The far-outlier test runs beside the table cut; the rare far rows leave both after.
            far = pool.submit(_far_rows, wx, wy, code, outlier_km)

            checkpoint(progress, cancelled, 0.92, "building layer")
            keep = np.equal(code, 0, out=pooled_arrays.bools(n))
            attrs = _final_table(attrs, code, live, keep, time, time_end, cut=rejected_since_live())
            far_rows = far.result()
            if far_rows is not None:
                attrs = attrs[~far_rows[keep]].reset_index(drop=True)
                reject("far_outlier", far_rows)
                np.equal(code, 0, out=keep)
            report_filled = pool.submit(_fill_report, report, table, code, invalid, schema)
            kept_xy = pool.submit(lambda: (_compact(wx, keep), _compact(wy, keep)))
            report.detected = describe(schema, working_crs, attrs)
            kept_x, kept_y = kept_xy.result()
            report_filled.result()
    checkpoint(progress, cancelled, 0.98, "building layer")
    layer = PointLayer(path.stem, kept_x, kept_y, attrs,
                       source=SourceRef(path.resolve(), "csv", options=schema.to_dict()), source_crs=schema.crs)
    checkpoint(progress, cancelled, 1.0, "done")
    return layer, report


def _reason_code(reason: str) -> int:
    """The value of ``reason`` in the loader's per-row reason codes (0: kept)."""
    return REASON_ORDER.index(reason) + 1


def _mark(code: np.ndarray, rows: np.ndarray, reason: str) -> None:
    """Set ``reason`` on those of ``rows`` not rejected yet (the first reason found stands).
    Through the few rows only: whole-row temporaries would be fresh memory each time."""
    sub = code[rows]
    sub[sub == 0] = _reason_code(reason)
    code[rows] = sub


def _reject_coordinates(code: np.ndarray, raw: csv_coords.RawXY, x: np.ndarray, y: np.ndarray,
                        geographic: bool) -> None:
    """Set ``code`` (where still 0) for rows whose coordinates are missing, not numbers, out of
    lon/lat range (``geographic``) or (0, 0), the first of these reasons that applies.

    One combined test over all rows finds the few that fail anything; only those are told apart,
    which takes a third of the passes over a million rows that testing each reason would.
    """
    # Comparisons only (NaN and infinity fail them): np.abs would take two 8 MB temporaries.
    # The masks are pooled (see pooled_arrays) and each test writes into the same scratch one.
    fine, test, other = (pooled_arrays.bools(len(x)) for _ in range(3))
    if geographic:
        np.greater_equal(x, -180, out=fine)
        fine &= np.less_equal(x, 180, out=test)
        fine &= np.greater_equal(y, -90, out=test)
        fine &= np.less_equal(y, 90, out=test)
    else:
        np.isfinite(x, out=fine)
        fine &= np.isfinite(y, out=test)
    np.not_equal(x, 0, out=test)
    test |= np.not_equal(y, 0, out=other)
    fine &= test
    rows = np.flatnonzero(np.logical_not(fine, out=test))
    if not len(rows):
        return
    rx, ry = x[rows], y[rows]
    with np.errstate(invalid="ignore"):
        tests = {"missing_coordinates": raw.missing[rows], "unparseable_number": raw.unparseable[rows],
                 "out_of_range": ((np.abs(rx) > 180) | (np.abs(ry) > 90)) if geographic else np.zeros(len(rows), bool),
                 "zero_zero": (rx == 0) & (ry == 0)}
    for reason, failed in tests.items():
        _mark(code, rows[failed], reason)


def _working_crs_of_kept(sample_xy: tuple[np.ndarray, np.ndarray], sample: slice, wx: np.ndarray, wy: np.ndarray,
                         kept: np.ndarray, src: CRS, projected_to: CRS) -> CRS:
    """The default working CRS of the ``kept`` rows: from the source coordinates of the centroid
    sample, else (no kept row in the sample) from the median of all kept points, already in
    ``projected_to``; with no row kept at all, the CRS for no points."""
    chosen = working_crs_for_sample(*sample_xy, kept[sample], src)
    if chosen is not None:
        return chosen
    if not kept.any():
        return choose_working_crs([src], None)
    lon, lat = transform_xy(np.array([np.median(wx[kept])]), np.array([np.median(wy[kept])]), projected_to, WGS84)
    return choose_working_crs([src], (float(lon[0]), float(lat[0])))


@contextmanager
def _worker_pool(name: str) -> Iterator[ThreadPoolExecutor]:
    """Two worker threads for the load's side tasks (the attribute table beside the id check,
    the report beside the kept coordinates). On an error or a cancel the caller leaves at once:
    queued tasks are dropped and running ones finish on their own (they only read)."""
    pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix=name)
    try:
        yield pool
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _reject_unprojectable(wx: np.ndarray, wy: np.ndarray, code: np.ndarray, late: bool) -> None:
    """Reject points the projection could not place; leave NaN in ``wx``/``wy`` on every rejected
    row (``late``: rows rejected after the projection started, which it projected all the same)."""
    usable, scratch = pooled_arrays.bools(len(wx)), pooled_arrays.bools(len(wx))
    np.isfinite(wx, out=usable)
    usable &= np.isfinite(wy, out=scratch)
    failed = np.logical_not(usable, out=usable)
    failed &= np.equal(code, 0, out=scratch)  # rows rejected before the projection are NaN already
    if failed.any():
        code[failed] = _reason_code("out_of_range")
    if late or failed.any():
        gone = np.not_equal(code, 0, out=scratch)
        wx[gone], wy[gone] = np.nan, np.nan


def _far_rows(wx: np.ndarray, wy: np.ndarray, code: np.ndarray, outlier_km: float) -> np.ndarray | None:
    """Mask of kept points ``outlier_km`` beyond the robust extent of the kept points, or None
    when there are none (or fewer than 5 points to judge by). Rejected rows are NaN in ``wx``."""
    if len(code) - np.count_nonzero(code) < 5:
        return None
    box = csv_coords.robust_box(wx, wy)  # NaN rows left out
    far = csv_coords.far_from_box(wx, wy, box, outlier_km * 1000.0)
    if not far.any():
        return None
    far &= code == 0
    return far if far.any() else None


def _final_table(attrs: pd.DataFrame, code: np.ndarray, live: np.ndarray, keep: np.ndarray,
                 time: np.ndarray | None, time_end: np.ndarray | None, cut: bool) -> pd.DataFrame:
    """The attribute table built for the ``live`` rows cut to the ``keep`` rows, times first
    (``cut``: some live rows were rejected after the table was built)."""
    if cut:  # drop the rows rejected since from the table too
        attrs = attrs.take(np.flatnonzero(code[live] == 0)).reset_index(drop=True)
    if time is None:
        return attrs
    # A new frame rather than DataFrame.insert, which copies the arrays once more.
    return pd.DataFrame({"time": _compact(time, keep), "time_end": _compact(time_end, keep),
                         **{c: attrs[c] for c in attrs.columns}}, index=attrs.index, copy=False)


COMPACT_CHUNK = 65_536
RUN_COPY_MAX_DROPS = 64  # per slice: with fewer dropped rows, the kept runs between them are copied whole


def _compact(values: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """``values[keep]``, written over the front of ``values`` itself and returned as a view of it.

    Slice by slice, so the temporaries stay small: a load of a million rows then takes no fresh
    8 MB array per column, whose pages the system would have to map and clear (most of what a
    first load costs more than the next). Safe in place because the write position never
    passes the slice being read. ``values`` must be the caller's own array.
    """
    if keep.all():
        return values
    written = 0
    for start in range(0, len(values), COMPACT_CHUNK):
        end = min(start + COMPACT_CHUNK, len(values))
        written += _copy_kept(values[start:end], keep[start:end], values[written:])
    return values[:written]


def _copy_kept(src: np.ndarray, keep: np.ndarray, dst: np.ndarray) -> int:
    """Write ``src[keep]`` to the front of ``dst`` (which may be ``src`` itself or lie before it in
    the same array); returns how many values were written.

    A load usually drops a few rows in a million: the runs of kept rows between them are then
    copied as whole slices, at memory speed, instead of testing the mask value by value.
    """
    dropped = np.flatnonzero(~keep)
    count = len(src) - len(dropped)
    if len(dropped) > RUN_COPY_MAX_DROPS:
        if np.may_share_memory(src, dst):
            dst[:count] = src[keep]
        else:
            np.compress(keep, src, out=dst[:count])
        return count
    same_start = src.__array_interface__["data"][0] == dst.__array_interface__["data"][0]
    written = begin = 0
    for row in [*dropped.tolist(), len(src)]:
        run = row - begin
        if run and not (same_start and written == begin):  # else the run is already in its place
            dst[written:written + run] = src[begin:row]  # numpy copies overlapping slices safely
        written += run
        begin = row + 1
    return count


def _check_schema(path: Path, schema: CsvSchema, report: LoadReport) -> None:
    if not schema.columns:
        raise LoadError(f"{path.name} is empty.", report)
    if not schema.coordinate_columns or (not schema.location and not (schema.x and schema.y)):
        raise LoadError(f"{path.name}: no coordinate columns found (looked for latitude/longitude, X/Y, "
                        "POINT_X/POINT_Y, easting/northing, or a location column holding \"POINT (x y)\" or "
                        "\"(lat, lon)\"). Choose the columns in the import dialog.", report)
    named = schema.coordinate_columns + [c for c in (schema.offence, schema.incident_id) if c]
    for spec in (schema.date, schema.date_end):
        named += spec.columns if spec else []
    missing = [c for c in named if c not in schema.columns]
    if missing:
        raise LoadError(f"{path.name} has no column {', '.join(repr(c) for c in missing)}.", report)
    if schema.crs is None:
        if len(sniff(path, sample_rows=1, encoding=schema.encoding, delimiter=schema.delimiter,
                     skip_rows=schema.skip_rows).sample) == 0:
            raise LoadError(f"{path.name} has a header but no data rows.", report)
        raise LoadError(f"{path.name}: the coordinates are projected (outside longitude/latitude ranges) and "
                        f"their coordinate system is unknown. Put {path.stem}.prj beside the file or choose "
                        "the CRS (for example --crs EPSG:32610).", report)


def _data_row(invalid_row, skip_rows: int) -> int:
    """1-based data-row number of a malformed row (Arrow gives its physical line number)."""
    return invalid_row.number - 1 - skip_rows if invalid_row.number is not None else 0


def _row_numbers(parsed: np.ndarray, invalid: list, skip_rows: int) -> np.ndarray:
    """1-based data-row numbers of the parsed rows at indices ``parsed`` (Arrow skipped the
    malformed rows, so a parsed row's number is its index plus one plus the skipped rows before it)."""
    skipped = np.sort([_data_row(r, skip_rows) for r in invalid if r.number is not None]).astype(np.int64)
    if len(skipped) != len(invalid) or not len(skipped):
        return parsed + 1
    parsed_before = skipped - 1 - np.arange(len(skipped))  # parsed rows above each skipped row
    return parsed + 1 + np.searchsorted(parsed_before, parsed, side="right")


def _repeated_ids(ids: pa.ChunkedArray, live: np.ndarray) -> np.ndarray:
    """Rows whose (non-empty) id was already seen on an earlier live row."""
    dup = pooled_arrays.full(len(live), False, np.bool_)
    if _strictly_increasing(ids):
        return dup  # exports sorted by case number: unique on every subset, without hashing
    ids = ids.combine_chunks().filter(pa.array(live))
    nulls = ids.null_count
    if len(ids) < 2:
        return dup
    if nulls == 0 and _strictly_increasing(ids):
        return dup
    if len(pc.unique(ids)) == len(ids) - nulls + (1 if nulls else 0):  # the usual case: all unique
        return dup
    codes = ids.dictionary_encode().indices.to_numpy(zero_copy_only=False)
    present = ids.is_valid().to_numpy(zero_copy_only=False)
    seen = np.ones(len(codes), dtype=bool)
    _, first = np.unique(np.where(present, codes, -1), return_index=True)
    seen[first] = False
    dup[np.flatnonzero(live)] = seen & present
    return dup


def _strictly_increasing(values: pa.Array | pa.ChunkedArray) -> bool:
    """True when no value is missing and each is greater than the one before (then all differ)."""
    if values.null_count or len(values) < 2:
        return False
    return bool(pc.all(pc.greater(values.slice(1), values.slice(0, len(values) - 1))).as_py())


def _dates(table: pa.Table, schema: CsvSchema) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """(start, window end, rows whose date could not be read, warnings): run on a worker, so it
    leaves rejecting the rows and reporting to the loader."""
    warnings: list[str] = []
    start, end, _ = parse_spec(table, schema.date, with_present=False)  # type: ignore[arg-type]
    bad = np.equal(start.view(np.int64), NAT_TICKS, out=pooled_arrays.bools(len(start)))  # np.isnat, 3x faster
    if schema.date_end is not None:
        e, e_window, e_present = parse_spec(table, schema.date_end)
        bad |= e_present & np.isnat(e)
        e = np.where(np.isnat(e_window), e, e_window)
        both = ~np.isnat(e) & ~np.isnat(start)
        backwards = both & (e < start)
        if backwards.any():
            warnings.append(f"{int(backwards.sum()):,} rows end before they start; start and end "
                            "were swapped")
            start, e = np.where(backwards, e, start), np.where(backwards, start, e)
        longer = both & (e > np.where(np.isnat(end), start, end))
        end = np.where(longer, e, end)
    if bad.all() and len(bad):
        spec: DateSpec = schema.date  # type: ignore[assignment]
        warnings.append(f"no date in {', '.join(spec.columns)} could be read as {spec.format or spec.kind}; "
                        "choose the date format in the import dialog")
    return start, end, bad, warnings


def _column(values: pa.ChunkedArray, keep: np.ndarray | None, mask: pa.Array | None, category: bool = False
            ) -> pd.Series:
    """Arrow column (rows where ``keep``, the same mask as Arrow's ``mask``, or all when None) to
    pandas; repetitive strings become categories to save memory."""
    if pa.types.is_dictionary(values.type):
        values = values.unify_dictionaries()  # one dictionary for all of the file's blocks
        distinct = len(values.chunk(0).dictionary) if values.num_chunks else 0
        if category or distinct <= CATEGORY_MAX_SHARE * len(values):
            return _sorted_categories(values, keep)
        values = pc.cast(values, values.type.value_type)  # mostly distinct: plain text is smaller
        return (values if mask is None else values.filter(mask)).to_pandas()
    if pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
        n = len(values)
        encoded = values.combine_chunks().dictionary_encode()  # one hashing pass decides and encodes
        if category or (n and len(encoded.dictionary) <= CATEGORY_MAX_SHARE * n):
            # Filter after encoding: filtering small integer codes is cheaper than strings.
            return _sorted_categories(encoded, keep)
    if (pa.types.is_integer(values.type) or pa.types.is_floating(values.type)) and not values.null_count:
        # Numbers without gaps: the kept rows of each chunk go straight into one pooled array
        # (the values to_pandas would give, without an intermediate filtered copy).
        # copy=False: pandas 3 copies an array given to Series by default (8 MB per column).
        return pd.Series(_gather(values, keep, values.type.to_pandas_dtype(), lambda chunk: chunk.to_numpy()),
                         copy=False)
    return (values if mask is None else values.filter(mask)).to_pandas()


def _gather(values: pa.Array | pa.ChunkedArray, keep: np.ndarray | None, dtype, convert) -> np.ndarray:
    """``convert(chunk)`` (a numpy array per chunk) of every chunk of ``values``, cut to the rows
    where ``keep``, joined into one array from Arrow's pool. Chunk-sized temporaries only: a
    filtered copy of the whole column first would be memory the system maps and clears afresh."""
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    out = pooled_arrays.empty(len(values) if keep is None else int(np.count_nonzero(keep)), dtype)
    start = written = 0
    for chunk in chunks:
        part, end = convert(chunk), start + len(chunk)
        if keep is None:
            out[written:written + len(part)] = part
            written += len(part)
        else:
            written += _copy_kept(part, keep[start:end], out[written:])
        start = end
    return out


def _sorted_categories(values: pa.DictionaryArray | pa.ChunkedArray, keep: np.ndarray | None) -> pd.Series:
    """A pandas categorical (rows where ``keep``) with its categories in sorted order (legends and
    filters list them alphabetically), built from the dictionary codes: only the small dictionary
    is sorted, and the codes are remapped with one lookup rather than re-coded by pandas."""
    if isinstance(values, pa.ChunkedArray):
        values = values.unify_dictionaries() if values.num_chunks else values.combine_chunks()
    dictionary = values.chunk(0).dictionary if isinstance(values, pa.ChunkedArray) else values.dictionary
    names = dictionary.cast(pa.string()).to_pylist()
    order = sorted(range(len(names)), key=lambda i: str(names[i]))
    small = np.int8 if len(names) < 127 else np.int16 if len(names) < 32_767 else np.int32
    rank = np.empty(len(names) + 1, dtype=small)
    rank[order] = np.arange(len(names))
    rank[-1] = -1  # missing values

    def codes_of(chunk: pa.DictionaryArray) -> np.ndarray:
        indices = chunk.indices
        if indices.null_count:
            indices = pc.fill_null(indices, len(names))
        return rank.take(indices.to_numpy(zero_copy_only=False))  # one lookup, straight to the small type

    codes = _gather(values, keep, rank.dtype, codes_of)
    return pd.Series(pd.Categorical.from_codes(codes, categories=[names[i] for i in order]), copy=False)


def _attributes(table: pa.Table, schema: CsvSchema, keep: np.ndarray) -> pd.DataFrame:
    """The attribute table (all but the times) of the rows where the boolean mask ``keep`` is set."""
    kept = int(np.count_nonzero(keep))
    mask = None if kept == table.num_rows else pa.array(keep)
    cols: dict[str, pd.Series | np.ndarray] = {}
    if schema.offence:
        off = table.column(schema.offence)
        if not pa.types.is_dictionary(off.type):
            off = pc.cast(off, pa.string())
        cols["offence"] = _column(off, None if mask is None else keep, mask, category=True)
    if schema.incident_id:
        ids = pc.cast(table.column(schema.incident_id), pa.string())
        cols["incident_id"] = (ids if mask is None else ids.filter(mask)).to_pandas()
    consumed = set(schema.coordinate_columns) | {schema.offence, schema.incident_id}
    for spec in (schema.date, schema.date_end):
        consumed |= set(spec.columns) if spec else set()
    for name in table.column_names:
        if name in consumed:
            continue
        cols[f"{name}_src" if name in CANONICAL else name] = _column(table.column(name), None if mask is None else keep,
                                                                     mask)
    # copy=False: the columns are new arrays of this frame alone; the default would copy them
    # again to consolidate same-typed columns into 2-D blocks.
    return pd.DataFrame({k: (v.reset_index(drop=True) if isinstance(v, pd.Series) else v) for k, v in cols.items()},
                        index=pd.RangeIndex(kept), copy=False)


def _fill_report(report: LoadReport, table: pa.Table, code: np.ndarray, invalid: list, schema: CsvSchema) -> None:
    """Counts, first row numbers and the rejected rows themselves (source values) of the report."""
    rejected = np.greater(code, 0, out=pooled_arrays.bools(len(code)))
    bad = np.flatnonzero(rejected)
    report.rows_kept = len(code) - len(bad)
    parts = []
    if invalid:
        nums = [_data_row(r, schema.skip_rows) for r in invalid]
        report.reject(MALFORMED, nums)
        parts.append(pd.DataFrame({"row": nums, "reason": MALFORMED, "raw_line": [r.text for r in invalid]}))
    bad_rows, bad_codes = _row_numbers(bad, invalid, schema.skip_rows), code[bad]
    for i, reason in enumerate(REASON_ORDER, start=1):
        report.reject(reason, bad_rows[bad_codes == i])
    if len(bad):
        frame = table.filter(pa.array(rejected)).to_pandas()  # filter: take would join all chunks first
        frame.insert(0, "row", bad_rows)
        frame["reason"] = [REASON_ORDER[c - 1] for c in bad_codes]
        parts.append(frame)
    report.rejected_rows = (pd.concat(parts, ignore_index=True).sort_values("row", kind="stable")
                            .reset_index(drop=True) if parts else pd.DataFrame(columns=["row", "reason"]))


def _crs_text(crs: CRS | None) -> str | None:
    if crs is None:
        return None
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else crs.name


def describe(schema: CsvSchema, working_crs: CRS | None = None, attrs: pd.DataFrame | None = None) -> dict:
    """JSON-safe summary of what was detected (the load report's ``detected``)."""
    out = {
        "encoding": schema.encoding,
        "delimiter": DELIMITER_NAMES.get(schema.delimiter, schema.delimiter),
        "decimal": schema.decimal,
        "columns": {"x": schema.x, "y": schema.y, "location": schema.location,
                    "location_format": schema.location_format,
                    "date": schema.date.columns if schema.date else None,
                    "date_end": schema.date_end.columns if schema.date_end else None,
                    "offence": schema.offence, "incident_id": schema.incident_id},
        "crs": _crs_text(schema.crs), "crs_source": schema.crs_source, "swapped": schema.swapped,
        "date_kind": schema.date.kind if schema.date else None,
        "date_format": ([f for f in [schema.date.format, *schema.date.fallback_formats] if f] or None)
        if schema.date else None,
        "dayfirst": schema.date.dayfirst if schema.date else None,
        "working_crs": _crs_text(working_crs),
        "time_span": None,
    }
    if attrs is not None and "time" in attrs:
        span = _time_span(attrs["time"].to_numpy())
        if span is not None:
            out["time_span"] = [pd.Timestamp(v).isoformat() for v in span]
            ends = attrs["time_end"].to_numpy().view(np.int64)
            out["windows"] = int(np.count_nonzero(np.not_equal(ends, NAT_TICKS, out=pooled_arrays.bools(len(ends)))))
    return out


def _time_span(times: np.ndarray) -> tuple[np.datetime64, np.datetime64] | None:
    """Earliest and latest of datetime64[ns] values ignoring NaT; None when all are NaT."""
    ticks = times.view(np.int64)  # NaT is the smallest int64: the maximum needs no mask
    nat = NAT_TICKS
    if not len(ticks) or (latest := ticks.max()) == nat:
        return None
    earliest = ticks.min()
    if earliest == nat:
        earliest = ticks[ticks != nat].min()
    return np.datetime64(int(earliest), "ns"), np.datetime64(int(latest), "ns")
