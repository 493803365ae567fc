"""Faults: a project save killed with SIGKILL loses nothing; a failing disk leaves the
in-memory work and the previous file intact; the whole workflow never touches the network."""

from __future__ import annotations

import errno
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import CRS
from shapely.geometry import Point, box

from hotspot_desktop.core.io.project_io import open_project, save_project
from hotspot_desktop.core.model import PointLayer, Project, ZoneLayer

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_projects" / "riverton" / "riverton.hsproj"


def _project(n: int = 200_000, seed: int = 0) -> Project:
    rng = np.random.default_rng(seed)
    p = Project(CRS.from_epsg(32616))
    p.layers.append(PointLayer("Incidents", rng.uniform(0, 5000, n), rng.uniform(0, 5000, n),
                               pd.DataFrame({"time": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.uniform(0, 365, n), "D")})))
    p.layers.append(ZoneLayer(gdf=gpd.GeoDataFrame({"name": [f"Z{seed}"], "role": ["target"]},
                                                   geometry=[box(0, 0, 100 + seed, 100)], crs=p.working_crs)))
    return p


@pytest.mark.slow
def test_sigkill_during_save_never_corrupts_the_project(tmp_path):
    path = tmp_path / "case.hsproj"
    save_project(_project(seed=0), path)
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(REPO)!r})
        from tests.test_faults import _project
        from hotspot_desktop.core.io.project_io import save_project
        i = 1
        while True:
            save_project(_project(seed=i), {str(path)!r})
            print(i, flush=True)
            i += 1
    """)
    rng = np.random.default_rng(1)
    for trial in range(4):
        proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
        time.sleep(1.5 + float(rng.uniform(0, 2.5)))  # lands somewhere inside a save
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        project, _reports, _warnings = open_project(path)
        zones = project.zones
        assert zones is not None and len(zones.gdf) == 1, f"trial {trial}: zones lost"
        assert len(project.point_layers()[0]) == 200_000, f"trial {trial}: incidents lost"


def test_disk_full_during_save_keeps_previous_file_and_memory(tmp_path, monkeypatch):
    path = tmp_path / "case.hsproj"
    first = _project(1000, seed=0)
    save_project(first, path)
    before = path.read_bytes()
    changed = _project(1000, seed=5)
    real_write = os.write

    def full_disk(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full_disk)
    import builtins

    real_open = builtins.open

    def failing_open(file, mode="r", *args, **kwargs):
        f = real_open(file, mode, *args, **kwargs)
        if "w" in mode and str(file).startswith(str(tmp_path)):
            class Full:
                def __init__(self, inner):
                    self._inner = inner

                def write(self, data):
                    raise OSError(errno.ENOSPC, "No space left on device")

                def __getattr__(self, name):
                    return getattr(self._inner, name)

                def __enter__(self):
                    return self

                def __exit__(self, *exc):
                    self._inner.close()

            return Full(f)
        return f

    monkeypatch.setattr(builtins, "open", failing_open)
    with pytest.raises(OSError) as info:
        save_project(changed, path)
    monkeypatch.setattr(builtins, "open", real_open)
    monkeypatch.setattr(os, "write", real_write)
    assert "space" in str(info.value).lower()
    assert path.read_bytes() == before  # the previous project is intact...
    reopened, _, _ = open_project(path)
    assert reopened.zones.gdf.iloc[0]["name"] == "Z0"
    assert changed.zones.gdf.iloc[0]["name"] == "Z5"  # ...and the in-memory work is untouched


class NetworkAttempt(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch):
    """Make every socket connection fail loudly and record the attempts."""
    attempts: list[tuple] = []

    def refuse(self, address, *args, **kwargs):
        attempts.append(address)
        raise NetworkAttempt(f"network connection attempted to {address!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", lambda address, *a, **k: refuse(None, address))
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, *a, **k: refuse(None, host))
    return attempts


def test_whole_sample_workflow_makes_no_network_connection(no_network, tmp_path, qtbot):
    """Open the sample project in the GUI, analyse in the background, draw a zone, export."""
    if not SAMPLE.is_file():
        pytest.skip("sample project not generated")
    from hotspot_desktop.core.zones.commands import AddZone
    from hotspot_desktop.export.briefing import write_briefing
    from hotspot_desktop.export.compose import export_map
    from hotspot_desktop.export.template import MapTemplate
    from hotspot_desktop.gui.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    try:
        _workflow(window, qtbot, tmp_path, AddZone, write_briefing, export_map, MapTemplate)
    finally:
        window.project.modified = False  # never leave a modal "save changes?" prompt at teardown
    assert no_network == []


def _workflow(window, qtbot, tmp_path, AddZone, write_briefing, export_map, MapTemplate) -> None:
    assert window.open_project(SAMPLE)
    qtbot.waitUntil(lambda: not window.is_busy(), timeout=60_000)
    points = sorted(window.project.point_layers(), key=len, reverse=True)[0]
    n_layers = len(window.project.layers)
    for tool_id in ("hotspot.kde", "hotspot.gi_star_grid"):
        tool = window.tools_ui.registry.get(tool_id)
        values = tool.defaults()
        values["points"] = points
        window.tools_ui.run(tool, values)
    qtbot.waitUntil(lambda: len(window.project.layers) == n_layers + 2, timeout=120_000)
    zones = window.project.ensure_zones()
    AddZone(Point(points.x.mean(), points.y.mean()).buffer(300), {"name": "Drawn", "role": "patrol"}).redo(zones)
    export_map(window.project, tmp_path / "map.pdf", MapTemplate(dpi=96))
    write_briefing(window.project, tmp_path / "brief.pdf")
    window.save_project(tmp_path / "saved.hsproj")
