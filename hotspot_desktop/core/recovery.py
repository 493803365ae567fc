"""Recovery files for unsaved zone edits (autosave), Qt-free.

One JSON file per project in a recovery folder (the GUI passes the user's data folder), named
by a hash of the project's path (``untitled`` for a project never saved). It holds every zone
layer as GeoJSON in the working CRS, plus the CRS, the project path and the time it was
written. Files are written atomically, so a crash while writing leaves the previous one intact.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
from pyproj import CRS

from hotspot_desktop.core.io.atomic import atomic_write
from hotspot_desktop.core.model import Project, ZoneLayer

FORMAT = "hotspot-desktop-zone-recovery"
VERSION = 1


@dataclass(frozen=True)
class Recovery:
    """A recovery file read back: when it was written and the zone layers it holds."""

    path: Path
    project_path: Path | None
    written: _dt.datetime  # UTC
    layers: tuple[ZoneLayer, ...]

    def zone_count(self) -> int:
        return sum(len(layer) for layer in self.layers)


def recovery_file(folder: Path, project_path: Path | None) -> Path:
    """The recovery file of the project saved at ``project_path`` (None: an untitled project)."""
    if project_path is None:
        key = "untitled"
    else:
        key = hashlib.sha256(str(Path(project_path).absolute()).encode("utf-8")).hexdigest()[:16]
    return Path(folder) / f"zones-{key}.json"


def write_recovery(folder: Path, project: Project) -> Path:
    """Write the project's zone layers to its recovery file (atomically); returns the file."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    target = recovery_file(folder, project.path)
    crs = project.working_crs
    payload = {
        "format": FORMAT,
        "version": VERSION,
        "project_path": None if project.path is None else str(Path(project.path).absolute()),
        "written": _dt.datetime.now(_dt.UTC).isoformat(),
        "crs": None if crs is None else crs.to_wkt(),
        "layers": [{"id": layer.id, "name": layer.name, "features": json.loads(_plain(layer).to_json())}
                   for layer in project.layers.of_kind("zones")],
    }
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    atomic_write(target, lambda fh: fh.write(data))
    return target


def _plain(layer: ZoneLayer) -> gpd.GeoDataFrame:
    """Zones with values JSON can hold (dates and numpy scalars as text/numbers)."""
    gdf = layer.gdf.copy()
    for col in gdf.columns:
        if col != gdf.geometry.name and gdf[col].dtype.kind == "M":
            gdf[col] = gdf[col].dt.strftime("%Y-%m-%d").fillna("")
    return gdf


def read_recovery(path: Path) -> Recovery:
    """Read a recovery file written by :func:`write_recovery`."""
    payload = json.loads(Path(path).read_text(encoding="utf-8"))
    if payload.get("format") != FORMAT:
        raise ValueError(f"{path} is not a zone recovery file")
    crs = CRS.from_wkt(payload["crs"]) if payload.get("crs") else None
    layers = []
    for entry in payload.get("layers", []):
        feats = entry["features"]
        gdf = gpd.GeoDataFrame.from_features(feats["features"], crs=crs) if feats.get("features") else None
        if gdf is not None and "priority" in gdf.columns:
            gdf["priority"] = gdf["priority"].fillna(0).astype("int64")
        layers.append(ZoneLayer(entry.get("name", "Zones"), gdf, crs=crs, layer_id=entry.get("id")))
    written = _dt.datetime.fromisoformat(payload["written"])
    project_path = Path(payload["project_path"]) if payload.get("project_path") else None
    return Recovery(Path(path), project_path, written, tuple(layers))


def pending_recovery(folder: Path, project_path: Path | None) -> Recovery | None:
    """The recovery of a project if one exists and is newer than the saved project file."""
    path = recovery_file(folder, project_path)
    if not path.is_file():
        return None
    try:
        rec = read_recovery(path)
    except (ValueError, KeyError, OSError):
        return None
    if project_path is not None and Path(project_path).is_file():
        saved = _dt.datetime.fromtimestamp(Path(project_path).stat().st_mtime, _dt.UTC)
        if rec.written <= saved:
            return None
    return rec


def clear_recovery(folder: Path, project_path: Path | None) -> None:
    """Remove the project's recovery file (after a save or a deliberate discard)."""
    recovery_file(folder, project_path).unlink(missing_ok=True)


def restore(project: Project, rec: Recovery) -> list[ZoneLayer]:
    """Put the recovered zones into ``project``: a zone layer with the same id (else name) gets
    the recovered zones; one the project lacks is added. Returns the layers changed or added."""
    touched = []
    for saved in rec.layers:
        target = project.layers.by_id(saved.id)
        if target is None or target.kind != "zones":
            target = next((lyr for lyr in project.layers.of_kind("zones") if lyr.name == saved.name), None)
        if target is None:
            project.layers.append(saved)
            touched.append(saved)
            continue
        gdf = saved.gdf
        if project.working_crs is not None and gdf.crs is not None and gdf.crs != project.working_crs:
            gdf = gdf.to_crs(project.working_crs)
        target.gdf = gdf.reset_index(drop=True)
        target.data_changed()
        touched.append(target)
    return touched
