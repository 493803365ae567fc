"""Write Riverton as an agency would export it: two incident CSVs (lat/lon, and state-plane feet
with a .prj), beats and districts as Shapefiles, streets and city layers as GeoPackages.

Every writer is byte-deterministic: CSVs are written by pyarrow from fixed-format strings,
Shapefile .dbf headers get a fixed "last update" date and GeoPackages a fixed timestamp
(GDAL's ``OGR_CURRENT_DATE``), so the same seed gives the same bytes.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyogrio
from pyproj import CRS
from pyproj.enums import WktVersion

from hotspot_desktop.core.crs import transform_xy
from hotspot_desktop.sample import spec
from hotspot_desktop.sample.geography import Geography, beat_of
from hotspot_desktop.sample.incidents import Simulation

FIXED_DATE = "2026-01-01"  # stamped into file headers instead of today's date
FIXED_TIMESTAMP = "2026-01-01T00:00:00Z"
US_FOOT = 1200.0 / 3937.0

# Column names of the two incident exports (the loaders' column detection is tested against them).
LATLON_COLUMNS = ("incident_id", "offense", "occurred_from", "occurred_to", "block", "beat", "lat", "lon")
STATEPLANE_COLUMNS = ("CASE_NUMBER", "OFFENSE", "DATE_FROM", "TIME_FROM", "DATE_TO", "TIME_TO", "BEAT", "BLOCK",
                      "X_COORD", "Y_COORD")
BAD_DATES_ISO = ("0000-00-00 00:00", "2024-13-45 10:00", "unknown", "N/A", "31/31/2024 25:00")
BAD_DATES_US = ("00/00/0000", "13/45/2024", "UNKNOWN", "N/A", "31/31/2024")


@dataclass(frozen=True)
class Dirt:
    """Which rows (0-based, in incident order) got which defect."""

    missing_coordinates: np.ndarray
    zero_zero: np.ndarray
    unparseable_date: np.ndarray
    duplicate_id: np.ndarray  # rows exported twice (the copy follows the original)

    def counts(self) -> dict[str, int]:
        return {k: int(getattr(self, k).size) for k in spec.DIRT_SHARES}


def choose_dirt(rng: np.random.Generator, n: int) -> Dirt:
    """Disjoint random rows for each defect, sized by ``spec.DIRT_SHARES``."""
    sizes = {k: round(share * n) for k, share in spec.DIRT_SHARES.items()}
    rows = rng.permutation(n)[: sum(sizes.values())]
    out, at = {}, 0
    for k in spec.DIRT_SHARES:
        out[k] = np.sort(rows[at:at + sizes[k]])
        at += sizes[k]
    return Dirt(**out)


@contextlib.contextmanager
def fixed_gdal_date():
    """Make GDAL stamp a fixed date into GeoPackages while writing."""
    old = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": FIXED_TIMESTAMP})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": old})


def _strings(values: np.ndarray) -> pa.Array:
    return pa.array(values.astype(object) if values.dtype.kind != "U" else values, type=pa.string())


def _format_time(calendar_start: np.datetime64, seconds: np.ndarray, fmt: str) -> pa.Array:
    ts = pa.array(calendar_start + seconds.astype("timedelta64[s]"), type=pa.timestamp("s"))
    return pc.strftime(ts, format=fmt)


def _blocks(geo: Geography, sim: Simulation) -> pa.Array:
    """"1200 block of Elm Ave": the hundred-block address agencies publish instead of the house."""
    p = geo.pieces
    piece = sim.piece
    ew = np.abs(p["x1"] - p["x0"]) >= np.abs(p["y1"] - p["y0"])
    coord = np.where(ew[piece], sim.x - geo.centre[0] + spec.HALF_WIDTH, sim.y - geo.centre[1] + spec.HALF_HEIGHT)
    number = (np.floor(np.maximum(coord, 0.0) / 201.168) * 100).astype(np.int64)
    sid = p["street"][piece]
    key = sid.astype(np.int64) * 100_000 + number
    uniq, inverse = np.unique(key, return_inverse=True)
    names = geo.streets["name"].to_numpy()
    texts = np.array([f"{k % 100_000} block of {names[k // 100_000]}" for k in uniq], dtype=object)
    return pa.array(texts[inverse], type=pa.string())


def _write_csv(table: pa.Table, path: Path) -> None:
    with open(path, "wb") as fh:
        fh.write((",".join(table.column_names) + "\n").encode())
        pacsv.write_csv(table, fh, pacsv.WriteOptions(include_header=False, quoting_style="none",
                                                       batch_size=65_536))


def write_incident_csvs(geo: Geography, sim: Simulation, dirt: Dirt, latlon_path: Path,
                        stateplane_path: Path) -> None:
    """The lat/lon export and the state-plane export of the same incidents (same rows, same dirt)."""
    n = sim.x.size
    start = np.datetime64(sim.calendar.start.date().isoformat(), "s")
    # incident ids: year of the recorded time + a sequence number within that year, "2024-000123"
    stamps = start + sim.start.astype("timedelta64[s]")
    year = stamps.astype("datetime64[Y]").astype(np.int64) + 1970
    first_of_year = np.r_[0, np.flatnonzero(np.diff(year)) + 1]
    seq = np.arange(n) - np.repeat(first_of_year, np.diff(np.r_[first_of_year, n])) + 1
    ids = pc.binary_join_element_wise(pc.cast(pa.array(year), pa.string()),
                                      pc.utf8_lpad(pc.cast(pa.array(seq), pa.string()), 6, "0"), "-")
    labels = pa.array(list(spec.OFFENCES), type=pa.string())
    offense = pc.take(labels, pa.array(sim.offence.astype(np.int32)))
    windowed = sim.end >= 0
    blocks = _blocks(geo, sim)
    beats = _strings(beat_of(geo, sim.x, sim.y))

    lon, lat = transform_xy(sim.x, sim.y, CRS.from_epsg(spec.WORKING_EPSG), CRS.from_epsg(4326))
    fx, fy = transform_xy(sim.x, sim.y, CRS.from_epsg(spec.WORKING_EPSG), CRS.from_epsg(spec.STATE_PLANE_EPSG))
    lat, lon, fx, fy = np.round(lat, 6), np.round(lon, 6), np.round(fx, 2), np.round(fy, 2)
    missing = np.zeros(n, dtype=bool)
    missing[dirt.missing_coordinates] = True
    for arr in (lat, lon, fx, fy):
        arr[dirt.zero_zero] = 0.0
    bad = np.zeros(n, dtype=bool)
    bad[dirt.unparseable_date] = True
    junk_idx = np.arange(n) % len(BAD_DATES_ISO)

    def with_junk(formatted: pa.Array, junk: tuple[str, ...]) -> pa.Array:
        return pc.if_else(pa.array(bad), pa.array(np.array(junk, dtype=object)[junk_idx], type=pa.string()),
                          formatted)

    def window(fmt: str, seconds: np.ndarray) -> pa.Array:
        return pc.if_else(pa.array(windowed), _format_time(start, seconds, fmt), pa.nulls(n, pa.string()))

    def coord(values: np.ndarray) -> pa.Array:
        return pa.array(values, mask=missing, type=pa.float64())

    # exported twice: each duplicated row is followed by its copy, as in a faulty RMS join
    order = np.sort(np.concatenate([np.arange(n), dirt.duplicate_id]), kind="stable")
    take = pa.array(order)
    latlon = pa.table({
        "incident_id": ids, "offense": offense,
        "occurred_from": with_junk(_format_time(start, sim.start, "%Y-%m-%d %H:%M"), BAD_DATES_ISO),
        "occurred_to": window("%Y-%m-%d %H:%M", np.maximum(sim.end, 0)),
        "block": blocks, "beat": beats, "lat": coord(lat), "lon": coord(lon),
    }).select(list(LATLON_COLUMNS)).take(take)
    _write_csv(latlon, latlon_path)
    upper = pc.utf8_upper(offense)
    plane = pa.table({
        "CASE_NUMBER": ids, "OFFENSE": upper,
        "DATE_FROM": with_junk(_format_time(start, sim.start, "%m/%d/%Y"), BAD_DATES_US),
        "TIME_FROM": _format_time(start, sim.start, "%H:%M"),
        "DATE_TO": window("%m/%d/%Y", np.maximum(sim.end, 0)), "TIME_TO": window("%H:%M", np.maximum(sim.end, 0)),
        "BEAT": beats, "BLOCK": pc.utf8_upper(blocks), "X_COORD": coord(fx), "Y_COORD": coord(fy),
    }).select(list(STATEPLANE_COLUMNS)).take(take)
    _write_csv(plane, stateplane_path)
    stateplane_path.with_suffix(".prj").write_text(
        CRS.from_epsg(spec.STATE_PLANE_EPSG).to_wkt(WktVersion.WKT1_ESRI))


def write_shapefile(gdf: gpd.GeoDataFrame, path: Path, epsg: int) -> None:
    """A Shapefile (+ .prj, .cpg) with a fixed .dbf date."""
    pyogrio.write_dataframe(gdf.to_crs(epsg), path, driver="ESRI Shapefile", ENCODING="UTF-8",
                            DBF_DATE_LAST_UPDATE=FIXED_DATE)


def write_gpkg_layers(layers: dict[str, gpd.GeoDataFrame], path: Path, epsg: int | None = None) -> None:
    """Several layers into one GeoPackage (replaced if it exists)."""
    if path.exists():
        path.unlink()
    with fixed_gdal_date():
        for name, gdf in layers.items():
            out = gdf.to_crs(epsg) if epsg is not None else gdf
            pyogrio.write_dataframe(out, path, layer=name, driver="GPKG", append=path.exists())
