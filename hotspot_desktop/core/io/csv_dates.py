"""Date/time formats of incident files: detection on a sample, vectorised parsing of a column.

Parsing uses Arrow's ``strptime`` kernel (C++, whole column at once). A value counts as read only
when its year is plausible for police records (1900-2100), which also separates ``%y`` from
``%Y`` ("03/04/21" is not the year 21). Each value's precision follows the format that read it:
a format with an hour is exact, one with a day is known to the day, else to the month; the
loader turns day and month precision into a time window (``time_end``).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hotspot_desktop.core.io import pooled_arrays

YEAR_MIN, YEAR_MAX = 1900, 2100
_DIRECTIVE_RE = re.compile(r"%.")
_PLAIN_NUMBER_RE = re.compile(r"^\s*-?\d+(\.\d+)?\s*$")
NAT_TICKS = np.iinfo(np.int64).min  # NaT viewed as int64: comparing ticks beats np.isnat 3x
SCREEN_VALUES = 3  # values of a sample tried with every candidate format

_ISO_DATES = ["%Y-%m-%d", "%Y/%m/%d"]
_MDY_DATES = ["%m/%d/%Y", "%m-%d-%Y", "%m/%d/%y", "%m-%d-%y"]
_DMY_DATES = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%d.%m.%y"]
_TEXT_DATES = ["%d-%b-%Y", "%d %b %Y", "%b %d %Y", "%b %d, %Y", "%d-%b-%y"]
_TIMES_SPACE = ["%H:%M", "%H:%M:%S", "%I:%M %p", "%I:%M:%S %p", "%I:%M%p", "%H:%M:%S.%f"]
_TIMES_T = ["T%H:%M:%S", "T%H:%M", "T%H:%M:%SZ", "T%H:%M:%S.%f", "T%H:%M:%S.%fZ", "T%H:%M:%S%z",
            "T%H:%M:%S.%f%z"]

# ISO formats Arrow's cast parses natively, with the width of their values.
ISO_WIDTHS = {"%Y-%m-%d %H:%M": 16, "%Y-%m-%d %H:%M:%S": 19, "%Y-%m-%dT%H:%M": 16, "%Y-%m-%dT%H:%M:%S": 19,
              "%Y-%m-%d": 10}
TIME_FORMATS = ["%H:%M", "%H:%M:%S", "%I:%M %p", "%I:%M:%S %p", "%I:%M%p", "%H%M"]
MONTH_FORMATS = ["%Y-%m", "%Y/%m", "%m/%Y", "%m-%Y", "%b %Y", "%b-%Y", "%b-%y"]


def _datetime_formats() -> list[str]:
    out = []
    for dates, times in ((_ISO_DATES, _TIMES_SPACE + _TIMES_T), (_MDY_DATES + _DMY_DATES + _TEXT_DATES, _TIMES_SPACE)):
        for d in dates:
            out.append(d)
            for t in times:
                out.append(d + t if t.startswith("T") else f"{d} {t}")
    return out


DATETIME_FORMATS = _datetime_formats()


def is_dayfirst(fmt: str | None) -> bool:
    return bool(fmt) and fmt.lstrip().startswith("%d")  # type: ignore[union-attr]


def precision_of(fmt: str) -> str:
    """"exact" when the format has a clock time, "day" with a day, else "month"."""
    if "%H" in fmt or "%I" in fmt:
        return "exact"
    return "day" if "%d" in fmt else "month"


def _prepare(values: pa.Array, fmt: str) -> tuple[pa.Array, str]:
    """Adapt values to formats Arrow cannot read directly (fractions of seconds, HHMM integers).

    A UTC offset (``%z``) is dropped: incident times are kept as the local wall-clock time written
    in the file, which is what analysts filter on (hour of day, weekday).
    """
    if fmt.endswith("%z"):
        values = pc.replace_substring_regex(values, r"(Z|[+-]\d\d:?\d\d)$", "")
        fmt = fmt[:-2]
    if ".%f" in fmt:
        values = pc.replace_substring_regex(values, r"(\d{2}:\d{2}:\d{2})\.\d+", r"\1")
        fmt = fmt.replace(".%f", "")
    if fmt.endswith("%H%M"):
        head = fmt[:-4]
        if head:  # "date HHMM" joined: pad the time part on the left
            values = pc.replace_substring_regex(values, r" (\d{1,3})$", r" 000\1")
            values = pc.replace_substring_regex(values, r" 0*(\d{4})$", r" \1")
        else:
            values = pc.utf8_lpad(values, width=4, padding="0")
    return values, fmt


def parse_one(values: pa.Array, fmt: str) -> pa.Array:
    """Timestamps (seconds) of ``values`` read with ``fmt``; null where unreadable or implausible."""
    values, fmt2 = _prepare(values, fmt)
    ts = _iso_cast(values, fmt2)
    if ts is not None:
        return _plausible_years(ts)
    ts = pc.strptime(values, format=fmt2, unit="s", error_is_null=True)
    if fmt2 in TIME_FORMATS or fmt2.startswith(("%H", "%I")):
        return ts  # a bare clock time has no year to check
    ts = _plausible_years(ts)
    return _drop_rollover(values, fmt2, ts) if "%d" in fmt2 else ts


def _iso_cast(values: pa.Array, fmt: str) -> pa.Array | None:
    """Whole-column ISO 8601 cast (10x faster than strptime), when every value has the format's shape.

    Returns None when the fast path does not apply or any value fails (then strptime decides per
    value). Arrow's ISO parser refuses impossible days itself.
    """
    width = ISO_WIDTHS.get(fmt)
    if width is None or values.null_count == len(values):
        return None
    lengths = pc.min_max(pc.binary_length(values))
    if lengths["min"].as_py() != width or lengths["max"].as_py() != width:
        return None
    if width > 10:  # the cast takes "T" and " " alike; the format (a label) names one
        head = values.slice(0, 1000)
        if not pc.all(pc.equal(pc.utf8_slice_codeunits(head, 10, 11), fmt[8])).as_py():
            return None
    try:
        return pc.cast(values, pa.timestamp("s"))
    except pa.ArrowInvalid:
        return None


def parse_iso_column(values: pa.Array | pa.ChunkedArray, fmt: str) -> np.ndarray | None:
    """datetime64[ns] of a whole column in the ISO format ``fmt`` (NaT where empty or out of
    the plausible years), or None when any value needs the general path of :func:`parse_formats`.

    The same result as ``parse_formats(values, [fmt])`` for columns where every non-empty value
    has exactly the format's width: such a value has no surrounding space to trim, and the ISO
    cast either reads it or fails the whole column (then None). Skipping the trimming and the
    per-format loop matters at a million rows.
    """
    width = ISO_WIDTHS.get(fmt)
    if width is None or pa.types.is_dictionary(values.type) or not pa.types.is_string(values.type):
        return None
    if values.null_count == len(values):
        return None
    lengths = pc.min_max(pc.binary_length(values))
    if lengths["min"].as_py() != width or lengths["max"].as_py() != width:
        return None
    if width > 10:
        head = values.drop_null().slice(0, 1000)
        if not pc.all(pc.equal(pc.utf8_slice_codeunits(head, 10, 11), fmt[8])).as_py():
            return None
    out = pooled_arrays.empty(len(values), "datetime64[ns]")
    failed: list[bool] = []

    def cast(a: int, b: int) -> None:
        # Straight to the unit pandas uses, into this slice of ``out``; Arrow releases the GIL.
        # Slicing a chunked column and casting chunk by chunk spares joining its chunks first.
        try:
            part = values.slice(a, b - a)
            chunks = part.chunks if isinstance(part, pa.ChunkedArray) else [part]
            for chunk in chunks:
                out[a:a + len(chunk)] = pc.cast(chunk, pa.timestamp("ns")).to_numpy(zero_copy_only=False)
                a += len(chunk)
        except pa.ArrowInvalid:
            failed.append(True)

    _in_threads(cast, len(values))
    if failed:
        return None
    # On the int64 ticks: datetime64 comparisons check for NaT value by value, 5x slower. NaT is
    # the smallest int64, below ``lo``, and stays NaT.
    lo, hi = (np.datetime64(f"{year}-01-01", "ns").astype(np.int64) for year in (YEAR_MIN, YEAR_MAX + 1))
    ticks = out.view(np.int64)
    outside, scratch = pooled_arrays.bools(len(ticks)), pooled_arrays.bools(len(ticks))
    np.less(ticks, lo, out=outside)
    outside |= np.greater_equal(ticks, hi, out=scratch)
    ticks[outside] = NAT_TICKS
    return out


def _in_threads(work, n: int, min_rows: int = 200_000) -> None:
    """Run ``work(a, b)`` over ``[0, n)`` split into one slice per core (one slice when small)."""
    import os
    from concurrent.futures import ThreadPoolExecutor

    parts = max(1, min(os.cpu_count() or 1, 4, n // min_rows))
    bounds = np.linspace(0, n, parts + 1).astype(int)
    if parts == 1:
        work(0, n)
        return
    with ThreadPoolExecutor(max_workers=parts, thread_name_prefix="dates") as pool:
        for fut in [pool.submit(work, int(a), int(b)) for a, b in itertools.pairwise(bounds)]:
            fut.result()


def _plausible_years(ts: pa.Array) -> pa.Array:
    year = pc.year(ts)
    ok = pc.and_(pc.greater_equal(year, YEAR_MIN), pc.less_equal(year, YEAR_MAX))
    return pc.if_else(ok, ts, pa.scalar(None, ts.type))


def _drop_rollover(values: pa.Array, fmt: str, ts: pa.Array) -> pa.Array:
    """Null out impossible days that Arrow rolls over ("2019-02-30" read as 2 March).

    A rolled-over day lands on day 1-3 of the next month, so only those values are re-read with
    pandas, which refuses impossible days.
    """
    early = pc.fill_null(pc.less_equal(pc.day(ts), 3), False)
    if not pc.any(early).as_py():
        return ts
    # ... and only values with a day number of 29-31 somewhere in the text can have rolled over.
    suspect = pc.and_(early, pc.fill_null(pc.match_substring_regex(values, r"(^|\D)(29|30|31)(\D|$)"), False))
    idx = np.flatnonzero(suspect.to_numpy(zero_copy_only=False))
    if not len(idx):
        return ts
    text = values.take(pa.array(idx)).to_numpy(zero_copy_only=False)
    strict = pd.to_datetime(pd.Series(text, dtype=object), format=fmt, errors="coerce")
    bad = np.zeros(len(ts), dtype=bool)
    bad[idx[strict.isna().to_numpy()]] = True
    if not bad.any():
        return ts
    return pc.if_else(pa.array(bad), pa.scalar(None, ts.type), ts)


def as_strings(values: Iterable | pa.Array) -> pa.Array:
    """Trimmed string array; empty strings become null."""
    if isinstance(values, pd.Series):
        values = pa.array(values.astype(str), type=pa.string())
    elif not isinstance(values, (pa.Array, pa.ChunkedArray)):
        values = pa.array([None if v is None else str(v) for v in values], type=pa.string())
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if not pa.types.is_string(values.type) and not pa.types.is_large_string(values.type):
        values = pc.cast(values, pa.string())
    values = pc.utf8_trim_whitespace(values)
    return pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.string()), values)


def parse_formats(values: pa.Array, formats: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Read ``values`` with the first format that works per value.

    Returns (datetime64[ns] array with NaT, index of the format used per value or -1).
    """
    values = as_strings(values)
    n = len(values)
    result = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    used = np.full(n, -1, dtype=np.int8)
    for i, fmt in enumerate(formats):
        todo = used < 0
        if not todo.any():
            break
        ts = parse_one(values, fmt)
        got = ts.is_valid().to_numpy(zero_copy_only=False) & todo
        if got.any():
            arr = ts.to_numpy(zero_copy_only=False).astype("datetime64[ns]")
            result[got] = arr[got]
            used[got] = i
    return result, used


