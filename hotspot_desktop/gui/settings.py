"""Persistent user settings (QSettings): recent files, display units, window layout."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

MAX_RECENT = 10
ORGANIZATION = "HotspotDesktop"
APPLICATION = "Hotspot Desktop"


def settings() -> QSettings:
    """The app's settings store (name and organisation are set by gui.app)."""
    return QSettings(ORGANIZATION, APPLICATION)


def recent_files() -> list[str]:
    value = settings().value("recent_files", [])
    if isinstance(value, str):  # QSettings returns a bare string for one-element lists
        value = [value]
    return [str(v) for v in (value or [])]


def add_recent_file(path: str | Path) -> list[str]:
    """Put ``path`` first in the recent list (deduplicated, capped) and return the new list."""
    p = str(Path(path).resolve())
    files = [p] + [f for f in recent_files() if f != p]
    files = files[:MAX_RECENT]
    settings().setValue("recent_files", files)
    return files


def clear_recent_files() -> None:
    settings().setValue("recent_files", [])


def display_units() -> str:
    """"m" (metric) or "ft" (imperial): the default for new projects."""
    value = str(settings().value("display_units", "m"))
    return value if value in ("m", "ft") else "m"


def set_display_units(units: str) -> None:
    settings().setValue("display_units", units)


def window_state() -> tuple[QByteArray | None, QByteArray | None]:
    s = settings()
    return s.value("window/geometry"), s.value("window/state")


def save_window_state(geometry: QByteArray, state: QByteArray) -> None:
    s = settings()
    s.setValue("window/geometry", geometry)
    s.setValue("window/state", state)


def last_directory() -> str:
    return str(settings().value("last_directory", str(Path.home())))


def set_last_directory(path: str | Path) -> None:
    p = Path(path)
    settings().setValue("last_directory", str(p if p.is_dir() else p.parent))
