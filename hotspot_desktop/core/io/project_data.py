"""Layer data kept inside a project (no source file): the data GeoPackage and raster ``.npz`` files.

Part of the project format (docs/PROJECT_FORMAT.md). Vector, zone and point layers without a
loadable source file go into ``NAME.hsdata.gpkg``, one table ``layer_<id>`` each, in the working
CRS. Rasters without a source go into ``NAME.hsdata/<id>-<hash>.npz`` (``numpy.savez``, read back
with ``allow_pickle=False`` so a project file can never run code). Every file is written to a
temporary file in the same folder, flushed, fsynced and moved into place with ``os.replace``.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
from pyproj import CRS

from hotspot_desktop.core.io.atomic import atomic_write
from hotspot_desktop.core.model import Layer, PointLayer, RasterLayer, VectorLayer, ZoneLayer

SAFE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
SAFE_NPZ = re.compile(r"^[A-Za-z0-9_-]{1,64}-[0-9a-f]{16}\.npz$")


class ProjectFormatError(Exception):
    """A project file that is not one, is damaged, or comes from a newer version of the app."""


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


# --- the data GeoPackage ----------------------------------------------------------------------
def layer_frame(layer: Layer, crs: CRS | None) -> gpd.GeoDataFrame:
    """The GeoDataFrame of a point/vector/zone layer as stored (working CRS)."""
    if isinstance(layer, PointLayer):
        return layer.to_geodataframe(crs)
    assert isinstance(layer, VectorLayer)
    gdf = layer.gdf
    return gdf if gdf.crs is not None or crs is None else gdf.set_crs(crs)


def storable(gdf: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, dict[str, Any]]:
    """Columns GeoPackage can hold, plus what it takes to restore the pandas dtypes."""
    out = gdf.copy()
    meta: dict[str, Any] = {"categorical": [], "json": [], "dtypes": {}}
    for col in out.columns:
        if col == out.geometry.name:
            continue
        s = out[col]
        meta["dtypes"][col] = str(s.dtype)
        if isinstance(s.dtype, pd.CategoricalDtype):
            meta["categorical"].append(col)
            out[col] = s.astype(object).where(s.notna(), None)
        elif s.dtype == object and s.map(lambda v: isinstance(v, (list, tuple, dict, np.ndarray))).any():
            meta["json"].append(col)
            out[col] = s.map(lambda v: None if v is None else json.dumps(
                v.tolist() if isinstance(v, np.ndarray) else v, default=str))
    return out, meta


def restore_frame(gdf: gpd.GeoDataFrame, meta: dict[str, Any]) -> gpd.GeoDataFrame:
    for col in meta.get("json", []):
        if col in gdf.columns:
            gdf[col] = gdf[col].map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v))
                                    else json.loads(v))
    for col in meta.get("categorical", []):
        if col in gdf.columns:
            gdf[col] = gdf[col].astype("category")
    for col, dtype in (meta.get("dtypes") or {}).items():
        if col in gdf.columns and str(dtype).startswith("datetime64") and str(gdf[col].dtype) != dtype:
            try:
                col_tz = getattr(gdf[col].dt, "tz", None)
                if col_tz is not None and "," not in dtype:  # GDAL may hand naive times back marked UTC
                    gdf[col] = gdf[col].dt.tz_localize(None)
                gdf[col] = gdf[col].astype(dtype)
            except (TypeError, ValueError):
                pass  # keep what GeoPackage gave back rather than fail the whole open
    return gdf


def write_data_gpkg(path: Path, frames: dict[str, gpd.GeoDataFrame]) -> None:
    """Write every table (frames from :func:`storable`) into a temp GeoPackage and move it over ``path``."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp.gpkg")
    try:
        tmp.unlink(missing_ok=True)
        for table, gdf in frames.items():
            pyogrio.write_dataframe(gdf, tmp, layer=table, driver="GPKG",
                                    geometry_type=None if len(gdf) else "Unknown")
        _fsync_file(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def read_table(path: Path, table: str, crs: CRS | None) -> gpd.GeoDataFrame:
    gdf = pyogrio.read_dataframe(path, layer=table, use_arrow=True)
    if crs is not None:
        gdf = gdf.set_crs(crs, allow_override=True)
    return gdf


def layer_from_table(kind: str, name: str, gdf: gpd.GeoDataFrame, geometry_kind: str | None) -> Layer:
    if kind == "points":
        xs = gdf.geometry.x.to_numpy()
        ys = gdf.geometry.y.to_numpy()
        return PointLayer(name, xs, ys, pd.DataFrame(gdf.drop(columns=gdf.geometry.name)))
    if kind == "zones":
        return ZoneLayer(name, gdf)
    return VectorLayer(name, gdf, geometry_kind=geometry_kind)  # type: ignore[arg-type]


# --- rasters ----------------------------------------------------------------------------------
def raster_file_name(layer: RasterLayer) -> str:
    return f"{layer.id}-{layer.content_hash()}.npz"


def write_raster_npz(path: Path, layer: RasterLayer) -> None:
    names = list(layer.bands)
    arrays = {"values": np.asarray(layer.values, dtype=np.float64),
              "geometry": np.array([layer.x0, layer.y0, layer.cell_size], dtype=np.float64),
              "band_names": np.array(names, dtype=str)}
    for i, n in enumerate(names):
        arrays[f"band{i}"] = np.asarray(layer.bands[n], dtype=np.float64)
    atomic_write(path, lambda fh: np.savez(fh, allow_pickle=False, **arrays))


def read_raster_npz(path: Path, name: str) -> RasterLayer:
    with np.load(path, allow_pickle=False) as data:
        x0, y0, cell = (float(v) for v in data["geometry"])
        layer = RasterLayer(name, data["values"], x0, y0, cell)
        for i, band in enumerate(data["band_names"].tolist()):
            layer.bands[str(band)] = np.asarray(data[f"band{i}"], dtype=np.float64)
    return layer
