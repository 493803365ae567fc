"""Guess the role of each CSV column (coordinates, date/time, offence, id) from names and values.

Guesses follow how police open-data portals name their columns (Socrata "Latitude"/"Location",
ArcGIS "POINT_X", UK "Easting", Vancouver "YEAR".."MINUTE", Denver "FIRST_OCCURRENCE_DATE"/
"LAST_OCCURRENCE_DATE"); the user can override every guess in the import dialog.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hotspot_desktop.core.io import csv_dates
from hotspot_desktop.core.io.csv_schema import DateSpec

LON_NAMES = ("longitude", "lon", "long", "lng", "xlong", "longitud", "longitudex", "geolon", "geolongitude")
LAT_NAMES = ("latitude", "lat", "ylat", "latitud", "latitudey", "geolat", "geolatitude")
X_NAMES = ("x", "xcoord", "xcoordinate", "xcoordinates", "pointx", "easting", "east", "xcor", "mapx", "gisx",
           "coordx", "xcoords", "xkoordinate")
Y_NAMES = ("y", "ycoord", "ycoordinate", "ycoordinates", "pointy", "northing", "north", "ycor", "mapy", "gisy",
           "coordy", "ycoords", "ykoordinate")
OFFENCE_NAMES = ("offence", "offense", "offencetype", "offensetype", "crimetype", "primarytype", "type",
                 "offencecategory", "offensecategory", "crimecategory", "category", "crime", "incidenttype",
                 "offencedescription", "offensedescription", "ucrdesc", "crmcddesc", "nibrsdesc", "calltype",
                 "description")
ID_NAMES = ("incidentid", "incidentnumber", "incidentno", "incidentnum", "casenumber", "caseno", "casenum",
            "case", "reportnumber", "reportno", "crimeid", "eventid", "eventnumber", "rdno", "ccn", "cadnumber",
            "incnumber", "id", "objectid", "fid", "no", "nr", "number", "num", "numero")
START_WORDS = {"from", "start", "begin", "first", "earliest", "starting"}
END_WORDS = {"to", "end", "last", "latest", "until", "ending"}
REPORT_WORDS = {"reported", "report", "rept", "entered", "updated", "created", "modified", "cleared"}
OCCUR_WORDS = {"occurred", "occurrence", "occ", "occur", "incident", "offence", "offense", "crime", "event"}
DATE_WORDS = {"date", "time", "datetime", "timestamp", "dt", "when", "occurred", "day", "dte"}
COMPONENT_NAMES = {
    "year": ("year", "yr", "yyyy"), "month": ("month", "mo", "mon", "mm"), "day": ("day", "dd", "dy", "dayofmonth"),
    "hour": ("hour", "hr", "hh"), "minute": ("minute", "min", "mi", "minutes"), "second": ("second", "sec", "ss"),
}

WKT_RE = (r"^\s*POINT\s*Z?\s*\(\s*(?P<a>[-+]?[\d.]+(?:[eE][-+]?\d+)?)\s+(?P<b>[-+]?[\d.]+(?:[eE][-+]?\d+)?)"
          r"(?:\s+[-+\d.eE]+)?\s*\)\s*$")
LATLON_RE = r"^\s*[\(\[]\s*(?P<a>[-+]?\d+(?:\.\d+)?)\s*,\s*(?P<b>[-+]?\d+(?:\.\d+)?)\s*[\)\]]\s*$"
_DECIMAL_COMMA_RE = re.compile(r"^\s*[-+]?\d+,\d+\s*$")
_WKT_MATCH = re.compile(WKT_RE, re.IGNORECASE).match
_LATLON_MATCH = re.compile(LATLON_RE, re.IGNORECASE).match
_DATE_PUNCTUATION = re.compile(r"[-/:.]").search
_NOT_ALNUM_RE = re.compile(r"[^a-z0-9]")
_CAMEL_RE = re.compile(r"([a-z0-9])([A-Z])")
_WORD_SPLIT_RE = re.compile(r"[^a-zA-Z0-9]+")


def norm(name: str) -> str:
    return _NOT_ALNUM_RE.sub("", name.lower())


def tokens(name: str) -> set[str]:
    """Lower-case words of a column name ("FromDate" -> {"from", "date"})."""
    spaced = _CAMEL_RE.sub(r"\1 \2", name)
    return {t for t in _WORD_SPLIT_RE.split(spaced.lower()) if t}


def nonblank_texts(values: pd.Series) -> list[str]:
    """The values as text (as ``astype(str)`` writes them), blank ones left out.

    Detection works on these plain lists: on a 2,000-row sample, pandas' string methods cost
    more in conversions than the tests themselves.
    """
    vals = values.tolist()
    if all(type(v) is str for v in vals):  # the sniffer's sample: skip str() and strip()'s copies
        return [v for v in vals if v and not v.isspace()]
    return [t for t in map(str, vals) if t.strip()]


def number_share(values: pd.Series | list[str], decimal: str = ".") -> float:
    """Share of the non-empty values that read as numbers."""
    vals = values if isinstance(values, list) else nonblank_texts(values)
    if not vals:
        return 0.0
    if decimal == ",":
        vals = [v.replace(",", ".") for v in vals]
    try:  # the usual column: all plain numbers, which Arrow reads 10x faster than pandas
        numbers = pc.cast(pa.array(vals, type=pa.string()), pa.float64()).to_numpy(zero_copy_only=False)
    except pa.ArrowInvalid:
        numbers = np.asarray(pd.to_numeric(np.array(vals, dtype=object), errors="coerce"), dtype=np.float64)
    return float(np.mean(~np.isnan(numbers)))


def _find(columns: list[str], names: tuple[str, ...], used: set[str] = frozenset()) -> str | None:
    by_norm = {}
    for c in columns:
        by_norm.setdefault(norm(c), c)
    for name in names:
        c = by_norm.get(name)
        if c is not None and c not in used:
            return c
    return None


@dataclass
class CoordinateGuess:
    x: str | None = None
    y: str | None = None
    location: str | None = None
    location_format: str | None = None
    decimal: str = "."


def guess_coordinates(columns: list[str], sample: pd.DataFrame, delimiter: str) -> CoordinateGuess:
    """Two coordinate columns (geographic names first, then projected) or one location column."""
    for xs, ys in ((LON_NAMES, LAT_NAMES), (X_NAMES, Y_NAMES)):
        x, y = _find(columns, xs), _find(columns, ys)
        if x is None or y is None or x == y:
            continue
        decimal = "."
        xs, ys = nonblank_texts(sample[x]), nonblank_texts(sample[y])
        if delimiter != ",":
            vals = xs + ys
            if vals and _share(vals, _DECIMAL_COMMA_RE.match) > 0.5:
                decimal = ","
        if min(number_share(xs, decimal), number_share(ys, decimal)) >= 0.5 or len(sample) == 0:
            return CoordinateGuess(x=x, y=y, decimal=decimal)
    best: tuple[float, str, str] | None = None
    for c in columns:
        vals = nonblank_texts(sample[c])
        if not vals:
            continue
        for fmt, pattern in (("wkt", _WKT_MATCH), ("latlon", _LATLON_MATCH)):
            share = _share(vals, pattern)
            if share >= 0.8 and (best is None or share > best[0]):
                best = (share, c, fmt)
    if best is not None:
        return CoordinateGuess(location=best[1], location_format=best[2])
    return CoordinateGuess()


def _share(values: list[str], test) -> float:
    """Share of ``values`` (not empty) for which ``test`` (e.g. a compiled pattern's match) holds."""
    return sum(1 for v in values if test(v)) / len(values)


def guess_offence(columns: list[str], used: set[str]) -> str | None:
    found = _find(columns, OFFENCE_NAMES, used)
    if found is None:
        found = next((c for c in columns if c not in used and ("offen" in norm(c) or "crime" in tokens(c))), None)
    return found


def guess_incident_id(columns: list[str], sample: pd.DataFrame, used: set[str]) -> str | None:
    found = _find(columns, ID_NAMES, used)
    if found is None:
        return None
    vals = nonblank_texts(sample[found])
    # An id column holds (nearly) unique values; a repeated "case" code is not an id.
    if vals and len(set(vals)) / len(vals) < 0.9:
        return None
    return found


@dataclass
class _Instant:
    spec: DateSpec
    share: float
    ambiguous: bool
    name: str  # for role scoring


def _components(columns: list[str], used: set[str]) -> DateSpec | None:
    found = {}
    for part, names in COMPONENT_NAMES.items():
        c = _find(columns, names, used | set(found.values()))
        if c is not None:
            found[part] = c
    if "year" not in found or "month" not in found:
        return None
    if "day" not in found:
        return DateSpec("month", [found["year"], found["month"]])
    cols = []
    for part in ("year", "month", "day", "hour", "minute", "second"):
        if part not in found:
            break
        cols.append(found[part])
    return DateSpec("components", cols)


def _single_columns(columns: list[str], sample: pd.DataFrame, used: set[str]) -> tuple[list[_Instant], dict]:
    """Date(-time) and month columns, and clock-time columns by name."""
    instants: list[_Instant] = []
    times: dict[str, list[str]] = {}
    head = sample.head(2000)
    for c in columns:
        if c in used:
            continue
        texts = nonblank_texts(head[c])
        if not texts:
            continue
        words = tokens(c)
        dateish = bool(words & (DATE_WORDS | START_WORDS | END_WORDS | REPORT_WORDS | {"occurred", "occurrence"}))
        nonempty = pa.array(texts, type=pa.string())  # converted once for the three format searches
        if csv_dates.looks_numeric(texts[:200]):
            if "time" in words and not (words & {"date", "datetime"}):
                fmts, share, _ = csv_dates.detect_format(nonempty, ["%H%M"])
                if share >= 0.9:
                    times[c] = fmts
            continue
        if not dateish and not _share(texts, _DATE_PUNCTUATION) > 0.9:
            continue
        fmts, share, amb = csv_dates.detect_format(nonempty, csv_dates.DATETIME_FORMATS)
        if share == 1.0:
            # Every value read as a date: a month format cannot read more, and a clock-time
            # format (no date part) cannot read a value that holds a date, so neither can win.
            mfmts, mshare, tfmts, tshare = [], 0.0, [], 0.0
        else:
            mfmts, mshare, _ = csv_dates.detect_format(nonempty, csv_dates.MONTH_FORMATS)
            tfmts, tshare, _ = csv_dates.detect_format(nonempty, csv_dates.TIME_FORMATS)
        if tshare >= 0.9 and tshare >= share:
            times[c] = tfmts
        elif mshare >= 0.9 and mshare > share:
            instants.append(_Instant(DateSpec("month", [c], mfmts[0], False, mfmts[1:]), mshare, False, c))
        elif share >= (0.5 if dateish else 0.9):
            dayfirst = any(csv_dates.is_dayfirst(f) for f in fmts)
            instants.append(_Instant(DateSpec("single", [c], fmts[0], dayfirst, fmts[1:]), share, amb, c))
    return instants, times


def _pair_time(inst: _Instant, times: dict[str, list[str]]) -> _Instant:
    """Join a date-only column with the clock-time column whose name matches it best."""
    spec = inst.spec
    if spec.kind != "single" or any(csv_dates.precision_of(f) == "exact" for f in [spec.format or ""]):
        return inst
    stem = tokens(spec.columns[0]) - {"date", "dt", "dte"}
    best, best_score = None, -1
    for t in times:
        score = len((tokens(t) - {"time", "tm"}) ^ stem)
        if best is None or -score > best_score:
            best, best_score = t, -score
    if best is None:
        return inst
    tfmt = times.pop(best)[0]
    fmt = f"{spec.format} {tfmt}"
    return _Instant(DateSpec("date_time", [spec.columns[0], best], fmt, spec.dayfirst,
                             [f"{f} {tfmt}" for f in spec.fallback_formats]), inst.share, inst.ambiguous, inst.name)


def _role(name: str) -> str:
    words = tokens(name)
    if words & REPORT_WORDS:
        return "report"
    if words & START_WORDS:
        return "start"
    if words & END_WORDS:
        return "end"
    return "plain"


def guess_dates(columns: list[str], sample: pd.DataFrame, used: set[str]) -> tuple[DateSpec | None, DateSpec | None, list[str]]:
    """(incident time spec, window end spec, warnings)."""
    warnings: list[str] = []
    instants, times = _single_columns(columns, sample, used)
    instants = [_pair_time(i, times) for i in sorted(instants, key=lambda i: _role(i.name) == "end")]
    by_role: dict[str, list[_Instant]] = {}
    for inst in instants:
        by_role.setdefault(_role(inst.name), []).append(inst)
    start = end = None
    if by_role.get("start") and by_role.get("end"):
        start, end = by_role["start"][0], by_role["end"][0]
    else:
        order = by_role.get("plain", []) + by_role.get("start", []) + by_role.get("end", []) + by_role.get("report", [])
        occ = [i for i in order if tokens(i.name) & OCCUR_WORDS and _role(i.name) != "report"]
        start = (occ or order or [None])[0]
    if start is None:
        comp = _components(columns, used)
        return comp, None, warnings
    for inst in (start, end):
        if inst is not None and inst.ambiguous:
            warnings.append(f"day and month order of '{inst.name}' is ambiguous (no day above 12 in the "
                            "sample); assumed month/day (US)")
    return start.spec, None if end is None else end.spec, warnings
