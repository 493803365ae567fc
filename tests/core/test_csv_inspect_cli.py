"""``hotspot-desktop inspect``: in-process through cli.main and once as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from hotspot_desktop.cli import main
from tests.core.csv_corpus import write_corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return write_corpus(tmp_path_factory.mktemp("inspect_corpus"))


def test_inspect_json(corpus, capsys):
    assert main(["inspect", str(corpus["far_outlier.csv"]), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["rows_read"], out["rows_kept"]) == (30, 28)
    assert out["rejected"] == {"far_outlier": 2}
    assert out["rejected_first_rows"] == {"far_outlier": [10, 18]}
    assert out["detected"]["columns"]["x"] == "longitude"
    assert out["detected"]["crs"] == "EPSG:4326"
    assert out["detected"]["time_span"] == ["2019-03-01T00:00:00", "2019-04-07T17:17:00"]
    assert out["layer"]["features"] == 28


def test_inspect_outlier_km_and_rejected_csv(corpus, tmp_path, capsys):
    out_csv = tmp_path / "rejected.csv"
    assert main(["inspect", str(corpus["far_outlier.csv"]), "--json", "--outlier-km", "500",
                 "--rejected", str(out_csv)]) == 0
    assert json.loads(capsys.readouterr().out)["rejected"] == {"far_outlier": 1}
    assert pd.read_csv(out_csv)["row"].tolist() == [10]


def test_inspect_text(corpus, capsys):
    assert main(["inspect", str(corpus["zero_zero.csv"])]) == 0
    text = capsys.readouterr().out
    assert "30 rows read, 27 kept, 3 rejected" in text
    assert "located at (0, 0): 3 (rows 4, 12, 13)" in text
    assert "date_format: %Y-%m-%d %H:%M" in text
    assert "crs: EPSG:4326" in text


def test_inspect_with_crs(corpus, capsys):
    assert main(["inspect", str(corpus["projected_no_crs.csv"]), "--crs", "EPSG:32610", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["detected"]["crs"] == "EPSG:32610" and out["detected"]["crs_source"] == "user"


def test_inspect_load_failure_exits_1(corpus, capsys):
    assert main(["inspect", str(corpus["projected_no_crs.csv"])]) == 1
    err = capsys.readouterr().err
    assert "coordinate system is unknown" in err and "--crs" in err


def test_inspect_usage_errors_exit_2(corpus, tmp_path, capsys):
    assert main(["inspect", str(tmp_path / "missing.csv")]) == 2
    assert main(["inspect", str(corpus["basic.csv"]), "--crs", "EPSG:nonsense"]) == 2
    with pytest.raises(SystemExit) as exc:
        main(["inspect"])
    assert exc.value.code == 2


def test_inspect_subprocess(corpus):
    proc = subprocess.run([sys.executable, "-m", "hotspot_desktop", "inspect", str(corpus["duplicate_ids.csv"]),
                           "--json"], capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert (out["rows_read"], out["rows_kept"], out["rejected"]) == (30, 27, {"duplicate_id": 3})


@pytest.mark.shared_data
def test_inspect_vector_file_goes_through_load_file(shared_data, capsys):
    path = shared_data / "vancouver_crimes_2020" / "vancouver_neighbourhoods.geojson"
    assert main(["inspect", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["rows_read"], out["rows_kept"]) == (22, 22)
    assert out["layer"]["features"] == 22


@pytest.mark.shared_data
def test_inspect_vancouver_needs_crs(shared_data, capsys):
    path = shared_data / "vancouver_crimes_2020" / "crimedata_csv_AllNeighbourhoods_2020.csv"
    assert main(["inspect", str(path)]) == 1
    assert "--crs" in capsys.readouterr().err
    assert main(["inspect", str(path), "--crs", "EPSG:32610", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["rejected"] == {"missing_coordinates": 1, "zero_zero": 3750}
    assert out["rows_kept"] == 33_761
