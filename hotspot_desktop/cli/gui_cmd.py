"""``hotspot-desktop [PATHS...]``: start the GUI, optionally just to save a screenshot.

    hotspot-desktop [PROJECT.hsproj | DATA_FILE ...] [--screenshot OUT.png] [--safe-mode] [--version]

A ``.hsproj`` opens as the project; other paths are added as layers. ``--screenshot`` waits until
loading and map rendering are done, saves the main window as a PNG and exits (0 on success).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

SCREENSHOT_TIMEOUT_MS = 120_000
POLL_MS = 100


def build_parser() -> argparse.ArgumentParser:
    from hotspot_desktop.cli import SUBCOMMANDS

    parser = argparse.ArgumentParser(
        prog="hotspot-desktop",
        description="Offline hot spot mapping for crime analysts. Without a sub-command the GUI starts.",
        epilog="sub-commands (run 'hotspot-desktop COMMAND --help'): " + ", ".join(SUBCOMMANDS),
    )
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="a project (.hsproj) to open, or data files (CSV, Shapefile, GeoPackage, ...) to add")
    parser.add_argument("--screenshot", metavar="OUT.png",
                        help="open, wait until the map is drawn, save a picture of the window and exit")
    parser.add_argument("--safe-mode", action="store_true", help="start without third-party tools")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    parser.add_argument("--smoke", action="store_true",
                        help="self-test: open the sample project (or PATH), run a KDE and a Gi*, export a PNG and a "
                             "PDF, exit 0 on success")
    parser.add_argument("--smoke-out", metavar="DIR", help="where --smoke writes its exports (default: a temp folder)")
    return parser


def run_gui(argv: list[str]) -> int:
    """Entry point of the GUI; returns the process exit code."""
    from hotspot_desktop.cli import EXIT_FAILURE, EXIT_OK

    args = build_parser().parse_args(argv)
    if args.version:
        from hotspot_desktop import __version__

        print(f"hotspot-desktop {__version__}")
        return EXIT_OK

    if args.smoke:
        import os

        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY") and sys.platform.startswith("linux"):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from hotspot_desktop.gui.app import create_app

    app = create_app([])
    from hotspot_desktop.gui.main_window import MainWindow

    window = MainWindow(safe_mode=args.safe_mode)
    if args.screenshot:
        window.interactive = False  # nobody is there to answer questions
        window.resize(1280, 800)  # the same picture whatever size the window was last closed at
    window.show()
    projects = [p for p in args.paths if p.lower().endswith(".hsproj")]
    if args.smoke:
        from hotspot_desktop.gui.smoke import run_smoke

        return run_smoke(app, window, Path(projects[0]) if projects else None,
                         Path(args.smoke_out) if args.smoke_out else None)
    data = [p for p in args.paths if not p.lower().endswith(".hsproj")]
    if projects:
        window.open_project(projects[0])
    if data:
        window.add_files(data)
    if not args.screenshot:
        return int(app.exec())
    return _screenshot(app, window, Path(args.screenshot), EXIT_OK, EXIT_FAILURE)


def _screenshot(app, window, out: Path, ok: int, failure: int) -> int:
    """Poll until loads and rendering finish, then save ``window.grab()`` to ``out``."""
    from PySide6.QtCore import QElapsedTimer, QTimer

    clock = QElapsedTimer()
    clock.start()
    result = {"code": failure}

    def poll() -> None:
        done = not window.is_busy() and window.canvas.is_render_complete()
        if not done and clock.elapsed() < SCREENSHOT_TIMEOUT_MS:
            QTimer.singleShot(POLL_MS, poll)
            return
        if not done:
            print(f"screenshot: gave up waiting after {SCREENSHOT_TIMEOUT_MS / 1000:.0f} s; saving as is",
                  file=sys.stderr)
        out.parent.mkdir(parents=True, exist_ok=True)
        if window.grab().save(str(out), "PNG"):
            result["code"] = ok
        else:
            print(f"screenshot: could not write {out}", file=sys.stderr)
        window.project.modified = False  # a screenshot run never prompts to save
        window.close()
        app.quit()

    # Give the first paint a chance before polling.
    QTimer.singleShot(300, poll)
    app.exec()
    return result["code"]

