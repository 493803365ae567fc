"""Compose and write a map page: PNG (96–600 dpi), PDF (vector, dense points rasterised), SVG."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg", force=False)
from matplotlib.figure import Figure  # noqa: E402

from hotspot_desktop import __version__  # noqa: E402
from hotspot_desktop.core.model import Layer, PointLayer, Project  # noqa: E402
from hotspot_desktop.export import elements as el  # noqa: E402
from hotspot_desktop.export.map_render import draw_layers  # noqa: E402
from hotspot_desktop.export.page import MM_PER_INCH, page_size_inches  # noqa: E402
from hotspot_desktop.export.public import PublicOptions, public_layers  # noqa: E402
from hotspot_desktop.export.template import MapTemplate  # noqa: E402

FORMATS = {".png": "png", ".pdf": "pdf", ".svg": "svg"}
MIN_DPI, MAX_DPI = 96, 600


@dataclass
class ComposedMap:
    figure: Figure
    legend_labels: list[str]
    scale_bar: el.ScaleBar | None
    extent: tuple[float, float, float, float]
    texts: dict[str, str] = field(default_factory=dict)


def auto_text(project: Project, layers: list[Layer]) -> str:
    """Date range, offence filter, data sources, produced on/by: the small print of a map."""
    parts = []
    for lyr in layers:
        if isinstance(lyr, PointLayer) and lyr.visible and lyr.times is not None:
            f = lyr.filter
            span = lyr.time_span()
            if f.date_from is not None or f.date_to is not None:
                dates = f.describe().split(";")[0]
            elif span is not None:
                dates = f"{span[0].date()} to {span[1].date()}"
            else:
                dates = "dates unknown"
            if lyr.role == "patrol_log":  # AVL pings: no offences either
                parts.append(f"{lyr.name} (patrol log): {dates}")
                continue
            if lyr.role == "community":  # survey responses / service requests: no offences
                chosen = f"; {', '.join(sorted(f.offences))}" if f.offences is not None else ""
                parts.append(f"{lyr.name} (community input): {dates}{chosen}")
                continue
            offences = ", ".join(sorted(f.offences)) if f.offences is not None else "all offence types"
            parts.append(f"{lyr.name}: {dates}; {offences}")
    sources = sorted({Path(lyr.source.path).name for lyr in layers if lyr.visible and lyr.source.path})
    if sources:
        parts.append("Data: " + ", ".join(sources))
    who = " · ".join(v for v in (project.metadata.get("agency", ""), project.metadata.get("author", "")) if v)
    parts.append(f"Produced {dt.date.today().isoformat()}" + (f" by {who}" if who else "") +
                 f" with Hotspot Desktop {__version__}")
    return "\n".join(parts)


def methods_footnote(layers: list[Layer], public: PublicOptions | None = None) -> str:
    """Tool and parameters of every visible result layer, from its provenance."""
    lines = []
    for lyr in layers:
        p = lyr.provenance
        if p is None or not lyr.visible:
            continue
        params = ", ".join(f"{k}={v}" for k, v in p.parameters.items()
                           if not isinstance(v, (dict, list)) and v not in (None, "") and k != "output")
        note = f"; {p.notes[0]}" if p.notes else ""  # the first note is the headline (e.g. fast KDE mode)
        lines.append(f"{lyr.name}: {p.tool_id} v{p.tool_version} ({params}){note}")
    if public is not None:
        lines.append(public.describe())
    return "\n".join(lines) if lines else "Methods: incidents as recorded; see the methods appendix of the briefing."


def _wrap(text: str, width: int, max_lines: int) -> str:
    """Wrap footnote text to the box; the full text is in the briefing's methods appendix."""
    import textwrap

    lines = [ln for para in text.split("\n") for ln in (textwrap.wrap(para, width) or [""])]
    if len(lines) > max_lines:
        lines = lines[: max_lines - 1] + ["… (full methods in the briefing's appendix)"]
    return "\n".join(lines)


def _chars(width_in: float, fontsize: float) -> int:
    """Characters of DejaVu Sans (about 0.62 em each on average) that fit in ``width_in``."""
    return max(20, int(width_in * 72 / (fontsize * 0.62)))


def _axes(fig: Figure, tpl: MapTemplate, name: str, margin_w: float, margin_h: float):
    e = tpl.elements[name]
    return fig.add_axes((margin_w + e.x * (1 - 2 * margin_w), margin_h + e.y * (1 - 2 * margin_h),
                         e.w * (1 - 2 * margin_w), e.h * (1 - 2 * margin_h)))


