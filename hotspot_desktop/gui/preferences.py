"""Preferences: display units (metric or imperial). Analysis always runs in metres."""

from __future__ import annotations

from PySide6.QtWidgets import QButtonGroup, QDialog, QDialogButtonBox, QLabel, QRadioButton, QVBoxLayout, QWidget


class PreferencesDialog(QDialog):
    """Choose how lengths and areas are shown (m/km or ft/mi)."""

    def __init__(self, units: str = "m", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Display units for distances and areas:"))
        self.metric = QRadioButton("Metric (m, km, km²)")
        self.metric.setObjectName("unitsMetric")
        self.imperial = QRadioButton("Imperial (ft, mi, mi²)")
        self.imperial.setObjectName("unitsImperial")
        group = QButtonGroup(self)
        group.addButton(self.metric)
        group.addButton(self.imperial)
        (self.imperial if units == "ft" else self.metric).setChecked(True)
        layout.addWidget(self.metric)
        layout.addWidget(self.imperial)
        note = QLabel("Analyses always work in metres; this changes only what you see.")
        note.setWordWrap(True)
        layout.addWidget(note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def units(self) -> str:
        return "ft" if self.imperial.isChecked() else "m"
