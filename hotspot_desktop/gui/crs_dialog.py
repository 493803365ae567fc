"""Asking the user for the CRS of data whose file declares none (an EPSG code or a common choice)."""

from __future__ import annotations

from pyproj import CRS
from pyproj.exceptions import CRSError
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

# Common choices for crime data; any EPSG code can be typed instead.
COMMON_CRS = [
    ("EPSG:4326", "WGS 84 longitude/latitude (GPS, most open data portals)"),
    ("EPSG:3857", "Web Mercator"),
    ("EPSG:27700", "British National Grid"),
    ("EPSG:2263", "NAD83 / New York Long Island (ftUS)"),
    ("EPSG:3435", "NAD83 / Illinois East (ftUS), Chicago"),
    ("EPSG:26910", "NAD83 / UTM zone 10N, Vancouver"),
    ("EPSG:32633", "WGS 84 / UTM zone 33N"),
]


def parse_crs(text: str) -> CRS | None:
    """A CRS from "4326", "EPSG:4326" or any pyproj user input; None when unreadable."""
    text = text.strip()
    if not text:
        return None
    if text.isdigit():
        text = f"EPSG:{text}"
    try:
        return CRS.from_user_input(text)
    except CRSError:
        return None


class CrsDialog(QDialog):
    """Pick a common CRS or type an EPSG code; shows the CRS name as the user types."""

    def __init__(self, title: str, message: str, initial: str = "EPSG:4326", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        note = QLabel(message)
        note.setWordWrap(True)
        layout.addWidget(note)
        form = QFormLayout()
        self.common = QComboBox()
        for code, label in COMMON_CRS:
            self.common.addItem(f"{code} — {label}", code)
        self.common.activated.connect(lambda i: self.code.setText(self.common.itemData(i)))
        form.addRow("Common", self.common)
        self.code = QLineEdit(initial)
        self.code.setObjectName("epsgEdit")
        self.code.textChanged.connect(self._validate)
        form.addRow("EPSG code", self.code)
        self.name = QLabel("")
        form.addRow("", self.name)
        layout.addLayout(form)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._validate(initial)

    def _validate(self, text: str) -> None:
        crs = parse_crs(text)
        self.name.setText(crs.name if crs is not None else "not a known CRS")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(crs is not None)

    def crs_text(self) -> str | None:
        crs = parse_crs(self.code.text())
        if crs is None:
            return None
        code = crs.to_epsg(min_confidence=70)
        return f"EPSG:{code}" if code else crs.to_wkt()


def ask_crs(parent: QWidget | None, filename: str, message: str) -> str | None:
    """Modal question; the chosen CRS as loader option text, or None when cancelled."""
    dialog = CrsDialog("Coordinate system needed",
                       f"{filename} does not say which coordinate system it uses.\n{message}", parent=parent)
    return dialog.crs_text() if dialog.exec() else None