def _order(fmt: str) -> str | None:
    """Day/month order of a numeric date format ("dmy", "mdy"), None when unambiguous."""
    if fmt.startswith("%d") and "%m" in fmt:
        return "dmy"
    if fmt.startswith("%m") and "%d" in fmt:
        return "mdy"
    return None


def _screen(values: list[str], candidates: list[str]) -> list[str]:
    """Candidates that read at least one of ``values`` (a few head values), in order.

    Only a pre-filter: the counts that decide come from the whole sample. It reads with the same
    Arrow kernel as the counts (:func:`parse_one`), so it never drops a format the counts would
    take; Python's ``strptime`` would recompile a large regular expression per format on every
    call (its cache holds five), which cost more than the whole rest of column detection.
    """
    texts = [str(v) for v in values]
    head = pa.array(texts, type=pa.string())
    if not len(head):
        return []
    letters = any(ch.isalpha() for v in texts for ch in v)
    chars = [set(v.upper()) for v in texts]
    out = []
    for fmt in candidates:
        if not letters and any(tok in fmt for tok in ("%b", "%p", "T", "Z")):
            continue  # these formats need letters in the value
        if not any(_literals(fmt) <= c for c in chars):
            continue  # strptime matches a format's literal characters exactly: none can read
        if parse_one(head, fmt).null_count < len(head):
            out.append(fmt)
    return out


