"""Benchmark: CSV incident loading, ours vs a bare pyarrow read of the same file.

    .venv/bin/python bench/bench_loader.py [--rows 1000000] [--repeat 3]

Generates a Chicago-like incident CSV (id, date, offence, lat/lon, two attribute columns, a few
(0, 0) and empty-coordinate rows) into bench/_data/ (gitignored), then times, each in a fresh
process so peak memory is per run:

* ``pyarrow.csv.read_csv`` of the file (the floor: no checks, no projection);
* ``pandas.read_csv`` (what a script would do);
* ``load_incidents_csv`` (detection, parsing, checks, dates, projection to UTM, layer);
* cancel latency: Cancel pressed 0.1 s and 0.6 s into a load, time until ``Cancelled`` is raised;
* the bare read and ours again, each timed as the second call in its process (the app's case
  for every import after the first: thread pools, PROJ's database and the allocator are warm).

Runs are interleaved (``--repeat`` rounds); prints the minimum and median wall time, their ratio
to the bare read, and peak resident memory (VmHWM) above the interpreter's baseline after imports.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data"
sys.path.insert(0, str(HERE.parent))


def make_csv(rows: int) -> Path:
    import numpy as np
    import pandas as pd

    path = DATA / f"incidents_{rows}.csv"
    if path.exists():
        return path
    DATA.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(2024)
    t0 = np.datetime64("2015-01-01T00:00")
    minutes = rng.integers(0, 5 * 365 * 24 * 60, rows).astype("timedelta64[m]")
    dates = np.char.replace((t0 + minutes).astype("datetime64[m]").astype(str).astype("U16"), "T", " ")
    offences = ["THEFT", "BATTERY", "CRIMINAL DAMAGE", "ASSAULT", "BURGLARY", "ROBBERY", "MOTOR VEHICLE THEFT",
                "NARCOTICS", "DECEPTIVE PRACTICE", "WEAPONS VIOLATION"]
    lat = np.round(41.84 + rng.normal(0, 0.08, rows), 6)
    lon = np.round(-87.68 + rng.normal(0, 0.06, rows), 6)
    lat[::5000], lon[::5000] = 0.0, 0.0  # privacy-masked rows
    df = pd.DataFrame({
        "case_number": [f"JD{i:07d}" for i in range(rows)],
        "date": dates,
        "primary_type": rng.choice(offences, rows),
        "location_description": rng.choice(["STREET", "RESIDENCE", "APARTMENT", "SIDEWALK", "PARKING LOT"], rows),
        "district": rng.integers(1, 26, rows),
        "latitude": lat,
        "longitude": lon,
    })
    df.loc[df.index[7::10_000], ["latitude", "longitude"]] = np.nan
    df.to_csv(path, index=False)
    return path


def _peak_kb() -> int:
    """Peak resident memory of this process in KiB (VmHWM; ru_maxrss survives exec on Linux)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _one(kind: str, path: Path) -> dict:
    """Run one measurement in this process (called in a child process)."""
    # Everything is imported before the baseline so import memory is not counted.
    import pandas as pd
    import pyarrow.csv as pcsv

    from hotspot_desktop.core.io.csv_incidents import load_incidents_csv

    warm = kind.endswith("-again")
    kind = kind.removesuffix("-again")
    if warm:  # the same load once before, untimed: what a second import in a running app costs
        pcsv.read_csv(path) if kind == "pyarrow" else load_incidents_csv(path)
    base = _peak_kb()
    t = time.perf_counter()
    extra: dict = {}
    if kind == "pyarrow":
        table = pcsv.read_csv(path)
        extra["rows"] = table.num_rows
    elif kind.startswith("cancel"):
        # Press Cancel after a delay; measure how long the loader takes to stop.
        from hotspot_desktop.core.io.report import Cancelled

        delay = float(kind.split(":")[1])
        pressed: list[float] = []

        def cancelled() -> bool:
            if not pressed and time.perf_counter() - t >= delay:
                pressed.append(time.perf_counter())
            return bool(pressed)

        try:
            load_incidents_csv(path, cancelled=cancelled)
            extra["latency"] = None
        except Cancelled as exc:
            extra["latency"] = time.perf_counter() - pressed[0]
            extra["stage"] = str(exc)
    elif kind == "pandas":
        frame = pd.read_csv(path)
        extra["rows"] = len(frame)
    else:
        stages: list[tuple[str, float]] = []

        def progress(_fraction: float, stage: str) -> None:
            if not stages or stages[-1][0] != stage:
                stages.append((stage, time.perf_counter() - t))

        _layer, report = load_incidents_csv(path, progress=progress)
        end = time.perf_counter() - t
        extra["stages"] = [(s, b - a) for (s, a), (_, b) in zip(stages, [*stages[1:], ("end", end)])]
        extra.update(rows=report.rows_read, kept=report.rows_kept, rejected=report.rejected_counts(),
                     working_crs=report.detected["working_crs"])
    seconds = time.perf_counter() - t
    peak = _peak_kb()
    return {"seconds": seconds, "peak_mb": (peak - base) / 1024, **extra}


