"""Export and import of patrol zones as Shapefile, GeoPackage, GeoJSON or KML.

Every attribute of the zone schema (``ZONE_COLUMNS``) travels with the zones. Shapefile field
names are cut to 10 characters and KML stores names in its own ``Name`` / ``Description``
elements, so import maps known variants back to the schema. Geometry is written in the working
CRS or any CRS the caller gives (WGS 84 for KML, which only knows longitude/latitude).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
from pyproj import CRS

from hotspot_desktop.core.crs import WGS84
from hotspot_desktop.core.model import ZONE_COLUMNS, ZoneLayer

# GDAL driver by file suffix.
FORMATS = {".shp": "ESRI Shapefile", ".gpkg": "GPKG", ".geojson": "GeoJSON", ".json": "GeoJSON", ".kml": "KML"}
FILE_FILTER = ("Zone files (*.gpkg *.shp *.geojson *.json *.kml);;GeoPackage (*.gpkg);;Shapefile (*.shp);;"
               "GeoJSON (*.geojson *.json);;KML (*.kml)")
LAYER_NAME = "zones"
# Attribute names other tools (or a 10-character Shapefile field limit) give the schema columns.
ALIASES = {"zone_id": ("zoneid", "zone_i"), "name": ("name", "title"), "notes": ("description", "note"),
           "priority": ("priorit", "prio"), "start": ("zone_start", "zone_star", "start_date"),
           "end": ("zone_end", "end_date")}
# KML has its own begin/end (a TimeSpan, read back as datetimes) and display fields; our dates
# travel as zone_start/zone_end and these fields are dropped on import.
KML_RENAME = {"start": "zone_start", "end": "zone_end"}
KML_HOUSEKEEPING = ("id", "timestamp", "begin", "end", "altitudemode", "tessellate", "extrude", "visibility",
                    "draworder", "icon", "snippet")


class ZoneFileError(ValueError):
    """A zone file that cannot be read or written (message for the user)."""


def kml_driver() -> str:
    """The KML driver this GDAL build has: LIBKML (keeps every attribute) if present, else KML."""
    drivers = pyogrio.list_drivers()
    if "w" in drivers.get("LIBKML", ""):
        return "LIBKML"
    if "w" in drivers.get("KML", ""):
        return "KML"
    raise ZoneFileError("This installation has no KML driver.")


def driver_for(path: Path) -> str:
    driver = FORMATS.get(path.suffix.lower())
    if driver is None:
        raise ZoneFileError(f"{path.name}: zones can be saved as {', '.join(sorted(set(FORMATS)))}.")
    return kml_driver() if driver == "KML" else driver


def zones_frame(layer: ZoneLayer, crs: CRS | None = None) -> gpd.GeoDataFrame:
    """The zones with the schema columns first, as plain strings/integers, in ``crs``."""
    gdf = layer.gdf
    extra = [c for c in gdf.columns if c not in ZONE_COLUMNS and c != gdf.geometry.name]
    out = gpd.GeoDataFrame(gdf[list(ZONE_COLUMNS) + extra].copy(), geometry=gdf.geometry.values, crs=gdf.crs)
    for col in ZONE_COLUMNS:
        if col == "priority":
            out[col] = pd.to_numeric(out[col], errors="coerce").fillna(0).astype(np.int64)
        else:
            out[col] = out[col].map(_text)
    if crs is not None and out.crs is not None and CRS.from_user_input(crs) != CRS.from_user_input(out.crs):
        out = out.to_crs(crs)
    elif crs is not None and out.crs is None:
        out = out.set_crs(crs)
    return out


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return str(value)


def export_zones(layer: ZoneLayer, path: str | Path, crs: CRS | None = None) -> Path:
    """Write ``layer``'s zones to ``path`` (format from the suffix) in ``crs`` (default: the
    layer's CRS; KML is always WGS 84). Replaces an existing file. Returns the path."""
    path = Path(path)
    driver = driver_for(path)
    if driver in ("KML", "LIBKML"):
        crs = WGS84
    frame = zones_frame(layer, crs)
    if driver in ("KML", "LIBKML"):
        frame = frame.rename(columns=KML_RENAME)
    if driver == "ESRI Shapefile":
        for suffix in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
            path.with_suffix(suffix).unlink(missing_ok=True)
    else:
        path.unlink(missing_ok=True)
    kwargs = {"layer": LAYER_NAME} if driver in ("GPKG", "KML", "LIBKML") else {}
    if driver == "ESRI Shapefile":
        kwargs["encoding"] = "UTF-8"
    pyogrio.write_dataframe(frame, path, driver=driver, **kwargs)
    return path


def import_zones(path: str | Path, working_crs: CRS | None, name: str | None = None) -> ZoneLayer:
    """Read zones from ``path`` into a ZoneLayer in ``working_crs``, mapping attribute names back
    to the zone schema (Shapefile-truncated and KML names included). Non-polygon features are
    refused."""
    path = Path(path)
    try:
        layers = pyogrio.list_layers(path)
        gdf = pyogrio.read_dataframe(path, layer=str(layers[0][0]) if len(layers) else None)
    except Exception as exc:
        raise ZoneFileError(f"{path.name} could not be read: {exc}") from exc
    if len(gdf) and not gdf.geom_type.isin(["Polygon", "MultiPolygon"]).all():
        raise ZoneFileError(f"{path.name} holds features that are not polygons; zones must be areas.")
    if gdf.crs is None:
        raise ZoneFileError(f"{path.name} has no coordinate reference system.")
    if working_crs is not None:
        gdf = gdf.to_crs(working_crs)
    if path.suffix.lower() == ".kml":
        gdf = gdf.drop(columns=[c for c in gdf.columns if c.lower() in KML_HOUSEKEEPING])
        if "description" in gdf.columns and "notes" in gdf.columns and gdf["description"].isna().all():
            gdf = gdf.drop(columns="description")
    gdf = _map_columns(gdf)
    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty].reset_index(drop=True)
    gdf = gpd.GeoDataFrame(gdf, geometry=gdf.geometry.name, crs=gdf.crs)
    # KML readers add 2.5D coordinates; zones are flat.
    gdf = gdf.set_geometry(gdf.geometry.force_2d())
    return ZoneLayer(name or path.stem, gdf, crs=gdf.crs)


def _map_columns(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    lower = {c.lower(): c for c in gdf.columns if c != gdf.geometry.name}
    rename: dict[str, str] = {}
    for col in ZONE_COLUMNS:
        if col in gdf.columns:
            continue
        for alias in (col, *ALIASES.get(col, ())):
            src = lower.get(alias)
            if src is not None and src not in rename and src not in ZONE_COLUMNS:
                rename[src] = col
                break
    gdf = gdf.rename(columns=rename)
    for col in ZONE_COLUMNS:
        if col not in gdf.columns:
            gdf[col] = 0 if col == "priority" else ""
        elif col == "priority":
            gdf[col] = pd.to_numeric(gdf[col], errors="coerce").fillna(0).astype(np.int64)
        else:
            gdf[col] = gdf[col].map(_text)
    return gdf
