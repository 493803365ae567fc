"""The briefing dialog: a multi-page PDF (cover map, top hot spots, timing, trend, zones,
community input, patrol plan, methods, the equity check) written in the background. The
incident layer briefed on is shown and can be changed (point layers of incidents only); the
project's equity layer is shown and can be set from here (the equity layer dialog). A
public-release briefing never includes the patrol plan (a published schedule would make the
patrols predictable)."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
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

from hotspot_desktop.core.model import PointLayer
from hotspot_desktop.export.briefing import BriefingContent, write_briefing
from hotspot_desktop.export.page import PAGE_SIZES_MM
from hotspot_desktop.gui.export.folders import remember, start_folder
from hotspot_desktop.gui.export.job_status import export_runner
from hotspot_desktop.gui.export.patrol_source import latest_patrol_plan
from hotspot_desktop.gui.export.public_box import PublicReleaseBox


PLAN_PUBLIC_TIP = ("A public-release briefing never includes the patrol plan: the times and places of the visits "
                   "would make the patrols predictable. Untick Public release to include it.")
PLAN_TIP = "A timeline per shift and every visit of the patrol plan."


def incidents_combo(project: Any, name: str) -> QComboBox:
    """A combo box of the project's incident layers (role incidents, top-most first), starting
    on :meth:`Project.incident_layer`; the layer id is each item's data."""
    box = QComboBox(objectName=name)
    box.setToolTip("The point layer of incidents (crime records) this uses. Community input and patrol logs "
                   "(AVL pings) are never the incidents.")
    for lyr in project.incident_layers():
        dated = "" if lyr.times is not None else " (no dates)"
        box.addItem(f"{lyr.name}{dated}", lyr.id)
    current = project.incident_layer()
    if current is not None:
        box.setCurrentIndex(max(0, box.findData(current.id)))
    if box.count() == 0:
        box.addItem("(no incident layer)", None)
        box.setEnabled(False)
    return box


def chosen_incidents(project: Any, box: QComboBox) -> PointLayer | None:
    layer = project.layers.by_id(box.currentData()) if box.currentData() else None
    return layer if isinstance(layer, PointLayer) else None


