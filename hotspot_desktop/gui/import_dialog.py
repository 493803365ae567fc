"""The CSV import dialog: the detected column mapping, every guess overridable, a live preview.

Opened by the main window when detection is unsure (no coordinates, no CRS, or an ambiguity
note such as day/month order) and from "Add layer" for a CSV the user wants to check. Accepting
it yields a :class:`CsvSchema` that the loader follows and the project stores.

The rows may be incidents or community input (survey responses, service requests: points with
perhaps a date and a category, no offence). Accepted as community input, the loaded layer gets
the point-layer role ``community`` (saved in the project): it is counted beside the incidents
in zone measures and briefings, never taken as the incidents, never published as points.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from hotspot_desktop.core.io.csv_schema import CsvSchema, DateSpec
from hotspot_desktop.core.model import (
    POINT_ROLE_LABELS,
    POINT_ROLE_MARKERS,
    POINT_ROLES,
    PointLayer,
    Project,
    guess_point_role,
)
from hotspot_desktop.core.styles import Symbol
from hotspot_desktop.gui.crs_dialog import COMMON_CRS, parse_crs

NONE = "(none)"
PREVIEW_ROWS = 20
COMMON_DATE_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d", "%m/%d/%Y %I:%M:%S %p",
                       "%m/%d/%Y %H:%M", "%m/%d/%Y", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d.%m.%Y", "%Y-%m"]


def needs_review(schema: CsvSchema, notes: list[str] | None = None) -> bool:
    """True when the user should confirm the mapping: no coordinates, no CRS, or ambiguity notes."""
    return not schema.coordinate_columns or schema.crs is None or bool(notes)


def _crs_text(schema: CsvSchema) -> str:
    if schema.crs is None:
        return ""
    code = schema.crs.to_epsg(min_confidence=70)
    return f"EPSG:{code}" if code else schema.crs.to_wkt()


def apply_role(project: Project, layer: PointLayer, role: str) -> None:
    """Give a freshly loaded point layer its role; community input is drawn as triangles and a
    patrol log (AVL pings) as squares (:data:`POINT_ROLE_MARKERS`), so neither looks like the
    incidents."""
    layer.role = role
    marker = POINT_ROLE_MARKERS.get(role, "o")
    if marker != "o":
        s = layer.style.symbol
        layer.style.symbol = Symbol(fill=s.fill, outline=s.outline, outline_width=s.outline_width, marker=marker,
                                    size=max(s.size, 6.0) if role == "community" else s.size)
        layer.changed.emit("style")


def mark_when_loaded(window: Any, path: Path, role: str) -> None:
    """Apply ``role`` to the layer ``window`` adds from ``path`` (its ``layer_added`` signal);
    stop watching when the load queue empties (the load failed or was cancelled)."""
    target = Path(path).resolve()

    def on_added(layer: Any) -> None:
        src = getattr(getattr(layer, "source", None), "path", None)
        if isinstance(layer, PointLayer) and src is not None and Path(src).resolve() == target:
            stop()
            apply_role(window.project, layer, role)

    def stop(*_args: Any) -> None:
        for sig, slot in ((window.layer_added, on_added), (window.loads_finished, stop)):
            try:
                sig.disconnect(slot)
            except (RuntimeError, TypeError):  # already disconnected
                pass

    window.layer_added.connect(on_added)
    window.loads_finished.connect(stop)


class CsvImportDialog(QDialog):
    """Check and correct how an incident (or community input) CSV will be read."""

    def __init__(self, path: str | Path, schema: CsvSchema, notes: list[str] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = Path(path)
        self._detected = schema
        self.setWindowTitle(f"Import incidents — {self.path.name}")
        self.setObjectName("csvImportDialog")
        self.resize(980, 640)
        cols = list(schema.columns)
        layout = QVBoxLayout(self)
        info = QLabel(f"Detected: encoding {schema.encoding}, delimiter {schema.delimiter!r}, {len(cols)} columns."
                      " Check each guess; the preview below shows how rows will be read.")
        info.setWordWrap(True)
        layout.addWidget(info)
        self.notes = QLabel("\n".join(f"⚠ {n}" for n in (notes or [])))
        self.notes.setObjectName("detectionNotes")
        self.notes.setWordWrap(True)
        self.notes.setVisible(bool(notes))
        layout.addWidget(self.notes)

        split = QSplitter(Qt.Orientation.Vertical)
        top = QWidget()
        row = QHBoxLayout(top)
        row.setContentsMargins(0, 0, 0, 0)

        where = QGroupBox("Location")
        wf = QFormLayout(where)
        self.x = self._combo("xCombo", cols, schema.x)
        self.y = self._combo("yCombo", cols, schema.y)
        self.location = self._combo("locationCombo", cols, schema.location)
        self.location_format = QComboBox()
        self.location_format.setObjectName("locationFormatCombo")
        self.location_format.addItem("WKT: POINT (x y)", "wkt")
        self.location_format.addItem("(lat, lon)", "latlon")
        if schema.location_format == "latlon":
            self.location_format.setCurrentIndex(1)
        self.crs = QComboBox()
        self.crs.setObjectName("crsCombo")
        self.crs.setEditable(True)
        for code, label in COMMON_CRS:
            self.crs.addItem(code, code)
            self.crs.setItemData(self.crs.count() - 1, label, Qt.ItemDataRole.ToolTipRole)
        self.crs.setEditText(_crs_text(schema))
        self.crs_name = QLabel("")
        self.crs_name.setWordWrap(True)
        wf.addRow("X / longitude", self.x)
        wf.addRow("Y / latitude", self.y)
        wf.addRow("or one location column", self.location)
        wf.addRow("location format", self.location_format)
        wf.addRow("CRS (EPSG code)", self.crs)
        wf.addRow("", self.crs_name)
        row.addWidget(where)

        when = QGroupBox("Date and time")
        tf = QFormLayout(when)
        self.date = self._date_combo("dateCombo", cols, schema.date)
        self.time = self._combo("timeCombo", cols, _time_column(schema.date))
        self.date_format = self._format_combo("dateFormatCombo", schema.date)
        self.end_date = self._date_combo("endDateCombo", cols, schema.date_end)
        self.end_format = self._format_combo("endFormatCombo", schema.date_end)
        tf.addRow("Date column", self.date)
        tf.addRow("Separate time column", self.time)
        tf.addRow("Format", self.date_format)
        tf.addRow("End of window", self.end_date)
        tf.addRow("End format", self.end_format)
        row.addWidget(when)

        what = QGroupBox("What the rows are")
        of = QFormLayout(what)
        self.role = QComboBox()
        self.role.setObjectName("roleCombo")
        for r in POINT_ROLES:
            self.role.addItem(POINT_ROLE_LABELS[r], r)
        self.role.setToolTip("Community input (survey responses, service requests) is counted next to the incidents "
                             "in zone measures and briefings; it is never analysed as crime and never published as "
                             "points. A patrol log (AVL pings: unit, time, position) is the input of patrol dosage; "
                             "it is never taken as the incidents.")
        self.offence = self._combo("offenceCombo", cols, schema.offence)
        self.incident_id = self._combo("idCombo", cols, schema.incident_id)
        self.offence_label = QLabel("Offence type")
        self.id_label = QLabel("Incident id")
        of.addRow("Layer", self.role)
        of.addRow(self.offence_label, self.offence)
        of.addRow(self.id_label, self.incident_id)
        self.role.currentIndexChanged.connect(self._on_role)
        # AVL pings (a unit column, no offence column) start as a patrol log, not as incidents.
        self.set_role(guess_point_role(cols, schema.offence))
        row.addWidget(what)
        split.addWidget(top)

        bottom = QWidget()
        bl = QVBoxLayout(bottom)
        bl.setContentsMargins(0, 0, 0, 0)
        bl.addWidget(QLabel(f"Preview of the first {PREVIEW_ROWS} rows (parsed_* columns show how they are read):"))
        self.preview = QTableView()
        self.preview.setObjectName("previewTable")
        self.preview_model = QStandardItemModel(self)
        self.preview.setModel(self.preview_model)
        bl.addWidget(self.preview)
        self.problem = QLabel("")
        self.problem.setObjectName("problemLabel")
        self.problem.setStyleSheet("color: #b00020")
        bl.addWidget(self.problem)
        split.addWidget(bottom)
        layout.addWidget(split, 1)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Load")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        # Re-read the preview shortly after the last change rather than on every keystroke.
        self._refresh = QTimer(self)
        self._refresh.setSingleShot(True)
        self._refresh.setInterval(150)
        self._refresh.timeout.connect(self.update_preview)
        for combo in (self.x, self.y, self.location, self.location_format, self.date, self.time, self.end_date,
                      self.offence, self.incident_id):
            combo.currentIndexChanged.connect(self._refresh.start)
        for combo in (self.crs, self.date_format, self.end_format):
            combo.editTextChanged.connect(self._refresh.start)
        self.update_preview()

    # --- what the rows are ------------------------------------------------------------------------
    def layer_role(self) -> str:
        """``"incidents"``, ``"community"`` or ``"patrol_log"``, as chosen."""
        return str(self.role.currentData())

    def set_role(self, role: str) -> None:
        self.role.setCurrentIndex(max(0, self.role.findData(role)))

    def _on_role(self) -> None:
        role = self.layer_role()
        self.offence_label.setText({"community": "Category", "patrol_log": "Category (if any)"}.get(role, "Offence type"))
        self.id_label.setText("Incident id" if role == "incidents" else "Record id")
        what = {"community": "community input", "patrol_log": "patrol log"}.get(role, "incidents")
        self.setWindowTitle(f"Import {what} — {self.path.name}")

    def accept(self) -> None:
        """Load with this mapping; community input gets its role once the layer arrives."""
        window = self.parent()
        role = self.layer_role()
        if role != "incidents" and hasattr(window, "layer_added") and hasattr(window, "loads_finished"):
            mark_when_loaded(window, self.path, role)
        super().accept()

    # --- widgets -------------------------------------------------------------------------------
    def _combo(self, name: str, columns: list[str], current: str | None) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        combo.addItem(NONE, None)
        for c in columns:
            combo.addItem(c, c)
        if current in columns:
            combo.setCurrentIndex(columns.index(current) + 1)
        return combo

    def _date_combo(self, name: str, columns: list[str], spec: DateSpec | None) -> QComboBox:
        combo = self._combo(name, columns, spec.columns[0] if spec and spec.kind in ("single", "date_time") else None)
        if spec is not None and spec.kind in ("components", "month") and len(spec.columns) > 1:
            # Year/month/day... spread over several columns: offered as one choice, as detected.
            combo.insertItem(1, f"{spec.kind}: {' + '.join(spec.columns)}", "__detected__")
            combo.setCurrentIndex(1)
        elif spec is not None and spec.kind == "month":
            combo.setCurrentIndex(columns.index(spec.columns[0]) + 1)
        return combo

    def _format_combo(self, name: str, spec: DateSpec | None) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        combo.setEditable(True)
        combo.addItems(COMMON_DATE_FORMATS)
        combo.setEditText(spec.format if spec is not None and spec.format else "")
        combo.setToolTip("strptime format, e.g. %d/%m/%Y %H:%M")
        return combo

    # --- the schema the user sees -----------------------------------------------------------
    def _date_spec(self, combo: QComboBox, fmt: QComboBox, detected: DateSpec | None,
                   time_col: str | None = None) -> DateSpec | None:
        choice = combo.currentData()
        if choice is None:
            return None
        fmt_text = fmt.currentText().strip() or None
        if choice == "__detected__":
            return detected
        if detected is not None and detected.kind in ("single", "month", "date_time") and \
                detected.columns[0] == choice and detected.format == fmt_text and \
                (detected.kind != "date_time" or detected.columns[1:] == [time_col]) and \
                (detected.kind == "date_time" or time_col is None):
            return detected  # unchanged: keep the detector's fallback formats too
        if time_col:
            return DateSpec("date_time", [choice, time_col], fmt_text)
        kind = "month" if fmt_text and "%d" not in fmt_text and "%H" not in fmt_text and "%m" in fmt_text else "single"
        return DateSpec(kind, [choice], fmt_text, dayfirst=bool(fmt_text and fmt_text.startswith("%d")))

    def schema(self) -> CsvSchema:
        """The schema as currently set in the dialog."""
        location = self.location.currentData()
        crs = parse_crs(self.crs.currentText())
        d = self._detected
        crs_changed = (crs is not None) != (d.crs is not None) or (crs is not None and d.crs is not None
                                                                    and not crs.equals(d.crs))
        return d.with_changes(
            x=None if location else self.x.currentData(),
            y=None if location else self.y.currentData(),
            location=location,
            location_format=self.location_format.currentData() if location else None,
            crs=crs,
            crs_source="user" if crs_changed else d.crs_source,
            date=self._date_spec(self.date, self.date_format, d.date, self.time.currentData()),
            date_end=self._date_spec(self.end_date, self.end_format, d.date_end),
            offence=self.offence.currentData(),
            incident_id=self.incident_id.currentData(),
        )

    def problems(self, schema: CsvSchema) -> list[str]:
        """What stops loading with this mapping (shown under the preview)."""
        out = []
        if not schema.coordinate_columns or (not schema.location and not (schema.x and schema.y)):
            out.append("Choose the X and Y columns (or one location column).")
        if schema.crs is None:
            out.append("Enter the coordinate system (EPSG code) of the coordinates.")
        return out

    def update_preview(self) -> None:
        """Re-read the first rows with the current mapping."""
        from hotspot_desktop.core.io.csv_detect import preview_rows

        schema = self.schema()
        by_location = schema.location is not None
        self.location_format.setEnabled(by_location)
        self.x.setEnabled(not by_location)
        self.y.setEnabled(not by_location)
        self.crs_name.setText(schema.crs.name if schema.crs is not None
                              else "type an EPSG code, e.g. 4326 for longitude/latitude")
        problems = self.problems(schema)
        try:
            rows = preview_rows(self.path, schema, PREVIEW_ROWS)
        except Exception as exc:  # noqa: BLE001 - a bad format string is shown, not raised
            problems.append(f"Preview failed: {exc}")
            rows = pd.DataFrame()
        self._fill_preview(rows)
        self.problem.setText("\n".join(problems))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not any(
            p.startswith(("Choose", "Enter")) for p in problems))

    def _fill_preview(self, rows: pd.DataFrame) -> None:
        m = self.preview_model
        m.clear()
        m.setHorizontalHeaderLabels([str(c) for c in rows.columns])
        for _, rec in rows.iterrows():
            items = []
            for c in rows.columns:
                v = rec[c]
                item = QStandardItem("" if _is_missing(v) else str(v))
                item.setEditable(False)
                if str(c).startswith("parsed_"):
                    item.setBackground(Qt.GlobalColor.yellow if _is_missing(v) else Qt.GlobalColor.white)
                items.append(item)
            m.appendRow(items)
        self.preview.resizeColumnsToContents()

    def preview_frame(self) -> list[list[str]]:
        """The preview as text rows (header first), as shown."""
        m = self.preview_model
        head = [m.headerData(c, Qt.Orientation.Horizontal) for c in range(m.columnCount())]
        return [head] + [[m.item(r, c).text() for c in range(m.columnCount())] for r in range(m.rowCount())]


def _time_column(spec: DateSpec | None) -> str | None:
    return spec.columns[1] if spec is not None and spec.kind == "date_time" and len(spec.columns) > 1 else None


def _is_missing(v: Any) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False
