"""Patrol plans round-trip through CSV; timelines per shift; dosage delivered against a plan."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import box

from hotspot_desktop.core.analysis.patrol import (Shift, ZoneDemand, dosage_report, make_plan, plan_window,
                                                 shift_timelines, visit_delivery, zone_presence)
from hotspot_desktop.core.io.patrol_io import (PLAN_COLUMNS, PlanFileError, read_plan_csv, sidecar_path,
                                               visits_table, write_plan_csv)
from hotspot_desktop.core.io.writers import write_table_csv

SHIFTS = [Shift("Late", 14, 22, units=2), Shift("Night", 22, 6, units=1)]


def _plan(days: int = 3):
    rng = np.random.default_rng(4)
    zones = [ZoneDemand(name, rng.random(168), visits_per_shift=3)
             for name in ("=Market", "Station, north", "Park")]  # a formula-looking name and a comma
    return make_plan(zones, SHIFTS, first_day=pd.Timestamp("2025-03-03"), days=days, seed=7)


def test_plan_round_trips_through_csv_and_sidecar(tmp_path):
    plan = _plan()
    written = write_plan_csv(plan, tmp_path / "plan.csv")
    assert written == [tmp_path / "plan.csv", sidecar_path(tmp_path / "plan.csv")]
    back = read_plan_csv(tmp_path / "plan.csv")
    pd.testing.assert_frame_equal(back.visits, plan.visits)
    assert back.settings == plan.settings
    pd.testing.assert_frame_equal(back.coverage, plan.coverage, check_dtype=False)
    # The visits file is a plain CSV a spreadsheet opens: a header row, then one row per visit.
    plain = pd.read_csv(tmp_path / "plan.csv")
    assert tuple(plain.columns) == PLAN_COLUMNS and len(plain) == len(plan.visits)
    assert plain["zone"].str.startswith("'=").any()  # formula-safe on disk, "=Market" again when read
    assert json.loads(sidecar_path(tmp_path / "plan.csv").read_text())["settings"]["seed"] == 7


def test_night_shift_day_survives_the_round_trip(tmp_path):
    plan = _plan()
    night = plan.visits[plan.visits["shift"] == "Night"]
    after_midnight = night[night["start"].dt.date != night["day"]]
    assert len(after_midnight)  # visits after midnight belong to the previous evening's plan day
    write_plan_csv(plan.visits, tmp_path / "v.csv")
    back = read_plan_csv(tmp_path / "v.csv").visits
    assert list(back.loc[after_midnight.index, "day"]) == list(after_midnight["day"])


def test_tool_visits_table_saved_as_csv_reads_back(tmp_path):
    import geopandas as gpd

    from hotspot_desktop.core.model import PointLayer, ZoneLayer
    from hotspot_desktop.tools.execute import run_now
    from hotspot_desktop.tools.registry import load_registry

    rng = np.random.default_rng(2)
    t = pd.Timestamp("2024-10-01") + pd.to_timedelta(rng.integers(0, 90 * 24, 800), unit="h")
    pts = PointLayer("Incidents", rng.uniform(0, 2000, 800), rng.uniform(0, 2000, 800), pd.DataFrame({"time": t}))
    zones = ZoneLayer("Zones", gpd.GeoDataFrame({"name": ["a", "b"], "role": ["patrol", "patrol"]},
                                                geometry=[box(0, 0, 700, 700), box(1000, 1000, 1600, 1600)]))
    res = run_now(load_registry(safe_mode=True).get("patrol.plan"),
                  {"points": pts, "zones": zones, "days": 2, "shifts": "Late 14-22 x1; Night 22-06 x1"}).result
    table = next(t for t in res.tables if t.name == "visits")
    # What the table dock's Save CSV… and the CLI write: the visits and the plan's sidecar.
    assert table.write_csv(tmp_path / "visits.csv") == [tmp_path / "visits.csv", sidecar_path(tmp_path / "visits.csv")]
    back = read_plan_csv(tmp_path / "visits.csv")
    pd.testing.assert_frame_equal(visits_table(back.visits), table.frame)
    coverage = next(t for t in res.tables if t.name == "coverage").frame
    assert back.coverage.set_index("zone")["expected_coverage"].mul(100).round(1).to_dict() == \
        coverage.set_index("zone")["expected coverage %"].to_dict()
    assert [s["name"] for s in back.settings["shifts"]] == ["Late", "Night"]
    # The cells alone (a copy pasted into Excel and saved) still read back, coverage unknown.
    write_table_csv(table.frame, tmp_path / "cells.csv")
    bare = read_plan_csv(tmp_path / "cells.csv")
    assert bare.coverage["expected_coverage"].isna().all()
    assert bare.coverage.set_index("zone")["visits"].sum() == len(table.frame)


def test_hand_made_plan_with_semicolons_and_few_columns(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_bytes("\ufeffZone;Start;End\nMarket;2025-03-03 20:10;2025-03-03 20:25\n"
                     "Park;2025-03-04T01:00:00;2025-03-04T01:12:00\n".encode("utf-8"))
    plan = read_plan_csv(path)
    assert list(plan.visits.columns) == list(PLAN_COLUMNS)
    assert list(plan.visits["minutes"]) == [15, 12]
    assert str(plan.visits.loc[1, "day"]) == "2025-03-04" and plan.visits.loc[0, "unit"] == ""


@pytest.mark.parametrize("text, expected", [
    ("id,date,lat,lon\n1,2024-01-01,41.8,-87.6\n", "has no 'zone', 'start', 'end' columns"),
    ("zone,start,end\nA,2025-03-03 20:10,2025-03-03 20:25\nB,tomorrow,2025-03-03 21:00\n",
     "line 3 ('tomorrow')"),
    ("zone,start,end\nA,2025-03-03 20:10,2025-03-03 20:00\n", "must end after they start (line 2)"),
    ("zone,start,end,minutes\nA,2025-03-03 20:10,2025-03-03 20:25,45\n", "minutes '45' do not match"),
    ("zone,start,end\n", "has no visits"),
])
def test_files_that_are_not_plans_say_why(tmp_path, text, expected):
    path = tmp_path / "x.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlanFileError, match=None) as err:
        read_plan_csv(path)
    assert expected in str(err.value)
    with pytest.raises(PlanFileError, match="no such plan file"):
        read_plan_csv(tmp_path / "absent.csv")


def test_writing_visits_only_removes_a_stale_sidecar(tmp_path):
    plan = _plan(1)
    write_plan_csv(plan, tmp_path / "p.csv")
    write_plan_csv(plan.visits.head(2), tmp_path / "p.csv")
    assert not sidecar_path(tmp_path / "p.csv").exists()
    assert len(read_plan_csv(tmp_path / "p.csv").visits) == 2


# --- timelines ------------------------------------------------------------------------------

def test_shift_timelines_lanes_and_hours():
    plan = _plan(days=3)
    lines = {t.shift: t for t in shift_timelines(plan.visits, SHIFTS)}
    assert list(lines) == ["Late", "Night"]
    late, night = lines["Late"], lines["Night"]
    assert late.lanes[:2] == ["Mon 03 Mar · Late-1", "Mon 03 Mar · Late-2"] and len(late.lanes) == 3 * 2
    assert late.hours == (14.0, 22.0) and night.hours == (22.0, 30.0)
    assert len(late.bars) + len(night.bars) == len(plan.visits)
    assert night.bars["start_h"].between(22, 30).all() and (night.bars["start_h"] >= 24).any()
    # Each bar sits in its own day's lane and lasts as long as the visit.
    for _, b in late.bars.iterrows():
        assert late.lanes[b["lane"]].startswith(pd.Timestamp(b["day"]).strftime("%a %d %b"))
        assert late.lanes[b["lane"]].endswith(b["unit"])
    assert np.allclose((late.bars["end_h"] - late.bars["start_h"]) * 60, late.bars["minutes"])
    # From text times and without the shift list: hours from the visits, same lanes.
    text = shift_timelines(visits_table(plan.visits))
    assert [t.lanes for t in text] == [late.lanes, night.lanes]


# --- dosage ---------------------------------------------------------------------------------

def _reference_presence(zone_geoms, pings, max_gap):
    """Plain loop over each unit's pings in time order (independent of the vectorised code)."""
    rows = []
    for name, geom in zone_geoms.items():
        for unit, g in pings.sort_values("time").groupby("unit"):
            inside = [shapely.intersects(geom, shapely.Point(x, y)) for x, y in zip(g["x"], g["y"])]
            times = list(pd.to_datetime(g["time"]))
            stays, minutes = 0, 0.0
            for k in range(len(times)):
                linked_prev = k > 0 and inside[k - 1] and (times[k] - times[k - 1]).total_seconds() / 60 <= max_gap
                if inside[k] and not linked_prev:
                    stays += 1
                if inside[k] and linked_prev:
                    minutes += (times[k] - times[k - 1]).total_seconds() / 60
            if stays:
                rows.append((name, unit, stays, minutes))
    return pd.DataFrame(rows, columns=["zone", "unit", "stays", "minutes"])


