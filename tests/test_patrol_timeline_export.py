"""Patrol plan timelines drawn with matplotlib (export/patrol_timeline.py), as a briefing page would."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from hotspot_desktop.core.analysis.patrol import Shift, ZoneDemand, make_plan
from hotspot_desktop.core.io.patrol_io import visits_table
from hotspot_desktop.core.styles import QUALITATIVE
from hotspot_desktop.export.patrol_timeline import draw_patrol_timeline, draw_patrol_timelines, timeline_specs

SHIFTS = [Shift("Early", 6, 14, 2), Shift("Late", 14, 22, 2), Shift("Night", 22, 6, 1)]


@pytest.fixture(scope="module")
def plan():
    rng = np.random.default_rng(1)
    zones = [ZoneDemand(n, rng.random(168), visits_per_shift=3) for n in ("Market", "Station", "Riverside walk")]
    return make_plan(zones, SHIFTS, first_day=pd.Timestamp("2025-03-03"), days=7, seed=5)


def test_page_of_timelines_one_axes_per_shift(plan, tmp_path):
    fig = Figure(figsize=(8.27, 11.69))
    table = visits_table(plan.visits)  # the tool's table: times as text, as the briefing receives it
    draw_patrol_timelines(fig, table, shifts=SHIFTS, note="Visits of 10-16 minutes (Koper 1995).")
    axes = fig.axes
    assert [ax.get_title() for ax in axes] == [f"Patrol timeline: {s.name} shift" for s in SHIFTS]
    for ax, shift in zip(axes, SHIFTS):
        n = (plan.visits["shift"] == shift.name).sum()
        assert len(ax.patches) == n  # one bar per visit
        assert [t.get_text() for t in ax.get_xticklabels()][0] == f"{shift.start_hour:02d}:00"
    assert axes[2].get_xlim() == (22.0, 30.0)
    assert [t.get_text() for t in axes[0].get_yticklabels()][:2] == ["Mon 03 Mar · Early-1", "Mon 03 Mar · Early-2"]
    legend = fig.legends[0]
    assert [t.get_text() for t in legend.get_texts()] == ["Market", "Riverside walk", "Station"]
    # Every zone's colour is on the page, and the page writes as PDF.
    FigureCanvasAgg(fig).draw()
    pixels = np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(int)
    for i in range(3):
        rgb = np.round(np.array(to_rgb(QUALITATIVE[i])) * 255).astype(int)
        assert (np.abs(pixels - rgb).sum(axis=2) <= 3).sum() > 500
    buf = io.BytesIO()
    fig.savefig(buf, format="pdf")
    assert buf.getvalue().startswith(b"%PDF")


def test_one_shift_on_an_axes_and_bad_shift(plan):
    fig = Figure(figsize=(8, 3))
    ax = fig.add_subplot()
    draw_patrol_timeline(ax, plan.visits, "Night", shifts=SHIFTS)
    assert ax.get_title() == "Patrol timeline: Night shift" and len(ax.patches) == (plan.visits["shift"] == "Night").sum()
    assert ax.get_ylim() == (6.5, -0.5)  # seven days, one unit, first day on top
    with pytest.raises(ValueError, match="no shift 'Day'"):
        draw_patrol_timeline(fig.add_subplot(212), plan.visits, "Day")
    empty = Figure()
    draw_patrol_timelines(empty, plan.visits.iloc[0:0])
    assert "no visits" in " ".join(t.get_text() for t in empty.texts)
    assert [s.title for s in timeline_specs(plan.visits)] == [f"Patrol timeline: {s.name} shift" for s in SHIFTS]


def test_zone_names_on_bars_wide_enough(plan):
    one_day = plan.visits[plan.visits["day"] == plan.visits["day"].min()]
    fig = Figure(figsize=(30, 4))  # a wall chart: bars are wide enough for names
    ax = fig.add_subplot()
    draw_patrol_timeline(ax, one_day, "Late", shifts=SHIFTS)
    names = {t.get_text() for t in ax.texts}
    assert names and names <= {"Market", "Station", "Riverside walk"}
    narrow = Figure(figsize=(4, 3)).add_subplot()
    draw_patrol_timeline(narrow, one_day, "Late", shifts=SHIFTS)
    assert not narrow.texts
