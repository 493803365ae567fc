"""Incident simulation for Riverton: a marked spatio-temporal point process on the street network.

Model (all counts are expectations before the final thinning to exactly ``n_incidents``):

* **Immigrants** of three kinds, each a set of (offence, spatial weights over street pieces, count):
  background crime per offence, with weights = piece length x street-class factor x
  (population density + land-use attraction + a floor); planted hot spots, uniform along the
  streets inside a circle with count ``(factor - 1) x`` the background expected there; and the
  emerging hot spot, switched on at its start date.
* **Time**: day and hour drawn jointly from season(day) x rhythm(offence, weekday, hour), with a
  summer peak and offence-specific daily/weekly rhythms.
* **Repeat and near-repeat victimisation**: a self-exciting (Hawkes) cluster process (Mohler et al.
  2011, "Self-exciting point process modeling of crime", JASA 106(493)); every incident has
  Poisson(branching) offspring of the same offence, along the same street (Laplace offset) and
  days to weeks later, which multiplies expected counts by 1 / (1 - branching).
* **Intervention** from its start date: incidents on pieces inside a target are kept with
  probability 1 + REDUCTION, in the diffusion sector with 1 + DIFFUSION; the displacement sector
  gains DISPLACEMENT x its own count as extra incidents. Controls are untouched.

Region membership is decided by each street piece's midpoint, for the simulation and for the
expected counts alike, so the ground truth is exactly the simulated model's expectation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from hotspot_desktop.core.progress import CancelFn, ProgressFn, checkpoint
from hotspot_desktop.sample import spec
from hotspot_desktop.sample.geography import Geography
from hotspot_desktop.sample.regions import Regions, inside

DAY = 86_400
HOUR = 3_600
CLASS_NAMES = ("arterial", "collector", "residential")


@dataclass(frozen=True)
class Calendar:
    start: pd.Timestamp
    n_days: int
    emerging_day: int  # first day of the emerging hot spot
    intervention_day: int  # first day of the intervention
    before_day: int  # first day of the "before" period (same length as "after")

    def date(self, day: int) -> pd.Timestamp:
        return self.start + pd.Timedelta(days=int(day))


def make_calendar(years: int) -> Calendar:
    """Data span of ``years`` years from DATA_START; emerging at half, intervention at two thirds
    (both moved to the nearest first of a month); "before" is as many calendar months just before it as "after"
    has, so both periods cover the same seasons."""
    start = pd.Timestamp(spec.DATA_START)
    end = start + pd.DateOffset(years=years)
    n_days = int((end - start).days)

    def nearest_month_start(day: float) -> int:
        d = start + pd.Timedelta(days=float(day))
        lo = d.normalize().replace(day=1)
        hi = lo + pd.DateOffset(months=1)
        return int(((lo if d - lo <= hi - d else hi) - start).days)

    em = nearest_month_start(n_days / 2)
    iv = nearest_month_start(n_days * 2 / 3)
    iv_date = start + pd.Timedelta(days=iv)
    months_after = (end.year - iv_date.year) * 12 + end.month - iv_date.month
    before = max(start, iv_date - pd.DateOffset(months=months_after))
    return Calendar(start, n_days, em, iv, int((before - start).days))


@dataclass
class Component:
    """One source of immigrant incidents of one offence."""

    source: str  # "background", a hot spot's name, the emerging hot spot's name
    offence: int  # index into spec.OFFENCES
    weights: np.ndarray  # over street pieces, sums to 1
    count: float  # expected immigrants (before the final thinning)
    first_day: int = 0
    final: np.ndarray | None = None  # expected final incidents per piece per immigrant (with offspring)


@dataclass
class Simulation:
    """The simulated incidents (exactly n), plus what is needed to state their expectations."""

    x: np.ndarray
    y: np.ndarray
    t: np.ndarray  # true time, int64 seconds since calendar start
    start: np.ndarray  # window start (seconds), equal to t when the time is exact
    end: np.ndarray  # window end (seconds), -1 when the time is exact
    offence: np.ndarray  # int8 index into spec.OFFENCES
    piece: np.ndarray  # street piece of each incident
    calendar: Calendar
    components: list[Component]
    piece_modifier: np.ndarray  # multiplier after the intervention start, per street piece
    scale: float  # n_incidents / expected simulated total (the final thinning)
    day_tables: dict[tuple[int, int], np.ndarray]  # (offence, first_day) -> P(day)


def _season(calendar: Calendar, amplitude: float) -> np.ndarray:
    days = calendar.start + pd.to_timedelta(np.arange(calendar.n_days), unit="D")
    doy = days.day_of_year.to_numpy()
    return 1.0 + amplitude * np.cos(2 * np.pi * (doy - 200) / 365.25)


def _weekday(calendar: Calendar) -> np.ndarray:
    return (calendar.start.weekday() + np.arange(calendar.n_days)) % 7


def _landuse_kernel(geo: Geography, kind: str, sigma: float = 100.0) -> np.ndarray:
    """Sum over land-use points of ``kind`` of a Gaussian kernel at each piece midpoint."""
    lu = geo.landuse[geo.landuse["kind"] == kind]
    out = np.zeros(geo.pieces["mx"].size)
    if len(lu) == 0:
        return out
    tree = cKDTree(np.column_stack([lu.geometry.x, lu.geometry.y]))
    pts = np.column_stack([geo.pieces["mx"], geo.pieces["my"]])
    dist, _ = tree.query(pts, k=min(8, len(lu)), distance_upper_bound=4 * sigma)
    dist = np.atleast_2d(dist.T).T
    w = np.exp(-0.5 * (dist / sigma) ** 2)
    w[~np.isfinite(dist)] = 0.0
    return w.sum(axis=1)


def background_weights(geo: Geography) -> np.ndarray:
    """(n_offences, n_pieces) background spatial weights, each row summing to 1."""
    p = geo.pieces
    pop = p["popdens"] / max(float(np.average(p["popdens"], weights=p["len"])), 1e-9)
    kinds = sorted({k for s in spec.OFFENCE_SPECS.values() for k in s.landuse})
    kern = {k: _landuse_kernel(geo, k) for k in kinds}
    # keep the rail yard nearly empty until the emerging hot spot starts
    xmin, ymin, xmax, ymax = spec.RAIL_YARD
    lx, ly = p["mx"] - geo.centre[0], p["my"] - geo.centre[1]
    yard = (lx >= xmin) & (lx <= xmax) & (ly >= ymin) & (ly <= ymax)
    rows = []
    for name in spec.OFFENCES:
        s = spec.OFFENCE_SPECS[name]
        w = s.pop_weight * pop + np.where(yard, 0.02 * s.floor, s.floor)
        for k, a in s.landuse.items():
            w = w + a * kern[k]
        cls_factor = np.array([s.class_factor.get(c, 1.0) for c in CLASS_NAMES])[p["cls"]]
        w = w * cls_factor * p["len"]
        rows.append(w / w.sum())
    return np.vstack(rows)


def piece_modifiers(geo: Geography, regions: Regions) -> tuple[np.ndarray, np.ndarray]:
    """Multiplier after the intervention start per piece, and the displacement-sector id per piece
    (-1 outside, else the target's index)."""
    mx, my = geo.pieces["mx"], geo.pieces["my"]
    mod = np.ones(mx.size)
    disp = np.full(mx.size, -1)
    for i, t in enumerate(regions.targets):
        mod[inside(t.target, mx, my)] = 1.0 + spec.REDUCTION
        mod[inside(t.diffusion, mx, my)] = 1.0 + spec.DIFFUSION
        d = inside(t.displacement, mx, my)
        mod[d] = 1.0 + spec.DISPLACEMENT
        disp[d] = i
    return mod, disp


NEAR_REPEAT_EXACT = 0.2  # share of offspring at the same address (repeat victimisation)
NEAR_REPEAT_SCALE_M = 60.0  # Laplace scale of the along-street offset of near repeats
_KERNEL_REACH = 45  # pieces either side considered by the expectation operator


def _offset_cdf(d: np.ndarray) -> np.ndarray:
    """CDF of the along-street offspring offset: a mixture of N(0, 2 m) and Laplace(0, 60 m)."""
    from scipy.special import ndtr

    b = NEAR_REPEAT_SCALE_M
    lap = np.where(d < 0, 0.5 * np.exp(np.minimum(d, 0) / b), 1.0 - 0.5 * np.exp(-np.maximum(d, 0) / b))
    return NEAR_REPEAT_EXACT * ndtr(d / 2.0) + (1.0 - NEAR_REPEAT_EXACT) * lap


def offspring_operator(pieces: dict[str, np.ndarray]):
    """Sparse matrix K with K[j, i] = P(an offspring of an incident on piece i lands on piece j).

    Offsets run along the same street and are clipped at its ends, as in the simulation.
    """
    from scipy.sparse import coo_matrix

    street, along, length = pieces["street"], pieces["along"], pieces["len"]
    n = street.size
    centre = along + 0.5 * length
    first = np.r_[0, np.flatnonzero(np.diff(street)) + 1]
    last = np.r_[first[1:] - 1, n - 1]
    sid = np.searchsorted(first, np.arange(n), side="right") - 1
    lo, hi = along[first][sid], (along[last] + length[last])[sid]
    rows, cols, vals = [], [], []
    i = np.arange(n)
    for k in range(-_KERNEL_REACH, _KERNEL_REACH + 1):
        j = i + k
        ok = (j >= 0) & (j < n)
        ii, jj = i[ok], j[ok]
        ok = sid[ii] == sid[jj]
        ii, jj = ii[ok], jj[ok]
        mass = _offset_cdf(along[jj] + length[jj] - centre[ii]) - _offset_cdf(along[jj] - centre[ii])
        rows.append(jj)
        cols.append(ii)
        vals.append(mass)
    # mass beyond a street's end piles up on its end pieces (the simulation clips there)
    rows += [first[sid], last[sid]]
    cols += [i, i]
    vals += [_offset_cdf(lo - centre), 1.0 - _offset_cdf(hi - centre)]
    return coo_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n)).tocsr()


