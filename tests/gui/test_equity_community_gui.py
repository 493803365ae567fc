"""Equity layer and community input in the GUI, driven like a user: Tools ▸ Patrol ▸ Equity
layer…, the briefing it feeds (figures checked against an independent overlay), File ▸ Import
community input (CSV)…, the zones dock's community columns and the briefing's zone table."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog

from hotspot_desktop.sample.project import build_sample_project
from tests.core.test_equity_layer import (
    GROUPS,
    area_shares,
    independent_areas,
    overlay_shares,
    pct,
)
from tests.gui.test_main_window import make_window

pytestmark = pytest.mark.gui
TIMEOUT = 120000


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    # without the community layer: the test imports the requests CSV itself
    return build_sample_project(tmp_path_factory.mktemp("gui_sample"), n_incidents=3000, seed=5, years=1,
                                with_community=False)


@pytest.fixture
def window(qtbot, tmp_path, sample):
    w = make_window(qtbot, tmp_path, None, record_errors=True)
    assert w.open_project(sample)
    return w


def _toggle(qtbot, list_widget, text: str) -> None:
    """Tick or untick a field in the group list with the keyboard, as a user would."""
    row = next(i for i in range(list_widget.count()) if list_widget.item(i).text() == text)
    list_widget.setFocus()
    list_widget.setCurrentRow(row)
    QTest.keyClick(list_widget, Qt.Key.Key_Space)


def test_equity_layer_from_the_patrol_menu_feeds_the_briefing(qtbot, window, tmp_path):
    action = window.named_actions["equity_layer"]
    patrol = next(a.menu() for a in window.menus["Tools"].actions() if a.menu() is not None
                  and a.menu().title().replace("&", "") == "Patrol")
    assert action in patrol.actions()
    action.trigger()
    dlg = window.last_equity_dialog
    qtbot.waitExposed(dlg)
    assert dlg.population.currentText() == "Census block groups (population)"
    # pop_* fields other than the total are ticked for the user; untick pop_other, keep four groups
    assert dlg.checked_groups() == GROUPS
    _toggle(qtbot, dlg.groups, "pop_other")
    groups = GROUPS[:4]
    qtbot.waitUntil(lambda: dlg.checked_groups() == groups and dlg.report is not None
                    and list(dlg.report.table["group"]) == groups, timeout=5000)
    # the ring: type 0 so only the drawn catchments count
    dlg.ring.selectAll()
    qtbot.keyClicks(dlg.ring, "0")
    QTest.keyClick(dlg.ring, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: dlg.report is not None and dlg.report.areas.catchment_m == 0, timeout=5000)
    rows = dlg.preview_rows()
    assert rows[0][:5] == ["group", "% of population", "% of incidents", "% in zones", "ratio"]
    census = window.project.layers.by_id("census").gdf
    z, both = independent_areas(window.project.zones.gdf, ring_m=0.0)
    zone_shares = overlay_shares(census, groups, z)
    assert [r[3] for r in rows[1:]] == [pct(v) for v in zone_shares]
    qtbot.mouseClick(dlg.ok_button, Qt.MouseButton.LeftButton)
    setting = window.project.equity
    assert setting is not None and setting.groups == tuple(groups) and setting.catchment_m == 0
    assert window.project.modified and window.isWindowModified()

    bd = window.export_ui.open_briefing()
    assert bd.include_equity.isEnabled() and bd.include_equity.isChecked()
    assert "Census block groups (population): 4 groups" in bd.equity_text.text()
    out = tmp_path / "brief.pdf"
    bd.output.setText(str(out))
    qtbot.mouseClick(bd.write_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not bd.runner.busy, timeout=TIMEOUT)
    assert not window.errors and bd.content.pages[-1] == "equity check"
    last = PdfReader(out).pages[-1].extract_text().replace("\n", " ")
    whole = area_shares(census, groups)
    both_shares = overlay_shares(census, groups, both)
    for g, a, zs, bs in zip(groups, whole, zone_shares, both_shares):
        row = last[last.index(g):][:160]
        for figure in (pct(a), pct(zs), f"{zs / a:.2f}", pct(bs)):
            assert figure in row, (g, figure, row)
    # unticked in the briefing dialog: no equity page
    bd.include_equity.setChecked(False)
    qtbot.mouseClick(bd.write_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not bd.runner.busy, timeout=TIMEOUT)
    assert "equity check" not in bd.content.pages


def test_equity_dialog_from_the_briefing_dialog_and_remove(qtbot, window):
    bd = window.export_ui.open_briefing()
    assert not bd.include_equity.isEnabled() and "No equity layer set" in bd.equity_text.text()
    qtbot.mouseClick(bd.equity_button, Qt.MouseButton.LeftButton)
    dlg = bd.equity_dialog
    qtbot.waitExposed(dlg)
    qtbot.waitUntil(lambda: dlg.ok_button.isEnabled(), timeout=5000)
    qtbot.mouseClick(dlg.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bd.include_equity.isEnabled(), timeout=5000)
    assert window.project.equity.groups == tuple(GROUPS) and window.project.equity.catchment_m == 250
    assert "820 ft ring" in bd.equity_text.text()  # the sample project shows feet
    # nothing ticked: the dialog says so and will not set it
    qtbot.mouseClick(bd.equity_button, Qt.MouseButton.LeftButton)
    dlg = bd.equity_dialog
    for g in GROUPS:
        _toggle(qtbot, dlg.groups, g)
    qtbot.waitUntil(lambda: not dlg.ok_button.isEnabled(), timeout=5000)
    assert "Tick at least one population group" in dlg.message.text()
    qtbot.mouseClick(dlg.clear_button, Qt.MouseButton.LeftButton)
    assert window.project.equity is None
    qtbot.waitUntil(lambda: not bd.include_equity.isEnabled(), timeout=5000)


def test_import_community_input_counts_in_zones_and_briefing(qtbot, window, sample, tmp_path, monkeypatch):
    csv = sample.parent / "data" / "service_requests.csv"
    incidents = window.project.incident_layer()
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(csv), ""))
    window.named_actions["import_community_csv"].trigger()
    dialog = window.last_import_dialog
    qtbot.waitExposed(dialog)
    assert dialog.layer_role() == "community" and dialog.offence_label.text() == "Category"
    assert "Import community input" in dialog.windowTitle() and dialog.offence.currentText() == "category"
    n = len(window.project.layers)
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(window.project.layers) == n + 1 and not window.is_busy(), timeout=30000)
    layer = window.project.layers[len(window.project.layers) - 1]
    qtbot.waitUntil(lambda: layer.role == "community", timeout=5000)
    assert layer.style.symbol.marker == "t"
    assert window.project.incident_layer() is incidents  # even though the new layer is the active one
    assert window.project.layers.active is layer

    dock = window.zones_ui.dock
    dock.show()
    zids = dock.zone_ids()
    qtbot.waitUntil(lambda: "community" in dock.measures.columns and set(zids) <= set(dock.measures.index),
                    timeout=30000)
    base = 8  # attribute columns
    headers = [dock.table.horizontalHeaderItem(c).text() for c in range(dock.table.columnCount())]
    col = headers.index("service_requests")
    assert not dock.table.isColumnHidden(col) and headers[col + 1] == "service_requests /km²"
    gdf = window.project.zones.gdf
    for r, (zid, geom) in enumerate(zip(zids, gdf.geometry)):
        expected = int(shapely.intersects_xy(geom, layer.x, layer.y).sum())
        assert dock.table.item(r, col).text() == f"{expected:,}"
        inc = int(shapely.intersects_xy(geom, *incidents.filtered_xy()).sum())
        assert dock.table.item(r, base).text() == f"{inc:,}"  # incidents unchanged beside it
    assert int(np.sum(dock.measures["community"])) > 0

    bd = window.export_ui.open_briefing()
    out = tmp_path / "community.pdf"
    bd.output.setText(str(out))
    qtbot.mouseClick(bd.write_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not bd.runner.busy, timeout=TIMEOUT)
    assert not window.errors and "community input" in bd.content.pages
    texts = [p.extract_text() for p in PdfReader(out).pages]
    page = next(t for t in texts if "Zones: incidents and community input" in t)
    assert "service_requests" in page and "Streetlight out" in page

    # saved and reopened: the role stays, the column comes back
    path = tmp_path / "with_requests.hsproj"
    monkeypatch.setattr(window, "_confirm_outside", lambda paths: True)  # the data stay in the sample folder
    assert window.save_project(path)
    assert window.open_project(path)
    assert [lyr.name for lyr in window.project.community_layers()] == ["service_requests"]
    dock.refresh_now()
    qtbot.waitUntil(lambda: "community" in dock.measures.columns, timeout=30000)
