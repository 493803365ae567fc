"""A progress row for export jobs: busy bar, status text and a Cancel button."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from hotspot_desktop.gui.export.jobs import ExportRunner


class JobStatus(QWidget):
    """Shows what ``runner`` is doing; Cancel asks it to stop."""

    def __init__(self, runner: ExportRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.bar = QProgressBar(self)
        self.bar.setObjectName("exportProgress")
        # Matplotlib writes a page in one call, so progress is shown as busy, not as a percentage.
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.bar.setTextVisible(False)
        self.bar.setMaximumWidth(160)
        self.bar.setVisible(False)
        self.label = QLabel("", self)
        self.label.setObjectName("exportStatus")
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setWordWrap(True)
        self.cancel_button = QPushButton("Cancel export", self)
        self.cancel_button.setObjectName("cancelExport")
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(self._cancel)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.bar)
        lay.addWidget(self.label, 1)
        lay.addWidget(self.cancel_button)
        runner.started.connect(self._on_started)
        runner.finished.connect(lambda _r: self._idle())
        runner.failed.connect(lambda *_a: self._idle("Export failed."))
        runner.cancelled.connect(lambda: self._idle("Export cancelled; nothing was written."))

    def show_message(self, text: str) -> None:
        self.label.setText(text)

    def _on_started(self, label: str) -> None:
        self.bar.setRange(0, 0)
        self.bar.setVisible(True)
        self.cancel_button.setEnabled(True)
        self.cancel_button.setVisible(True)
        self.label.setText(label)

    def _cancel(self) -> None:
        self.runner.cancel()
        self.cancel_button.setEnabled(False)
        self.label.setText("Cancelling…")

    def _idle(self, text: str | None = None) -> None:
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.bar.setVisible(False)
        self.cancel_button.setVisible(False)
        if text is not None:
            self.label.setText(text)


def export_runner(parent: QWidget, on_done: Callable[[Any], None], on_failed: Callable[[str, str, bool], None],
                  on_cancelled: Callable[[], None]) -> tuple[ExportRunner, JobStatus]:
    """An export runner wired to a dialog's handlers, with its status row."""
    runner = ExportRunner(parent)
    runner.finished.connect(on_done)
    runner.failed.connect(on_failed)
    runner.cancelled.connect(on_cancelled)
    return runner, JobStatus(runner)