def test_vectorised_presence_matches_a_plain_loop():
    rng = np.random.default_rng(11)
    n = 3000
    pings = pd.DataFrame({"unit": rng.choice(["A", "B", "C"], n),
                          "time": pd.Timestamp("2025-03-03") + pd.to_timedelta(rng.uniform(0, 600, n), unit="m"),
                          "x": rng.choice([50.0, 150.0, 400.0], n) + rng.normal(0, 10, n),
                          "y": rng.uniform(0, 100, n)})
    zones = {"west": box(0, 0, 100, 100), "mid": box(90, 0, 200, 100)}  # overlapping zones
    got = zone_presence(zones, pings, max_gap_minutes=1.5).totals
    ref = _reference_presence(zones, pings, 1.5)
    both = got.merge(ref, on=["zone", "unit"], suffixes=("", "_ref"), how="outer")
    assert len(both) == len(ref) == 6
    assert (both["stays"] == both["stays_ref"]).all()
    assert np.allclose(both["minutes"], both["minutes_ref"])


def _pings(unit, start, minutes, x, y=50.0, every=1.0):
    t0 = pd.Timestamp(start)
    n = int(minutes / every) + 1
    return pd.DataFrame({"unit": unit, "time": [t0 + pd.Timedelta(minutes=every * k) for k in range(n)],
                         "x": x, "y": y})


