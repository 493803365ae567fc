"""Where export file dialogs start: the last folder written to, else the project's folder."""

from __future__ import annotations

from pathlib import Path

from hotspot_desktop.core.model import Project
from hotspot_desktop.gui import settings


def start_folder(project: Project) -> Path:
    """The folder of the last export (remembered across sessions), else the project's, else home."""
    last = Path(settings.last_directory())
    if last.is_dir() and last != Path.home():
        return last
    return project.path.parent if project.path else Path.home()


def remember(path: str | Path) -> None:
    """Start the next export dialog where this file was written."""
    settings.set_last_directory(path)
