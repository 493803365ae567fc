"""Help dialogs: About (versions of the app and its libraries) and the offline user guide."""

from __future__ import annotations

import platform
import sys
from importlib import metadata
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTextBrowser, QVBoxLayout, QWidget

from hotspot_desktop import __version__

LIBRARIES = ("pyqtgraph", "numpy", "pandas", "geopandas", "shapely", "pyproj", "matplotlib", "scipy",
             "mapclassify", "pyogrio", "pyarrow", "psygnal")


def library_versions() -> dict[str, str]:
    """Name -> version of Python, Qt, PySide6 and the scientific libraries (installed or not)."""
    versions = {"Hotspot Desktop": __version__, "Python": platform.python_version(),
                "Qt": qVersion(), "PySide6": pyside_version}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


class AboutDialog(QDialog):
    """What this is, and the exact versions in use (to paste into a support request)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About Hotspot Desktop")
        layout = QVBoxLayout(self)
        intro = QLabel("<h3>Hotspot Desktop</h3><p>Offline hot spot mapping, patrol planning and "
                       "evaluation for crime analysts. No data leaves this computer.</p>")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        rows = "".join(f"<tr><td>{k}</td><td>&nbsp;{v}</td></tr>" for k, v in library_versions().items())
        self.versions = QLabel(f"<table>{rows}</table>")
        self.versions.setObjectName("versions")
        layout.addWidget(self.versions)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


def find_readme() -> Path | None:
    """README.md of the installation (source checkout or frozen bundle), if present."""
    here = Path(__file__).resolve()
    folders = [here.parents[1], here.parents[2]]
    bundle = getattr(sys, "_MEIPASS", None)  # PyInstaller puts README.md at the bundle root
    if bundle:
        folders.insert(0, Path(bundle))
    for folder in folders:
        candidate = folder / "README.md"
        if candidate.is_file():
            return candidate
    return None


class UserGuideDialog(QDialog):
    """The README rendered as Markdown in a local text viewer: no browser, no network."""

    def __init__(self, parent: QWidget | None = None, path: Path | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("User guide")
        self.resize(760, 640)
        layout = QVBoxLayout(self)
        self.viewer = QTextBrowser()
        # Links inside the guide must never launch a browser or fetch anything.
        self.viewer.setOpenExternalLinks(False)
        self.viewer.setOpenLinks(False)
        path = path or find_readme()
        if path is None:
            self.viewer.setPlainText("The user guide (README.md) is not included in this installation.")
        else:
            self.viewer.setMarkdown(path.read_text(encoding="utf-8", errors="replace"))
        layout.addWidget(self.viewer)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
