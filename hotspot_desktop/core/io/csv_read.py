"""Whole-file CSV parsing with pyarrow, with progress and a cancel that stops the read itself.

``pyarrow.csv.read_csv`` is multithreaded C++; it runs in a helper thread reading through a
byte-counting file wrapper, while the calling thread reports bytes read as progress and checks
the cancel callback. On cancel the wrapper fails the next read, so Arrow stops within one block.
"""

from __future__ import annotations

import io
import re
import threading
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pcsv

from hotspot_desktop.core.io.csv_schema import CsvSchema
from hotspot_desktop.core.io.report import LoadError
from hotspot_desktop.core.io.utf8_check import Utf8Check
from hotspot_desktop.core.progress import POLL_SECONDS, CancelFn, ProgressFn, checkpoint

# Arrow parses the file in blocks of this size, one per core at a time. Each block becomes one
# chunk of every column, and each later step over the chunks pays per chunk: 2 MB loads a
# million rows 4% faster than Arrow's 1 MB default (no faster for the parse itself); larger
# blocks leave a core idle at the end of the parse and make a cancel slower to land.
BLOCK_BYTES = 2 << 20
# Per block (a few ten thousand rows): a text column with more distinct values in a block than
# this is not dictionary-encoded while parsing (addresses, narratives); the loader decides from
# the whole column whether it becomes a category.
AUTO_DICT_MAX_CARDINALITY = 2_000
_COLUMN_ERROR = re.compile(r"In CSV column #(\d+)")


class NotUtf8(Exception):
    """The file being read as UTF-8 is not (raised where Arrow's read returns)."""


class _TrackedFile(io.RawIOBase):
    """Raw binary file that counts bytes read and can be told to fail (to stop Arrow); with
    ``check_utf8`` it fails too when the bytes read are not valid UTF-8 (``not_utf8`` says so)."""

    def __init__(self, path: Path, check_utf8: bool = False) -> None:
        super().__init__()
        self._fh = open(path, "rb", buffering=0)  # noqa: SIM115 (closed by close())
        self.bytes_read = 0
        self.abort = False
        self._utf8 = Utf8Check() if check_utf8 else None
        self.not_utf8 = False

    def _count(self, block: bytes | memoryview | pa.Buffer, at_end: bool) -> None:
        """Count the block and check it (``at_end``: the file ends with it). Only a read that
        returns nothing marks the end: a network share may return less than asked mid-file."""
        self.bytes_read += len(block)
        if self._utf8 is None:
            return
        if (len(block) and not self._utf8.feed(block)) or (at_end and not self._utf8.finish()):
            self.not_utf8 = True
            raise OSError("the file is not valid UTF-8")

    def utf8_complete(self) -> bool:
        """After the last read: False when the checked bytes end inside a character."""
        return self._utf8 is None or self._utf8.finish()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        if self.abort:
            raise OSError("read cancelled")
        n = self._fh.readinto(buffer) or 0
        view = memoryview(buffer).cast("B")
        self._count(view[:n], at_end=n == 0 and len(view) > 0)
        return n

    def read(self, size: int = -1) -> bytes:
        # RawIOBase's would read into a scratch bytearray and copy it again.
        if self.abort:
            raise OSError("read cancelled")
        data = self._fh.read(size) if size is not None and size >= 0 else self._fh.readall()
        self._count(data, at_end=size is None or size < 0 or (not data and size > 0))
        return data

    def read_buffer(self, size: int = -1) -> pa.Buffer | bytes:
        """What Arrow calls instead of read() when a file has it: the block is read into a
        buffer from Arrow's own memory pool, which Arrow keeps without a copy. A fresh Python
        ``bytes`` per block would be new memory the system maps page by page (8,000 page
        faults for a 72 MB file); the pool's memory is reused and mapped in large pages."""
        if size is None or size < 0:
            return self.read(size)
        if self.abort:
            raise OSError("read cancelled")
        buffer = pa.allocate_buffer(size)
        n = self._fh.readinto(memoryview(buffer)) or 0
        block = buffer if n == size else buffer.slice(0, n)
        self._count(block, at_end=n == 0 and size > 0)
        return block

    def close(self) -> None:
        self._fh.close()
        super().close()


def arrow_encoding(encoding: str) -> str:
    # Arrow skips a UTF-8 byte-order mark itself; other encodings go through Python's codecs.
    return "utf8" if encoding.lower().replace("-", "").replace("_", "") in ("utf8", "utf8sig") else encoding


def string_columns(schema: CsvSchema) -> list[str]:
    """Columns read as text whatever they look like (dates, ids, offence, location)."""
    cols: list[str] = []
    for spec in (schema.date, schema.date_end):
        if spec is not None and spec.kind != "components":
            cols += spec.columns
    cols += [c for c in (schema.incident_id, schema.offence, schema.location) if c]
    return [c for c in dict.fromkeys(cols) if c in schema.columns]


def _is_binary(t: pa.DataType) -> bool:
    return pa.types.is_binary(t) or (pa.types.is_dictionary(t) and pa.types.is_binary(t.value_type))


