"""Where a vector file's data actually is: format by extension, layers, zip members, DBF text encoding.

Used by :mod:`hotspot_desktop.core.io.vector`. A shapefile may come as ``.shp`` with sidecars or
inside a ``.zip``; GDAL reads zip members through its ``/vsizip/`` virtual file system, and this
module reads the sidecars (``.prj``, ``.cpg``, ``.dbf``) straight from the archive.

DBF encoding: the dBASE header (dBASE III format, byte 29 "language driver") is rarely right, and a
``.cpg`` sidecar (ESRI) names the code page when present. GDAL falls back to ISO-8859-1 without
one, which garbles Windows-1252 text (``€``, curly quotes). So we sample the DBF's record bytes:
valid UTF-8 is read as UTF-8, anything else as Windows-1252, unless a ``.cpg`` says otherwise.
"""

from __future__ import annotations

import codecs
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np
import pyogrio

from hotspot_desktop.core.io.report import LoadError

# extension -> format name used in SourceRef.format and reports
VECTOR_FORMATS = {".shp": "shapefile", ".zip": "shapefile_zip", ".gpkg": "gpkg", ".geojson": "geojson",
                  ".json": "geojson", ".kml": "kml"}
DBF_SAMPLE_BYTES = 8 * 1024 * 1024  # enough text to judge the encoding; never the whole of a huge DBF


@dataclass
class VectorSource:
    """A resolved readable layer: the GDAL path, the layer name and what we learnt on the way."""

    path: Path  # the file the user chose
    format: str
    gdal_path: str  # what pyogrio/fiona open (a /vsizip/ path for zip members)
    layer: str | None  # GeoPackage/KML layer, or zip member path
    layers: list[str]
    has_prj: bool = True
    encoding: str | None = None  # python codec name for DBF text, None = driver default (UTF-8)
    encoding_source: str | None = None
    dbf_records_declared: int | None = None  # record count in the DBF header
    dbf_records_present: int | None = None  # whole records the DBF's bytes actually hold
    shp_damaged: np.ndarray | None = None  # per record (from the .shx index): geometry lies past the .shp's end
    notes: list[str] = field(default_factory=list)  # warnings for the load report

    @property
    def gdal_layer(self) -> str | None:
        """The layer name to hand GDAL (a zip member is already part of ``gdal_path``)."""
        return None if self.format.startswith("shapefile") else self.layer


def refuse_virtual(path: str | Path) -> None:
    """Raise LoadError for GDAL virtual or remote paths: the app never opens network connections."""
    text = str(path)
    if text.startswith("/vsi") or "://" in text or text.startswith("\\\\?\\"):
        raise LoadError(f"{text}: only local files can be opened")


def vector_format(path: Path) -> str:
    fmt = VECTOR_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise LoadError(f"{path.name}: not a vector file this app reads ({', '.join(sorted(VECTOR_FORMATS))})")
    return fmt


