"""Autosave of unsaved zone edits and the offer to restore them.

After every zone change (debounced) the project's zones go to a recovery file in the user's
data folder (core/recovery.py). Saving the project removes it. When a project is shown (start-up
or Open) and a recovery file newer than the project exists, a message box offers to restore it;
the box is non-blocking (``open``), so start-up never waits on it.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QStandardPaths, QTimer, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from hotspot_desktop.core import recovery
from hotspot_desktop.core.model import Layer, Project
from hotspot_desktop.gui import errors

AUTOSAVE_DELAY_MS = 1500
ENV_FOLDER = "HOTSPOT_RECOVERY_DIR"  # overrides the folder (tests, portable installs)


def recovery_folder() -> Path:
    """<user data folder>/recovery, or $HOTSPOT_RECOVERY_DIR."""
    env = os.environ.get(ENV_FOLDER)
    if env:
        return Path(env)
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base or Path.home() / ".hotspot-desktop") / "recovery"


class ZoneAutosave(QObject):
    """Writes recovery files for a window's project and offers them back."""

    written = Signal(object)  # Path of the recovery file
    restored = Signal(object)  # list of zone layers restored

    def __init__(self, window: QWidget, project: Project, delay_ms: int = AUTOSAVE_DELAY_MS) -> None:
        super().__init__(window)
        self.window = window
        self.folder = recovery_folder()
        self.project: Project | None = None
        self.box: QMessageBox | None = None
        self._timer = QTimer(self, singleShot=True, interval=delay_ms)
        self._timer.timeout.connect(self.write_now)
        window.installEventFilter(self)
        self.set_project(project)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.window and event.type() == QEvent.Type.Close:
            # The window asks to save unsaved changes before it closes; look once the close
            # has been decided. Closed means saved or deliberately discarded: nothing to recover.
            QTimer.singleShot(0, self._after_close)
        return False

    def _after_close(self) -> None:
        if not self.window.isVisible() and self.project is not None:
            self._timer.stop()
            self.clear()

    # --- wiring -------------------------------------------------------------------------------
    def set_project(self, project: Project) -> None:
        if self.project is not None:
            self.project.changed.disconnect(self._on_project_changed)
            self.project.layers.inserted.disconnect(self._on_inserted)
            self.project.layers.removed.disconnect(self._on_removed)
            for layer in self.project.layers.of_kind("zones"):
                layer.changed.disconnect(self._on_zone_changed)
        self._timer.stop()
        self.project = project
        project.changed.connect(self._on_project_changed)
        project.layers.inserted.connect(self._on_inserted)
        project.layers.removed.connect(self._on_removed)
        for layer in project.layers.of_kind("zones"):
            layer.changed.connect(self._on_zone_changed)

    def _on_inserted(self, _i: int, layer: Layer) -> None:
        if layer.kind == "zones":
            layer.changed.connect(self._on_zone_changed)

    def _on_removed(self, _i: int, layer: Layer) -> None:
        if layer.kind == "zones":
            layer.changed.disconnect(self._on_zone_changed)
            self._timer.start()

    def _on_zone_changed(self, what: str) -> None:
        if what == "data":
            self._timer.start()

    def _on_project_changed(self, what: str) -> None:
        # project_io.save_project emits "path" after a successful save: the edits are safe.
        if what == "path" and self.project is not None and not self.project.modified:
            self._timer.stop()
            self.clear()

    # --- files --------------------------------------------------------------------------------
    def write_now(self) -> Path | None:
        """Write the recovery file now (also what the timer does)."""
        self._timer.stop()
        if self.project is None:
            return None
        try:
            path = recovery.write_recovery(self.folder, self.project)
        except OSError as exc:  # a full disk must not interrupt drawing
            errors.append_log(f"zone autosave failed: {exc}")
            return None
        self.written.emit(path)
        return path

    def pending(self) -> Path | None:
        """True while an autosave is scheduled but not yet written."""
        return recovery.recovery_file(self.folder, self.project.path) if self._timer.isActive() else None

    def clear(self) -> None:
        """Drop the project's recovery file (after a save)."""
        recovery.clear_recovery(self.folder, self.project.path)
        if self.project.path is not None:
            recovery.clear_recovery(self.folder, None)  # the untitled file became this project

    # --- restore ------------------------------------------------------------------------------
    def check(self) -> QMessageBox | None:
        """Offer a recovery newer than the project, if any (a non-blocking message box)."""
        if self.box is not None:
            return self.box  # already asking (start-up check and Open of a file at launch)
        rec = recovery.pending_recovery(self.folder, self.project.path)
        if rec is None:
            return None
        when = rec.written.astimezone().strftime("%Y-%m-%d %H:%M")
        name = self.project.path.name if self.project.path else "an untitled project"
        box = QMessageBox(QMessageBox.Icon.Question, "Restore unsaved zones?",
                          f"Zone edits of {name} from {when} were not saved ({rec.zone_count()} zones).\n\n"
                          "Restore them?",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Discard, self.window)
        box.setObjectName("restoreZonesBox")
        box.setDefaultButton(QMessageBox.StandardButton.Yes)
        box.finished.connect(lambda result, r=rec: self._answered(result, r))
        self.box = box
        box.open()
        return box

    def _answered(self, result: int, rec: recovery.Recovery) -> None:
        self.box = None
        if result == QMessageBox.StandardButton.Yes:
            self.restore(rec)
        else:
            recovery.clear_recovery(self.folder, rec.project_path)

    def restore(self, rec: recovery.Recovery) -> list:
        """Bring the recovered zones into the project (marked unsaved)."""
        touched = recovery.restore(self.project, rec)
        self.project.modified = True
        self.project.changed.emit("modified")
        self.restored.emit(touched)
        return touched