def _with_offspring(op, weights: np.ndarray, branching: np.ndarray) -> np.ndarray:
    """Expected final incidents per piece per immigrant, for every column of ``weights`` (pieces x k)
    and every branching ratio: sum over generations g of branching^g K^g w, the spatial footprint
    of a Hawkes cluster. Returns an array (len(branching), pieces, k)."""
    total = np.repeat(weights[None, :, :], branching.size, axis=0)
    current = weights
    for g in range(1, 60):
        current = op @ current
        total += branching[:, None, None] ** g * current[None, :, :]
        if float(branching.max()) ** g < 1e-6:
            break
    return total


def build_components(geo: Geography, regions: Regions, calendar: Calendar) -> list[Component]:
    """Immigrant components for one unit of background (counts are scaled later)."""
    bg = background_weights(geo)
    n_off = len(spec.OFFENCES)
    shares = np.array([spec.OFFENCE_SPECS[o].share for o in spec.OFFENCES])
    shares = shares / shares.sum()
    eta = np.array([spec.OFFENCE_SPECS[o].branching for o in spec.OFFENCES])
    p = geo.pieces
    planted = [(h.name, regions.hotspots[h.name], h.mix) for h in spec.HOTSPOTS]
    planted.append((spec.EMERGING.name, regions.emerging, spec.EMERGING.mix))
    masks = [inside(poly, p["mx"], p["my"]) for _, poly, _ in planted]
    flat = [np.where(m, p["len"], 0.0) / p["len"][m].sum() for m in masks]
    # one pass of the offspring operator over every spatial footprint at once
    final = _with_offspring(offspring_operator(p), np.column_stack([*bg, *flat]), eta)
    bg_final = np.stack([final[i, :, i] for i in range(n_off)], axis=1)  # pieces x offences
    comps = [Component("background", i, bg[i], float(shares[i]), 0, bg_final[:, i]) for i in range(n_off)]
    bg_sum = bg_final @ shares  # expected final background per piece per unit
    for k, (name, poly, mix_d) in enumerate(planted):
        m = masks[k]
        mix = np.array([mix_d.get(o, 0.0) for o in spec.OFFENCES])
        mix = mix / mix.sum()
        fin = final[:, :, n_off + k].T  # pieces x offences
        per_unit_inside = float(fin[m].sum(axis=0) @ mix)
        if name == spec.EMERGING.name:
            after_share = (calendar.n_days - calendar.emerging_day) / calendar.n_days
            city_density = float(bg_sum.sum()) / geo.boundary.area
            total = spec.EMERGING.factor * city_density * poly.area * after_share / per_unit_inside
            first_day = calendar.emerging_day
        else:
            factor = next(h.factor for h in spec.HOTSPOTS if h.name == name)
            total = (factor - 1.0) * float(bg_sum[m].sum()) / per_unit_inside
            first_day = 0
        comps += [Component(name, i, flat[k], float(total * mix[i]), first_day, fin[:, i])
                  for i in range(n_off) if mix[i] > 0]
    return comps


