"""Run every benchmark in bench/ one after another; each prints its own table of ratios.

    .venv/bin/python bench/run_all.py [--only kde,gi,...]

Peers that are not installed (QGIS, scikit-learn, KDEpy, esda/libpysal) are skipped by the
benchmark that needs them, with a message; `pip install -e .[bench,test]` brings the PyPI ones.
Timings are wall-clock on this machine: run on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = ["loader", "kde", "gi", "canvas", "emerging", "export", "responsiveness"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default="", help="comma-separated subset of: " + ", ".join(BENCHES))
    args = ap.parse_args()
    chosen = [b for b in BENCHES if not args.only or b in args.only.split(",")]
    failed = []
    for name in chosen:
        print(f"\n=== bench_{name}.py ===", flush=True)
        t = time.perf_counter()
        code = subprocess.run([sys.executable, str(HERE / f"bench_{name}.py")]).returncode
        print(f"(bench_{name}.py finished in {time.perf_counter() - t:.0f} s, exit {code})", flush=True)
        if code:
            failed.append(name)
    if failed:
        print("failed: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
