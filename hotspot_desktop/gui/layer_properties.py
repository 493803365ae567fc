"""Layer properties: the style editor (single, categorised, graduated, heat map, raster), labels,
opacity, a read-only Information tab (source, CRS, feature count, provenance) and, for point
layers, what the rows are (incidents, or community input: survey responses, service requests).

Edits build a new :class:`LayerStyle` (the model's plain-data style) and assign it, so the canvas
and the export composer draw the same thing; each Apply is one undoable step on the window's
``undo_stack`` when the parent window has one (style and role together when both change).
"""

from __future__ import annotations

import copy
import json

import numpy as np
import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPixmap, QUndoCommand
from PySide6.QtWidgets import (
    QCheckBox,
    QColorDialog,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSlider,
    QSpinBox,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from hotspot_desktop.core import styles
from hotspot_desktop.core.crs import LENGTH_UNITS
from hotspot_desktop.core.model import POINT_ROLE_LABELS, POINT_ROLE_MARKERS, POINT_ROLES, Layer, PointLayer, Project
from hotspot_desktop.core.styles import Category, GraduatedClass, LayerStyle
from hotspot_desktop.gui.layer_commands import SetRoleCommand

MODES = [("single", "Single symbol"), ("categorised", "Categorised"), ("graduated", "Graduated"),
         ("heatmap", "Heat map"), ("raster", "Raster")]
MARKERS = [("o", "circle"), ("s", "square"), ("t", "triangle"), ("d", "diamond"), ("+", "plus"), ("x", "cross")]
METHODS = [("quantiles", "Quantiles"), ("equal_interval", "Equal interval"),
           ("natural_breaks", "Natural breaks (Jenks)"), ("std_mean", "Standard deviation"),
           ("manual", "Manual breaks")]
RAMPS = ["YlOrRd", "OrRd", "Reds", "YlGnBu", "Blues", "viridis", "magma", "cividis", "RdBu_r", "PuOr_r"]
MAX_CATEGORIES = 60  # more values than this are not a readable legend


def attribute_frame(layer: Layer) -> pd.DataFrame | None:
    """The layer's attribute table (no geometry column), or None for rasters."""
    if hasattr(layer, "attributes"):
        return layer.attributes  # type: ignore[attr-defined]
    gdf = getattr(layer, "gdf", None)
    if gdf is not None:
        return pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    return None


def _swatch(color: str) -> QIcon:
    pm = QPixmap(16, 16)
    pm.fill(QColor(color[:7]))
    return QIcon(pm)


class ColorButton(QPushButton):
    """A button showing a colour; clicking opens QColorDialog (with alpha)."""

    def __init__(self, color: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.set_color(color)
        self.clicked.connect(self._pick)

    def set_color(self, color: str) -> None:
        self._color = color
        self.setText(color)
        self.setIcon(_swatch(color))

    def color(self) -> str:
        return self._color

    def _pick(self) -> None:
        c = QColorDialog.getColor(_to_qcolor(self._color), self, "Choose colour",
                                  QColorDialog.ColorDialogOption.ShowAlphaChannel)
        if c.isValid():
            self.set_color(_from_qcolor(c))


def _to_qcolor(color: str) -> QColor:
    c = QColor(color[:7])
    if len(color) == 9:
        c.setAlpha(int(color[7:9], 16))
    return c


def _from_qcolor(c: QColor) -> str:
    base = c.name()  # #rrggbb
    return base if c.alpha() == 255 else f"{base}{c.alpha():02x}"


class StyleCommand(QUndoCommand):
    """Undoable change of a layer's style and opacity."""

    def __init__(self, layer: Layer, old: tuple[LayerStyle, float], new: tuple[LayerStyle, float]) -> None:
        super().__init__(f"Style of {layer.name}")
        self.layer, self.old, self.new = layer, old, new

    def redo(self) -> None:
        self.layer.style = copy.deepcopy(self.new[0])
        self.layer.opacity = self.new[1]

    def undo(self) -> None:
        self.layer.style = copy.deepcopy(self.old[0])
        self.layer.opacity = self.old[1]


class LayerPropertiesDialog(QDialog):
    """Edit how ``layer`` is drawn. OK/Apply assign a new style to the layer."""

    def __init__(self, layer: Layer, project: Project | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layer = layer
        self.project = project
        self.units = getattr(project, "display_units", "m") if project is not None else "m"
        self.setObjectName("layerPropertiesDialog")
        self.setWindowTitle(f"Layer properties — {layer.name}")
        self.resize(640, 640)
        self.frame = attribute_frame(layer)
        style = copy.deepcopy(layer.style)
        layout = QVBoxLayout(self)
        self.role: QComboBox | None = None
        if isinstance(layer, PointLayer):
            layout.addLayout(self._role_row(layer))
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs, 1)

        # --- Symbology tab -------------------------------------------------------------------
        sym = QWidget()
        sl = QVBoxLayout(sym)
        top = QFormLayout()
        self.mode = QComboBox()
        self.mode.setObjectName("modeCombo")
        for key, text in MODES:
            if self._mode_allowed(key):
                self.mode.addItem(text, key)
        top.addRow("Style", self.mode)
        sl.addLayout(top)
        self.pages = QStackedWidget()
        self.page_index: dict[str, int] = {}
        for key, builder in (("single", self._single_page), ("categorised", self._categorised_page),
                             ("graduated", self._graduated_page), ("heatmap", self._heatmap_page),
                             ("raster", self._raster_page)):
            self.page_index[key] = self.pages.addWidget(builder(style))
        sl.addWidget(self.pages, 1)
        op = QHBoxLayout()
        op.addWidget(QLabel("Opacity"))
        self.opacity = QSlider(Qt.Orientation.Horizontal)
        self.opacity.setObjectName("opacity")
        self.opacity.setRange(0, 100)
        self.opacity.setValue(round(layer.opacity * 100))
        op.addWidget(self.opacity)
        sl.addLayout(op)
        self.tabs.addTab(sym, "Symbology")
        self.mode.currentIndexChanged.connect(
            lambda _: self.pages.setCurrentIndex(self.page_index[self.mode.currentData()]))
        i = self.mode.findData(style.mode)
        self.mode.setCurrentIndex(max(0, i))
        self.pages.setCurrentIndex(self.page_index[self.mode.currentData()])

        # --- Labels tab -------------------------------------------------------------------------
        lab = QWidget()
        lf = QFormLayout(lab)
        self.label_field = self._field_combo("labelField", numeric=False, allow_none=True)
        if style.label_field:
            self.label_field.setCurrentIndex(max(0, self.label_field.findData(style.label_field)))
        self.label_size = QDoubleSpinBox()
        self.label_size.setRange(4, 48)
        self.label_size.setValue(style.label_size)
        lf.addRow("Label field", self.label_field)
        lf.addRow("Text size (pt)", self.label_size)
        self.tabs.addTab(lab, "Labels")

        # --- Information tab --------------------------------------------------------------------
        self.info = QPlainTextEdit(self.information_text())
        self.info.setObjectName("infoText")
        self.info.setReadOnly(True)
        self.tabs.addTab(self.info, "Information")

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Apply
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._ok)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Apply).clicked.connect(self.apply)
        self.buttons = buttons
        layout.addWidget(buttons)

    # --- what the rows are ------------------------------------------------------------------------
    def _role_row(self, layer: PointLayer) -> QFormLayout:
        form = QFormLayout()
        self.role = QComboBox()
        self.role.setObjectName("roleCombo")
        for r in POINT_ROLES:
            self.role.addItem(POINT_ROLE_LABELS[r], r)
        self.role.setCurrentIndex(max(0, self.role.findData(layer.role)))
        self.role.setToolTip("Community input (survey responses, service requests) is counted next to the incidents "
                             "in zone measures and briefings; it is never analysed as crime and never published as "
                             "points. A patrol log (AVL pings: unit, time, position) is the input of patrol dosage; "
                             "it is never taken as the incidents.")
        self.role.currentIndexChanged.connect(self._on_role)
        form.addRow("What the rows are", self.role)
        return form

    def chosen_role(self) -> str | None:
        """The role chosen for a point layer (None for other layers)."""
        return None if self.role is None else str(self.role.currentData())

    def _on_role(self) -> None:
        # Community input is drawn as triangles and a patrol log as squares, as the import draws
        # them (POINT_ROLE_MARKERS); the marker is only suggested here, and only when it is a
        # role's default, so the analyst can still pick another before applying.
        marker = self.marker.currentData()
        wanted = POINT_ROLE_MARKERS.get(self.chosen_role() or "incidents", "o")
        if marker in POINT_ROLE_MARKERS.values() and marker != wanted:
            self.marker.setCurrentIndex(self.marker.findData(wanted))

    # --- pages --------------------------------------------------------------------------------
    def _mode_allowed(self, mode: str) -> bool:
        kind = self.layer.geometry_kind
        if mode == "raster":
            return kind == "raster"
        if kind == "raster":
            return False
        if mode == "heatmap":
            return self.layer.kind == "points"
        return True

    def _field_combo(self, name: str, numeric: bool, allow_none: bool = False) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        if allow_none:
            combo.addItem("(none)", None)
        if self.frame is not None:
            for col in self.frame.columns:
                if numeric and not pd.api.types.is_numeric_dtype(self.frame[col]):
                    continue
                combo.addItem(str(col), col)
        return combo

    def _single_page(self, style: LayerStyle) -> QWidget:
        w = QWidget()
        f = QFormLayout(w)
        s = style.symbol
        self.fill = ColorButton(s.fill)
        self.fill.setObjectName("fillColor")
        self.outline = ColorButton(s.outline)
        self.outline.setObjectName("outlineColor")
        self.outline_width = QDoubleSpinBox()
        self.outline_width.setRange(0, 20)
        self.outline_width.setSingleStep(0.2)
        self.outline_width.setValue(s.outline_width)
        self.marker = QComboBox()
        for key, text in MARKERS:
            self.marker.addItem(text, key)
        self.marker.setCurrentIndex(max(0, self.marker.findData(s.marker)))
        self.size = QDoubleSpinBox()
        self.size.setRange(1, 60)
        self.size.setValue(s.size)
        f.addRow("Fill", self.fill)
        f.addRow("Outline", self.outline)
        f.addRow("Outline width", self.outline_width)
        if self.layer.geometry_kind == "point":
            f.addRow("Marker", self.marker)
            f.addRow("Size", self.size)
        f.addRow(QLabel("Fill, outline and size also apply to categorised and graduated classes."))
        return w

    def _categorised_page(self, style: LayerStyle) -> QWidget:
        w = QWidget()
        v = QVBoxLayout(w)
        row = QHBoxLayout()
        self.cat_field = self._field_combo("categoryField", numeric=False)
        if style.mode == "categorised" and style.field:
            self.cat_field.setCurrentIndex(max(0, self.cat_field.findData(style.field)))
        else:
            guess = self._likely_category_field()
            if guess is not None:
                self.cat_field.setCurrentIndex(self.cat_field.findData(guess))
        row.addWidget(QLabel("Field"))
        row.addWidget(self.cat_field, 1)
        self.classify_cats = QPushButton("Classify")
        self.classify_cats.setObjectName("classifyCategories")
        self.classify_cats.clicked.connect(self.classify_categories)
        row.addWidget(self.classify_cats)
        v.addLayout(row)
        self.cat_table = QTableWidget(0, 3)
        self.cat_table.setObjectName("categoryTable")
        self.cat_table.setHorizontalHeaderLabels(["Show", "Value", "Label"])
        self.cat_table.cellDoubleClicked.connect(self._pick_category_color)
        v.addWidget(self.cat_table, 1)
        self.cat_note = QLabel("Colours: Okabe–Ito colour-blind-safe palette. "
                               "Double-click a value to change its colour.")
        self.cat_note.setWordWrap(True)
        v.addWidget(self.cat_note)
        self._categories: list[Category] = list(style.categories) if style.mode == "categorised" else []
        self._fill_categories()
        return w

    def _likely_category_field(self) -> str | None:
        """"offence" when present, else the first text/categorical column with few distinct values."""
        if self.frame is None:
            return None
        if "offence" in self.frame.columns:
            return "offence"
        head = self.frame.head(50_000)  # enough to judge, cheap on a million rows
        for col in head.columns:
            s = head[col]
            if (isinstance(s.dtype, pd.CategoricalDtype) or s.dtype == object) and s.nunique() <= MAX_CATEGORIES:
                return str(col)
        return None

    def _graduated_page(self, style: LayerStyle) -> QWidget:
        w = QWidget()
        v = QVBoxLayout(w)
        f = QFormLayout()
        self.grad_field = self._field_combo("graduatedField", numeric=True)
        if style.mode == "graduated" and style.field:
            self.grad_field.setCurrentIndex(max(0, self.grad_field.findData(style.field)))
        self.method = QComboBox()
        self.method.setObjectName("methodCombo")
        for key, text in METHODS:
            self.method.addItem(text, key)
        self.method.setCurrentIndex(max(0, self.method.findData(style.method)))
        self.n_classes = QSpinBox()
        self.n_classes.setObjectName("classCount")
        self.n_classes.setRange(2, 12)
        self.n_classes.setValue(len(style.classes) if style.mode == "graduated" and style.classes else 5)
        self.ramp = QComboBox()
        self.ramp.setObjectName("rampCombo")
        self.ramp.addItems(RAMPS)
        self.ramp.setCurrentText(style.ramp)
        self.breaks = QLineEdit()
        self.breaks.setObjectName("manualBreaks")
        self.breaks.setPlaceholderText("upper bounds, e.g. 5, 10, 20, 50")
        f.addRow("Field", self.grad_field)
        f.addRow("Method", self.method)
        f.addRow("Classes", self.n_classes)
        f.addRow("Colour ramp", self.ramp)
        f.addRow("Manual breaks", self.breaks)
        v.addLayout(f)
        self.classify_grad = QPushButton("Classify")
        self.classify_grad.setObjectName("classifyGraduated")
        self.classify_grad.clicked.connect(self.classify_graduated)
        v.addWidget(self.classify_grad)
        self.grad_table = QTableWidget(0, 2)
        self.grad_table.setObjectName("classTable")
        self.grad_table.setHorizontalHeaderLabels(["Range", "Label"])
        v.addWidget(self.grad_table, 1)
        self.grad_error = QLabel("")
        self.grad_error.setStyleSheet("color: #b00020")
        v.addWidget(self.grad_error)
        self._classes: list[GraduatedClass] = list(style.classes) if style.mode == "graduated" else []
        self._fill_classes()
        return w

    def _heatmap_page(self, style: LayerStyle) -> QWidget:
        w = QWidget()
        f = QFormLayout(w)
        h = style.heatmap
        factor = LENGTH_UNITS["ft"] if self.units == "ft" else 1.0
        self.radius = QDoubleSpinBox()
        self.radius.setObjectName("heatRadius")
        self.radius.setRange(1, 1_000_000)
        self.radius.setDecimals(0)
        self.radius.setSuffix(" ft" if self.units == "ft" else " m")
        self.radius.setValue(h.radius_m / factor)
        self.heat_ramp = QComboBox()
        self.heat_ramp.addItems(RAMPS)
        self.heat_ramp.setCurrentText(h.ramp)
        self.heat_transparent = QDoubleSpinBox()
        self.heat_transparent.setRange(0, 1)
        self.heat_transparent.setSingleStep(0.01)
        self.heat_transparent.setValue(h.transparent_below)
        f.addRow("Radius (map distance)", self.radius)
        f.addRow("Colour ramp", self.heat_ramp)
        f.addRow("Transparent below (share of max)", self.heat_transparent)
        f.addRow(QLabel("The radius is a distance on the ground, so the map does not change with zoom."))
        return w

    def _raster_page(self, style: LayerStyle) -> QWidget:
        w = QWidget()
        f = QFormLayout(w)
        r = style.raster
        self.raster_ramp = QComboBox()
        self.raster_ramp.setObjectName("rasterRamp")
        self.raster_ramp.addItems(RAMPS)
        self.raster_ramp.setCurrentText(r.ramp)
        values = getattr(self.layer, "values", np.zeros(1))
        finite = values[np.isfinite(values)] if values.size else values
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        self.raster_auto = QCheckBox("Minimum and maximum from the data")
        self.raster_auto.setChecked(r.vmin is None and r.vmax is None)
        self.vmin, self.vmax, self.below = (QDoubleSpinBox() for _ in range(3))
        for spin, val in ((self.vmin, r.vmin if r.vmin is not None else lo),
                          (self.vmax, r.vmax if r.vmax is not None else hi),
                          (self.below, r.transparent_below if r.transparent_below is not None else lo)):
            spin.setRange(-1e12, 1e12)
            spin.setDecimals(4)
            spin.setValue(val)
        self.below_on = QCheckBox("Transparent at or below")
        self.below_on.setChecked(r.transparent_below is not None)
        self.symmetric = QCheckBox("Centre the ramp on 0 (z-scores)")
        self.symmetric.setChecked(r.symmetric)
        f.addRow("Colour ramp", self.raster_ramp)
        f.addRow(self.raster_auto)
        f.addRow("Minimum", self.vmin)
        f.addRow("Maximum", self.vmax)
        f.addRow(self.below_on, self.below)
        f.addRow(self.symmetric)
        return w

    # --- classification ---------------------------------------------------------------------------
    def classify_categories(self) -> None:
        """One category per distinct value of the chosen field (most frequent first)."""
        field = self.cat_field.currentData()
        if field is None or self.frame is None:
            return
        counts = self.frame[field].astype("object").dropna().value_counts()
        values = list(counts.index[:MAX_CATEGORIES])
        try:
            values = sorted(values)
        except TypeError:  # mixed types: keep frequency order
            pass
        self._categories = styles.categorised(values, str(field)).categories
        extra = len(counts) - len(values)
        self.cat_note.setText(f"{len(values)} categories (Okabe–Ito colour-blind-safe palette)"
                              + (f"; {extra} rarer values not shown" if extra > 0 else "")
                              + ". Double-click a value to change its colour.")
        self._fill_categories()

    def _fill_categories(self) -> None:
        t = self.cat_table
        t.setRowCount(len(self._categories))
        for r, cat in enumerate(self._categories):
            show = QTableWidgetItem()
            show.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            show.setCheckState(Qt.CheckState.Checked if cat.visible else Qt.CheckState.Unchecked)
            t.setItem(r, 0, show)
            value = QTableWidgetItem(_swatch(cat.color), str(cat.value))
            value.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            t.setItem(r, 1, value)
            t.setItem(r, 2, QTableWidgetItem(cat.label))
        t.resizeColumnsToContents()

    def _pick_category_color(self, row: int, column: int) -> None:
        if column != 1 or not 0 <= row < len(self._categories):
            return
        c = QColorDialog.getColor(_to_qcolor(self._categories[row].color), self, "Category colour")
        if c.isValid():
            self._categories[row].color = _from_qcolor(c)
            self.cat_table.item(row, 1).setIcon(_swatch(self._categories[row].color))

    def _read_categories(self) -> list[Category]:
        out = []
        for r, cat in enumerate(self._categories):
            show = self.cat_table.item(r, 0)
            label = self.cat_table.item(r, 2)
            out.append(Category(value=cat.value, label=label.text() if label else cat.label, color=cat.color,
                                visible=show is None or show.checkState() == Qt.CheckState.Checked))
        return out

    def classify_graduated(self) -> None:
        """Classes from styles.graduated with the chosen field, method, count and ramp."""
        field = self.grad_field.currentData()
        self.grad_error.setText("")
        if field is None or self.frame is None:
            self.grad_error.setText("This layer has no numeric field to classify.")
            return
        values = pd.to_numeric(self.frame[field], errors="coerce").to_numpy(dtype=float)
        method = self.method.currentData()
        breaks = None
        if method == "manual":
            try:
                breaks = [float(b) for b in self.breaks.text().replace(";", ",").split(",") if b.strip()]
            except ValueError:
                self.grad_error.setText("Manual breaks must be numbers separated by commas.")
                return
        try:
            style = styles.graduated(values, str(field), method, self.n_classes.value(), self.ramp.currentText(),
                                     breaks)
        except ValueError as exc:
            self.grad_error.setText(str(exc))
            return
        self._classes = style.classes
        self._fill_classes()

    def _fill_classes(self) -> None:
        t = self.grad_table
        t.setRowCount(len(self._classes))
        for r, c in enumerate(self._classes):
            rng = QTableWidgetItem(_swatch(c.color), f"{c.lower:g} – {c.upper:g}")
            rng.setFlags(Qt.ItemFlag.ItemIsEnabled)
            t.setItem(r, 0, rng)
            t.setItem(r, 1, QTableWidgetItem(c.label))
        t.resizeColumnsToContents()

    # --- result -----------------------------------------------------------------------------------
    def style(self) -> LayerStyle:
        """The style as currently set in the dialog."""
        mode = self.mode.currentData()
        style = copy.deepcopy(self.layer.style)
        style.mode = mode
        s = style.symbol
        s.fill, s.outline = self.fill.color(), self.outline.color()
        s.outline_width, s.marker, s.size = self.outline_width.value(), self.marker.currentData(), self.size.value()
        if mode == "categorised":
            if not self._categories:
                self.classify_categories()
            style.field = self.cat_field.currentData()
            style.categories = self._read_categories()
        elif mode == "graduated":
            if not self._classes:
                self.classify_graduated()
            style.field = self.grad_field.currentData()
            style.method = self.method.currentData()
            style.ramp = self.ramp.currentText()
            style.classes = [GraduatedClass(c.lower, c.upper, (self.grad_table.item(r, 1).text()
                                                               if self.grad_table.item(r, 1) else c.label), c.color)
                             for r, c in enumerate(self._classes)]
        elif mode == "heatmap":
            factor = LENGTH_UNITS["ft"] if self.units == "ft" else 1.0
            style.heatmap.radius_m = self.radius.value() * factor
            style.heatmap.ramp = self.heat_ramp.currentText()
            style.heatmap.transparent_below = self.heat_transparent.value()
        elif mode == "raster":
            r = style.raster
            r.ramp = self.raster_ramp.currentText()
            auto = self.raster_auto.isChecked()
            r.vmin = None if auto else self.vmin.value()
            r.vmax = None if auto else self.vmax.value()
            r.transparent_below = self.below.value() if self.below_on.isChecked() else None
            r.symmetric = self.symmetric.isChecked()
        style.label_field = self.label_field.currentData()
        style.label_size = self.label_size.value()
        return style

    def apply(self) -> None:
        """Assign the edited style and opacity, and a point layer's role, to the layer (one undo step)."""
        new = (self.style(), self.opacity.value() / 100.0)
        old = (copy.deepcopy(self.layer.style), self.layer.opacity)
        commands: list[QUndoCommand] = [StyleCommand(self.layer, old, new)]
        role = self.chosen_role()
        if role is not None and role != self.layer.role:
            commands.append(SetRoleCommand(self.layer, role, self.project))  # type: ignore[arg-type]
        stack = getattr(self.parent(), "undo_stack", None)
        if stack is None:
            for command in commands:
                command.redo()
        elif len(commands) == 1:
            stack.push(commands[0])
        else:
            stack.beginMacro(f"Properties of {self.layer.name}")
            for command in commands:
                stack.push(command)
            stack.endMacro()
        self.info.setPlainText(self.information_text())

    def _ok(self) -> None:
        self.apply()
        self.accept()

    def information_text(self) -> str:
        """Source, CRS, feature count, extent and provenance as readable text."""
        layer = self.layer
        lines = [f"Name: {layer.name}", f"Kind: {layer.kind} ({layer.geometry_kind})", f"Features: {len(layer):,}"]
        if isinstance(layer, PointLayer):
            lines.append(f"Rows: {POINT_ROLE_LABELS[layer.role]}")
        src = layer.source
        lines.append(f"Source: {src.path if src.path else '(made in this project)'}")
        if src.format:
            lines.append(f"Format: {src.format}" + (f", layer {src.layer}" if src.layer else ""))
        if layer.source_crs is not None:
            lines.append(f"Source CRS: {layer.source_crs.name}")
        wcrs = getattr(self.project, "working_crs", None)
        if wcrs is not None:
            lines.append(f"Working CRS: {wcrs.name}")
        if len(layer):
            xmin, ymin, xmax, ymax = layer.extent()
            lines.append(f"Extent: {xmin:,.1f}, {ymin:,.1f} – {xmax:,.1f}, {ymax:,.1f}")
        span = getattr(layer, "time_span", lambda: None)()
        if span is not None:
            lines.append(f"Time span: {span[0]} to {span[1]}")
        flt = getattr(layer, "filter", None)
        if flt is not None and flt.is_active():
            lines.append(f"Filter: {flt.describe()}")
        if src.options:
            lines.append("Loader options: " + json.dumps(src.options, default=str))
        if layer.provenance is not None:
            lines.append("")
            lines.append("Provenance:")
            lines.append(json.dumps(layer.provenance.to_dict(), indent=2, default=str))
        return "\n".join(lines)
