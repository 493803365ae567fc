"""``hotspot-desktop tools [TOOL_ID] [--json] [--safe-mode]``: list the tools and their parameters.

The parameter names printed here are the ``--NAME=VALUE`` options of ``hotspot-desktop run``.
Broken plugins are listed with their error. Exit code 0 (2 for an unknown TOOL_ID).
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap

from hotspot_desktop.tools.base import Param, Tool
from hotspot_desktop.tools.registry import load_registry


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("tools", help="list analysis tools and their parameters", description=__doc__,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("tool_id", nargs="?", help="show one tool in full (help, reference, parameters)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--safe-mode", action="store_true", help="only the application's own tools")


def describe_param(p: Param) -> str:
    """One line per parameter: ``--name  TYPE [unit] (default ...)  label``."""
    kind = p.kind
    if p.kind == "layer":
        kind = f"layer[{'|'.join(p.geometry) or 'any'}]"
    elif p.kind == "field":
        kind = f"field of {p.layer_param}" + (" (numeric)" if p.numeric_field else "")
    elif p.kind == "choice":
        kind = "{" + ",".join(p.choices) + "}"
    elif p.kind == "zones":
        kind = f"zones[{'|'.join(p.roles) or 'all'}]"
    elif p.kind == "file":
        kind = f"file[{'|'.join('.' + e for e in p.extensions) or 'any'}]"
    elif p.kind in ("number", "integer"):
        lo = "" if p.minimum is None else f"{p.minimum:g}"
        hi = "" if p.maximum is None else f"{p.maximum:g}"
        kind += f" {p.unit}".rstrip() + (f" [{lo}..{hi}]" if lo or hi else "")
    default = "" if p.default in (None, (None, None)) else f" (default {p.default})"
    opt = " optional" if p.optional else ""
    return f"    --{p.name:<16} {kind}{default}{opt}  {p.label}"


def _show_one(tool: Tool, source: str) -> None:
    print(f"{tool.id}  {tool.name}  (v{tool.version}, {source}, category {tool.category})")
    print(textwrap.fill(tool.help, 96, initial_indent="  ", subsequent_indent="  "))
    if tool.reference:
        print(textwrap.fill("Reference: " + tool.reference, 96, initial_indent="  ", subsequent_indent="  "))
    print("  Parameters:")
    for p in tool.params:
        print(describe_param(p))
        if p.help:
            print(textwrap.fill(p.help, 96, initial_indent=" " * 8, subsequent_indent=" " * 8))
    if tool.outputs:
        print("  Outputs: " + ", ".join(f"{o.name} ({o.kind})" for o in tool.outputs))


def run(args: argparse.Namespace) -> int:
    reg = load_registry(safe_mode=args.safe_mode)
    if args.tool_id:
        if args.tool_id not in reg:
            sys.stderr.write(f"error: no tool {args.tool_id!r}\n")
            return 2
        tool = reg.get(args.tool_id)
        if args.json:
            json.dump(dict(tool.to_dict(), source=reg.sources[tool.id]), sys.stdout, indent=2, default=str)
            sys.stdout.write("\n")
        else:
            _show_one(tool, reg.sources[tool.id])
        return 0
    if args.json:
        data = {"tools": [dict(t.to_dict(), source=reg.sources[t.id]) for ts in reg.categories().values() for t in ts],
                "broken": [b.to_dict() for b in reg.broken], "safe_mode": reg.safe_mode}
        json.dump(data, sys.stdout, indent=2, default=str)
        sys.stdout.write("\n")
        return 0
    for category, tools in reg.categories().items():
        print(f"{category}")
        for t in tools:
            print(f"  {t.id}  {t.name}  (v{t.version}, {reg.sources[t.id]})")
            for p in t.params:
                print(describe_param(p))
    for b in reg.broken:
        print(f"BROKEN {b.entry_point} ({b.distribution}): {b.error}")
    return 0
