"""A corpus of real-world-shaped problem CSV files, written byte for byte into a test folder.

Each entry reproduces a problem analysts meet in police open-data exports (Socrata, ArcGIS,
GeoDASH, spreadsheets saved on Windows). The base incidents are 30 points around Chicago's
Loop (EPSG:4326) and 30 Vancouver points in UTM 10N (EPSG:32610), 30 Los Angeles points, with times every 31 h 13 min
from 2019-03-01 00:00.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

N = 30
_rng = np.random.default_rng(20190301)
LAT = np.round(41.85 + _rng.uniform(-0.05, 0.05, N), 4)
LON = np.round(-87.68 + _rng.uniform(-0.05, 0.05, N), 4)
UTM_X = np.round(491000 + _rng.uniform(-4000, 4000, N), 2)
UTM_Y = np.round(5457000 + _rng.uniform(-4000, 4000, N), 2)
TIMES = [datetime(2019, 3, 1) + i * timedelta(days=1, hours=7, minutes=13) for i in range(N)]
# Los Angeles, where longitudes exceed 90 degrees so a swap of the columns is detectable.
LA_LAT = np.round(34.05 + _rng.uniform(-0.05, 0.05, N), 4)
LA_LON = np.round(-118.25 + _rng.uniform(-0.05, 0.05, N), 4)
OFFENCES = ["THEFT", "BATTERY", "BURGLARY", "ROBBERY", "ASSAULT"]
OFF = [OFFENCES[i % 5] for i in range(N)]
IDS = [f"JC{100200 + i}" for i in range(N)]

# NAD83 / Illinois East (ftUS), EPSG:3435, as ArcGIS writes it into a .prj (ESRI WKT1).
ILLINOIS_EAST_PRJ = (
    'PROJCS["NAD_1983_StatePlane_Illinois_East_FIPS_1201_Feet",GEOGCS["GCS_North_American_1983",'
    'DATUM["D_North_American_1983",SPHEROID["GRS_1980",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],'
    'UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",984250.0],'
    'PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",-88.33333333333333],'
    'PARAMETER["Scale_Factor",0.999975],PARAMETER["Latitude_Of_Origin",36.66666666666666],UNIT["Foot_US",'
    '0.3048006096012192]]'
)
UTM10N_PRJ = (
    'PROJCS["WGS_1984_UTM_Zone_10N",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,'
    '298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],'
    'PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",-123.0],'
    'PARAMETER["Scale_Factor",0.9996],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]'
)


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M")


def _us12(t: datetime) -> str:
    return t.strftime("%m/%d/%Y %I:%M %p")


def _lines(header: list[str], rows: list[list[object]], delim: str = ",") -> str:
    return "\n".join([delim.join(header)] + [delim.join(str(v) for v in r) for r in rows]) + "\n"


def _basic_rows(i_skip: set[int] = frozenset()) -> list[list[object]]:
    return [[IDS[i], _iso(TIMES[i]), OFF[i], LAT[i], LON[i]] for i in range(N) if i not in i_skip]


BASIC_HEADER = ["case_number", "date", "primary_type", "latitude", "longitude"]


def _files() -> dict[str, bytes | str]:
    f: dict[str, bytes | str] = {}
    f["basic.csv"] = _lines(BASIC_HEADER, _basic_rows())
    f["crlf.csv"] = _lines(BASIC_HEADER, _basic_rows()).replace("\n", "\r\n")
    f["semicolon_decimal_comma.csv"] = _lines(
        ["ID", "Datum", "Delikt", "Lat", "Lon"],
        [[IDS[i], TIMES[i].strftime("%d.%m.%Y %H:%M"), OFF[i], str(LAT[i]).replace(".", ","),
          str(LON[i]).replace(".", ",")] for i in range(N)], ";")
    f["tab.csv"] = _lines(BASIC_HEADER, _basic_rows(), "\t")
    f["pipe.csv"] = _lines(BASIC_HEADER, _basic_rows(), "|")
    f["utf8_bom.csv"] = b"\xef\xbb\xbf" + _lines(BASIC_HEADER, _basic_rows()).encode("utf-8")
    streets = ["Peña Blvd", "Café Ct", "Müller Ave", "Françoise St", "Señor Ln"]
    f["cp1252_names.csv"] = _lines(
        BASIC_HEADER + ["block"], [r + [streets[i % 5]] for i, r in enumerate(_basic_rows())]).encode("cp1252")
    f["quoted_commas.csv"] = _lines(
        BASIC_HEADER + ["address"],
        [r + [f'"{100 + i}XX W MADISON ST, APT {i}"'] for i, r in enumerate(_basic_rows())])
    # Latitude values in the "longitude" column and vice versa (Los Angeles: detectable).
    f["swapped_latlon.csv"] = _lines(BASIC_HEADER, [[IDS[i], _iso(TIMES[i]), OFF[i], LA_LON[i], LA_LAT[i]]
                                                    for i in range(N)])
    # The same in Chicago: both orders are valid ranges, but a latitude of -87.7 is polar.
    f["swapped_polar.csv"] = _lines(BASIC_HEADER, [[IDS[i], _iso(TIMES[i]), OFF[i], LON[i], LAT[i]]
                                                   for i in range(N)])
    # Paris swapped: both orders are plausible, so it loads as labelled (a known limit).
    f["swapped_undetectable.csv"] = _lines(
        BASIC_HEADER, [[IDS[i], _iso(TIMES[i]), OFF[i], round(48.86 + (LAT[i] - 41.85), 4),
                        round(2.35 + (LON[i] + 87.68), 4)] for i in range(N)])
    f["header_only.csv"] = _lines(BASIC_HEADER, [])
    f["empty.csv"] = b""
    f["blank_lines_only.csv"] = "\n\n  \n"
    rows = _basic_rows()
    for i in (3, 11, 12):
        rows[i][3], rows[i][4] = 0, 0
    f["zero_zero.csv"] = _lines(BASIC_HEADER, rows)
    f["us_dates_12h.csv"] = _lines(BASIC_HEADER, [[IDS[i], _us12(TIMES[i]), OFF[i], LAT[i], LON[i]] for i in range(N)])
    f["day_first.csv"] = _lines(BASIC_HEADER, [[IDS[i], TIMES[i].strftime("%d/%m/%Y %H:%M"), OFF[i], LAT[i], LON[i]]
                                               for i in range(N)])
    f["ambiguous_day_month.csv"] = _lines(
        BASIC_HEADER, [[IDS[i], f"0{1 + i % 9}/0{1 + (i * 7) % 9}/2019 10:00", OFF[i], LAT[i], LON[i]] for i in range(N)])
    f["socrata_iso_t.csv"] = _lines(
        ["ID", "Date", "Primary Type", "Latitude", "Longitude"],
        [[IDS[i], TIMES[i].strftime("%Y-%m-%dT%H:%M:%S.000"), OFF[i], LAT[i], LON[i]] for i in range(N)])
    f["month_only.csv"] = _lines(["id", "month", "crime_type", "lat", "lon"],
                                 [[IDS[i], TIMES[i].strftime("%Y-%m"), OFF[i], LAT[i], LON[i]] for i in range(N)])
    win = []
    for i in range(N):
        end = "" if i % 3 == 0 else (TIMES[i] + timedelta(hours=i % 5 + 1)).strftime("%m/%d/%Y %H:%M")
        win.append([IDS[i], TIMES[i].strftime("%m/%d/%Y %H:%M"), end, OFF[i], LAT[i], LON[i]])
    f["start_end_window.csv"] = _lines(["incident_id", "FROM_DATE", "TO_DATE", "offense", "lat", "long"], win)
    f["wkt_location.csv"] = _lines(["id", "date", "type", "geometry"],
                                   [[IDS[i], _iso(TIMES[i]), OFF[i], f'"POINT ({LON[i]} {LAT[i]})"'] for i in range(N)])
    f["latlon_location.csv"] = _lines(["Case Number", "Date", "Primary Type", "Location"],
                                      [[IDS[i], _us12(TIMES[i]), OFF[i], f'"({LAT[i]}, {LON[i]})"'] for i in range(N)])
    f["quoted_newlines.csv"] = _lines(
        BASIC_HEADER + ["notes"],
        [r + ['"caller reports\nsecond line"' if i in (3, 17) else "none"] for i, r in enumerate(_basic_rows())])
    rows = _basic_rows()
    rows[7][0] = rows[2][0]
    rows[20][0] = rows[2][0]
    rows[25][0] = rows[24][0]
    f["duplicate_ids.csv"] = _lines(BASIC_HEADER, rows)
    rows = _basic_rows()
    rows[9][3], rows[9][4] = 40.7128, -74.0060  # New York: ~1,150 km away
    rows[17][3], rows[17][4] = 41.9, -88.9  # ~100 km west
    f["far_outlier.csv"] = _lines(BASIC_HEADER, rows)
    rows = _basic_rows()
    rows[4][3] = "unknown"
    rows[8][4] = "41.7.2"
    rows[15][3] = "N/A"  # a null marker: missing, not unparseable
    f["unparseable_numbers.csv"] = _lines(BASIC_HEADER, rows)
    rows = _basic_rows()
    rows[5][3] = 95.3
    rows[6][4] = -187.6
    f["out_of_range.csv"] = _lines(BASIC_HEADER, rows)
    rows = _basic_rows()
    rows[0][3] = ""
    rows[10][3], rows[10][4] = "", ""
    rows[29][4] = " "
    f["missing_coordinates.csv"] = _lines(BASIC_HEADER, rows)
    utm = [[IDS[i], _iso(TIMES[i]), OFF[i], UTM_X[i], UTM_Y[i]] for i in range(N)]
    f["projected_with_prj.csv"] = _lines(["id", "date", "type", "X", "Y"], utm)
    f["projected_with_prj.prj"] = UTM10N_PRJ
    f["projected_no_crs.csv"] = _lines(["id", "date", "type", "X", "Y"], utm)
    # Illinois East state plane feet (non-metric): working CRS falls back to the UTM zone.
    from pyproj import Transformer

    tr = Transformer.from_crs(4326, 3435, always_xy=True)
    px, py = tr.transform(LON, LAT)
    f["state_plane_feet.csv"] = _lines(["OBJECTID", "OCC_DATE", "OFFENSE", "POINT_X", "POINT_Y"],
                                       [[i + 1, _iso(TIMES[i]), OFF[i], round(px[i], 1), round(py[i], 1)]
                                        for i in range(N)])
    f["state_plane_feet.prj"] = ILLINOIS_EAST_PRJ
    f["no_coordinates.csv"] = _lines(["id", "date", "type", "address"],
                                     [[IDS[i], _iso(TIMES[i]), OFF[i], "1XX N STATE ST"] for i in range(N)])
    mixed = [[IDS[i], _iso(TIMES[i]) if i % 2 else _us12(TIMES[i]), OFF[i], LAT[i], LON[i]] for i in range(N)]
    f["mixed_date_formats.csv"] = _lines(BASIC_HEADER, mixed)
    f["date_time_split.csv"] = _lines(
        ["id", "Date", "Time", "type", "lat", "lon"],
        [[IDS[i], TIMES[i].strftime("%m/%d/%Y"), TIMES[i].strftime("%H:%M") if i != 4 else "", OFF[i], LAT[i], LON[i]]
         for i in range(N)])
    f["military_time.csv"] = _lines(
        ["RD_NO", "OCC_DATE", "OCC_TIME", "OFFENSE", "LATITUDE", "LONGITUDE"],
        [[IDS[i], TIMES[i].strftime("%Y-%m-%d"), int(TIMES[i].strftime("%H%M")), OFF[i], LAT[i], LON[i]]
         for i in range(N)])
    f["components.csv"] = _lines(
        ["TYPE", "YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "HUNDRED_BLOCK", "X", "Y"],
        [[OFF[i], t.year, t.month, t.day, t.hour, t.minute, "10XX ALBERNI ST", UTM_X[i], UTM_Y[i]]
         for i, t in enumerate(TIMES)])
    rows = _basic_rows()
    rows[2][1] = "not recorded"
    rows[13][1] = ""
    rows[14][1] = "2019-02-30 10:00"
    f["unparseable_dates.csv"] = _lines(BASIC_HEADER, rows)
    rows = [",".join(map(str, r)) for r in _basic_rows()]
    rows[6] += ",EXTRA,FIELDS"
    f["malformed_row.csv"] = "\n".join([",".join(BASIC_HEADER)] + rows) + "\n"
    # data.police.uk street-level crime: month-only dates, empty Crime ID for anti-social behaviour,
    # empty coordinates for crimes that could not be mapped, a free-text "Location" column.
    uk = []
    for i in range(N):
        lon, lat = round(-0.12 + (LON[i] + 87.68), 6), round(51.5 + (LAT[i] - 41.85), 6)
        if i in (12, 13):
            lon = lat = ""
        crime_id = "" if i % 4 == 0 else f"{i:04d}a1b2c3d4e5f6{i:04d}"
        uk.append([crime_id, TIMES[i].strftime("%Y-%m"), "Metropolitan Police Service", "Metropolitan Police Service",
                   lon, lat, "On or near Park Street", "E01000001", "City of London 001A",
                   "Anti-social behaviour" if i % 4 == 0 else OFF[i].title(), "" if i % 4 == 0 else "Under investigation",
                   ""])
    f["police_uk_street.csv"] = _lines(
        ["Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location", "LSOA code",
         "LSOA name", "Crime type", "Last outcome category", "Context"], uk)
    f["year_month_components.csv"] = _lines(
        ["id", "Year", "Month", "offence", "lat", "lon"],
        [[IDS[i], t.year, t.month, OFF[i], LAT[i], LON[i]] for i, t in enumerate(TIMES)])
    # An RMS report export: a title, a "generated" line with a comma, a blank line, then the table,
    # with one malformed row.
    rows = [",".join(map(str, r)) for r in _basic_rows()]
    rows[6] += ",EXTRA"
    f["title_lines.csv"] = ("Incident report - District 12\nGenerated 2019-04-08, by CrimeView\n\n"
                            + "\n".join([",".join(BASIC_HEADER)] + rows) + "\n")
    f["excel_sep_hint.csv"] = "sep=;\n" + _lines(BASIC_HEADER, _basic_rows(), ";")
    # Excel "Save as Unicode Text": UTF-16 with a byte-order mark, tab-separated, CRLF.
    f["excel_unicode_text.csv"] = _lines(BASIC_HEADER + ["block"], [r + ["Peña Blvd"] for r in _basic_rows()],
                                         "\t").replace("\n", "\r\n").encode("utf-16")
    f["leading_blank_lines.csv"] = "\n\n" + _lines(BASIC_HEADER, _basic_rows())
    f["no_dates.csv"] = _lines(["id", "offence", "lat", "lon"], [[IDS[i], OFF[i], LAT[i], LON[i]] for i in range(N)])
    return f


def write_corpus(folder: Path) -> dict[str, Path]:
    """Write every corpus file into ``folder``; returns name -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, content in _files().items():
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))
        out[name] = path
    return out