def test_dosage_report_against_a_plan_with_known_minutes():
    zones = {"A": box(0, 0, 100, 100), "B": box(200, 0, 300, 100)}
    visits = pd.DataFrame({"zone": ["A", "A", "B"], "day": [pd.Timestamp("2025-03-03").date()] * 3,
                           "shift": ["Late", "Night", "Late"], "unit": ["Late-1", "Night-1", "Late-2"],
                           "start": pd.to_datetime(["2025-03-03 15:00", "2025-03-03 23:30", "2025-03-03 18:00"]),
                           "end": pd.to_datetime(["2025-03-03 15:12", "2025-03-03 23:45", "2025-03-03 18:10"]),
                           "minutes": [12, 15, 10]})
    pings = pd.concat([
        _pings("car1", "2025-03-03 15:05", 12, 50),       # 12 min in A, inside the first visit's window
        _pings("car2", "2025-03-03 23:20", 4, 50),        # 4 min in A, partly before the night visit
        _pings("car1", "2025-03-03 18:30", 6, 250),       # 6 min in B, 20 min after the visit: slack 15 misses it
        _pings("car1", "2025-03-05 10:00", 30, 50),       # 30 min in A two days later: outside the plan
        _pings("car2", "2025-03-03 16:00", 10, 150),      # between the zones: nothing
    ], ignore_index=True)
    rep = dosage_report(zones, pings, visits, max_gap_minutes=5, slack_minutes=15)
    assert rep.window == (pd.Timestamp("2025-03-03"), pd.Timestamp("2025-03-04"))
    assert plan_window(visits) == rep.window
    assert rep.pings_outside_plan == 31 and rep.pings_used == len(pings) - 31
    z = rep.by_zone.set_index("zone")
    assert z.loc["A", "planned_minutes"] == 27 and z.loc["A", "delivered_minutes"] == pytest.approx(16)
    assert z.loc["B", "delivered_minutes"] == pytest.approx(6) and z.loc["A", "delivered_stays"] == 2
    assert z.loc["A", "delivered_share"] == pytest.approx(16 / 27)
    v = rep.visits
    assert list(v["delivered_minutes"]) == pytest.approx([12, 4, 0])  # window 14:45-15:27; 23:15-00:00; 17:45-18:25
    assert list(v["made"]) == [True, False, False]
    s = rep.by_shift.set_index("shift")
    assert s.loc["Late", "planned_visits"] == 2 and s.loc["Late", "visits_made"] == 1
    assert s.loc["Night", "minutes_in_visits"] == pytest.approx(4)
    assert rep.typical_interval_minutes == pytest.approx(1.0)


