"""CsvSchema round trip, user overrides, preview rows, and the date helpers."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from pyproj import CRS

from hotspot_desktop.core.io import csv_dates
from hotspot_desktop.core.io.csv_detect import detect_csv, preview_rows
from hotspot_desktop.core.io.csv_incidents import load_incidents_csv
from hotspot_desktop.core.io.csv_schema import CsvSchema, DateSpec
from hotspot_desktop.core.io.report import LoadError
from tests.core.csv_corpus import write_corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return write_corpus(tmp_path_factory.mktemp("csv_schema_corpus"))


@pytest.mark.parametrize("name", ["basic.csv", "start_end_window.csv", "projected_with_prj.csv", "wkt_location.csv",
                                  "military_time.csv", "swapped_latlon.csv", "title_lines.csv",
                                  "excel_sep_hint.csv", "police_uk_street.csv"])
def test_schema_round_trips_through_json(corpus, name):
    schema = detect_csv(corpus[name])
    again = CsvSchema.from_dict(json.loads(json.dumps(schema.to_dict())))
    assert again == schema


def test_layer_source_options_reload_the_same_way(corpus):
    layer, report = load_incidents_csv(corpus["start_end_window.csv"])
    schema = CsvSchema.from_dict(layer.source.options)
    layer2, report2 = load_incidents_csv(layer.source.path, schema=schema)
    assert report2.to_dict() == report.to_dict()
    np.testing.assert_array_equal(layer2.x, layer.x)


def test_user_overrides_columns_and_date_format(corpus):
    # The dialog tells the loader that the ambiguous dates are day-first.
    schema = detect_csv(corpus["ambiguous_day_month.csv"])
    assert schema.date.format == "%m/%d/%Y %H:%M"
    schema = schema.with_changes(date=DateSpec("single", ["date"], "%d/%m/%Y %H:%M", dayfirst=True))
    layer, report = load_incidents_csv(corpus["ambiguous_day_month.csv"], schema=schema)
    assert layer.attributes["time"].iloc[1] == pd.Timestamp("2019-08-02 10:00")  # "02/08/2019"
    assert report.detected["dayfirst"] is True and report.warnings == []
    # No offence column, and no id: the duplicates are kept.
    schema = detect_csv(corpus["duplicate_ids.csv"]).with_changes(offence=None, incident_id=None)
    layer, report = load_incidents_csv(corpus["duplicate_ids.csv"], schema=schema)
    assert report.rows_kept == 30 and "offence" not in layer.attributes
    assert "primary_type" in layer.attributes and "case_number" in layer.attributes


def test_override_with_a_missing_column_is_a_load_error(corpus):
    schema = detect_csv(corpus["basic.csv"]).with_changes(x="lng")
    with pytest.raises(LoadError, match="no column 'lng'"):
        load_incidents_csv(corpus["basic.csv"], schema=schema)


def test_header_only_file_still_detects_columns(corpus):
    schema = detect_csv(corpus["header_only.csv"])
    assert schema.columns == ["case_number", "date", "primary_type", "latitude", "longitude"]
    assert (schema.x, schema.y) == ("longitude", "latitude")


def test_preview_rows_show_raw_text_and_the_reading(corpus):
    schema = detect_csv(corpus["us_dates_12h.csv"])
    rows = preview_rows(corpus["us_dates_12h.csv"], schema, n=5)
    assert len(rows) == 5
    assert rows["date"].iloc[1] == "03/02/2019 07:13 AM"
    assert rows["parsed_time"].iloc[1] == pd.Timestamp("2019-03-02 07:13")
    assert rows["parsed_x"].iloc[0] == pytest.approx(float(rows["longitude"].iloc[0]))
    rows = preview_rows(corpus["swapped_latlon.csv"], detect_csv(corpus["swapped_latlon.csv"]), n=3)
    assert (rows["parsed_x"] < -100).all()  # swap applied: x is the Los Angeles longitude
    rows = preview_rows(corpus["cp1252_names.csv"], detect_csv(corpus["cp1252_names.csv"]), n=2)
    assert rows["block"].tolist() == ["Peña Blvd", "Café Ct"]
    schema = detect_csv(corpus["title_lines.csv"])
    assert schema.skip_rows == 3
    rows = preview_rows(corpus["title_lines.csv"], schema, n=2)
    assert rows["case_number"].tolist() == ["JC100200", "JC100201"]


def test_projected_prj_and_user_crs_in_schema(corpus):
    schema = detect_csv(corpus["projected_with_prj.csv"])
    assert schema.crs.to_epsg() == 32610 and schema.crs_source == "prj"
    schema = detect_csv(corpus["projected_no_crs.csv"], crs="EPSG:32610")
    assert schema.crs == CRS.from_epsg(32610) and schema.crs_source == "user"
    assert detect_csv(corpus["projected_no_crs.csv"]).crs is None


def test_components_to_datetime_refuses_impossible_dates():
    parts = [np.array([2020, 2021, 2020, np.nan]), np.array([2, 2, 13, 1]), np.array([29, 29, 1, 1]),
             np.array([23, 0, 0, 0]), np.array([59, 0, 0, 0])]
    out = csv_dates.components_to_datetime(parts)
    assert out[0] == np.datetime64("2020-02-29T23:59")
    assert np.isnat(out[1:]).all()


def test_parse_formats_uses_fallbacks_in_order():
    values = pa.array(["2021-03-04 10:00", "03/05/2021 01:00 PM", "", None, "nonsense"])
    out, used = csv_dates.parse_formats(values, ["%Y-%m-%d %H:%M", "%m/%d/%Y %I:%M %p"])
    assert out[0] == np.datetime64("2021-03-04T10:00") and out[1] == np.datetime64("2021-03-05T13:00")
    assert used.tolist() == [0, 1, -1, -1, -1]


def test_two_digit_years_are_not_year_21():
    fmts, share, _ = csv_dates.detect_format(["03/14/21 10:00", "12/01/20 23:10"], csv_dates.DATETIME_FORMATS)
    assert fmts == ["%m/%d/%y %H:%M"] and share == 1.0


def test_repeated_ids_keep_the_first_live_occurrence():
    from hotspot_desktop.core.io.csv_incidents import _repeated_ids

    ids = pa.chunked_array([pa.array(["a", "b", "a", None, None, "b", "c", "a"])])
    live = np.array([False, True, True, True, True, True, True, True])
    # Row 0 was rejected for another reason, so row 2 is the first "a" kept; empty ids never repeat.
    assert _repeated_ids(ids, live).tolist() == [False, False, False, False, False, True, False, True]
    assert not _repeated_ids(pa.chunked_array([pa.array(["1", "2", "3"])]), np.ones(3, bool)).any()


def test_invalid_utf8_past_the_sniffed_head_rereads_as_cp1252(tmp_path):
    from hotspot_desktop.core.io.csv_sniff import SNIFF_BYTES

    row = "JC{:07d},2019-03-01 10:00,THEFT,41.85,-87.68,Main St\n"
    n = SNIFF_BYTES // len(row.format(0)) + 100
    text = "case_number,date,primary_type,latitude,longitude,block\n" + "".join(row.format(i) for i in range(n))
    text += "JC9999999,2019-03-01 10:00,THEFT,41.85,-87.68,Peña Blvd\n"
    path = tmp_path / "late_accent.csv"
    path.write_bytes(text.encode("cp1252"))
    assert detect_csv(path).encoding == "utf-8"
    layer, report = load_incidents_csv(path)
    assert report.rows_kept == n + 1
    assert layer.attributes["block"].iloc[-1] == "Peña Blvd"
    assert any("read as cp1252" in w for w in report.warnings)
    assert layer.source.options["encoding"] == "cp1252"


def test_iso_times_with_utc_offsets_keep_the_local_clock(tmp_path):
    path = tmp_path / "offsets.csv"
    path.write_text("id,occurred_at,lat,lon\nA,2019-03-01T22:15:00-06:00,41.85,-87.68\n"
                    "B,2019-03-02T01:05:30.250-06:00,41.86,-87.67\n", encoding="utf-8")
    layer, report = load_incidents_csv(path)
    assert layer.attributes["time"].tolist() == [pd.Timestamp("2019-03-01 22:15"), pd.Timestamp("2019-03-02 01:05:30")]
    assert report.rows_kept == 2


def test_a_wrong_user_date_format_rejects_rows_and_says_why(corpus):
    schema = detect_csv(corpus["basic.csv"])
    schema = schema.with_changes(date=DateSpec("single", ["date"], "%d.%m.%Y"))
    layer, report = load_incidents_csv(corpus["basic.csv"], schema=schema)
    assert report.rejected_counts() == {"unparseable_date": 30} and len(layer) == 0
    assert any("could be read as %d.%m.%Y" in w for w in report.warnings)


def test_swap_is_a_detection_note(corpus):
    from hotspot_desktop.core.io.csv_detect import detect_with_notes

    schema, notes = detect_with_notes(corpus["swapped_polar.csv"])
    assert schema.swapped and any("swaps them back" in n for n in notes)
