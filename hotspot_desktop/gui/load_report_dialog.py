"""The load report shown after every import: counts, rejections by reason, detections, warnings.

Nothing is dropped silently: rejected rows can be saved to a CSV (with their reason) for
correction at source.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hotspot_desktop.core.io.report import REASONS, LoadReport
from hotspot_desktop.gui import settings


def _fmt(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


class LoadReportDialog(QDialog):
    """Shows one :class:`LoadReport`; "Save rejected rows…" writes them to CSV."""

    def __init__(self, report: LoadReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report = report
        self.setObjectName("loadReportDialog")
        self.setWindowTitle(f"Load report — {Path(report.source).name}")
        self.resize(620, 460)
        layout = QVBoxLayout(self)
        self.summary = QLabel(f"<b>{report.source}</b>: {report.rows_read:,} rows read, "
                              f"<b>{report.rows_kept:,} kept</b>, {report.rows_rejected:,} rejected")
        self.summary.setObjectName("reportSummary")
        layout.addWidget(self.summary)

        self.tree = QTreeWidget()
        self.tree.setObjectName("reportTree")
        self.tree.setHeaderLabels(["Item", "Value"])
        if report.rejected:
            top = QTreeWidgetItem(["Rejected", f"{report.rows_rejected:,}"])
            for key, rej in report.rejected.items():
                rows = ", ".join(map(str, rej.first_rows)) + (" …" if rej.count > len(rej.first_rows) else "")
                top.addChild(QTreeWidgetItem([REASONS.get(key, key), f"{rej.count:,} (rows {rows})"]))
            self.tree.addTopLevelItem(top)
            top.setExpanded(True)
        if report.detected:
            top = QTreeWidgetItem(["Detected", ""])
            for key, value in report.detected.items():
                item = QTreeWidgetItem([str(key), _fmt(value)])
                item.setToolTip(1, _fmt(value))  # long values (the column mapping) are cut in the view
                top.addChild(item)
            self.tree.addTopLevelItem(top)
            top.setExpanded(True)
        self.tree.resizeColumnToContents(0)
        layout.addWidget(self.tree, 1)

        self.warnings = QPlainTextEdit("\n".join(report.warnings))
        self.warnings.setReadOnly(True)
        self.warnings.setMaximumHeight(90)
        self.warnings.setVisible(bool(report.warnings))
        layout.addWidget(self.warnings)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.save_button = QPushButton("Save rejected rows…")
        self.save_button.setObjectName("saveRejected")
        self.save_button.setEnabled(report.rows_rejected > 0)
        self.save_button.clicked.connect(self.on_save_rejected)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def text(self) -> str:
        """The report as plain text (the same lines the CLI prints)."""
        return "\n".join(self.report.summary_lines())

    def on_save_rejected(self) -> None:
        start = f"{settings.last_directory()}/{self.report.source.rsplit('.', 1)[0]}_rejected.csv"
        path, _ = QFileDialog.getSaveFileName(self, "Save rejected rows", start, "CSV (*.csv)")
        if path:
            self.save_rejected(path)

    def save_rejected(self, path: str) -> int:
        """Write rejected rows to ``path``; returns how many."""
        n = self.report.save_rejected_csv(path)
        self.summary.setText(self.summary.text() + f"<br>Saved {n:,} rejected rows to {path}")
        return n
