"""When crime happens: aoristic hour-of-week profiles, peak windows and trends.

Aoristic analysis (Ratcliffe 2002, "Aoristic signatures and the spatio-temporal analysis of
high volume crime patterns", *J. Quant. Criminol.* 18(1)): an incident known only to have
happened within [start, end] spreads a total weight of 1 over the time bins it overlaps,
wᵢ,b = |[startᵢ, endᵢ] ∩ b| / (endᵢ − startᵢ); an incident with one known time puts weight 1
in its bin. Bins here are the 168 hours of the week (Monday 00:00 = bin 0), so the profile is
a 7 × 24 hour-by-weekday table.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from hotspot_desktop.core.progress import CancelFn, ProgressFn, checkpoint

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
HOURS_PER_WEEK = 168
_CHUNK = 50_000


def _hours_of_week(ts: pd.Series) -> np.ndarray:
    """Float hours since the Monday 00:00 starting each timestamp's week."""
    t = pd.to_datetime(ts)
    return (t.dt.day_of_week * 24 + t.dt.hour + t.dt.minute / 60 + t.dt.second / 3600).to_numpy(dtype=float)


def _cumulative_bin_time(t: np.ndarray) -> np.ndarray:
    """F(t)[i, b] = hours of hour-of-week bin b inside [0, t_i] (t in hours from a Monday 00:00)."""
    weeks = np.floor(t / HOURS_PER_WEEK)
    rem = t - weeks * HOURS_PER_WEEK
    bins = np.arange(HOURS_PER_WEEK)
    return weeks[:, None] + np.clip(rem[:, None] - bins[None, :], 0.0, 1.0)


def aoristic_weights(start: pd.Series, end: pd.Series | None = None, *, progress: ProgressFn | None = None,
                     cancelled: CancelFn | None = None) -> np.ndarray:
    """Hour-of-week aoristic profile (length 168, Monday 00:00 first) summed over incidents.

    ``end`` may be None or NaT where the time is exact; windows with end ≤ start count as
    exact. Each incident contributes a total weight of exactly 1 (Ratcliffe 2002).
    """
    start = pd.Series(pd.to_datetime(start)).reset_index(drop=True)
    valid = start.notna().to_numpy()
    s_how = np.zeros(len(start))
    s_how[valid] = _hours_of_week(start[valid])
    profile = np.zeros(HOURS_PER_WEEK)
    if end is None:
        window = np.zeros(len(start), dtype=bool)
        duration = np.zeros(len(start))
    else:
        end = pd.Series(pd.to_datetime(end)).reset_index(drop=True)
        duration = ((end - start) / pd.Timedelta(hours=1)).to_numpy(dtype=float)
        window = valid & np.isfinite(duration) & (duration > 0)
    exact = valid & ~window
    np.add.at(profile, np.floor(s_how[exact]).astype(int) % HOURS_PER_WEEK, 1.0)
    idx = np.flatnonzero(window)
    for k in range(0, idx.size, _CHUNK):
        checkpoint(progress, cancelled, k / max(1, idx.size), "Spreading aoristic weights")
        sel = idx[k:k + _CHUNK]
        a = s_how[sel]
        b = a + duration[sel]
        share = (_cumulative_bin_time(b) - _cumulative_bin_time(a)) / duration[sel][:, None]
        profile += share.sum(axis=0)
    return profile


def hour_weekday_table(start: pd.Series, end: pd.Series | None = None, *, aoristic: bool = True) -> np.ndarray:
    """7 × 24 table (rows Monday..Sunday, columns hour 0..23) of counts or aoristic weights."""
    if aoristic:
        return aoristic_weights(start, end).reshape(7, 24)
    t = pd.Series(pd.to_datetime(start)).dropna()
    table = np.zeros((7, 24))
    np.add.at(table, (t.dt.day_of_week.to_numpy(), t.dt.hour.to_numpy()), 1.0)
    return table


