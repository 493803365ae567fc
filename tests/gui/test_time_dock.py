"""Time dock and time filter bar driven like a user: heat-map clicks, aoristic toggle, peak
sentences, trend series, date sliders and the animation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from hotspot_desktop.core.model import PointFilter, PointLayer, Project
from hotspot_desktop.core.styles import LayerStyle, Symbol
from hotspot_desktop.gui.time.time_dock import TimeDock
from hotspot_desktop.gui.time.time_slider import TimeFilterBar
from tests.gui.test_canvas_helpers import show_canvas, snapshot

pytestmark = pytest.mark.gui

OFFENCES = ("Robbery", "Theft", "Burglary")


def incidents(n: int = 3000, seed: int = 2) -> PointLayer:
    """Incidents over 2024 with a Friday-night robbery peak; a third known only within a window."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.uniform(0, 365, n), unit="D")
    offence = rng.choice(OFFENCES, n)
    rob = offence == "Robbery"
    # Robberies mostly on Friday 22:00-23:59.
    fri = start.normalize() - pd.to_timedelta(start.day_of_week, unit="D") + pd.Timedelta(days=4, hours=22)
    start = np.where(rob & (rng.uniform(size=n) < 0.7), fri + pd.to_timedelta(rng.uniform(0, 120, n), unit="min"),
                     start)
    start = pd.to_datetime(start)
    end = pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]")
    windowed = rng.uniform(size=n) < 0.33
    end[windowed] = start[windowed] + pd.to_timedelta(rng.uniform(1, 10, windowed.sum()), unit="h")
    attrs = pd.DataFrame({"time": start, "time_end": end, "offence": pd.Categorical(offence)})
    layer = PointLayer("incidents", rng.uniform(0, 10000, n), rng.uniform(0, 10000, n), attrs)
    layer.style = LayerStyle(symbol=Symbol(fill="#d62728ff", outline="#d62728ff", size=4))
    return layer


@pytest.fixture
def setup(qtbot):
    layer = incidents()
    project = Project()
    project.layers.append(layer)
    canvas = show_canvas(qtbot, project, (0, 0, 10000, 10000))
    canvas.item(layer).lod_threshold = 10**9  # markers: one mark per drawn incident
    dock = TimeDock(project)
    qtbot.addWidget(dock)
    dock.resize(520, 560)
    dock.show()
    qtbot.waitExposed(dock)
    dock.set_layer(layer)
    dock.flush()
    return layer, canvas, dock


def drawn(canvas) -> int:
    canvas.flush()
    img = snapshot(canvas)
    return int(((img[..., 0] > 150) & (img[..., 1] < 120)).sum())


def click_cell(qtbot, dock: TimeDock, day: int, hour: int, shift: bool = False) -> None:
    modifier = Qt.KeyboardModifier.ShiftModifier if shift else Qt.KeyboardModifier.NoModifier
    QTest.mouseClick(dock.heatmap.plot.viewport(), Qt.MouseButton.LeftButton, modifier,
                     dock.heatmap.cell_pos(day, hour))
    dock.flush()


def test_cell_click_filters_the_map_to_that_weekday_and_hour(setup, qtbot):
    layer, canvas, dock = setup
    layer.filter = PointFilter(date_from=pd.Timestamp("2024-02-01"), offences=frozenset({"Robbery", "Theft"}))
    dock.flush()
    before = drawn(canvas)
    click_cell(qtbot, dock, 4, 22)
    f = layer.filter
    assert f.hours == {22} and f.weekdays == {4}
    assert f.date_from == pd.Timestamp("2024-02-01") and f.offences == {"Robbery", "Theft"}
    assert dock.heatmap.chosen() == {(4, 22)}
    after = drawn(canvas)
    assert 0 < after < before / 3
    # Shift-click adds Saturday 01:00 (the filter then holds both hours on both days).
    click_cell(qtbot, dock, 5, 1, shift=True)
    assert layer.filter.hours == {22, 1} and layer.filter.weekdays == {4, 5}
    assert dock.heatmap.chosen() == {(4, 22), (4, 1), (5, 22), (5, 1)}
    # A plain click replaces the choice; Clear shows every hour again, dates kept.
    click_cell(qtbot, dock, 0, 9)
    assert layer.filter.hours == {9} and layer.filter.weekdays == {0}
    QTest.mouseClick(dock.clear_button, Qt.MouseButton.LeftButton)
    dock.flush()
    assert layer.filter.hours is None and layer.filter.weekdays is None
    assert layer.filter.date_from == pd.Timestamp("2024-02-01")
    assert dock.heatmap.chosen() == set()
    assert abs(drawn(canvas) - before) <= before * 0.02