class BriefingDialog(QDialog):
    """Choose title, page size, public mode and patrol plan; write the briefing PDF."""

    def __init__(self, window: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent if parent is not None else window)
        self.setObjectName("briefingDialog")
        self.setWindowTitle("Briefing PDF")
        self.window_ = window
        self.project = window.project
        self.plan = latest_patrol_plan(window)
        self.content: BriefingContent | None = None
        self.written: Path | None = None

        self.title = QLineEdit(str(self.project.metadata.get("title") or "Crime briefing"), objectName="briefingTitle")
        self.page = QComboBox(objectName="briefingPage")
        self.page.addItems(list(PAGE_SIZES_MM))
        self.incidents = incidents_combo(self.project, "briefingIncidents")
        self.include_plan = QCheckBox("Include the patrol plan", objectName="includePlan")
        self._plan_wanted = True  # the analyst's choice, restored when Public release is unticked
        self.plan_button = QPushButton("Plan file…", objectName="briefingPlanFile")
        self.plan_button.setToolTip("Use a patrol plan saved as CSV (the Patrol plan tool's visits table).")
        self.plan_button.clicked.connect(self.choose_plan_file)
        self.plan_text = QLabel("", objectName="briefingPlanText")
        self.plan_text.setWordWrap(True)
        self._show_plan("the latest patrol plan result")
        plan_row = QHBoxLayout()
        plan_row.addWidget(self.include_plan)
        plan_row.addStretch(1)
        plan_row.addWidget(self.plan_button)
        self.include_equity = QCheckBox("Include the equity check", objectName="includeEquity")
        self.include_equity.setToolTip("The methods appendix compares who lives in the patrol zones with the whole "
                                       "area's population and the incidents (Tools ▸ Patrol ▸ Equity layer…).")
        self.equity_text = QLabel("", objectName="briefingEquityText")
        self.equity_text.setWordWrap(True)
        self.equity_button = QPushButton("Equity layer…", objectName="briefingEquity")
        self.equity_button.clicked.connect(self.edit_equity)
        self.equity_dialog = None
        equity_row = QHBoxLayout()
        equity_row.addWidget(self.include_equity)
        equity_row.addStretch(1)
        equity_row.addWidget(self.equity_button)
        self._show_equity()
        self.public = PublicReleaseBox()
        self.public.toggled.connect(lambda _on: self._update_plan_box())
        self.include_plan.toggled.connect(self._on_include_plan)
        self._update_plan_box()
        self.output = QLineEdit(objectName="briefingOutput")
        folder = start_folder(self.project)
        self.output.setText(str(folder / "briefing.pdf"))
        browse = QPushButton("Browse…", objectName="briefingBrowse")
        browse.clicked.connect(self._browse)
        out = QHBoxLayout()
        out.addWidget(self.output, 1)
        out.addWidget(browse)

        form = QFormLayout()
        form.addRow("Title", self.title)
        form.addRow("Page size", self.page)
        form.addRow("Incidents", self.incidents)
        form.addRow("Patrol plan", plan_row)
        form.addRow("", self.plan_text)
        form.addRow("Equity", equity_row)
        form.addRow("", self.equity_text)
        form.addRow("Save as", out)

        self.runner, self.status = export_runner(self, self._on_written, self._on_failed,
                                                 lambda: self.write_button.setEnabled(True))
        self.open_folder = QPushButton("Open folder", objectName="openFolder")
        self.open_folder.setVisible(False)
        self.open_folder.clicked.connect(self._open_folder)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.write_button = self.buttons.addButton("Write PDF", QDialogButtonBox.ButtonRole.ActionRole)
        self.write_button.setObjectName("writeBriefing")
        self.write_button.setDefault(True)
        self.write_button.clicked.connect(self.write)
        self.buttons.rejected.connect(self.close)

        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.public)
        lay.addWidget(self.status)
        row = QHBoxLayout()
        row.addWidget(self.open_folder)
        row.addStretch(1)
        row.addWidget(self.buttons)
        lay.addLayout(row)
        self.resize(560, self.sizeHint().height())

    def _show_plan(self, source: str) -> None:
        if self.plan is None:
            self.plan_text.setText("No plan: run Tools ▸ Patrol ▸ Patrol plan, or choose a plan file.")
        else:
            self._plan_wanted = True
            self.plan_text.setText(f"{len(self.plan.visits)} visits from {source}: a timeline per shift and "
                                   "every visit are added.")
        self._update_plan_box()

    def _on_include_plan(self, on: bool) -> None:
        if self.include_plan.isEnabled():  # the analyst's tick, not the one public mode forces off
            self._plan_wanted = bool(on)

    def _update_plan_box(self) -> None:
        """Include the patrol plan: off without a plan; off and disabled in public-release mode."""
        public = hasattr(self, "public") and self.public.isChecked()
        self.include_plan.setEnabled(self.plan is not None and not public)
        self.include_plan.setChecked(self.plan is not None and not public and self._plan_wanted)
        self.include_plan.setToolTip(PLAN_PUBLIC_TIP if public else PLAN_TIP)

    def choose_plan_file(self, path: str | None = None) -> bool:
        """Read a plan CSV (from a file dialog when ``path`` is not given); say why when it is not a plan."""
        from hotspot_desktop.core.io.patrol_io import read_plan_csv

        if not path:
            path, _ = QFileDialog.getOpenFileName(self, "Patrol plan", str(start_folder(self.project)),
                                                  "Patrol plan (*.csv)")
        if not path:
            return False
        try:
            self.plan = read_plan_csv(Path(path))
        except (ValueError, OSError) as exc:
            self.plan_text.setText(f"{Path(path).name} is not a patrol plan: {exc}")
            return False
        self._show_plan(Path(path).name)
        return True

    def _show_equity(self) -> None:
        from hotspot_desktop.gui.equity_dialog import describe_setting

        has = self.project.equity is not None
        self.include_equity.setEnabled(has)
        self.include_equity.setChecked(has)
        self.equity_text.setText(describe_setting(self.project))

    def edit_equity(self) -> None:
        """Open the equity layer dialog; the row shows the new setting when it closes."""
        from hotspot_desktop.gui.equity_dialog import EquityDialog

        self.equity_dialog = EquityDialog(self.project, self)
        self.equity_dialog.finished.connect(lambda _r: self._show_equity())
        self.equity_dialog.open()

    def _browse(self) -> None:
        start = self.output.text() or str(start_folder(self.project) / "briefing.pdf")
        path, _ = QFileDialog.getSaveFileName(self, "Write briefing", start, "PDF document (*.pdf)")
        if path:
            self.output.setText(path if path.lower().endswith(".pdf") else path + ".pdf")

    def write(self) -> bool:
        """Write the PDF on a worker thread (about 10 s for a large project)."""
        if not self.output.text().strip():
            self._browse()
        text = self.output.text().strip()
        if not text:
            return False
        path = Path(text).expanduser()
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
            self.output.setText(str(path))
        if not path.parent.is_dir():
            self.window_.show_error("No such folder", f"The folder {path.parent} does not exist.")
            return False
        public = self.public.options()
        plan = self.plan if self.include_plan.isChecked() and public is None else None
        fn = partial(write_briefing, self.project, path, title=self.title.text().strip() or "Crime briefing",
                     page=self.page.currentText(), public=public, patrol_plan=plan,
                     use_project_equity=self.include_equity.isChecked(),
                     incidents=chosen_incidents(self.project, self.incidents))
        self._path = path
        self.open_folder.setVisible(False)
        started = self.runner.start(f"Writing {path.name}…", fn, [path])
        self.write_button.setEnabled(not started)
        return started

    def _on_written(self, content: BriefingContent) -> None:
        self.write_button.setEnabled(True)
        self.content, self.written = content, self._path
        remember(self._path)
        msg = f"Wrote {self._path} ({len(content.pages)} sections: {', '.join(content.pages)})."
        if content.warnings:
            msg += " " + " ".join(content.warnings)
        self.status.show_message(msg)
        self.open_folder.setVisible(True)
        bar = getattr(self.window_, "statusBar", None)
        if bar is not None:
            bar().showMessage(f"Wrote {self._path}", 8000)

    def _on_failed(self, message: str, details: str, refused: bool) -> None:
        self.write_button.setEnabled(True)
        if refused:
            self.window_.show_error("Refused in public-release mode", message)
        else:
            self.window_.show_error("Briefing failed", f"{self._path.name} could not be written: {message}", details)

    def _open_folder(self) -> None:
        if self.written is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.written.parent)))

    def done(self, result: int) -> None:
        # Closing mid-write: the worker finishes, its file is discarded, then the dialog goes.
        self.runner.cancel()
        self.runner.wait(120000)
        super().done(result)

    def closeEvent(self, event) -> None:
        self.runner.cancel()
        self.runner.wait(120000)
        super().closeEvent(event)
