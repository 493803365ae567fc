"""MapCanvas draws layers in project order and follows the model's change signals."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspot_desktop.core.model import (
    ZONE_ROLE_COLORS,
    PointFilter,
    PointLayer,
    Project,
    RasterLayer,
    VectorLayer,
    ZoneLayer,
)
from hotspot_desktop.core.render_math import hex_to_rgba
from hotspot_desktop.core.styles import LayerStyle, Symbol, categorised, graduated
from tests.gui.test_canvas_helpers import close, rgb_at, show_canvas, snapshot, to_pixel

RED, BLUE, WHITE = (255, 0, 0), (0, 0, 255), (255, 255, 255)
EXTENT = (0.0, 0.0, 1000.0, 1000.0)


def solid(color: str) -> LayerStyle:
    return LayerStyle(symbol=Symbol(fill=color + "ff", outline=color + "ff", outline_width=0.0))


def square(name: str, x0: float, y0: float, x1: float, y1: float, color: str) -> VectorLayer:
    gdf = gpd.GeoDataFrame({"name": [name]}, geometry=[shapely.box(x0, y0, x1, y1)])
    return VectorLayer(name, gdf, style=solid(color))


def two_squares() -> tuple[Project, VectorLayer, VectorLayer]:
    p = Project()
    red = square("red", 100, 100, 600, 600, "#ff0000")
    blue = square("blue", 400, 400, 900, 900, "#0000ff")
    p.layers.append(red)
    p.layers.append(blue)
    return p, red, blue


def test_top_layer_wins_and_hiding_reveals_the_one_below(qtbot):
    p, _red, blue = two_squares()
    canvas = show_canvas(qtbot, p, EXTENT)
    img = snapshot(canvas)
    assert close(rgb_at(canvas, img, 500, 500), BLUE)
    assert close(rgb_at(canvas, img, 200, 200), RED)
    assert close(rgb_at(canvas, img, 800, 800), BLUE)
    assert close(rgb_at(canvas, img, 50, 950), WHITE)

    blue.visible = False
    assert not canvas.item(blue).isVisible()
    img = snapshot(canvas)
    assert close(rgb_at(canvas, img, 500, 500), RED)
    assert close(rgb_at(canvas, img, 800, 800), WHITE)

    blue.visible = True
    p.layers.move(1, 0)  # blue to the bottom
    img = snapshot(canvas)
    assert close(rgb_at(canvas, img, 500, 500), RED)


def test_style_opacity_insert_and_remove_change_pixels(qtbot):
    p, _red, blue = two_squares()
    canvas = show_canvas(qtbot, p, EXTENT)
    blue.style = solid("#00ff00")
    img = snapshot(canvas)
    assert close(rgb_at(canvas, img, 800, 800), (0, 255, 0))

    blue.opacity = 0.5
    img = snapshot(canvas)
    r, g, b = rgb_at(canvas, img, 800, 800)
    assert 100 < r < 160 and g > 230 and 100 < b < 160  # half green over white

    top = square("top", 700, 100, 900, 300, "#000000")
    p.layers.append(top)
    assert not canvas.is_render_complete()
    qtbot.waitUntil(canvas.is_render_complete)
    img = snapshot(canvas)
    assert close(rgb_at(canvas, img, 800, 200), (0, 0, 0))

    p.layers.remove(top)
    img = snapshot(canvas)
    assert close(rgb_at(canvas, img, 800, 200), WHITE)


def test_categorised_and_graduated_polygons(qtbot):
    gdf = gpd.GeoDataFrame({"kind": ["a", "b"], "v": [1.0, 10.0]},
                           geometry=[shapely.box(100, 100, 400, 400), shapely.box(600, 600, 900, 900)])
    layer = VectorLayer("cells", gdf)
    p = Project()
    p.layers.append(layer)
    canvas = show_canvas(qtbot, p, EXTENT)
    style = categorised(["a", "b"], "kind")
    style.categories[0].color = "#ff0000"
    style.categories[1].color = "#0000ff"
    layer.style = style
    img = snapshot(canvas)
    assert close(rgb_at(canvas, img, 250, 250), RED)
    assert close(rgb_at(canvas, img, 750, 750), BLUE)

    style.categories[1].visible = False
    layer.style = style
    img = snapshot(canvas)
    assert close(rgb_at(canvas, img, 750, 750), WHITE)

    g = graduated(gdf["v"].to_numpy(), "v", method="equal_interval", k=2, ramp="Greys")
    layer.style = g
    img = snapshot(canvas)
    low, high = rgb_at(canvas, img, 250, 250), rgb_at(canvas, img, 750, 750)
    assert sum(high) < sum(low)  # the higher class is darker on a grey ramp


def test_zones_are_coloured_by_role(qtbot):
    p = Project()
    zones = ZoneLayer()
    zones.gdf = gpd.GeoDataFrame({"name": ["t", "c"], "role": ["target", "control"], "priority": [1, 2]},
                                 geometry=[shapely.box(100, 100, 400, 400), shapely.box(600, 600, 900, 900)])
    zones.data_changed()
    p.layers.append(zones)
    canvas = show_canvas(qtbot, p, EXTENT)
    img = snapshot(canvas)
    target = rgb_at(canvas, img, 250, 250)
    control = rgb_at(canvas, img, 750, 750)
    tr, tg, tb, _ = hex_to_rgba(ZONE_ROLE_COLORS["target"])
    assert target[0] > target[2]  # orange-red tint
    assert control[2] > control[0]  # blue tint
    # Role outlines are drawn in the full role colour.
    c, r = to_pixel(canvas, 100, 250)
    edge = img[r, c - 1:c + 2, :3].astype(int)
    assert any(close(tuple(px), (tr, tg, tb), 60) for px in edge)


def points_layer() -> PointLayer:
    x = np.array([200.0, 800.0, 500.0])
    y = np.array([200.0, 800.0, 500.0])
    attrs = pd.DataFrame({"offence": pd.Categorical(["burglary", "robbery", "burglary"]),
                          "time": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"])})
    layer = PointLayer("incidents", x, y, attrs)
    layer.style = LayerStyle(symbol=Symbol(fill="#ff0000ff", outline="#ff0000ff", size=9))
    return layer


def test_point_filter_and_categories_change_what_is_drawn(qtbot):
    p = Project()
    layer = points_layer()
    p.layers.append(layer)
    canvas = show_canvas(qtbot, p, EXTENT)
    img = snapshot(canvas)
    for xy in ((200, 200), (800, 800), (500, 500)):
        assert close(rgb_at(canvas, img, *xy), RED)

    layer.filter = PointFilter(offences=frozenset({"robbery"}))
    img = snapshot(canvas)
    assert close(rgb_at(canvas, img, 800, 800), RED)
    assert close(rgb_at(canvas, img, 200, 200), WHITE)

    layer.filter = PointFilter()
    style = categorised(["burglary", "robbery"], "offence")
    style.categories[0].color = "#0000ff"
    style.categories[1].visible = False
    style.symbol = layer.style.symbol
    layer.style = style
    img = snapshot(canvas)
    assert close(rgb_at(canvas, img, 200, 200), BLUE, 60)
    assert close(rgb_at(canvas, img, 800, 800), WHITE)


def test_selection_is_highlighted_and_zoomed_to(qtbot):
    p = Project()
    layer = points_layer()
    p.layers.append(layer)
    canvas = show_canvas(qtbot, p, EXTENT)
    layer.selection = np.array([1])
    canvas.refresh_selection(layer)
    img = snapshot(canvas)
    r, g, b = rgb_at(canvas, img, 800, 800)
    assert r > 200 and g > 180 and b < 80  # selection yellow over the red marker
    canvas.zoom_to_selection(layer)
    xmin, ymin, xmax, ymax = canvas.current_extent()
    assert xmin < 800 < xmax and ymin < 800 < ymax and xmax - xmin < 200


def test_raster_cell_lands_at_its_map_position(qtbot):
    values = np.full((10, 10), np.nan)
    values[2, 7] = 5.0  # row 2 from the south, column 7
    values[9, 0] = 1.0  # north-west corner (the scale bar sits in the south-west)
    layer = RasterLayer("grid", values, x0=0.0, y0=0.0, cell_size=100.0)
    layer.style.raster.ramp = "Reds"
    p = Project()
    p.layers.append(layer)
    canvas = show_canvas(qtbot, p, EXTENT)
    img = snapshot(canvas)
    hot = rgb_at(canvas, img, 750, 250)
    assert hot[0] > 80 and hot[1] < 60 and hot[2] < 60  # darkest red of the ramp
    # The mirrored cell (row 7 from the top) and NaN cells stay transparent.
    assert close(rgb_at(canvas, img, 750, 750), WHITE, 5)
    assert close(rgb_at(canvas, img, 450, 450), WHITE, 5)
    low = rgb_at(canvas, img, 50, 950)
    assert low[0] > 230 and low[1] > 220  # lightest end of the ramp, not transparent white exactly
    # Cell edges: 1 m inside the hot cell is hot, 1 m outside it is not.
    assert rgb_at(canvas, img, 702, 250) == hot
    assert close(rgb_at(canvas, img, 695, 250), WHITE, 5)