@lru_cache(maxsize=512)
def _literals(fmt: str) -> frozenset[str]:
    """Characters a value must hold to be read with ``fmt`` (after :func:`_prepare`, which drops
    fractions of seconds and UTC offsets): its literal characters other than white space."""
    fmt = fmt.replace(".%f", "").removesuffix("%z")
    return frozenset(_DIRECTIVE_RE.sub("", fmt).upper()) - set(" \t")


def _count(values: pa.Array, fmt: str) -> int:
    return int(parse_one(values, fmt).is_valid().sum().as_py())


def detect_format(values: Iterable | pa.Array, candidates: list[str]) -> tuple[list[str], float, bool]:
    """Best format for a sample of values, plus fallbacks for mixed files.

    Returns (formats, share of non-empty values read, ambiguous) where ``ambiguous`` means a
    month/day order could not be told apart (every day <= 12); month-first (US) is then assumed.
    """
    vals = as_strings(values)
    present = int(vals.is_valid().sum().as_py())
    if present == 0:
        return [], 0.0, False
    # Screen on the first values so only plausible formats are tried on the whole sample.
    head = vals.filter(vals.is_valid()).slice(0, SCREEN_VALUES).to_pylist()
    screened = _screen(head, candidates)
    if not screened:
        return [], 0.0, False
    counts = {fmt: _count(vals, fmt) for fmt in screened}
    best = max(screened, key=lambda f: counts[f])  # first wins ties: ISO, then US order
    if counts[best] == 0:
        return [], 0.0, False
    ambiguous = False
    if best.startswith("%m"):
        twin = "%d" + best[2:3] + "%m" + best[5:]
        ambiguous = counts.get(twin, -1) == counts[best]
    chosen = [best]
    _, used = parse_formats(vals, chosen)
    remaining = vals.filter(pa.array((used < 0) & vals.is_valid().to_numpy(zero_copy_only=False)))
    while len(remaining):
        orders = {_order(f) for f in chosen} - {None}
        allowed = [f for f in candidates if f not in chosen and (_order(f) is None or not orders or _order(f) in orders)]
        gains = {f: _count(remaining, f) for f in _screen(remaining.slice(0, SCREEN_VALUES).to_pylist(), allowed)}
        if not gains or max(gains.values()) == 0:
            break
        nxt = max(gains, key=lambda f: gains[f])
        chosen.append(nxt)
        _, used = parse_formats(remaining, [nxt])
        remaining = remaining.filter(pa.array(used < 0))
    share = (present - len(remaining)) / present
    return chosen, share, ambiguous


