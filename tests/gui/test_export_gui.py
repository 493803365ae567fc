"""Export GUI: the map composer (toggles, dragging, templates, background export), the
briefing dialog, layer export in public-release mode and table CSVs, driven like a user."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pytest
from pypdf import PdfReader
from pyproj import CRS
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog
from shapely.geometry import Point, box

from hotspot_desktop.core.model import PointLayer, Project, VectorLayer, ZoneLayer
from hotspot_desktop.core.styles import LayerStyle, Symbol, categorised
from hotspot_desktop.export.template import MapTemplate
from tests.gui.test_main_window import make_window

CRS_UTM = CRS.from_epsg(32616)
TIMEOUT = 60000


def make_project(n: int = 3000) -> Project:
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.normal(3000, 800, n - 400), rng.normal(4500, 80, 400)])
    y = np.concatenate([rng.normal(3000, 800, n - 400), rng.normal(4500, 80, 400)])
    t = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.uniform(0, 365, n), unit="D")
    p = Project(CRS_UTM)
    beats = gpd.GeoDataFrame({"name": [f"Beat {i}" for i in range(4)]},
                             geometry=[box((i % 2) * 3000, (i // 2) * 3000, (i % 2) * 3000 + 3000,
                                           (i // 2) * 3000 + 3000) for i in range(4)], crs=CRS_UTM)
    p.layers.append(VectorLayer("Beats", beats, style=LayerStyle(symbol=Symbol(fill="#eeeeeeff"), label_field="name")))
    pts = PointLayer("Incidents", x, y, pd.DataFrame({"time": t, "offence": pd.Categorical(
        rng.choice(["Robbery", "Burglary"], n))}))
    pts.style = categorised(["Robbery", "Burglary"], "offence")
    p.layers.append(pts)
    zones = gpd.GeoDataFrame({"name": ["=HYPERLINK(\"x\")", "Control"], "role": ["target", "control"],
                              "start": ["2024-07-01", ""], "end": ["2024-12-31", ""]},
                             geometry=[Point(4500, 4500).buffer(200), box(500, 500, 1500, 1500)], crs=CRS_UTM)
    p.layers.append(ZoneLayer(gdf=zones))
    p.metadata["title"] = "Test town"
    p.modified = False
    return p


@pytest.fixture
def window(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path, make_project(), record_errors=True)
    w.canvas.zoom_full()
    return w


def open_composer(qtbot, window):
    window.export_menu.actions()[0].trigger()  # File ▸ Export ▸ Map…
    dlg = window.export_ui.dialogs["composer"]
    qtbot.waitExposed(dlg)
    wait_preview(qtbot, dlg)
    return dlg


def wait_preview(qtbot, dlg, after: int = 0) -> None:
    qtbot.waitUntil(lambda: dlg.preview_idle() and dlg.renderer.rendered_serial > after and dlg.last_image is not None,
                    timeout=TIMEOUT)


def export_from(qtbot, dlg, path: Path) -> None:
    dlg.output.setText(str(path))
    qtbot.mouseClick(dlg.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dlg.runner.busy, timeout=TIMEOUT)


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=QPoint(8, widget.height() // 2))


def test_menu_has_export_entries(window):
    texts = [a.text() for a in window.export_menu.actions()]
    assert texts[:4] == ["Map…", "Briefing PDF…", "Layer…", "Table as CSV"]


def test_toggles_remove_elements_from_pdf_and_png(qtbot, window, tmp_path):
    dlg = open_composer(qtbot, window)
    dlg.title.clear()
    qtbot.keyClicks(dlg.title, "Robbery hot spots")
    export_from(qtbot, dlg, tmp_path / "all.pdf")
    text = PdfReader(tmp_path / "all.pdf").pages[0].extract_text()
    for word in ("Robbery hot spots", "LAW ENFORCEMENT SENSITIVE", "Legend", "Produced"):
        assert word in text
    dlg.dpi.setValue(96)
    export_from(qtbot, dlg, tmp_path / "all.png")
    for kind in ("title", "marking", "legend", "autotext"):
        click(qtbot, dlg.toggles[kind])
        assert not dlg.template.elements[kind].enabled
        assert kind not in dlg.preview.items_by_kind  # no box to drag for a hidden element
    export_from(qtbot, dlg, tmp_path / "less.pdf")
    text = PdfReader(tmp_path / "less.pdf").pages[0].extract_text()
    for word in ("Robbery hot spots", "LAW ENFORCEMENT SENSITIVE", "Legend", "Produced"):
        assert word not in text
    export_from(qtbot, dlg, tmp_path / "less.png")
    # The legend column (right of the map) is ink on the full page and blank without the legend.
    full, less = mpimg.imread(tmp_path / "all.png"), mpimg.imread(tmp_path / "less.png")
    assert full.shape == less.shape == (int(8.5 * 96), (11 * 96), 4)
    h, w = full.shape[:2]
    legend = (slice(int(h * 0.2), int(h * 0.5)), slice(int(w * 0.8), int(w * 0.97)))
    ink = lambda img: float((img[legend][..., :3].mean(axis=2) < 0.6).mean())
    assert ink(full) > 0.003 and ink(less) < ink(full) / 20


def test_dragging_title_box_moves_title(qtbot, window):
    dlg = open_composer(qtbot, window)
    before = MapTemplate.from_dict(dlg.template.to_dict()).elements["title"]
    item = dlg.preview.items_by_kind["title"]
    view = dlg.preview
    start = view.mapFromScene(item.sceneBoundingRect().center())
    end = start + QPoint(0, 120)
    vp = view.viewport()
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for k in range(1, 7):
        QTest.mouseMove(vp, start + QPoint(0, 20 * k))
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    after = dlg.template.elements["title"]
    assert after.y < before.y - 0.1  # moved down the page (y is from the bottom)
    assert after.x == pytest.approx(before.x, abs=0.01) and after.w == pytest.approx(before.w, abs=1e-3)
    serial = dlg.renderer.rendered_serial
    wait_preview(qtbot, dlg, serial)
    fig = dlg.last_composed.figure
    text = next(t for ax in fig.axes for t in ax.texts if t.get_text() == "Test town")
    bbox = text.get_window_extent(fig.canvas.get_renderer())
    centre_from_top = 1 - (bbox.y0 + bbox.y1) / 2 / fig.bbox.height
    # The title is drawn where the box was dropped, not at the top of the page any more.
    assert centre_from_top == pytest.approx(1 - dlg.preview.mh - (after.y + after.h / 2) * (1 - 2 * dlg.preview.mh),
                                            abs=0.02)
    assert centre_from_top > 0.2


def test_resize_handle_changes_size(qtbot, window):
    dlg = open_composer(qtbot, window)
    item = dlg.preview.items_by_kind["legend"]
    w0 = dlg.template.elements["legend"].h
    r = item.sceneBoundingRect()
    view, vp = dlg.preview, dlg.preview.viewport()
    grip = view.mapFromScene(r.right() - 3, r.bottom() - 3)
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, grip)
    QTest.mouseMove(vp, grip + QPoint(0, -30))
    QTest.mouseMove(vp, grip + QPoint(0, -60))
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, grip + QPoint(0, -60))
    assert dlg.template.elements["legend"].h < w0 - 0.05


def test_arrow_keys_nudge_selected_element(qtbot, window):
    dlg = open_composer(qtbot, window)
    view = dlg.preview
    item = view.items_by_kind["north"]
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     view.mapFromScene(item.sceneBoundingRect().center()))
    assert item.isSelected()
    x0, y0 = dlg.template.elements["north"].x, dlg.template.elements["north"].y
    QTest.keyClick(view, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)  # 5 mm
    QTest.keyClick(view, Qt.Key.Key_Up)  # 1 mm
    e = dlg.template.elements["north"]
    usable_w_mm = 279.4 - 2 * dlg.template.margins_mm  # Letter landscape width inside the margins
    usable_h_mm = 215.9 - 2 * dlg.template.margins_mm
    assert (x0 - e.x) * usable_w_mm == pytest.approx(5, abs=0.3)
    assert (e.y - y0) * usable_h_mm == pytest.approx(1, abs=0.3)


def test_preview_follows_layers_and_canvas(qtbot, window):
    dlg = open_composer(qtbot, window)
    assert "Beats" in dlg.last_composed.legend_labels
    serial = dlg.renderer.rendered_serial
    window.project.layers.by_name("Beats").visible = False
    window.project.layers.by_name("Beats").changed.emit("visibility")
    wait_preview(qtbot, dlg, serial)
    assert "Beats" not in dlg.last_composed.legend_labels
    x0, y0, x1, y1 = dlg.view_extent
    window.canvas.zoom_to_extent((x0, y0, (x0 + x1) / 2, (y0 + y1) / 2), pad=0)
    qtbot.waitUntil(lambda: dlg.view_extent[2] - dlg.view_extent[0] < 0.8 * (x1 - x0), timeout=TIMEOUT)
    dlg.close()
    window.project.layers.by_name("Beats").changed.emit("visibility")  # nothing calls into the closed dialog


def test_logo_and_imperial_scale(qtbot, window, tmp_path, monkeypatch):
    logo = tmp_path / "logo.png"
    mpimg.imsave(logo, np.tile(np.array([[[0.0, 0.8, 0.0]]]), (40, 80, 1)))  # a pure green badge
    dlg = open_composer(qtbot, window)
    assert not dlg.toggles["logo"].isChecked()
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(logo), "Images"))
    qtbot.mouseClick(dlg.findChild(type(dlg.export_button), "logoBrowse"), Qt.MouseButton.LeftButton)
    assert dlg.toggles["logo"].isChecked() and dlg.template.logo_path == str(logo)
    dlg.units.setCurrentIndex(dlg.units.findData("imperial"))
    dlg.dpi.setValue(96)
    export_from(qtbot, dlg, tmp_path / "logo.png.out.png")
    img = mpimg.imread(tmp_path / "logo.png.out.png")[..., :3]
    green = (img[..., 1] > 0.7) & (img[..., 0] < 0.1) & (img[..., 2] < 0.1)
    rows, cols = np.nonzero(green)
    assert rows.size > 500 and cols.mean() > img.shape[1] * 0.8 and rows.mean() < img.shape[0] * 0.2  # top right
    serial = dlg.renderer.rendered_serial
    dlg.render_preview()
    wait_preview(qtbot, dlg, serial)
    assert dlg.last_composed.scale_bar.label.endswith(("mi", "ft"))


def test_template_round_trip_project_and_file(qtbot, window, tmp_path, monkeypatch):
    dlg = open_composer(qtbot, window)
    dlg.move_element("legend", 0.5, 0.4, 0.2, 0.3)
    click(qtbot, dlg.toggles["overview"])
    dlg.page_size.setCurrentText("A3")
    box = dlg.templates
    qtbot.keyClicks(box.names.lineEdit(), "Weekly")
    qtbot.mouseClick(box.save_button, Qt.MouseButton.LeftButton)
    assert "Weekly" in window.project.templates and window.project.modified
    saved = MapTemplate.from_dict(window.project.templates["Weekly"])
    assert saved.page == "A3" and not saved.elements["overview"].enabled and saved.elements["legend"].x == 0.5
    # Change the dialog, then load the saved template back.
    click(qtbot, dlg.toggles["overview"])
    dlg.page_size.setCurrentText("Legal")
    qtbot.mouseClick(box.load_button, Qt.MouseButton.LeftButton)
    assert dlg.page_size.currentText() == "A3" and not dlg.toggles["overview"].isChecked()
    assert dlg.template.elements["legend"].x == 0.5
    # Export to JSON, import into the composer of another project.
    out = tmp_path / "weekly.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), "Map template (*.json)"))
    qtbot.mouseClick(box.export_button, Qt.MouseButton.LeftButton)
    assert MapTemplate.load(out).elements["legend"].x == 0.5
    window.set_project(make_project(500))
    dlg2 = open_composer(qtbot, window)
    assert dlg2 is not dlg and dlg2.page_size.currentText() == "Letter"
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(out), "Map template (*.json)"))
    qtbot.mouseClick(dlg2.templates.import_button, Qt.MouseButton.LeftButton)
    assert dlg2.page_size.currentText() == "A3" and dlg2.template.elements["legend"].x == 0.5
    qtbot.mouseClick(dlg2.templates.save_button, Qt.MouseButton.LeftButton)
    assert "Weekly" in window.project.templates
    # Saved templates travel with the project file.
    from hotspot_desktop.core.io.project_io import open_project, save_project

    save_project(window.project, tmp_path / "p.hsproj")
    reopened, _r, _w = open_project(tmp_path / "p.hsproj", confirm_outside=lambda paths: True)
    assert MapTemplate.from_dict(reopened.templates["Weekly"]).elements["legend"].x == 0.5
    qtbot.mouseClick(dlg2.templates.delete_button, Qt.MouseButton.LeftButton)
    assert "Weekly" not in window.project.templates


def test_export_png_pdf_svg_in_background(qtbot, window, tmp_path):
    dlg = open_composer(qtbot, window)
    dlg.dpi.setValue(100)
    for ext in ("png", "pdf", "svg"):
        export_from(qtbot, dlg, tmp_path / f"map.{ext}")
    assert (tmp_path / "map.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert mpimg.imread(tmp_path / "map.png").shape[:2] == (850, 1100)
    assert "Test town" in PdfReader(tmp_path / "map.pdf").pages[0].extract_text()
    assert (tmp_path / "map.svg").read_text().startswith("<?xml")
    assert "Wrote" in dlg.status.label.text() and not window.errors
    # A zone extent frames the page on that zone.
    dlg.extent_mode.setCurrentIndex(2)
    dlg.zone.setCurrentText("Control")
    export_from(qtbot, dlg, tmp_path / "zone.png")
    x0, y0, x1, y1 = dlg.extent()
    assert x0 < 500 and x1 > 1500 and y0 < 500 and y1 > 1500 and x1 - x0 < 3000


def test_cancelled_export_leaves_no_file_and_errors_are_shown(qtbot, window, tmp_path):
    dlg = open_composer(qtbot, window)
    out = tmp_path / "big.pdf"
    dlg.output.setText(str(out))
    qtbot.mouseClick(dlg.export_button, Qt.MouseButton.LeftButton)
    assert dlg.status.cancel_button.isVisible()
    qtbot.mouseClick(dlg.status.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dlg.runner.busy, timeout=TIMEOUT)
    assert not out.exists() and "cancelled" in dlg.status.label.text()
    export_from(qtbot, dlg, tmp_path / "missing" / "map.pdf")
    export_from(qtbot, dlg, tmp_path / "map.docx")
    assert [t for t, _ in window.errors] == ["No such folder", "Unknown file type"]


def test_composer_public_mode_offers_no_raw_points(qtbot, window, tmp_path):
    dlg = open_composer(qtbot, window)
    methods = [dlg.public.method.itemData(i) for i in range(dlg.public.method.count())]
    assert methods == ["hex", "grid", "donut"]
    dlg.public.setChecked(True)
    serial = dlg.renderer.rendered_serial
    wait_preview(qtbot, dlg, serial)
    assert any("count per cell" in lbl for lbl in dlg.last_composed.legend_labels)
    assert "Incidents" not in dlg.last_composed.legend_labels
    export_from(qtbot, dlg, tmp_path / "public.pdf")
    text = PdfReader(tmp_path / "public.pdf").pages[0].extract_text()
    assert "Public release" in text and "Robbery" not in text


def test_layer_export_public_mode_has_no_incident_coordinates(qtbot, window, tmp_path):
    window.export_ui.open_layer_export()
    dlg = window.export_ui.dialogs["layer"]
    dlg.layer.setCurrentText("Incidents")
    dlg.format.setCurrentIndex(dlg.format.findData(".gpkg"))
    dlg.public.setChecked(True)
    dlg.public.method.setCurrentIndex(dlg.public.method.findData("donut"))
    out = tmp_path / "incidents.gpkg"
    dlg.output.setText(str(out))
    qtbot.mouseClick(dlg.write_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dlg.runner.busy, timeout=TIMEOUT)
    assert not window.errors
    inc = window.project.layers.by_name("Incidents")
    got = gpd.read_file(out).to_crs(CRS_UTM)
    assert len(got) == len(inc) and set(got.columns) == {"geometry"}
    orig = set(zip(np.round(inc.x, 2), np.round(inc.y, 2)))
    assert not orig & set(zip(np.round(got.geometry.x, 2), np.round(got.geometry.y, 2)))
    # Hex counts in KML (WGS 84): polygons only.
    dlg.public.method.setCurrentIndex(dlg.public.method.findData("hex"))
    dlg.format.setCurrentIndex(dlg.format.findData(".kml"))
    assert dlg.output.text().endswith(".kml") and "WGS 84" in dlg.note.text()
    qtbot.mouseClick(dlg.write_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dlg.runner.busy, timeout=TIMEOUT)
    kml = gpd.read_file(dlg.output.text())
    assert len(kml) and kml.geom_type.isin(["Polygon", "MultiPolygon"]).all()
    # Without public mode, the working-CRS CSV keeps the recorded points.
    dlg.public.setChecked(False)
    dlg.format.setCurrentIndex(dlg.format.findData(".csv"))
    qtbot.mouseClick(dlg.write_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dlg.runner.busy, timeout=TIMEOUT)
    raw = pd.read_csv(dlg.output.text())
    assert len(raw) == len(inc) and raw["x"].iloc[0] == pytest.approx(inc.x[0])


def test_layer_export_in_original_crs(qtbot, window, tmp_path):
    beats = window.project.layers.by_name("Beats")
    beats.source_crs = CRS.from_epsg(3857)
    window.project.layers.active = beats
    dlg = window.export_ui.open_layer_export()
    assert dlg.layer.currentText() == "Beats"
    dlg.crs.setCurrentIndex(dlg.crs.findData("source"))
    dlg.format.setCurrentIndex(dlg.format.findData(".shp"))
    dlg.output.setText(str(tmp_path / "beats.shp"))
    qtbot.mouseClick(dlg.write_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dlg.runner.busy, timeout=TIMEOUT)
    got = gpd.read_file(tmp_path / "beats.shp")
    assert got.crs.to_epsg() == 3857 and list(got["name"]) == list(beats.gdf["name"])
    assert got.to_crs(CRS_UTM).total_bounds == pytest.approx(beats.gdf.total_bounds, abs=0.01)


def test_layer_export_refuses_vector_points_in_public_mode(qtbot, window, tmp_path):
    pts = gpd.GeoDataFrame({"kind": ["a", "b"]}, geometry=[Point(1000, 1000), Point(2000, 2000)], crs=CRS_UTM)
    window.project.layers.append(VectorLayer("Calls", pts, "point"))
    dlg = window.export_ui.open_layer_export()
    dlg.layer.setCurrentText("Calls")
    dlg.public.setChecked(True)
    dlg.output.setText(str(tmp_path / "calls.geojson"))
    qtbot.mouseClick(dlg.write_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dlg.runner.busy, timeout=TIMEOUT)
    assert window.errors and window.errors[0][0] == "Refused in public-release mode"
    assert not (tmp_path / "calls.geojson").exists()


def test_briefing_dialog_writes_pdf_with_patrol_plan(qtbot, window, tmp_path):
    from hotspot_desktop.gui.result_views import show_results
    from hotspot_desktop.tools.base import TableResult

    visits = pd.DataFrame({"zone": ["Control", "Control"], "shift": ["Early", "Late"],
                           "start": ["2025-01-01 07:10", "2025-01-01 15:00"], "end": ["2025-01-01 07:22", "2025-01-01 15:14"]})
    show_results(window, [TableResult("Patrol plan: visits", visits, name="visits")], [])
    window.named_actions["export_briefing"].trigger()
    dlg = window.export_ui.dialogs["briefing"]
    assert dlg.include_plan.isEnabled() and dlg.include_plan.isChecked()
    dlg.title.clear()
    qtbot.keyClicks(dlg.title, "Roll call briefing")
    dlg.page.setCurrentText("A4")
    out = tmp_path / "brief.pdf"
    dlg.output.setText(str(out))
    qtbot.mouseClick(dlg.write_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dlg.runner.busy, timeout=120000)
    assert not window.errors and dlg.open_folder.isVisible()
    reader = PdfReader(out)
    assert dlg.content.pages == ["cover map", "top hot spots", "temporal heat map", "trend chart",
                                 "intervention evaluation", "patrol zones", "patrol timeline", "patrol plan",
                                 "methods appendix"]
    assert len(reader.pages) == 10  # the intervention takes two pages
    assert reader.metadata.title == "Roll call briefing"
    texts = [p.extract_text() for p in reader.pages]
    assert "Roll call briefing" in texts[0]
    for i, title in ((1, "Top hot spots"), (2, "When: hour of day"), (3, "Trend"),
                     (7, "Patrol plan: timeline per shift"), (8, "Patrol plan"), (9, "Methods appendix")):
        assert title in texts[i]
    w, h = (float(v) for v in reader.pages[1].mediabox.upper_right)
    assert (round(w / 72 * 25.4), round(h / 72 * 25.4)) == (210, 297)


def test_briefing_without_plan_and_in_public_mode(qtbot, window, tmp_path):
    dlg = window.export_ui.open_briefing()
    assert not dlg.include_plan.isEnabled()
    dlg.public.setChecked(True)
    out = tmp_path / "public.pdf"
    dlg.output.setText(str(out))
    qtbot.mouseClick(dlg.write_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dlg.runner.busy, timeout=120000)
    assert "patrol plan" not in dlg.content.pages
    assert "Public release" in PdfReader(out).pages[-1].extract_text()


def test_table_csv_is_formula_safe(qtbot, window, tmp_path):
    ui = window.export_ui
    ui.fill_table_menu()
    labels = [a.text() for a in ui.table_menu.actions()]
    assert labels[:2] == ["Zone measures…", "Top hot spots…"]
    from hotspot_desktop.gui.export.tables import table_sources

    build = dict(table_sources(window))["Zone measures"]
    out = ui.save_table("Zone measures", build, tmp_path / "zones.csv")
    frame = pd.read_csv(out)
    assert frame["zone"].iloc[0].startswith("'=HYPERLINK")  # shown as text, never run by a spreadsheet
    assert frame["incidents"].iloc[0] > 300


def test_briefing_takes_a_patrol_plan_file(qtbot, window, tmp_path):
    """A plan saved as CSV (the plan file round trip) feeds the briefing; a file that is not a
    plan is refused with the reason, and the previous choice stays."""
    from hotspot_desktop.core.analysis.patrol import Shift, ZoneDemand, make_plan
    from hotspot_desktop.core.io.patrol_io import write_plan_csv

    profile = np.zeros(168)
    profile[[7, 8, 15, 16, 22]] = [5, 3, 4, 6, 2]
    plan = make_plan([ZoneDemand("Target A", profile, 2), ZoneDemand("Target B", profile[::-1].copy(), 2)],
                     [Shift("Early", 6, 14, 1), Shift("Late", 14, 22, 2)],
                     first_day=pd.Timestamp("2025-01-06"), days=3, seed=4)
    plan_csv = tmp_path / "week.csv"
    write_plan_csv(plan, plan_csv)
    not_plan = tmp_path / "other.csv"
    not_plan.write_text("a,b\n1,2\n")

    dlg = window.export_ui.open_briefing()
    assert not dlg.include_plan.isEnabled()
    assert not dlg.choose_plan_file(str(not_plan))
    assert "not a patrol plan" in dlg.plan_text.text() and not dlg.include_plan.isEnabled()
    assert dlg.choose_plan_file(str(plan_csv))
    assert dlg.include_plan.isChecked() and f"{len(plan.visits)} visits from week.csv" in dlg.plan_text.text()
    out = tmp_path / "plan.pdf"
    dlg.output.setText(str(out))
    qtbot.mouseClick(dlg.write_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dlg.runner.busy, timeout=120000)
    assert not window.errors
    pages = dlg.content.pages
    assert pages.index("patrol timeline") + 1 == pages.index("patrol plan")
    text = "\n".join(p.extract_text() for p in PdfReader(out).pages)
    assert "Patrol plan: timeline per shift" in text and "Early" in text and "Late" in text
    assert text.count("Target A") >= (plan.visits["zone"] == "Target A").sum()  # every visit listed


def test_briefing_takes_the_plan_runs_coverage_and_unplaced_tables(qtbot, window, tmp_path):
    from hotspot_desktop.gui.export.patrol_source import latest_patrol_plan
    from hotspot_desktop.gui.result_views import show_results
    from hotspot_desktop.tools.base import TableResult

    visits = pd.DataFrame({"zone": ["Control"], "day": ["2025-01-01"], "shift": ["Early"], "unit": ["Early-1"],
                           "start": ["2025-01-01 07:10"], "end": ["2025-01-01 07:22"], "minutes": [12]})
    cov = pd.DataFrame({"zone": ["Control"], "expected coverage %": [41.5], "visits": [1], "minutes": [12]})
    lost = pd.DataFrame({"zone": ["Control"], "day": ["2025-01-01"], "shift": ["Early"], "reason": ["every unit busy"]})
    old = pd.DataFrame({"zone": ["Old"], "start": ["2024-01-01 07:10"], "end": ["2024-01-01 07:22"]})
    show_results(window, [TableResult("Patrol plan: visits", old, name="visits")], [])  # an earlier run
    show_results(window, [TableResult("Patrol plan: visits", visits, name="visits"),
                          TableResult("Patrol plan: expected coverage", cov, name="coverage"),
                          TableResult("Patrol plan: visits not placed", lost, name="unplaced")], [])
    plan = latest_patrol_plan(window)
    assert list(plan.visits["zone"]) == ["Control"] and plan.coverage is not None and len(plan.unplaced) == 1
    dlg = window.export_ui.open_briefing()
    out = tmp_path / "cov.pdf"
    dlg.output.setText(str(out))
    qtbot.mouseClick(dlg.write_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dlg.runner.busy, timeout=120000)
    assert "patrol coverage" in dlg.content.pages
    text = " ".join(p.extract_text() for p in PdfReader(out).pages).replace("\n", " ")
    assert "41.5" in text and "1 × every unit busy" in text
