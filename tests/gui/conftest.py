"""Fixtures shared by the GUI tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def zwin(qtbot, tmp_path, monkeypatch):
    """A main window showing the zone tests' 1 km square of incidents (tests/gui/test_zones_support.py)."""
    from tests.gui.test_zones_support import make_zone_window

    return make_zone_window(qtbot, tmp_path, monkeypatch)
