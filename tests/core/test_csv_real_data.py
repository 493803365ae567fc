"""The loader on real police open data (../shared/data): exact counts from the data READMEs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pyproj import CRS

from hotspot_desktop.core.io.csv_detect import detect_csv
from hotspot_desktop.core.io.csv_incidents import load_incidents_csv

pytestmark = pytest.mark.shared_data


def test_chicago_aggravated_assaults(shared_data):
    path = shared_data / "chicago_aggravated_assaults" / "chicago_aggravated_assaults.csv"
    layer, report = load_incidents_csv(path)
    assert (report.rows_read, report.rows_kept) == (148_636, 148_636)
    assert report.rejected_counts() == {}
    det = report.detected
    assert det["columns"]["x"] == "longitude" and det["columns"]["y"] == "latitude"
    assert det["columns"]["date"] == ["date"] and det["date_format"] == ["%Y-%m-%d %H:%M"]
    assert det["crs"] == "EPSG:4326" and det["crs_source"] == "ranges" and det["swapped"] is False
    assert det["working_crs"] == "EPSG:32616"
    assert det["time_span"] == ["2010-01-01T00:05:00", "2019-12-31T23:54:00"]
    a = layer.attributes
    assert a["time"].dtype == np.dtype("datetime64[ns]") and a["time_end"].isna().all()
    assert "offence" not in a  # every row is an aggravated assault; the file has no offence column
    assert isinstance(a["loc_cat"].dtype, pd.CategoricalDtype) and len(a["loc_cat"].cat.categories) == 13
    assert (a["loc_cat"] == "street").sum() == 70_713
    assert sorted(a["district"].unique()) == [*range(1, 13), *range(14, 21), 22, 24, 25, 31]
    # Chicago spans ~40 km north-south.
    assert 35_000 < layer.y.max() - layer.y.min() < 50_000


def test_vancouver_2020_needs_a_crs(shared_data):
    path = shared_data / "vancouver_crimes_2020" / "crimedata_csv_AllNeighbourhoods_2020.csv"
    schema = detect_csv(path)
    assert schema.crs is None and (schema.x, schema.y) == ("X", "Y")
    assert schema.date.kind == "components" and schema.date.columns == ["YEAR", "MONTH", "DAY", "HOUR", "MINUTE"]
    assert schema.offence == "TYPE"


def test_vancouver_2020(shared_data):
    path = shared_data / "vancouver_crimes_2020" / "crimedata_csv_AllNeighbourhoods_2020.csv"
    layer, report = load_incidents_csv(path, crs=CRS.from_epsg(32610))
    assert report.rows_read == 37_512
    assert report.rejected_counts() == {"zero_zero": 3_750, "missing_coordinates": 1}
    assert report.rows_kept == 37_512 - 3_751 == len(layer)
    rej = report.rejected_rows
    assert set(rej.loc[rej["reason"] == "zero_zero", "HUNDRED_BLOCK"]) == {"OFFSET TO PROTECT PRIVACY"}
    assert rej.loc[rej["reason"] == "missing_coordinates", "TYPE"].str.startswith("Vehicle Collision").all()
    assert report.detected["crs_source"] == "user" and report.detected["working_crs"] == "EPSG:32610"
    assert report.detected["time_span"] == ["2020-01-01T00:00:00", "2020-12-31T23:55:00"]
    # Valid points span X 483,842-498,292 and Y 5,449,830-5,462,300 (data README).
    assert 483_800 < layer.x.min() and layer.x.max() < 498_300
    assert 5_449_800 < layer.y.min() and layer.y.max() < 5_462_400
    off = layer.attributes["offence"]
    assert isinstance(off.dtype, pd.CategoricalDtype)
    assert (off == "Theft from Vehicle").sum() == 10_428
    assert "Offence Against a Person" not in set(off)  # all 3,731 are at (0, 0)