def _run_child(kind: str, path: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", kind, str(path)], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--child", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(_one(args.child[0], Path(args.child[1]))))
        return 0
    path = make_csv(args.rows)
    size_mb = path.stat().st_size / 1e6
    print(f"file: {path.relative_to(HERE.parent)} ({args.rows:,} rows, {size_mb:.0f} MB)")
    # Interleaved runs, so load from other processes hits every reader alike; the minimum is the
    # least disturbed run, the median shows the spread.
    kinds = ("pyarrow", "pandas", "ours", "pyarrow-again", "ours-again")
    runs: dict[str, list[dict]] = {k: [] for k in kinds}
    for _ in range(args.repeat):
        for kind in kinds:
            runs[kind].append(_run_child(kind, path))
    labels = {"pyarrow": "pyarrow.csv.read_csv (bare)", "pandas": "pandas.read_csv",
              "ours": "load_incidents_csv -> points in working CRS",
              "pyarrow-again": "  again in the same process: bare",
              "ours-again": "  again in the same process: ours"}
    print(f"{'reader':<46}{'min s':>7}{'x bare':>8}{'median s':>10}{'x bare':>8}{'peak MB':>9}")
    for kind in kinds:
        # Each row against the bare read measured the same way (first call, or a repeat).
        reference = [r["seconds"] for r in runs["pyarrow-again" if kind.endswith("-again") else "pyarrow"]]
        bare, bare_med = min(reference), statistics.median(reference)
        secs = [r["seconds"] for r in runs[kind]]
        best, med = min(secs), statistics.median(secs)
        peak = f"{max(r['peak_mb'] for r in runs[kind]):>9.0f}" if not kind.endswith("-again") else f"{'-':>9}"
        print(f"{labels[kind]:<46}{best:>7.2f}{best / bare:>8.2f}{med:>10.2f}{med / bare_med:>8.2f}{peak}")
    results = {k: {"last": v[-1]} for k, v in runs.items()}
    for delay in (0.1, 0.6):
        res = _run_child(f"cancel:{delay}", path)
        where = f"during '{res['stage']}'" if res.get("latency") is not None else "(finished first)"
        lat = "-" if res.get("latency") is None else f"{res['latency'] * 1000:.0f} ms"
        print(f"cancel pressed at {delay:.1f} s {where}: stopped after {lat}")
    fastest = min(runs["ours"], key=lambda r: r["seconds"])
    print("where the time goes (fastest run): " + ", ".join(f"{s} {sec:.2f} s" for s, sec in fastest["stages"]))
    last = results["ours"]["last"]
    print(f"ours: {last['kept']:,} of {last['rows']:,} kept, rejected {last['rejected']}, "
          f"working CRS {last['working_crs']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
