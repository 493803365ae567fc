"""Public-release mode: replace incident points by aggregates or geomasked points before any
rendering, and refuse exports that would publish incident-level locations. Community input
layers (survey responses, service requests) are point layers too and get the same treatment:
their points are home addresses as often as not."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import box

from hotspot_desktop.core.model import Layer, PointLayer, VectorLayer
from hotspot_desktop.core.privacy import PublicReleaseRefused, donut_mask, suppress_small_counts
from hotspot_desktop.core.styles import LayerStyle, Symbol, graduated


@dataclass(frozen=True)
class PublicOptions:
    """How incidents are published: "hex"/"grid" aggregates with small counts suppressed, or
    "donut" geomasked points. "raw" exists only to be refused with a clear message."""

    method: str = "hex"
    cell_size_m: float = 250.0
    min_count: int = 5
    donut_min_m: float = 100.0
    donut_max_m: float = 400.0
    seed: int = 0

    def describe(self) -> str:
        if self.method in ("hex", "grid"):
            shape = "hexagons" if self.method == "hex" else "grid squares"
            return (f"Public release: incidents shown only as counts per {self.cell_size_m:g} m {shape}; "
                    f"counts below {self.min_count} suppressed.")
        return (f"Public release: locations geomasked (donut method, moved {self.donut_min_m:g}–"
                f"{self.donut_max_m:g} m at random, seed {self.seed}); no incident attributes.")


def _aggregate(layer: PointLayer, opts: PublicOptions) -> VectorLayer:
    from hotspot_desktop.core.analysis.grid import grid_counts

    x, y = layer.filtered_xy()
    res = grid_counts(x, y, cell_size=opts.cell_size_m, shape="hex" if opts.method == "hex" else "square")
    if opts.method == "hex":
        gdf = res.to_geodataframe()
    else:
        g = res.grid
        rows, cols = np.nonzero(res.counts > 0)
        boxes = [box(g.x0 + c * g.cell_size, g.y0 + r * g.cell_size, g.x0 + (c + 1) * g.cell_size,
                     g.y0 + (r + 1) * g.cell_size) for r, c in zip(rows, cols)]
        gdf = gpd.GeoDataFrame({"count": res.counts[rows, cols]}, geometry=boxes)
    counts, suppressed = suppress_small_counts(gdf["count"].to_numpy(), opts.min_count)
    gdf = gdf.assign(count=counts)
    gdf = gdf[(gdf["count"] > 0) | gdf["count"].isna()].copy()
    gdf["label"] = np.where(gdf["count"].isna(), f"fewer than {opts.min_count}", gdf["count"].fillna(0).astype(int).astype(str))
    vals = gdf["count"].to_numpy(dtype=float)
    style = graduated(vals[np.isfinite(vals)], "count", "quantiles", 5) if np.isfinite(vals).any() else LayerStyle()
    style.symbol = Symbol(fill="#bdbdbd66", outline="#ffffff00", outline_width=0.2)
    out = VectorLayer(f"{layer.name} (count per cell)", gdf.reset_index(drop=True), "polygon", style=style)
    out.opacity = 0.85
    return out


def _masked(layer: PointLayer, opts: PublicOptions) -> PointLayer:
    x, y = layer.filtered_xy()
    m = donut_mask(x, y, min_m=opts.donut_min_m, max_m=opts.donut_max_m, seed=opts.seed)
    style = LayerStyle(symbol=Symbol(fill=layer.style.symbol.fill, outline="#00000000", size=layer.style.symbol.size))
    return PointLayer(f"{layer.name} (approximate locations)", m.x, m.y, pd.DataFrame(index=range(len(m.x))), style=style)


def public_layers(layers: list[Layer], opts: PublicOptions) -> list[Layer]:
    """The layers to draw in public mode: every point layer (incidents and community input)
    replaced, patrol logs (AVL) left out altogether (even counts of pings show where and when
    patrols go), others kept.

    Raises :class:`PublicReleaseRefused` for ``method == "raw"``.
    """
    if opts.method == "raw":
        raise PublicReleaseRefused("Exporting incident points is refused in public-release mode: choose "
                                   "aggregated counts (hex/grid) or geomasked points (donut).")
    if opts.method not in ("hex", "grid", "donut"):
        raise ValueError(f"unknown public-release method {opts.method!r}")
    out: list[Layer] = []
    for layer in layers:
        if isinstance(layer, PointLayer):
            if not layer.visible or len(layer) == 0 or layer.role == "patrol_log":
                continue
            out.append(_masked(layer, opts) if opts.method == "donut" else _aggregate(layer, opts))
        elif isinstance(layer, VectorLayer) and layer.geometry_kind == "point":
            continue  # point features from vector files may be incidents too
        else:
            out.append(layer)
    return out


def assert_no_incident_locations(exported: np.ndarray, originals: np.ndarray) -> None:
    """Raise if any exported (x, y) coincides with an original incident location."""
    a = {tuple(r) for r in np.round(np.asarray(originals, float), 6)}
    hits = [tuple(r) for r in np.round(np.asarray(exported, float), 6) if tuple(r) in a]
    if hits:
        raise PublicReleaseRefused(f"{len(hits)} exported coordinates equal incident locations")


def public_geodataframe(layer: PointLayer, opts: PublicOptions, crs) -> gpd.GeoDataFrame:
    """The public version of one incident layer as a GeoDataFrame (for vector exports).

    Raises :class:`PublicReleaseRefused` for a patrol log: it has no public version.
    """
    if layer.role == "patrol_log":
        raise PublicReleaseRefused(f"'{layer.name}' is a patrol log (AVL): it is never released in public mode, "
                                   "not even as counts, because it shows where and when patrols go.")
    pub = public_layers([layer], opts)[0]
    if isinstance(pub, PointLayer):
        return gpd.GeoDataFrame(geometry=gpd.points_from_xy(pub.x, pub.y), crs=crs)
    return pub.gdf.set_crs(crs, allow_override=True)
