"""Aoristic weights, hour x weekday tables, peak windows and trends."""

import numpy as np
import pandas as pd
import pytest

from hotspot_desktop.core.analysis.temporal import (aoristic_weights, hour_weekday_table, peak_windows,
                                                   trend)


def test_exact_time_puts_weight_one_in_its_bin():
    prof = aoristic_weights(pd.Series(pd.to_datetime(["2024-01-01 13:20", "2024-01-07 23:59"])))  # Mon, Sun
    assert prof[13] == 1 and prof[167] == 1 and prof.sum() == 2


def test_window_spreads_weight_proportionally():
    # Ratcliffe (2002): 22:00-01:00 Friday night spreads 1/3 over each of three hours.
    start = pd.Series(pd.to_datetime(["2024-01-05 22:00"]))  # Friday
    end = pd.Series(pd.to_datetime(["2024-01-06 01:00"]))
    prof = aoristic_weights(start, end)
    fri22 = 4 * 24 + 22
    assert prof[fri22] == pytest.approx(1 / 3)
    assert prof[fri22 + 1] == pytest.approx(1 / 3)
    assert prof[fri22 + 2] == pytest.approx(1 / 3)  # Saturday 00:00
    assert prof.sum() == pytest.approx(1.0)


def test_partial_hours_and_multi_week_windows():
    start = pd.Series(pd.to_datetime(["2024-01-01 10:30", "2024-01-01 00:00"]))
    end = pd.Series(pd.to_datetime(["2024-01-01 11:30", "2024-01-15 00:00"]))  # second spans 2 full weeks
    prof = aoristic_weights(start, end)
    assert prof[10] == pytest.approx(0.5 + 2 / 336)
    assert prof[11] == pytest.approx(0.5 + 2 / 336)
    assert prof.sum() == pytest.approx(2.0)
    np.testing.assert_allclose(np.delete(prof, [10, 11]), 2 / 336)


def test_nat_end_and_reversed_windows_count_as_exact():
    start = pd.Series(pd.to_datetime(["2024-01-02 05:10", "2024-01-02 06:00"]))
    end = pd.Series([pd.NaT, pd.Timestamp("2024-01-02 04:00")])
    prof = aoristic_weights(start, end)
    assert prof[24 + 5] == 1 and prof[24 + 6] == 1


def test_hour_weekday_table_counts():
    t = pd.Series(pd.to_datetime(["2024-01-06 23:10", "2024-01-06 23:50", "2024-01-08 08:00"]))
    table = hour_weekday_table(t, aoristic=False)
    assert table.shape == (7, 24) and table[5, 23] == 2 and table[0, 8] == 1


def test_peak_window_label_wraps_midnight():
    prof = np.zeros(168)
    fri22 = 4 * 24 + 22
    prof[fri22:fri22 + 4] = [10, 10, 6, 5]  # Fri 22-24, Sat 00-02
    prof[30] = 69
    wins = peak_windows(prof, hours=4, top=2)
    assert wins[0].start_bin == 27 or wins[0].share >= wins[1].share
    labels = [w.label() for w in wins]
    assert "Fri–Sat 22:00–02:00" in labels
    fri = next(w for w in wins if w.label() == "Fri–Sat 22:00–02:00")
    assert fri.share == pytest.approx(31 / 100)
    assert fri.sentence("robberies") == "Fri–Sat 22:00–02:00 holds 31% of robberies"


def test_trend_keeps_empty_periods_and_groups():
    t = pd.Series(pd.to_datetime(["2024-01-03", "2024-01-04", "2024-03-10"]))
    res = trend(t, pd.Series(["a", "b", "a"]), freq="month")
    assert list(res.counts.index) == list(pd.date_range("2024-01-01", "2024-03-01", freq="MS"))
    assert res.counts.loc["2024-02-01", "all"] == 0
    assert res.counts["a"].sum() == 2 and res.counts["all"].sum() == 3
    weekly = trend(t, freq="week")
    assert weekly.counts.index[0] == pd.Timestamp("2024-01-01")  # weeks start on Monday
    assert weekly.counts["all"].sum() == 3
