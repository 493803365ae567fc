"""Evaluate a place-based intervention: did crime fall in the target, move next door, or spread
benefits? Builds the before/after counts of target, catchment rings and control areas from
incident points, then the measures of :mod:`displacement`.

Design conventions (Bowers & Johnson 2003; Guerette 2009; Ratcliffe & Breen 2011):
* the catchment (buffer) surrounds the target and excludes it; concentric rings give a
  distance-decay view (ring k covers distances (w₁+…+wₖ₋₁, w₁+…+wₖ] from the target's edge);
* the control area must not overlap the target or the catchment (contamination), which is
  refused with a message;
* periods of unequal length are normalised by days (rates per day, and WDD time weights).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from hotspot_desktop.core.analysis.displacement import (BeforeAfter, Measure, RateRatio, WddResult,
                                                       overdispersion_from_series, rirr, small_count_caution,
                                                       total_net_effect, wdd, wdq)
from hotspot_desktop.core.progress import CancelFn, ProgressFn, checkpoint

# Areas may touch (share a border) but not overlap by more than this share of the smaller one.
OVERLAP_TOLERANCE = 1e-6


class DesignError(ValueError):
    """An evaluation design that cannot give meaningful results (message for the user)."""


@dataclass(frozen=True)
class Period:
    start: pd.Timestamp
    end: pd.Timestamp  # inclusive

    @property
    def days(self) -> float:
        return (self.end - self.start) / pd.Timedelta(days=1)

    def label(self) -> str:
        return f"{self.start.date()} to {self.end.date()}"


@dataclass(frozen=True)
class InterventionDesign:
    """What is compared: target, catchment (rings or drawn), control(s), periods, offences."""

    target: BaseGeometry
    control: BaseGeometry
    before: Period
    after: Period
    ring_widths_m: tuple[float, ...] = (250.0,)
    catchment: BaseGeometry | None = None  # hand-drawn catchment; replaces automatic rings
    catchment_control: BaseGeometry | None = None
    offences: frozenset[str] | None = None


def catchment_rings(target: BaseGeometry, widths_m: tuple[float, ...]) -> list[BaseGeometry]:
    """Concentric rings around ``target`` (each excluding the target and inner rings)."""
    rings, inner, dist = [], target, 0.0
    for w in widths_m:
        if w <= 0:
            raise DesignError("catchment ring widths must be positive (metres)")
        dist += w
        outer = target.buffer(dist, quad_segs=32)
        rings.append(outer.difference(inner))
        inner = outer
    return rings


def _overlap_share(a: BaseGeometry, b: BaseGeometry) -> float:
    smaller = min(a.area, b.area)
    return a.intersection(b).area / smaller if smaller > 0 else 0.0


def validate_design(design: InterventionDesign) -> list[str]:
    """Problems that make the design unusable (empty list when it is fine)."""
    problems = []
    for name, geom in (("target", design.target), ("control", design.control)):
        if geom is None or geom.is_empty or geom.area <= 0:
            problems.append(f"The {name} area is empty.")
    if problems:
        return problems
    catchment = design.catchment or shapely.union_all(catchment_rings(design.target, design.ring_widths_m))
    if _overlap_share(design.control, design.target) > OVERLAP_TOLERANCE:
        problems.append("The control area overlaps the target area: a control must be outside the "
                        "target, or it absorbs the effect it is meant to measure against.")
    if _overlap_share(design.control, catchment) > OVERLAP_TOLERANCE:
        problems.append("The control area overlaps the catchment: move it beyond the outer ring, or "
                        "displaced crime would count as control crime.")
    if design.catchment_control is not None:
        for name, geom in (("target", design.target), ("catchment", catchment)):
            if _overlap_share(design.catchment_control, geom) > OVERLAP_TOLERANCE:
                problems.append(f"The catchment's control area overlaps the {name}.")
    if design.before.end >= design.after.start:
        problems.append("The before period must end before the after period starts.")
    for label, p in (("before", design.before), ("after", design.after)):
        if p.days <= 0:
            problems.append(f"The {label} period is empty.")
    return problems


@dataclass(frozen=True)
class RingRow:
    ring: int
    inner_m: float
    outer_m: float
    before: int
    after: int
    area_km2: float

    @property
    def change_pct(self) -> float | None:
        return None if self.before == 0 else (self.after - self.before) / self.before * 100


@dataclass(frozen=True)
class InterventionResult:
    """Everything the evaluation shows: counts, measures, rings, series, profiles, offence mix."""

    design: InterventionDesign
    counts: pd.DataFrame  # index area (target, catchment, control[, catchment control]); before, after, per-day rates
    wdq: Measure
    tne: Measure
    wdd: WddResult
    rirr_target: RateRatio
    rirr_catchment: RateRatio
    rirr_target_overdispersed: RateRatio
    rings: list[RingRow]
    monthly: pd.DataFrame  # month x area counts
    hour_weekday_before: np.ndarray  # 7 x 24 counts inside the target
    hour_weekday_after: np.ndarray
    offence_mix: pd.DataFrame  # offence x (target before/after share, catchment before/after share)
    warnings: list[str] = field(default_factory=list)
    summary: str = ""


def _area_masks(x: np.ndarray, y: np.ndarray, geoms: dict[str, BaseGeometry]) -> dict[str, np.ndarray]:
    pts = shapely.points(x, y)
    out = {}
    for name, geom in geoms.items():
        shapely.prepare(geom)
        # Bounding-box prefilter keeps this linear-time on millions of points.
        xmin, ymin, xmax, ymax = geom.bounds
        inbox = (x >= xmin) & (x <= xmax) & (y >= ymin) & (y <= ymax)
        m = np.zeros(x.size, dtype=bool)
        idx = np.flatnonzero(inbox)
        if idx.size:
            m[idx] = shapely.contains_xy(geom, x[idx], y[idx]) | shapely.touches(geom, pts[idx])
        out[name] = m
    return out


def evaluate_intervention(x: np.ndarray, y: np.ndarray, times: pd.Series | np.ndarray,
                          design: InterventionDesign, offences: pd.Series | np.ndarray | None = None,
                          *, progress: ProgressFn | None = None, cancelled: CancelFn | None = None) -> InterventionResult:
    """Counts and measures for ``design`` over incidents at (x, y) with timestamps ``times``.

    Measures: WDQ (Bowers & Johnson 2003), TNE (Guerette 2009), WDD (Wheeler & Ratcliffe
    2018; with the catchment control when given, and day-based time weights when the periods
    differ in length), RIRR with 95% CI, with and without an overdispersion factor estimated
    from the target and control monthly counts of the before period (Wilson 2022; Braga &
    Weisburd 2022), for target vs control and catchment vs control.
    """
    problems = validate_design(design)
    if problems:
        raise DesignError(" ".join(problems))
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    t = pd.Series(pd.to_datetime(np.asarray(times)))
    keep = t.notna().to_numpy() & np.isfinite(x) & np.isfinite(y)
    if offences is not None and design.offences is not None:
        keep &= pd.Series(np.asarray(offences)).astype(str).isin(design.offences).to_numpy()
    checkpoint(progress, cancelled, 0.05, "Selecting incidents")
    before = keep & (t >= design.before.start).to_numpy() & (t <= design.before.end).to_numpy()
    after = keep & (t >= design.after.start).to_numpy() & (t <= design.after.end).to_numpy()
    in_time = before | after

    rings = catchment_rings(design.target, design.ring_widths_m)
    catchment = design.catchment if design.catchment is not None else shapely.union_all(rings)
    catchment = catchment.difference(design.target)
    geoms = {"target": design.target, "catchment": catchment, "control": design.control}
    if design.catchment_control is not None:
        geoms["catchment control"] = design.catchment_control
    if design.catchment is None:
        geoms.update({f"ring {i + 1}": r for i, r in enumerate(rings)})
    checkpoint(progress, cancelled, 0.15, "Counting incidents by area")
    sel = np.flatnonzero(in_time)
    masks_sel = _area_masks(x[sel], y[sel], geoms)
    masks = {}
    for name, m in masks_sel.items():
        full = np.zeros(x.size, dtype=bool)
        full[sel[m]] = True
        masks[name] = full
    checkpoint(progress, cancelled, 0.6, "Computing measures")

    def ba(name: str) -> BeforeAfter:
        return BeforeAfter(int((masks[name] & before).sum()), int((masks[name] & after).sum()))

    areas = {name: ba(name) for name in ("target", "catchment", "control") + (
        ("catchment control",) if design.catchment_control is not None else ())}
    db, da = design.before.days, design.after.days
    counts = pd.DataFrame({
        "before": [a.before for a in areas.values()], "after": [a.after for a in areas.values()],
        "before_per_day": [a.before / db for a in areas.values()],
        "after_per_day": [a.after / da for a in areas.values()],
        "area_km2": [geoms[n].area / 1e6 for n in areas],
    }, index=pd.Index(list(areas), name="area"))
    counts["change_pct"] = np.where(counts["before_per_day"] > 0,
                                    (counts["after_per_day"] / counts["before_per_day"].where(counts["before_per_day"] > 0) - 1) * 100,
                                    np.nan)
    warnings = []
    if abs(db - da) > 0.5:
        warnings.append(f"The periods differ in length ({db:.0f} days before, {da:.0f} after): rates are per "
                        "day and the WDD uses time weights; WDQ, TNE and RIRR are ratios to the control "
                        "and need no adjustment.")
    T, D, C = areas["target"], areas["catchment"], areas["control"]
    DC = areas.get("catchment control")

    month = t.dt.to_period("M")
    monthly = pd.DataFrame({name: pd.Series(month[masks[name] & in_time]).value_counts() for name in areas}).sort_index()
    monthly = monthly.reindex(pd.period_range(design.before.start, design.after.end, freq="M"), fill_value=0).fillna(0)
    monthly.index = monthly.index.to_timestamp()
    pre_months = monthly[monthly.index <= design.before.end]
    phi = max(overdispersion_from_series(list(pre_months["target"])),
              overdispersion_from_series(list(pre_months["control"])))

    wdd_res = wdd(T, C, D, DC, time_weights=(db / da, 1.0) if da > 0 else (1.0, 1.0))
    result_rirr_t = rirr(T, C)
    result_rirr_d = rirr(D, C)
    result_rirr_t_od = rirr(T, C, overdispersion=phi)

    ring_rows = []
    if design.catchment is None:
        inner = 0.0
        for i, w in enumerate(design.ring_widths_m):
            r = ba(f"ring {i + 1}")
            ring_rows.append(RingRow(i + 1, inner, inner + w, r.before, r.after, geoms[f"ring {i + 1}"].area / 1e6))
            inner += w

    def hour_weekday(mask: np.ndarray) -> np.ndarray:
        tt = t[mask]
        grid = np.zeros((7, 24))
        np.add.at(grid, (tt.dt.day_of_week.to_numpy(), tt.dt.hour.to_numpy()), 1)
        return grid

    hw_b = hour_weekday(masks["target"] & before)
    hw_a = hour_weekday(masks["target"] & after)

    mix = pd.DataFrame()
    if offences is not None:
        off = pd.Series(np.asarray(offences)).astype(str)
        cols = {}
        for area in ("target", "catchment"):
            for label, pm in (("before", before), ("after", after)):
                vc = off[masks[area] & pm].value_counts()
                cols[f"{area} {label} share"] = vc / vc.sum() if vc.sum() else vc
        mix = pd.DataFrame(cols).fillna(0.0).sort_index()
    checkpoint(progress, cancelled, 0.95, "Writing summary")
    wdq_m = wdq(T, D, C)
    tne_m = total_net_effect(T, D, C)
    result = InterventionResult(design, counts, wdq_m, tne_m, wdd_res, result_rirr_t, result_rirr_d,
                                result_rirr_t_od, ring_rows, monthly, hw_b, hw_a, mix, warnings)
    summary = plain_language_summary(result)
    object.__setattr__(result, "summary", summary)
    checkpoint(progress, cancelled, 1.0, "Done")
    return result


def plain_language_summary(res: InterventionResult) -> str:
    """A paragraph an analyst can paste into a briefing, with a caution on small counts."""
    c = res.counts
    t_b, t_a = int(c.loc["target", "before"]), int(c.loc["target", "after"])
    d_b, d_a = int(c.loc["catchment", "before"]), int(c.loc["catchment", "after"])
    per_day = c.loc["target", "change_pct"]
    parts = [f"In the target area, incidents went from {t_b:,} ({res.design.before.label()}) to {t_a:,} "
             f"({res.design.after.label()})" + (f", {per_day:+.0f}% per day." if np.isfinite(per_day) else ".")]
    if res.rirr_target.rirr is not None:
        parts.append(f"Relative to the control area: {res.rirr_target.explanation}")
    parts.append(f"In the surrounding catchment, incidents went from {d_b:,} to {d_a:,}.")
    if res.wdq.value is not None:
        parts.append(f"WDQ = {res.wdq.value:.2f}: {res.wdq.interpretation}")
    else:
        parts.append(res.wdq.interpretation)
    w = res.wdd
    sig = "statistically significant" if w.p < 0.05 else "not statistically significant"
    parts.append(f"The weighted displacement difference is {w.total:+.0f} incidents (SE {w.total_se:.1f}, "
                 f"z = {w.z:.2f}, {sig} at the 5% level).")
    caution = small_count_caution(*[BeforeAfter(r["before"], r["after"]) for _, r in c.iterrows()])
    if caution:
        parts.append(caution)
    return " ".join(parts)


def suggest_controls(areas: "pd.DataFrame", area_geoms: list[BaseGeometry], x: np.ndarray, y: np.ndarray,
                     times: pd.Series, target: BaseGeometry, before: Period, exclude: BaseGeometry | None = None,
                     n: int = 3) -> pd.DataFrame:
    """Rank candidate control areas (e.g. beats) by how well their before-period trend matches
    the target's: the Pearson correlation of monthly counts, ties broken by the closest mean
    count (a parallel-trends heuristic for difference-in-differences designs). Areas that
    overlap the target or ``exclude`` (the catchment) are skipped. Returns the top ``n`` rows of
    ``areas`` with columns ``correlation``, ``mean_monthly``, ``target_mean_monthly`` and
    ``reason``.
    """
    t = pd.Series(pd.to_datetime(np.asarray(times)))
    pre = (t >= before.start).to_numpy() & (t <= before.end).to_numpy()
    month = t.dt.to_period("M")
    months = pd.period_range(before.start, before.end, freq="M")
    geoms = {"target": target} | {i: g for i, g in enumerate(area_geoms)}
    masks = _area_masks(x[pre], y[pre], geoms)
    pm = month[pre].reset_index(drop=True)

    def series(mask: np.ndarray) -> np.ndarray:
        return pm[mask].value_counts().reindex(months, fill_value=0).to_numpy(dtype=float)

    target_s = series(masks["target"])
    rows = []
    for i, g in enumerate(area_geoms):
        if _overlap_share(g, target) > OVERLAP_TOLERANCE or (
                exclude is not None and _overlap_share(g, exclude) > OVERLAP_TOLERANCE):
            continue
        s = series(masks[i])
        corr = float(np.corrcoef(target_s, s)[0, 1]) if s.std() > 0 and target_s.std() > 0 else 0.0
        rows.append((i, corr, s.mean()))
    if not rows:
        return areas.iloc[[]]
    out = areas.iloc[[r[0] for r in rows]].copy()
    out["correlation"] = [r[1] for r in rows]
    out["mean_monthly"] = [r[2] for r in rows]
    out["target_mean_monthly"] = target_s.mean()
    out["_gap"] = (out["mean_monthly"] - target_s.mean()).abs()
    out = out.sort_values(["correlation", "_gap"], ascending=[False, True]).drop(columns="_gap").head(n)
    out["reason"] = [f"before-period monthly counts correlate r = {c:.2f} with the target's "
                     f"(mean {m:.1f} vs {target_s.mean():.1f} a month)" for c, m in zip(out["correlation"], out["mean_monthly"])]
    return out
