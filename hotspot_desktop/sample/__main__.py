"""``python -m hotspot_desktop.sample OUT_DIR [--incidents N] [--seed S] [--years Y] [--project]``

Writes the synthetic city Riverton (incident CSVs, beats, districts, streets, land use, census
areas and the planted ground truth) into OUT_DIR; with ``--project`` also the sample project
``riverton.hsproj`` that opens in Hotspot Desktop. Exit codes: 0 done, 1 failed, 2 bad arguments.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m hotspot_desktop.sample",
        description="Generate the synthetic city Riverton with planted hot spots, an emerging hot spot and "
                    "a recorded patrol intervention, plus a ground-truth file of what an analysis should find.")
    p.add_argument("out_dir", type=Path, help="folder to write into (created if missing)")
    p.add_argument("--incidents", type=int, default=200_000, metavar="N",
                   help="number of incidents, 1 to 5,000,000 (default 200,000)")
    p.add_argument("--seed", type=int, default=42, help="random seed; same seed, same bytes (default 42)")
    p.add_argument("--years", type=int, default=3, help="years of incidents from 2023-01-01 (default 3)")
    p.add_argument("--project", action="store_true", help="also write the sample project riverton.hsproj")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if not 1 <= args.incidents <= 5_000_000 or not 1 <= args.years <= 10:
        print("error: --incidents must be 1..5,000,000 and --years 1..10", file=sys.stderr)
        return 2

    def progress(fraction: float, stage: str) -> None:
        if not args.quiet:
            print(f"\r{fraction * 100:5.1f}%  {stage:<45}", end="", file=sys.stderr, flush=True)

    try:
        if args.project:
            from hotspot_desktop.sample.project import build_sample_project

            path = build_sample_project(args.out_dir, n_incidents=args.incidents, seed=args.seed,
                                        years=args.years, progress=progress)
            written = [path]
        else:
            from hotspot_desktop.sample.city import generate_city

            outputs = generate_city(args.out_dir, n_incidents=args.incidents, seed=args.seed, years=args.years,
                                    progress=progress)
            written = outputs.files()
    except (OSError, ValueError) as exc:
        print(f"\nerror: {exc}", file=sys.stderr)
        return 1
    if not args.quiet:
        print(file=sys.stderr)
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