def test_dosage_without_plan_lists_every_zone_and_gap_rule():
    zones = {"A": box(0, 0, 100, 100), "B": box(200, 0, 300, 100), "C": box(500, 0, 600, 100)}
    pings = pd.concat([_pings("u", "2025-01-01 10:00", 20, 50, every=10),   # 10-min pings: gap 5 breaks them
                       _pings("v", "2025-01-01 10:00", 8, 250, every=2),
                       _pings("w", "2025-01-01 12:00", 0, 550)], ignore_index=True)
    pings.loc[len(pings)] = ["v", pd.NaT, 250.0, 50.0]
    rep = dosage_report(zones, pings, max_gap_minutes=5)
    z = rep.by_zone.set_index("zone")
    assert list(z.index) == ["A", "B", "C"] and "planned_minutes" not in z.columns
    assert z.loc["A", "delivered_stays"] == 3 and z.loc["A", "delivered_minutes"] == 0  # each ping its own stay
    assert z.loc["B", "delivered_minutes"] == pytest.approx(8)
    assert z.loc["C", "delivered_stays"] == 1 and z.loc["C", "delivered_minutes"] == 0  # a lone ping
    assert rep.pings_unreadable == 1 and rep.window is None and rep.by_shift is None


def test_visit_delivery_counts_any_unit_and_overlap_only():
    seg = pd.DataFrame({"zone": ["A", "A", "A"], "unit": ["x", "y", "x"],
                        "start": pd.to_datetime(["2025-01-01 09:50", "2025-01-01 10:00", "2025-01-01 11:00"]),
                        "end": pd.to_datetime(["2025-01-01 10:05", "2025-01-01 10:04", "2025-01-01 11:05"]),
                        "minutes": [15.0, 4.0, 5.0]})
    visits = pd.DataFrame({"zone": ["A"], "shift": ["Day"], "start": ["2025-01-01 10:00"],
                           "end": ["2025-01-01 10:10"], "minutes": [10]})
    out = visit_delivery(visits, seg, slack_minutes=0)
    assert out.loc[0, "delivered_minutes"] == pytest.approx(5 + 4) and bool(out.loc[0, "made"])


# --- the tools' side: file parameters and timeline charts ----------------------------------------

def test_file_parameter_validates_existence_and_extension(tmp_path):
    from hotspot_desktop.tools.base import Tool, file_param

    tool = Tool("t.x", "X", "Test", "1", "help", "m:f",
                params=(file_param("plan", "Plan", ("csv",), optional=True), file_param("any", "Any")))
    (tmp_path / "p.csv").write_text("zone,start,end\n")
    (tmp_path / "p.txt").write_text("x")
    assert tool.validate({"plan": None, "any": str(tmp_path / "p.txt")}) == {}
    msgs = tool.validate({"plan": str(tmp_path / "p.txt"), "any": ""})
    assert msgs["plan"] == ["Plan must be a .csv file, not p.txt"] and msgs["any"] == ["Any is required"]
    assert "no file" in tool.validate({"plan": str(tmp_path / "gone.csv"), "any": str(tmp_path)})["plan"][0]
    assert "is not a file" in tool.validate({"any": str(tmp_path)})["any"][0]
    assert tool.param("plan").to_dict()["extensions"] == ["csv"]
    assert tool.param("plan").file_filter() == "Plan (*.csv);;All files (*)"


def test_plan_tool_timeline_charts_are_json_and_cover_every_visit():
    from hotspot_desktop.tools.builtin.patrol import timeline_charts

    plan = _plan(days=2)
    charts = timeline_charts(plan.visits, SHIFTS)
    assert [c.title for c in charts] == ["Patrol timeline: Late shift", "Patrol timeline: Night shift"]
    d = json.loads(json.dumps(charts[1].to_dict()))
    assert d["kind"] == "timeline" and d["x_range"] == [22.0, 30.0] and d["lanes"][0] == "Mon 03 Mar · Night-1"
    assert d["groups"] == ["=Market", "Park", "Station, north"]  # natural order: same colours on screen and paper
    assert sum(len(c.bars()) for c in charts) == len(plan.visits)
    _lane, a, _b, zone = charts[0].bars()[0]
    first = plan.visits[plan.visits["shift"] == "Late"].sort_values(["day", "unit", "start"]).iloc[0]
    assert (zone, a) == (first["zone"], first["start"].hour + first["start"].minute / 60)
