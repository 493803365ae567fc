"""The Zones tool bar: drawing and editing tools, snapping (toggle, pixel tolerance, layer),
buffer distance, undo/redo."""

from __future__ import annotations

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QLabel,
    QSpinBox,
    QToolBar,
    QWidget,
)

from hotspot_desktop.core.crs import LENGTH_UNITS
from hotspot_desktop.core.model import Project, VectorLayer
from hotspot_desktop.gui.zones.controller import ZoneController

# (mode, text, shortcut, tip)
TOOL_ACTIONS = (
    ("polygon", "Polygon", "Ctrl+Alt+P", ("Click vertices; double-click or Enter closes, Backspace removes the "
                                          "last vertex, Esc cancels")),
    ("rectangle", "Rectangle", "Ctrl+Alt+R", "Drag a rectangle"),
    ("circle", "Circle", "Ctrl+Alt+C", "Press at the centre and drag to the radius"),
    ("lasso", "Lasso", "Ctrl+Alt+L", "Draw freehand around the area"),
    ("buffer", "Buffer", "Ctrl+Alt+B", "Click a street of the snapping layer (or any point) to buffer it"),
    ("select", "Select", "Ctrl+Alt+S", "Click a zone to select it; double-click opens its form; Delete removes it"),
    ("vertices", "Edit vertices", "Ctrl+Alt+V", ("Drag a vertex to move it, double-click an edge to add one, "
                                                 "right-click a vertex (or hover + Delete) to remove it")),
    ("move", "Move zone", "Ctrl+Alt+M", "Drag a zone to move it"),
    ("delete", "Delete zone", None, "Click a zone to delete it"),
)

# Tool-bar labels where the menu text is too long for a crowded tool bar.
SHORT_TEXT = {"vertices": "Vertices", "move": "Move", "delete": "Delete"}


