"""Identify results: the features under a map click, one tree branch per feature."""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtWidgets import QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from hotspot_desktop.gui.attribute_table import _text


class IdentifyResults(QWidget):
    """Shows ``canvas.features_identified`` results: a list of (layer, row, attributes)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("identifyResults")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.summary = QLabel("Click the map with the Identify tool.")
        self.summary.setObjectName("identifySummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.tree = QTreeWidget()
        self.tree.setObjectName("identifyTree")
        self.tree.setHeaderLabels(["Feature / field", "Value"])
        self.tree.itemDoubleClicked.connect(self._select_feature)
        self.tree.setToolTip("Double-click a feature to select it on the map")
        layout.addWidget(self.tree, 1)
        self._results: list[tuple[Any, int, dict]] = []

    def set_results(self, results: list[tuple[Any, int, dict]]) -> None:
        """Replace the shown results; a single feature is expanded, several are listed."""
        self.tree.clear()
        self._results = list(results)
        if not results:
            self.summary.setText("Nothing here.")
            return
        self.summary.setText(f"{len(results)} feature{'s' if len(results) != 1 else ''} found")
        for layer, row, attrs in results:
            name = getattr(layer, "name", str(layer))
            top = QTreeWidgetItem([f"{name} — #{int(row) + 1}", ""])
            for key, value in (attrs or {}).items():
                top.addChild(QTreeWidgetItem([str(key), _text(value)]))
            self.tree.addTopLevelItem(top)
            top.setExpanded(len(results) == 1)
        self.tree.resizeColumnToContents(0)

    def _select_feature(self, item: QTreeWidgetItem, _column: int) -> None:
        top = item if item.parent() is None else item.parent()
        i = self.tree.indexOfTopLevelItem(top)
        if 0 <= i < len(self._results):
            self.select_result(i)

    def select_result(self, i: int) -> None:
        """Make result ``i`` the selection of its layer (the map and attribute table follow)."""
        layer, row, _ = self._results[i]
        if hasattr(layer, "selection"):
            layer.selection = np.array([int(row)], dtype=np.int64)
            layer.changed.emit("selection")

    def rows(self) -> list[str]:
        """The top-level labels shown (one per feature)."""
        return [self.tree.topLevelItem(i).text(0) for i in range(self.tree.topLevelItemCount())]