def test_heat_map_ignores_its_own_clock_filter_and_hover_shows_the_value(setup, qtbot):
    _layer, _canvas, dock = setup
    table = dock.heatmap.table.copy()
    click_cell(qtbot, dock, 4, 22)
    # The table still shows every hour (so other cells can be chosen), only outlined differently.
    assert np.allclose(dock.heatmap.table, table)
    pos = dock.heatmap.cell_pos(4, 22)
    QTest.mouseMove(dock.heatmap.plot.viewport(), pos)
    qtbot.waitUntil(lambda: dock.heatmap.hover.text().startswith("Fri 22:00–23:00"))
    assert "weighted incidents" in dock.heatmap.hover.text()


def test_aoristic_toggle_changes_values_not_the_total(setup, qtbot):
    _layer, _canvas, dock = setup
    assert dock.aoristic.isEnabled() and dock.aoristic.isChecked()
    weighted = dock.heatmap.table.copy()
    QTest.mouseClick(dock.aoristic, Qt.MouseButton.LeftButton)
    dock.flush()
    assert not dock.aoristic.isChecked()
    counts = dock.heatmap.table
    assert not np.allclose(weighted, counts)
    assert np.isclose(weighted.sum(), counts.sum())
    assert np.all(counts == np.round(counts))


def test_peak_windows_are_sentences_per_offence(setup, qtbot):
    layer, _canvas, dock = setup
    assert "holds" in dock.peaks.text() and "of incidents" in dock.peaks.text()
    layer.filter = PointFilter(offences=frozenset({"Robbery"}))
    dock.flush()
    first = dock.peaks.text().splitlines()[1]
    assert first.startswith("• Fri") and "22:00" in first and first.endswith("of robbery incidents")


def test_zone_source_counts_only_incidents_inside(setup, qtbot):
    import geopandas as gpd
    import shapely

    layer, _canvas, dock = setup
    zones = dock.project.ensure_zones()
    zones.gdf = gpd.GeoDataFrame({"zone_id": ["z1"], "name": ["West"], "role": ["target"]},
                                 geometry=[shapely.box(0, 0, 2500, 10000)])
    zones.data_changed()
    dock.flush()
    everything = dock.heatmap.table.sum()
    assert dock.set_source("zone", "West")
    dock.flush()
    inside = int((layer.x <= 2500).sum())
    assert 0 < dock.heatmap.table.sum() < everything
    assert np.isclose(dock.heatmap.table.sum(), inside)


def test_trend_tab_has_a_series_per_offence(setup, qtbot):
    _layer, _canvas, dock = setup
    dock.tabs.setCurrentIndex(1)
    assert dock.trend.series_names() == sorted(OFFENCES) + ["all"]
    assert dock.trend.result is not None and dock.trend.result.freq == "week"
    dock.trend.period.setCurrentText("month")
    lo, hi = _layer.time_span()
    assert len(dock.trend.result.counts) == len(pd.date_range(lo.normalize().replace(day=1), hi, freq="MS"))
    text = dock.trend.value_text(pd.Timestamp("2024-03-01").timestamp())
    assert text.startswith("month of 2024-03-01") and "Robbery" in text


@pytest.fixture
def bar(qtbot):
    layer = incidents(800)
    bar = TimeFilterBar()
    qtbot.addWidget(bar)
    bar.show()
    bar.set_layer(layer)
    return layer, bar