@dataclass(frozen=True)
class PeakWindow:
    """A run of consecutive hours of the week and the share of incidents it holds."""

    start_bin: int  # hour of week, Monday 00:00 = 0
    hours: int
    weight: float
    share: float

    def label(self) -> str:
        """e.g. "Fri–Sat 22:00–02:00"."""
        a = self.start_bin % HOURS_PER_WEEK
        b = (self.start_bin + self.hours) % HOURS_PER_WEEK
        d0, h0 = divmod(a, 24)
        d1, h1 = divmod(b, 24)
        # A window ending exactly at midnight ends on the previous day at 24:00 → show 00:00.
        end_day = d1 if h1 != 0 else (d1 - 1) % 7
        days = DAYS[d0] if end_day == d0 else f"{DAYS[d0]}–{DAYS[end_day]}"
        return f"{days} {h0:02d}:00–{h1:02d}:00"

    def sentence(self, what: str = "incidents") -> str:
        return f"{self.label()} holds {self.share:.0%} of {what}"


def peak_windows(profile: np.ndarray, hours: int = 4, top: int = 3) -> list[PeakWindow]:
    """The ``top`` non-overlapping windows of ``hours`` consecutive hours holding most weight.

    The week is treated as circular (Sunday night runs into Monday morning).
    """
    prof = np.asarray(profile, dtype=float).ravel()
    if prof.size != HOURS_PER_WEEK:
        raise ValueError("profile must have 168 hour-of-week bins")
    total = prof.sum()
    if total <= 0:
        return []
    sums = np.array([prof.take(range(i, i + hours), mode="wrap").sum() for i in range(HOURS_PER_WEEK)])
    taken = np.zeros(HOURS_PER_WEEK, dtype=bool)
    out = []
    for i in np.argsort(-sums, kind="stable"):
        span = [(i + k) % HOURS_PER_WEEK for k in range(hours)]
        if taken[span].any():
            continue
        taken[span] = True
        out.append(PeakWindow(int(i), hours, float(sums[i]), float(sums[i] / total)))
        if len(out) == top:
            break
    return out


@dataclass(frozen=True)
class TrendResult:
    """Counts per period with a centred moving average and a seasonal index by month of year."""

    counts: pd.DataFrame  # index period start, one column per group (offence type) + "all"
    moving_average: pd.DataFrame
    seasonal_index: pd.DataFrame  # month 1..12 x group: mean count in that month / overall mean
    freq: str


_FREQS = {"day": "D", "week": "W-MON", "month": "MS"}


def trend(times: pd.Series, groups: pd.Series | None = None, *, freq: str = "week", window: int | None = None) -> TrendResult:
    """Counts per day/week/month (per group, e.g. offence type) with a moving average.

    Empty periods are kept as zeros (a gap is information). The moving average is centred,
    over ``window`` periods (default 7 days, 5 weeks or 3 months). The seasonal index is the
    mean count of each calendar month divided by the overall monthly mean (1 = average).
    """
    if freq not in _FREQS:
        raise ValueError(f"freq must be one of {sorted(_FREQS)}")
    t = pd.Series(pd.to_datetime(times)).reset_index(drop=True)
    g = pd.Series("all", index=t.index) if groups is None else pd.Series(np.asarray(groups, dtype=object)).astype(str)
    ok = t.notna()
    t, g = t[ok], g[ok]
    if t.empty:
        raise ValueError("no incidents with a date")
    rule = _FREQS[freq]
    period = t.dt.to_period({"D": "D", "W-MON": "W-SUN", "MS": "M"}[rule]).dt.start_time
    counts = pd.crosstab(period, g)
    full = pd.date_range(period.min(), period.max(), freq={"D": "D", "W-MON": "W-MON", "MS": "MS"}[rule])
    counts = counts.reindex(full, fill_value=0)
    if groups is not None:
        counts["all"] = counts.sum(axis=1)
    w = window or {"day": 7, "week": 5, "month": 3}[freq]
    ma = counts.rolling(w, center=True, min_periods=1).mean()
    monthly = pd.crosstab(t.dt.to_period("M").dt.start_time, g)
    if groups is not None:
        monthly["all"] = monthly.sum(axis=1)
    by_month = monthly.groupby(monthly.index.month).mean()
    seasonal = by_month / monthly.mean().replace(0, np.nan)
    counts.index.name = "period"
    return TrendResult(counts, ma, seasonal, freq)
