"""Drawing a :class:`~hotspot_desktop.tools.base.ChartSpec` with matplotlib (exports, briefings).

The GUI draws the same spec with pyqtgraph (gui/result_views.py); both use the colour-blind-safe
qualitative palette in series order so a chart looks alike on screen and on paper.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from hotspot_desktop.core.styles import QUALITATIVE
from hotspot_desktop.tools.base import ChartSpec

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?)?$")


def x_positions(x: list[Any]) -> tuple[np.ndarray, list[str] | None]:
    """Numeric x positions plus tick labels when x is categorical or dates (ISO strings)."""
    try:
        return np.asarray(x, dtype=float), None
    except (TypeError, ValueError):
        # Few categories have room for whole names; many share the axis.
        width = 40 if len(x) <= 4 else 24 if len(x) <= 8 else 16
        return np.arange(len(x), dtype=float), [tick_label(v, width) for v in x]


def tick_label(value: Any, width: int = 16) -> str:
    """An ISO timestamp shown as its date; other text cut to ``width`` characters with an ellipsis
    (zone names such as "Target A - Riverside" stay readable)."""
    text = str(value)
    if _ISO_DATE.match(text):
        return text[:10]
    return text if len(text) <= width else text[: width - 1] + "…"


def draw_chart(spec: ChartSpec, ax: Any, max_ticks: int = 12) -> Any:
    """Draw ``spec`` on a matplotlib Axes and return it."""
    if spec.kind == "timeline":
        from hotspot_desktop.export.patrol_timeline import draw_timeline

        return draw_timeline(spec, ax)
    x, labels = x_positions(spec.x)
    n = max(1, len(spec.series))
    for i, (label, ys) in enumerate(spec.series.items()):
        colour = QUALITATIVE[i % len(QUALITATIVE)]
        y = np.asarray(ys, dtype=float)
        if spec.kind == "bar":
            width = 0.8 / n
            ax.bar(x - 0.4 + width * (i + 0.5), y, width=width, color=colour, label=label)
        elif spec.kind == "scatter":
            ax.scatter(x, y, color=colour, label=label, s=12)
        elif spec.kind == "step":
            ax.step(x[: y.size], y, where="post", color=colour, label=label)
        else:
            ax.plot(x[: y.size], y, color=colour, label=label, linewidth=1.5)
    for label, yv in spec.hlines.items():
        ax.axhline(yv, color="#666666", linestyle="--", linewidth=1)
        ax.annotate(label, (x.min() if x.size else 0, yv), fontsize=7, color="#444444",
                    xytext=(2, 2), textcoords="offset points")
    if labels is not None:
        step = max(1, len(labels) // max_ticks)
        ax.set_xticks(x[::step])
        ax.set_xticklabels(labels[::step], rotation=45, ha="right", fontsize=7)
    ax.set_title(spec.title)
    ax.set_xlabel(spec.x_label)
    ax.set_ylabel(spec.y_label)
    if len(spec.series) > 1:
        ax.legend(fontsize=7, frameon=False)
    return ax