def test_sliders_move_the_date_range_and_stay_open_at_the_ends(bar, qtbot):
    layer, b = bar
    day0 = layer.time_span()[0].normalize()
    b.start_slider.setFocus()
    QTest.keyClick(b.start_slider, Qt.Key.Key_PageUp)  # one page = 7 days
    assert layer.filter.date_from == day0 + pd.Timedelta(days=7) and layer.filter.date_to is None
    QTest.keyClick(b.end_slider, Qt.Key.Key_PageDown)
    assert layer.filter.date_to == day0 + pd.Timedelta(days=b.end_slider.maximum() - 7 + 1) - pd.Timedelta(
        microseconds=1)
    assert b.end_label.text() == layer.filter.date_to.date().isoformat()
    QTest.keyClick(b.end_slider, Qt.Key.Key_End)
    QTest.keyClick(b.start_slider, Qt.Key.Key_Home)
    assert layer.filter.date_from is None and layer.filter.date_to is None
    assert b.start_label.text() == "start" and b.end_label.text() == "end"
    b.offence.setCurrentText("Theft")
    assert layer.filter.offences == {"Theft"}
    assert "incidents" in b.window_label.text()


def test_animation_steps_month_by_month_and_stops_at_the_end(bar, qtbot):
    layer, b = bar
    b.step.setCurrentText("month")
    QTest.mouseClick(b.play_button, Qt.MouseButton.LeftButton)
    assert b.is_playing() and b.play_button.text() == "Pause"
    starts = [layer.filter.date_from]
    while b.is_playing():
        b.advance()  # the timer's slot
        starts.append(layer.filter.date_from)
    assert starts[0] == layer.time_span()[0].normalize().replace(day=1)  # calendar months
    months = [s.month for s in starts[:-1]]
    assert months == list(range(1, 13))
    assert not b.play_button.isChecked() and b.play_button.text() == "Play"
    last = layer.filter
    assert last.date_from <= layer.time_span()[1] <= last.date_to
    assert int(layer.mask().sum()) > 0 and "incidents" in b.window_label.text()


def test_animation_runs_on_its_timer(bar, qtbot):
    layer, b = bar
    b.timer.setInterval(10)
    b.play()
    first = layer.filter.date_from
    qtbot.waitUntil(lambda: layer.filter.date_from > first + pd.Timedelta(days=13), timeout=5000)
    QTest.mouseClick(b.play_button, Qt.MouseButton.LeftButton)
    assert not b.is_playing()


def test_save_chart_writes_the_matplotlib_trend(setup, qtbot, tmp_path, monkeypatch):
    from matplotlib.image import imread
    from PySide6.QtWidgets import QFileDialog

    _layer, _canvas, dock = setup
    target = tmp_path / "trend.png"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "PNG (*.png)"))
    dock.tabs.setCurrentIndex(1)
    QTest.mouseClick(dock.trend.save_button, Qt.MouseButton.LeftButton)
    img = imread(target)
    assert img.shape[0] >= 300 and img.shape[1] >= 600
    assert (img[..., :3].std(axis=(0, 1)) > 0.01).all()  # not a blank page


def test_offence_picker_shows_a_filter_of_several_offences(bar, qtbot):
    layer, b = bar
    layer.filter = PointFilter(offences=frozenset({"Theft", "Robbery"}))
    assert b.offence.currentText() == "Offences chosen in the Filter panel (2)"
    b.offence.setCurrentText("Burglary")
    assert layer.filter.offences == {"Burglary"}
    assert b.offence.findText("Offences chosen in the Filter panel (2)") == -1
    b.offence.setCurrentIndex(0)
    assert layer.filter.offences is None


def test_dragging_a_handle_previews_and_applies_on_release(bar, qtbot):
    layer, b = bar
    day0 = layer.time_span()[0].normalize()
    b.start_slider.setSliderDown(True)
    b.start_slider.setSliderPosition(30)
    assert b.start_label.text() == (day0 + pd.Timedelta(days=30)).date().isoformat()
    assert layer.filter.date_from is None  # not applied while dragging
    b.start_slider.setSliderDown(False)
    assert layer.filter.date_from == day0 + pd.Timedelta(days=30)


def test_save_heat_map_image(setup, qtbot, tmp_path, monkeypatch):
    from matplotlib.image import imread
    from PySide6.QtWidgets import QFileDialog

    _layer, _canvas, dock = setup
    target = tmp_path / "heat.png"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "PNG (*.png)"))
    QTest.mouseClick(dock.save_heatmap_button, Qt.MouseButton.LeftButton)
    img = imread(target)
    assert img.shape[1] >= 600 and (img[..., :3].std(axis=(0, 1)) > 0.01).all()