class ZonesToolBar(QToolBar):
    """Tool actions (exclusive with the window's map tools when ``group`` is given)."""

    def __init__(self, controller: ZoneController, group: QActionGroup | None,
                 undo: QAction | None = None, redo: QAction | None = None, parent: QWidget | None = None) -> None:
        super().__init__("Zones", parent)
        self.setObjectName("ZonesToolBar")
        self.controller = controller
        self.group = group or QActionGroup(self)
        self.tool_actions: dict[str, QAction] = {}
        for mode, text, shortcut, tip in TOOL_ACTIONS:
            act = QAction(text, self)
            act.setIconText(SHORT_TEXT.get(mode, text))
            act.setObjectName(f"action_zone_{mode}")
            act.setCheckable(True)
            act.setToolTip(f"{text}: {tip}")
            act.setStatusTip(tip)
            if shortcut:
                act.setShortcut(QKeySequence(shortcut))
            act.triggered.connect(lambda checked=False, m=mode: self._activate(m, checked))
            self.group.addAction(act)
            self.tool_actions[mode] = act
            self.addAction(act)
            if mode in ("buffer", "move"):
                self.addSeparator()
        self.group.triggered.connect(self._on_group_triggered)
        self.addSeparator()

        self.snap_action = QAction("Snap", self)
        self.snap_action.setObjectName("action_zone_snap")
        self.snap_action.setCheckable(True)
        self.snap_action.setChecked(controller.snap_settings.enabled)
        self.snap_action.setToolTip("Snap to other zones' vertices and edges and to the snapping layer")
        self.snap_action.toggled.connect(self._on_snap_toggled)
        self.addAction(self.snap_action)
        self.tolerance = QSpinBox()
        self.tolerance.setObjectName("zoneSnapTolerance")
        self.tolerance.setRange(1, 50)
        self.tolerance.setSuffix(" px")
        self.tolerance.setValue(controller.snap_settings.tolerance_px)
        self.tolerance.setToolTip("Snapping tolerance in screen pixels (the same at every zoom)")
        self.tolerance.valueChanged.connect(self._on_tolerance)
        self.addWidget(self.tolerance)
        self.snap_layer = QComboBox()
        self.snap_layer.setObjectName("zoneSnapLayer")
        self.snap_layer.setToolTip("Also snap to (and buffer streets of) this layer")
        self.snap_layer.setMinimumContentsLength(12)
        # Long layer names must not push the buffer distance off the tool bar.
        self.snap_layer.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.snap_layer.currentIndexChanged.connect(self._on_snap_layer)
        self.addWidget(self.snap_layer)
        self.addSeparator()
        self.addWidget(QLabel(" Buffer "))  # the distance of the Buffer tool
        self.buffer_distance = QDoubleSpinBox()
        self.buffer_distance.setObjectName("zoneBufferDistance")
        self.buffer_distance.setRange(1.0, 5000.0)
        self.buffer_distance.setDecimals(0)
        self.buffer_distance.setSingleStep(25.0)
        self.buffer_distance.setSuffix(" m")
        self.buffer_distance.setValue(controller.buffer_distance_m)
        self.buffer_distance.valueChanged.connect(self._on_buffer_distance)
        self.addWidget(self.buffer_distance)
        if undo is not None and redo is not None:
            self.addSeparator()
            self.addAction(undo)
            self.addAction(redo)
        controller.mode_changed.connect(self._on_mode_changed)
        self.set_project(controller.project)

    def set_project(self, project: Project) -> None:
        self.project = project
        for sig in (project.layers.inserted, project.layers.removed):
            sig.connect(self.fill_snap_layers)
        self.fill_snap_layers()
        self.sync_units()

    def fill_snap_layers(self, *args) -> None:
        current = self.controller.snap_settings.layer_id
        self.snap_layer.blockSignals(True)
        self.snap_layer.clear()
        self.snap_layer.addItem("Zones only", None)
        for layer in reversed(list(self.project.layers)):
            if isinstance(layer, VectorLayer) and layer.kind != "zones":
                self.snap_layer.addItem(layer.name, layer.id)
        i = self.snap_layer.findData(current)
        self.snap_layer.setCurrentIndex(max(0, i))
        self.snap_layer.blockSignals(False)
        self.controller.snap_settings.layer_id = self.snap_layer.currentData()

    def _activate(self, mode: str, checked: bool) -> None:
        self.controller.set_mode(mode if checked else None)

    def _on_group_triggered(self, action: QAction) -> None:
        # A window map tool (pan, zoom box, identify) replaces the zone tool.
        if action not in self.tool_actions.values() and self.controller.mode is not None:
            self.controller.set_mode(None)

    def _on_mode_changed(self, mode: str | None) -> None:
        self.sync_units()
        act = self.tool_actions.get(mode) if mode else None
        if act is not None and not act.isChecked():
            act.setChecked(True)

    def _on_snap_toggled(self, on: bool) -> None:
        self.controller.snap_settings.enabled = on

    def _on_tolerance(self, px: int) -> None:
        self.controller.snap_settings.tolerance_px = int(px)

    def _on_snap_layer(self, index: int) -> None:
        self.controller.snap_settings.layer_id = self.snap_layer.itemData(index)

    def _unit_metres(self) -> float:
        """Metres per unit of the buffer distance box (feet for imperial projects)."""
        return LENGTH_UNITS["ft"] if self.project.display_units in ("ft", "mi") else 1.0

    def sync_units(self) -> None:
        """Show the buffer distance in the project's display units."""
        imperial = self._unit_metres() != 1.0
        self.buffer_distance.blockSignals(True)
        self.buffer_distance.setSuffix(" ft" if imperial else " m")
        if imperial:
            self.buffer_distance.setRange(3.0, 16000.0)
        else:
            self.buffer_distance.setRange(1.0, 5000.0)
        self.buffer_distance.setValue(round(self.controller.buffer_distance_m / self._unit_metres()))
        self.buffer_distance.blockSignals(False)

    def _on_buffer_distance(self, value: float) -> None:
        self.controller.buffer_distance_m = float(value) * self._unit_metres()

    def set_snap_layer(self, layer_id: str | None) -> None:
        """Choose the snapping layer (as picking it in the combo box would)."""
        self.snap_layer.setCurrentIndex(max(0, self.snap_layer.findData(layer_id)))
