"""Simulated AVL pings for a patrol plan, to try the *Dosage delivered vs plan* tool.

Each unit of the plan drives from its depot to the zone of its next visit, stays inside the
zone for the visit (pinging every ``interval_minutes`` from a point a little off the zone's
centre) and drives on at city speed (pings on the road up to half an hour before a visit and ten
minutes after it); a share ``1 - compliance`` of the visits is skipped (the unit was
dispatched elsewhere), and kept visits start up to ``max_delay_minutes`` late. Between visits a
unit moves in a straight line towards its next zone, so it may cross other zones as real cars
do. Deterministic for ``seed``.

Command line (writes ``unit, time, latitude, longitude``, a CSV the loader reads as points)::

    python -m hotspot_desktop.sample.avl ZONES PLAN.csv OUT.csv [--compliance 0.8] [--interval 1] [--seed 0]

``ZONES`` is a project (``.hsproj``: its zone layer's patrol and target zones) or a zone file
(GeoPackage, GeoJSON, Shapefile with a ``name`` column); ``PLAN.csv`` the visits table saved
from the Patrol plan tool. Exit codes: 0 done, 1 failed, 2 bad arguments.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

PATROL_ROLES = ("patrol", "target")
SPEED = 400.0  # metres per minute (24 km/h, city driving)


@dataclass(frozen=True)
class AvlSimulation:
    """Pings (unit, time, x, y in the zones' CRS) and the plan's visits with ``kept`` (the unit
    went) and ``delay`` (minutes late)."""

    pings: pd.DataFrame
    visits: pd.DataFrame


def _spot(geom, rng: np.random.Generator) -> tuple[float, float]:
    """A point inside ``geom`` near its middle (where a car would park)."""
    centre = geom.representative_point()
    radius = max(np.sqrt(geom.area) / 6, 1.0)
    for _ in range(50):
        x, y = centre.x + rng.normal(0, radius), centre.y + rng.normal(0, radius)
        if geom.contains(shapely.Point(x, y)):
            return x, y
    return centre.x, centre.y


def _drive(unit: str, a: np.ndarray, b: np.ndarray, t: pd.Timestamp, step: pd.Timedelta,
           not_before: pd.Timestamp | None, *, arriving: bool) -> list[tuple]:
    """Pings of a drive from ``a`` to ``b`` at SPEED, one per ``step``: arriving at ``t`` (the
    last half hour of the way at most, none at or before ``not_before``), or leaving at ``t``
    (the first ten minutes at most)."""
    dist = float(np.hypot(*(b - a)))
    step_min = step / pd.Timedelta(minutes=1)
    n = int(min(dist / SPEED, 30.0 if arriving else 10.0) / step_min)
    rows = []
    for j in range(n, 0, -1) if arriving else range(1, n + 1):
        when = t - j * step if arriving else t + j * step
        if not_before is not None and when <= not_before:
            continue
        covered = j * step_min * SPEED / max(dist, 1e-9)
        f = 1.0 - covered if arriving else min(1.0, covered)
        rows.append((unit, when, a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])))
    return rows


def simulate_avl(visits: pd.DataFrame, zone_geoms: dict, *, interval_minutes: float = 1.0, compliance: float = 0.8,
                 max_delay_minutes: float = 5.0, depot: tuple[float, float] | None = None, drive: bool = True,
                 seed: int = 0) -> AvlSimulation:
    """Pings for every unit of ``visits`` (see the module docstring). ``drive=False`` leaves out
    the pings between visits, so the pings in zones are exactly the kept visits."""
    from hotspot_desktop.core.analysis.patrol import visit_times

    rng = np.random.default_rng(seed)
    v = visit_times(visits).sort_values(["unit", "start"]).reset_index()
    v = v[v["zone"].astype(str).isin([str(z) for z in zone_geoms])]
    if depot is None:
        centres = np.array([[g.centroid.x, g.centroid.y] for g in zone_geoms.values()])
        depot = tuple(centres.mean(axis=0)) if len(centres) else (0.0, 0.0)
    step = pd.Timedelta(minutes=interval_minutes)
    kept = rng.random(len(v)) < compliance
    delay = np.where(kept, np.round(rng.uniform(0, max_delay_minutes, len(v))), 0.0)
    rows: list[tuple] = []
    geoms = {str(k): g for k, g in zone_geoms.items()}
    for unit, g in v.assign(kept=kept, delay=delay).groupby("unit", sort=True):
        here, free_at = np.asarray(depot, dtype=float), None
        for _, visit in g.iterrows():
            if not visit["kept"]:
                continue
            start = visit["start"] + pd.Timedelta(minutes=float(visit["delay"]))
            end = start + (visit["end"] - visit["start"])
            spot = np.asarray(_spot(geoms[str(visit["zone"])], rng))
            if drive:
                rows += _drive(unit, here, spot, start, step, free_at, arriving=True)
            n = round((end - start) / step)
            jitter = rng.normal(0, 3.0, (n + 1, 2))  # GPS noise, metres
            for k in range(n + 1):
                rows.append((unit, start + k * step, spot[0] + jitter[k, 0], spot[1] + jitter[k, 1]))
            free_at = end
            if drive:  # leave the zone towards the depot for up to ten minutes
                away = _drive(unit, spot, np.asarray(depot, dtype=float), end, step, None, arriving=False)
                rows += away
                here = np.asarray(away[-1][2:]) if away else spot
                free_at = away[-1][1] if away else end
            else:
                here = spot
    pings = pd.DataFrame(rows, columns=["unit", "time", "x", "y"]).sort_values(["time", "unit"], kind="stable")
    out = visits.copy()
    out["kept"] = False
    out["delay"] = 0.0
    out.loc[v["index"].to_numpy(), "kept"] = kept
    out.loc[v["index"].to_numpy(), "delay"] = delay
    return AvlSimulation(pings.reset_index(drop=True), out)


def write_avl_csv(pings: pd.DataFrame, path: str | Path, crs) -> Path:
    """Write pings as ``unit, time, latitude, longitude`` (WGS 84) from ``crs`` coordinates."""
    from pyproj import Transformer

    lon, lat = Transformer.from_crs(crs, 4326, always_xy=True).transform(pings["x"].to_numpy(), pings["y"].to_numpy())
    path = Path(path)
    pd.DataFrame({"unit": pings["unit"], "time": pd.to_datetime(pings["time"]).dt.strftime("%Y-%m-%d %H:%M:%S"),
                  "latitude": np.round(lat, 6), "longitude": np.round(lon, 6)}).to_csv(path, index=False)
    return path


def load_zones(path: str | Path) -> tuple[dict, object]:
    """Zone geometries by the name plans use, and the working CRS, from a project or a zone file."""
    from hotspot_desktop.tools.builtin.patrol import zone_names

    path = Path(path)
    if path.suffix.lower() == ".hsproj":
        from hotspot_desktop.core.io.project_io import open_project

        project, _reports, _warnings = open_project(path)
        layer = project.zones
        if layer is None or not len(layer.gdf):
            raise ValueError(f"{path.name} has no zones")
        gdf, crs = layer.gdf, project.working_crs
    else:
        from hotspot_desktop.core.io.loaders import add_file_to_project
        from hotspot_desktop.core.model import Project

        project = Project()
        layer, _report = add_file_to_project(project, path)
        if getattr(layer, "geometry_kind", None) != "polygon":
            raise ValueError(f"{path.name} is not a polygon layer")
        gdf, crs = layer.gdf, project.working_crs
    if "role" in gdf.columns and gdf["role"].isin(PATROL_ROLES).any():
        gdf = gdf[gdf["role"].isin(PATROL_ROLES)].reset_index(drop=True)
    return dict(zip(zone_names(gdf), gdf.geometry)), crs


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m hotspot_desktop.sample.avl",
                                description="Simulate AVL pings of the units of a patrol plan.")
    p.add_argument("zones", type=Path, help="a project (.hsproj) or a zone file")
    p.add_argument("plan", type=Path, help="the plan's visits CSV (Patrol plan tool)")
    p.add_argument("out", type=Path, help="pings CSV to write")
    p.add_argument("--compliance", type=float, default=0.8, help="share of visits made (default 0.8)")
    p.add_argument("--interval", type=float, default=1.0, help="minutes between pings (default 1)")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    if not 0 <= args.compliance <= 1 or args.interval <= 0:
        print("error: --compliance must be 0..1 and --interval above 0", file=sys.stderr)
        return 2
    try:
        from hotspot_desktop.core.io.patrol_io import read_plan_csv

        plan = read_plan_csv(args.plan)
        zones, crs = load_zones(args.zones)
        sim = simulate_avl(plan.visits, zones, interval_minutes=args.interval, compliance=args.compliance,
                           seed=args.seed)
        write_avl_csv(sim.pings, args.out, crs)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    made = int(sim.visits["kept"].sum())
    print(f"{args.out}: {len(sim.pings):,} pings; {made} of {len(sim.visits)} planned visits made", file=sys.stderr)
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
