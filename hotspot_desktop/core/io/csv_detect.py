"""Detect how to read an incident CSV (:func:`detect_csv`) and what it looks like (:func:`preview_rows`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pyproj import CRS
from pyproj.exceptions import CRSError

from hotspot_desktop.core.crs import WGS84
from hotspot_desktop.core.io import csv_columns, csv_coords, csv_dates
from hotspot_desktop.core.io.csv_schema import CsvSchema, DateSpec
from hotspot_desktop.core.io.csv_sniff import sniff
from hotspot_desktop.core.io.report import LoadError

# Rows of the head that detection looks at: the date guesser always used the first 2,000, and
# coordinate, id and CRS checks are shares of values, as clear in 2,000 rows as in 5,000. A
# head without a single coordinate (exports that list the ungeocoded rows first) is read again
# at DETECT_WIDER_ROWS (the sniffer stops at 2 MB of text whatever the count).
DETECT_SAMPLE_ROWS = 2000
DETECT_WIDER_ROWS = 50_000


def sidecar_prj(path: Path) -> Path | None:
    """The ``.prj`` beside ``path`` (same stem, any case of the suffix), if there is one."""
    for suffix in (".prj", ".PRJ", ".Prj"):
        cand = path.with_suffix(suffix)
        if cand.is_file():
            return cand
    return None


def read_prj(path: Path) -> CRS:
    try:
        return CRS.from_wkt(path.read_text(encoding="utf-8", errors="replace").strip())
    except CRSError as exc:
        raise LoadError(f"{path.name} does not hold a coordinate reference system pyproj can read: {exc}") from exc


def _sample_xy(schema: CsvSchema, sample: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    table = pa.table({c: pa.array(list(map(str, sample[c].tolist())), type=pa.string())
                      for c in schema.coordinate_columns})
    raw = csv_coords.read_xy(table, schema)
    return raw.x, raw.y


def resolve_crs(path: Path, schema: CsvSchema, sample: pd.DataFrame, crs: CRS | None) -> CsvSchema:
    """Fill ``crs``/``crs_source``/``swapped``: the user's CRS, else a .prj, else lon/lat ranges."""
    if not schema.coordinate_columns:
        return schema
    x, y = _sample_xy(schema, sample)
    if crs is not None:
        schema = schema.with_changes(crs=CRS.from_user_input(crs), crs_source="user")
    elif (prj := sidecar_prj(path)) is not None:
        schema = schema.with_changes(crs=read_prj(prj), crs_source="prj")
    elif csv_coords.geographic_share(x, y) >= csv_coords.GEO_SHARE:
        schema = schema.with_changes(crs=WGS84, crs_source="ranges")
    elif csv_coords.looks_swapped(x, y):
        return schema.with_changes(crs=WGS84, crs_source="ranges", swapped=True)
    else:
        return schema.with_changes(crs=None, crs_source=None)
    if schema.crs is not None and schema.crs.is_geographic and not schema.swapped:
        schema = schema.with_changes(swapped=csv_coords.looks_swapped(x, y))
    return schema


def _has_coordinates(sample: pd.DataFrame, coords: csv_columns.CoordinateGuess) -> bool:
    """True when the guessed coordinate column(s) hold at least one non-empty value."""
    columns = [coords.location] if coords.location else [c for c in (coords.x, coords.y) if c]
    if not columns:
        return False
    return all(csv_columns.nonblank_texts(sample[c]) for c in columns)


def detect_csv(path: str | Path, *, sample_rows: int = DETECT_SAMPLE_ROWS, crs: CRS | str | None = None) -> CsvSchema:
    """Guess encoding, delimiter, coordinate / date / offence / id columns and the CRS of ``path``.

    Reads only the head of the file. ``crs`` (the user's choice) wins over a ``.prj`` sidecar,
    which wins over lon/lat value ranges. Raises :class:`LoadError` for an empty file.
    Ambiguity notes (e.g. day/month order) are returned by :func:`detect_with_notes`.
    """
    schema, _ = detect_with_notes(Path(path), sample_rows=sample_rows, crs=crs)
    return schema


def detect_with_notes(path: Path, *, sample_rows: int = DETECT_SAMPLE_ROWS, crs: CRS | str | None = None
                      ) -> tuple[CsvSchema, list[str]]:
    """:func:`detect_csv` plus the warnings detection wants the user to see."""
    sniffed = sniff(path, sample_rows=sample_rows)
    coords = csv_columns.guess_coordinates(sniffed.columns, sniffed.sample, sniffed.delimiter)
    if len(sniffed.sample) >= sample_rows and not _has_coordinates(sniffed.sample, coords):
        sniffed = sniff(path, sample_rows=max(sample_rows, DETECT_WIDER_ROWS))
        coords = csv_columns.guess_coordinates(sniffed.columns, sniffed.sample, sniffed.delimiter)
    sample = sniffed.sample
    schema = CsvSchema(encoding=sniffed.encoding, delimiter=sniffed.delimiter, columns=sniffed.columns,
                       skip_rows=sniffed.skip_rows,
                       x=coords.x, y=coords.y, location=coords.location,
                       location_format=coords.location_format, decimal=coords.decimal)  # type: ignore[arg-type]
    used = set(schema.coordinate_columns)
    date, date_end, notes = csv_columns.guess_dates(sniffed.columns, sample, used)
    for spec in (date, date_end):
        used |= set(spec.columns) if spec else set()
    offence = csv_columns.guess_offence(sniffed.columns, used)
    used |= {offence} if offence else set()
    incident_id = csv_columns.guess_incident_id(sniffed.columns, sample, used)
    schema = schema.with_changes(date=date, date_end=date_end, offence=offence, incident_id=incident_id)
    schema = resolve_crs(path, schema, sample, crs)
    if schema.swapped:
        notes.append(f"'{schema.x}' holds latitudes and '{schema.y}' longitudes; the loader swaps them back")
    return schema, notes