def compose_map(project: Project, template: MapTemplate | None = None, *, extent: tuple | None = None,
                public: PublicOptions | None = None) -> ComposedMap:
    """Lay out the page described by ``template`` for ``project`` (current view or ``extent``)."""
    tpl = template or MapTemplate()
    layers = list(project.layers)
    if public is not None:
        layers = public_layers(layers, public)
    full = project.full_extent() or (0.0, 0.0, 1.0, 1.0)
    view = extent or (tuple(project.view[k] for k in ("xmin", "ymin", "xmax", "ymax")) if project.view else full)
    w_in, h_in = page_size_inches(tpl.page, tpl.landscape)
    fig = Figure(figsize=(w_in, h_in), dpi=tpl.dpi)
    mw = tpl.margins_mm / MM_PER_INCH / w_in
    mh = tpl.margins_mm / MM_PER_INCH / h_in
    E = tpl.elements
    texts: dict[str, str] = {}

    map_ax = _axes(fig, tpl, "map", mw, mh)
    map_ax.set_xticks([])
    map_ax.set_yticks([])
    for spine in map_ax.spines.values():
        spine.set_linewidth(0.8)
    # Fit the extent to the frame's aspect so the map is not distorted.
    frame_w = E["map"].w * (1 - 2 * mw) * w_in
    frame_h = E["map"].h * (1 - 2 * mh) * h_in
    x0, y0, x1, y1 = view
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    span_w, span_h = max(x1 - x0, 1.0), max(y1 - y0, 1.0)
    if span_w / span_h > frame_w / frame_h:
        span_h = span_w * frame_h / frame_w
    else:
        span_w = span_h * frame_w / frame_h
    ext = (cx - span_w / 2, cy - span_h / 2, cx + span_w / 2, cy + span_h / 2)
    draw_layers(map_ax, layers, ext, frame_w * tpl.dpi)

    bar = None
    if E["scalebar"].enabled:
        bar = el.scale_bar_spec(span_w, tpl.scale_units)
        # Scale bar position is relative to the map frame.
        sx = (E["scalebar"].x - E["map"].x) / max(E["map"].w, 1e-6)
        sy = (E["scalebar"].y - E["map"].y) / max(E["map"].h, 1e-6)
        el.draw_scale_bar(map_ax, bar, (max(sx, 0.01), max(sy, 0.01)))
    if E["north"].enabled:
        el.draw_north_arrow(_axes(fig, tpl, "north", mw, mh))
    labels: list[str] = []
    if E["legend"].enabled:
        labels = el.draw_legend(_axes(fig, tpl, "legend", mw, mh), layers)
    if E["overview"].enabled:
        el.draw_overview(_axes(fig, tpl, "overview", mw, mh), layers, full, ext)
    if E["title"].enabled:
        texts["title"] = tpl.title or E["title"].text or project.metadata.get("title", "") or "Crime map"
        ax = _axes(fig, tpl, "title", mw, mh)
        ax.set_axis_off()
        ax.text(0, 0.5, texts["title"], fontsize=18, fontweight="bold", va="center")
    if E["subtitle"].enabled:
        texts["subtitle"] = tpl.subtitle or E["subtitle"].text
        ax = _axes(fig, tpl, "subtitle", mw, mh)
        ax.set_axis_off()
        ax.text(0, 0.5, texts["subtitle"], fontsize=11, color="#444444", va="center")
    if E["marking"].enabled:
        texts["marking"] = E["marking"].text or "LAW ENFORCEMENT SENSITIVE"
        ax = _axes(fig, tpl, "marking", mw, mh)
        ax.set_axis_off()
        ax.text(0.5, 0.5, texts["marking"], fontsize=9, fontweight="bold", color="#B00020", ha="center", va="center")
    if E["autotext"].enabled:
        texts["autotext"] = auto_text(project, layers)
        ax = _axes(fig, tpl, "autotext", mw, mh)
        ax.set_axis_off()
        ax.text(0, 1, _wrap(texts["autotext"], _chars(E["autotext"].w * (1 - 2 * mw) * w_in, 6.5), 99), fontsize=6.5,
                va="top", color="#333333", linespacing=1.3)
    if E["footnote"].enabled:
        texts["footnote"] = methods_footnote(layers, public)
        ax = _axes(fig, tpl, "footnote", mw, mh)
        ax.set_axis_off()
        ax.text(0, 1, _wrap(texts["footnote"], _chars(E["footnote"].w * (1 - 2 * mw) * w_in, 5.5), 7), fontsize=5.5,
                va="top", color="#333333", linespacing=1.25)
    if E["logo"].enabled and tpl.logo_path and Path(tpl.logo_path).is_file():
        import matplotlib.image as mpimg

        ax = _axes(fig, tpl, "logo", mw, mh)
        ax.set_axis_off()
        ax.imshow(mpimg.imread(tpl.logo_path))
    return ComposedMap(fig, labels, bar, ext, texts)


def export_map(project: Project, path: str | Path, template: MapTemplate | None = None, *,
               extent: tuple | None = None, public: PublicOptions | None = None, dpi: int | None = None) -> ComposedMap:
    """Write the composed map to ``path``; the format follows the extension (.png/.pdf/.svg)."""
    path = Path(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(f"unsupported map format {path.suffix!r}: use .png, .pdf or .svg")
    tpl = template or MapTemplate()
    if dpi is not None:
        tpl = MapTemplate.from_dict({**tpl.to_dict(), "dpi": int(dpi)})
    if not MIN_DPI <= tpl.dpi <= MAX_DPI:
        raise ValueError(f"resolution must be between {MIN_DPI} and {MAX_DPI} dpi")
    composed = compose_map(project, tpl, extent=extent, public=public)
    meta = {"Title": composed.texts.get("title", ""), "Creator": f"Hotspot Desktop {__version__}"} if fmt == "pdf" else None
    composed.figure.savefig(path, format=fmt, dpi=tpl.dpi, metadata=meta)
    return composed
