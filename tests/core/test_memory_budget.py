"""Big loads that would not fit in memory are refused up front with a message."""

import pytest

from hotspot_desktop.core.io import memory_budget
from hotspot_desktop.core.io.csv_incidents import load_incidents_csv
from hotspot_desktop.core.io.report import LoadError


def test_csv_refused_before_reading_when_memory_is_short(tmp_path, monkeypatch):
    path = tmp_path / "big.csv"
    path.write_text("lat,lon,date\n" + "41.88,-87.63,2024-01-02 10:00\n" * 2000)
    monkeypatch.setattr(memory_budget, "available_memory", lambda: 1000)
    with pytest.raises(LoadError, match="needs about .* GB of memory to load, but only"):
        load_incidents_csv(path)


def test_budget_estimate_and_fit(tmp_path):
    path = tmp_path / "small.csv"
    path.write_text("lat,lon\n41.88,-87.63\n")
    assert memory_budget.estimated_peak(path) == int(path.stat().st_size * memory_budget.CSV_PEAK_FACTOR)
    memory_budget.check_csv_budget(path, available=10**9)  # fits: no error
    layer, report = load_incidents_csv(path)
    assert report.rows_kept == 1
