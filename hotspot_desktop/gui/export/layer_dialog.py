"""File ▸ Export ▸ Layer…: one layer to GeoPackage, GeoJSON, Shapefile, KML or CSV in the
working CRS, WGS 84 or the layer's original CRS."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hotspot_desktop.core.model import Layer, PointLayer
from hotspot_desktop.gui.export.folders import remember, start_folder
from hotspot_desktop.gui.export.job_status import export_runner
from hotspot_desktop.gui.export.layer_files import (
    WGS84,
    WGS84_ONLY,
    formats_for,
    write_layer_file,
)
from hotspot_desktop.gui.export.public_box import PublicReleaseBox

CRS_CHOICES = [("working", "Project working CRS"), ("wgs84", "WGS 84 longitude/latitude (EPSG:4326)"),
               ("source", "The layer's original CRS")]


class LayerExportDialog(QDialog):
    """Save one layer as a GIS file, in the background."""

    def __init__(self, window: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent if parent is not None else window)
        self.setObjectName("layerExportDialog")
        self.setWindowTitle("Export layer")
        self.window_ = window
        self.project = window.project
        self.layers: list[Layer] = [lyr for lyr in reversed(list(self.project.layers)) if len(lyr)
                                    and (hasattr(lyr, "gdf") or isinstance(lyr, PointLayer) or hasattr(lyr, "values"))]
        self.layer = QComboBox(objectName="exportLayer")
        for lyr in self.layers:
            self.layer.addItem(lyr.name)
        active = self.project.layers.active
        if active in self.layers:
            self.layer.setCurrentIndex(self.layers.index(active))
        self.format = QComboBox(objectName="exportFormat")
        self.crs = QComboBox(objectName="exportCrs")
        for key, label in CRS_CHOICES:
            self.crs.addItem(label, key)
        self.note = QLabel("", objectName="exportNote", wordWrap=True)
        self.note.setStyleSheet("color: #555;")
        self.public = PublicReleaseBox()
        self.output = QLineEdit(objectName="layerOutput")
        browse = QPushButton("Browse…", objectName="layerBrowse")
        browse.clicked.connect(self._browse)
        out = QHBoxLayout()
        out.addWidget(self.output, 1)
        out.addWidget(browse)
        form = QFormLayout()
        form.addRow("Layer", self.layer)
        form.addRow("Format", self.format)
        form.addRow("Coordinates", self.crs)
        form.addRow("Save as", out)

        self.runner, self.status = export_runner(self, self._on_written, self._on_failed,
                                                 lambda: self.write_button.setEnabled(True))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.write_button = buttons.addButton("Export", QDialogButtonBox.ButtonRole.ActionRole)
        self.write_button.setObjectName("writeLayer")
        self.write_button.setDefault(True)
        self.write_button.clicked.connect(self.write)
        buttons.rejected.connect(self.close)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.note)
        lay.addWidget(self.public)
        lay.addWidget(self.status)
        lay.addWidget(buttons)
        self.layer.currentIndexChanged.connect(self._on_layer)
        self.format.currentIndexChanged.connect(self._on_format)
        self.crs.currentIndexChanged.connect(self._update_note)
        self.public.changed.connect(self._update_note)
        self._on_layer()
        self.resize(560, self.sizeHint().height())

    def current_layer(self) -> Layer | None:
        i = self.layer.currentIndex()
        return self.layers[i] if 0 <= i < len(self.layers) else None

    def _on_layer(self, *_a: Any) -> None:
        layer = self.current_layer()
        ext = self.format.currentData()
        self.format.blockSignals(True)
        self.format.clear()
        if layer is not None:
            for e, label in formats_for(layer):
                self.format.addItem(f"{label} ({e})", e)
            i = self.format.findData(ext)
            self.format.setCurrentIndex(max(i, 0))
        self.format.blockSignals(False)
        src = getattr(layer, "source_crs", None)
        self.crs.model().item(2).setEnabled(src is not None)
        if src is None and self.crs.currentData() == "source":
            self.crs.setCurrentIndex(0)
        self._on_format()

    def _on_format(self, *_a: Any) -> None:
        ext = self.format.currentData() or ".gpkg"
        text = self.output.text().strip()
        layer = self.current_layer()
        if text:
            self.output.setText(str(Path(text).with_suffix(ext)))
        elif layer is not None:
            from hotspot_desktop.core.io.writers import slug

            folder = start_folder(self.project)
            self.output.setText(str(folder / f"{slug(layer.name)}{ext}"))
        self._update_note()

    def _update_note(self, *_a: Any) -> None:
        ext = self.format.currentData()
        layer = self.current_layer()
        notes = []
        if ext in WGS84_ONLY:
            notes.append(f"{ext[1:].upper()} files are always written in WGS 84 longitude/latitude.")
        if ext == ".asc":
            notes.append("ASCII grids are written in the working CRS, so the cells stay square.")
        if self.public.isChecked() and isinstance(layer, PointLayer):
            notes.append("Public release: the incident points are replaced by "
                         + ("geomasked points without attributes." if self.public.options().method == "donut"
                            else "counts per cell; small counts are suppressed."))
        self.note.setText(" ".join(notes))
        self.note.setVisible(bool(notes))

    def target_crs(self):
        key = self.crs.currentData()
        if key == "wgs84":
            return WGS84
        if key == "source":
            layer = self.current_layer()
            return getattr(layer, "source_crs", None) or self.project.working_crs
        return self.project.working_crs

    def _browse(self) -> None:
        ext = self.format.currentData() or ".gpkg"
        path, _ = QFileDialog.getSaveFileName(self, "Export layer", self.output.text(), f"{self.format.currentText()} (*{ext})")
        if path:
            self.output.setText(path if path.lower().endswith(ext) else path + ext)

    def write(self) -> bool:
        """Write the chosen layer on a worker thread."""
        layer = self.current_layer()
        text = self.output.text().strip()
        if layer is None or not text:
            self.window_.show_error("Nothing to export", "Choose a layer and a file name.")
            return False
        path = Path(text).expanduser()
        if not path.parent.is_dir():
            self.window_.show_error("No such folder", f"The folder {path.parent} does not exist.")
            return False
        fn = partial(write_layer_file, self.project, layer, path, self.target_crs(), self.public.options())
        self._path = path
        started = self.runner.start(f"Writing {path.name}…", fn, [path])
        self.write_button.setEnabled(not started)
        return started

    def _on_written(self, path: Path) -> None:
        self.write_button.setEnabled(True)
        self.status.show_message(f"Wrote {path}.")
        remember(path)
        bar = getattr(self.window_, "statusBar", None)
        if bar is not None:
            bar().showMessage(f"Wrote {path}", 8000)

    def _on_failed(self, message: str, details: str, refused: bool) -> None:
        self.write_button.setEnabled(True)
        if refused:
            self.window_.show_error("Refused in public-release mode", message)
        else:
            self.window_.show_error("Export failed", f"{self._path.name} could not be written: {message}", details)

    def done(self, result: int) -> None:
        self.runner.cancel()
        self.runner.wait()
        super().done(result)
