"""The Time dock's trend chart rendered with matplotlib, for exports (PNG, PDF, SVG).

Same content as the GUI chart: counts per period per series, each with its centred moving
average as a dashed line of the same colour (core temporal.trend).
"""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

from hotspot_desktop.core.analysis.temporal import TrendResult
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
