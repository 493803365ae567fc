"""Text-level sniffing of a CSV: encoding, delimiter, header and a sample of rows as strings.

Only the head of the file is read (``SNIFF_BYTES``), so detection is instant on any size.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from hotspot_desktop.core.io.report import LoadError

SNIFF_BYTES = 2 * 1024 * 1024
SNIFF_STEP = 256 * 1024
DELIMITERS = (",", ";", "\t", "|")
_EXCEL_SEP_RE = re.compile(r"^\s*sep=(.)\s*$", re.IGNORECASE)
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


@dataclass
class Sniffed:
    encoding: str
    delimiter: str
    columns: list[str]
    sample: pd.DataFrame  # object dtype, "" for empty fields, header excluded
    skip_rows: int = 0  # physical lines above the header (blank lines, titles, Excel's "sep=;")


def detect_encoding(head: bytes, truncated: bool = True) -> str:
    """``utf-8-sig`` when there is a BOM, ``utf-8`` when the bytes decode, else ``cp1252``.

    A UTF-16 byte-order mark (Excel's "Unicode Text" export) gives ``utf-16``.
    """
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the end of the sniffed block is not an error.
        if truncated and exc.start >= len(head) - 4 and exc.reason == "unexpected end of data":
            return "utf-8"
    try:
        head.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"  # every byte decodes; cp1252 leaves five byte values undefined


def _decode(head: bytes, encoding: str, truncated: bool) -> str:
    try:
        text = head.decode(encoding, errors="ignore" if truncated else "strict")
    except UnicodeDecodeError:
        # A user-chosen encoding that does not fit every byte: show the rest, mark the rest.
        text = head.decode(encoding, errors="replace")
    if truncated:  # drop the last, probably partial, line
        cut = text.rfind("\n")
        text = text[:cut + 1] if cut > 0 else text
    return text


def _widths(lines: list[str], delim: str) -> list[int]:
    return [len(row) for row in csv.reader(lines, delimiter=delim)]


def _mode(values: list[int]) -> int:
    return max(sorted(set(values)), key=values.count)


def detect_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the most lines into the same, largest number of fields.

    Scored on the most common field count rather than the first line's, so a title line above
    the header does not decide.
    """
    best, best_score = ",", (-1.0, 0)
    for delim in DELIMITERS:
        widths = _widths(lines, delim)
        if not widths:
            continue
        width = _mode(widths)
        if width < 2:
            continue
        score = (widths.count(width) / len(widths), width)
        if score > best_score:
            best, best_score = delim, score
    return best


def header_line(lines: list[str], delimiter: str) -> int:
    """Index of the header among ``lines``: the first line as wide as the table (titles skipped)."""
    nonblank = [i for i, ln in enumerate(lines) if ln.strip()][:60]
    widths = _widths([lines[i] for i in nonblank], delimiter)
    width = _mode(widths)
    for i, w in zip(nonblank[:10], widths[:10]):
        if w >= width:
            return i
    return nonblank[0]


def unique_columns(header: list[str]) -> list[str]:
    """Header names stripped, empty ones named, duplicates suffixed (pandas/arrow need unique)."""
    seen: dict[str, int] = {}
    out = []
    for i, name in enumerate(header):
        name = name.strip() or f"column_{i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 1
        out.append(name)
    return out


def sniff(path: Path, sample_rows: int = 5000, encoding: str | None = None,
          delimiter: str | None = None, skip_rows: int | None = None) -> Sniffed:
    """Read the head of ``path``: encoding, delimiter, lines above the header, header, sample rows."""
    with open(path, "rb") as fh:
        # Read in steps until the head holds the sample (with room for header lines and quoted
        # line breaks) or SNIFF_BYTES: decoding and splitting 2 MB costs more than parsing 5,000 rows.
        head = fh.read(SNIFF_STEP)
        while len(head) < SNIFF_BYTES and head.count(b"\n") < sample_rows + 200:
            more = fh.read(min(SNIFF_STEP, SNIFF_BYTES - len(head)))
            if not more:
                break
            head += more
        truncated = bool(fh.read(1))
    if not head.strip():
        raise LoadError(f"{path.name} is empty.")
    encoding = encoding or detect_encoding(head, truncated)
    text = _decode(head, encoding, truncated)
    lines = text.splitlines()
    first = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if first is None:
        raise LoadError(f"{path.name} is empty.")
    if skip_rows is None:
        hint = _EXCEL_SEP_RE.match(lines[first])  # Excel's delimiter line
        if hint:
            delimiter = delimiter or hint.group(1)
            first += 1
        delimiter = delimiter or detect_delimiter([ln for ln in lines[first:first + 80] if ln.strip()])
        skip_rows = first + header_line(lines[first:first + 80], delimiter)
    delimiter = delimiter or detect_delimiter([ln for ln in lines[skip_rows:skip_rows + 80] if ln.strip()])
    # Lines are fed lazily: the reader stops after the sample, most of the head stays unparsed.
    reader = csv.reader((ln + "\n" for ln in lines[skip_rows:]), delimiter=delimiter)
    rows: list[list[str]] = []
    header: list[str] | None = None
    for row in reader:
        if not "".join(row).strip():  # a blank line or only empty fields
            continue
        if header is None:
            header = row
            continue
        rows.append(row)
        if len(rows) >= sample_rows:
            break
    if header is None:
        raise LoadError(f"{path.name} has no header line.")
    columns = unique_columns(header)
    n = len(columns)
    fixed = [r if len(r) == n else (r + [""] * n)[:n] for r in rows]
    sample = pd.DataFrame(fixed, columns=columns, dtype=object)
    return Sniffed(encoding, delimiter, columns, sample, skip_rows)
