"""The attribute form of one zone (name, role, unit, shift, priority, start, end, notes)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from hotspot_desktop.core.model import ZONE_ROLES

NO_DATE = QDate(1900, 1, 1)  # the date edits' minimum, shown as "none"
DATE_FORMAT = "yyyy-MM-dd"
SHIFTS = ("", "day", "evening", "night", "all day")


class ZoneForm(QWidget):
    """Edits one zone's attributes; ``apply_requested(values)`` carries only changed fields."""

    apply_requested = Signal(dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = QLineEdit()
        self.role = QComboBox()
        self.role.addItems(list(ZONE_ROLES))
        self.unit = QLineEdit()
        self.shift = QComboBox()
        self.shift.setEditable(True)
        self.shift.addItems(list(SHIFTS))
        self.priority = QSpinBox()
        self.priority.setRange(0, 99)
        self.priority.setToolTip("1 = highest; patrol plans schedule lower numbers first")
        self.start = self._date_edit()
        self.end = self._date_edit()
        self.notes = QPlainTextEdit()
        self.notes.setMaximumHeight(70)
        for key, w in (("name", self.name), ("role", self.role), ("unit", self.unit), ("shift", self.shift),
                       ("priority", self.priority), ("start", self.start), ("end", self.end),
                       ("notes", self.notes)):
            w.setObjectName(f"zoneForm_{key}")
        form = QFormLayout()
        form.addRow("&Name", self.name)
        form.addRow("&Role", self.role)
        form.addRow("&Unit", self.unit)
        form.addRow("S&hift", self.shift)
        form.addRow("&Priority", self.priority)
        form.addRow("&Start", self.start)
        form.addRow("&End", self.end)
        form.addRow("N&otes", self.notes)
        self.apply_button = QPushButton("&Apply")
        self.apply_button.setObjectName("zoneForm_apply")
        self.apply_button.clicked.connect(self._apply)
        self.revert_button = QPushButton("Re&vert")
        self.revert_button.clicked.connect(lambda: self.load(self._values))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.apply_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addLayout(buttons)
        self._values: dict[str, Any] = {}
        self.setEnabled(False)

    @staticmethod
    def _date_edit() -> QDateEdit:
        d = QDateEdit()
        d.setCalendarPopup(True)
        d.setDisplayFormat(DATE_FORMAT)
        d.setMinimumDate(NO_DATE)
        d.setSpecialValueText("none")
        d.setDate(NO_DATE)
        return d

    def load(self, values: dict[str, Any] | None) -> None:
        """Show a zone's attributes (None empties and disables the form)."""
        self._values = dict(values or {})
        v = self._values
        self.setEnabled(values is not None)
        self.name.setText(_text(v.get("name")))
        role = _text(v.get("role"))
        if role and self.role.findText(role) < 0:
            self.role.addItem(role)  # a role from an imported file is kept, not overwritten
        self.role.setCurrentText(role or ZONE_ROLES[0])
        self.unit.setText(_text(v.get("unit")))
        self.shift.setCurrentText(_text(v.get("shift")))
        self.priority.setValue(int(pd.to_numeric(v.get("priority"), errors="coerce") or 0)
                               if pd.notna(pd.to_numeric(v.get("priority"), errors="coerce")) else 0)
        self.start.setDate(_qdate(v.get("start")))
        self.end.setDate(_qdate(v.get("end")))
        self.notes.setPlainText(_text(v.get("notes")))

    def values(self) -> dict[str, Any]:
        """The form's values in the zone schema (dates as ISO text, "" when none)."""
        return {"name": self.name.text().strip(), "role": self.role.currentText(), "unit": self.unit.text().strip(),
                "shift": self.shift.currentText().strip(), "priority": int(self.priority.value()),
                "start": _iso(self.start.date()), "end": _iso(self.end.date()),
                "notes": self.notes.toPlainText().strip()}

    def changed_values(self) -> dict[str, Any]:
        old = self._values
        out = {}
        for k, v in self.values().items():
            before = old.get(k)
            if k == "priority":
                same = pd.notna(pd.to_numeric(before, errors="coerce")) and int(before) == v
            elif k in ("start", "end"):
                same = _iso(_qdate(before)) == v
            else:
                same = _text(before) == v
            if not same:
                out[k] = v
        return out

    def _apply(self) -> None:
        changed = self.changed_values()
        if changed:
            self.apply_requested.emit(changed)


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value)


def _qdate(value: Any) -> QDate:
    if value is None or value == "" or (isinstance(value, float) and pd.isna(value)):
        return NO_DATE
    ts = pd.to_datetime(value, errors="coerce")
    if pd.isna(ts):
        return NO_DATE
    return QDate(ts.year, ts.month, ts.day)


def _iso(d: QDate) -> str:
    return "" if d == NO_DATE or not d.isValid() else d.toString("yyyy-MM-dd")
