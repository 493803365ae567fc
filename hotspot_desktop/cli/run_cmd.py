"""``hotspot-desktop run``: run a tool headless and write its outputs by extension.

    hotspot-desktop run TOOL_ID --input FILE [--input FILE ...] [--NAME=VALUE ...] --out FILE
    hotspot-desktop run --project P.hsproj --out DIR

Parameter names are those ``hotspot-desktop tools`` lists (like ``qgis_process``). ``--input``
files fill the tool's layer parameters in declaration order; a layer parameter may also be
given by name (``--polygons=beats.shp``). The first input sets the working CRS. Values:
numbers in the unit listed, booleans ``true/false``, date ranges ``2024-01-01..2024-06-30``
(either side may be empty), files by path (``--plan=plan_visits.csv``: a file parameter is an
input that is not a layer, e.g. a saved patrol plan). A zone-set parameter takes a polygon
file; when it has a ``role`` column only the rows of the tool's roles are used (one zones file
can serve ``--target`` and ``--control``). ``--crs`` names the CRS of CSV / .asc inputs that do not state
one. Outputs go to ``--out`` by extension (core/io/writers.py): the
first layer to ``--out``, tables to ``STEM_<table>.csv``. ``--project`` re-runs every analysis
saved in the project and writes each into ``DIR``. Ctrl-C cancels cleanly.

=========  ================================================================================
Exit code  Meaning (message on stderr)
=========  ================================================================================
0          success; written files are listed on stdout
1          the tool failed ("error: TOOL failed: ...") or an input could not be loaded
           ("error: cannot load FILE: ...")
2          usage or validation error: unknown tool, unknown ``--NAME``, bad value, missing
           input or ``--out`` ("error: --NAME: message")
3          cancelled (Ctrl-C) - nothing is written
=========  ================================================================================
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

from hotspot_desktop.cli import EXIT_CANCELLED, EXIT_FAILURE, EXIT_OK, EXIT_USAGE
from hotspot_desktop.core.io.report import Cancelled, LoadError
from hotspot_desktop.tools.base import Param, RunContext, Tool
from hotspot_desktop.tools.registry import load_registry

ACCEPTS_EXTRA = True
TRUE = {"1", "true", "yes", "on", "y"}
FALSE = {"0", "false", "no", "off", "n"}


class UsageError(Exception):
    """Bad command line; exit code 2."""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="run an analysis tool headless", description=__doc__,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("tool_id", nargs="?", help="tool id as listed by 'hotspot-desktop tools'")
    p.add_argument("--input", action="append", default=[], metavar="FILE", help="input layer file (repeatable)")
    p.add_argument("--out", metavar="FILE", help="output file (by extension) or, with --project, a folder")
    p.add_argument("--project", metavar="PROJECT", help="re-run the analyses saved in a project")
    p.add_argument("--crs", metavar="CRS", help="CRS of CSV/ASCII-grid inputs that do not state one "
                   "(e.g. EPSG:32610)")
    p.add_argument("--seed", type=int, default=0, help="random seed (permutation tests)")
    p.add_argument("--safe-mode", action="store_true", help="only the application's own tools")
    p.add_argument("--json", action="store_true", help="print a JSON summary on stdout")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")


def parse_extra(extra: list[str]) -> dict[str, str]:
    """``--name=value`` / ``--name value`` pairs into a dict (names with - become _)."""
    out: dict[str, str] = {}
    i = 0
    while i < len(extra):
        arg = extra[i]
        if not arg.startswith("--") or len(arg) < 3:
            raise UsageError(f"unexpected argument {arg!r}")
        if "=" in arg:
            name, value = arg[2:].split("=", 1)
        else:
            if i + 1 >= len(extra) or extra[i + 1].startswith("--"):
                raise UsageError(f"{arg} needs a value")
            name, value = arg[2:], extra[i + 1]
            i += 1
        out[name.replace("-", "_")] = value
        i += 1
    return out


def convert(p: Param, text: str) -> Any:
    """A command-line string as the parameter's value type."""
    try:
        if p.kind == "number":
            return float(text)
        if p.kind == "integer":
            return int(text)
    except ValueError:
        raise UsageError(f"--{p.name}: {text!r} is not a number") from None
    if p.kind == "bool":
        low = text.lower()
        if low not in TRUE | FALSE:
            raise UsageError(f"--{p.name}: use true or false, not {text!r}")
        return low in TRUE
    if p.kind == "date_range":
        sep = ".." if ".." in text else ","
        a, _, b = text.partition(sep)
        return (a.strip() or None, b.strip() or None)
    if p.kind == "file":
        # Absolute, so the provenance still finds it when the project is re-run from elsewhere.
        return str(Path(text.strip()).expanduser().resolve()) if text.strip() else None
    return text


