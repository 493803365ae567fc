"""Near repeat analysis: the Knox test over distance × time bands.

Knox (1964) counts pairs of incidents close in both space and time; Ratcliffe's Near Repeat
Calculator (Ratcliffe 2009; Johnson et al. 2007, *J. Quant. Criminol.* 23) compares each
distance-band × time-band cell's observed pair count with its expectation under no space-time
interaction, estimated by Monte Carlo permutation of the incidents' dates among their
locations. Output follows the calculator's layout: rows are distance bands (first row "same
location"), columns are time bands, cells give observed/expected ratios and p-values
p = (1 + #{simulations ≥ observed}) / (1 + simulations).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree
from shapely.geometry.base import BaseGeometry

from hotspot_desktop.core.progress import CancelFn, ProgressFn, checkpoint


@dataclass(frozen=True)
class KnoxResult:
    """Knox table. Row/column labels say exactly which distances/days each band holds."""

    distance_labels: list[str]
    time_labels: list[str]
    observed: np.ndarray  # (distance bands + "more than" row) × (time bands + "more than" col)
    expected: np.ndarray
    ratio: np.ndarray
    p_value: np.ndarray
    simulations: int
    seed: int
    distance_edges: np.ndarray
    time_edges: np.ndarray

    def table(self, what: str = "ratio") -> pd.DataFrame:
        """The table as a DataFrame (``what`` = ratio, observed, expected or p_value)."""
        return pd.DataFrame(getattr(self, what), index=pd.Index(self.distance_labels, name="distance between incidents"),
                            columns=pd.Index(self.time_labels, name="days between incidents"))


@dataclass(frozen=True)
class RiskWindow:
    """The space-time window of elevated risk the Knox table implies."""

    distance_m: float
    days: float
    text: str


def _band_labels(edges: np.ndarray, unit: str, same_first: bool) -> list[str]:
    labels = ["same location (0 m)"] if same_first else []
    lo = 0.0
    for i, hi in enumerate(edges):
        if i == 0 and not same_first:
            labels.append(f"0 to {hi:g} {unit}")
        else:
            labels.append(f"over {lo:g} to {hi:g} {unit}")
        lo = hi
    labels.append(f"more than {edges[-1]:g} {unit}")
    return labels


def knox_test(x: np.ndarray, y: np.ndarray, times: pd.Series, *, distance_band_m: float = 100.0,
              n_distance_bands: int = 5, time_band_days: float = 7.0, n_time_bands: int = 5,
              simulations: int = 99, seed: int = 0, progress: ProgressFn | None = None,
              cancelled: CancelFn | None = None) -> KnoxResult:
    """Knox test table with Monte Carlo p-values (see the module docstring).

    Distance rows: same location (distance 0), then (0, d], (d, 2d], … and "more than".
    Time columns: [0, t] days, (t, 2t], … and "more than". Deterministic for ``seed``.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    t = pd.Series(pd.to_datetime(np.asarray(times)))
    ok = np.isfinite(x) & np.isfinite(y) & t.notna().to_numpy()
    x, y = x[ok], y[ok]
    days = ((t[ok] - t[ok].min()) / pd.Timedelta(days=1)).to_numpy(dtype=float)
    n = x.size
    if n < 3:
        raise ValueError("the Knox test needs at least 3 incidents with a location and a date")
    d_edges = distance_band_m * np.arange(1, n_distance_bands + 1)
    t_edges = time_band_days * np.arange(1, n_time_bands + 1)
    checkpoint(progress, cancelled, 0.02, "Finding close pairs")
    pairs = cKDTree(np.column_stack([x, y])).query_pairs(r=float(d_edges[-1]), output_type="ndarray")
    i, j = pairs[:, 0], pairs[:, 1]
    dist = np.hypot(x[i] - x[j], y[i] - y[j])
    # Row 0 = same location; rows 1..k = distance bands; row k+1 = beyond (filled from totals).
    drow = np.where(dist == 0, 0, 1 + np.searchsorted(d_edges, dist, side="left"))
    n_rows, n_cols = n_distance_bands + 2, n_time_bands + 1

    def time_cols(dt: np.ndarray) -> np.ndarray:
        return np.minimum(np.searchsorted(t_edges, dt, side="left"), n_time_bands)

    def all_pairs_time_hist(d: np.ndarray) -> np.ndarray:
        # Pairs with |Δt| ≤ edge, by two sorted searches; independent of how dates are permuted.
        srt = np.sort(d)
        within = [int((np.searchsorted(srt, srt + e, side="right") - np.arange(n) - 1).sum()) for e in t_edges]
        total = n * (n - 1) // 2
        cum = np.array(within + [total], dtype=float)
        return np.diff(np.concatenate([[0.0], cum]))

    def table(d: np.ndarray) -> np.ndarray:
        out = np.zeros((n_rows, n_cols))
        np.add.at(out, (drow, time_cols(np.abs(d[i] - d[j]))), 1.0)
        out[-1] = all_time_hist - out[:-1].sum(axis=0)
        return out

    all_time_hist = all_pairs_time_hist(days)
    observed = table(days)
    rng = np.random.default_rng(seed)
    sims = np.zeros((simulations, n_rows, n_cols))
    for s in range(simulations):
        checkpoint(progress, cancelled, 0.05 + 0.9 * s / simulations, f"Permutation {s + 1} of {simulations}")
        sims[s] = table(rng.permutation(days))
    expected = sims.mean(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(expected > 0, observed / expected, np.nan)
    p = (1 + (sims >= observed[None]).sum(axis=0)) / (1 + simulations)
    checkpoint(progress, cancelled, 1.0, "Done")
    return KnoxResult(_band_labels(d_edges, "m", True), _band_labels(t_edges, "days", False), observed, expected,
                      ratio, p, simulations, seed, d_edges, t_edges)


def risk_window(res: KnoxResult, *, alpha: float = 0.05, min_ratio: float = 1.2) -> RiskWindow | None:
    """The near-repeat window: the farthest distance band and longest time band that stay
    significant (p ≤ ``alpha``, ratio ≥ ``min_ratio``) in an unbroken run from the closest
    band, along the first time column and the first non-zero distance row. None when even
    the closest cell is not significant.
    """
    hot = (res.p_value <= alpha) & (res.ratio >= min_ratio)
    body = hot[:-1, :-1]  # drop the "more than" row and column
    if not (body[0, 0] or body[1, 0]):
        return None
    d_rows = 0
    for k in range(1, body.shape[0]):
        if body[k, 0]:
            d_rows = k
        else:
            break
    t_cols = 0
    for k in range(body.shape[1]):
        if body[1, k] or body[0, k]:
            t_cols = k + 1
        else:
            break
    dist = float(res.distance_edges[d_rows - 1]) if d_rows > 0 else 0.0
    days = float(res.time_edges[max(t_cols, 1) - 1])
    where = "at the same location" if dist == 0 else f"within {dist:g} m"
    text = (f"Elevated risk of a near repeat {where} and within {days:g} days of an incident "
            f"(Knox test, p ≤ {alpha}, observed/expected ≥ {min_ratio}).")
    return RiskWindow(dist, days, text)


def risk_polygons(x: np.ndarray, y: np.ndarray, times: pd.Series, window: RiskWindow,
                  as_of: pd.Timestamp | None = None, min_radius_m: float = 25.0) -> tuple[BaseGeometry, int]:
    """Areas at elevated near-repeat risk: buffers of the window's distance around incidents of
    the last ``window.days`` before ``as_of`` (default the latest incident). Returns the union
    polygon and the number of incidents it was drawn around."""
    t = pd.Series(pd.to_datetime(np.asarray(times)))
    as_of = as_of or t.max()
    recent = ((t <= as_of) & (t >= as_of - pd.Timedelta(days=window.days))).to_numpy() & np.isfinite(x) & np.isfinite(y)
    radius = max(window.distance_m, min_radius_m)
    pts = shapely.points(np.asarray(x)[recent], np.asarray(y)[recent])
    return shapely.union_all(shapely.buffer(pts, radius, quad_segs=16)), int(recent.sum())
