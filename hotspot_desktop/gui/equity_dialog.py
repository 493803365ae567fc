"""The equity layer dialog (Tools ▸ Patrol ▸ Equity layer…, and from the briefing dialog).

Sets the project's :class:`~hotspot_desktop.core.model.EquitySetting`: the census polygon layer,
its population group fields, the zones (zone layer and roles) with their catchments (drawn
catchment zones, a ring of fixed width) and the tolerance for flags. The figures the briefing
will carry are previewed live (core/analysis/equity.py: areal weighting). The setting is saved
with the project; "Remove" clears it.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hotspot_desktop.core.model import ZONE_ROLES, EquitySetting, Project, VectorLayer
from hotspot_desktop.gui.export.briefing_dialog import chosen_incidents, incidents_combo
from hotspot_desktop.tools.base import from_display, numeric_columns, to_display

PREVIEW_DELAY_MS = 200
PATROL_ROLES = ("patrol", "target")


def population_layers(project: Project) -> list[VectorLayer]:
    """Polygon layers that can hold census areas (zone layers excepted), top of the map first."""
    return [lyr for lyr in reversed(list(project.layers)) if isinstance(lyr, VectorLayer)
            and lyr.geometry_kind == "polygon" and lyr.kind != "zones"]


def default_groups(columns: list[str]) -> list[str]:
    """Fields that look like population counts by group: ``pop_*`` other than a total."""
    return [c for c in columns if c.lower().startswith("pop_") and "total" not in c.lower()]


def describe_setting(project: Project) -> str:
    """One line for the briefing dialog: what the project's equity layer is, or that there is none."""
    s = project.equity
    if s is None:
        return "No equity layer set."
    layer = project.layers.by_id(s.population_layer)
    name = layer.name if layer is not None else f"missing layer {s.population_layer}"
    from hotspot_desktop.core.crs import format_length

    # In the user's units, as the dialog's ring box shows it.
    ring = f" + {format_length(s.catchment_m, project.display_units)} ring" if s.catchment_m > 0 else ""
    drawn = " + drawn catchments" if s.drawn_catchments else ""
    return f"{name}: {len(s.groups)} groups; zones {'/'.join(s.roles)}{drawn}{ring}; flag at ±{s.tolerance_pct:g}%."


