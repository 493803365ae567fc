"""Map furniture: legend, scale bar, north arrow, overview inset, logo, texts."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrow, Rectangle

from hotspot_desktop.core.crs import LENGTH_UNITS
from hotspot_desktop.core.model import Layer, RasterLayer, VectorLayer
from hotspot_desktop.core.render_math import raster_limits
from hotspot_desktop.core.styles import LegendEntry, legend_entries
from hotspot_desktop.core.symbology import coloured_by_role, zone_legend_roles

FONT = "DejaVu Sans"


@dataclass(frozen=True)
class ScaleBar:
    length_m: float  # total bar length in metres
    segments: int
    label: str


def _nice(value: float) -> float:
    """Largest 1, 2 or 5 × 10^k not above ``value``."""
    if value <= 0:
        return 1.0
    exp = math.floor(math.log10(value))
    for m in (5, 2, 1):
        if m * 10**exp <= value:
            return m * 10**exp
    return 10 ** (exp - 1) * 5


def scale_bar_spec(map_width_m: float, units: str = "metric", fraction: float = 0.25) -> ScaleBar:
    """A round scale bar about ``fraction`` of the map's width: metres/kilometres, or
    feet/miles for ``units == "imperial"``."""
    target = map_width_m * fraction
    if units == "imperial":
        feet = target / LENGTH_UNITS["ft"]
        if feet >= 2640:  # half a mile and more: use miles
            miles = _nice(target / LENGTH_UNITS["mi"]) if target / LENGTH_UNITS["mi"] >= 1 else (
                0.5 if target / LENGTH_UNITS["mi"] >= 0.5 else 0.25)
            label = f"{miles:g} mi"
            length = miles * LENGTH_UNITS["mi"]
        else:
            ft = _nice(feet)
            label = f"{ft:,.0f} ft"
            length = ft * LENGTH_UNITS["ft"]
    else:
        m = _nice(target)
        label = f"{m / 1000:g} km" if m >= 1000 else f"{m:g} m"
        length = m
    return ScaleBar(length, 4 if label[0] in "1248" else 5, label)


def draw_scale_bar(map_ax: Axes, bar: ScaleBar, anchor: tuple[float, float]) -> Rectangle:
    """Alternating black/white bar in map units at ``anchor`` (axes fraction of the map)."""
    x0, x1 = map_ax.get_xlim()
    y0, y1 = map_ax.get_ylim()
    ax_w, ax_h = x1 - x0, y1 - y0
    bx = x0 + anchor[0] * ax_w
    by = y0 + anchor[1] * ax_h
    h = ax_h * 0.012
    seg = bar.length_m / bar.segments
    map_ax.add_patch(Rectangle((bx - ax_w * 0.008, by - h * 1.2), bar.length_m + ax_w * 0.04, h * 4.6,
                               facecolor="white", alpha=0.8, edgecolor="none", zorder=900))
    outline = None
    for i in range(bar.segments):
        rect = Rectangle((bx + i * seg, by), seg, h, facecolor="black" if i % 2 == 0 else "white",
                         edgecolor="black", linewidth=0.6, zorder=901)
        map_ax.add_patch(rect)
    outline = Rectangle((bx, by), bar.length_m, h, fill=False, edgecolor="black", linewidth=0.8, zorder=902,
                        gid="scalebar")
    map_ax.add_patch(outline)
    map_ax.text(bx, by + h * 1.5, "0", fontsize=7, ha="center", va="bottom", zorder=903)
    map_ax.text(bx + bar.length_m, by + h * 1.5, bar.label, fontsize=7, ha="center", va="bottom", zorder=903)
    return outline


def draw_north_arrow(ax: Axes) -> None:
    """Grid north (up in the projected working CRS)."""
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.add_patch(FancyArrow(0.5, 0.15, 0, 0.5, width=0.14, head_width=0.42, head_length=0.3,
                            length_includes_head=True, color="black"))
    ax.text(0.5, 0.92, "N", ha="center", va="center", fontsize=11, fontweight="bold")


def layer_legend(layer: Layer) -> list[LegendEntry]:
    if isinstance(layer, VectorLayer) and coloured_by_role(layer, layer.style):
        return [LegendEntry("title", layer.name)] + [LegendEntry("patch", role, color + "55", color)
                                                       for role, color in zone_legend_roles(layer)]
    kind = layer.geometry_kind if layer.geometry_kind in ("point", "line", "polygon", "raster") else "raster"
    entries = legend_entries(layer.style, kind, layer.name)
    if isinstance(layer, RasterLayer):
        # Ramps whose limits come from the data: print the limits actually used.
        lo, hi = raster_limits(layer.values, layer.style.raster)
        entries = [replace(e, vmin=lo, vmax=hi) if e.kind == "ramp" else e for e in entries]
    return entries


def draw_legend(ax: Axes, layers: list[Layer], title: str = "Legend") -> list[str]:
    """Legend of the visible layers, top layer first. Returns the labels drawn (for tests)."""
    from matplotlib import colormaps

    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    entries: list[LegendEntry] = []
    for layer in reversed(layers):
        if layer.visible and len(layer):
            entries += layer_legend(layer)
    rows = max(len(entries) + 1 + sum(e.kind == "ramp" for e in entries), 8)
    dy = 1.0 / rows
    y = 1 - dy / 2
    ax.text(0, y, title, fontsize=10, fontweight="bold", va="center")
    labels = []
    for e in entries:
        y -= dy
        if y < 0:
            ax.text(0, y + dy / 2, "…", fontsize=8)
            break
        labels.append(e.label)
        if e.kind == "title":
            ax.text(0, y, e.label, fontsize=8, fontweight="bold", va="center")
            continue
        sw = (0.02, y - dy * 0.3, 0.12, dy * 0.6)
        if e.kind == "marker":
            ax.scatter([0.08], [y], s=max(e.size, 4) ** 2 * 0.6, c=[e.color], edgecolors=e.outline, linewidths=0.4,
                       marker={"t": "^", "d": "D", "s": "s"}.get(e.marker, "o"))
        elif e.kind == "patch":
            ax.add_patch(Rectangle(sw[:2], sw[2], sw[3], facecolor=e.color, edgecolor=e.outline, linewidth=0.6))
        elif e.kind == "line":
            ax.add_line(Line2D([0.02, 0.14], [y, y], color=e.color, linewidth=1.5))
        elif e.kind == "ramp":
            # Units on the first row, the gradient with its end values on the next.
            ax.text(0.02, y, e.label, fontsize=7.5, va="center")
            y -= dy
            grad = np.linspace(0, 1, 64)[None, :]
            ax.imshow(grad, extent=(0.02, 0.42, y - dy * 0.25, y + dy * 0.25), aspect="auto",
                      cmap=colormaps[e.ramp or "viridis"])
            lo = "" if e.vmin is None else f"{e.vmin:,.3g}"
            hi = "" if e.vmax is None else f"{e.vmax:,.3g}"
            ax.text(0.45, y, f"{lo} – {hi}" if lo or hi else "", fontsize=6.5, va="center")
            continue
        ax.text(0.18, y, e.label, fontsize=7.5, va="center")
    return labels


def draw_overview(ax: Axes, layers: list[Layer], full_extent: tuple, view_extent: tuple) -> None:
    """Small map of the whole area with the printed extent outlined."""
    from hotspot_desktop.export.map_render import draw_vector

    ax.set_xticks([])
    ax.set_yticks([])
    polys = [lyr for lyr in layers if isinstance(lyr, VectorLayer) and lyr.geometry_kind == "polygon" and len(lyr)
             and lyr.visible and lyr.kind != "zones"]

    def spread(lyr: VectorLayer) -> float:
        x0, y0, x1, y1 = lyr.extent()
        return (x1 - x0) * (y1 - y0)

    # The widest polygon layer (city limits, districts, beats) frames the overview best.
    for lyr in sorted(polys, key=spread, reverse=True)[:1]:
        draw_vector(ax, lyr, 1, full_extent, 1.0, labels=False)
    x0, y0, x1, y1 = full_extent
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal", adjustable="box")
    vx0, vy0, vx1, vy1 = view_extent
    ax.add_patch(Rectangle((vx0, vy0), vx1 - vx0, vy1 - vy0, fill=False, edgecolor="#D55E00", linewidth=1.5, zorder=50))
