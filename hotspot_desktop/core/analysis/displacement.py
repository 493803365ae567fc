"""Measures of an intervention's effect, displacement and diffusion of benefits.

Counts follow the notation of shared/METHODS.md: b = before, a = after; T = target (treated)
area, D = displacement catchment (buffer), C = control area, DC = the catchment's own control.
Every measure returns its value *and* the formula it used, because the field uses the same
names for different ratios, and explains undefined cases instead of dividing by zero.

References
----------
Bowers, K. J. & Johnson, S. D. (2003). Measuring the geographical displacement and diffusion of
    benefit effects of crime prevention activity. *Journal of Quantitative Criminology* 19(3).
Guerette, R. T. (2009). Analyzing crime displacement and diffusion. POP Center Tool Guide 10.
Wheeler, A. P. & Ratcliffe, J. H. (2018). A simple weighted displacement difference test to
    evaluate place based crime interventions. *Crime Science* 7(11).
Wilson, D. B. (2022). The relative incident rate ratio effect size for count-based impact
    evaluations. *Journal of Experimental Criminology* 18; used in Braga & Weisburd (2022),
    "Does hot spots policing have meaningful impacts on crime?", *J. Quant. Criminol.* 38.
Farrington, D. P. & Welsh, B. C. (2002). Improved street lighting and crime prevention (odds
    ratio effect size); Cohen's d from ln(OR): Chinn (2000), *Statistics in Medicine* 19.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy.stats import norm


@dataclass(frozen=True)
class BeforeAfter:
    """Incident counts of one area in the before and after periods."""

    before: float
    after: float

    @property
    def change(self) -> float:
        return self.after - self.before


@dataclass(frozen=True)
class Measure:
    """A computed measure: value (None when undefined), its formula and a plain explanation."""

    name: str
    value: float | None
    formula: str
    interpretation: str
    extra: tuple[tuple[str, float], ...] = ()

    def get(self, key: str) -> float:
        return dict(self.extra)[key]


# --- Weighted Displacement Quotient --------------------------------------------------------

WDQ_FORMULA = "WDQ = (Dₐ/Cₐ − D_b/C_b) / (Tₐ/Cₐ − T_b/C_b)"


def wdq(target: BeforeAfter, catchment: BeforeAfter, control: BeforeAfter) -> Measure:
    """Weighted Displacement Quotient (Bowers & Johnson 2003, eq. 1-3).

    Success measure SM = Tₐ/Cₐ − T_b/C_b (negative when the target improved relative to the
    control); buffer displacement measure BDM = Dₐ/Cₐ − D_b/C_b; WDQ = BDM / SM. The quotient is
    only interpreted when SM < 0. Bands (Bowers & Johnson 2003, Table 1): WDQ > 1 diffusion of
    benefits greater than the direct effect; 0 < WDQ ≤ 1 diffusion of benefits; WDQ = 0 no
    displacement or diffusion; −1 ≤ WDQ < 0 displacement smaller than the direct gain (a net
    benefit); WDQ < −1 displacement greater than the direct gain (the scheme was
    counter-productive).
    """
    if control.before <= 0 or control.after <= 0:
        return Measure("WDQ", None, WDQ_FORMULA,
                       "Undefined: the control area has no incidents in one period, so the ratios "
                       "against the control cannot be formed.")
    sm = target.after / control.after - target.before / control.before
    bdm = catchment.after / control.after - catchment.before / control.before
    extra = (("success_measure", sm), ("buffer_displacement_measure", bdm))
    if sm >= 0:
        return Measure("WDQ", None, WDQ_FORMULA,
                       f"Not interpretable: the success measure is {sm:+.3f} (≥ 0), i.e. crime in the "
                       "target did not fall relative to the control, so there is no gain to be "
                       "displaced or diffused.", extra)
    q = bdm / sm
    return Measure("WDQ", q, WDQ_FORMULA, wdq_band(q), extra)


def wdq_band(q: float) -> str:
    """The published interpretation band of a WDQ value (Bowers & Johnson 2003)."""
    if abs(q) < 1e-12:
        return "No displacement and no diffusion of benefits."
    if q > 1:
        return "Diffusion of benefits greater than the direct effect in the target area."
    if q > 0:
        return "Diffusion of benefits into the catchment (smaller than the direct effect)."
    if q >= -1:
        return "Displacement into the catchment, smaller than the gain in the target (net benefit)."
    return "Displacement into the catchment greater than the gain in the target (net loss)."


# --- Total Net Effect ----------------------------------------------------------------------

TNE_FORMULA = "TNE = [T_b·(Cₐ/C_b) − Tₐ] + [D_b·(Cₐ/C_b) − Dₐ]"


def total_net_effect(target: BeforeAfter, catchment: BeforeAfter, control: BeforeAfter) -> Measure:
    """Total Net Effect (Guerette 2009): incidents prevented in target plus catchment.

    Each area's expected after-count is its before-count scaled by the control's change
    Cₐ/C_b; TNE sums expected − observed over target and catchment. TNE > 0 is a net gain
    (fewer incidents than expected), TNE < 0 a net loss.
    """
    if control.before <= 0:
        return Measure("TNE", None, TNE_FORMULA,
                       "Undefined: the control area has no incidents before the intervention.")
    ratio = control.after / control.before
    direct = target.before * ratio - target.after
    buffer = catchment.before * ratio - catchment.after
    tne = direct + buffer
    if tne > 0:
        text = f"Net gain: about {tne:,.0f} fewer incidents than expected in target and catchment."
    elif tne < 0:
        text = f"Net loss: about {-tne:,.0f} more incidents than expected in target and catchment."
    else:
        text = "No net effect."
    return Measure("TNE", tne, TNE_FORMULA, text, (("target_effect", direct), ("catchment_effect", buffer)))


# --- Weighted Displacement Difference test -------------------------------------------------

WDD_FORMULA = "WDD = ΔT − ΔC + ΔD − ΔDC,  Var = Σ of the eight counts,  z = WDD/√Var"


@dataclass(frozen=True)
class WddResult:
    """Wheeler & Ratcliffe (2018) estimates: local (target), displacement (catchment), total."""

    local: float
    local_se: float
    displacement: float
    displacement_se: float
    total: float
    total_se: float
    z: float
    p: float
    ci_low: float
    ci_high: float
    alpha: float
    formula: str = WDD_FORMULA

    @property
    def variance(self) -> float:
        return self.total_se**2


def wdd(target: BeforeAfter, control: BeforeAfter, catchment: BeforeAfter | None = None,
        catchment_control: BeforeAfter | None = None, *, time_weights: tuple[float, float] = (1.0, 1.0),
        area_weights: tuple[float, float, float, float] = (1.0, 1.0, 1.0, 1.0), alpha: float = 0.05) -> WddResult:
    """Weighted Displacement Difference test (Wheeler & Ratcliffe 2018, eqs. 1-4).

    WDD = (Tₐ − T_b) − (Cₐ − C_b) + (Dₐ − D_b) − (DCₐ − DC_b), a difference-in-differences of
    counts; under a Poisson assumption Var(WDD) is the sum of the (weighted) counts, so
    z = WDD / √Var. Without a catchment only the local part is estimated. Without a control
    for the catchment, the target's control serves for both, which counts its variance twice
    in each term (coefficient 2, variance ×4).

    ``time_weights`` (pre, post) divide each period's counts (e.g. (2, 1) when the before
    period is twice as long); ``area_weights`` (control, target, catchment control,
    catchment) divide each area's counts; their variances scale by 1/w². These follow the
    amendments in Wheeler's ptools::wdd.
    """
    wc, wt, wdc, wd = area_weights
    pre, post = time_weights

    def delta_var(area: BeforeAfter | None, w_area: float) -> tuple[float, float]:
        if area is None:
            return 0.0, 0.0
        b, a = area.before / (pre * w_area), area.after / (post * w_area)
        var = area.before / (pre * w_area) ** 2 + area.after / (post * w_area) ** 2
        return a - b, var

    d_t, v_t = delta_var(target, wt)
    d_c, v_c = delta_var(control, wc)
    local = d_t - d_c
    local_var = v_t + v_c
    disp, disp_var = 0.0, 0.0
    if catchment is not None:
        d_d, v_d = delta_var(catchment, wd)
        if catchment_control is not None:
            d_dc, v_dc = delta_var(catchment_control, wdc)
            disp, disp_var = d_d - d_dc, v_d + v_dc
            total_var = local_var + disp_var
        else:
            disp, disp_var = d_d - d_c, v_d + v_c
            # The shared control enters twice: Var(ΔT + ΔD − 2ΔC) = Var T + Var D + 4 Var C.
            total_var = v_t + v_d + 4 * v_c
    else:
        total_var = local_var
    total = local + disp
    se = math.sqrt(total_var)
    z = total / se if se > 0 else float("nan")
    p = 2 * (1 - norm.cdf(abs(z))) if se > 0 else float("nan")
    crit = norm.ppf(1 - alpha / 2)
    return WddResult(local, math.sqrt(local_var), disp, math.sqrt(disp_var), total, se, z, p,
                     total - crit * se, total + crit * se, alpha)


# --- Rate ratios ----------------------------------------------------------------------------

RIRR_FORMULA = "RIRR = (Tₐ/T_b) / (Cₐ/C_b);  Var(ln RIRR) = (1/Tₐ + 1/T_b + 1/Cₐ + 1/C_b)·φ"


@dataclass(frozen=True)
class RateRatio:
    """Relative incident rate ratio with its confidence interval, and the matching odds ratio."""

    rirr: float | None
    ci_low: float | None
    ci_high: float | None
    percent_change: float | None
    odds_ratio: float | None
    cohens_d: float | None
    log_variance: float | None
    overdispersion: float
    explanation: str
    formula: str = RIRR_FORMULA


def rirr(area: BeforeAfter, control: BeforeAfter, *, overdispersion: float = 1.0,
         confidence: float = 0.95) -> RateRatio:
    """Relative incident rate ratio (Wilson 2022; Braga & Weisburd 2022).

    RIRR = (Tₐ/T_b)/(Cₐ/C_b); change = (RIRR − 1)·100 %. Var(ln RIRR) ≈ (1/Tₐ + 1/T_b + 1/Cₐ +
    1/C_b)·φ with φ ≥ 1 an overdispersion factor (φ = 1 is the Poisson case; see
    :func:`overdispersion_from_series`). Farrington's odds ratio OR = (T_b·Cₐ)/(Tₐ·C_b) = 1/RIRR
    (> 1 desirable) and Cohen's d ≈ ln(OR)·√3/π (Chinn 2000) are reported alongside.
    """
    counts = (area.before, area.after, control.before, control.after)
    if min(counts) <= 0:
        return RateRatio(None, None, None, None, None, None, None, overdispersion,
                         "Undefined: a zero count in one of the four cells; the rate ratio and its "
                         "log-variance need every count to be positive.")
    ratio = (area.after / area.before) / (control.after / control.before)
    var = (1 / area.after + 1 / area.before + 1 / control.after + 1 / control.before) * max(1.0, overdispersion)
    half = norm.ppf(0.5 + confidence / 2) * math.sqrt(var)
    lo, hi = math.exp(math.log(ratio) - half), math.exp(math.log(ratio) + half)
    odds = 1 / ratio
    d = math.log(odds) * math.sqrt(3) / math.pi
    change = (ratio - 1) * 100
    if hi < 1:
        text = f"Incidents fell {abs(change):.0f}% relative to the control; the {confidence:.0%} interval excludes no change."
    elif lo > 1:
        text = f"Incidents rose {change:.0f}% relative to the control; the {confidence:.0%} interval excludes no change."
    else:
        text = (f"A {change:+.0f}% change relative to the control, but the {confidence:.0%} interval "
                f"({lo:.2f}–{hi:.2f}) includes no change.")
    return RateRatio(ratio, lo, hi, change, odds, d, var, max(1.0, overdispersion), text)


def overdispersion_from_series(counts: list[float]) -> float:
    """Overdispersion factor φ = variance/mean of period counts (e.g. monthly), floored at 1.

    A Poisson series has φ ≈ 1; crime series usually show φ > 1, which widens the RIRR
    interval (the correction used in Braga & Weisburd 2022).
    """
    n = len(counts)
    if n < 2:
        return 1.0
    mean = sum(counts) / n
    if mean <= 0:
        return 1.0
    var = sum((c - mean) ** 2 for c in counts) / (n - 1)
    return max(1.0, var / mean)


SMALL_COUNT = 20  # below this, a cell's Poisson noise (±√n) is a large share of the count


def small_count_caution(*areas: BeforeAfter) -> str | None:
    """A caution sentence when any count is too small for the measures to mean much."""
    small = [c for a in areas for c in (a.before, a.after) if c < SMALL_COUNT]
    if not small:
        return None
    return (f"Caution: some counts are below {SMALL_COUNT} (smallest {min(small):.0f}); chance "
            "variation alone can produce changes of this size.")