def day_hour_tables(calendar: Calendar) -> tuple[dict[int, np.ndarray], dict[int, np.ndarray]]:
    """Per offence: P(day, hour) flattened (n_days*24), and the 7 x 24 week-hour table."""
    wd = _weekday(calendar)
    joint, week = {}, {}
    for i, o in enumerate(spec.OFFENCES):
        wh = spec.week_hour_table(o)
        season = _season(calendar, spec.OFFENCE_SPECS[o].summer_amplitude)
        joint[i] = (season[:, None] * wh[wd]).ravel()
        week[i] = wh
    return joint, week


def day_table(joint: np.ndarray, first_day: int) -> np.ndarray:
    """P(day) of an offence's joint table, zero before ``first_day``, summing to 1."""
    p = joint.reshape(-1, 24).sum(axis=1)
    p[:first_day] = 0.0
    return p / p.sum()


def expected_per_piece(components: list[Component], day_tables: dict[tuple[int, int], np.ndarray],
                       modifier: np.ndarray, calendar: Calendar, day0: int, day1: int, scale: float) -> np.ndarray:
    """Expected incidents per street piece with true time in days [day0, day1)."""
    iv = calendar.intervention_day
    out = np.zeros(modifier.size)
    for c in components:
        p = day_tables[(c.offence, c.first_day)]
        pre = p[day0:min(day1, iv)].sum() if day0 < iv else 0.0
        post = p[max(day0, iv):day1].sum() if day1 > iv else 0.0
        out += c.count * c.final * (pre + modifier * post)
    return out * scale


