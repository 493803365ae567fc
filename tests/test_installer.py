"""The offline bundle builds and passes its own --smoke self-test (slow: a few minutes)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_bundle_builds_and_smoke_test_passes(tmp_path):
    if importlib.util.find_spec("PyInstaller") is None:
        pytest.skip("PyInstaller is not installed (pip install -e .[installer])")
    if os.environ.get("HOTSPOT_SKIP_BUNDLE"):
        pytest.skip("HOTSPOT_SKIP_BUNDLE is set")
    out = subprocess.run([sys.executable, str(REPO / "installer" / "build_bundle.py"), "--dist", str(tmp_path / "dist"),
                          "--work", str(tmp_path / "work")], capture_output=True, text=True, timeout=1800)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    from hotspot_desktop import __version__

    bundle = tmp_path / "dist" / f"HotspotDesktop-{__version__}"
    assert bundle.is_dir() and (bundle / "_internal" / "sample_projects" / "riverton" / "riverton.hsproj").is_file()
    assert (tmp_path / "dist" / "smoke" / "smoke.pdf").stat().st_size > 10_000
    assert "smoke test passed" in out.stdout
