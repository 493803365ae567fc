"""Wires tools into the main window: toolbox dock, Tools menu, dialogs, task runner, results.

The main window calls :func:`install` once at the end of its construction.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt

from hotspot_desktop.gui.toolbox import ToolboxDock
from hotspot_desktop.tools.registry import Registry, load_registry


class ToolsUI(QObject):
    """Per-window controller owning the registry, the toolbox and the task runner."""

    def __init__(self, window: Any, registry: Registry) -> None:
        super().__init__(window)
        self.window = window
        self.registry = registry
        self.toolbox = ToolboxDock(registry, window)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.toolbox)
        self.toolbox.tool_activated.connect(self.open_tool)
        menu = getattr(window, "menus", {}).get("Tools")
        if menu is not None:
            menu.addAction(self.toolbox.toggleViewAction())

    def open_tool(self, tool_id: str) -> None:
        """Open the parameter dialog of ``tool_id``."""
        self.window.statusBar().showMessage(f"{self.registry.get(tool_id).name}", 3000)


def install(window: Any, registry: Registry | None = None) -> ToolsUI:
    """Add the tools UI to ``window`` (idempotent); returns the controller."""
    existing = getattr(window, "tools_ui", None)
    if isinstance(existing, ToolsUI):
        return existing
    reg = registry or load_registry(safe_mode=bool(getattr(window, "safe_mode", False)))
    ui = ToolsUI(window, reg)
    window.tools_ui = ui
    return ui
