"""Which layer is "the incidents" in the GUI, driven like a user: File ▸ Add layer of AVL pings
loads a patrol log (squares, never the incidents, the dosage tool's default pings); the
briefing and equity dialogs show the incidents they use and let the analyst change them; an
undated point layer active does not break Write PDF; Public release leaves the patrol plan out;
importing a file that is already a layer asks first."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QMessageBox

from hotspot_desktop.core.analysis.patrol import Shift, ZoneDemand, make_plan
from hotspot_desktop.core.io.patrol_io import write_plan_csv
from hotspot_desktop.gui.export.briefing_dialog import PLAN_PUBLIC_TIP
from hotspot_desktop.sample.project import build_sample_project
from tests.gui.test_main_window import make_window

pytestmark = pytest.mark.gui
TIMEOUT = 120000


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    return build_sample_project(tmp_path_factory.mktemp("gui_sample"), n_incidents=2000, seed=9, years=1)


@pytest.fixture
def window(qtbot, tmp_path, sample):
    w = make_window(qtbot, tmp_path, None, record_errors=True)
    assert w.open_project(sample)
    return w


def _incident_coords(window) -> tuple[np.ndarray, np.ndarray]:
    from pyproj import Transformer

    inc = window.project.incident_layer()
    lon, lat = Transformer.from_crs(window.project.working_crs, 4326, always_xy=True).transform(inc.x, inc.y)
    return np.round(lat, 6), np.round(lon, 6)


def _avl_csv(window, path: Path, n: int = 400) -> Path:
    lat, lon = _incident_coords(window)
    pick = np.random.default_rng(2).integers(0, len(lat), n)
    times = pd.Timestamp("2033-02-01 06:00") + pd.to_timedelta(np.arange(n), unit="min")
    pd.DataFrame({"unit": [f"C{i % 2 + 1}" for i in range(n)], "time": times.strftime("%Y-%m-%d %H:%M:%S"),
                  "latitude": lat[pick], "longitude": lon[pick]}).to_csv(path, index=False)
    return path


def _land_use_csv(window, path: Path, n: int = 50) -> Path:
    lat, lon = _incident_coords(window)
    pd.DataFrame({"name": [f"site {i}" for i in range(n)], "kind": ["school"] * n,
                  "latitude": lat[:n], "longitude": lon[:n]}).to_csv(path, index=False)
    return path


def _add(qtbot, window, path: Path):
    n = len(window.project.layers)
    window.add_files([path])
    qtbot.waitUntil(lambda: len(window.project.layers) == n + 1 and not window.is_busy(), timeout=30000)
    return window.project.layers[len(window.project.layers) - 1]


def _write(qtbot, bd, out: Path) -> None:
    bd.output.setText(str(out))
    qtbot.mouseClick(bd.write_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not bd.runner.busy, timeout=TIMEOUT)


def test_avl_layer_is_a_patrol_log_and_the_briefing_stays_on_the_incidents(qtbot, window, tmp_path):
    incidents = window.project.incident_layer()
    span = incidents.time_span()
    avl = _add(qtbot, window, _avl_csv(window, tmp_path / "avl.csv"))
    assert avl.role == "patrol_log" and avl.style.symbol.marker == "s"
    assert window.project.layers.active is avl and window.project.incident_layer() is incidents

    # the dosage tool starts on the pings, other tools on the incidents
    dialog = window.tools_ui.open_tool("patrol.dosage")
    assert dialog.editors["pings"].currentData() == avl.id
    dialog.close()
    dialog = window.tools_ui.open_tool("hotspot.kde")
    point_box = next(w for name, w in dialog.editors.items() if hasattr(w, "currentData")
                     and window.project.layers.by_id(w.currentData()) is not None
                     and window.project.layers.by_id(w.currentData()).geometry_kind == "point")
    assert point_box.currentData() == incidents.id
    dialog.close()

    bd = window.export_ui.open_briefing()
    names = [bd.incidents.itemText(i) for i in range(bd.incidents.count())]
    assert bd.incidents.currentData() == incidents.id and avl.name not in names
    assert all(window.project.layers.by_id(bd.incidents.itemData(i)).role == "incidents"
               for i in range(bd.incidents.count()))
    _write(qtbot, bd, tmp_path / "b.pdf")
    assert not window.errors, window.errors
    assert bd.content.period[1] == pd.Timestamp(span[1])  # the incidents' period, not the pings' (2033)

    # an undated point layer ("Land use") active: Write PDF still works, on the incidents
    land = _add(qtbot, window, _land_use_csv(window, tmp_path / "land_use.csv"))
    assert land.role == "incidents" and window.project.layers.active is land
    bd.close()
    bd = window.export_ui.open_briefing()
    assert bd.incidents.currentData() == incidents.id
    _write(qtbot, bd, tmp_path / "c.pdf")
    assert not window.errors, window.errors
    assert bd.content is not None and bd.content.period[1] == pd.Timestamp(span[1])

    # the equity dialog shows (and lets the analyst change) the incidents of its preview
    from hotspot_desktop.gui.equity_dialog import EquityDialog

    ed = EquityDialog(window.project, window)
    assert ed.incidents.currentData() == incidents.id
    assert avl.name not in [ed.incidents.itemText(i) for i in range(ed.incidents.count())]
    ed.close()


def test_import_dialog_preselects_patrol_log_for_avl(qtbot, window, tmp_path, monkeypatch):
    path = _avl_csv(window, tmp_path / "pings.csv")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    window.named_actions["import_csv"].trigger()
    dialog = window.last_import_dialog
    qtbot.waitExposed(dialog)
    assert dialog.layer_role() == "patrol_log" and "Import patrol log" in dialog.windowTitle()
    n = len(window.project.layers)
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(window.project.layers) == n + 1 and not window.is_busy(), timeout=30000)
    layer = window.project.layers[len(window.project.layers) - 1]
    qtbot.waitUntil(lambda: layer.role == "patrol_log", timeout=5000)
    assert layer.style.symbol.marker == "s"


def test_public_release_leaves_the_patrol_plan_out(qtbot, window, tmp_path):
    names = [str(n) for n in window.project.zones.gdf["name"]][:2]
    rng = np.random.default_rng(4)
    plan = make_plan([ZoneDemand(n, rng.random(168), visits_per_shift=2) for n in names],
                     [Shift("Early", 6, 14, 1)], first_day=pd.Timestamp("2025-03-03"), days=7, seed=1)
    write_plan_csv(plan, tmp_path / "week.csv")
    bd = window.export_ui.open_briefing()
    assert bd.choose_plan_file(str(tmp_path / "week.csv"))
    assert bd.include_plan.isEnabled() and bd.include_plan.isChecked()
    bd.public.setChecked(True)
    assert not bd.include_plan.isChecked() and not bd.include_plan.isEnabled()
    assert bd.include_plan.toolTip() == PLAN_PUBLIC_TIP
    _write(qtbot, bd, tmp_path / "public.pdf")
    assert not window.errors, window.errors
    assert "patrol plan" not in bd.content.pages
    bd.public.setChecked(False)  # back to internal use: the analyst's tick comes back
    assert bd.include_plan.isEnabled() and bd.include_plan.isChecked()


def test_importing_a_file_already_in_the_project_asks_first(qtbot, window, sample, monkeypatch):
    csv = sample.parent / "data" / "service_requests.csv"
    existing = window.project.community_layers()
    assert [Path(c.source.path).resolve() for c in existing] == [csv.resolve()]
    asked = []

    def answer(choice):
        def question(*args, **kwargs):
            asked.append(args[2])
            return choice
        return question

    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(csv), ""))
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.No))
    n = len(window.project.layers)
    window.last_import_dialog = None
    window.named_actions["import_community_csv"].trigger()
    assert asked and "already in the project" in asked[0] and "'Service requests'" in asked[0]
    assert window.last_import_dialog is None and len(window.project.layers) == n and not window.is_busy()

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Yes))
    window.named_actions["import_community_csv"].trigger()
    dialog = window.last_import_dialog
    qtbot.waitExposed(dialog)
    assert dialog.layer_role() == "community"
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(window.project.layers) == n + 1 and not window.is_busy(), timeout=30000)
    assert len(asked) == 2

    # a scripted (non-interactive) run adds it without asking, as before
    window.interactive = False
    window.add_files([csv])
    qtbot.waitUntil(lambda: len(window.project.layers) == n + 2 and not window.is_busy(), timeout=30000)
    assert len(asked) == 2
