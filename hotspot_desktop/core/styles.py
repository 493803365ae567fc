"""Layer styles as plain data, and the legend-entry model shared by the canvas and exports.

A style is a small dataclass that serialises to JSON (``to_dict``/``from_dict``). The canvas
(gui/) and the export composer (export/) both read the same style and call :func:`legend_entries`
so a printed legend always matches the map. Colours are ``#rrggbb`` or ``#rrggbbaa`` strings.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from dataclasses import field as dc_field
from typing import Any, Literal

import numpy as np

# Okabe & Ito (2008) colour-blind-safe qualitative palette, the default for categories.
OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"]
# Extended with Paul Tol's muted scheme when there are more than 8 categories.
TOL_MUTED = ["#CC6677", "#332288", "#DDCC77", "#117733", "#88CCEE", "#882255", "#44AA99", "#999933", "#AA4499"]
QUALITATIVE = OKABE_ITO + TOL_MUTED

# Colour ramps (matplotlib names) used by default: sequential for density, diverging for z.
SEQUENTIAL_RAMP = "YlOrRd"
DIVERGING_RAMP = "RdBu_r"

StyleMode = Literal["single", "categorised", "graduated", "heatmap", "raster"]
ClassMethod = Literal["quantiles", "equal_interval", "natural_breaks", "std_mean", "manual"]


@dataclass
class Symbol:
    """Single-symbol appearance of a feature."""

    fill: str = "#3182bdcc"
    outline: str = "#08306bff"
    outline_width: float = 0.6  # points (1/72 inch) on paper, pixels on screen
    marker: str = "o"  # o s t d + x (pyqtgraph / matplotlib shared subset)
    size: float = 5.0  # marker diameter, pixels / points


@dataclass
class Category:
    value: Any
    label: str
    color: str
    visible: bool = True


@dataclass
class GraduatedClass:
    lower: float
    upper: float
    label: str
    color: str


@dataclass
class HeatmapSettings:
    """Live heat map of a point layer. Radius is in map units (metres), never screen pixels."""

    radius_m: float = 250.0
    ramp: str = SEQUENTIAL_RAMP
    max_density: float | None = None  # incidents per km², None = from data
    transparent_below: float = 0.02  # share of max shown fully transparent


@dataclass
class RasterSettings:
    ramp: str = SEQUENTIAL_RAMP
    vmin: float | None = None
    vmax: float | None = None
    transparent_below: float | None = None  # values <= this are transparent
    symmetric: bool = False  # diverging ramps centred on 0 (z-scores)
    units: str = ""  # legend units, e.g. "incidents per km²"


@dataclass
class LayerStyle:
    """Everything about how one layer is drawn; shared by canvas and export."""

    mode: StyleMode = "single"
    symbol: Symbol = dc_field(default_factory=Symbol)
    field: str | None = None
    categories: list[Category] = dc_field(default_factory=list)
    method: ClassMethod = "quantiles"
    classes: list[GraduatedClass] = dc_field(default_factory=list)
    ramp: str = SEQUENTIAL_RAMP
    heatmap: HeatmapSettings = dc_field(default_factory=HeatmapSettings)
    raster: RasterSettings = dc_field(default_factory=RasterSettings)
    label_field: str | None = None
    label_size: float = 8.0

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "LayerStyle":
        data = dict(data)
        style = cls(**{k: v for k, v in data.items() if k in _SIMPLE_FIELDS})
        if "symbol" in data:
            style.symbol = Symbol(**data["symbol"])
        style.categories = [Category(**c) for c in data.get("categories", [])]
        style.classes = [GraduatedClass(**c) for c in data.get("classes", [])]
        if "heatmap" in data:
            style.heatmap = HeatmapSettings(**data["heatmap"])
        if "raster" in data:
            style.raster = RasterSettings(**data["raster"])
        return style


_SIMPLE_FIELDS = {"mode", "field", "method", "ramp", "label_field", "label_size"}


@dataclass(frozen=True)
class LegendEntry:
    """One row of a legend. ``kind`` tells the renderer what swatch to draw."""

    kind: Literal["marker", "patch", "line", "ramp", "title"]
    label: str
    color: str = "#000000"
    outline: str = "#000000"
    marker: str = "o"
    size: float = 5.0
    ramp: str | None = None  # for kind == "ramp"
    vmin: float | None = None
    vmax: float | None = None


def ramp_colors(ramp: str, n: int) -> list[str]:
    """``n`` evenly spaced colours of a matplotlib colormap as hex strings."""
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    cmap = colormaps[ramp]
    if n == 1:
        return [to_hex(cmap(0.7))]
    return [to_hex(cmap(0.15 + 0.85 * i / (n - 1))) for i in range(n)]


def categorised(values: list, field_name: str, labels: dict | None = None) -> LayerStyle:
    """A categorised style with the colour-blind-safe palette, one category per value."""
    cats = [
        Category(value=v, label=str((labels or {}).get(v, v)), color=QUALITATIVE[i % len(QUALITATIVE)])
        for i, v in enumerate(values)
    ]
    return LayerStyle(mode="categorised", field=field_name, categories=cats)


def classify(values: np.ndarray, method: ClassMethod = "quantiles", k: int = 5,
             breaks: list[float] | None = None) -> list[float]:
    """Upper class bounds for a graduated style, computed with mapclassify.

    ``method``: quantiles, equal_interval, natural_breaks (Jenks, via Fisher-Jenks), std_mean
    (standard deviation classes around the mean) or manual (``breaks`` as given).
    """
    import mapclassify

    vals = np.asarray(values, dtype=float)
    vals = vals[np.isfinite(vals)]
    if method == "manual":
        if not breaks:
            raise ValueError("manual classification needs breaks")
        return sorted(float(b) for b in breaks)
    if vals.size == 0:
        return []
    k = max(1, min(k, int(np.unique(vals).size)))
    if method == "quantiles":
        bins = mapclassify.Quantiles(vals, k=k).bins
    elif method == "equal_interval":
        bins = mapclassify.EqualInterval(vals, k=k).bins
    elif method == "natural_breaks":
        sample = vals if vals.size <= 5000 else np.random.default_rng(0).choice(vals, 5000, replace=False)
        bins = list(mapclassify.FisherJenks(sample, k=k).bins)
        bins[-1] = float(vals.max())
    elif method == "std_mean":
        bins = mapclassify.StdMean(vals).bins
    else:
        raise ValueError(f"unknown classification method {method!r}")
    return [float(b) for b in np.unique(np.asarray(bins, dtype=float))]


def graduated(values: np.ndarray, field_name: str, method: ClassMethod = "quantiles", k: int = 5,
              ramp: str = SEQUENTIAL_RAMP, breaks: list[float] | None = None) -> LayerStyle:
    """A graduated style whose classes come from :func:`classify`."""
    uppers = classify(values, method, k, breaks)
    vals = np.asarray(values, dtype=float)
    lo = float(np.nanmin(vals)) if vals.size else 0.0
    colors = ramp_colors(ramp, max(1, len(uppers)))
    classes = []
    for i, up in enumerate(uppers):
        classes.append(GraduatedClass(lower=lo, upper=up, label=f"{_fmt(lo)} – {_fmt(up)}", color=colors[i]))
        lo = up
    return LayerStyle(mode="graduated", field=field_name, method=method, classes=classes, ramp=ramp)


def _fmt(v: float) -> str:
    if v == 0 or abs(v) >= 100:
        return f"{v:,.0f}"
    if abs(v) >= 1:
        return f"{v:,.1f}"
    return f"{v:.3g}"


def class_index(values: np.ndarray, classes: list[GraduatedClass]) -> np.ndarray:
    """Index of the graduated class of each value (-1 where outside every class or NaN)."""
    vals = np.asarray(values, dtype=float)
    if not classes:
        return np.full(vals.shape, -1)
    uppers = np.array([c.upper for c in classes])
    idx = np.searchsorted(uppers, vals, side="left")
    idx[(idx >= len(classes)) | ~np.isfinite(vals) | (vals < classes[0].lower)] = -1
    return idx


def legend_entries(style: LayerStyle, geometry_kind: str, layer_name: str) -> list[LegendEntry]:
    """The legend rows of a layer drawn with ``style`` (geometry_kind: point/line/polygon/raster)."""
    swatch = {"point": "marker", "line": "line", "polygon": "patch", "raster": "ramp"}[geometry_kind]
    s = style.symbol
    if style.mode == "single":
        color = s.outline if geometry_kind == "line" else s.fill
        return [LegendEntry(swatch, layer_name, color, s.outline, s.marker, s.size)]
    entries = [LegendEntry("title", layer_name)]
    if style.mode == "categorised":
        entries += [LegendEntry(swatch, c.label, c.color, s.outline, s.marker, s.size)
                    for c in style.categories if c.visible]
    elif style.mode == "graduated":
        entries += [LegendEntry(swatch, c.label, c.color, s.outline, s.marker, s.size) for c in style.classes]
    elif style.mode == "heatmap":
        h = style.heatmap
        entries.append(LegendEntry("ramp", f"incidents per km² (radius {h.radius_m:,.0f} m)", ramp=h.ramp,
                                   vmin=0.0, vmax=h.max_density))
    elif style.mode == "raster":
        r = style.raster
        entries.append(LegendEntry("ramp", r.units or "value", ramp=r.ramp, vmin=r.vmin, vmax=r.vmax))
    return entries