class EquityDialog(QDialog):
    """Choose the equity layer and see the figures it gives."""

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("equityDialog")
        self.setWindowTitle("Equity layer")
        self.project = project
        current = project.equity
        units = project.display_units

        intro = QLabel("Whose population do the patrol zones cover? Choose census areas with a population count per "
                       "group; the briefing's methods appendix then compares each group's share of the people living "
                       "in the patrol zones (and in the zones with their catchments) with its share of the whole "
                       "area's population and of the incidents.")
        intro.setWordWrap(True)
        self.population = QComboBox(objectName="equityPopulation")
        for lyr in population_layers(project):
            self.population.addItem(lyr.name, lyr.id)
        self.groups = QListWidget(objectName="equityGroups")
        self.groups.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.groups.setMaximumHeight(130)
        self.zone_layer = QComboBox(objectName="equityZoneLayer")
        for lyr in project.layers.of_kind("zones"):
            self.zone_layer.addItem(lyr.name, lyr.id)
        self.role_boxes: dict[str, QCheckBox] = {}
        roles_row = QHBoxLayout()
        for role in ZONE_ROLES:
            if role == "catchment":
                continue
            box = QCheckBox(role, objectName=f"equityRole_{role}")
            box.setChecked(role in (current.roles if current else PATROL_ROLES))
            box.toggled.connect(self.schedule_preview)
            self.role_boxes[role] = box
            roles_row.addWidget(box)
        roles_row.addStretch(1)
        self.drawn = QCheckBox("Zones with role “catchment” are catchments", objectName="equityDrawn")
        self.drawn.setChecked(current.drawn_catchments if current else True)
        self.ring = QDoubleSpinBox(objectName="equityRing")
        self.ring.setRange(0.0, to_display(10_000.0, "m", units)[0])
        self.ring.setDecimals(0)
        self.ring.setSingleStep(50.0)
        self.ring.setSuffix(f" {to_display(1.0, 'm', units)[1]}")
        # metres as set; only a value the user types is converted back (feet shown with 0 decimals
        # would otherwise turn 250 m into 249.936 m)
        self._ring_m = float(current.catchment_m if current else 250.0)
        self.ring.setValue(to_display(self._ring_m, "m", units)[0])
        self.ring.setToolTip("A ring this wide around the patrol zones counts as their catchment (as the intervention "
                             "tool's catchment rings); 0 = drawn catchments only.")
        self.tolerance = QDoubleSpinBox(objectName="equityTolerance")
        self.tolerance.setRange(1.0, 200.0)
        self.tolerance.setDecimals(0)
        self.tolerance.setSuffix(" %")
        self.tolerance.setValue(current.tolerance_pct if current else 25.0)
        self.tolerance.setToolTip("Flag a group when its share in the zones / its share of the population is at least "
                                  "1 + t or at most 1 / (1 + t).")

        self.incidents = incidents_combo(project, "equityIncidents")
        self.incidents.currentIndexChanged.connect(self.schedule_preview)

        form = QFormLayout()
        form.addRow("Census areas", self.population)
        form.addRow("Population groups", self.groups)
        form.addRow("Zone layer", self.zone_layer)
        form.addRow("Patrol zones are", roles_row)
        form.addRow("Catchments", self.drawn)
        form.addRow("Catchment ring", self.ring)
        form.addRow("Flag when off by", self.tolerance)
        form.addRow("Incidents", self.incidents)

        self.preview = QTableWidget(0, 0, objectName="equityPreview")
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview.verticalHeader().setVisible(False)
        self.message = QLabel("", objectName="equityMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Set equity layer")
        self.ok_button.setObjectName("equitySet")
        self.clear_button = self.buttons.addButton("Remove", QDialogButtonBox.ButtonRole.DestructiveRole)
        self.clear_button.setObjectName("equityClear")
        self.clear_button.setEnabled(current is not None)
        self.clear_button.setToolTip("No equity check in briefings")
        self.clear_button.clicked.connect(self.clear)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addLayout(form)
        lay.addWidget(QLabel("Preview (what the briefing will show):"))
        lay.addWidget(self.preview, 1)
        lay.addWidget(self.message)
        lay.addWidget(self.buttons)
        self.resize(880, 660)

        self._cache: dict = {}  # incidents per census area, located once for all the previews
        self.report = None
        self._timer = QTimer(self, singleShot=True, interval=PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self.update_preview)
        if current is not None:
            i = self.population.findData(current.population_layer)
            if i >= 0:
                self.population.setCurrentIndex(i)
            j = self.zone_layer.findData(current.zone_layer) if current.zone_layer else -1
            if j >= 0:
                self.zone_layer.setCurrentIndex(j)
        else:  # first guess: the layer whose fields look like population counts by group
            layers = population_layers(project)
            guess = next((k for k, lyr in enumerate(layers) if default_groups(numeric_columns(lyr))), 0)
            self.population.setCurrentIndex(guess if layers else -1)
        self._fill_groups(list(current.groups) if current is not None else None)
        self.population.currentIndexChanged.connect(lambda _i: self._fill_groups(None))
        self.zone_layer.currentIndexChanged.connect(self.schedule_preview)
        self.groups.itemChanged.connect(self.schedule_preview)
        self.ring.valueChanged.connect(self._on_ring)
        self.tolerance.valueChanged.connect(self.schedule_preview)
        self.drawn.toggled.connect(self.schedule_preview)
        self.update_preview()

    # --- the setting ---------------------------------------------------------------------------
    def _fill_groups(self, checked: list[str] | None) -> None:
        layer = self.project.layers.by_id(self.population.currentData() or "")
        cols = numeric_columns(layer) if layer is not None else []
        keep = checked if checked is not None else default_groups(cols)
        self.groups.blockSignals(True)
        self.groups.clear()
        for c in cols:
            item = QListWidgetItem(c)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if c in keep else Qt.CheckState.Unchecked)
            self.groups.addItem(item)
        self.groups.blockSignals(False)
        self.schedule_preview()

    def _on_ring(self, value: float) -> None:
        self._ring_m = round(from_display(value, "m", self.project.display_units), 3)
        self.schedule_preview()

    def checked_groups(self) -> list[str]:
        return [self.groups.item(i).text() for i in range(self.groups.count())
                if self.groups.item(i).checkState() == Qt.CheckState.Checked]

    def set_groups(self, groups: list[str]) -> None:
        """Check exactly ``groups`` (tests and scripted use; users click the boxes)."""
        for i in range(self.groups.count()):
            item = self.groups.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.text() in groups else Qt.CheckState.Unchecked)

    def setting(self) -> EquitySetting:
        """The setting as chosen; ValueError says what is missing."""
        pop = self.population.currentData()
        if not pop:
            raise ValueError("Add a polygon layer of census areas with population counts first.")
        groups = self.checked_groups()
        if not groups:
            raise ValueError("Tick at least one population group field.")
        roles = tuple(r for r, box in self.role_boxes.items() if box.isChecked())
        if not roles:
            raise ValueError("Tick the zone roles that are patrolled.")
        zone_id = self.zone_layer.currentData()
        project_zones = self.project.zones
        zone_layer = None if project_zones is not None and zone_id == project_zones.id else zone_id
        return EquitySetting(pop, tuple(groups), zone_layer, roles, self._ring_m, self.drawn.isChecked(),
                             float(self.tolerance.value()))

    # --- preview ------------------------------------------------------------------------------
    def schedule_preview(self, *_args: Any) -> None:
        self._timer.start()

    def update_preview(self) -> None:
        """Compute the figures for the current choice and show them (or what is missing)."""
        from hotspot_desktop.core.analysis.equity import project_equity

        self._timer.stop()
        try:
            report = project_equity(self.project, self.setting(), cache=self._cache,
                                    incidents=chosen_incidents(self.project, self.incidents))
        except ValueError as exc:
            self._show_table(pd.DataFrame())
            self.message.setStyleSheet("color: #b00020")
            self.message.setText(str(exc))
            self.ok_button.setEnabled(False)
            self.report = None
            return
        self.report = report
        self._show_table(report.display_table())
        flagged = report.flagged()
        self.message.setStyleSheet("")
        self.message.setText(report.areas.describe() + " " + (("Flagged: " + "; ".join(flagged) + ".") if flagged
                                                              else "No group is flagged."))
        self.ok_button.setEnabled(True)

    def _show_table(self, frame: pd.DataFrame) -> None:
        t = self.preview
        t.clear()
        t.setColumnCount(len(frame.columns))
        t.setRowCount(len(frame))
        t.setHorizontalHeaderLabels([str(c) for c in frame.columns])
        for r in range(len(frame)):
            for c in range(len(frame.columns)):
                item = QTableWidgetItem(str(frame.iat[r, c]))
                if c > 0 and c < len(frame.columns) - 1:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                t.setItem(r, c, item)
        t.resizeColumnsToContents()

    def preview_rows(self) -> list[list[str]]:
        """The preview as text rows, header first (as shown)."""
        t = self.preview
        head = [t.horizontalHeaderItem(c).text() for c in range(t.columnCount())]
        return [head] + [[t.item(r, c).text() for c in range(t.columnCount())] for r in range(t.rowCount())]

    # --- buttons ------------------------------------------------------------------------------
    def accept(self) -> None:
        try:
            setting = self.setting()
        except ValueError as exc:
            self.message.setText(str(exc))
            return
        self.project.equity = setting
        super().accept()

    def clear(self) -> None:
        """Remove the project's equity layer (no equity check in briefings)."""
        self.project.equity = None
        super().reject()
