"""Emerging hot spot analysis on a space-time cube of grid counts.

Method (ESRI, "How Emerging Hot Spot Analysis works"; sfdep ``emerging_hotspot_analysis``):
1. count incidents into a cube of cells × time steps, keeping empty bins;
2. compute Getis–Ord Gi* (Getis & Ord 1992; Ord & Getis 1995) for every bin, the neighbourhood
   being the cell and its spatial neighbours (a disc of ``radius_cells``) in the same time
   step and the ``time_lag`` previous steps, with binary weights and the mean and standard
   deviation taken over the whole cube:
   Gi* = [Σⱼ wᵢⱼxⱼ − x̄ Σⱼ wᵢⱼ] / ( S·√{[n Σⱼ wᵢⱼ² − (Σⱼ wᵢⱼ)²]/(n − 1)} );
3. test each cell's z-series for a monotonic trend with Mann–Kendall;
4. classify each cell with the 17 ESRI categories (:data:`ESRI_RULES`), and optionally with
   sfhotspot's simpler persistent / emerging / former / intermittent scheme.
Sums over neighbourhoods are convolutions (scipy.ndimage), so a 200 × 200 × 104 cube takes
well under a second.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from hotspot_desktop.core.analysis.mann_kendall import MannKendall, mann_kendall
from hotspot_desktop.core.progress import CancelFn, ProgressFn, checkpoint

# Class codes: positive = hot, negative = cold, 0 = no pattern.
CLASS_NAMES = {
    1: "new hot spot", 2: "consecutive hot spot", 3: "intensifying hot spot", 4: "persistent hot spot",
    5: "diminishing hot spot", 6: "sporadic hot spot", 7: "oscillating hot spot", 8: "historical hot spot",
    -1: "new cold spot", -2: "consecutive cold spot", -3: "intensifying cold spot", -4: "persistent cold spot",
    -5: "diminishing cold spot", -6: "sporadic cold spot", -7: "oscillating cold spot", -8: "historical cold spot",
    0: "no pattern detected",
}

ESRI_RULES = """\
Rules for hot spots (cold spots mirror them with 'cold' for 'hot' and the trend reversed);
'hot' means a Gi* bin with z > 0 significant at the chosen level, 90% means at least 90% of
the time steps, checked in this order:
- new: hot in the final step and never hot before;
- consecutive: one uninterrupted run of at least two hot steps ending with the final step,
  never hot before the run, and fewer than 90% of steps hot;
- intensifying: ≥ 90% hot including the final step, and a significant upward Mann–Kendall
  trend of the z-scores;