def preview_rows(path: str | Path, schema: CsvSchema, n: int = 20) -> pd.DataFrame:
    """The first ``n`` data rows as text, plus how the schema reads them.

    Columns: the file's own columns (strings, as in the file), then ``parsed_x``/``parsed_y``
    (source CRS, swap applied) and ``parsed_time``/``parsed_time_end`` so the import dialog can
    show the user whether the guesses are right before loading.
    """
    path = Path(path)
    sniffed = sniff(path, sample_rows=n, encoding=schema.encoding, delimiter=schema.delimiter,
                    skip_rows=schema.skip_rows)
    rows = sniffed.sample.copy()
    if list(rows.columns) != list(schema.columns) and len(rows.columns) == len(schema.columns):
        rows.columns = schema.columns
    table = pa.table({c: pa.array(rows[c].astype(str).tolist(), type=pa.string()) for c in rows.columns})
    if schema.coordinate_columns and all(c in rows.columns for c in schema.coordinate_columns):
        raw = csv_coords.read_xy(table, schema)
        x, y = (raw.y, raw.x) if schema.swapped else (raw.x, raw.y)
        rows["parsed_x"], rows["parsed_y"] = x, y
    if schema.date is not None and all(c in rows.columns for c in schema.date.columns):
        start, end = parse_window(table, schema.date, schema.date_end)
        rows["parsed_time"], rows["parsed_time_end"] = start, end
    return rows


def parse_spec(table: pa.Table, spec: DateSpec, *, with_present: bool = True
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(datetime64[ns] start with NaT, end of the value's precision window, value present mask).

    With ``with_present=False`` the mask may be None (the loader's start column does not need
    it, and a million-row whole-column fast path then skips converting Arrow's validity bitmap).
    """
    n = table.num_rows
    if spec.kind == "components" or (spec.kind == "month" and len(spec.columns) == 2 and not spec.format):
        parts = [csv_coords.numbers(table.column(c))[0] for c in spec.columns]
        present = np.zeros(n, dtype=bool)
        for p in parts[:2]:
            present |= np.isfinite(p)
        start = csv_dates.components_to_datetime(parts)
        precision = "month" if len(parts) == 2 else ("day" if len(parts) == 3 else "exact")
        return start, csv_dates.add_precision(start, precision), present
    formats = [f for f in [spec.format, *spec.fallback_formats] if f]
    if spec.kind == "date_time":
        d = csv_dates.as_strings(table.column(spec.columns[0]))
        t = csv_dates.as_strings(table.column(spec.columns[1]))
        values = pc.coalesce(pc.binary_join_element_wise(d, t, " "), d)
        # Rows without a time are read with the date part of the formats (known to the day).
        formats = formats + [f.rsplit(" ", 2)[0] if "%p" in f else f.rsplit(" ", 1)[0] for f in formats]
    else:
        raw = table.column(spec.columns[0])
        if len(formats) == 1 and spec.kind == "single":
            start = csv_dates.parse_iso_column(raw, formats[0])
            if start is not None:
                present = raw.is_valid().to_numpy(zero_copy_only=False) if with_present else None
                return start, csv_dates.add_precision(start, csv_dates.precision_of(formats[0])), present
        values = csv_dates.as_strings(raw)
    present = values.is_valid().to_numpy(zero_copy_only=False)
    start, used = csv_dates.parse_formats(values, formats)
    end = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    for i, fmt in enumerate(formats):
        sel = used == i
        if sel.any():
            precision = "month" if spec.kind == "month" else csv_dates.precision_of(fmt)
            end[sel] = csv_dates.add_precision(start[sel], precision)
    return start, end, present


def parse_window(table: pa.Table, start_spec: DateSpec, end_spec: DateSpec | None) -> tuple[np.ndarray, np.ndarray]:
    """Incident start and window end (NaT when exact) for preview purposes."""
    start, end, _ = parse_spec(table, start_spec)
    if end_spec is not None and all(c in table.column_names for c in end_spec.columns):
        e, e_prec, _ = parse_spec(table, end_spec)
        e = np.where(np.isnat(e_prec), e, e_prec)
        has = ~np.isnat(e) & ~np.isnat(start) & (e > start)
        end = np.where(has, e, end)
    return start, end
