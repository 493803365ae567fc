"""Shared set-up of the zone GUI tests: a main window with a point layer in a metric CRS and
real mouse/key events at map positions (map → scene → viewport pixels)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pyproj import CRS
from PySide6.QtCore import QPoint, QPointF, QSettings, QStandardPaths, Qt
from PySide6.QtTest import QTest

from hotspot_desktop.core.model import PointLayer

UTM = CRS.from_epsg(32616)
X0, Y0 = 440_000.0, 4_630_000.0  # south-west corner of the 1 km test square
EXTENT = (X0, Y0, X0 + 1000.0, Y0 + 1000.0)
LEFT = Qt.MouseButton.LeftButton
NOMOD = Qt.KeyboardModifier.NoModifier


def incidents() -> PointLayer:
    """A 20 x 20 grid of incidents 50 m apart (centres at 25, 75, ... m) plus a cluster."""
    g = np.arange(25.0, 1000.0, 50.0)
    gx, gy = np.meshgrid(g, g)
    rng = np.random.default_rng(7)
    cx, cy = 300 + rng.uniform(-40, 40, 200), 700 + rng.uniform(-40, 40, 200)
    x = np.concatenate([gx.ravel(), cx]) + X0
    y = np.concatenate([gy.ravel(), cy]) + Y0
    times = pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(x.size) % 300, unit="D")
    offence = np.where(np.arange(x.size) % 3 == 0, "Burglary", "Theft")
    return PointLayer("incidents", x, y, pd.DataFrame({"time": times, "offence": pd.Categorical(offence)}))


def make_zone_window(qtbot, tmp_path, monkeypatch, with_points: bool = True):
    """A MainWindow (zones installed by the window itself) showing the 1 km square."""
    monkeypatch.setenv("HOTSPOT_RECOVERY_DIR", str(tmp_path / "recovery"))
    QStandardPaths.setTestModeEnabled(True)
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    from hotspot_desktop.gui.app import create_app
    from hotspot_desktop.gui.main_window import MainWindow

    create_app([])
    window = MainWindow()
    qtbot.addWidget(window, before_close_func=lambda w: setattr(w.project, "modified", False))
    window.resize(1200, 800)
    window.show()
    qtbot.waitExposed(window)
    window.project.working_crs = UTM
    if with_points:
        window.add_layer(incidents())
    window.canvas.zoom_to_extent(EXTENT, pad=0.05)
    window.canvas.flush()
    return window


def pixel(window, x: float, y: float) -> QPoint:
    """Viewport pixel of map position (X0 + x, Y0 + y)."""
    canvas = window.canvas
    scene = canvas.view_box.mapViewToScene(QPointF(X0 + x, Y0 + y))
    return canvas.graphics_view.mapFromScene(scene)


def viewport(window):
    return window.canvas.graphics_view.viewport()


def click(window, x: float, y: float, button=LEFT) -> None:
    QTest.mouseClick(viewport(window), button, NOMOD, pixel(window, x, y))


def dclick(window, x: float, y: float) -> None:
    QTest.mouseDClick(viewport(window), LEFT, NOMOD, pixel(window, x, y))


def move(window, x: float, y: float) -> None:
    QTest.mouseMove(viewport(window), pixel(window, x, y))


def drag(window, path: list[tuple[float, float]]) -> None:
    """Press at the first point, move through the others, release at the last."""
    vp = viewport(window)
    QTest.mousePress(vp, LEFT, NOMOD, pixel(window, *path[0]))
    for p in path[1:]:
        QTest.mouseMove(vp, pixel(window, *p))
    QTest.mouseRelease(vp, LEFT, NOMOD, pixel(window, *path[-1]))


def key(window, k, modifier=NOMOD) -> None:
    QTest.keyClick(window.canvas.graphics_view, k, modifier)


def mpp(window) -> float:
    xmin, _, xmax, _ = window.canvas.current_extent()
    return (xmax - xmin) / window.canvas.view_box.width()


def zones_gdf(window):
    z = window.project.zones
    return None if z is None else z.gdf


def local(geom):
    """A zone geometry moved to the test square's local coordinates (metres from X0, Y0)."""
    import shapely

    return shapely.transform(geom, lambda c: c - np.array([X0, Y0]))
