"""Text-level sniffing of a CSV: encoding, delimiter, header and a sample of rows as strings.

Only the head of the file is read (``SNIFF_BYTES``), so detection is instant on any size.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from hotspot_desktop.core.io.report import LoadError

SNIFF_BYTES = 2 * 1024 * 1024
DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


@dataclass
class Sniffed:
    encoding: str
    delimiter: str
    columns: list[str]
    sample: pd.DataFrame  # object dtype, "" for empty fields, header excluded


def detect_encoding(head: bytes) -> str:
    """``utf-8-sig`` when there is a BOM, ``utf-8`` when the bytes decode, else ``cp1252``."""
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the end of the sniffed block is not an error.
        if exc.start >= len(head) - 4 and exc.reason == "unexpected end of data":
            return "utf-8"
    try:
        head.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"  # every byte decodes; cp1252 leaves five byte values undefined


def _decode(head: bytes, encoding: str, truncated: bool) -> str:
    text = head.decode(encoding, errors="ignore" if truncated else "strict")
    if truncated:  # drop the last, probably partial, line
        cut = text.rfind("\n")
        text = text[:cut + 1] if cut > 0 else text
    return text


def detect_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the header into the most fields that the data rows agree with."""
    best, best_score = ",", (-1.0, 0)
    text = "\n".join(lines)
    for delim in DELIMITERS:
        rows = [r for r in csv.reader(io.StringIO(text), delimiter=delim) if r]
        if not rows or len(rows[0]) < 2:
            continue
        n = len(rows[0])
        agree = sum(len(r) == n for r in rows[1:]) / max(1, len(rows) - 1) if len(rows) > 1 else 1.0
        score = (agree, n)
        if score > best_score:
            best, best_score = delim, score
    return best


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
          delimiter: str | None = None) -> Sniffed:
    """Read the head of ``path``: encoding, delimiter, header, and up to ``sample_rows`` rows."""
    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
        truncated = bool(fh.read(1))
    if not head.strip():
        raise LoadError(f"{path.name} is empty.")
    encoding = encoding or detect_encoding(head)
    text = _decode(head, encoding, truncated)
    lines = [ln for ln in text.splitlines() if ln.strip()][:60]
    delimiter = delimiter or detect_delimiter(lines)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows: list[list[str]] = []
    header: list[str] | None = None
    for row in reader:
        if not any(f.strip() for f in row):
            continue
        if header is None:
            header = row
            continue
        rows.append(row)
        if len(rows) >= sample_rows:
            break
    assert header is not None  # the file has at least one non-blank line
    columns = unique_columns(header)
    n = len(columns)
    fixed = [(r + [""] * n)[:n] for r in rows]
    sample = pd.DataFrame(fixed, columns=columns, dtype=object)
    return Sniffed(encoding, delimiter, columns, sample)
