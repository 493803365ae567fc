"""Intervention evaluation: area counts, rings, design checks, series and summary."""

import math

import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point, box

from hotspot_desktop.core.analysis.intervention import (DesignError, InterventionDesign, Period, catchment_rings,
                                                       evaluate_intervention, suggest_controls, validate_design)

BEFORE = Period(pd.Timestamp("2024-01-01"), pd.Timestamp("2024-06-30 23:59:59"))
AFTER = Period(pd.Timestamp("2024-07-01"), pd.Timestamp("2024-12-31 23:59:59"))


def _incidents(rng, n, geom, start, end, offence="robbery"):
    xmin, ymin, xmax, ymax = geom.bounds
    xs, ys = [], []
    while len(xs) < n:
        px, py = rng.uniform(xmin, xmax), rng.uniform(ymin, ymax)
        if geom.contains(Point(px, py)):
            xs.append(px)
            ys.append(py)
    secs = rng.uniform(0, (end - start).total_seconds(), n)
    return np.array(xs), np.array(ys), pd.to_datetime(start) + pd.to_timedelta(secs, unit="s"), [offence] * n


def _design(**kw):
    target = Point(0, 0).buffer(200, quad_segs=64)
    control = box(3000, -500, 4000, 500)
    return InterventionDesign(target=target, control=control, before=BEFORE, after=AFTER, **kw)


def test_rings_match_independent_shapely_geometry():
    target = Point(0, 0).buffer(100, quad_segs=128)
    rings = catchment_rings(target, (50, 100))
    assert rings[0].area == pytest.approx(math.pi * (150**2 - 100**2), rel=2e-3)
    assert rings[1].area == pytest.approx(math.pi * (250**2 - 150**2), rel=2e-3)
    assert rings[0].intersection(target).area == pytest.approx(0, abs=1e-6)
    assert rings[0].intersection(rings[1]).area == pytest.approx(0, abs=1e-6)


def test_counts_match_independent_point_in_polygon_counts():
    rng = np.random.default_rng(1)
    d = _design(ring_widths_m=(300,))
    parts = [
        _incidents(rng, 120, d.target, BEFORE.start, BEFORE.end),
        _incidents(rng, 70, d.target, AFTER.start, AFTER.end),
        _incidents(rng, 90, catchment_rings(d.target, (300,))[0], BEFORE.start, BEFORE.end),
        _incidents(rng, 100, catchment_rings(d.target, (300,))[0], AFTER.start, AFTER.end),
        _incidents(rng, 200, d.control, BEFORE.start, BEFORE.end),
        _incidents(rng, 210, d.control, AFTER.start, AFTER.end),
        _incidents(rng, 50, box(-5000, -5000, -4000, -4000), BEFORE.start, AFTER.end),  # elsewhere
    ]
    x = np.concatenate([p[0] for p in parts])
    y = np.concatenate([p[1] for p in parts])
    t = pd.Series(np.concatenate([np.asarray(p[2]) for p in parts]))
    off = sum((p[3] for p in parts), [])
    res = evaluate_intervention(x, y, t, d, offences=off)
    # Independent count with shapely for the target before.
    inside = shapely.contains_xy(d.target, x, y) & (t >= BEFORE.start).to_numpy() & (t <= BEFORE.end).to_numpy()
    assert res.counts.loc["target", "before"] == inside.sum() == 120
    assert res.counts.loc["target", "after"] == 70
    assert res.counts.loc["catchment", "before"] == 90 and res.counts.loc["catchment", "after"] == 100
    assert res.counts.loc["control", "before"] == 200 and res.counts.loc["control", "after"] == 210
    assert res.wdq.value is not None and res.wdq.value < 0  # catchment rose: displacement
    assert res.rings[0].before == 90 and res.rings[0].outer_m == 300
    assert res.hour_weekday_before.sum() == 120 and res.hour_weekday_before.shape == (7, 24)
    assert res.monthly["target"].sum() == 190
    assert "target area" in res.summary and "WDQ" in res.summary
    assert res.offence_mix.loc["robbery", "target before share"] == pytest.approx(1.0)


def test_control_overlapping_target_is_refused():
    target = Point(0, 0).buffer(200)
    d = InterventionDesign(target=target, control=box(-100, -100, 1000, 1000), before=BEFORE, after=AFTER)
    assert any("overlaps the target" in p for p in validate_design(d))
    with pytest.raises(DesignError, match="overlaps the target"):
        evaluate_intervention(np.zeros(1), np.zeros(1), pd.Series([BEFORE.start]), d)


def test_control_overlapping_catchment_is_refused():
    target = Point(0, 0).buffer(200)
    d = InterventionDesign(target=target, control=box(300, -100, 1000, 100), before=BEFORE, after=AFTER,
                           ring_widths_m=(250,))
    assert any("overlaps the catchment" in p for p in validate_design(d))


def test_unequal_periods_warn_and_weight_wdd():
    d = InterventionDesign(target=Point(0, 0).buffer(200), control=box(3000, 0, 4000, 1000),
                           before=Period(pd.Timestamp("2023-07-01"), pd.Timestamp("2024-06-30 23:59:59")),
                           after=AFTER)
    rng = np.random.default_rng(3)
    x, y, t, _ = _incidents(rng, 100, d.target, d.before.start, d.after.end)
    res = evaluate_intervention(x, y, pd.Series(t), d)
    assert res.warnings and "differ in length" in res.warnings[0]


def test_suggest_controls_prefers_matching_trend():
    rng = np.random.default_rng(5)
    target = box(0, 0, 500, 500)
    beats = [box(2000, 0, 2500, 500), box(3000, 0, 3500, 500), box(250, 0, 750, 500)]
    xs, ys, ts = [], [], []
    months = pd.date_range("2024-01-01", periods=6, freq="MS")
    for i, m in enumerate(months):
        for geom, n in ((target, 10 + 5 * i), (beats[0], 12 + 5 * i), (beats[1], 40 - 5 * i), (beats[2], 30)):
            x, y, t, _ = _incidents(rng, n, geom, m, m + pd.Timedelta(days=27))
            xs.append(x)
            ys.append(y)
            ts.append(np.asarray(t))
    out = suggest_controls(pd.DataFrame({"name": ["A", "B", "C"]}), beats, np.concatenate(xs), np.concatenate(ys),
                           pd.Series(np.concatenate(ts)), target, BEFORE)
    assert list(out["name"])[0] == "A"
    assert "C" not in list(out["name"])  # overlaps the target
    assert "correlate" in out["reason"].iloc[0]
