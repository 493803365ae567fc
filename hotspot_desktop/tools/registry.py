"""Tool discovery over the ``hotspot_desktop.tools`` entry-point group.

Built-ins are found exactly like third-party plugins (napari builtins manifest, Orange3
``orange.widgets``): the app's own distribution declares
``builtin = "hotspot_desktop.tools.builtin:TOOLS"``. An entry point's object may be a
:class:`Tool`, an iterable of tools, or a zero-argument callable returning either. An entry
point that fails to import, or gives something that is not a tool, is listed in
:attr:`Registry.broken` with its error and never stops the app. In safe mode only the
``hotspot-desktop`` distribution's own tools are loaded.
"""

from __future__ import annotations

import importlib
import logging
import traceback
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any, Iterable

from hotspot_desktop.tools.base import Tool

GROUP = "hotspot_desktop.tools"
OWN_DISTRIBUTION = "hotspot-desktop"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BrokenTool:
    """An entry point that could not be loaded, with the reason."""

    entry_point: str  # "name = value"
    distribution: str
    error: str
    details: str = ""

    def to_dict(self) -> dict:
        return {"entry_point": self.entry_point, "distribution": self.distribution, "error": self.error}


@dataclass
class Registry:
    """Tools by id, their source distribution, and the entry points that failed."""

    tools: dict[str, Tool] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # tool id -> distribution name
    broken: list[BrokenTool] = field(default_factory=list)
    safe_mode: bool = False

    def __contains__(self, tool_id: str) -> bool:
        return tool_id in self.tools

    def __len__(self) -> int:
        return len(self.tools)

    def get(self, tool_id: str) -> Tool:
        try:
            return self.tools[tool_id]
        except KeyError:
            raise KeyError(f"no tool {tool_id!r}; run 'hotspot-desktop tools' to list them") from None

    def categories(self) -> dict[str, list[Tool]]:
        """Tools grouped by category, both sorted by name."""
        out: dict[str, list[Tool]] = {}
        for t in sorted(self.tools.values(), key=lambda t: (t.category.lower(), t.name.lower())):
            out.setdefault(t.category, []).append(t)
        return out

    def search(self, text: str) -> list[Tool]:
        """Tools whose id, name, category, help or reference contain every word of ``text``."""
        words = text.lower().split()
        return [t for t in sorted(self.tools.values(), key=lambda t: t.name.lower())
                if all(w in t.search_text() for w in words)]

    def add(self, tool: Tool, distribution: str, entry_point: str = "") -> None:
        if tool.id in self.tools:
            self.broken.append(BrokenTool(entry_point, distribution,
                                          f"duplicate tool id {tool.id!r} (already from {self.sources[tool.id]})"))
            return
        self.tools[tool.id] = tool
        self.sources[tool.id] = distribution


def _dist_name(ep: Any) -> str:
    if isinstance(ep, _BuiltinEntryPoint):
        return OWN_DISTRIBUTION
    dist = getattr(ep, "dist", None)
    return dist.metadata["Name"] if dist is not None else ""


def _normalise(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def _tools_of(obj: Any) -> list[Tool]:
    if callable(obj) and not isinstance(obj, Tool):
        obj = obj()
    if isinstance(obj, Tool):
        return [obj]
    items = list(obj)
    bad = [type(i).__name__ for i in items if not isinstance(i, Tool)]
    if bad:
        raise TypeError(f"entry point gave non-tool objects: {', '.join(bad)}")
    return items


BUILTIN_VALUE = "hotspot_desktop.tools.builtin:TOOLS"


class _BuiltinEntryPoint:
    """Stands in for the app's own entry point when its metadata is missing (a frozen bundle
    built without ``copy_metadata``), so the built-in tools never silently disappear."""

    name = "builtin"
    value = BUILTIN_VALUE
    dist = None

    def load(self) -> Any:
        module, _, attr = self.value.partition(":")
        return getattr(importlib.import_module(module), attr)


def with_builtin_fallback(eps: list[Any]) -> list[Any]:
    """``eps`` plus the built-in entry point if no entry point of the app's own distribution is there."""
    if any(_normalise(_dist_name(ep)) == OWN_DISTRIBUTION or ep.value == BUILTIN_VALUE for ep in eps):
        return eps
    return [_BuiltinEntryPoint(), *eps]


def load_registry(safe_mode: bool = False, entry_points: Iterable[Any] | None = None) -> Registry:
    """Discover tools. ``entry_points`` overrides discovery (objects with name/value/load/dist)."""
    reg = Registry(safe_mode=safe_mode)
    eps = (with_builtin_fallback(list(metadata.entry_points(group=GROUP))) if entry_points is None
           else list(entry_points))
    # Own distribution first so a plugin cannot shadow a built-in id.
    eps.sort(key=lambda ep: _normalise(_dist_name(ep)) != OWN_DISTRIBUTION)
    for ep in eps:
        dist = _dist_name(ep)
        label = f"{ep.name} = {ep.value}"
        if safe_mode and _normalise(dist) != OWN_DISTRIBUTION:
            continue
        try:
            tools = _tools_of(ep.load())
        except Exception as exc:  # a plugin's bug must not stop the app
            log.warning("tool entry point %s (%s) failed: %s", label, dist, exc)
            reg.broken.append(BrokenTool(label, dist, f"{type(exc).__name__}: {exc}", traceback.format_exc()))
            continue
        for tool in tools:
            reg.add(tool, dist, label)
    return reg


_DEFAULT: dict[bool, Registry] = {}


def default_registry(safe_mode: bool = False, reload: bool = False) -> Registry:
    """The process-wide registry (cached per safe-mode flag)."""
    if reload or safe_mode not in _DEFAULT:
        _DEFAULT[safe_mode] = load_registry(safe_mode)
    return _DEFAULT[safe_mode]
