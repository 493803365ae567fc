"""Load vector files (Shapefile, zipped Shapefile, GeoPackage, GeoJSON, KML) into layers.

pyogrio with Arrow (``use_arrow=True``) does every bulk read, because it is about 25x faster
than fiona (1M GeoPackage points: ~0.95 s against ~24 s); fiona serves only to salvage, record by
record, a file whose some records are broken, where pyogrio fails (or stops) wholesale.

Points become a :class:`PointLayer` (coordinate arrays, canonical ``time``/``offence``/
``incident_id`` columns when recognisable by name), lines and polygons a :class:`VectorLayer`;
both are reprojected into the working CRS and keep ``source_crs``. Every feature read is
accounted for in the :class:`LoadReport`: empty/null geometries are rejected (``empty_geometry``),
unreadable records rejected (``unreadable_record``), invalid geometries kept and flagged
(``invalid_geometry``, repaired with shapely ``make_valid`` when asked).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyogrio
import shapely
from pyproj import CRS

from hotspot_desktop.core.crs import WGS84, choose_working_crs, transform_xy
from hotspot_desktop.core.io.report import REASONS, Cancelled, LoadError, LoadReport
from hotspot_desktop.core.io.vector_sources import VectorSource, list_layers, resolve
from hotspot_desktop.core.model import Layer, PointLayer, SourceRef, VectorLayer, infer_geometry_kind
from hotspot_desktop.core.progress import CancelFn, ProgressFn, checkpoint

__all__ = ["CrsRequired", "load_vector", "list_layers", "crs_label", "crs_to_option"]

FIRST_ROWS = 10
ARROW_BATCH = 100_000  # features per Arrow batch: one progress step each
# KML fields GDAL's LIBKML driver adds for styling; dropped when they carry nothing (all equal).
KML_STYLE_FIELDS = ("id", "timestamp", "begin", "end", "altitudeMode", "tessellate", "extrude", "visibility",
                    "drawOrder", "icon")
# Column names recognised for the canonical point columns (lower case, exact match, first wins).
TIME_NAMES = ("time", "datetime", "date_time", "date", "timestamp", "occurred", "occurred_on", "incident_date",
              "occurrence_date", "reported_date", "date_occ")
OFFENCE_NAMES = ("offence", "offense", "offence_type", "offense_type", "crime_type", "primary_type", "crime",
                 "category", "type")
ID_NAMES = ("incident_id", "case_number", "case_id", "event_id", "incident_number", "report_number")


class CrsRequired(LoadError):
    """The file declares no coordinate reference system; load again with ``crs=`` (the GUI asks)."""


def crs_label(crs: CRS | None) -> str | None:
    """Short text for a CRS: ``EPSG:n`` when it has a code, else its name."""
    if crs is None:
        return None
    code = crs.to_epsg(min_confidence=90)
    return f"EPSG:{code}" if code else crs.name


def crs_to_option(crs: CRS) -> str:
    """A JSON-safe string that ``CRS.from_user_input`` turns back into ``crs``."""
    code = crs.to_epsg(min_confidence=90)
    return f"EPSG:{code}" if code else crs.to_wkt()


def load_vector(path: str | Path, working_crs: CRS | None = None, *, layer: str | None = None,
                crs: CRS | str | None = None, repair: bool = False, progress: ProgressFn | None = None,
                cancelled: CancelFn | None = None) -> tuple[Layer, LoadReport]:
    """Read one layer of a vector file into a PointLayer or VectorLayer in ``working_crs``.

    ``layer`` picks a GeoPackage/KML layer or a shapefile inside a zip (a zip holding several
    needs it). ``crs`` is the CRS of data whose file declares none (a shapefile without ``.prj``);
    without it such files raise :class:`CrsRequired`. When ``working_crs`` is None it is chosen
    by :func:`hotspot_desktop.core.crs.choose_working_crs` and reported as ``detected["working_crs"]``.
    """
    path = Path(path)
    report = LoadReport(source=path.name)
    checkpoint(progress, cancelled, 0.0, "opening")
    src = resolve(path, layer)
    report.detected["format"] = src.format
    if src.layer is not None:
        report.detected["layer"] = src.layer
    if len(src.layers) > 1:
        report.detected["layers"] = list(src.layers)
    if src.encoding is not None:
        report.detected["encoding"] = src.encoding
        report.detected["encoding_source"] = src.encoding_source
    report.warnings.extend(src.notes)

    info = _read_info(src, report)
    source_crs = _source_crs(src, info, crs, report)
    options: dict[str, Any] = {}
    if crs is not None:
        options["crs"] = crs_to_option(source_crs)
    if repair:
        options["repair"] = True
    source = SourceRef(path=path.resolve(), format=src.format, layer=src.layer, options=options)
    checkpoint(progress, cancelled, 0.05, "reading")
    fast = _read_points_fast(src, info, progress, cancelled) if info.get("geometry_type") == "Point" else None
    if fast is not None:
        result: Layer = _fast_point_layer(src, fast, source_crs, working_crs, source, report, progress, cancelled)
        report.rows_kept = len(result)
        checkpoint(progress, cancelled, 1.0, "done")
        return result, report

    gdf, rows = _read(src, info, report, progress, cancelled)
    report.rows_read = int(rows.size) + report.rows_rejected
    checkpoint(progress, cancelled, 0.7, "checking geometries")

    gdf, rows = _drop_damaged(src, gdf, rows, report)
    gdf, rows = _drop_empty(gdf, rows, report)
    gdf = _check_validity(gdf, rows, report, repair)
    if src.format == "kml":
        gdf = _drop_constant_kml_fields(gdf, report)
    gdf = gdf.set_crs(source_crs, allow_override=True)
    report.detected["columns"] = [c for c in gdf.columns if c != gdf.geometry.name]
    report.detected["geometry_type"] = _geometry_type(gdf)
    if working_crs is None:
        working_crs = choose_working_crs([source_crs], _lonlat_centre(gdf.total_bounds if len(gdf) else None,
                                                                      source_crs))
    report.detected["working_crs"] = crs_to_option(working_crs)  # parseable: callers adopt it
    checkpoint(progress, cancelled, 0.85, "reprojecting")

    name = _layer_name(src)
    kinds = set(gdf.geom_type.unique())
    if kinds and kinds <= {"Point", "MultiPoint"}:
        result = _point_layer(name, gdf, rows, source_crs, working_crs, source, report)
    else:
        if kinds & {"Point", "MultiPoint"} and kinds - {"Point", "MultiPoint"}:
            report.warnings.append(f"mixed geometry types ({', '.join(sorted(kinds))}); loaded as one layer")
        out = gdf.to_crs(working_crs) if source_crs != working_crs else gdf
        result = VectorLayer(name, out, geometry_kind=infer_geometry_kind(out), source=source,
                             source_crs=source_crs)
    report.rows_kept = len(result)
    checkpoint(progress, cancelled, 1.0, "done")
    return result, report


def _read_info(src: VectorSource, report: LoadReport) -> dict[str, Any]:
    try:
        return pyogrio.read_info(src.gdal_path, layer=src.gdal_layer, encoding=src.encoding)
    except Exception as exc:  # any failure to read metadata means the file cannot be used
        raise LoadError(f"{src.path.name}: cannot be read ({exc})", report) from exc


def _source_crs(src: VectorSource, info: dict[str, Any], crs: CRS | str | None, report: LoadReport) -> CRS:
    declared = CRS.from_user_input(info["crs"]) if info.get("crs") else None
    given = CRS.from_user_input(crs) if crs is not None else None
    if declared is None:
        what = "no .prj file" if src.format.startswith("shapefile") else "no coordinate reference system"
        if given is None:
            report.warnings.append(f"{what}: the coordinate reference system is unknown")
            raise CrsRequired(f"{src.path.name}: {what}; say which coordinate reference system the "
                              "coordinates are in", report)
        report.warnings.append(f"{what}: using the CRS given, {crs_label(given)}")
        report.detected["crs"], report.detected["crs_source"] = crs_label(given), "user"
        return given
    if given is not None and given != declared:
        report.warnings.append(f"the file declares {crs_label(declared)}; using the CRS given, "
                               f"{crs_label(given)}")
        report.detected["crs"], report.detected["crs_source"] = crs_label(given), "user"
        return given
    report.detected["crs"], report.detected["crs_source"] = crs_label(declared), "file"
    return declared


def _read(src: VectorSource, info: dict[str, Any], report: LoadReport, progress: ProgressFn | None,
          cancelled: CancelFn | None) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """Bulk read with pyogrio+Arrow; salvage with fiona when that fails or returns too few rows."""
    failure = None
    if not _truncated_dbf(src):
        try:
            gdf = pyogrio.read_dataframe(src.gdal_path, layer=src.gdal_layer, encoding=src.encoding, use_arrow=True,
                                         force_2d=True, on_invalid="ignore")
            expected = info["features"]
            if expected < 0 or len(gdf) == expected:
                report.detected["engine"] = "pyogrio"
                return gdf, np.arange(1, len(gdf) + 1)
            failure = f"{len(gdf)} of {expected} features could be read in bulk"
        except Exception as exc:  # pyogrio fails wholesale on one broken record; salvage below
            failure = str(exc)
    else:
        failure = (f"the .dbf is truncated: it declares {src.dbf_records_declared} records but holds "
                   f"{src.dbf_records_present}")
    return _salvage(src, failure, report, progress, cancelled)


def _salvage(src: VectorSource, failure: str, report: LoadReport, progress: ProgressFn | None,
             cancelled: CancelFn | None) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    import fiona

    report.detected["engine"] = "fiona"
    report.warnings.append(f"file is damaged ({failure}); read record by record")
    geoms, props, rows, bad = [], [], [], []
    intact = src.dbf_records_present
    try:
        with fiona.open(src.gdal_path, layer=src.gdal_layer, encoding=src.encoding) as coll:
            n = len(coll)
            fields = list(coll.schema["properties"])
            for i in range(n):
                if i % 5000 == 0:
                    checkpoint(progress, cancelled, 0.05 + 0.65 * i / max(n, 1), "reading record by record")
                try:
                    feat = coll[i]
                    geom = shapely.geometry.shape(feat.geometry) if feat.geometry is not None else None
                    values = dict(feat.properties)
                except Exception:  # one broken record: reject it and carry on with the rest
                    bad.append(i + 1)
                    continue
                if intact is not None and i >= intact:  # GDAL returns nulls for attributes past the end
                    bad.append(i + 1)
                    continue
                geoms.append(geom)
                props.append(values)
                rows.append(i + 1)
    except Exception as exc:
        raise LoadError(f"{src.path.name}: cannot be read ({exc})", report) from exc
    report.reject("unreadable_record", bad)
    frame = pd.DataFrame(props, columns=fields) if props else pd.DataFrame(columns=fields)
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, index=frame.index))
    gdf = gdf.set_geometry(shapely.force_2d(gdf.geometry.values))
    return gdf, np.asarray(rows, dtype=np.int64)


def _drop_damaged(src: VectorSource, gdf: gpd.GeoDataFrame, rows: np.ndarray,
                  report: LoadReport) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """Reject records whose geometry the .shx places past the end of a truncated .shp."""
    if src.shp_damaged is None or not src.shp_damaged.any():
        return gdf, rows
    idx = rows - 1
    damaged = np.zeros(len(rows), dtype=bool)
    known = idx < src.shp_damaged.size
    damaged[known] = src.shp_damaged[idx[known]]
    report.warnings.append(f"the .shp is truncated: {int(src.shp_damaged.sum()):,} records lie past its end")
    report.reject("unreadable_record", rows[damaged])
    return gdf.loc[~damaged].reset_index(drop=True), rows[~damaged]


def _drop_empty(gdf: gpd.GeoDataFrame, rows: np.ndarray,
                report: LoadReport) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    geoms = gdf.geometry.values
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if empty.any():
        report.reject("empty_geometry", rows[empty])
        gdf, rows = gdf.loc[~empty].reset_index(drop=True), rows[~empty]
    return gdf, rows


def _check_validity(gdf: gpd.GeoDataFrame, rows: np.ndarray, report: LoadReport,
                    repair: bool) -> gpd.GeoDataFrame:
    invalid = ~shapely.is_valid(gdf.geometry.values)
    n = int(invalid.sum())
    if n == 0:
        return gdf
    first = [int(r) for r in rows[invalid][:FIRST_ROWS]]
    report.detected["invalid_geometry"] = {"count": n, "first_rows": first, "repaired": bool(repair)}
    listed = ", ".join(map(str, first)) + (" …" if n > len(first) else "")
    if repair:
        # "structure" keeps polygons polygonal (no stray lines from collapsed parts), GEOS >= 3.10
        fixed = shapely.make_valid(gdf.geometry.values[invalid], method="structure", keep_collapsed=False)
        gdf = gdf.copy()
        gdf.loc[invalid, gdf.geometry.name] = fixed
        report.warnings.append(f"{REASONS['invalid_geometry']}: {n} (rows {listed}) repaired with make_valid")
    else:
        report.warnings.append(f"{REASONS['invalid_geometry']}: {n} (rows {listed}) kept as they are; "
                               "load with repair to fix them")
    return gdf


def _drop_constant_kml_fields(gdf: pd.DataFrame, report: LoadReport) -> pd.DataFrame:
    drop = [c for c in KML_STYLE_FIELDS if c in gdf.columns and gdf[c].nunique(dropna=False) <= 1]
    if drop:
        report.detected["dropped_columns"] = drop
        gdf = gdf.drop(columns=drop)
    return gdf


def _geometry_type(gdf: gpd.GeoDataFrame) -> str:
    kinds = sorted(set(gdf.geom_type.unique()))
    return kinds[0] if len(kinds) == 1 else ("/".join(kinds) if kinds else "none")


def _lonlat_centre(bounds: Any, crs: CRS) -> tuple[float, float] | None:
    if bounds is None:
        return None
    xmin, ymin, xmax, ymax = bounds
    lon, lat = transform_xy(np.array([(xmin + xmax) / 2]), np.array([(ymin + ymax) / 2]), crs, WGS84)
    return float(lon[0]), float(lat[0])


def _layer_name(src: VectorSource) -> str:
    if src.format == "shapefile_zip" and src.layer:
        return Path(src.layer).stem
    if src.format == "gpkg" and src.layer and len(src.layers) > 1:
        return src.layer
    return src.path.stem


def _point_layer(name: str, gdf: gpd.GeoDataFrame, rows: np.ndarray, source_crs: CRS, working_crs: CRS,
                 source: SourceRef, report: LoadReport) -> PointLayer:
    if (gdf.geom_type == "MultiPoint").any():
        before = len(gdf)
        gdf = gdf.explode(index_parts=False).reset_index(drop=True)
        report.warnings.append(f"multi-points split into single points: {before:,} features gave {len(gdf):,} points")
    x, y = transform_xy(shapely.get_x(gdf.geometry.values), shapely.get_y(gdf.geometry.values), source_crs,
                        working_crs)
    attrs = pd.DataFrame(gdf.drop(columns=gdf.geometry.name)).reset_index(drop=True)
    attrs = _canonical_columns(attrs, report)
    return PointLayer(name, x, y, attrs, source=source, source_crs=source_crs)


def _truncated_dbf(src: VectorSource) -> bool:
    return (src.dbf_records_declared is not None and src.dbf_records_present is not None
            and src.dbf_records_present < src.dbf_records_declared)


def _read_points_fast(src: VectorSource, info: dict[str, Any], progress: ProgressFn | None,
                      cancelled: CancelFn | None) -> tuple[pd.DataFrame, np.ndarray, np.ndarray] | None:
    """Attributes and x/y of a point layer straight from Arrow WKB, without shapely objects.

    2-D point WKB (OGC Simple Features 1.2.1, section 8.2) is 21 bytes: byte order, type 1, x, y.
    Returns None (use the general path) for anything else: other geometry encodings, a damaged
    file, or a row count that differs from the layer's.
    """
    if _truncated_dbf(src):
        return None
    total = max(int(info["features"]), 1)
    try:
        # streamed in batches so a million-row file shows progress and can be cancelled
        with pyogrio.open_arrow(src.gdal_path, layer=src.gdal_layer, encoding=src.encoding, batch_size=ARROW_BATCH,
                                use_pyarrow=True) as (meta, reader):
            batches = []
            for batch in reader:
                batches.append(batch)
                checkpoint(progress, cancelled, 0.05 + 0.5 * min(1.0, len(batches) * ARROW_BATCH / total), "reading")
            table = pa.Table.from_batches(batches, schema=reader.schema)
    except Cancelled:
        raise
    except Exception:  # the general path reports the failure (and may salvage)
        return None
    if 0 <= info["features"] != table.num_rows:
        return None
    gname = meta.get("geometry_name") or "wkb_geometry"
    if gname not in table.column_names:
        return None
    wkb = table.column(gname).combine_chunks()
    n = len(wkb)
    null = wkb.is_null().to_numpy(zero_copy_only=False)
    offsets = np.frombuffer(wkb.buffers()[1], dtype=np.int64 if wkb.type == pa.large_binary() else np.int32)
    starts = offsets[wkb.offset: wkb.offset + n].astype(np.int64)
    lengths = offsets[wkb.offset + 1: wkb.offset + n + 1] - starts
    if not np.all(lengths[~null] == 21):
        return None
    data = np.frombuffer(wkb.buffers()[2], dtype=np.uint8) if n else np.zeros(0, np.uint8)
    ok = ~null
    rec = data[starts[ok, None] + np.arange(21)]
    if not (np.all(rec[:, 0] == 1) and np.all(rec[:, 1:5] == np.array([1, 0, 0, 0], dtype=np.uint8))):
        return None  # big-endian or not a 2-D point (Z/M, multipoint): shapely handles those
    x = np.full(n, np.nan)
    y = np.full(n, np.nan)
    x[ok] = np.ascontiguousarray(rec[:, 5:13]).view("<f8").ravel()
    y[ok] = np.ascontiguousarray(rec[:, 13:21]).view("<f8").ravel()
    attrs = table.drop_columns([gname]).to_pandas()
    return attrs, x, y


def _fast_point_layer(src: VectorSource, fast: tuple[pd.DataFrame, np.ndarray, np.ndarray], source_crs: CRS,
                      working_crs: CRS | None, source: SourceRef, report: LoadReport,
                      progress: ProgressFn | None, cancelled: CancelFn | None) -> PointLayer:
    attrs, x, y = fast
    report.detected["engine"] = "pyogrio"
    rows = np.arange(1, len(x) + 1)
    report.rows_read = len(x)
    checkpoint(progress, cancelled, 0.6, "checking geometries")
    keep = np.ones(len(x), dtype=bool)
    if src.shp_damaged is not None and src.shp_damaged.any():
        damaged = np.zeros(len(x), dtype=bool)
        m = min(len(x), src.shp_damaged.size)
        damaged[:m] = src.shp_damaged[:m]
        report.warnings.append(f"the .shp is truncated: {int(src.shp_damaged.sum()):,} records lie past its end")
        report.reject("unreadable_record", rows[damaged])
        keep &= ~damaged
    empty = keep & (np.isnan(x) | np.isnan(y))  # null geometry, or the NaN coordinates of POINT EMPTY
    report.reject("empty_geometry", rows[empty])
    keep &= ~empty
    if not keep.all():
        attrs, x, y = attrs.loc[keep].reset_index(drop=True), x[keep], y[keep]
    if src.format == "kml":
        attrs = _drop_constant_kml_fields(attrs, report)
    report.detected["columns"] = list(attrs.columns)
    report.detected["geometry_type"] = "Point" if len(x) else "none"
    if working_crs is None:
        bounds = (x.min(), y.min(), x.max(), y.max()) if len(x) else None
        working_crs = choose_working_crs([source_crs], _lonlat_centre(bounds, source_crs))
    report.detected["working_crs"] = crs_to_option(working_crs)  # parseable: callers adopt it
    checkpoint(progress, cancelled, 0.8, "reprojecting")
    wx, wy = transform_xy(x, y, source_crs, working_crs)
    attrs = _canonical_columns(attrs, report)
    return PointLayer(_layer_name(src), wx, wy, attrs, source=source, source_crs=source_crs)


def _find(columns: list[str], names: tuple[str, ...]) -> str | None:
    lower = {c.lower(): c for c in columns}
    return next((lower[n] for n in names if n in lower), None)


def _canonical_columns(attrs: pd.DataFrame, report: LoadReport) -> pd.DataFrame:
    """Add ``time``, ``offence`` and ``incident_id`` from recognisably named source columns."""
    cols = list(attrs.columns)
    mapping: dict[str, str] = {}
    tcol = next((c for c in cols if pd.api.types.is_datetime64_any_dtype(attrs[c])), None) or _find(cols, TIME_NAMES)
    if tcol is not None:
        raw = attrs[tcol]
        if pd.api.types.is_datetime64_any_dtype(raw):
            times = raw.dt.tz_localize(None) if getattr(raw.dt, "tz", None) is not None else raw
        else:
            times = pd.to_datetime(raw.astype("string"), errors="coerce", format="mixed")
        unread = int((times.isna() & raw.notna()).sum())
        if unread:
            report.warnings.append(f"{REASONS['unparseable_date']}: {unread:,} values of column {tcol!r} (kept, "
                                   "no time)")
        attrs["time"] = times.astype("datetime64[ns]")
        mapping["time"] = tcol
    ocol = _find(cols, OFFENCE_NAMES)
    if ocol is not None and attrs[ocol].notna().any():
        attrs["offence"] = attrs[ocol].astype("string").astype("category")
        mapping["offence"] = ocol
    icol = _find(cols, ID_NAMES)
    if icol is not None and attrs[icol].notna().any():
        attrs["incident_id"] = attrs[icol]
        mapping["incident_id"] = icol
    if mapping:
        report.detected["canonical_columns"] = mapping
    return attrs