def looks_numeric(values: Iterable[str]) -> bool:
    vals = [v for v in values if v]
    return bool(vals) and all(_PLAIN_NUMBER_RE.match(v) for v in vals)


def components_to_datetime(parts: list[np.ndarray]) -> np.ndarray:
    """datetime64[ns] from year, month[, day, hour, minute, second] float arrays; NaT if invalid."""
    n = len(parts[0])
    full = [np.asarray(p, dtype=np.float64) for p in parts]
    year, month = full[0], full[1]
    day = full[2] if len(full) > 2 else np.ones(n)
    rest = [full[i] if len(full) > i else np.zeros(n) for i in (3, 4, 5)]
    limits = [(YEAR_MIN, YEAR_MAX), (1, 12), (1, 31), (0, 23), (0, 59), (0, 59)]
    vals = [year, month, day, *rest]
    ok = np.ones(n, dtype=bool)
    for v, (lo, hi) in zip(vals, limits):
        ok &= np.isfinite(v) & (v >= lo) & (v <= hi) & (v == np.floor(v))
    v = [np.where(ok, a, b).astype(np.int64) for a, b in zip(vals, (1970, 1, 1, 0, 0, 0))]
    months = (v[0] - 1970) * 12 + (v[1] - 1)
    first = months.astype("datetime64[M]").astype("datetime64[D]")
    date = first + (v[2] - 1).astype("timedelta64[D]")
    ok &= date.astype("datetime64[M]") == months.astype("datetime64[M]")  # 31 February
    out = (date.astype("datetime64[ns]") + v[3].astype("timedelta64[h]") + v[4].astype("timedelta64[m]")
           + v[5].astype("timedelta64[s]"))
    out[~ok] = np.datetime64("NaT")
    return out


def add_precision(start: np.ndarray, precision: str) -> np.ndarray:
    """End of the window a value of ``precision`` stands for (NaT when exact)."""
    if precision == "exact":
        return pooled_arrays.full(len(start), np.datetime64("NaT"), "datetime64[ns]")
    if precision == "day":
        return start + np.timedelta64(1, "D")
    month = start.astype("datetime64[M]")
    out = (month + np.timedelta64(1, "M")).astype("datetime64[ns]")
    out[np.isnat(start)] = np.datetime64("NaT")
    return out
