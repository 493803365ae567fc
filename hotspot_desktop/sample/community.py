"""Community input for Riverton: service requests (311-style calls about the street environment).

Requests are points a little off the streets (the caller's address), placed on street pieces
with weight length × (residential population density + a floor), so they follow where people
live, not where crime is planted; each has a category, a request time (days uniform over the
record, hours mostly 8:00-20:00) and a status. Written as ``service_requests.csv`` with columns
request_id, category, requested (``YYYY-MM-DD HH:MM``), status, lat, lon (EPSG:4326), for the
"Community input" import (issue 12). Byte-deterministic for the generator's state.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
from pyproj import CRS

from hotspot_desktop.core.crs import transform_xy
from hotspot_desktop.sample import spec
from hotspot_desktop.sample.geography import Geography
from hotspot_desktop.sample.incidents import Calendar

# Category, share of requests.
CATEGORIES = (("Streetlight out", 0.24), ("Abandoned vehicle", 0.18), ("Graffiti", 0.16),
              ("Illegal dumping", 0.14), ("Noise complaint", 0.16), ("Pothole", 0.12))
COLUMNS = ("request_id", "category", "requested", "status", "lat", "lon")
# Hour-of-day weights: offices take most calls in the day, some in the evening.
_HOURS = np.array([0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1.0, 2.0, 2.5, 2.5, 2.4, 2.2, 2.3, 2.3, 2.2, 2.0, 1.8,
                   1.5, 1.2, 1.0, 0.8, 0.5, 0.3])


def simulate_service_requests(geo: Geography, calendar: Calendar, n: int, rng: np.random.Generator
                              ) -> dict[str, np.ndarray]:
    """``n`` service requests: x, y (working CRS), category index, seconds from the calendar start
    and an open/closed flag, sorted by time."""
    p = geo.pieces
    length = np.hypot(p["x1"] - p["x0"], p["y1"] - p["y0"])
    w = length * (p["popdens"] / max(float(p["popdens"].max()), 1e-9) + 0.15)
    piece = rng.choice(length.size, size=n, p=w / w.sum())
    along = rng.uniform(0.0, 1.0, n)
    dx, dy = p["x1"][piece] - p["x0"][piece], p["y1"][piece] - p["y0"][piece]
    ln = np.maximum(np.hypot(dx, dy), 1e-9)
    side = rng.choice([-1.0, 1.0], n) * rng.uniform(10.0, 30.0, n)  # set back from the street, at an address
    x = p["x0"][piece] + along * dx - dy / ln * side
    y = p["y0"][piece] + along * dy + dx / ln * side
    shares = np.array([s for _, s in CATEGORIES])
    category = rng.choice(len(CATEGORIES), size=n, p=shares / shares.sum())
    day = rng.integers(0, calendar.n_days, n)
    hour = rng.choice(24, size=n, p=_HOURS / _HOURS.sum())
    seconds = day * 86_400 + hour * 3_600 + rng.integers(0, 3_600, n)
    still_open = seconds > (calendar.n_days - 30) * 86_400  # the last month's requests are still open
    order = np.argsort(seconds, kind="stable")
    return {"x": x[order], "y": y[order], "category": category[order], "seconds": seconds[order],
            "open": still_open[order]}


def write_service_requests(geo: Geography, calendar: Calendar, n: int, rng: np.random.Generator,
                           path: Path) -> None:
    """Simulate ``n`` requests and write them as a CSV (see the module docstring)."""
    from hotspot_desktop.sample.writers import _format_time, _write_csv

    sr = simulate_service_requests(geo, calendar, n, rng)
    lon, lat = transform_xy(sr["x"], sr["y"], CRS.from_epsg(spec.WORKING_EPSG), CRS.from_epsg(4326))
    start = np.datetime64(calendar.start.date().isoformat(), "s")
    labels = np.array([c for c, _ in CATEGORIES], dtype=object)
    table = pa.table({
        "request_id": pa.array([f"SR-{i + 1:06d}" for i in range(n)], type=pa.string()),
        "category": pa.array(labels[sr["category"]], type=pa.string()),
        "requested": _format_time(start, sr["seconds"], "%Y-%m-%d %H:%M"),
        "status": pa.array(np.where(sr["open"], "open", "closed").astype(object), type=pa.string()),
        "lat": pa.array(np.round(lat, 6), type=pa.float64()),
        "lon": pa.array(np.round(lon, 6), type=pa.float64()),
    }).select(list(COLUMNS))
    _write_csv(table, path)
