"""The Time dock's charts rendered with matplotlib, for exports (PNG, PDF, SVG).

Same content as the GUI: the trend (counts per period per series, each with its centred
moving average as a dashed line of the same colour, core temporal.trend) and the weekday ×
hour heat map with its busiest windows (core temporal.hour_weekday_table, peak_windows).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from hotspot_desktop.core.analysis.temporal import DAYS, TrendResult, peak_windows
from hotspot_desktop.core.styles import QUALITATIVE

PERIOD_WORDS = {"day": "day", "week": "week", "month": "month"}


def trend_figure(result: TrendResult, series: list[str] | None = None, *, title: str = "",
                 size: tuple[float, float] = (8.0, 4.0)) -> Figure:
    """A matplotlib Figure of ``result``'s counts (solid) and moving averages (dashed)."""
    names = series or list(result.counts.columns)
    fig = Figure(figsize=size, dpi=100)
    ax = fig.add_subplot(1, 1, 1)
    x = result.counts.index
    for i, name in enumerate(names):
        colour = QUALITATIVE[i % len(QUALITATIVE)]
        ax.plot(x, result.counts[name].to_numpy(float), color=colour, linewidth=1.0, alpha=0.6, label=name)
        ax.plot(x, result.moving_average[name].to_numpy(float), color=colour, linewidth=2.0, linestyle="--",
                label=f"{name} (moving average)")
    ax.set_ylabel(f"incidents per {PERIOD_WORDS.get(result.freq, result.freq)}")
    ax.set_title(title or f"Incidents per {result.freq}")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small", ncol=2)
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig


def save_trend_chart(result: TrendResult, path: str | Path, series: list[str] | None = None, *,
                     title: str = "") -> Path:
    """Write the trend chart to ``path`` (format from the suffix: .png, .pdf, .svg)."""
    path = Path(path)
    trend_figure(result, series, title=title).savefig(path)
    return path


def heatmap_figure(table: np.ndarray, *, title: str = "", unit: str = "incidents", what: str = "incidents",
                   size: tuple[float, float] = (8.0, 4.4)) -> Figure:
    """Weekday (rows, Monday on top) × hour heat map of ``table`` with the top windows as a footnote."""
    table = np.asarray(table, dtype=float)
    fig = Figure(figsize=size, dpi=100)
    ax = fig.add_subplot(1, 1, 1)
    image = ax.imshow(table, cmap="viridis", aspect="auto", vmin=0, interpolation="nearest")
    ax.set_yticks(range(7), DAYS)
    ax.set_xticks(range(0, 24, 3), [f"{h:02d}" for h in range(0, 24, 3)])
    ax.set_xlabel("hour of day")
    ax.set_title(title or f"{what.capitalize()} by hour and weekday")
    fig.colorbar(image, ax=ax, label=unit, fraction=0.04, pad=0.02)
    peaks = peak_windows(table.ravel(), hours=4, top=3) if table.sum() > 0 else []
    lines = ["Busiest 4-hour windows:"] + [f"• {w.sentence(what)}" for w in peaks] if peaks else []
    if lines:
        fig.text(0.01, 0.01, "\n".join(lines), fontsize=8, va="bottom")
    fig.tight_layout(rect=(0, 0.035 * len(lines), 1, 1))
    return fig


def save_figure(fig: Figure, path: str | Path) -> Path:
    """Write ``fig`` to ``path`` (format from the suffix)."""
    path = Path(path)
    fig.savefig(path)
    return path
