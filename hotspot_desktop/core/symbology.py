"""Which colour each feature gets: the one place that turns a LayerStyle into per-feature
classes, shared by the map canvas (gui/canvas) and the print renderer (export/) so a printed
map always matches the screen.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hotspot_desktop.core.model import (
    ZONE_ROLE_COLORS,
    ZONE_ROLES,
    PointLayer,
    VectorLayer,
)
from hotspot_desktop.core.styles import LayerStyle, Symbol, class_index

UNKNOWN_ROLE_COLOR = "#7F7F7F"
ZONE_FILL_ALPHA = "55"  # role-coloured zones are see-through so the incidents stay visible


def _category_codes(col: pd.Series, style: LayerStyle) -> tuple[np.ndarray, list[str]]:
    cats = [c for c in style.categories if c.visible]
    idx = col.map({c.value: i for i, c in enumerate(cats)})
    if idx.isna().all() and len(col):
        # Category values typed differently from the column (e.g. "3" vs 3): match as text.
        idx = col.astype(str).map({str(c.value): i for i, c in enumerate(cats)})
    return pd.to_numeric(idx, errors="coerce").fillna(-1).to_numpy(dtype=np.int64), [c.color for c in cats]


def column_classes(column: pd.Series | None, style: LayerStyle) -> tuple[np.ndarray | None, list[str]]:
    """Class index per value of the style's field (-1 = not drawn) and the class colours;
    ``None`` for a single class. Takes the column, not the layer, so a worker thread can work
    on a snapshot."""
    if style.mode == "categorised" and column is not None:
        return _category_codes(column, style)
    if style.mode == "graduated" and column is not None:
        vals = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)
        return class_index(vals, style.classes), [c.color for c in style.classes]
    return None, [style.symbol.fill]


def class_of_points(layer: PointLayer, style: LayerStyle) -> tuple[np.ndarray | None, list[str]]:
    """:func:`column_classes` of a point layer's styled column."""
    column = layer.attributes[style.field] if style.field and layer.has_column(style.field) else None
    return column_classes(column, style)


def coloured_by_role(layer: VectorLayer, style: LayerStyle) -> bool:
    """Zone layers keep the default single style until the analyst restyles them; until then
    they are drawn in ZONE_ROLE_COLORS."""
    return (layer.kind == "zones" and style.mode == "single" and style.symbol == Symbol()
            and "role" in layer.gdf.columns)


def feature_classes(layer: VectorLayer, style: LayerStyle) -> tuple[np.ndarray, list[str], list[str]]:
    """Class index per feature (-1 = not drawn) with fill and outline colours per class."""
    gdf = layer.gdf
    n = len(gdf)
    s = style.symbol
    outline_by_class = layer.geometry_kind == "line"
    if style.mode == "categorised" and style.field in gdf.columns:
        cls, fills = _category_codes(gdf[style.field], style)
        return cls, fills, (fills if outline_by_class else [s.outline] * len(fills))
    if style.mode == "graduated" and style.field in gdf.columns:
        vals = pd.to_numeric(gdf[style.field], errors="coerce").to_numpy(dtype=float)
        fills = [c.color for c in style.classes]
        return class_index(vals, style.classes), fills, (fills if outline_by_class else [s.outline] * len(fills))
    if coloured_by_role(layer, style):
        roles = list(ZONE_ROLES)
        cls = gdf["role"].map({r: i for i, r in enumerate(roles)}).fillna(len(roles)).to_numpy(dtype=np.int64)
        lines = [ZONE_ROLE_COLORS[r] for r in roles] + [UNKNOWN_ROLE_COLOR]
        return cls, [c + ZONE_FILL_ALPHA for c in lines], lines
    return np.zeros(n, dtype=np.int64), [s.fill], [s.outline]


def zone_legend_roles(layer: VectorLayer) -> list[tuple[str, str]]:
    """(role, colour) pairs present in a role-coloured zone layer, for legends."""
    present = set(layer.gdf["role"].astype(str)) if "role" in layer.gdf.columns else set()
    return [(r, ZONE_ROLE_COLORS[r]) for r in ZONE_ROLES if r in present]
