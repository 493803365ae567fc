"""The task panel dock and the status-bar progress of the task runner."""

from __future__ import annotations

from PySide6.QtWidgets import (QDockWidget, QHBoxLayout, QHeaderView, QLabel, QProgressBar, QPushButton, QStatusBar,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from hotspot_desktop.gui.tasks import Task, TaskRunner

COLUMNS = ("Task", "Status", "Progress", "Time", "")


def format_seconds(s: float | None) -> str:
    if s is None:
        return ""
    s = int(round(s))
    return f"{s // 60}:{s % 60:02d}" if s >= 60 else f"{s} s"


def time_text(task: Task) -> str:
    rem = task.remaining()
    text = format_seconds(task.elapsed()) if task.started else ""
    return f"{text}, ~{format_seconds(rem)} left" if rem is not None else text


class TaskPanel(QDockWidget):
    """One row per task: name, status/stage, progress bar, elapsed and estimate, Cancel."""

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__("Tasks", parent)
        self.setObjectName("TaskPanel")
        self.runner = runner
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, len(COLUMNS)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        body = QWidget(self)
        lay = QVBoxLayout(body)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addWidget(self.table)
        self.clear_button = QPushButton("Clear finished", body)
        self.clear_button.setObjectName("clearFinishedTasks")
        self.clear_button.clicked.connect(self.clear_finished)
        lay.addWidget(self.clear_button)
        self.setWidget(body)
        self._rows: dict[int, int] = {}
        runner.added.connect(self._add)
        runner.changed.connect(self._update)

    def clear_finished(self) -> None:
        """Drop the rows (and the runner's records) of tasks that have ended."""
        ended = [tid for tid in self._rows if not self.runner.tasks[tid].active]
        for tid in sorted(ended, key=lambda t: self._rows[t], reverse=True):
            self.table.removeRow(self._rows.pop(tid))
            del self.runner.tasks[tid]
        for new_row, tid in enumerate(sorted(self._rows, key=self._rows.get)):
            self._rows[tid] = new_row

    def row_of(self, task_id: int) -> int:
        return self._rows[task_id]

    def cancel_button(self, task_id: int) -> QPushButton:
        return self.table.cellWidget(self._rows[task_id], 4)  # type: ignore[return-value]

    def set_notes(self, task: Task, notes: list[str]) -> None:
        """Show a finished run's notes (rules used, warnings) as the row's tooltip."""
        row = self._rows.get(task.id)
        if row is None or not notes:
            return
        text = "\n".join(notes)
        for col in (0, 1, 3):
            self.table.item(row, col).setToolTip(text)

    def _add(self, task: Task) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self._rows[task.id] = row
        self.table.setItem(row, 0, QTableWidgetItem(task.label))
        self.table.setItem(row, 1, QTableWidgetItem(task.stage))
        bar = QProgressBar(self.table)
        bar.setRange(0, 100)
        self.table.setCellWidget(row, 2, bar)
        self.table.setItem(row, 3, QTableWidgetItem(""))
        btn = QPushButton("Cancel", self.table)
        btn.setObjectName(f"cancelTask{task.id}")
        btn.clicked.connect(lambda: self.runner.cancel(task.id))
        self.table.setCellWidget(row, 4, btn)

    def _update(self, task: Task) -> None:
        row = self._rows.get(task.id)
        if row is None:
            return
        self.table.item(row, 1).setText(task.error or task.stage if task.state == "failed" else task.stage)
        self.table.cellWidget(row, 2).setValue(int(round(task.fraction * 100)))  # type: ignore[attr-defined]
        self.table.item(row, 3).setText(time_text(task))
        self.table.cellWidget(row, 4).setEnabled(task.active and task.state != "cancelling")


class StatusProgress(QWidget):
    """Compact progress of the running task(s) in the status bar, hidden when idle."""

    def __init__(self, runner: TaskRunner, status_bar: QStatusBar) -> None:
        super().__init__(status_bar)
        self.setObjectName("statusProgress")
        self.runner = runner
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel(self)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 100)
        self.bar.setMaximumWidth(160)
        self.cancel = QPushButton("Cancel", self)
        self.cancel.clicked.connect(self._cancel_current)
        for w in (self.label, self.bar, self.cancel):
            lay.addWidget(w)
        status_bar.addPermanentWidget(self)
        self.hide()
        runner.changed.connect(self._update)

    def _current(self) -> Task | None:
        running = self.runner.running()
        return running[0] if running else None

    def _cancel_current(self) -> None:
        t = self._current()
        if t is not None:
            self.runner.cancel(t.id)

    def _update(self, _task: Task) -> None:
        t = self._current()
        if t is None:
            self.hide()
            return
        queued = sum(1 for x in self.runner.tasks.values() if x.state == "queued")
        more = f" (+{queued} queued)" if queued else ""
        self.label.setText(f"{t.label}: {t.stage} {time_text(t)}{more}")
        self.bar.setValue(int(round(t.fraction * 100)))
        self.show()
