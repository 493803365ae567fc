"""Labels, lines, graduated points, selection events, empty layers, project switching,
render_complete and the scale bar."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from hotspot_desktop.core.model import PointLayer, Project, VectorLayer
from hotspot_desktop.core.styles import GraduatedClass, LayerStyle, Symbol
from hotspot_desktop.gui.canvas.overlays import nice_length, scale_bar_spec
from tests.gui.test_canvas_helpers import close, rgb_at, show_canvas, snapshot, to_pixel

EXTENT = (0.0, 0.0, 1000.0, 1000.0)


def black_square() -> VectorLayer:
    gdf = gpd.GeoDataFrame({"k": [1]}, geometry=[shapely.box(0, 0, 1000, 1000)])
    return VectorLayer("cover", gdf, style=LayerStyle(symbol=Symbol(fill="#000000ff", outline_width=0.0)))


def test_labels_are_drawn_above_every_layer_and_only_when_they_fit(qtbot):
    gdf = gpd.GeoDataFrame({"beat": ["NORTHWEST"]}, geometry=[shapely.box(200, 200, 800, 800)])
    beats = VectorLayer("beats", gdf, style=LayerStyle(label_field="beat", label_size=10))
    p = Project()
    p.layers.append(beats)
    p.layers.append(black_square())  # above the beats, hides them completely
    canvas = show_canvas(qtbot, p, EXTENT)
    img = snapshot(canvas)
    c, r = to_pixel(canvas, 500, 500)
    patch = img[r - 8:r + 8, c - 40:c + 40, :3].astype(int)
    assert (patch.min(axis=2) > 200).sum() > 20  # the white halo of the label over the black layer

    canvas.zoom_to_extent((-40000, -40000, 40000, 40000), pad=0.0)  # the beat is ~2 px wide now
    img = snapshot(canvas)
    c, r = to_pixel(canvas, 500, 500)
    patch = img[r - 8:r + 8, c - 40:c + 40, :3].astype(int)
    assert (patch.min(axis=2) < 100).sum() < 20  # no label: only the tiny black square

    beats.visible = False
    canvas.zoom_to_extent(EXTENT, pad=0.0)
    img = snapshot(canvas)
    c, r = to_pixel(canvas, 500, 500)
    assert img[r - 8:r + 8, c - 40:c + 40, :3].max() < 30


def test_lines_draw_in_their_colour_and_identify_within_tolerance(qtbot):
    gdf = gpd.GeoDataFrame({"street": ["High St", "Mill Rd"]},
                           geometry=[shapely.LineString([(0, 500), (1000, 500)]),
                                     shapely.LineString([(500, 0), (500, 300)])])
    streets = VectorLayer("streets", gdf, style=LayerStyle(symbol=Symbol(outline="#0000ffff", outline_width=3)))
    p = Project()
    p.layers.append(streets)
    canvas = show_canvas(qtbot, p, EXTENT)
    img = snapshot(canvas)
    assert close(rgb_at(canvas, img, 250, 500), (0, 0, 255), 60)
    assert close(rgb_at(canvas, img, 250, 600), (255, 255, 255), 5)
    hits = canvas.identify_at(250.0, 505.0)
    assert [(h[1], h[2]["street"]) for h in hits] == [(0, "High St")]
    assert canvas.identify_at(250.0, 600.0) == []


def test_graduated_points_take_their_class_colour(qtbot):
    layer = PointLayer("incidents", np.array([200.0, 800.0, 500.0]), np.array([500.0, 500.0, 500.0]),
                       pd.DataFrame({"score": [1.0, 9.0, 50.0]}))
    layer.style = LayerStyle(mode="graduated", field="score", symbol=Symbol(size=10, outline_width=0),
                             classes=[GraduatedClass(0, 5, "low", "#ff0000"), GraduatedClass(5, 10, "high", "#0000ff")])
    p = Project()
    p.layers.append(layer)
    canvas = show_canvas(qtbot, p, EXTENT)
    img = snapshot(canvas)
    assert close(rgb_at(canvas, img, 200, 500), (255, 0, 0), 40)
    assert close(rgb_at(canvas, img, 800, 500), (0, 0, 255), 40)
    assert close(rgb_at(canvas, img, 500, 500), (255, 255, 255), 5)  # outside every class: not drawn


def test_selection_signal_highlights_polygons(qtbot):
    gdf = gpd.GeoDataFrame({"k": [1, 2]}, geometry=[shapely.box(100, 100, 400, 400), shapely.box(600, 600, 900, 900)])
    layer = VectorLayer("cells", gdf, style=LayerStyle(symbol=Symbol(fill="#ffffff00", outline="#000000ff")))
    p = Project()
    p.layers.append(layer)
    canvas = show_canvas(qtbot, p, EXTENT)
    layer.selection = np.array([1])
    layer.changed.emit("selection")
    qtbot.waitUntil(canvas.is_render_complete)
    img = snapshot(canvas)
    c, r = to_pixel(canvas, 600, 750)
    edge = img[r, c - 2:c + 3, :3].astype(int)
    assert any(px[0] > 200 and px[1] > 170 and px[2] < 90 for px in edge)  # yellow outline
    c, r = to_pixel(canvas, 100, 250)
    assert not any(px[0] > 200 and px[1] > 170 and px[2] < 90 for px in img[r, c - 2:c + 3, :3].astype(int))
    canvas.zoom_to_selection(layer)
    e = canvas.current_extent()
    assert e[0] < 600 and e[2] > 900 and e[0] > 400


def test_render_complete_follows_worker_images(qtbot):
    p = Project()
    p.layers.append(black_square())
    canvas = show_canvas(qtbot, p, EXTENT)
    with qtbot.waitSignal(canvas.render_complete, timeout=10_000):
        canvas.zoom_to_extent((0, 0, 500, 500), pad=0.0)
    assert canvas.is_render_complete()


def test_empty_layers_and_project_switch(qtbot):
    p = Project()
    p.layers.append(PointLayer("none", np.empty(0), np.empty(0)))
    p.layers.append(VectorLayer("nothing", gpd.GeoDataFrame(geometry=gpd.GeoSeries([]))))
    canvas = show_canvas(qtbot, p, EXTENT)
    assert canvas.is_render_complete()
    assert canvas.identify_at(10.0, 10.0) == []

    q = Project()
    q.layers.append(black_square())
    canvas.set_project(q)
    canvas.flush()
    img = snapshot(canvas)
    assert rgb_at(canvas, img, 500, 500) == (0, 0, 0)
    p.layers.append(black_square())  # the old project no longer reaches the canvas
    assert len(canvas._items) == 1


def test_scale_bar_lengths():
    assert nice_length(740) == 500 and nice_length(199) == 100 and nice_length(2.1) == 2
    px, label = scale_bar_spec(10.0, "m", max_px=120)  # up to 1,200 m
    assert label == "1 km" and px == pytest.approx(100)
    px, label = scale_bar_spec(0.5, "m", max_px=120)
    assert label == "50 m" and px == pytest.approx(100)
    px, label = scale_bar_spec(100.0, "ft", max_px=120)  # 12,000 m = 7.5 mi
    assert label == "5 mi" and px == pytest.approx(5 * 1609.344 / 100.0)
    px, label = scale_bar_spec(1.0, "ft", max_px=120)
    assert label == "200 ft" and px == pytest.approx(200 * 0.3048)


def test_layer_changes_emitted_on_another_thread_reach_the_canvas(qtbot):
    import threading

    p = Project()
    layer = black_square()
    p.layers.append(layer)
    canvas = show_canvas(qtbot, p, EXTENT)
    worker = threading.Thread(target=lambda: setattr(layer, "visible", False))
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: not canvas.item(layer).isVisible())
    img = snapshot(canvas)
    assert rgb_at(canvas, img, 500, 500) == (255, 255, 255)


def test_many_signal_emits_do_not_exhaust_true():
    import sys

    from PySide6.QtCore import QObject, Signal

    from hotspot_desktop.gui.canvas import pin_bool_refcounts
    from hotspot_desktop.gui.canvas.pyside_guard import emit_leaks_true

    pin_bool_refcounts()

    class Emitter(QObject):
        fired = Signal()

    e = Emitter()
    before = sys.getrefcount(True)
    for _ in range(20_000):  # over twice what kills an unguarded Python 3.11 with PySide6 6.12.0
        e.fired.emit()
    assert sys.getrefcount(True) > 1_000
    if emit_leaks_true():
        assert sys.getrefcount(True) > 2**39 and before > 2**39


def test_a_layer_kind_without_an_item_is_skipped_with_a_warning(qtbot):
    from hotspot_desktop.core.model import Layer

    class Hexbins(Layer):
        kind = "hexbins"

        def extent(self):
            return (0.0, 0.0, 1.0, 1.0)

    p = Project()
    p.layers.append(black_square())
    canvas = show_canvas(qtbot, p, EXTENT)
    odd = Hexbins("hexbins")
    with pytest.warns(RuntimeWarning, match="hexbins"):
        p.layers.append(odd)
    qtbot.waitUntil(canvas.is_render_complete)
    assert rgb_at(canvas, snapshot(canvas), 500, 500) == (0, 0, 0)
    assert canvas.identify_at(500.0, 500.0)[0][0].name == "cover"
    p.layers.remove(odd)
