"""The ``hotspot-desktop`` command: the GUI by default, headless sub-commands otherwise.

    hotspot-desktop [PROJECT_OR_DATA_FILE ...] [--screenshot OUT.png] [--safe-mode] [--smoke]
    hotspot-desktop inspect FILE [--json]
    hotspot-desktop tools [--json]
    hotspot-desktop run TOOL_ID --input FILE ... --NAME=VALUE ... --out FILE
    hotspot-desktop export ...

Each sub-command lives in its own module exposing ``add_parser(subparsers)`` and
``run(args) -> int``; exit codes are documented in README ("CLI").
"""

from __future__ import annotations

import importlib
import sys

# sub-command name -> module (imported lazily so the GUI starts fast)
SUBCOMMANDS = {
    "inspect": "hotspot_desktop.cli.inspect_cmd",
    "tools": "hotspot_desktop.cli.tools_cmd",
    "run": "hotspot_desktop.cli.run_cmd",
    "export": "hotspot_desktop.cli.export_cmd",
}

EXIT_OK = 0
EXIT_FAILURE = 1  # the command ran but failed (analysis error, unreadable file)
EXIT_USAGE = 2  # bad arguments
EXIT_CANCELLED = 3


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in SUBCOMMANDS:
        import argparse

        module = importlib.import_module(SUBCOMMANDS[argv[0]])
        parser = argparse.ArgumentParser(prog="hotspot-desktop")
        sub = parser.add_subparsers(dest="command", required=True)
        module.add_parser(sub)
        args, extra = parser.parse_known_args(argv)
        if extra and not getattr(module, "ACCEPTS_EXTRA", False):
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        args.extra = extra
        return int(module.run(args) or 0)
    from hotspot_desktop.cli.gui_cmd import run_gui

    return run_gui(argv)
