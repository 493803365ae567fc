"""Time filter helpers (heat-map cells, masks, animation windows) and time-result readers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from hotspot_desktop.core.analysis.emerging import build_cube, emerging_hot_spots
from hotspot_desktop.core.analysis.near_repeat import knox_test, risk_window
from hotspot_desktop.core.analysis.time_filter import (
    cells_to_filter,
    filter_cells,
    filter_mask,
    first_window,
    heat_table,
    next_window,
    offence_noun,
    peak_sentences,
    selection_mask,
    window_label,
    without_clock,
    zone_mask,
)
from hotspot_desktop.core.analysis.time_results import (
    decode_series,
    emerging_cell,
    encode_series,
    knox_from_tables,
    rule_for,
)
from hotspot_desktop.core.model import PointFilter, PointLayer


def layer_with_times(times, ends=None, offences=None) -> PointLayer:
    n = len(times)
    attrs = pd.DataFrame({"time": pd.to_datetime(times)})
    if ends is not None:
        attrs["time_end"] = pd.to_datetime(ends)
    if offences is not None:
        attrs["offence"] = pd.Categorical(offences)
    return PointLayer("t", np.arange(n, dtype=float), np.zeros(n), attrs)


def test_cells_to_filter_and_back():
    hours, days = cells_to_filter({(4, 22), (5, 1)})
    assert hours == {22, 1} and days == {4, 5}
    assert filter_cells(hours, days) == {(4, 22), (4, 1), (5, 22), (5, 1)}
    assert cells_to_filter([]) == (None, None)
    assert len(filter_cells(None, None)) == 168


def test_filter_mask_matches_layer_mask_and_without_clock_keeps_dates():
    layer = layer_with_times(["2024-01-05 22:30", "2024-01-06 01:10", "2024-02-01 22:00"],
                             offences=["Robbery", "Theft", "Robbery"])
    f = PointFilter(date_to=pd.Timestamp("2024-01-31"), offences=frozenset({"Robbery"}), hours=frozenset({22}),
                    weekdays=frozenset({4}))
    layer.filter = f
    assert filter_mask(layer, f).tolist() == layer.mask().tolist() == [True, False, False]
    base = without_clock(f)
    assert base.hours is None and base.weekdays is None and base.offences == f.offences
    assert filter_mask(layer, base).tolist() == [True, False, False]


def test_zone_and_selection_masks():
    x = np.array([0.5, 2.0, 1.0])
    y = np.array([0.5, 2.0, 0.0])
    assert zone_mask(x, y, shapely.box(0, 0, 1, 1)).tolist() == [True, False, True]
    assert selection_mask(3, np.array([2, 7])).tolist() == [False, False, True]
    assert selection_mask(3, None).tolist() == [False, False, False]


def test_heat_table_counts_and_aoristic_differ():
    # One exact incident Friday 22:30, one known only between Friday 22:00 and Saturday 02:00.
    layer = layer_with_times(["2024-01-05 22:30", "2024-01-05 22:00"], ends=[pd.NaT, "2024-01-06 02:00"])
    every = np.ones(2, dtype=bool)
    counts = heat_table(layer, every, aoristic=False)
    weights = heat_table(layer, every, aoristic=True)
    assert counts[4, 22] == 2 and counts.sum() == 2
    assert weights[4, 22] == 1.25 and weights[5, 1] == 0.25 and np.isclose(weights.sum(), 2)


def test_peak_sentence_names_the_offence():
    table = np.zeros((7, 24))
    table[4, 22:24] = 3
    table[5, 0:2] = 3
    table[0, 9] = 6
    what = offence_noun(frozenset({"Robbery"}))
    assert peak_sentences(table, what, top=1) == ["Fri–Sat 22:00–02:00 holds 67% of robbery incidents"]
    assert offence_noun(None) == "incidents"


def test_animation_windows_step_and_stop_at_the_end():
    span = (pd.Timestamp("2024-01-03 10:00"), pd.Timestamp("2024-01-20"))
    a, b = first_window(span, "week")
    assert a == pd.Timestamp("2024-01-01") and b == pd.Timestamp("2024-01-08") - pd.Timedelta(microseconds=1)
    seen = [(a, b)]
    while (w := next_window(seen[-1][0], "week", span)) is not None:
        seen.append(w)
    assert [w[0].day for w in seen] == [1, 8, 15]
    # Calendar months from the 1st: no drift after short months.
    span = (pd.Timestamp("2022-12-31 20:40"), pd.Timestamp("2023-05-02"))
    months = [first_window(span, "month")]
    while (w := next_window(months[-1][0], "month", span)) is not None:
        months.append(w)
    assert [m[0].strftime("%Y-%m-%d") for m in months] == ["2022-12-01", "2023-01-01", "2023-02-01", "2023-03-01",
                                                           "2023-04-01", "2023-05-01"]
    assert months[2][1] == pd.Timestamp("2023-03-01") - pd.Timedelta(microseconds=1)
    assert window_label(None, pd.Timestamp("2024-01-09")) == "start to 2024-01-09"


def test_emerging_cell_explains_like_the_result():
    rng = np.random.default_rng(3)
    n = 3000
    x = rng.uniform(0, 1000, n)
    y = rng.uniform(0, 1000, n)
    t = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.uniform(0, 70, n), unit="D")
    hot = (x < 200) & (y < 200) & (t > pd.Timestamp("2024-02-15"))
    x = np.concatenate([x, x[hot]])
    y = np.concatenate([y, y[hot]])
    t = pd.Series(np.concatenate([t, t[hot]]))
    cube = build_cube(x, y, t, x0=0, y0=0, cell_size=100, rows=10, cols=10, step="week")
    res = emerging_hot_spots(cube)
    r, c = np.unravel_index(np.argmax(res.classes > 0), res.classes.shape)
    row = {"class": res.classes[r, c], "z_series": encode_series(res.z[:, r, c]), "mk_tau": res.mk_tau[r, c],
           "mk_z": res.mk_z[r, c], "mk_p": res.mk_p[r, c], "step": "week",
           "first_step": str(cube.step_starts[0].date())}
    cell = emerging_cell(row, alpha=res.alpha)
    assert cell is not None and cell.explain() == res.explain(r, c)
    assert cell.steps[0] == cube.step_starts[0] and len(cell.steps) == len(cube.step_starts)
    assert np.allclose(decode_series(row["z_series"]), res.z[:, r, c], atol=1e-3)
    assert rule_for(1).startswith("new hot spot: hot in the final step")
    assert "cold" in rule_for(-4) and "hot" not in rule_for(-4).split(":", 1)[1].split("(")[0]


def test_knox_from_tables_gives_the_same_risk_window():
    rng = np.random.default_rng(0)
    n = 300
    x = rng.uniform(0, 3000, n)
    y = rng.uniform(0, 3000, n)
    days = rng.uniform(0, 365, n)
    # Near repeats: a follower 30 m and 3 days after half of the incidents.
    k = n // 2
    x = np.concatenate([x, x[:k] + 30])
    y = np.concatenate([y, y[:k]])
    days = np.concatenate([days, days[:k] + 3])
    t = pd.Series(pd.Timestamp("2024-01-01") + pd.to_timedelta(days, unit="D"))
    res = knox_test(x, y, t, simulations=39, seed=1)
    back = knox_from_tables(res.table("ratio").reset_index(), res.table("p_value").reset_index(),
                            res.table("observed").reset_index(), distance_band_m=100, time_band_days=7,
                            simulations=39, seed=1)
    assert back.distance_labels == res.distance_labels and back.time_labels == res.time_labels
    assert np.array_equal(back.distance_edges, res.distance_edges)
    assert risk_window(back) == risk_window(res) and risk_window(res) is not None
