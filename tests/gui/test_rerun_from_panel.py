"""A result layer's context menu re-opens its tool pre-filled: one click to re-run."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pyproj import CRS

from hotspot_desktop.core.model import PointLayer, Project


def test_rerun_from_layer_context_menu(qtbot):
    from hotspot_desktop.gui.main_window import MainWindow
    from hotspot_desktop.tools.execute import run_now

    rng = np.random.default_rng(0)
    project = Project(CRS.from_epsg(32616))
    pts = PointLayer("Incidents", rng.normal(0, 300, 500), rng.normal(0, 300, 500), pd.DataFrame(index=range(500)))
    project.layers.append(pts)
    window = MainWindow(project=project)
    qtbot.addWidget(window)
    tool = window.tools_ui.registry.get("hotspot.kde")
    done = run_now(tool, tool.defaults() | {"points": pts, "bandwidth_rule": "fixed", "bandwidth": 150.0})
    result = done.result.layers[0]
    window.add_layer(result)
    panel = window.layer_panel
    row = next(r for r in range(panel.model.rowCount()) if panel.model.layer_at(r) is result)
    menu = panel.context_menu(panel.model.index(row, 0))
    action = next(a for a in menu.actions() if a.objectName() == "rerunAction")
    action.trigger()
    from hotspot_desktop.gui.tool_dialog import ToolDialog

    dialogs = window.findChildren(ToolDialog)
    assert dialogs, "the tool dialog did not open"
    assert dialogs[-1].tool.id == "hotspot.kde"
    assert float(dialogs[-1].values()["bandwidth"]) == 150.0
    # a plain data layer offers no re-run
    row_pts = next(r for r in range(panel.model.rowCount()) if panel.model.layer_at(r) is pts)
    assert not [a for a in panel.context_menu(panel.model.index(row_pts, 0)).actions() if a.objectName() == "rerunAction"]
    window.project.modified = False
