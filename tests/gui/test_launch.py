"""``hotspot-desktop`` as a process: --screenshot writes a real picture, --version, --help."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.gui.test_main_window import write_csv

pytestmark = pytest.mark.gui
REPO = Path(__file__).resolve().parents[2]


def run_cli(args: list[str], tmp_path: Path, timeout: int = 240) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_DATA_HOME=str(tmp_path / "data"), PYTHONPATH=str(REPO))
    code = "import sys; from hotspot_desktop.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run([sys.executable, "-c", code, *args], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=timeout)


def test_screenshot_writes_a_non_blank_png(tmp_path):
    from PySide6.QtGui import QImage

    csv = write_csv(tmp_path)
    out = tmp_path / "shot.png"
    result = run_cli([str(csv), "--screenshot", str(out), "--safe-mode"], tmp_path)
    assert result.returncode == 0, result.stderr
    image = QImage(str(out))
    assert not image.isNull() and image.width() > 400 and image.height() > 300
    # Non-blank: many distinct colours (menus, panel text, the map's points), not one flat fill.
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
    assert len(colours) > 20


def test_version_and_help(tmp_path):
    from hotspot_desktop import __version__

    result = run_cli(["--version"], tmp_path, timeout=60)
    assert result.returncode == 0 and result.stdout.strip() == f"hotspot-desktop {__version__}"
    result = run_cli(["--help"], tmp_path, timeout=60)
    assert result.returncode == 0
    for word in ("--screenshot", "--safe-mode", "inspect", "tools", "run", "export"):
        assert word in result.stdout


def test_screenshot_never_waits_for_answers(tmp_path):
    """A project whose source is gone and a CSV without a CRS: reported on stderr, no dialog."""
    from tests.gui.test_import_dialog import GRID_CSV

    grid = write_csv(tmp_path, "grid.csv", GRID_CSV)
    out = tmp_path / "shot.png"
    result = run_cli([str(grid), str(tmp_path / "missing.geojson"), "--screenshot", str(out)], tmp_path)
    assert result.returncode == 0, result.stderr
    assert out.exists()
    assert "missing.geojson does not exist" in result.stderr
