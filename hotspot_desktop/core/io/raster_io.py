"""Raster files: ESRI ASCII Grid (``.asc`` + ``.prj``) and rasters as one polygon per cell.

ESRI ASCII Grid (Esri, "ESRI ASCII raster format", ArcGIS Desktop help; GDAL driver "AAIGrid"):
a header of ``ncols``, ``nrows``, ``xllcorner``/``xllcenter``, ``yllcorner``/``yllcenter``,
``cellsize`` and optional ``NODATA_value``, then ``nrows`` lines of values, the **northern row
first**. A :class:`RasterLayer` keeps the southern row at index 0, so rows are flipped on both
read and write. The CRS goes in a ``.prj`` sidecar as ESRI WKT.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS
from pyproj.enums import WktVersion

from hotspot_desktop.core.crs import WGS84, choose_working_crs, transform_xy
from hotspot_desktop.core.io.atomic import atomic_write
from hotspot_desktop.core.io.report import LoadError, LoadReport
from hotspot_desktop.core.model import RasterLayer, SourceRef
from hotspot_desktop.core.progress import CancelFn, ProgressFn, checkpoint

DEFAULT_NODATA = -9999.0
_HEADER_KEYS = {"ncols", "nrows", "xllcorner", "yllcorner", "xllcenter", "yllcenter", "cellsize", "nodata_value"}


def write_asc(layer: RasterLayer, path: str | Path, crs: CRS | None, *, band: str | None = None,
              nodata: float = DEFAULT_NODATA, digits: int = 9) -> Path:
    """Write ``layer.values`` (or the extra ``band``) as an ESRI ASCII Grid, with a ``.prj`` when ``crs``.

    ``crs`` is the CRS the layer's coordinates are in (the project's working CRS). NaN cells
    are written as ``nodata``. Values keep ``digits`` significant digits.
    """
    path = Path(path)
    values = layer.values if band is None else layer.bands[band]
    rows, cols = values.shape
    if np.any(values == nodata):
        raise ValueError(f"the grid holds the NODATA value {nodata}; pick another nodata")
    header = (f"ncols {cols}\nnrows {rows}\nxllcorner {layer.x0!r}\nyllcorner {layer.y0!r}\n"
              f"cellsize {layer.cell_size!r}\nNODATA_value {nodata:g}\n")
    grid = np.where(np.isfinite(values), values, nodata)[::-1]  # file starts with the northern row

    def write_grid(fh) -> None:
        fh.write(header.encode("ascii"))
        np.savetxt(fh, grid, fmt=f"%.{digits}g", delimiter=" ")

    atomic_write(path, write_grid)
    if crs is not None:
        prj = crs.to_wkt(WktVersion.WKT1_ESRI) or crs.to_wkt()
        atomic_write(path.with_suffix(".prj"), lambda fh: fh.write(prj.encode("ascii")))
    return path


def read_asc(path: str | Path, working_crs: CRS | None = None, *, crs: CRS | str | None = None,
             progress: ProgressFn | None = None, cancelled: CancelFn | None = None) -> tuple[RasterLayer, LoadReport]:
    """Read an ESRI ASCII Grid into a RasterLayer in ``working_crs``.

    The CRS comes from the ``.prj`` sidecar, else ``crs``; without either,
    :class:`hotspot_desktop.core.io.vector.CrsRequired` is raised. A grid in another CRS than
    ``working_crs`` is resampled to it by nearest neighbour at the same cell count.
    """
    from hotspot_desktop.core.io.vector import CrsRequired, crs_label, crs_to_option

    path = Path(path)
    report = LoadReport(source=path.name)
    checkpoint(progress, cancelled, 0.0, "reading grid")
    if not path.exists():
        raise LoadError(f"{path}: file not found", report)
    header, values = _parse_asc(path, report)
    rows, cols = values.shape
    report.rows_read = rows * cols
    report.detected.update({"format": "asc", "ncols": cols, "nrows": rows, "cellsize": header["cellsize"]})
    checkpoint(progress, cancelled, 0.6, "reading grid")

    prj = path.with_suffix(".prj")
    given = CRS.from_user_input(crs) if crs is not None else None
    if prj.exists():
        file_crs = CRS.from_user_input(prj.read_text(errors="replace"))
        source_crs = given or file_crs
        report.detected["crs_source"] = "user" if given else "file"
    elif given is not None:
        source_crs = given
        report.warnings.append(f"no .prj file: using the CRS given, {crs_label(given)}")
        report.detected["crs_source"] = "user"
    else:
        report.warnings.append("no .prj file: the coordinate reference system is unknown")
        raise CrsRequired(f"{path.name}: no .prj file; say which coordinate reference system the grid is in", report)
    report.detected["crs"] = crs_label(source_crs)

    cell = header["cellsize"]
    x0, y0 = header["x0"], header["y0"]
    if working_crs is None:
        cx, cy = transform_xy(np.array([x0 + cols * cell / 2]), np.array([y0 + rows * cell / 2]), source_crs, WGS84)
        working_crs = choose_working_crs([source_crs], (float(cx[0]), float(cy[0])))
    report.detected["working_crs"] = crs_to_option(working_crs)  # parseable: callers adopt it
    if working_crs != source_crs:
        values, x0, y0, cell = _resample(values, x0, y0, cell, source_crs, working_crs)
        report.warnings.append(f"grid resampled from {crs_label(source_crs)} to {crs_label(working_crs)} "
                               "(nearest neighbour)")
    options = {"crs": crs_to_option(source_crs)} if given is not None else {}
    layer = RasterLayer(path.stem, values, x0, y0, cell, source=SourceRef(path.resolve(), "asc", None, options),
                        source_crs=source_crs)
    layer.style.mode = "raster"
    report.rows_kept = int(np.isfinite(values).sum())
    checkpoint(progress, cancelled, 1.0, "done")
    return layer, report


def _parse_asc(path: Path, report: LoadReport) -> tuple[dict, np.ndarray]:
    header: dict[str, float] = {}
    with open(path, "rb") as fh:
        while True:
            pos = fh.tell()
            line = fh.readline()
            parts = line.split()
            if len(parts) != 2 or parts[0].decode("ascii", "replace").lower() not in _HEADER_KEYS:
                fh.seek(pos)
                break
            try:
                header[parts[0].decode().lower()] = float(parts[1])
            except ValueError as exc:
                raise LoadError(f"{path.name}: header value {line.decode(errors='replace').strip()!r} is not a "
                                "number", report) from exc
        body = fh.read()
    missing = [k for k in ("ncols", "nrows", "cellsize") if k not in header]
    if missing or not ({"xllcorner", "xllcenter"} & header.keys()) or not ({"yllcorner", "yllcenter"} & header.keys()):
        raise LoadError(f"{path.name}: not an ESRI ASCII grid (header lacks "
                        f"{', '.join(missing) or 'the lower-left corner'})", report)
    rows, cols, cell = int(header["nrows"]), int(header["ncols"]), header["cellsize"]
    try:
        flat = np.array(body.split(), dtype=np.float64)
    except ValueError as exc:
        raise LoadError(f"{path.name}: grid values are not all numbers", report) from exc
    if flat.size != rows * cols:
        raise LoadError(f"{path.name}: header says {rows} x {cols} cells but the file holds {flat.size} values", report)
    values = flat.reshape(rows, cols)[::-1].copy()  # southern row first
    if "nodata_value" in header:
        values[values == header["nodata_value"]] = np.nan
    header["x0"] = header["xllcorner"] if "xllcorner" in header else header["xllcenter"] - cell / 2
    header["y0"] = header["yllcorner"] if "yllcorner" in header else header["yllcenter"] - cell / 2
    return header, values


def _resample(values: np.ndarray, x0: float, y0: float, cell: float, src: CRS,
              dst: CRS) -> tuple[np.ndarray, float, float, float]:
    """Nearest-neighbour warp onto a square grid in ``dst`` covering the source grid's footprint."""
    rows, cols = values.shape
    ex = np.array([x0, x0 + cols * cell, x0, x0 + cols * cell])
    ey = np.array([y0, y0, y0 + rows * cell, y0 + rows * cell])
    tx, ty = transform_xy(ex, ey, src, dst)
    nx0, ny0, nx1, ny1 = tx.min(), ty.min(), tx.max(), ty.max()
    new_cell = max((nx1 - nx0) / cols, (ny1 - ny0) / rows)
    ncols, nrows = max(1, int(np.ceil((nx1 - nx0) / new_cell))), max(1, int(np.ceil((ny1 - ny0) / new_cell)))
    cx = nx0 + (np.arange(ncols) + 0.5) * new_cell
    cy = ny0 + (np.arange(nrows) + 0.5) * new_cell
    gx, gy = np.meshgrid(cx, cy)
    sx, sy = transform_xy(gx.ravel(), gy.ravel(), dst, src)
    c = np.floor((sx - x0) / cell).astype(np.int64)
    r = np.floor((sy - y0) / cell).astype(np.int64)
    inside = (r >= 0) & (r < rows) & (c >= 0) & (c < cols)
    out = np.full(gx.size, np.nan)
    out[inside] = values[r[inside], c[inside]]
    return out.reshape(nrows, ncols), float(nx0), float(ny0), float(new_cell)


def raster_to_cell_polygons(layer: RasterLayer, crs: CRS | None = None) -> gpd.GeoDataFrame:
    """One square polygon per cell with a finite value: columns row, col, value and each extra band.

    Row 0 is the southern row, as in the layer. For GeoPackage output of density and Gi* grids.
    """
    rr, cc = np.nonzero(np.isfinite(layer.values))
    x = layer.x0 + cc * layer.cell_size
    y = layer.y0 + rr * layer.cell_size
    geoms = shapely.box(x, y, x + layer.cell_size, y + layer.cell_size)
    data = {"row": rr.astype(np.int64), "col": cc.astype(np.int64), "value": layer.values[rr, cc]}
    for name, band in layer.bands.items():
        data[name if name not in data else f"band_{name}"] = np.asarray(band)[rr, cc]
    return gpd.GeoDataFrame(data, geometry=geoms, crs=crs)
