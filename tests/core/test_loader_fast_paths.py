"""The CSV loader's fast paths give the answers of the general paths they short-cut."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from pyproj import CRS, Transformer

from hotspot_desktop.core.io import csv_coords, csv_dates
from hotspot_desktop.core.io.csv_detect import detect_csv
from hotspot_desktop.core.io.csv_incidents import _sorted_categories, load_incidents_csv
from hotspot_desktop.core.io.fast_projection import (
    APPROX_MAX_DEGREES,
    approx_pipeline,
    near_meridian,
)


@pytest.mark.parametrize("epsg", [32616, 32716, 26916, 2193, 3435])
def test_approx_transverse_mercator_is_within_a_millimetre_near_the_meridian(epsg: int) -> None:
    src, dst = CRS.from_epsg(4326), CRS.from_epsg(epsg)
    found = approx_pipeline(src, dst)
    assert found is not None
    pipeline, meridian = found
    rng = np.random.default_rng(epsg)
    lon = meridian + rng.uniform(-APPROX_MAX_DEGREES, APPROX_MAX_DEGREES, 20_000)
    south = epsg in (32716, 2193)
    lat = rng.uniform(-60, -5, 20_000) if south else rng.uniform(5, 70, 20_000)
    exact = np.array(Transformer.from_crs(src, dst, always_xy=True).transform(lon, lat))
    fast = np.array(Transformer.from_pipeline(pipeline).transform(lon, lat))
    unit = dst.axis_info[0].unit_conversion_factor  # US survey feet for 3435
    assert np.abs(exact - fast).max() * unit < 1e-3


@pytest.mark.parametrize("epsg", [3857, 2232, 4326])
def test_no_fast_path_for_other_projections(epsg: int) -> None:
    assert approx_pipeline(CRS.from_epsg(4326), CRS.from_epsg(epsg)) is None


def test_near_meridian_fast_and_general_answers_agree() -> None:
    lon = np.array([-87.5, -81.2, np.nan, -92.9, -93.1, 100.0, -87.0])
    expected = np.array([True, True, False, True, False, False, True])
    assert (near_meridian(lon, -87.0) == expected).all()
    assert near_meridian(np.array([-87.5, np.nan, -86.0]), -87.0).all()  # NaN alone: nothing to project


def test_points_far_from_the_meridian_are_projected_exactly(tmp_path) -> None:
    # A city in UTM zone 16 plus one geocode 40 degrees away (rejected later as a far outlier,
    # but it must still get the exact coordinates the far-outlier test sees).
    rows = ["id,lat,lon"] + [f"{i},{41.8 + i * 1e-4},{-87.6 - i * 1e-4}" for i in range(50)] + ["99,41.8,-47.6"]
    path = tmp_path / "far.csv"
    path.write_text("\n".join(rows) + "\n")
    layer, report = load_incidents_csv(path)
    assert report.detected["working_crs"] == "EPSG:32616"
    exact = Transformer.from_crs("EPSG:4326", "EPSG:32616", always_xy=True)
    ex, ey = exact.transform(np.array([-87.6 - i * 1e-4 for i in range(50)]), np.array([41.8 + i * 1e-4 for i in range(50)]))
    assert np.abs(layer.x - ex).max() < 1e-3 and np.abs(layer.y - ey).max() < 1e-3
    assert report.rejected_counts() == {"far_outlier": 1}


@pytest.mark.parametrize("fmt,values", [
    ("%Y-%m-%d %H:%M", ["2021-03-04 05:06", None, "1899-12-31 23:59", "2021-12-31 00:00"]),
    ("%Y-%m-%dT%H:%M:%S", ["2021-03-04T05:06:07", "2101-01-01T00:00:00", None]),
    ("%Y-%m-%d", ["2021-03-04", "2020-02-29", None]),
])
def test_iso_column_fast_path_equals_the_general_parser(fmt: str, values: list) -> None:
    arr = pa.array(values, type=pa.string())
    fast = csv_dates.parse_iso_column(arr, fmt)
    general, _ = csv_dates.parse_formats(arr, [fmt])
    assert fast is not None
    np.testing.assert_array_equal(fast, general)


@pytest.mark.parametrize("values", [
    ["2021-03-04 05:06", "2021-03-04 05:06:07"],  # mixed widths
    ["2021-03-04 05:06", " 2021-03-04 05:0"],  # space inside the width
    ["2021-02-30 05:06", "2021-03-04 05:06"],  # impossible day
])
def test_iso_column_fast_path_declines_what_it_cannot_read_exactly(values: list) -> None:
    assert csv_dates.parse_iso_column(pa.array(values), "%Y-%m-%d %H:%M") is None


def test_iso_fast_path_over_threads_matches_one_thread() -> None:
    rng = np.random.default_rng(3)
    t = np.datetime64("2015-01-01T00:00") + rng.integers(0, 5_000_000, 450_000).astype("timedelta64[m]")
    text = pd.Series(t.astype("datetime64[m]").astype(str)).str.replace("T", " ")
    arr = pa.array(text.tolist(), type=pa.string())
    fast = csv_dates.parse_iso_column(arr, "%Y-%m-%d %H:%M")
    np.testing.assert_array_equal(fast, t.astype("datetime64[ns]"))


def test_screening_formats_agrees_with_the_counts() -> None:
    for values in (["03/04/21 9:30 PM"], ["12-Jan-2019"], ["Jan 12, 2019"], ["2019-01-02T03:04:05.123Z"],
                   ["930"], ["1/2/2019 9:05:01 AM"], ["2019-01-02 03:04"]):
        screened = csv_dates._screen(values, csv_dates.DATETIME_FORMATS + csv_dates.TIME_FORMATS)
        counted = [f for f in csv_dates.DATETIME_FORMATS + csv_dates.TIME_FORMATS
                   if csv_dates._count(pa.array(values), f) > 0]
        assert screened == counted and screened


def test_robust_box_ignores_nan_rows_and_samples_big_inputs() -> None:
    x = np.array([0.0, 1, 2, 3, 4, 5, 6, 7, 8, 9, np.nan, np.nan])
    assert csv_coords.robust_box(x, x) == csv_coords.robust_box(x[:10], x[:10])
    rng = np.random.default_rng(0)
    big = rng.normal(0, 1000, 1_000_000)
    box = csv_coords.robust_box(big, big)
    exact = np.quantile(big, [0.01, 0.99])
    # The sample quantile's standard error here is ~12 m; the box only places a 50 km margin.
    assert abs(box[0] - exact[0]) < 60 and abs(box[2] - exact[1]) < 60


def test_far_from_box_shortcut_matches_the_distance_rule() -> None:
    rng = np.random.default_rng(1)
    box = (0.0, 0.0, 1000.0, 1000.0)
    for spread in (1000.0, 50_000.0, 120_000.0):
        x = rng.uniform(-spread, 1000 + spread, 5000)
        y = rng.uniform(-spread, 1000 + spread, 5000)
        dx = np.maximum(0.0, np.maximum(box[0] - x, x - box[2]))
        dy = np.maximum(0.0, np.maximum(box[1] - y, y - box[3]))
        assert (csv_coords.far_from_box(x, y, box, 50_000.0) == (np.hypot(dx, dy) > 50_000.0)).all()
    # A corner point within 50 km on each axis but farther in a straight line is still far.
    assert csv_coords.far_from_box(np.array([-40_000.0]), np.array([-40_000.0]), box, 50_000.0).all()


def test_sorted_categories_from_codes_match_pandas_reordering() -> None:
    chunks = pa.chunked_array([pa.array(["b", "a", None, "c"]).dictionary_encode(),
                               pa.array(["z", "a", "B"]).dictionary_encode()])
    got = _sorted_categories(chunks, None)
    expected = chunks.to_pandas().astype("category")
    expected = expected.cat.reorder_categories(sorted(expected.cat.categories, key=str))
    assert got.equals(expected)
    assert list(got.cat.categories) == ["B", "a", "b", "c", "z"]
    keep = np.array([True, False, True, True, False, True, True])
    kept = _sorted_categories(chunks, keep)
    assert kept.reset_index(drop=True).equals(expected[keep].reset_index(drop=True))
    empty = _sorted_categories(pa.chunked_array([], type=pa.dictionary(pa.int32(), pa.string())), None)
    assert len(empty) == 0


def test_an_id_repeated_only_on_a_rejected_row_is_no_duplicate(tmp_path) -> None:
    # The id check runs beside the date parsing on the rows with usable coordinates; a row the
    # dates then reject must not make a later row with the same id a duplicate (reason order:
    # unparseable_date before duplicate_id), nor may a row rejected for its coordinates.
    rows = ["incident_id,date,latitude,longitude",
            "A1,2021-03-01 10:00,41.88,-87.63",
            "B2,not a date,41.88,-87.63",  # rejected for its date
            "B2,2021-03-01 11:00,41.88,-87.63",  # so this one is kept
            "C3,2021-03-01 12:00,,",  # rejected for its coordinates
            "C3,2021-03-01 13:00,41.89,-87.62",  # kept
            "A1,2021-03-01 14:00,41.88,-87.64"]  # a real duplicate
    path = tmp_path / "ids.csv"
    path.write_text("\n".join(rows) + "\n")
    schema = detect_csv(path).with_changes(incident_id="incident_id")  # too few rows to guess it
    layer, report = load_incidents_csv(path, schema=schema)
    assert report.rejected_counts() == {"unparseable_date": 1, "missing_coordinates": 1, "duplicate_id": 1}
    assert report.rejected["duplicate_id"].first_rows == [6]
    assert sorted(layer.attributes["incident_id"]) == ["A1", "B2", "C3"]
    assert list(layer.attributes.columns[:2]) == ["time", "time_end"]


def _write(path, header: str, rows: list[str]):
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_rows_rejected_for_their_dates_do_not_shape_the_outlier_box(tmp_path) -> None:
    # The projection runs before the dates are read; the rows they reject must still be left out
    # of the robust extent, or four bad-date rows 122 km away make a real stray point look normal.
    rows = [f"A{i},2020-01-{i + 1:02d} 10:00,{41.85 + 0.001 * i:.4f},{-87.68 + 0.001 * i:.4f}" for i in range(20)]
    rows.append("B0,2020-01-25 10:00,42.9500,-87.6800")  # 122 km north: far
    rows += [f"C{i},not a date,42.9500,-87.6800" for i in range(4)]
    _layer, report = load_incidents_csv(_write(tmp_path / "far.csv", "id,date,lat,lon", rows))
    assert report.rejected_counts() == {"unparseable_date": 4, "far_outlier": 1}
    assert report.rejected["far_outlier"].first_rows == [21]


def test_working_crs_follows_the_rows_kept_not_those_rejected_for_dates(tmp_path) -> None:
    # Ten dated rows in UTM zone 16 and twenty undated ones in zone 15: the kept points decide.
    rows = [f"Z{i},2020-01-{i + 1:02d} 10:00,{41.85 + 0.001 * i:.4f},{-86.2 + 0.001 * i:.4f}" for i in range(10)]
    rows += [f"W{i},,{41.85 + 0.001 * i:.4f},{-90.5 + 0.001 * i:.4f}" for i in range(20)]
    layer, report = load_incidents_csv(_write(tmp_path / "zone.csv", "id,date,lat,lon", rows))
    assert report.detected["working_crs"] == "EPSG:32616"
    expected = Transformer.from_crs(4326, 32616, always_xy=True).transform(-86.2, 41.85)
    assert abs(layer.x[0] - expected[0]) < 1e-3 and abs(layer.y[0] - expected[1]) < 1e-3


def test_a_head_without_coordinates_is_read_further(tmp_path) -> None:
    # Exports that list the ungeocoded rows first: the first 2,500 rows have no coordinates.
    rows = [f"Q{i},2020-01-01 10:00,,,THEFT" for i in range(2500)]
    rows += [f"Q{2500 + i},2020-01-09 10:00,{41.85 + 1e-5 * i:.5f},{-87.644 + 1e-5 * i:.5f},THEFT" for i in range(9500)]
    _layer, report = load_incidents_csv(_write(tmp_path / "blank_head.csv", "id,date,lat,lon,type", rows))
    assert (report.rows_kept, report.rejected_counts()) == (9500, {"missing_coordinates": 2500})


def test_mostly_distinct_text_stays_text_and_repetitive_text_becomes_categories(tmp_path) -> None:
    # An address column (every row different) must not become a category of 60,000 names (the
    # parser dictionary-encodes each block on its own, where every column looks repetitive
    # enough); a block column with 3,000 values over 60,000 rows is a category, as is a 5-value one.
    n = 60_000
    rng = np.random.default_rng(4)
    frame = pd.DataFrame({
        "id": [f"R{i:06d}" for i in range(n)],
        "date": "2021-05-01 10:00",
        "lat": np.round(41.85 + rng.normal(0, 0.02, n), 6), "lon": np.round(-87.65 + rng.normal(0, 0.02, n), 6),
        "address": [f"{i} W MAIN ST APT {i % 97}" for i in range(n)],
        "block": [f"0{k:04d}X W STREET" for k in rng.integers(0, 3000, n)],
        "premise": rng.choice(["STREET", "RESIDENCE", "APARTMENT", "SIDEWALK", "PARKING LOT"], n),
    })
    path = tmp_path / "text.csv"
    frame.to_csv(path, index=False)
    layer, report = load_incidents_csv(path)
    attrs = layer.attributes
    assert report.rows_kept == n
    assert str(attrs["address"].dtype) == "str" and attrs["address"].tolist() == frame["address"].tolist()
    assert isinstance(attrs["block"].dtype, pd.CategoricalDtype) and attrs["block"].tolist() == frame["block"].tolist()
    assert list(attrs["block"].cat.categories) == sorted(frame["block"].unique())
    assert isinstance(attrs["premise"].dtype, pd.CategoricalDtype)
    assert attrs["premise"].tolist() == frame["premise"].tolist()


def test_working_crs_recheck_when_the_sample_holds_no_kept_row(tmp_path) -> None:
    # 40,000 rows: the CRS sample takes every 2nd row. Those (Chicago, UTM 16) all have bad
    # dates; the kept rows are the others (Iowa, UTM 15), and they decide the zone.
    rows = []
    for i in range(40_000):
        if i % 2 == 0:
            rows.append(f"A{i},not a date,THEFT,{41.85 + (i % 100) * 1e-4:.4f},{-87.65 + (i % 97) * 1e-4:.4f}")
        else:
            rows.append(f"A{i},2019-03-{1 + i % 28:02d} 10:00,THEFT,{41.60 + (i % 100) * 1e-4:.4f},"
                        f"{-93.60 + (i % 97) * 1e-4:.4f}")
    path = _write(tmp_path / "iowa.csv", "case_number,date,primary_type,latitude,longitude", rows)
    layer, report = load_incidents_csv(path)
    assert (report.rows_kept, report.detected["working_crs"]) == (20_000, "EPSG:32615")
    expected = Transformer.from_crs(4326, 32615, always_xy=True).transform(-93.60 + 1e-4, 41.60 + 1e-4)
    assert abs(layer.x[0] - expected[0]) < 1e-3 and abs(layer.y[0] - expected[1]) < 1e-3
    # every row rejected (dates read with the schema of a good file): the CRS of no points, as
    # before the projection ran early
    header = "case_number,date,primary_type,latitude,longitude"
    good = _write(tmp_path / "good.csv", header, [f"B{i},2019-03-01 10:00,THEFT,41.8{i},-87.6{i}" for i in range(5)])
    nothing = _write(tmp_path / "nodates.csv", header, [f"B{i},zz,THEFT,41.8{i},-87.6{i}" for i in range(5)])
    _layer, report = load_incidents_csv(nothing, schema=detect_csv(good))
    assert (report.rejected_counts(), report.detected["working_crs"]) == ({"unparseable_date": 5}, "EPSG:3857")


def test_robust_box_ranks_match_a_full_sort_and_leave_the_input_alone() -> None:
    rng = np.random.default_rng(7)
    for n in (5, 37, 1000, 150_000):
        x, y = rng.normal(0, 100, n), rng.normal(50, 10, n)
        x[::11], y[::11] = np.nan, np.nan
        before = x.copy()
        kept = np.sort(x[~np.isnan(x)]), np.sort(y[~np.isnan(y)])
        k = int(np.floor(0.01 * len(kept[0])))
        k = max(k, 1) if len(kept[0]) >= 5 else k
        expected = (kept[0][k], kept[1][k], kept[0][-1 - k], kept[1][-1 - k])
        assert csv_coords.robust_box(x, y) == expected
        np.testing.assert_array_equal(x, before)


def _four_rejects(code, raw, x, y, geographic):
    """The reference: each reason tested over all rows, in order, first reason wins."""
    from hotspot_desktop.core.io.csv_incidents import REASON_ORDER

    def reject(reason, mask):
        code[mask & (code == 0)] = REASON_ORDER.index(reason) + 1

    reject("missing_coordinates", raw.missing)
    reject("unparseable_number", raw.unparseable)
    if geographic:
        with np.errstate(invalid="ignore"):
            reject("out_of_range", (np.abs(x) > 180) | (np.abs(y) > 90))
    reject("zero_zero", (x == 0) & (y == 0))


@pytest.mark.parametrize("geographic", [True, False])
def test_coordinate_rejects_match_testing_each_reason_over_all_rows(geographic: bool) -> None:
    from hotspot_desktop.core.io.csv_incidents import _reject_coordinates

    table = pa.table({"x": ["-87.6", "", "abc", "200", "0", "0", "-87.7", "inf", "5", "0", "1e400"],
                      "y": ["41.8", "41.8", "41.8", "41.8", "0", "", "95", "41.8", "", "0.0", "3"]})
    rng = np.random.default_rng(3)
    extra = pa.table({"x": rng.uniform(-200, 200, 2000).round(1).astype(str),
                      "y": rng.choice(["0", "1", "91", "-45", ""], 2000)})
    table = pa.concat_tables([table, extra])
    from hotspot_desktop.core.io.csv_schema import CsvSchema

    raw = csv_coords.read_xy(table, CsvSchema(columns=["x", "y"], x="x", y="y"))
    ours, reference = np.zeros(len(raw.x), np.int8), np.zeros(len(raw.x), np.int8)
    ours[5] = reference[5] = 7  # a reason set earlier stays
    _reject_coordinates(ours, raw, raw.x, raw.y, geographic)
    _four_rejects(reference, raw, raw.x, raw.y, geographic)
    np.testing.assert_array_equal(ours, reference)
    assert len(set(reference[:11].tolist())) >= 4


def test_number_share_matches_pandas_on_mixed_values() -> None:
    from hotspot_desktop.core.io.csv_columns import nonblank_texts, number_share

    cases = [["1", "2.5", " 3 ", "", "  "], ["1", "x", "NaN", "inf", "-2e3"], ["4,5", "6,25", "bad"],
             [], ["", " "], [1.5, None, "7"]]
    for values in cases:
        series = pd.Series(values, dtype=object)
        texts = series.astype(str)
        texts = texts[texts.str.strip() != ""]
        for decimal in (".", ","):
            vals = texts.str.replace(",", ".", regex=False) if decimal == "," else texts
            expected = float(pd.to_numeric(vals, errors="coerce").notna().mean()) if len(vals) else 0.0
            assert number_share(series, decimal) == pytest.approx(expected), (values, decimal)
    assert nonblank_texts(pd.Series(["a", "", " ", " b ", "\t"], dtype=object)) == ["a", " b "]
    assert nonblank_texts(pd.Series([1.5, None, ""], dtype=object)) == ["1.5", "None"]


def test_pooled_arrays_are_writable_numpy_arrays_that_outlive_their_maker() -> None:
    import gc

    from hotspot_desktop.core.io import pooled_arrays

    big = pooled_arrays.full(300_000, np.datetime64("NaT"), "datetime64[ns]")
    gc.collect()
    assert big.flags.writeable and big.dtype == np.dtype("datetime64[ns]") and np.isnat(big).all()
    big[5] = np.datetime64("2020-01-01T00:00", "ns")
    assert big[5] == np.datetime64("2020-01-01", "ns") and isinstance(big.base, (memoryview, pa.Buffer))
    small = pooled_arrays.empty(10, np.int8)  # below 256 KB: the C allocator's
    assert small.base is None and len(small) == 10
    assert len(pooled_arrays.empty(0, np.float64)) == 0


def test_compact_writes_the_kept_rows_over_the_front_of_the_array() -> None:
    from hotspot_desktop.core.io.csv_incidents import COMPACT_CHUNK, _compact

    rng = np.random.default_rng(5)
    cases = [(n, share) for n in (0, 7, COMPACT_CHUNK, 3 * COMPACT_CHUNK + 11) for share in (0.3, 1e-4)]
    for n, dropped_share in cases:  # many drops (mask path) and a few (runs copied whole)
        values = rng.normal(size=n)
        keep = rng.random(n) >= dropped_share
        if n > 1:
            keep[[0, n - 1]] = False  # drops at both ends of the array
        expected = values[keep].copy()
        out = _compact(values, keep)
        np.testing.assert_array_equal(out, expected)
        assert n == 0 or np.shares_memory(out, values)
    everything = np.arange(5.0)
    assert _compact(everything, np.ones(5, bool)) is everything


def test_copy_kept_into_another_array_with_few_and_many_drops() -> None:
    from hotspot_desktop.core.io.csv_incidents import RUN_COPY_MAX_DROPS, _copy_kept

    rng = np.random.default_rng(6)
    src = rng.integers(0, 100, 10_000).astype(np.int16)
    for drops in (0, 1, RUN_COPY_MAX_DROPS, RUN_COPY_MAX_DROPS + 1, 5_000):
        keep = np.ones(len(src), bool)
        keep[rng.choice(len(src), drops, replace=False)] = False
        out = np.full(len(src), -1, np.int16)
        assert _copy_kept(src, keep, out) == len(src) - drops
        np.testing.assert_array_equal(out[:len(src) - drops], src[keep])
        assert (out[len(src) - drops:] == -1).all()  # nothing written past the kept rows


def test_read_buffer_reads_the_file_in_arrow_buffers(tmp_path) -> None:
    from hotspot_desktop.core.io.csv_read import _TrackedFile

    path = tmp_path / "blocks.csv"
    path.write_bytes(b"a,b\n" + b"".join(b"%d,x%d\n" % (i, i) for i in range(50_000)))
    fh = _TrackedFile(path)
    parts = []
    while block := fh.read_buffer(65_536):
        assert isinstance(block, pa.Buffer)
        parts.append(block.to_pybytes())
    assert b"".join(parts) == path.read_bytes() and fh.bytes_read == path.stat().st_size
    fh.abort = True
    with pytest.raises(OSError, match="cancelled"):
        fh.read_buffer(10)
    fh.close()
    import pyarrow.csv as pcsv

    assert pcsv.read_csv(_TrackedFile(path)).equals(pcsv.read_csv(path))


def test_attribute_columns_match_arrow_to_pandas() -> None:
    from hotspot_desktop.core.io.csv_incidents import _column

    keep = np.array([True, False, True, True, False, True])
    mask = pa.array(keep)
    for chunks, dtype in (([[1, 2, 3], [4, 5, 6]], pa.int64()), ([[1.5, 2.0], [3.0, 4.0, 5.0, 6.0]], pa.float64()),
                          ([[1, None, 3], [4, 5, 6]], pa.int64()), ([[1, 2, 3, 4, 5, 6]], pa.int32()),
                          ([["a", "b", "a"], ["a", "b", "b"]], pa.string()), ([[True, False, True], [None, True, False]],
                                                                             pa.bool_())):
        values = pa.chunked_array(chunks, type=dtype)
        for rows, arrow_rows in ((None, None), (keep, mask)):
            expected = (values if arrow_rows is None else values.filter(arrow_rows)).to_pandas()
            got = _column(values, rows, arrow_rows)
            if dtype == pa.string():
                expected = expected.astype("category")
            pd.testing.assert_series_equal(got.reset_index(drop=True), expected.reset_index(drop=True))
    offences = pa.chunked_array([["THEFT", "ARSON", None], ["THEFT", "BATTERY", "ARSON"]]).dictionary_encode()
    cat = _column(offences, keep, mask, category=True)
    assert list(cat.cat.categories) == ["ARSON", "BATTERY", "THEFT"]
    assert cat.astype(object).where(cat.notna(), None).tolist() == ["THEFT", None, "THEFT", "ARSON"]
    cat.iloc[0] = "ARSON"  # the codes are writable


def test_rows_rejected_before_an_exact_proj_projection_do_not_hide_a_far_outlier(tmp_path) -> None:
    """PROJ turns NaN into infinity for some CRS pairs (British National Grid to UTM): the rows
    rejected before projecting must stay out of the robust box, or its corner becomes infinite
    and no far outlier is found (found in review)."""
    rng = np.random.default_rng(11)
    n = 3000
    east = rng.uniform(430_000, 440_000, n).round(1).astype(str)
    north = rng.uniform(280_000, 290_000, n).round(1).astype(str)
    east[::20] = ""  # 150 rows without coordinates, rejected before the projection
    east[10], north[10] = "530000", "480000"  # ~220 km away
    path = tmp_path / "bng.csv"
    pd.DataFrame({"easting": east, "northing": north, "date": "2024-03-01 10:00",
                  "offence": "THEFT"}).to_csv(path, index=False)
    layer, report = load_incidents_csv(path, crs="EPSG:27700", working_crs=CRS.from_epsg(32630))
    assert report.rejected_counts() == {"missing_coordinates": 150, "far_outlier": 1}
    assert report.rejected["far_outlier"].first_rows == [11]
    assert np.isfinite(layer.x).all() and len(layer.x) == n - 151


def test_wait_for_reports_progress_and_stops_on_cancel_while_a_worker_runs() -> None:
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from hotspot_desktop.core.progress import Cancelled, wait_for

    release = threading.Event()
    seen: list[float] = []
    with ThreadPoolExecutor(1) as pool:
        slow = pool.submit(lambda: release.wait(5) and "done")
        with pytest.raises(Cancelled):
            wait_for(slow, lambda f, _stage: seen.append(f), lambda: len(seen) >= 2, lambda: 0.25 * (1 + len(seen)),
                     "waiting")
        assert seen == [0.25, 0.5]
        release.set()
        assert wait_for(slow, None, None, 1.0) == "done"
