"""Writing tool outputs by file extension (headless CLI and the GUI's save actions).

=========  ============================================================================
Extension  What is written
=========  ============================================================================
.gpkg      GeoPackage (vector layers; rasters as one square polygon per cell)
.geojson   GeoJSON in WGS 84 longitude/latitude (RFC 7946 requires it)
.json      same as .geojson
.shp       ESRI Shapefile (field names cut to 10 characters by the format)
.csv       vector: attributes plus x/y (points) or WKT geometry; tables as they are
.asc       ESRI ASCII Grid + .prj (rasters only; extra bands beside it as NAME_band.asc)
=========  ============================================================================

Every CSV is neutralised against spreadsheet formula injection: a text cell starting with
``= + - @`` (or a tab / carriage return) is prefixed with a single quote, so an offence
description such as ``=HYPERLINK(...)`` is shown, never executed (OWASP "CSV Injection").
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd
from pyproj import CRS

from hotspot_desktop.core.model import Layer, PointLayer, RasterLayer, VectorLayer

if TYPE_CHECKING:
    from hotspot_desktop.tools.base import ChartSpec, ToolResult

VECTOR_DRIVERS = {".gpkg": "GPKG", ".geojson": "GeoJSON", ".json": "GeoJSON", ".shp": "ESRI Shapefile"}
VECTOR_EXTENSIONS = (*VECTOR_DRIVERS, ".csv")
RASTER_EXTENSIONS = (".asc", *VECTOR_EXTENSIONS)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: Any) -> Any:
    """Prefix a text cell that a spreadsheet would read as a formula with a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells (and column names) are formula-safe."""
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if isinstance(s.dtype, pd.CategoricalDtype) or s.dtype == object or pd.api.types.is_string_dtype(s):
            out[col] = s.astype(object).map(neutralise_cell)
    out.columns = [neutralise_cell(str(c)) for c in out.columns]
    return out


def write_table_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a table as UTF-8 CSV (no index), formula-safe."""
    path = Path(path)
    neutralise_frame(frame).to_csv(path, index=False, encoding="utf-8")
    return path


def slug(text: str) -> str:
    """A file-name-safe short form of ``text``."""
    s = re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").lower()
    return s[:40] or "output"


def _plain_columns(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    gdf = gdf.copy()
    for col in gdf.columns:
        if col != gdf.geometry.name and isinstance(gdf[col].dtype, pd.CategoricalDtype):
            gdf[col] = gdf[col].astype(str)
    return gdf


def layer_frame(layer: Layer, crs: CRS | None) -> gpd.GeoDataFrame:
    """The features of any layer as a GeoDataFrame in ``crs`` (rasters as cell polygons)."""
    if isinstance(layer, RasterLayer):
        from hotspot_desktop.core.io.raster_io import raster_to_cell_polygons

        return raster_to_cell_polygons(layer, crs)
    if isinstance(layer, PointLayer):
        return layer.to_geodataframe(crs)
    if isinstance(layer, VectorLayer):
        gdf = layer.gdf
        if gdf.crs is None and crs is not None:
            gdf = gdf.set_crs(crs)
        return gdf
    raise TypeError(f"cannot write a {type(layer).__name__}")


def write_vector(gdf: gpd.GeoDataFrame, path: str | Path, layer_name: str | None = None) -> Path:
    """Write features by extension (see the module table)."""
    path = Path(path)
    ext = path.suffix.lower()
    gdf = _plain_columns(gdf)
    if ext == ".csv":
        frame = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
        geoms = gdf.geometry
        if len(gdf) and (geoms.geom_type == "Point").all():
            frame["x"], frame["y"] = geoms.x.to_numpy(), geoms.y.to_numpy()
        else:
            frame["wkt"] = geoms.to_wkt()
        return write_table_csv(frame, path)
    if ext not in VECTOR_DRIVERS:
        raise ValueError(f"cannot write features to {ext or 'a file without extension'}; "
                         f"use one of {', '.join(VECTOR_EXTENSIONS)}")
    if VECTOR_DRIVERS[ext] == "GeoJSON" and gdf.crs is not None:
        gdf = gdf.to_crs(4326)
    if path.exists() and ext != ".gpkg":
        path.unlink()  # GeoJSON/Shapefile drivers refuse to overwrite
    kwargs: dict[str, Any] = {"driver": VECTOR_DRIVERS[ext]}
    if ext == ".gpkg":
        kwargs["layer"] = slug(layer_name or path.stem)
    with warnings.catch_warnings():
        # Shapefile truncates field names to 10 characters: a documented property of the format
        # (module table), not something to alarm the analyst with on every export.
        warnings.filterwarnings("ignore", message=".*(truncated|laundered).*")
        gdf.to_file(path, **kwargs)
    return path


def write_layer(layer: Layer, path: str | Path, crs: CRS | None) -> list[Path]:
    """Write one layer; rasters go to .asc (+ bands) or to cell polygons in a vector format."""
    path = Path(path)
    ext = path.suffix.lower()
    if isinstance(layer, RasterLayer) and ext == ".asc":
        from hotspot_desktop.core.io.raster_io import write_asc

        written = [write_asc(layer, path, crs)]
        for band in layer.bands:
            written.append(write_asc(layer, path.with_name(f"{path.stem}_{slug(band)}.asc"), crs, band=band))
        return written
    if ext == ".asc":
        raise ValueError(f"{layer.name} is not a grid; write it as .gpkg, .geojson, .shp or .csv")
    return [write_vector(layer_frame(layer, crs), path, layer.name)]


def write_chart_csv(spec: "ChartSpec", path: str | Path) -> Path:
    """A chart's data (x and one column per series) as CSV."""
    frame = pd.DataFrame({spec.x_label or "x": list(spec.x)})
    for label, ys in spec.series.items():
        frame[label] = list(ys)[: len(frame)] + [None] * max(0, len(frame) - len(ys))
    lanes = getattr(spec, "lanes", None)
    if spec.kind == "timeline" and lanes and "lane" in frame.columns:
        # A timeline's lanes are indices into spec.lanes ("Mon 06 Jan · Late-1"): name them too.
        frame.insert(frame.columns.get_loc("lane") + 1, "lane_name",
                     [lanes[int(i)] if 0 <= int(i) < len(lanes) else "" for i in frame["lane"]])
    return write_table_csv(frame, path)


def write_result(result: "ToolResult", out: str | Path, crs: CRS | None) -> list[Path]:
    """Write every output of a tool run, named after ``out``.

    The first layer goes to ``out`` itself, further layers to ``STEM_2.EXT``...; tables to
    ``STEM_<table>.csv`` and chart data to ``STEM_<chart>.csv``. When the run made no layer and
    ``out`` ends in .csv, the first table goes to ``out``.
    """
    out = Path(out)
    written: list[Path] = []
    for i, layer in enumerate(result.layers):
        target = out if i == 0 else out.with_name(f"{out.stem}_{i + 1}{out.suffix}")
        written += write_layer(layer, target, crs)
    tables = list(result.tables)
    if not result.layers and tables and out.suffix.lower() == ".csv":
        written += tables.pop(0).write_csv(out)
    for t in tables:
        written += t.write_csv(out.with_name(f"{out.stem}_{slug(t.name or t.title)}.csv"))
    for c in result.charts:
        written.append(write_chart_csv(c, out.with_name(f"{out.stem}_{slug(c.title)}_chart.csv")))
    return written
