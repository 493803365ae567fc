"""Every problem file of the corpus loads with exactly the expected report (or the expected error)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pyproj import CRS

from hotspot_desktop.core.crs import transform_xy
from hotspot_desktop.core.io.csv_incidents import load_incidents_csv
from hotspot_desktop.core.io.report import LoadError
from tests.core.csv_corpus import (
    LA_LAT,
    LA_LON,
    LAT,
    LON,
    TIMES,
    UTM_X,
    UTM_Y,
    write_corpus,
)

US_AMBIGUOUS = "assumed month/day (US)"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, Path]:
    return write_corpus(tmp_path_factory.mktemp("csv_corpus"))


# name -> (rows_read, rows_kept, {reason: [first rows]}, expected detections)
CASES = {
    "basic.csv": (30, 30, {}, {"x": "longitude", "y": "latitude", "offence": "primary_type",
                               "incident_id": "case_number", "date_format": ["%Y-%m-%d %H:%M"]}),
    "crlf.csv": (30, 30, {}, {"x": "longitude"}),
    "semicolon_decimal_comma.csv": (30, 30, {}, {"delimiter": "semicolon", "decimal": ",", "x": "Lon", "y": "Lat",
                                                 "date_format": ["%d.%m.%Y %H:%M"], "offence": None}),
    "tab.csv": (30, 30, {}, {"delimiter": "tab"}),
    "pipe.csv": (30, 30, {}, {"delimiter": "pipe"}),
    "utf8_bom.csv": (30, 30, {}, {"encoding": "utf-8-sig", "incident_id": "case_number"}),
    "cp1252_names.csv": (30, 30, {}, {"encoding": "cp1252"}),
    "quoted_commas.csv": (30, 30, {}, {}),
    "quoted_newlines.csv": (30, 30, {}, {}),
    "swapped_latlon.csv": (30, 30, {}, {"swapped": True, "working_crs": "EPSG:32611"}),
    "swapped_polar.csv": (30, 30, {}, {"swapped": True, "working_crs": "EPSG:32616"}),
    "swapped_undetectable.csv": (30, 30, {}, {"swapped": False}),
    "zero_zero.csv": (30, 27, {"zero_zero": [4, 12, 13]}, {}),
    "us_dates_12h.csv": (30, 30, {}, {"date_format": ["%m/%d/%Y %I:%M %p"], "dayfirst": False}),
    "day_first.csv": (30, 30, {}, {"date_format": ["%d/%m/%Y %H:%M"], "dayfirst": True}),
    "ambiguous_day_month.csv": (30, 30, {}, {"date_format": ["%m/%d/%Y %H:%M"], "dayfirst": False}),
    "socrata_iso_t.csv": (30, 30, {}, {"date_format": ["%Y-%m-%dT%H:%M:%S.%f"], "incident_id": "ID"}),
    "month_only.csv": (30, 30, {}, {"date_kind": "month", "date_format": ["%Y-%m"], "windows": 30,
                                    "time_span": ["2019-03-01T00:00:00", "2019-04-01T00:00:00"]}),
    "start_end_window.csv": (30, 30, {}, {"date": ["FROM_DATE"], "date_end": ["TO_DATE"], "windows": 20,
                                          "offence": "offense", "x": "long"}),
    "wkt_location.csv": (30, 30, {}, {"location": "geometry", "location_format": "wkt"}),
    "latlon_location.csv": (30, 30, {}, {"location": "Location", "location_format": "latlon",
                                         "incident_id": "Case Number", "offence": "Primary Type"}),
    "duplicate_ids.csv": (30, 27, {"duplicate_id": [8, 21, 26]}, {}),
    "far_outlier.csv": (30, 28, {"far_outlier": [10, 18]}, {}),
    "unparseable_numbers.csv": (30, 27, {"unparseable_number": [5, 9], "missing_coordinates": [16]}, {}),
    "out_of_range.csv": (30, 28, {"out_of_range": [6, 7]}, {}),
    "missing_coordinates.csv": (30, 27, {"missing_coordinates": [1, 11, 30]}, {}),
    "projected_with_prj.csv": (30, 30, {}, {"crs": "EPSG:32610", "crs_source": "prj", "working_crs": "EPSG:32610"}),
    "state_plane_feet.csv": (30, 30, {}, {"crs": "EPSG:3435", "crs_source": "prj", "working_crs": "EPSG:32616",
                                          "x": "POINT_X", "date": ["OCC_DATE"], "incident_id": "OBJECTID"}),
    "mixed_date_formats.csv": (30, 30, {}, {"date_format": ["%Y-%m-%d %H:%M", "%m/%d/%Y %I:%M %p"]}),
    "date_time_split.csv": (30, 30, {}, {"date_kind": "date_time", "date": ["Date", "Time"], "windows": 1}),
    "military_time.csv": (30, 30, {}, {"date_kind": "date_time", "date": ["OCC_DATE", "OCC_TIME"],
                                       "date_format": ["%Y-%m-%d %H%M"], "incident_id": "RD_NO"}),
    "unparseable_dates.csv": (30, 27, {"unparseable_date": [3, 14, 15]}, {}),
    "malformed_row.csv": (30, 29, {"malformed_row": [7]}, {}),
    "no_dates.csv": (30, 30, {}, {"date": None, "time_span": None}),
    "title_lines.csv": (30, 29, {"malformed_row": [7]}, {"x": "longitude", "incident_id": "case_number"}),
    "excel_sep_hint.csv": (30, 30, {}, {"delimiter": "semicolon", "x": "longitude"}),
    "excel_unicode_text.csv": (30, 30, {}, {"encoding": "utf-16", "delimiter": "tab", "x": "longitude"}),
    "leading_blank_lines.csv": (30, 30, {}, {"x": "longitude", "date_format": ["%Y-%m-%d %H:%M"]}),
    "police_uk_street.csv": (30, 28, {"missing_coordinates": [13, 14]},
                             {"date_kind": "month", "date": ["Month"], "offence": "Crime type",
                              "incident_id": "Crime ID", "working_crs": "EPSG:32630", "windows": 28}),
    "year_month_components.csv": (30, 30, {}, {"date_kind": "month", "date": ["Year", "Month"], "windows": 30,
                                               "time_span": ["2019-03-01T00:00:00", "2019-04-01T00:00:00"]}),
}

ERRORS = {
    "header_only.csv": "header but no data rows",
    "empty.csv": "is empty",
    "blank_lines_only.csv": "is empty",
    "projected_no_crs.csv": "projected_no_crs.prj",
    "no_coordinates.csv": "no coordinate columns",
}


def _detected(report) -> dict:
    flat = dict(report.detected)
    flat.update(flat.pop("columns"))
    return flat


def test_corpus_has_at_least_25_problem_files(corpus):
    assert len([p for p in corpus.values() if p.suffix == ".csv"]) >= 25
    assert set(CASES) | set(ERRORS) | {"components.csv"} == {n for n, p in corpus.items() if p.suffix == ".csv"}


@pytest.mark.parametrize("name", sorted(CASES))
def test_corpus_file_report(corpus, name):
    rows_read, rows_kept, rejected, detected = CASES[name]
    layer, report = load_incidents_csv(corpus[name])
    assert report.rows_read == rows_read
    assert report.rows_kept == rows_kept == len(layer)
    assert {k: v.first_rows for k, v in report.rejected.items()} == rejected
    assert report.rejected_counts() == {k: len(v) for k, v in rejected.items()}
    assert len(report.rejected_rows) == rows_read - rows_kept
    assert sorted(report.rejected_rows["row"]) == sorted(r for rows in rejected.values() for r in rows)
    flat = _detected(report)
    for key, value in detected.items():
        assert flat[key] == value, key
    if detected.get("date", "date") is not None:
        assert layer.attributes["time"].dtype == np.dtype("datetime64[ns]")


def test_plain_file_has_canonical_columns_and_exact_positions(corpus):
    layer, report = load_incidents_csv(corpus["basic.csv"])
    a = layer.attributes
    assert list(a.columns) == ["time", "time_end", "offence", "incident_id"]
    assert isinstance(a["offence"].dtype, pd.CategoricalDtype)
    assert a["time"].tolist() == [pd.Timestamp(t) for t in TIMES]
    assert a["time_end"].isna().all()
    assert a["incident_id"].iloc[0] == "JC100200"
    x, y = transform_xy(LON, LAT, CRS.from_epsg(4326), CRS.from_epsg(32616))
    np.testing.assert_allclose(layer.x, x, atol=1e-6)
    np.testing.assert_allclose(layer.y, y, atol=1e-6)
    assert layer.source.format == "csv" and layer.source.options["x"] == "longitude"
    assert layer.source_crs == CRS.from_epsg(4326)
    assert report.warnings == []


@pytest.mark.parametrize("name", ["us_dates_12h.csv", "mixed_date_formats.csv", "day_first.csv",
                                  "socrata_iso_t.csv", "latlon_location.csv", "date_time_split.csv",
                                  "military_time.csv", "semicolon_decimal_comma.csv", "wkt_location.csv"])
def test_times_and_points_match_the_source(corpus, name):
    layer, _ = load_incidents_csv(corpus[name])
    times = [pd.Timestamp(t) for t in TIMES]
    if name == "date_time_split.csv":
        times[4] = times[4].normalize()  # the row without a time is known to the day
    assert layer.attributes["time"].tolist() == times
    x, y = transform_xy(LON, LAT, CRS.from_epsg(4326), CRS.from_epsg(32616))
    np.testing.assert_allclose(layer.x, x, atol=1e-6)
    np.testing.assert_allclose(layer.y, y, atol=1e-6)


def test_swapped_columns_are_swapped_back_with_a_warning(corpus):
    layer, report = load_incidents_csv(corpus["swapped_latlon.csv"])
    x, y = transform_xy(LA_LON, LA_LAT, CRS.from_epsg(4326), CRS.from_epsg(32611))
    np.testing.assert_allclose(layer.x, x, atol=1e-6)
    np.testing.assert_allclose(layer.y, y, atol=1e-6)
    assert any("swaps them back" in w for w in report.warnings)


def test_ambiguous_day_month_is_reported(corpus):
    _, report = load_incidents_csv(corpus["ambiguous_day_month.csv"])
    assert any(US_AMBIGUOUS in w for w in report.warnings)


def test_month_only_dates_become_month_windows(corpus):
    layer, _ = load_incidents_csv(corpus["month_only.csv"])
    t, e = layer.attributes["time"], layer.attributes["time_end"]
    assert t.iloc[0] == pd.Timestamp("2019-03-01") and e.iloc[0] == pd.Timestamp("2019-04-01")
    assert t.iloc[-1] == pd.Timestamp("2019-04-01") and e.iloc[-1] == pd.Timestamp("2019-05-01")


def test_start_end_windows(corpus):
    layer, _ = load_incidents_csv(corpus["start_end_window.csv"])
    a = layer.attributes
    assert pd.isna(a["time_end"].iloc[0])  # empty TO_DATE: exact time
    assert a["time_end"].iloc[1] - a["time"].iloc[1] == pd.Timedelta(hours=2)
    assert a["time"].tolist() == [pd.Timestamp(t) for t in TIMES]


def test_rejected_rows_keep_the_source_values_and_reason(corpus, tmp_path):
    _, report = load_incidents_csv(corpus["unparseable_numbers.csv"])
    rej = report.rejected_rows
    assert rej.columns[0] == "row" and rej.columns[-1] == "reason"
    assert rej.set_index("row")["reason"].to_dict() == {5: "unparseable_number", 9: "unparseable_number",
                                                        16: "missing_coordinates"}
    assert rej.set_index("row").loc[5, "latitude"] == "unknown"
    out = tmp_path / "rejected.csv"
    assert report.save_rejected_csv(str(out)) == 3
    assert pd.read_csv(out)["reason"].tolist() == ["unparseable_number", "unparseable_number", "missing_coordinates"]


def test_malformed_row_text_is_kept(corpus):
    _, report = load_incidents_csv(corpus["malformed_row.csv"])
    rej = report.rejected_rows
    assert rej["reason"].tolist() == ["malformed_row"]
    assert rej["raw_line"].iloc[0].endswith("EXTRA,FIELDS")


def test_components_need_a_crs_and_load_with_one(corpus):
    with pytest.raises(LoadError, match="EPSG"):
        load_incidents_csv(corpus["components.csv"])
    layer, report = load_incidents_csv(corpus["components.csv"], crs=CRS.from_epsg(32610))
    assert (report.rows_read, report.rows_kept) == (30, 30)
    assert report.detected["crs_source"] == "user" and report.detected["date_kind"] == "components"
    assert layer.attributes["time"].tolist() == [pd.Timestamp(t) for t in TIMES]
    assert layer.attributes["offence"].cat.categories.tolist() == sorted(set(layer.attributes["offence"]))
    np.testing.assert_allclose(layer.x, UTM_X)
    np.testing.assert_allclose(layer.y, UTM_Y)


def test_user_crs_wins_over_prj(corpus):
    _, report = load_incidents_csv(corpus["projected_with_prj.csv"], crs="EPSG:26910")
    assert report.detected["crs"] == "EPSG:26910" and report.detected["crs_source"] == "user"


def test_outlier_distance_is_a_parameter(corpus):
    _, report = load_incidents_csv(corpus["far_outlier.csv"], outlier_km=500)
    assert report.rejected_counts() == {"far_outlier": 1}
    assert report.rejected["far_outlier"].first_rows == [10]


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_unloadable_files_raise_a_readable_error(corpus, name):
    with pytest.raises(LoadError, match=ERRORS[name]):
        load_incidents_csv(corpus[name])
