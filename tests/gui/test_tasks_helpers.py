"""A minimal real main window for tools GUI tests (the full window is tested elsewhere)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from PySide6.QtWidgets import QMainWindow, QMenu
from pyproj import CRS

from hotspot_desktop.core.model import PointLayer, Project


class ToolsTestWindow(QMainWindow):
    """Implements the part of the main window that gui/tools_ui.py relies on."""

    def __init__(self, safe_mode: bool = False) -> None:
        super().__init__()
        self.project = Project(CRS.from_epsg(32616))
        self.safe_mode = safe_mode
        self.menus = {"Tools": QMenu("Tools", self)}
        self.menuBar().addMenu(self.menus["Tools"])
        self.errors: list[tuple[str, str, str]] = []
        self.statusBar()

    def add_layer(self, layer, report=None) -> None:
        self.project.layers.append(layer)
        self.project.layers.active = layer

    def show_error(self, title: str, message: str, details: str = "") -> None:
        self.errors.append((title, message, details))


def incidents(n: int = 2000, seed: int = 1) -> PointLayer:
    rng = np.random.default_rng(seed)
    x = 440_000 + rng.normal(0, 800, n)
    y = 4_640_000 + rng.normal(0, 800, n)
    t = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365 * 24, n), unit="h")
    attrs = pd.DataFrame({"time": t, "offence": pd.Categorical(rng.choice(["burglary", "theft"], n)),
                          "value": rng.random(n)})
    return PointLayer("Incidents", x, y, attrs)