def zip_shapefiles(path: Path) -> list[str]:
    """Paths of the ``.shp`` members of a zip archive (macOS resource forks ignored)."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise LoadError(f"{path.name}: not a readable zip archive ({exc})") from exc
    return sorted(n for n in names if n.lower().endswith(".shp") and not n.startswith("__MACOSX/"))


def list_layers(path: str | Path) -> list[str]:
    """Layer names a vector file offers: GeoPackage/KML layers, or the shapefiles inside a zip."""
    path = Path(path)
    refuse_virtual(path)
    fmt = vector_format(path)
    if not path.exists():
        raise LoadError(f"{path}: file not found")
    if fmt == "shapefile_zip":
        return zip_shapefiles(path)
    try:
        return [str(name) for name, _ in pyogrio.list_layers(str(path))]
    except Exception as exc:  # pyogrio raises DataSourceError and friends; all mean unreadable
        raise LoadError(f"{path.name}: cannot be read as {fmt} ({exc})") from exc


def resolve(path: Path, layer: str | None) -> VectorSource:
    """Find the layer to read and its sidecars; raise LoadError when the choice is ambiguous."""
    refuse_virtual(path)
    fmt = vector_format(path)
    if not path.exists():
        raise LoadError(f"{path}: file not found")
    layers = list_layers(path)
    if not layers:
        what = "no shapefile (.shp) inside" if fmt == "shapefile_zip" else "no layers"
        raise LoadError(f"{path.name}: {what}")
    notes: list[str] = []
    if fmt == "shapefile_zip":
        chosen = _pick_zip_member(path, layers, layer)
        src = VectorSource(path, fmt, f"/vsizip/{path.resolve().as_posix()}/{chosen}", chosen, layers)
        _shapefile_sidecars(src, _ZipSidecars(path, chosen))
        return src
    if layer is not None:
        if layer not in layers:
            raise LoadError(f"{path.name}: no layer {layer!r}; it has {', '.join(layers)}")
        chosen = layer
    else:
        chosen = layers[0]
        if len(layers) > 1:
            notes.append(f"{path.name} has {len(layers)} layers ({', '.join(layers)}); "
                         f"loaded the first, {chosen!r}")
    src = VectorSource(path, fmt, str(path), chosen if fmt != "shapefile" else None, layers, notes=notes)
    if fmt == "shapefile":
        _shapefile_sidecars(src, _FileSidecars(path))
    return src


def _pick_zip_member(path: Path, members: list[str], layer: str | None) -> str:
    if layer is not None:
        for m in members:
            if layer in (m, PurePosixPath(m).name, PurePosixPath(m).stem):
                return m
        raise LoadError(f"{path.name}: no shapefile {layer!r} inside; it holds {', '.join(members)}")
    if len(members) > 1:
        raise LoadError(f"{path.name} holds {len(members)} shapefiles ({', '.join(members)}); "
                        "choose one with layer=")
    return members[0]


class _FileSidecars:
    def __init__(self, shp: Path) -> None:
        # not glob(): a stem like "beats [2024]" would be read as a pattern
        self._by_ext = {p.suffix.lower(): p for p in shp.parent.iterdir() if p.stem == shp.stem}

    def exists(self, ext: str) -> bool:
        return ext in self._by_ext

    def read(self, ext: str, limit: int | None = None) -> bytes:
        with open(self._by_ext[ext], "rb") as fh:
            return fh.read(limit if limit is not None else -1)

    def size(self, ext: str) -> int:
        return self._by_ext[ext].stat().st_size


class _ZipSidecars:
    def __init__(self, archive: Path, member: str) -> None:
        self._zip = archive
        stem = member[: -len(PurePosixPath(member).suffix)]
        with zipfile.ZipFile(archive) as zf:
            self._by_ext = {n[len(stem):].lower(): zf.getinfo(n) for n in zf.namelist()
                            if n[: len(stem)] == stem and n[len(stem):].startswith(".")
                            and "/" not in n[len(stem):]}

    def exists(self, ext: str) -> bool:
        return ext in self._by_ext

    def read(self, ext: str, limit: int | None = None) -> bytes:
        with zipfile.ZipFile(self._zip) as zf, zf.open(self._by_ext[ext]) as fh:
            return fh.read(limit if limit is not None else -1)

    def size(self, ext: str) -> int:
        return self._by_ext[ext].file_size


def _shapefile_sidecars(src: VectorSource, side: _FileSidecars | _ZipSidecars) -> None:
    src.has_prj = side.exists(".prj")
    if side.exists(".shx") and side.exists(".shp"):
        # .shx (ESRI Shapefile Technical Description, 1998): 100-byte header, then per record the
        # big-endian offset and content length in 16-bit words; the record header adds 4 words.
        shx = side.read(".shx")
        index = np.frombuffer(shx[100: 100 + (len(shx) - 100) // 8 * 8], dtype=">i4").reshape(-1, 2)
        src.shp_damaged = (index[:, 0].astype(np.int64) + 4 + index[:, 1]) * 2 > side.size(".shp")
    if not side.exists(".dbf"):
        return
    head = side.read(".dbf", 32 + DBF_SAMPLE_BYTES)
    if len(head) < 32:
        src.dbf_records_declared, src.dbf_records_present = 0, 0
        return
    n_records, header_len, record_len = struct.unpack("<IHH", head[4:12])
    src.dbf_records_declared = int(n_records)
    src.dbf_records_present = (max(0, side.size(".dbf") - header_len) // record_len
                               if record_len else int(n_records))
    cpg = side.read(".cpg").decode("ascii", "replace").strip() if side.exists(".cpg") else None
    src.encoding, src.encoding_source, note = choose_dbf_encoding(head[header_len:], cpg)
    if note:
        src.notes.append(note)


def codec_from_cpg(text: str) -> str | None:
    """Python codec named by a ``.cpg`` sidecar ("UTF-8", "1252", "ANSI 1252", "8859_1"...), or None."""
    t = text.strip().upper().replace("ANSI", "").strip()
    if t.isdigit():
        t = "cp" + t
    elif t.startswith("8859"):
        t = "iso" + t.replace("_", "-")
    try:
        return codecs.lookup(t).name
    except LookupError:
        return None


def _valid_utf8(data: bytes) -> bool:
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data, final=False)  # sample may end mid-character
        return True
    except UnicodeDecodeError:
        return False


def choose_dbf_encoding(records: bytes, cpg: str | None) -> tuple[str, str, str | None]:
    """(codec, how it was decided, warning or None) for a DBF's text, from its bytes and ``.cpg``."""
    if records.isascii():
        cp = codec_from_cpg(cpg) if cpg else None
        return (cp or "utf-8"), (".cpg" if cp else "ascii"), None
    utf8 = _valid_utf8(records)
    if cpg is not None:
        cp = codec_from_cpg(cpg)
        if cp is None:
            fallback = "utf-8" if utf8 else "cp1252"
            return fallback, "detected", f".cpg names an unknown code page {cpg!r}; text read as {fallback}"
        if cp == "utf-8" and not utf8:
            return "cp1252", "detected", ".cpg says UTF-8 but the text is not valid UTF-8; read as Windows-1252"
        return cp, ".cpg", None
    if utf8:
        return "utf-8", "detected", None
    try:
        records.decode("cp1252")
        return "cp1252", "detected", "no .cpg file and the text is not UTF-8: read as Windows-1252"
    except UnicodeDecodeError:
        return "latin-1", "detected", "no .cpg file and the text is not UTF-8: read as ISO-8859-1"
