"""``hotspot-desktop inspect FILE [--json] [--crs EPSG:XXXX] [--outlier-km KM] [--rejected OUT.csv]``

Loads a data file exactly as the GUI would, without opening a window, and prints what the loader
detected (columns, CRS, date format, time span) and the load report. Exit codes: 0 loaded,
1 the file could not be loaded (message on stderr), 2 bad arguments.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from hotspot_desktop.cli import EXIT_FAILURE, EXIT_OK, EXIT_USAGE

CSV_SUFFIXES = {".csv", ".txt", ".tsv", ".tab"}


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser("inspect", help="show what the loader detects in a data file and its load report")
    p.add_argument("file", type=Path, help="CSV of incidents, shapefile (.shp/.zip), GeoPackage or GeoJSON")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--crs", default=None, help="coordinate system of the file, e.g. EPSG:32610 (overrides .prj)")
    p.add_argument("--outlier-km", type=float, default=50.0,
                   help="reject CSV points farther than this from the data's area (default 50)")
    p.add_argument("--rejected", type=Path, default=None, help="write the rejected rows to this CSV")
    return p


def _parse_crs(text: str | None):
    if text is None:
        return None
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        return CRS.from_user_input(text)
    except CRSError:
        return False


def run(args: argparse.Namespace) -> int:
    crs = _parse_crs(args.crs)
    if crs is False:
        print(f"hotspot-desktop inspect: unknown coordinate system {args.crs!r} (try EPSG:4326)", file=sys.stderr)
        return EXIT_USAGE
    if not args.file.exists():
        print(f"hotspot-desktop inspect: {args.file} does not exist", file=sys.stderr)
        return EXIT_USAGE
    from hotspot_desktop.core.io.report import LoadError

    try:
        layer, report = _load(args.file, crs, args.outlier_km)
    except LoadError as exc:
        if args.json:
            payload = {"error": str(exc)}
            if exc.report is not None:
                payload["report"] = exc.report.to_dict()
            print(json.dumps(payload, indent=2))
        print(f"hotspot-desktop inspect: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    if args.rejected is not None:
        report.save_rejected_csv(str(args.rejected))
    if args.json:
        out = report.to_dict()
        out["layer"] = {"name": layer.name, "kind": layer.kind, "features": len(layer)}
        print(json.dumps(out, indent=2, default=str))
    else:
        print("\n".join(_text(report, layer)))
    return EXIT_OK


def _load(path: Path, crs, outlier_km: float):
    if path.suffix.lower() in CSV_SUFFIXES:
        from hotspot_desktop.core.io.csv_incidents import load_incidents_csv

        return load_incidents_csv(path, crs=crs, outlier_km=outlier_km)
    from hotspot_desktop.core.io.loaders import (
        load_file,  # vector formats: written by the I/O owner
    )

    return load_file(path, working_crs=None, crs=crs)


def _text(report, layer) -> list[str]:
    lines = report.summary_lines()
    det = report.detected or {}
    if det:
        lines.append("detected:")
        for key, value in det.items():
            if isinstance(value, dict):
                value = ", ".join(f"{k}={v}" for k, v in value.items() if v)
            elif isinstance(value, list):
                value = " | ".join(map(str, value))
            lines.append(f"  {key}: {value}")
    lines.append(f"layer: {layer.name} ({len(layer):,} features)")
    return lines
