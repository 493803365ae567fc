"""Tool discovery through the entry-point group, broken plugins and safe mode."""

from __future__ import annotations

from importlib import metadata

from hotspot_desktop.tools.base import Tool
from hotspot_desktop.tools.registry import GROUP, load_registry


class _Dist:
    def __init__(self, name: str) -> None:
        self.metadata = {"Name": name}


class _EP:
    """An entry point as importlib.metadata gives it (name, value, dist, load)."""

    def __init__(self, name: str, value: str, dist: str, loader) -> None:
        self.name, self.value, self.dist, self._loader = name, value, _Dist(dist), loader

    def load(self):
        return self._loader()


def _boom():
    raise ImportError("No module named 'missing_dependency'")


def test_builtins_are_found_through_the_entry_point_group():
    eps = [ep for ep in metadata.entry_points(group=GROUP) if ep.name == "builtin"]
    assert eps and eps[0].value == "hotspot_desktop.tools.builtin:TOOLS"
    reg = load_registry()
    for tid in ("hotspot.kde", "hotspot.grid_counts", "hotspot.gi_star_grid", "vector.count_in_polygons"):
        assert tid in reg and reg.sources[tid] == "hotspot-desktop"
    assert not reg.broken


def test_declarations_do_not_import_their_implementations():
    import subprocess
    import sys

    code = ("import sys; from hotspot_desktop.tools.registry import load_registry; load_registry(); "
            "print('hotspot_desktop.core.analysis.kde' in sys.modules, "
            "'hotspot_desktop.tools.builtin.hotspots' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_example_plugin_found_and_absent_in_safe_mode():
    reg = load_registry()
    assert "example.buffer_count" in reg and reg.sources["example.buffer_count"] == "hotspot-example-plugin"
    assert "example.buffer_count" not in load_registry(safe_mode=True)
    assert "hotspot.kde" in load_registry(safe_mode=True)


def test_broken_entry_point_is_listed_not_fatal():
    good = Tool("third.ok", "OK", "Third", "1", "fine", "m:f")
    eps = [_EP("broken", "third_broken:TOOLS", "third-broken", _boom),
           _EP("notatool", "third_bad:TOOLS", "third-bad", lambda: [object()]),
           _EP("good", "third_ok:TOOLS", "third-ok", lambda: [good]),
           _EP("dupe", "third_dupe:TOOLS", "third-dupe", lambda: good)]
    reg = load_registry(entry_points=eps)
    assert list(reg.tools) == ["third.ok"]
    errors = {b.distribution: b.error for b in reg.broken}
    assert "missing_dependency" in errors["third-broken"]
    assert "non-tool" in errors["third-bad"]
    assert "duplicate tool id" in errors["third-dupe"]
    assert "Traceback" in reg.broken[0].details
    assert load_registry(safe_mode=True, entry_points=eps).broken == []


def test_search_and_categories():
    reg = load_registry()
    assert [t.id for t in reg.search("(gi*) grid")] == ["hotspot.gi_star_grid"]
    assert "hotspot.kde" in [t.id for t in reg.search("silverman")]
    cats = reg.categories()
    assert "Hot spots" in cats and all(isinstance(t, Tool) for ts in cats.values() for t in ts)


def test_builtins_survive_missing_metadata():
    from hotspot_desktop.tools.registry import with_builtin_fallback

    plugin_only = [_EP("good", "third_ok:TOOLS", "third-ok", lambda: [Tool("third.ok", "OK", "T", "1", "h", "m:f")])]
    eps = with_builtin_fallback(plugin_only)
    reg = load_registry(entry_points=eps)
    assert "hotspot.kde" in reg and reg.sources["hotspot.kde"] == "hotspot-desktop" and "third.ok" in reg
    assert "hotspot.kde" in load_registry(safe_mode=True, entry_points=eps)
    real = list(metadata.entry_points(group=GROUP))
    assert with_builtin_fallback(real) == real