class _Progress:
    """Throttled one-line progress on stderr."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.last = 0.0

    def __call__(self, fraction: float, stage: str) -> None:
        now = time.monotonic()
        if self.quiet or (now - self.last < 0.5 and fraction < 1.0):
            return
        self.last = now
        sys.stderr.write(f"  {fraction * 100:5.1f}%  {stage}\n")


def _load_inputs(tool: Tool, files: list[str], named: dict[str, str],
                 crs: str | None = None) -> tuple[dict[str, Any], Any]:
    from hotspot_desktop.core.io.loaders import add_file_to_project, loader_family
    from hotspot_desktop.core.model import Project

    project = Project()
    values: dict[str, Any] = {}
    layer_params = [p for p in tool.params if p.kind in ("layer", "zones")]
    queue = list(files)
    for p in layer_params:
        path = named.pop(p.name, None)
        if path is None and queue:
            path = queue.pop(0)
        if path is None:
            continue
        options = {"crs": crs} if crs and loader_family(path) in ("csv", "raster") else {}
        try:
            layer, report = add_file_to_project(project, path, **options)
        except (LoadError, OSError, ValueError) as exc:
            raise LoadError(f"cannot load {path}: {exc}") from exc
        for w in report.warnings:
            sys.stderr.write(f"warning: {path}: {w}\n")
        values[p.name] = layer
    if queue:
        raise UsageError(f"{tool.id} takes {len(layer_params)} input layer(s); extra --input {' '.join(queue)}")
    return values, project


def _run_tool(tool: Tool, values: dict[str, Any], crs: Any, seed: int, quiet: bool, cancel: threading.Event):
    from hotspot_desktop.tools.execute import compute, finish, prepare

    values = {**tool.defaults(), **values}
    messages = tool.validate(values)
    if messages:
        raise UsageError("\n".join(f"--{k}: {m}" for k, ms in messages.items() for m in ms))
    ctx = RunContext(crs=crs, progress_fn=_Progress(quiet), cancelled_fn=cancel.is_set, seed=seed)
    prepared = prepare(tool, values, seed=seed)
    try:
        result = compute(prepared, ctx)
    except Cancelled:
        raise
    except Exception as exc:
        raise RuntimeError(f"{tool.id} failed: {type(exc).__name__}: {exc}") from exc
    return finish(prepared, result)


def _summary(done: Any, written: list[Path]) -> dict:
    """What one run did, for ``--json``: files, notes, warnings and provenance."""
    prov = done.result.layers[0].provenance.to_dict() if done.result.layers else None
    return {"tool": done.record.tool_id, "label": done.record.label, "written": [str(p) for p in written],
            "notes": list(done.result.notes), "warnings": list(done.result.warnings), "stale": done.stale,
            "provenance": prov}


def _single(args: argparse.Namespace, reg: Any, cancel: threading.Event) -> list[dict]:
    from hotspot_desktop.core.io.writers import write_result

    if not args.tool_id:
        raise UsageError("give a TOOL_ID (see 'hotspot-desktop tools') or --project")
    if args.tool_id not in reg:
        raise UsageError(f"no tool {args.tool_id!r}; 'hotspot-desktop tools' lists them")
    if not args.out:
        raise UsageError("--out FILE is required")
    tool = reg.get(args.tool_id)
    named = parse_extra(args.extra)
    known = {p.name for p in tool.params}
    unknown = sorted(set(named) - known)
    if unknown:
        raise UsageError(f"{tool.id} has no parameter(s) {', '.join('--' + u for u in unknown)}; "
                         f"it takes {', '.join('--' + n for n in sorted(known))}")
    values, project = _load_inputs(tool, args.input, named, args.crs)
    for name, text in named.items():
        values[name] = convert(tool.param(name), text)
    done = _run_tool(tool, values, project.working_crs, args.seed, args.quiet, cancel)
    for w in done.result.warnings:
        sys.stderr.write(f"warning: {w}\n")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    return [_summary(done, write_result(done.result, args.out, project.working_crs))]


def _project(args: argparse.Namespace, reg: Any, cancel: threading.Event) -> list[dict]:
    from hotspot_desktop.core.io.project_io import open_project
    from hotspot_desktop.core.io.writers import slug, write_result
    from hotspot_desktop.core.model import RasterLayer
    from hotspot_desktop.tools.execute import resolve_parameters

    project, _reports, warnings = open_project(args.project)
    for w in warnings:
        sys.stderr.write(f"warning: {w}\n")
    out_dir = Path(args.out or Path(args.project).with_suffix("")).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    runs: list[dict] = []
    if not project.analyses:
        sys.stderr.write(f"{args.project}: no saved analyses\n")
    for i, record in enumerate(project.analyses, start=1):
        if record.tool_id not in reg:
            raise UsageError(f"analysis {i} uses tool {record.tool_id!r}, which is not installed")
        tool = reg.get(record.tool_id)
        values = resolve_parameters(tool, record.parameters, project)
        if not args.quiet:
            sys.stderr.write(f"[{i}/{len(project.analyses)}] {record.label or tool.name}\n")
        done = _run_tool(tool, values, project.working_crs, args.seed, args.quiet, cancel)
        first = done.result.layers[0] if done.result.layers else None
        ext = ".asc" if isinstance(first, RasterLayer) else ".gpkg" if first is not None else ".csv"
        for w in done.result.warnings:
            sys.stderr.write(f"warning: {w}\n")
        target = out_dir / f"{i:02d}_{slug(record.label or tool.name)}{ext}"
        runs.append(_summary(done, write_result(done.result, target, project.working_crs)))
    return runs


def run(args: argparse.Namespace) -> int:
    reg = load_registry(safe_mode=args.safe_mode)
    cancel = threading.Event()
    previous = signal.getsignal(signal.SIGINT)
    in_main = threading.current_thread() is threading.main_thread()
    if in_main:
        # Ctrl-C sets the cancel flag; the tool stops at its next checkpoint and nothing is written.
        signal.signal(signal.SIGINT, lambda *_: cancel.set())
    try:
        runs = _project(args, reg, cancel) if args.project else _single(args, reg, cancel)
    except UsageError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_USAGE
    except Cancelled:
        sys.stderr.write("cancelled\n")
        return EXIT_CANCELLED
    except Exception as exc:  # front door: any failure is a message and exit code 1, not a traceback
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_FAILURE
    finally:
        if in_main:
            signal.signal(signal.SIGINT, previous)
    written = [p for r in runs for p in r["written"]]
    if args.json:
        json.dump({"written": written, "runs": runs}, sys.stdout, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        for p in written:
            print(p)
    return EXIT_OK
