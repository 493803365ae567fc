"""Error reporting for the GUI: dialogs with details, and an exception hook that logs to a file.

Analysts never see a bare traceback on stderr: an unexpected exception becomes a dialog whose
"Show Details" holds the traceback, and the same text is appended to ``hotspot-desktop.log`` in the
user's data folder (QStandardPaths AppDataLocation) so it can be sent to support.
"""

from __future__ import annotations

import datetime as _dt
import logging
import sys
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

LOG_NAME = "hotspot-desktop.log"
log = logging.getLogger("hotspot_desktop")


def log_dir() -> Path:
    """The user's data folder for this app (created on demand)."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    path = Path(base or Path.home() / ".hotspot-desktop")
    path.mkdir(parents=True, exist_ok=True)
    return path


def log_path() -> Path:
    return log_dir() / LOG_NAME


def append_log(text: str) -> None:
    """Append a time-stamped entry to the log file; never raises (logging must not crash)."""
    try:
        with open(log_path(), "a", encoding="utf-8") as fh:
            fh.write(f"--- {_dt.datetime.now().isoformat(timespec='seconds')}\n{text.rstrip()}\n")
    except OSError:
        pass


def error_box(parent: QWidget | None, title: str, message: str, details: str = "") -> QMessageBox:
    """A modal-ready critical message box with optional expandable details (not yet shown)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle(title)
    box.setText(message)
    if details:
        box.setDetailedText(details)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.setObjectName("errorDialog")
    return box


def show_error(parent: QWidget | None, title: str, message: str, details: str = "") -> None:
    """Show an error dialog; non-blocking under tests so a failing test cannot hang on it."""
    box = error_box(parent, title, message, details)
    if QApplication.platformName() == "offscreen":
        # Headless runs (tests, --screenshot) must never block on a modal loop.
        box.setModal(False)
        box.show()
    else:
        box.exec()


def format_exception(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> str:
    return "".join(traceback.format_exception(exc_type, exc, tb))


def install_excepthook() -> None:
    """Route uncaught exceptions to a dialog with details and to the log file (idempotent)."""
    previous = sys.excepthook
    if getattr(previous, "_hotspot_hook", False):
        return

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            previous(exc_type, exc, tb)
            return
        details = format_exception(exc_type, exc, tb)
        append_log(details)
        sys.stderr.write(details)
        if QApplication.instance() is not None:
            parent = QApplication.activeWindow()
            show_error(parent, "Unexpected error",
                       f"Something went wrong: {exc}\n\nThe details were written to {log_path()}.", details)

    hook._hotspot_hook = True  # type: ignore[attr-defined]
    sys.excepthook = hook
