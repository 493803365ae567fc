"""The toolbox dock: tools in a tree by category, filtered by a search box."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDockWidget, QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from hotspot_desktop.tools.registry import Registry

TOOL_ID_ROLE = Qt.ItemDataRole.UserRole
BROKEN_CATEGORY = "Broken plugins"


class ToolboxDock(QDockWidget):
    """Searchable tree of the registry's tools; double-click or Enter emits ``tool_activated``."""

    tool_activated = Signal(str)

    def __init__(self, registry: Registry, parent: QWidget | None = None) -> None:
        super().__init__("Toolbox", parent)
        self.setObjectName("ToolboxDock")
        self.registry = registry
        body = QWidget(self)
        lay = QVBoxLayout(body)
        lay.setContentsMargins(4, 4, 4, 4)
        self.search = QLineEdit(body)
        self.search.setPlaceholderText("Search tools…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)
        self.search.returnPressed.connect(self._activate_first_visible)
        self.tree = QTreeWidget(body)
        self.tree.setHeaderHidden(True)
        self.tree.itemActivated.connect(self._on_item)
        self.tree.itemDoubleClicked.connect(self._on_item)
        lay.addWidget(self.search)
        lay.addWidget(self.tree)
        self.setWidget(body)
        self.populate()

    def populate(self) -> None:
        """Rebuild the tree from the registry."""
        self.tree.clear()
        for category, tools in self.registry.categories().items():
            top = QTreeWidgetItem([category])
            top.setFlags(Qt.ItemFlag.ItemIsEnabled)
            for tool in tools:
                item = QTreeWidgetItem([tool.name])
                item.setData(0, TOOL_ID_ROLE, tool.id)
                tip = tool.help + (f"\n\n{tool.reference}" if tool.reference else "")
                item.setToolTip(0, f"{tool.id} v{tool.version}\n{tip}")
                top.addChild(item)
            self.tree.addTopLevelItem(top)
        if self.registry.broken:
            top = QTreeWidgetItem([BROKEN_CATEGORY])
            for b in self.registry.broken:
                item = QTreeWidgetItem([b.entry_point.split(" = ")[0]])
                item.setToolTip(0, f"{b.distribution}: {b.error}")
                item.setFlags(Qt.ItemFlag.NoItemFlags)
                top.addChild(item)
            self.tree.addTopLevelItem(top)
        self.tree.expandAll()
        self._filter(self.search.text())

    def visible_tool_ids(self) -> list[str]:
        """Ids of the tools currently shown (after search filtering)."""
        out = []
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            for j in range(top.childCount()):
                item = top.child(j)
                tid = item.data(0, TOOL_ID_ROLE)
                if tid and not item.isHidden():
                    out.append(tid)
        return out

    def _filter(self, text: str) -> None:
        words = text.lower().split()
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            shown = 0
            for j in range(top.childCount()):
                item = top.child(j)
                tid = item.data(0, TOOL_ID_ROLE)
                hay = self.registry.tools[tid].search_text() if tid in self.registry.tools else item.text(0).lower()
                hide = not all(w in hay for w in words)
                item.setHidden(hide)
                shown += not hide
            top.setHidden(shown == 0)

    def _activate_first_visible(self) -> None:
        ids = self.visible_tool_ids()
        if ids:
            self.tool_activated.emit(ids[0])

    def _on_item(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        tid = item.data(0, TOOL_ID_ROLE)
        if tid:
            self.tool_activated.emit(tid)