def read_table(path: Path, schema: CsvSchema, progress: ProgressFn | None = None,
               cancelled: CancelFn | None = None, span: tuple[float, float] = (0.0, 1.0)
               ) -> tuple[pa.Table, list[pcsv.InvalidRow]]:
    """Parse the whole file following ``schema``; returns the table and rows with a wrong field count.

    Coordinates are read as float64 (decimal point from the schema), the date/id/offence columns as
    strings and the rest by Arrow's type inference; a column that defeats inference (e.g. "N/A"
    after a million integers) is re-read as text. When bytes past the sniffed head are not UTF-8,
    the file is re-read as cp1252 and ``schema.encoding`` is updated to say so.

    A UTF-8 file's blocks are validated as they are read (:mod:`utf8_check`; the parser's own
    check field by field costs 8% of the parse). When a block fails, the file is read again with
    the parser's check, which decides as before: only a field that is not UTF-8 makes it cp1252.
    """
    types: dict[str, pa.DataType] = {c: pa.string() for c in string_columns(schema)}
    if schema.offence in types:  # few distinct values: encode while parsing, in parallel
        types[schema.offence] = pa.dictionary(pa.int32(), pa.string())
    if not schema.location:
        types.update({c: pa.float64() for c in (schema.x, schema.y) if c})
    check_fields = False  # True: Arrow checks UTF-8 field by field, not csv_read the blocks
    for _ in range(len(schema.columns) + 3):
        try:
            table, invalid = _read_once(path, schema, types, progress, cancelled, span, threads=True,
                                        check_fields=check_fields)
            multiline = any(row.text.count('"') % 2 for row in invalid)
            if multiline or any(row.number is None for row in invalid):
                # A quoted field holding a line break splits its row in two: re-read allowing them.
                # Arrow numbers malformed rows only when parsing on one thread; both cases are rare.
                table, invalid = _read_once(path, schema, types, progress, cancelled, span, threads=False,
                                            multiline=multiline, check_fields=check_fields)
            binary = any(_is_binary(f.type) for f in table.schema)  # Arrow's "not UTF-8" type
            if not (binary and arrow_encoding(schema.encoding) == "utf8"):
                return table, invalid
            schema.encoding = "cp1252"
        except NotUtf8:
            # Some byte is not UTF-8. Arrow's own check decides what that means, as it did before
            # the block check: bytes it never converts (title lines, a malformed row it skips)
            # leave the file UTF-8; a bad field sends it to cp1252 below.
            check_fields = True
        except pa.ArrowInvalid as exc:
            if "UTF8" in str(exc) and arrow_encoding(schema.encoding) == "utf8":
                # The head was valid UTF-8 but a later row is not: a Windows export with a few
                # accented names. Re-read the whole file as cp1252 (the caller warns the user).
                schema.encoding = "cp1252"
                continue
            m = _COLUMN_ERROR.search(str(exc))
            if m is None or int(m.group(1)) >= len(schema.columns):
                raise LoadError(f"{path.name} could not be read as CSV: {exc}") from exc
            col = schema.columns[int(m.group(1))]
            if types.get(col) == pa.string():
                raise LoadError(f"{path.name} could not be read as CSV: {exc}") from exc
            types[col] = pa.string()
    raise LoadError(f"{path.name} could not be read as CSV")


def _read_once(path, schema, types, progress, cancelled, span, threads, multiline=False, check_fields=False):
    invalid: list[pcsv.InvalidRow] = []

    def on_invalid(row: pcsv.InvalidRow) -> str:
        invalid.append(row)
        return "skip"

    # A UTF-8 file is checked as its blocks are read (utf8_check), not field by field by Arrow.
    check_blocks = arrow_encoding(schema.encoding) == "utf8" and not check_fields
    read_opts = pcsv.ReadOptions(encoding=arrow_encoding(schema.encoding), column_names=schema.columns,
                                 skip_rows=schema.skip_rows + 1, block_size=BLOCK_BYTES,
                                 use_threads=threads)
    parse_opts = pcsv.ParseOptions(delimiter=schema.delimiter, invalid_row_handler=on_invalid,
                                   newlines_in_values=multiline)
    # Other text columns with few distinct values (districts, premises) arrive dictionary-encoded,
    # which costs nothing in Arrow's parallel parse and becomes pandas categories for free.
    convert_opts = pcsv.ConvertOptions(column_types=types, strings_can_be_null=True,
                                       decimal_point=schema.decimal, auto_dict_encode=True,
                                       auto_dict_max_cardinality=AUTO_DICT_MAX_CARDINALITY,
                                       check_utf8=not check_blocks)
    size = max(1, path.stat().st_size)
    fh = _TrackedFile(path, check_utf8=check_blocks)
    result: dict[str, object] = {}

    def work() -> None:
        try:
            result["table"] = pcsv.read_csv(fh, read_options=read_opts, parse_options=parse_opts,
                                            convert_options=convert_opts)
        except BaseException as exc:  # noqa: BLE001 (re-raised in the calling thread)
            result["error"] = exc

    thread = threading.Thread(target=work, name="csv-read", daemon=True)
    checkpoint(progress, cancelled, span[0], "reading")
    thread.start()
    try:
        while thread.is_alive():
            thread.join(POLL_SECONDS)
            frac = span[0] + (span[1] - span[0]) * min(1.0, fh.bytes_read / size)
            checkpoint(progress, cancelled, frac, "reading")
    except BaseException:  # Cancelled, or a failing progress callback: stop Arrow before leaving
        fh.abort = True
        thread.join()
        raise
    finally:
        if not thread.is_alive():
            fh.close()
    if "error" in result:
        if fh.not_utf8:
            raise NotUtf8(path.name)
        raise result["error"]  # type: ignore[misc]
    if not fh.utf8_complete():
        raise NotUtf8(path.name)
    checkpoint(progress, cancelled, span[1], "reading")
    return result["table"], invalid
