"""Save and open projects: a JSON manifest ``NAME.hsproj`` plus data files beside it.

The format is documented in docs/PROJECT_FORMAT.md (format ``hotspot-desktop-project``,
version :data:`FORMAT_VERSION`). Layers read from a file are stored as a reference to that file
(path relative to the project) and reloaded through :func:`loaders.load_file` with their saved
options; other layers are stored in ``NAME.hsdata.gpkg`` / ``NAME.hsdata/`` (see
:mod:`project_data`). Saving is atomic file by file and keeps the previous manifest as
``NAME.hsproj.bak``. Opening reads JSON, GeoPackage tables and ``.npz`` arrays only: nothing in a
project file is ever executed, and sources outside the project folder are shown to the caller
(``confirm_outside``) before they are opened.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import hashlib
import json
import re
from glob import escape as glob_escape
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
from pyproj import CRS

import hotspot_desktop
from hotspot_desktop.core.io import project_data as pdata
from hotspot_desktop.core.io.atomic import atomic_write
from hotspot_desktop.core.io.project_data import SAFE_ID, SAFE_NPZ, ProjectFormatError
from hotspot_desktop.core.io.report import Cancelled, LoadError, LoadReport
from hotspot_desktop.core.model import (
    POINT_ROLES,
    AnalysisRecord,
    EquitySetting,
    Layer,
    PointFilter,
    PointLayer,
    Project,
    Provenance,
    RasterLayer,
    SourceRef,
    VectorLayer,
    ZoneLayer,
)
from hotspot_desktop.core.progress import CancelFn, ProgressFn, checkpoint
from hotspot_desktop.core.styles import LayerStyle

__all__ = ["FORMAT_NAME", "FORMAT_VERSION", "PROJECT_SUFFIX", "ProjectFormatError", "save_project", "open_project",
           "data_paths"]

FORMAT_NAME = "hotspot-desktop-project"
FORMAT_VERSION = 1
PROJECT_SUFFIX = ".hsproj"
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
SOURCE_FORMATS = {"csv", "shapefile", "shapefile_zip", "gpkg", "geojson", "kml", "asc", "mbtiles", "image"}
LAYER_KINDS = {"points", "vector", "zones", "raster", "image", "tiles"}

# Data GeoPackage names a manifest may refer to: a plain file name in the project folder.
DATA_GPKG = re.compile(r"^[^/\\:]{1,200}\.hsdata(-[0-9a-f]{10})?\.gpkg$")

Relocate = Callable[[SourceRef, str], "Path | None"]
ConfirmOutside = Callable[[list[Path]], bool]


def data_paths(manifest: str | Path) -> tuple[Path, Path]:
    """(data GeoPackage, raster folder) that belong to the manifest ``manifest``."""
    manifest = Path(manifest)
    name = manifest.name
    if name.endswith(PROJECT_SUFFIX + ".bak"):  # the backup manifest shares the project's data files
        name = name[: -len(".bak")]
    stem = name[: -len(PROJECT_SUFFIX)] if name.endswith(PROJECT_SUFFIX) else manifest.stem
    return manifest.with_name(f"{stem}.hsdata.gpkg"), manifest.with_name(f"{stem}.hsdata")


# --- save -------------------------------------------------------------------------------------
def save_project(project: Project, path: str | Path, *, progress: ProgressFn | None = None) -> None:
    """Write ``project`` to ``path`` (a ``.hsproj`` manifest) and its data files beside it.

    Data files are written first and the manifest last, each atomically, so an interrupted save
    leaves the previous manifest in place; the previous manifest is also kept as ``.hsproj.bak``.
    """
    path = Path(path).absolute()
    folder = path.parent
    base_gpkg, raster_dir = data_paths(path)
    crs = project.working_crs
    entries: list[dict[str, Any]] = []
    frames: dict[str, Any] = {}
    rasters: dict[str, RasterLayer] = {}
    layers = list(project.layers)
    for i, layer in enumerate(layers):
        checkpoint(progress, None, 0.8 * i / max(len(layers), 1), f"saving {layer.name}")
        entry = _layer_entry(layer, folder)
        if _is_source_backed(layer):
            entry["storage"] = {"kind": "source"}
        elif isinstance(layer, RasterLayer):
            entry["storage"] = {"kind": "npz", "file": pdata.raster_file_name(layer)}
            rasters[entry["storage"]["file"]] = layer
        else:
            table = f"layer_{layer.id}"
            entry["storage"] = {"kind": "gpkg", "table": table}
            frames[table] = pdata.layer_frame(layer, crs)
        entries.append(entry)

    stored = {table: pdata.storable(gdf) for table, gdf in frames.items()}
    # The data GeoPackage is named after its content: a save never overwrites the file the
    # current manifest uses with different data, so the manifest's rename is the commit point
    # and a save killed at any moment leaves the previous project whole. Same data, same name.
    gpkg_path = base_gpkg.with_name(f"{base_gpkg.name[:-len('.gpkg')]}-{_content_token(stored)}.gpkg")
    reused = gpkg_path.exists()
    for entry in entries:
        if entry["storage"]["kind"] == "gpkg":
            entry["storage"]["columns"] = stored[entry["storage"]["table"]][1]
            entry["storage"]["file"] = gpkg_path.name
    # serialise before touching any file, so a value JSON cannot hold fails the save cleanly
    text = json.dumps(_manifest(project, entries), indent=1, ensure_ascii=False,
                      default=_json_default).encode("utf-8")
    try:
        _write_data_and_manifest(path, text, gpkg_path if not reused else None, stored, rasters, raster_dir, progress)
    except BaseException:
        if not reused:
            gpkg_path.unlink(missing_ok=True)  # an uncommitted data file is never referenced: drop it
        raise
    project.path = path
    project.modified = False
    project.changed.emit("path")
    checkpoint(progress, None, 1.0, "saved")


def _content_token(stored: dict) -> str:
    """10 hex digits of a hash of the tables to store (names, geometries and attributes)."""
    h = hashlib.sha256()
    for table in sorted(stored):
        gdf = stored[table][0]
        h.update(table.encode())
        h.update(json.dumps(list(map(str, gdf.columns))).encode())
        h.update(b"".join(gdf.geometry.to_wkb(hex=False).fillna(b"")) if len(gdf) else b"")
        attrs = gdf.drop(columns=gdf.geometry.name)
        if len(attrs.columns) and len(attrs):
            h.update(pd.util.hash_pandas_object(attrs.astype(str), index=False).to_numpy().tobytes())
    return h.hexdigest()[:10]


def _write_data_and_manifest(path: Path, text: bytes, gpkg_path: Path | None, stored: dict, rasters: dict,
                             raster_dir: Path, progress: ProgressFn | None) -> None:
    base_gpkg = data_paths(path)[0]
    if stored and gpkg_path is not None:
        pdata.write_data_gpkg(gpkg_path, {table: gdf for table, (gdf, _) in stored.items()})
    if rasters:
        raster_dir.mkdir(exist_ok=True)
        for name, layer in rasters.items():
            target = raster_dir / name
            if not target.exists():  # the name holds the content hash: an existing file is identical
                pdata.write_raster_npz(target, layer)
    checkpoint(progress, None, 0.9, "writing the project file")

    previous = path.read_bytes() if path.exists() else None
    if previous is not None:
        atomic_write(path.with_name(path.name + ".bak"), lambda fh: fh.write(previous))
    atomic_write(path, lambda fh: fh.write(text))
    keep_gpkg, keep_npz = _referenced_data(text)
    if previous is not None:  # the backup manifest stays openable too
        old_gpkg, old_npz = _referenced_data(previous)
        keep_gpkg |= old_gpkg
        keep_npz |= old_npz
    _remove_stale_data(base_gpkg, raster_dir, keep_gpkg, keep_npz)


def _is_source_backed(layer: Layer) -> bool:
    """A layer is saved as a file reference when it is exactly what its (existing) file gives."""
    src = layer.source
    return (src.path is not None and src.format in SOURCE_FORMATS and not isinstance(layer, ZoneLayer)
            and layer.data_version == 0 and Path(src.path).exists())


def _layer_entry(layer: Layer, folder: Path) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": layer.id, "name": layer.name, "kind": layer.kind, "geometry_kind": layer.geometry_kind,
        "visible": layer.visible, "opacity": layer.opacity, "style": layer.style.to_dict(),
        "source": layer.source.to_dict(relative_to=folder),
        "source_crs": None if layer.source_crs is None else _crs_dict(layer.source_crs),
        "provenance": None if layer.provenance is None else layer.provenance.to_dict(),
    }
    if isinstance(layer, PointLayer):
        entry["filter"] = layer.filter.to_dict()
        if layer.role != "incidents":  # absent = incidents, so older readers and files agree
            entry["role"] = layer.role
    return entry


def _crs_dict(crs: CRS) -> dict[str, Any]:
    return {"wkt": crs.to_wkt(), "epsg": crs.to_epsg(min_confidence=90)}


def _manifest(project: Project, entries: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "app_version": hotspot_desktop.__version__,
        "saved": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "working_crs": None if project.working_crs is None else _crs_dict(project.working_crs),
        "display_units": project.display_units,
        "metadata": project.metadata,
        "view": project.view,
        "layers": entries,
        "analyses": [dataclasses.asdict(a) for a in project.analyses],
        "templates": project.templates,
        "equity": None if project.equity is None else project.equity.to_dict(),
    }


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (pd.Timestamp, _dt.datetime, _dt.date)):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, CRS):
        return value.to_wkt()
    raise TypeError(f"cannot save a value of type {type(value).__name__} in a project file")


def _referenced_data(manifest_bytes: bytes) -> tuple[set[str], set[str]]:
    """(data GeoPackage names, raster file names) a manifest refers to; empty if unreadable."""
    try:
        layers = json.loads(manifest_bytes.decode("utf-8")).get("layers", [])
        storages = [e.get("storage") or {} for e in layers if isinstance(e, dict)]
    except (UnicodeDecodeError, json.JSONDecodeError, AttributeError):
        return set(), set()
    gpkg = {st.get("file") for st in storages if isinstance(st, dict) and st.get("kind") == "gpkg"}
    npz = {st.get("file") for st in storages if isinstance(st, dict) and st.get("kind") == "npz"}
    return {g for g in gpkg if isinstance(g, str)}, {n for n in npz if isinstance(n, str)}


def _remove_stale_data(base_gpkg: Path, raster_dir: Path, keep_gpkg: set[str], keep_npz: set[str]) -> None:
    """After the manifest is in place, drop data files neither it nor its backup refers to."""
    prefix = base_gpkg.name[: -len(".gpkg")]
    for f in base_gpkg.parent.glob(f"{glob_escape(prefix)}*.gpkg"):
        if f.name not in keep_gpkg and DATA_GPKG.match(f.name) and (f.name == base_gpkg.name or f.name.startswith(prefix + "-")):
            f.unlink(missing_ok=True)
    if raster_dir.is_dir():
        for f in raster_dir.iterdir():
            if SAFE_NPZ.match(f.name) and f.name not in keep_npz:
                f.unlink()
        if not any(raster_dir.iterdir()):
            raster_dir.rmdir()


# --- open -------------------------------------------------------------------------------------
def open_project(path: str | Path, *, relocate: Relocate | None = None, confirm_outside: ConfirmOutside | None = None,
                 progress: ProgressFn | None = None,
                 cancelled: CancelFn | None = None) -> tuple[Project, list[LoadReport], list[str]]:
    """Open a ``.hsproj`` project: returns the project, the load reports of its source files, warnings.

    A source file that no longer exists is passed to ``relocate(source, layer_name)``, which
    returns its new path or None (the layer is then skipped with a warning). Sources outside the
    project folder are listed to ``confirm_outside(paths)`` before anything is opened; when it
    returns False those layers are skipped. Without ``confirm_outside`` they are opened.
    Raises :class:`ProjectFormatError` for a damaged file or one from a newer app version.
    """
    path = Path(path).absolute()
    manifest = _read_manifest(path)
    folder = path.parent
    gpkg_path, raster_dir = data_paths(path)
    warnings: list[str] = []
    reports: list[LoadReport] = []
    try:
        project = _project_shell(manifest)
        entries = [_check_entry(e, folder) for e in _expect(manifest.get("layers", []), list, "layers")]
    except (KeyError, TypeError, ValueError) as exc:
        raise ProjectFormatError(f"{path.name} is damaged: {exc}") from exc

    sources = _resolve_sources(entries, folder, relocate, confirm_outside, warnings)
    for i, entry in enumerate(entries):
        checkpoint(progress, cancelled, i / max(len(entries), 1), f"opening {entry['name']}")
        try:
            layer = _open_layer(entry, project, sources, gpkg_path, raster_dir, reports, warnings)
        except Cancelled:
            raise
        except LoadError as exc:
            if exc.report is not None:
                reports.append(exc.report)
            warnings.append(f"layer {entry['name']!r} could not be loaded: {exc}")
            continue
        except (KeyError, TypeError, ValueError, OSError) as exc:
            warnings.append(f"layer {entry['name']!r} could not be loaded: {exc}")
            continue
        if layer is not None:
            project.layers.append(layer)
    _restore_equity(project, manifest.get("equity"), warnings)
    project.path = path
    project.modified = False
    checkpoint(progress, cancelled, 1.0, "opened")
    return project, reports, warnings


def _restore_equity(project: Project, saved: Any, warnings: list[str]) -> None:
    """Set the project's equity layer from the manifest (absent or null: none). A malformed
    setting, or one whose population layer did not open, is dropped with a warning."""
    if saved is None:
        return
    try:
        setting = EquitySetting.from_dict(saved)
    except (TypeError, ValueError) as exc:
        warnings.append(f"the equity layer setting was ignored: {exc}")
        return
    if project.layers.by_id(setting.population_layer) is None:
        warnings.append(f"the equity layer setting was ignored: its population layer ({setting.population_layer}) "
                        "did not open")
        return
    project.equity = setting


def _read_manifest(path: Path) -> dict[str, Any]:
    if not path.exists():
        raise ProjectFormatError(f"{path}: project file not found")
    if path.stat().st_size > MAX_MANIFEST_BYTES:
        raise ProjectFormatError(f"{path.name} is too large to be a project file")
    try:
        manifest = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProjectFormatError(f"{path.name} is not a Hotspot Desktop project file (not valid JSON: {exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise ProjectFormatError(f"{path.name} is not a Hotspot Desktop project file")
    version = manifest.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ProjectFormatError(f"{path.name} is damaged: format_version {version!r} is not a version number")
    if version > FORMAT_VERSION:
        raise ProjectFormatError(
            f"{path.name} was saved by a newer Hotspot Desktop (app {manifest.get('app_version', '?')}, project "
            f"format {version}); this version ({hotspot_desktop.__version__}) reads project format "
            f"{FORMAT_VERSION} and older. Update Hotspot Desktop to open it.")
    return manifest


def _expect(value: Any, kind: type | tuple[type, ...], what: str) -> Any:
    if not isinstance(value, kind):
        raise TypeError(f"{what} should be {getattr(kind, '__name__', kind)}, not {type(value).__name__}")
    return value


def _crs_from(d: Any) -> CRS | None:
    if d is None:
        return None
    _expect(d, dict, "crs")
    if d.get("epsg") is not None:
        return CRS.from_epsg(int(d["epsg"]))
    return CRS.from_wkt(_expect(d["wkt"], str, "crs wkt"))


def _project_shell(m: dict[str, Any]) -> Project:
    project = Project(_crs_from(m.get("working_crs")))
    project.display_units = str(m.get("display_units", "m"))
    project.metadata = dict(_expect(m.get("metadata") or {}, dict, "metadata"))
    project.view = dict(_expect(m.get("view") or {}, dict, "view"))
    project.templates = dict(_expect(m.get("templates") or {}, dict, "templates"))
    for a in _expect(m.get("analyses") or [], list, "analyses"):
        _expect(a, dict, "analysis")
        project.analyses.append(AnalysisRecord(tool_id=str(a["tool_id"]),
                                               parameters=dict(_expect(a.get("parameters") or {}, dict, "parameters")),
                                               output_layer_ids=[str(x) for x in a.get("output_layer_ids") or []],
                                               label=str(a.get("label", ""))))
    return project


def _check_entry(e: Any, folder: Path) -> dict[str, Any]:
    _expect(e, dict, "layer entry")
    if not isinstance(e.get("id"), str) or not SAFE_ID.match(e["id"]):
        raise ValueError(f"layer id {e.get('id')!r} is not valid")
    if e.get("kind") not in LAYER_KINDS:
        raise ValueError(f"layer kind {e.get('kind')!r} is unknown")
    _expect(e.get("name"), str, "layer name")
    storage = _expect(e.get("storage"), dict, "layer storage")
    if storage.get("kind") == "gpkg" and storage.get("table") != f"layer_{e['id']}":
        raise ValueError(f"layer {e['name']!r}: table {storage.get('table')!r} does not match its id")
    if storage.get("kind") == "npz" and not SAFE_NPZ.match(str(storage.get("file", ""))):
        raise ValueError(f"layer {e['name']!r}: raster file name {storage.get('file')!r} is not allowed")
    if storage.get("kind") not in ("source", "gpkg", "npz"):
        raise ValueError(f"layer {e['name']!r}: storage {storage.get('kind')!r} is unknown")
    e["_source"] = SourceRef.from_dict(_expect(e.get("source") or {}, dict, "layer source"), base=folder)
    return e


def _is_inside(path: Path, folder: Path) -> bool:
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except OSError:
        return False


def _resolve_sources(entries: list[dict[str, Any]], folder: Path, relocate: Relocate | None,
                     confirm_outside: ConfirmOutside | None, warnings: list[str]) -> dict[str, Path]:
    """Layer id -> the file to load, for source-backed layers that may be opened."""
    found: dict[str, Path] = {}
    outside: dict[str, Path] = {}
    for e in entries:
        if e["storage"]["kind"] != "source":
            continue
        raw = e["source"].get("path")
        if not raw or "://" in str(raw) or str(raw).startswith("/vsi"):
            warnings.append(f"layer {e['name']!r}: source {raw!r} is not a local file; layer skipped")
            continue
        p = e["_source"].path
        if p.exists():
            (found if _is_inside(p, folder) else outside)[e["id"]] = p
            continue
        new = relocate(e["_source"], e["name"]) if relocate is not None else None
        if new is not None and Path(new).exists():
            found[e["id"]] = Path(new).absolute()
            warnings.append(f"layer {e['name']!r}: source {p} was missing; using {Path(new).absolute()}")
        else:
            warnings.append(f"layer {e['name']!r}: source file {p} not found; layer skipped")
    if outside:
        paths = sorted(set(outside.values()))
        if confirm_outside is None or confirm_outside(paths):
            found.update(outside)
        else:
            for e in entries:
                if e["id"] in outside:
                    warnings.append(f"layer {e['name']!r}: source {outside[e['id']]} is outside the project "
                                    "folder and was not confirmed; layer skipped")
    return found


def _open_layer(e: dict[str, Any], project: Project, sources: dict[str, Path], gpkg_path: Path,
                raster_dir: Path, reports: list[LoadReport], warnings: list[str]) -> Layer | None:
    from hotspot_desktop.core.io import loaders

    storage = e["storage"]
    saved_source: SourceRef = e["_source"]
    if storage["kind"] == "source":
        if e["id"] not in sources:
            return None
        file = sources[e["id"]]
        options, ignored = loaders.reload_options(SourceRef(file, saved_source.format, saved_source.layer,
                                                            saved_source.options))
        if ignored:
            warnings.append(f"layer {e['name']!r}: ignored unknown loader options {', '.join(ignored)}")
        layer, report = loaders.load_file(file, project.working_crs, **options)
        reports.append(report)
        if project.working_crs is None:
            project.working_crs = loaders.settle_working_crs(layer, report)
        if layer.kind != e["kind"]:
            warnings.append(f"layer {e['name']!r}: the file now gives a {layer.kind} layer, not {e['kind']}")
        layer.source = SourceRef(path=file, format=saved_source.format or layer.source.format,
                                 layer=saved_source.layer, options=dict(saved_source.options))
    elif storage["kind"] == "gpkg":
        if storage.get("file") is not None:
            name = storage["file"]
            if not isinstance(name, str) or not DATA_GPKG.match(name):
                raise ValueError(f"bad data file name {name!r}")
            gpkg_path = gpkg_path.with_name(name)
        if not gpkg_path.exists():
            raise OSError(f"data file {gpkg_path.name} is missing")
        gdf = pdata.restore_frame(pdata.read_table(gpkg_path, storage["table"], project.working_crs),
                                  storage.get("columns") or {})
        layer = pdata.layer_from_table(e["kind"], e["name"], gdf, e.get("geometry_kind"))
        layer.source = saved_source
        layer.data_version = 1  # it differs from any source file: keep storing it in the project
    else:
        layer = pdata.read_raster_npz(raster_dir / storage["file"], e["name"])
        layer.source = saved_source
        layer.data_version = 1
    layer.id = e["id"]
    layer.name = e["name"]
    layer.visible = bool(e.get("visible", True))
    layer.opacity = float(e.get("opacity", 1.0))
    layer.style = LayerStyle.from_dict(_expect(e.get("style") or {}, dict, "style"))
    if e.get("source_crs") is not None:
        layer.source_crs = _crs_from(e["source_crs"])
    if e.get("provenance"):
        layer.provenance = Provenance.from_dict(_expect(e["provenance"], dict, "provenance"))
    if isinstance(layer, PointLayer) and e.get("filter"):
        layer.filter = PointFilter.from_dict(_expect(e["filter"], dict, "filter"))
    if isinstance(layer, PointLayer) and e.get("role") is not None:
        if e["role"] not in POINT_ROLES:
            raise ValueError(f"point layer role {e['role']!r} is unknown")
        layer.role = e["role"]
    if isinstance(layer, VectorLayer) and e.get("geometry_kind") in ("point", "line", "polygon"):
        layer.geometry_kind = e["geometry_kind"]
    return layer
