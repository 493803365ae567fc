"""The map composer: page, extent, texts and elements on the left, a live page preview on the
right whose element boxes can be dragged and resized, and a background export."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt, QTimer
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from hotspot_desktop.core.io.writers import slug
from hotspot_desktop.core.model import Layer
from hotspot_desktop.export.compose import (
    FORMATS,
    MAX_DPI,
    MIN_DPI,
    ComposedMap,
    compose_map,
    export_map,
)
from hotspot_desktop.export.page import PAGE_SIZES_MM
from hotspot_desktop.export.template import MapTemplate
from hotspot_desktop.gui.export.extent import (
    Extent,
    valid_extent,
    zone_extent,
    zone_names,
)
from hotspot_desktop.gui.export.folders import remember, start_folder
from hotspot_desktop.gui.export.job_status import export_runner
from hotspot_desktop.gui.export.page_preview import PagePreview
from hotspot_desktop.gui.export.preview_render import PREVIEW_DPI, PreviewRenderer
from hotspot_desktop.gui.export.public_box import PublicReleaseBox
from hotspot_desktop.gui.export.template_box import TemplateBox

TOGGLES = [("title", "Title"), ("subtitle", "Subtitle"), ("legend", "Legend"), ("scalebar", "Scale bar"),
           ("north", "North arrow"), ("overview", "Overview inset"), ("autotext", "Auto text"), ("logo", "Logo"),
           ("marking", "Handling marking"), ("footnote", "Methods footnote")]
EXTENTS = [("view", "Current map view"), ("full", "Full extent"), ("zone", "Zone")]
MAP_FILTER = "PDF document (*.pdf);;PNG image (*.png);;SVG drawing (*.svg)"
IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.gif *.bmp)"
HINT = "Drag a box to move an element, its lower-right corner to resize it; arrow keys nudge the selected box."
PREVIEW_DELAY_MS = 150  # typing and dragging settle before the page is drawn again


class ComposerDialog(QDialog):
    """Compose a map page for ``window.project`` and export it as PNG, PDF or SVG."""

    def __init__(self, window: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent if parent is not None else window)
        self.setObjectName("composerDialog")
        self.setWindowTitle("Map composer")
        self.window_ = window
        self.project = window.project
        self.view_extent: Extent | None = None
        self.refresh_view_extent()
        self.template = MapTemplate(title=str(self.project.metadata.get("title", "")))
        self.last_composed: ComposedMap | None = None
        self.last_image: QImage | None = None
        self.preview_error = ""
        self._closing = False

        self.renderer = PreviewRenderer(self)
        self.renderer.ready.connect(self._on_preview)
        self.renderer.failed.connect(self._on_preview_failed)
        self.runner, self.status = export_runner(self, self._on_exported, self._on_export_failed,
                                                 lambda: self.export_button.setEnabled(True))
        self._timer = QTimer(self, singleShot=True, interval=PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self.render_preview)

        self._build()
        self._watch()
        self._to_controls(self.template)
        self.preview.set_template(self.template)
        self.resize(1240, 820)
        self.render_preview()

    # ------------------------------------------------------------------ construction
    def _build(self) -> None:
        settings = QWidget()
        col = QVBoxLayout(settings)
        col.setContentsMargins(0, 0, 6, 0)

        page = QGroupBox("Page")
        form = QFormLayout(page)
        self.page_size = QComboBox(objectName="pageSize")
        self.page_size.addItems(list(PAGE_SIZES_MM))
        self.orientation = QComboBox(objectName="orientation")
        self.orientation.addItems(["Landscape", "Portrait"])
        self.margins = QDoubleSpinBox(objectName="margins", decimals=0, minimum=0, maximum=40, suffix=" mm")
        self.dpi = QSpinBox(objectName="dpi", minimum=MIN_DPI, maximum=MAX_DPI, singleStep=50, suffix=" dpi")
        self.dpi.setToolTip("Resolution of PNG files and of the rasterised point layers inside a PDF or SVG")
        form.addRow("Size", self.page_size)
        form.addRow("Orientation", self.orientation)
        form.addRow("Margins", self.margins)
        form.addRow("Resolution", self.dpi)
        col.addWidget(page)

        ext = QGroupBox("Map extent")
        form = QFormLayout(ext)
        self.extent_mode = QComboBox(objectName="extentMode")
        for key, label in EXTENTS:
            self.extent_mode.addItem(label, key)
        self.zone = QComboBox(objectName="extentZone")
        self.zone.addItems(zone_names(self.project))
        if not self.zone.count():
            self.extent_mode.model().item(2).setEnabled(False)
            self.extent_mode.setItemData(2, "Draw zones first (Zones tool bar)", Qt.ItemDataRole.ToolTipRole)
        self.zone.setEnabled(False)
        form.addRow("Show", self.extent_mode)
        form.addRow("Zone", self.zone)
        col.addWidget(ext)

        text = QGroupBox("Text")
        form = QFormLayout(text)
        self.title = QLineEdit(objectName="title")
        self.title.setPlaceholderText("Crime map")
        self.subtitle = QLineEdit(objectName="subtitle")
        self.subtitle.setPlaceholderText("e.g. Burglary, last 90 days")
        self.marking = QLineEdit(objectName="marking")
        self.units = QComboBox(objectName="scaleUnits")
        self.units.addItem("Metric (m, km)", "metric")
        self.units.addItem("Imperial (ft, mi)", "imperial")
        logo_row = QHBoxLayout()
        self.logo = QLineEdit(objectName="logoPath")
        self.logo.setPlaceholderText("No logo")
        browse_logo = QPushButton("Browse…", objectName="logoBrowse")
        browse_logo.clicked.connect(self._browse_logo)
        logo_row.addWidget(self.logo, 1)
        logo_row.addWidget(browse_logo)
        form.addRow("Title", self.title)
        form.addRow("Subtitle", self.subtitle)
        form.addRow("Marking", self.marking)
        form.addRow("Scale units", self.units)
        form.addRow("Logo", logo_row)
        col.addWidget(text)

        elements = QGroupBox("Elements")
        grid = QGridLayout(elements)
        self.toggles: dict[str, QCheckBox] = {}
        for i, (kind, label) in enumerate(TOGGLES):
            box = QCheckBox(label, objectName=f"show_{kind}")
            box.toggled.connect(self._on_controls)
            self.toggles[kind] = box
            grid.addWidget(box, i // 2, i % 2)
        self.show_boxes = QCheckBox("Show element boxes in the preview", objectName="showBoxes", checked=True)
        self.show_boxes.toggled.connect(lambda on: self.preview.set_boxes_visible(on))
        grid.addWidget(self.show_boxes, len(TOGGLES) // 2 + 1, 0, 1, 2)
        col.addWidget(elements)

        self.public = PublicReleaseBox()
        self.public.changed.connect(self.schedule_preview)
        col.addWidget(self.public)

        self.templates = TemplateBox(self.project, self.current_template)
        self.templates.loaded.connect(self.apply_template)
        self.templates.error.connect(lambda t, m: self.window_.show_error(t, m))
        self.templates.message.connect(lambda m: self.status.show_message(m))
        col.addWidget(self.templates)
        col.addStretch(1)

        scroll = QScrollArea()
        scroll.setWidget(settings)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(340)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)

        self.preview = PagePreview()
        self.preview.element_edited.connect(self.move_element)
        self.preview_note = QLabel(HINT,
                                   objectName="previewNote")
        self.preview_note.setStyleSheet("color: #555;")
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(6, 0, 0, 0)
        rl.addWidget(self.preview, 1)
        rl.addWidget(self.preview_note)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(scroll)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([380, 860])

        out = QHBoxLayout()
        self.output = QLineEdit(objectName="outputPath")
        self.output.setPlaceholderText("File to write: .pdf, .png or .svg")
        browse = QPushButton("Browse…", objectName="outputBrowse")
        browse.clicked.connect(self._browse_output)
        self.export_button = QPushButton("Export", objectName="exportButton")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.export)
        out.addWidget(QLabel("Save as"))
        out.addWidget(self.output, 1)
        out.addWidget(browse)
        out.addWidget(self.export_button)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)

        lay = QVBoxLayout(self)
        lay.addWidget(split, 1)
        lay.addLayout(out)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(buttons)
        lay.addLayout(bottom)

        for w in (self.page_size, self.orientation, self.extent_mode, self.zone, self.units):
            w.currentIndexChanged.connect(self._on_controls)
        for w in (self.margins, self.dpi):
            w.valueChanged.connect(self._on_controls)
        for w in (self.title, self.subtitle, self.marking, self.logo):
            w.textChanged.connect(self._on_controls)

    # ------------------------------------------------------------------ template <-> controls
    def _to_controls(self, tpl: MapTemplate) -> None:
        blockers = [QSignalBlocker(w) for w in (self.page_size, self.orientation, self.margins, self.dpi, self.title,
                                                 self.subtitle, self.marking, self.units, self.logo,
                                                 *self.toggles.values())]
        self.page_size.setCurrentText(tpl.page)
        self.orientation.setCurrentIndex(0 if tpl.landscape else 1)
        self.margins.setValue(tpl.margins_mm)
        self.dpi.setValue(tpl.dpi)
        self.title.setText(tpl.title)
        self.subtitle.setText(tpl.subtitle)
        self.marking.setText(tpl.elements["marking"].text)
        self.units.setCurrentIndex(max(self.units.findData(tpl.scale_units), 0))
        self.logo.setText(tpl.logo_path)
        for kind, box in self.toggles.items():
            box.setChecked(tpl.elements[kind].enabled)
        del blockers

    def _on_controls(self, *_args: Any) -> None:
        """Copy every control into the template, then redraw."""
        tpl = self.template
        landscape = self.orientation.currentIndex() == 0
        if landscape != tpl.landscape:
            tpl = tpl.with_orientation(landscape)  # elements go to the default places for the new shape
        tpl.page = self.page_size.currentText()
        tpl.margins_mm = self.margins.value()
        tpl.dpi = self.dpi.value()
        tpl.title = self.title.text()
        tpl.subtitle = self.subtitle.text()
        tpl.elements["marking"].text = self.marking.text()
        tpl.scale_units = self.units.currentData()
        tpl.logo_path = self.logo.text().strip()
        for kind, box in self.toggles.items():
            tpl.elements[kind].enabled = box.isChecked()
        self.template = tpl
        self.zone.setEnabled(self.extent_mode.currentData() == "zone")
        self.preview.set_template(tpl)
        self.schedule_preview()

    def current_template(self) -> MapTemplate:
        """A copy of the template as the controls and the preview describe it."""
        return MapTemplate.from_dict(self.template.to_dict())

    def apply_template(self, tpl: MapTemplate) -> None:
        """Show ``tpl`` (loaded or imported) in the controls and the preview."""
        self.template = MapTemplate.from_dict(tpl.to_dict())
        self._to_controls(self.template)
        self.preview.set_template(self.template)
        self.schedule_preview()

    def move_element(self, kind: str, x: float, y: float, w: float, h: float) -> None:
        """Place an element (page fractions inside the margins), as a drag in the preview does."""
        e = self.template.elements[kind]
        e.x, e.y, e.w, e.h = (round(v, 4) for v in (x, y, w, h))
        self.preview.set_template(self.template)
        self.schedule_preview()

    # ------------------------------------------------------------------ following the map
    def _watch(self) -> None:
        """Redraw the preview when layers change or, for 'Current map view', the canvas moves."""
        layers = self.project.layers
        for sig in (layers.inserted, layers.removed, layers.moved):
            sig.connect(self._on_layers)
        for layer in layers:
            layer.changed.connect(self._on_layer_changed)
        canvas = getattr(self.window_, "canvas", None)
        if canvas is not None and hasattr(canvas, "view_changed"):
            canvas.view_changed.connect(self._on_view_changed)

    def _unwatch(self) -> None:
        layers = self.project.layers
        for sig in (layers.inserted, layers.removed, layers.moved):
            sig.disconnect(self._on_layers)
        for layer in layers:
            layer.changed.disconnect(self._on_layer_changed)
        canvas = getattr(self.window_, "canvas", None)
        if canvas is not None and hasattr(canvas, "view_changed"):
            canvas.view_changed.disconnect(self._on_view_changed)

    def _on_layers(self, _index: int, layer: object = None) -> None:
        if isinstance(layer, Layer):
            if layer in list(self.project.layers):
                layer.changed.connect(self._on_layer_changed)
            else:
                layer.changed.disconnect(self._on_layer_changed)
        self.schedule_preview()

    def _on_layer_changed(self, what: str = "") -> None:
        self.schedule_preview()

    def _on_view_changed(self, _extent: object) -> None:
        self.refresh_view_extent()
        if self.extent_mode.currentData() == "view":
            self.schedule_preview()

    # ------------------------------------------------------------------ extent and public mode
    def refresh_view_extent(self) -> None:
        """Take the canvas's current view as the 'Current map view' extent."""
        canvas = getattr(self.window_, "canvas", None)
        ext = canvas.current_extent() if canvas is not None else None
        self.view_extent = ext if valid_extent(ext) else None

    def extent(self) -> Extent | None:
        mode = self.extent_mode.currentData()
        if mode == "zone":
            return zone_extent(self.project, self.zone.currentText())
        if mode == "full":
            return self.project.full_extent()
        return self.view_extent or self.project.full_extent()

    # ------------------------------------------------------------------ preview
    def schedule_preview(self) -> None:
        self._timer.start()

    def render_preview(self) -> None:
        """Render the page at preview resolution in the background."""
        self._timer.stop()
        tpl = self.current_template()
        tpl.dpi = PREVIEW_DPI
        self.renderer.request(partial(compose_map, self.project, tpl, extent=self.extent(),
                                      public=self.public.options()))

    def _on_preview(self, image: QImage, composed: ComposedMap) -> None:
        self.last_image, self.last_composed, self.preview_error = image, composed, ""
        self.preview.set_image(image)
        if self.preview_note.property("error"):
            self.preview_note.setProperty("error", False)
            self.preview_note.setStyleSheet("color: #555;")
            self.preview_note.setText(HINT)

    def _on_preview_failed(self, message: str) -> None:
        self.preview_error = message
        self.preview_note.setProperty("error", True)
        self.preview_note.setStyleSheet("color: #B00020;")
        self.preview_note.setText(f"The preview could not be drawn: {message}")

    def preview_idle(self) -> bool:
        """True when no preview render is due, running or waiting (tests wait on it)."""
        return not self._timer.isActive() and self.renderer.idle

    # ------------------------------------------------------------------ files
    def _browse_logo(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose a logo", self.logo.text(), IMAGE_FILTER)
        if path:
            self.logo.setText(path)
            self.toggles["logo"].setChecked(True)

    def _browse_output(self) -> None:
        name = slug(self.template.title or str(self.project.metadata.get("title", "")) or "map")
        start = self.output.text() or str(start_folder(self.project) / f"{name}.pdf")
        path, chosen = QFileDialog.getSaveFileName(self, "Export map", start, MAP_FILTER)
        if path:
            if Path(path).suffix.lower() not in FORMATS:
                path += ".png" if "PNG" in chosen else ".svg" if "SVG" in chosen else ".pdf"
            self.output.setText(path)

    # ------------------------------------------------------------------ export
    def export(self) -> bool:
        """Write the page to the output file on a worker thread; False if nothing started."""
        if not self.output.text().strip():
            self._browse_output()
        text = self.output.text().strip()
        if not text:
            return False
        path = Path(text).expanduser()
        if path.suffix.lower() not in FORMATS:
            self.window_.show_error("Unknown file type", f"{path.name}: the file name must end in .pdf, .png or .svg.")
            return False
        if not path.parent.is_dir():
            self.window_.show_error("No such folder", f"The folder {path.parent} does not exist.")
            return False
        if len(self.project.layers) == 0:
            self.window_.show_error("Nothing to export", "Add a layer to the map first.")
            return False
        tpl = self.current_template()
        fn = partial(export_map, self.project, path, tpl, extent=self.extent(), public=self.public.options())
        self._output_path = path
        started = self.runner.start(f"Writing {path.name} at {tpl.dpi} dpi…", fn, [path])
        self.export_button.setEnabled(not started)
        return started

    def _on_exported(self, _composed: object) -> None:
        self.export_button.setEnabled(True)
        path = self._output_path
        size = path.stat().st_size / 1024 if path.exists() else 0
        msg = f"Wrote {path} ({size:,.0f} KB)."
        remember(path)
        self.status.show_message(msg)
        bar = getattr(self.window_, "statusBar", None)
        if bar is not None:
            bar().showMessage(msg, 8000)

    def _on_export_failed(self, message: str, details: str, refused: bool) -> None:
        self.export_button.setEnabled(True)
        if refused:
            self.window_.show_error("Refused in public-release mode", message)
        else:
            self.window_.show_error("Export failed", f"{self._output_path.name} could not be written: {message}",
                                    details)

    def _shut_down(self) -> None:
        # A dialog closed mid-export must not leave a worker writing into a deleted dialog, nor
        # model signals calling into it.
        if self._closing:
            return
        self._closing = True
        self._unwatch()
        self.runner.cancel()
        self.runner.wait()
        self.renderer.stop()

    def closeEvent(self, event) -> None:
        self._shut_down()
        super().closeEvent(event)

    def done(self, result: int) -> None:
        self._shut_down()
        super().done(result)
