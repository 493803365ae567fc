"""Patrol plan timelines drawn with matplotlib (briefing pages, printouts).

The same layout as the GUI's timeline chart (gui/result_views.py): per shift, a lane per day
and unit from top to bottom, a bar per visit from its start to its end on a clock-time axis
(a night shift runs past midnight), coloured by zone with the colour-blind-safe qualitative
palette, zone names on bars wide enough to hold them. The layout arithmetic is
core/analysis/patrol.py's :func:`~hotspot_desktop.core.analysis.patrol.shift_timelines`.

Entry points: :func:`draw_timeline` (one timeline ChartSpec onto an Axes),
:func:`draw_patrol_timeline` (one shift of a visits table onto an Axes) and
:func:`draw_patrol_timelines` (every shift of a visits table onto a Figure, e.g. a briefing page).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from hotspot_desktop.core.styles import QUALITATIVE
from hotspot_desktop.tools.base import TIME_AXIS_LABEL, ChartSpec, hour_label

BAR_HEIGHT = 0.72
LABEL_POINTS = 6.0  # font size of zone names on bars


def _hour_ticks(lo: float, hi: float) -> np.ndarray:
    every = 1 if hi - lo <= 12 else 2 if hi - lo <= 24 else 6
    return np.arange(np.ceil(lo / every) * every, hi + 1e-9, every)


def draw_timeline(spec: ChartSpec, ax: Any, *, legend: bool = True, bar_labels: bool = True) -> Any:
    """Draw a ``timeline`` :class:`ChartSpec` (see its docstring) on a matplotlib Axes."""
    if spec.kind != "timeline":
        raise ValueError(f"not a timeline chart: {spec.kind}")
    bars = spec.bars()
    lanes = spec.lanes or [str(i) for i in range(max((b[0] for b in bars), default=-1) + 1)]
    lo, hi = spec.x_range or (min((b[1] for b in bars), default=0.0), max((b[2] for b in bars), default=24.0))
    colours = [QUALITATIVE[spec.colour_index(b[3]) % len(QUALITATIVE)] for b in bars]
    if bars:
        ax.barh([b[0] for b in bars], [b[2] - b[1] for b in bars], left=[b[1] for b in bars], height=BAR_HEIGHT,
                color=colours, edgecolor="#333333", linewidth=0.3)
    days = [lane.split(" · ")[0] for lane in lanes]
    for i in range(1, len(lanes)):
        if days[i] != days[i - 1]:
            ax.axhline(i - 0.5, color="#b0b0b0", linewidth=0.6)
    ax.set_ylim(len(lanes) - 0.5, -0.5)  # first lane on top
    ax.set_xlim(lo, hi)
    step = max(1, int(np.ceil(len(lanes) / 40)))
    ax.set_yticks(range(0, len(lanes), step))
    ax.set_yticklabels(lanes[::step], fontsize=6 if len(lanes) > 14 else 7)
    ticks = _hour_ticks(lo, hi)
    ax.set_xticks(ticks)
    ax.set_xticklabels([hour_label(h) for h in ticks], fontsize=7)
    ax.grid(axis="x", color="#dddddd", linewidth=0.5)
    ax.set_axisbelow(True)
    ax.set_title(spec.title, fontsize=9)
    ax.set_xlabel(TIME_AXIS_LABEL, fontsize=7)
    ax.set_ylabel(spec.y_label, fontsize=7)
    if bar_labels and bars:
        fig = ax.figure
        width_pt = ax.get_position().width * fig.get_figwidth() * 72
        pt_per_hour = width_pt / max(hi - lo, 1e-9)
        for lane, a, b, label in bars:
            if (b - a) * pt_per_hour >= 0.62 * LABEL_POINTS * len(label) + 2:
                ax.text((a + b) / 2, lane, label, ha="center", va="center", fontsize=LABEL_POINTS, clip_on=True)
    if legend and spec.groups:
        used = [g for g in spec.groups if g in set(spec.x)]
        handles = [Patch(facecolor=QUALITATIVE[spec.colour_index(g) % len(QUALITATIVE)], edgecolor="#333333",
                         linewidth=0.3, label=g) for g in used]
        ax.legend(handles=handles, fontsize=6, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                  title=spec.x_label or None, title_fontsize=6)
    return ax


def timeline_specs(visits: pd.DataFrame, shifts: list | None = None, zones: list[str] | None = None) -> list[ChartSpec]:
    """The timeline ChartSpecs of a visits table (one per shift), as the Patrol plan tool makes them.

    ``visits`` has zone, day, shift, unit, start, end (Timestamps or ``YYYY-MM-DD HH:MM`` text):
    a :class:`~hotspot_desktop.core.analysis.patrol.PatrolPlan`'s visits, the tool's visits
    table or :func:`~hotspot_desktop.core.io.patrol_io.read_plan_csv`'s result.
    """
    from hotspot_desktop.tools.builtin.patrol import timeline_charts

    return timeline_charts(visits, shifts, zones)


def draw_patrol_timeline(ax: Any, visits: pd.DataFrame, shift: str | None = None, *,
                         shifts: list | None = None) -> Any:
    """One shift's timeline (the first shift when ``shift`` is None) on ``ax``; returns ``ax``.

    ``shifts``: the plan's :class:`~hotspot_desktop.core.analysis.patrol.Shift` list, when known,
    fixes the time axis to the shift's hours (else the visits' whole hours).
    """
    specs = timeline_specs(visits, shifts)
    if not specs:
        raise ValueError("the plan has no visits to draw")
    title = None if shift is None else f"Patrol timeline: {shift} shift"
    spec = next((s for s in specs if title is None or s.title == title), None)
    if spec is None:
        raise ValueError(f"the plan has no shift {shift!r}")
    return draw_timeline(spec, ax)


def draw_patrol_timelines(fig: Figure, visits: pd.DataFrame, *, title: str = "Patrol plan: timeline per shift",
                          shifts: list | None = None, note: str = "") -> Figure:
    """Every shift's timeline stacked on ``fig`` (heights by number of lanes), one zone legend at
    the foot; ``note`` is printed under the title. Returns ``fig``. Empty plans draw a notice."""
    specs = timeline_specs(visits, shifts)
    fig.suptitle(title, fontsize=12, x=0.02, ha="left")
    if note:
        fig.text(0.02, 0.945, note, fontsize=7, color="#444444", ha="left", va="top", wrap=True)
    if not specs:
        fig.text(0.5, 0.5, "The plan has no visits.", ha="center", va="center")
        return fig
    heights = [max(len(s.lanes), 2) for s in specs]
    grid = fig.add_gridspec(len(specs), 1, height_ratios=heights, left=0.2, right=0.97, top=0.91, bottom=0.09,
                            hspace=0.3)
    for i, spec in enumerate(specs):
        ax = fig.add_subplot(grid[i, 0])
        draw_timeline(spec, ax, legend=False)
        if i < len(specs) - 1:
            ax.set_xlabel("")
    groups = specs[0].groups
    used = [g for g in groups if any(g in s.x for s in specs)]
    handles = [Patch(facecolor=QUALITATIVE[specs[0].colour_index(g) % len(QUALITATIVE)], edgecolor="#333333",
                     linewidth=0.3, label=g) for g in used]
    fig.legend(handles=handles, loc="lower center", ncol=min(len(handles), 6) or 1, fontsize=7, frameon=False,
               title=specs[0].x_label or None, title_fontsize=7)
    return fig