- diminishing: ≥ 90% hot including the final step, and a significant downward trend;
- persistent: ≥ 90% hot including the final step and no significant trend;
- historical: ≥ 90% hot, but not hot in the final step;
- oscillating: hot in the final step, < 90% hot, and significantly cold in at least one step;
- sporadic: hot in the final step, < 90% hot, never significantly cold;
- no pattern detected: none of the above (hot or cold).
A cell meeting both a hot and a cold rule takes the one of its final step."""


@dataclass(frozen=True)
class SpaceTimeCube:
    """Counts per (time step, row, col); row 0 is the southern row, like RasterLayer."""

    counts: np.ndarray
    step_starts: pd.DatetimeIndex
    x0: float
    y0: float
    cell_size: float

    @property
    def shape(self) -> tuple[int, int, int]:
        return self.counts.shape  # type: ignore[return-value]


_STEP_FREQ = {"day": "D", "week": "W-MON", "month": "MS"}


def build_cube(x: np.ndarray, y: np.ndarray, times: pd.Series, *, x0: float, y0: float, cell_size: float,
               rows: int, cols: int, step: str = "week", start: pd.Timestamp | None = None,
               end: pd.Timestamp | None = None) -> SpaceTimeCube:
    """Count incidents into a space-time cube; empty bins are kept as zeros."""
    if step not in _STEP_FREQ:
        raise ValueError(f"step must be one of {sorted(_STEP_FREQ)}")
    t = pd.Series(pd.to_datetime(np.asarray(times)))
    ok = t.notna().to_numpy() & np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        raise ValueError("no incidents with a location and a date")
    lo = (start or t[ok].min()).normalize()
    hi = end or t[ok].max()
    first = lo.to_period({"D": "D", "W-MON": "W-SUN", "MS": "M"}[_STEP_FREQ[step]]).start_time
    starts = pd.date_range(first, hi, freq=_STEP_FREQ[step])
    ti = np.searchsorted(starts.to_numpy(), t.to_numpy(), side="right") - 1
    c = np.floor((x - x0) / cell_size).astype(np.int64, copy=False) if len(x) else np.zeros(0, np.int64)
    r = np.floor((y - y0) / cell_size).astype(np.int64, copy=False) if len(y) else np.zeros(0, np.int64)
    keep = ok & (ti >= 0) & (t <= hi).to_numpy() & (r >= 0) & (r < rows) & (c >= 0) & (c < cols)
    flat = (ti[keep] * rows + r[keep]) * cols + c[keep]
    counts = np.bincount(flat, minlength=len(starts) * rows * cols).reshape(len(starts), rows, cols).astype(float)
    return SpaceTimeCube(counts, starts, x0, y0, cell_size)


def _disc(radius_cells: int) -> np.ndarray:
    r = int(radius_cells)
    yy, xx = np.mgrid[-r:r + 1, -r:r + 1]
    return ((xx**2 + yy**2) <= r * r + r).astype(float) if r > 0 else np.ones((1, 1))


def space_time_gi_star(counts: np.ndarray, *, radius_cells: int = 1, time_lag: int = 1,
                       mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Gi* z-scores and two-sided p-values for every bin of a (T, R, C) cube.

    Neighbours of bin (t, r, c): cells within ``radius_cells`` (radius 1 = the 3 × 3 queen
    neighbourhood) at steps t − ``time_lag`` … t, including the bin itself; binary weights.
    ``mask`` (R, C) marks cells inside the study area; cells outside are excluded from n, x̄, S
    and from every neighbourhood, and get NaN.
    """
    # scipy.ndimage/stats load here, not at import: the GUI imports this module at start-up.
    from scipy import ndimage
    from scipy.stats import norm

    x = np.asarray(counts, dtype=float)
    T, R, C = x.shape
    inside = np.ones((R, C), dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    valid = np.broadcast_to(inside, x.shape).astype(float)
    xv = np.where(valid > 0, x, 0.0)
    n = valid.sum()
    if n < 2:
        raise ValueError("the cube needs at least two bins inside the study area")
    mean = xv.sum() / n
    s = np.sqrt((xv**2).sum() / n - mean**2)
    if not np.isfinite(s) or s <= 0:
        raise ValueError("all bins have the same count: Gi* is undefined (no variation)")
    stencil = _disc(radius_cells)

    def neighbourhood_sum(a: np.ndarray) -> np.ndarray:
        spatial = ndimage.correlate(a, stencil[None, :, :], mode="constant", cval=0.0)
        csum = np.cumsum(spatial, axis=0)
        out = csum.copy()
        if time_lag + 1 < T:
            out[time_lag + 1:] -= csum[:T - time_lag - 1]
        return out

    wx = neighbourhood_sum(xv)
    w = neighbourhood_sum(valid)  # Σw = Σw² for binary weights
    with np.errstate(invalid="ignore", divide="ignore"):
        denom = s * np.sqrt((n * w - w**2) / (n - 1))
        z = (wx - mean * w) / denom
    z[valid == 0] = np.nan
    z[~np.isfinite(z)] = np.nan
    p = 2 * (1 - norm.cdf(np.abs(z)))
    return z, p


def _final_run_length(sig: np.ndarray) -> np.ndarray:
    """Length of the run of True ending at the last column, per row."""
    rev = sig[:, ::-1]
    first_false = np.where((~rev).any(axis=1), np.argmax(~rev, axis=1), sig.shape[1])
    return first_false


def classify_esri(z: np.ndarray, p: np.ndarray, *, alpha: float = 0.05) -> tuple[np.ndarray, MannKendall]:
    """ESRI's 17 emerging hot spot classes for each location (rows of ``z``: locations × steps).

    Returns class codes (see :data:`CLASS_NAMES`) and the Mann–Kendall result on the z-series.
    The rules are in :data:`ESRI_RULES`.
    """
    zz = np.nan_to_num(np.asarray(z, dtype=float), nan=0.0)
    sig = np.nan_to_num(np.asarray(p, dtype=float), nan=1.0) < alpha
    mk = mann_kendall(zz)
    n = zz.shape[1]
    by_sign = {}
    for sign in (1, -1):
        hot = sig & (sign * zz > 0)
        opposite = sig & (sign * zz < 0)
        share = hot.sum(axis=1) / n
        final = hot[:, -1]
        run = _final_run_length(hot)
        hot_before_run = hot.sum(axis=1) > run  # the final run is all hot, so anything more is earlier
        trend_up = (mk.p < alpha) & (sign * mk.s > 0)
        trend_down = (mk.p < alpha) & (sign * mk.s < 0)
        rules = [
            (1, final & (run == 1) & ~hot_before_run),
            (2, final & (run >= 2) & ~hot_before_run & (share < 0.9)),
            (3, (share >= 0.9) & final & trend_up),
            (5, (share >= 0.9) & final & trend_down),
            (4, (share >= 0.9) & final),
            (8, (share >= 0.9) & ~final),
            (7, final & (share < 0.9) & opposite.any(axis=1)),
            (6, final & (share < 0.9) & ~opposite.any(axis=1)),
        ]
        codes = np.zeros(zz.shape[0], dtype=int)
        for code, cond in rules:
            codes[(codes == 0) & cond] = sign * code
        by_sign[sign] = codes
    final_hot = sig[:, -1] & (zz[:, -1] > 0)
    final_cold = sig[:, -1] & (zz[:, -1] < 0)
    # A location meeting a hot and a cold rule takes the class of its final step's sign.
    codes = np.where(final_hot, by_sign[1], np.where(final_cold, by_sign[-1],
                                                     np.where(by_sign[1] != 0, by_sign[1], by_sign[-1])))
    return codes, mk


SIMPLE_CLASSES = ("no pattern", "persistent hot spot", "emerging hot spot", "former hot spot", "intermittent hot spot",
                  "persistent cold spot", "emerging cold spot", "former cold spot", "intermittent cold spot",
                  "mixed hot/cold spot")


def classify_simple(z: np.ndarray, p: np.ndarray, *, critical_p: float = 0.05, hotspot_prop: float = 0.1,
                    persistent_prop: float = 0.8, recent_prop: float = 0.2) -> np.ndarray:
    """sfhotspot's classes (Ashby, ``hotspot_classify``): persistent, emerging, former, intermittent.

    With h = share of periods significantly hot, recent = the last ⌊recent_prop · T⌋ periods
    (at least 1): persistent if h ≥ persistent_prop; emerging if the share hot among older
    periods < hotspot_prop and among recent periods ≥ recent_prop; former if older ≥
    hotspot_prop and recent < hotspot_prop; intermittent if h ≥ hotspot_prop; likewise cold;
    a cell both hot- and cold-classified is "mixed". Returns labels (object array).
    """
    zz = np.nan_to_num(np.asarray(z, dtype=float), nan=0.0)
    sig = np.nan_to_num(np.asarray(p, dtype=float), nan=1.0) < critical_p
    T = zz.shape[1]
    recent = max(1, int(np.floor(recent_prop * T)))
    if T - recent < 1:
        raise ValueError("need at least one recent and one older period")
    out_h, out_c = [], []
    for sign, out in ((1, out_h), (-1, out_c)):
        s = sig & (sign * zz > 0)
        prop = s.mean(axis=1)
        rec = s[:, T - recent:].mean(axis=1)
        old = s[:, : T - recent].mean(axis=1)
        word = "hot" if sign > 0 else "cold"
        lab = np.full(zz.shape[0], "no pattern", dtype=object)
        lab[prop >= hotspot_prop] = f"intermittent {word} spot"
        lab[(old >= hotspot_prop) & (rec < hotspot_prop)] = f"former {word} spot"
        lab[(old < hotspot_prop) & (rec >= recent_prop)] = f"emerging {word} spot"
        lab[prop >= persistent_prop] = f"persistent {word} spot"
        out.append(lab)
    h, c = out_h[0], out_c[0]
    return np.where((h != "no pattern") & (c != "no pattern"), "mixed hot/cold spot", np.where(h != "no pattern", h, c))


@dataclass(frozen=True)
class EmergingResult:
    """Per cell: ESRI class, simple class, MK statistic; per bin: Gi* z and p."""

    cube: SpaceTimeCube
    z: np.ndarray  # (T, R, C)
    p: np.ndarray
    classes: np.ndarray  # (R, C) ESRI codes, see CLASS_NAMES
    simple_classes: np.ndarray  # (R, C) labels
    mk_tau: np.ndarray  # (R, C)
    mk_z: np.ndarray
    mk_p: np.ndarray
    alpha: float
    radius_cells: int
    time_lag: int
    rules: str = ESRI_RULES

    def explain(self, row: int, col: int) -> str:
        """Why cell (row, col) got its class: its Gi* series and trend statistic."""
        code = int(self.classes[row, col])
        zs = self.z[:, row, col]
        ps = self.p[:, row, col]
        sig_hot = int(((ps < self.alpha) & (zs > 0)).sum())
        sig_cold = int(((ps < self.alpha) & (zs < 0)).sum())
        return (f"{CLASS_NAMES[code]}: hot in {sig_hot} and cold in {sig_cold} of {len(zs)} steps "
                f"(p < {self.alpha}); final step z = {zs[-1]:.2f}; Mann–Kendall τ = {self.mk_tau[row, col]:.2f}, "
                f"z = {self.mk_z[row, col]:.2f}, p = {self.mk_p[row, col]:.3f}.")


def emerging_hot_spots(cube: SpaceTimeCube, *, radius_cells: int = 1, time_lag: int = 1, alpha: float = 0.05,
                       mask: np.ndarray | None = None, progress: ProgressFn | None = None,
                       cancelled: CancelFn | None = None) -> EmergingResult:
    """Run the whole emerging hot spot analysis on ``cube`` (see the module docstring)."""
    T, R, C = cube.counts.shape
    if T < 3:
        raise ValueError("emerging hot spot analysis needs at least 3 time steps")
    checkpoint(progress, cancelled, 0.1, "Gi* for every space-time bin")
    z, p = space_time_gi_star(cube.counts, radius_cells=radius_cells, time_lag=time_lag, mask=mask)
    checkpoint(progress, cancelled, 0.5, "Trend test and classification")
    zs = z.reshape(T, R * C).T
    ps = p.reshape(T, R * C).T
    codes, mk = classify_esri(zs, ps, alpha=alpha)
    simple = classify_simple(zs, ps, critical_p=alpha)
    if mask is not None:
        outside = ~np.asarray(mask, dtype=bool).ravel()
        codes[outside] = 0
        simple[outside] = "no pattern"
    checkpoint(progress, cancelled, 1.0, "Done")
    shape = (R, C)
    return EmergingResult(cube, z, p, codes.reshape(shape), simple.reshape(shape), mk.tau.reshape(shape),
                          mk.z.reshape(shape), mk.p.reshape(shape), alpha, radius_cells, time_lag)
