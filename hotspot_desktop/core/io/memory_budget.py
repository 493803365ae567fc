"""Memory budget for loading big files: refuse before memory runs out, with a message.

Loading an incident CSV peaks at about :data:`CSV_PEAK_FACTOR` times the file's size (measured
by ``bench/bench_loader.py``: ~360 MB peak for a 72 MB, 1M-row file — the Arrow table, the
coordinate and date arrays, and the attribute frame exist together for a moment). A 5M-row
export of ~360 MB therefore needs ~1.8 GB free. The check compares that estimate with the
memory the operating system reports as available and refuses the load up front, rather than
letting the machine swap or the process die half-way.
"""

from __future__ import annotations

from pathlib import Path

try:  # imported with the module: a first load should not pay for it
    import psutil
except ImportError:  # pragma: no cover - psutil is a dependency; be safe on odd installs
    psutil = None

from hotspot_desktop.core.io.report import LoadError

CSV_PEAK_FACTOR = 5.0
SAFETY = 0.85  # leave some room for the rest of the app


def available_memory() -> int | None:
    """Bytes of memory available to a new allocation, or None when it cannot be known."""
    if psutil is None:
        return None
    try:
        return int(psutil.virtual_memory().available)
    except OSError:
        return None


def estimated_peak(path: str | Path, factor: float = CSV_PEAK_FACTOR) -> int:
    return int(Path(path).stat().st_size * factor)


def check_csv_budget(path: str | Path, available: int | None = None) -> None:
    """Raise :class:`LoadError` when loading ``path`` would not fit in available memory."""
    free = available_memory() if available is None else available
    if free is None:
        return
    need = estimated_peak(path)
    if need > SAFETY * free:
        size_mb = Path(path).stat().st_size / 1e6
        raise LoadError(
            f"{Path(path).name} ({size_mb:,.0f} MB) needs about {need / 1e9:,.1f} GB of memory to load, but only "
            f"{free / 1e9:,.1f} GB is available. Close other programs, filter the export to fewer rows or a "
            "shorter period, or load it on a machine with more memory.")