def _sample_pieces(rng: np.random.Generator, weights: np.ndarray, n: int) -> np.ndarray:
    cdf = np.cumsum(weights)
    return np.minimum(np.searchsorted(cdf, rng.random(n) * cdf[-1], side="right"), weights.size - 1)


def _hour_given_weekday(rng: np.random.Generator, week: np.ndarray, weekday: np.ndarray) -> np.ndarray:
    cdf = np.cumsum(week, axis=1)
    cdf = cdf / cdf[:, -1:]
    u = rng.random(weekday.size)
    hour = np.zeros(weekday.size, dtype=np.int64)
    for d in range(7):
        sel = weekday == d
        hour[sel] = np.minimum(np.searchsorted(cdf[d], u[sel], side="right"), 23)
    return hour


def _immigrants(rng: np.random.Generator, comps: list[Component], joint: dict[int, np.ndarray],
                scale: float, pieces: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Offence, global along-street position and time (s) of the immigrant incidents."""
    offs, us, ts = [], [], []
    for c in comps:
        n = int(rng.poisson(c.count * scale))
        if n == 0:
            continue
        idx = _sample_pieces(rng, c.weights, n)
        u = pieces["along"][idx] + rng.random(n) * pieces["len"][idx]
        table = joint[c.offence].copy()
        table[:c.first_day * 24] = 0.0
        cells = _sample_pieces(rng, table, n)
        t = cells * HOUR + rng.integers(0, HOUR, n)
        offs.append(np.full(n, c.offence, dtype=np.int8))
        us.append(u)
        ts.append(t.astype(np.int64))
    return np.concatenate(offs), np.concatenate(us), np.concatenate(ts)


def _offspring(rng: np.random.Generator, off: np.ndarray, u: np.ndarray, t: np.ndarray,
               calendar: Calendar, week: dict[int, np.ndarray], street_span: tuple[np.ndarray, np.ndarray],
               street_of: Callable[[np.ndarray], np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All generations of repeat / near-repeat offspring of the given incidents.

    Near repeats follow the pattern measured for burglary (Townsley, Homel & Chaseling 2003,
    "Infectious burglaries", Brit. J. Criminology 43(3); Johnson et al. 2007, J. Quantitative
    Criminology 23(3)): elevated risk at the same address and within a few hundred metres, for
    days to a few weeks.
    """
    branching = np.array([spec.OFFENCE_SPECS[o].branching for o in spec.OFFENCES])
    s_lo, s_hi = street_span
    horizon = calendar.n_days * DAY
    out_o, out_u, out_t = [], [], []
    po, pu, pt = off, u, t
    for _generation in range(50):
        k = rng.poisson(branching[po])
        if k.sum() == 0:
            break
        par = np.repeat(np.arange(po.size), k)
        co, pu_, pt_ = po[par], pu[par], pt[par]
        n = par.size
        # 20% exact repeats (same address), the rest near repeats along the same street
        offset = np.where(rng.random(n) < NEAR_REPEAT_EXACT, rng.normal(0.0, 2.0, n),
                          rng.laplace(0.0, NEAR_REPEAT_SCALE_M, n))
        street = street_of(pu_)
        cu = np.clip(pu_ + offset, s_lo[street] + 1e-3, s_hi[street] - 1e-3)
        # lag: a mixture of a fast (days) and a slow (weeks) decay, as in near-repeat studies
        lag_days = np.where(rng.random(n) < 0.3, rng.exponential(1.5, n), rng.exponential(14.0, n))
        day = pt_ // DAY + np.floor(lag_days).astype(np.int64) + 1
        ok = day < calendar.n_days
        co, cu, day = co[ok], cu[ok], day[ok]
        wd = (calendar.start.weekday() + day) % 7
        hour = np.zeros(day.size, dtype=np.int64)
        for i in np.unique(co):
            sel = co == i
            hour[sel] = _hour_given_weekday(rng, week[int(i)], wd[sel])
        ct = day * DAY + hour * HOUR + rng.integers(0, HOUR, day.size)
        ct = np.minimum(ct, horizon - 1)
        out_o.append(co)
        out_u.append(cu)
        out_t.append(ct)
        po, pu, pt = co, cu, ct
    if not out_o:
        return off[:0], u[:0], t[:0]
    return np.concatenate(out_o), np.concatenate(out_u), np.concatenate(out_t)


def _windows(rng: np.random.Generator, off: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start/end of incidents known only within a window (burglary: victim away; car crime overnight).

    The true time lies inside; widths run from about an hour to at most two days.
    """
    start = t.copy()
    end = np.full(t.size, -1, dtype=np.int64)
    share = np.array([spec.OFFENCE_SPECS[o].window_share for o in spec.OFFENCES])[off]
    win = rng.random(t.size) < share
    n = int(win.sum())
    before = rng.exponential(3.0 * HOUR, n)
    after = rng.exponential(3.5 * HOUR, n)
    away = rng.random(n) < 0.12  # away for a day or a weekend
    before = np.where(away, rng.uniform(6, 30, n) * HOUR, before)
    after = np.where(away, rng.uniform(4, 16, n) * HOUR, after)
    before = np.minimum(before, 30 * HOUR)
    after = np.minimum(after, 48 * HOUR - before)
    s = (t[win] - before) // 300 * 300  # agencies record windows to the nearest 5 minutes
    e = -(-(t[win] + after) // 300) * 300
    e = np.minimum(np.maximum(e, s + 1800), s + 48 * HOUR)  # half an hour to two days wide
    start[win] = s
    end[win] = e
    return start, end


def simulate(geo: Geography, regions: Regions, calendar: Calendar, n_incidents: int,
             rng: np.random.Generator, progress: ProgressFn | None = None,
             cancelled: CancelFn | None = None) -> Simulation:
    """Simulate exactly ``n_incidents`` incidents (see the module docstring for the model)."""
    p = geo.pieces
    comps = build_components(geo, regions, calendar)
    joint, week = day_hour_tables(calendar)
    modifier, disp_sector = piece_modifiers(geo, regions)
    day_tables = {(c.offence, c.first_day): day_table(joint[c.offence], c.first_day) for c in comps}
    unit_total = float(expected_per_piece(comps, day_tables, modifier, calendar, 0, calendar.n_days, 1.0).sum())

    street = p["street"]
    first = np.r_[0, np.flatnonzero(np.diff(street)) + 1]
    s_lo = p["along"][first]
    s_hi = np.r_[p["along"][first[1:]], p["along"][-1] + p["len"][-1]]
    # street index (0-based, in piece order) of a global coordinate
    street_of = lambda uu: np.searchsorted(s_lo, uu, side="right") - 1
    piece_of = lambda uu: np.minimum(np.searchsorted(p["along"], uu, side="right") - 1, p["len"].size - 1)

    margin = 0.03 + 6.0 * np.sqrt(2.5 / max(n_incidents, 1))
    for _attempt in range(10):
        checkpoint(progress, cancelled, 0.1, "simulating incidents")
        scale_raw = n_incidents * (1.0 + margin) / unit_total
        off, u, t = _immigrants(rng, comps, joint, scale_raw, p)
        checkpoint(progress, cancelled, 0.3, "repeat and near-repeat victimisation")
        o2, u2, t2 = _offspring(rng, off, u, t, calendar, week, (s_lo, s_hi), street_of)
        off, u, t = np.concatenate([off, o2]), np.concatenate([u, u2]), np.concatenate([t, t2])
        checkpoint(progress, cancelled, 0.5, "intervention")
        piece = piece_of(u)
        after = t >= calendar.intervention_day * DAY
        keep_p = np.where(after, modifier[piece], 1.0)
        keep = rng.random(t.size) < np.minimum(keep_p, 1.0)
        extra_o, extra_u, extra_t = [], [], []
        for i in range(len(regions.targets)):
            sector = np.flatnonzero(disp_sector == i)
            in_sector = np.flatnonzero(after & (disp_sector[piece] == i))
            n_extra = int(rng.poisson(spec.DISPLACEMENT * in_sector.size))
            if n_extra == 0:
                continue
            template = rng.choice(in_sector, n_extra)
            w = expected_per_piece(comps, day_tables, np.ones(modifier.size), calendar,
                                   calendar.intervention_day, calendar.n_days, 1.0)[sector]
            new_piece = sector[_sample_pieces(rng, w, n_extra)]
            extra_o.append(off[template])
            extra_t.append(t[template])
            extra_u.append(p["along"][new_piece] + rng.random(n_extra) * p["len"][new_piece])
        off = np.concatenate([off[keep]] + extra_o)
        u = np.concatenate([u[keep]] + extra_u)
        t = np.concatenate([t[keep]] + extra_t)
        if t.size >= n_incidents:
            break
        margin *= 2.0
    else:
        raise RuntimeError("could not simulate enough incidents")
    expected_total = unit_total * scale_raw
    pick = np.sort(rng.choice(t.size, n_incidents, replace=False))
    off, u, t = off[pick], u[pick], t[pick]
    checkpoint(progress, cancelled, 0.6, "placing incidents on streets")
    piece = piece_of(u)
    frac = (u - p["along"][piece]) / p["len"][piece]
    dx, dy = p["x1"][piece] - p["x0"][piece], p["y1"][piece] - p["y0"][piece]
    ln = p["len"][piece]
    side = rng.normal(0.0, 6.0, t.size)  # small jitter off the centreline (geocoded to a house)
    x = p["x0"][piece] + frac * dx - dy / ln * side
    y = p["y0"][piece] + frac * dy + dx / ln * side
    start, end = _windows(rng, off, t)
    order = np.lexsort((off, start))
    return Simulation(x=x[order], y=y[order], t=t[order], start=start[order], end=end[order], offence=off[order],
                      piece=piece[order], calendar=calendar, components=comps, piece_modifier=modifier,
                      scale=n_incidents * scale_raw / expected_total, day_tables=day_tables)
