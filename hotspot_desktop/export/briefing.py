"""Multi-page briefing PDF for roll call, command staff and community meetings.

Pages: cover map; top hot spots (rank, name, count, change against the previous period of the
same length, main offence types, peak times); hour × weekday heat map; weekly trend; the
intervention evaluation when the zones describe one; patrol zones with their assignments (and
the patrol plan when given); with community input layers (survey responses, service requests),
a zone table of incidents next to community points; a methods appendix (tools and parameters
from provenance, formulas, data sources, filters) and, when the project has an equity layer
(or an equity report is passed), the equity check: each group's share of the people living in
the patrol zones, and in the zones with their catchments, against its share of the population
and of the incidents, with ratios and flags (core/analysis/equity.py).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg", force=False)
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import shapely  # noqa: E402
from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from hotspot_desktop import __version__  # noqa: E402
from hotspot_desktop.core.analysis.temporal import DAYS, hour_weekday_table, peak_windows, trend  # noqa: E402
from hotspot_desktop.core.model import PointLayer, Project, VectorLayer  # noqa: E402
from hotspot_desktop.core.zones.measures import (  # noqa: E402
    PAI_FORMULA,
    PEI_FORMULA,
    CommunityPoints,
    community_counts,
    points_in,
)
from hotspot_desktop.export.compose import compose_map, methods_footnote  # noqa: E402
from hotspot_desktop.export.page import page_size_inches  # noqa: E402
from hotspot_desktop.export.public import PublicOptions  # noqa: E402
from hotspot_desktop.export.template import MapTemplate  # noqa: E402

TOP_N = 10


@dataclass
class BriefingContent:
    """What went into a briefing (returned for tests and the GUI's summary)."""

    pages: list[str] = field(default_factory=list)
    hotspots: pd.DataFrame | None = None
    period: tuple[pd.Timestamp, pd.Timestamp] | None = None
    community: pd.DataFrame | None = None  # the zone table of incidents and community input
    equity: object | None = None  # the EquityReport (or EquityResult) in the appendix
    warnings: list[str] = field(default_factory=list)  # e.g. why the equity check was left out


def _incidents(project: Project, incidents: PointLayer | None = None) -> PointLayer | None:
    """The incident layer to brief on, when it has dates: ``incidents`` when given, else
    :meth:`Project.incident_layer` (never community input or a patrol log)."""
    layer = incidents if incidents is not None else project.incident_layer()
    return layer if layer is not None and layer.times is not None else None


PLAN_LEFT_OUT_PUBLIC = ("Patrol plan left out: a public-release briefing never includes the patrol schedule (the "
                        "times and places of the visits would make the patrols predictable).")


def current_period(layer: PointLayer, days: int = 90) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The filter's date range, else the last ``days`` days of data."""
    f = layer.filter
    span = layer.time_span()
    if span is None:
        raise ValueError("the incident layer has no dates")
    end = f.date_to if f.date_to is not None else span[1]
    start = f.date_from if f.date_from is not None else end - pd.Timedelta(days=days)
    return pd.Timestamp(start), pd.Timestamp(end)


def _offence_mask(layer: PointLayer) -> np.ndarray:
    f = layer.filter
    if f.offences is None or not layer.has_column("offence"):
        return np.ones(len(layer), dtype=bool)
    return layer.attributes["offence"].astype(str).isin(f.offences).to_numpy()


def top_hotspots(project: Project, layer: PointLayer, period: tuple[pd.Timestamp, pd.Timestamp],
                 n: int = TOP_N, cell_size: float = 250.0) -> pd.DataFrame:
    """Rank places for the briefing: the project's zones when it has any, else the busiest grid
    cells (named after the polygon they fall in, e.g. the beat)."""
    start, end = period
    length = end - start
    t = layer.attributes["time"]
    off_ok = _offence_mask(layer)
    cur = ((t >= start) & (t <= end)).to_numpy() & off_ok
    prev = ((t >= start - length) & (t < start)).to_numpy() & off_ok
    zones = project.zones
    places: list[tuple[str, object]] = []
    if zones is not None and len(zones.gdf):
        places = [(str(r.get("name") or f"Zone {i + 1}"), g) for i, (r, g) in enumerate(zip(zones.gdf.to_dict("records"), zones.gdf.geometry))]
    else:
        x, y = layer.x[cur], layer.y[cur]
        if x.size == 0:
            return pd.DataFrame()
        cx, cy = np.floor(x / cell_size).astype(np.int64), np.floor(y / cell_size).astype(np.int64)
        keys, counts = np.unique(np.column_stack([cx, cy]), axis=0, return_counts=True)
        order = np.argsort(-counts)[:n]
        namer = next((lyr for lyr in project.layers if isinstance(lyr, VectorLayer) and lyr.geometry_kind == "polygon"
                      and lyr.kind != "zones" and "name" in lyr.gdf.columns), None)
        for k in order:
            cell = shapely.box(keys[k][0] * cell_size, keys[k][1] * cell_size, (keys[k][0] + 1) * cell_size,
                               (keys[k][1] + 1) * cell_size)
            label = f"{cell_size:g} m cell"
            if namer is not None:
                hit = namer.gdf[namer.gdf.intersects(cell.centroid)]
                if len(hit):
                    label = f"{hit.iloc[0]['name']} ({cell_size:g} m cell)"
            places.append((label, cell))
    rows = []
    for name, geom in places:
        inside = points_in(geom, layer.x, layer.y)
        now, before = int((inside & cur).sum()), int((inside & prev).sum())
        main = ""
        if layer.has_column("offence") and now:
            vc = layer.attributes["offence"][inside & cur].astype(str).value_counts()
            main = ", ".join(f"{k} {v / now:.0%}" for k, v in vc.head(2).items())
        peak = ""
        if now >= 5:
            end_col = layer.attributes["time_end"][inside & cur] if layer.has_column("time_end") else None
            prof = hour_weekday_table(t[inside & cur], end_col, aoristic=end_col is not None).ravel()
            wins = peak_windows(prof, hours=4, top=1)
            peak = f"{wins[0].label()} ({wins[0].share:.0%})" if wins else ""
        change = "" if before == 0 else f"{(now - before) / before:+.0%}"
        rows.append((name, now, before, change, main, peak))
    df = pd.DataFrame(rows, columns=["name", "count", "previous", "change", "main offence types", "peak times"])
    df = df.sort_values("count", ascending=False).head(n).reset_index(drop=True)
    df.insert(0, "rank", np.arange(1, len(df) + 1))
    return df


def _paragraphs(fig: Figure, paragraphs: list[str], y: float, *, width: int = 110, size: float = 8.5,
                line_step: float = 0.018, gap: float = 0.008, **text_kw) -> float:
    """Write ``paragraphs`` wrapped at ``width`` characters from ``y`` down, stopping at the
    foot of the page; returns the ``y`` below the last line."""
    for p in paragraphs:
        for line in textwrap.wrap(p, width) or [""]:
            fig.text(0.07, y, line, fontsize=size, va="top", **text_kw)
            y -= line_step
            if y < 0.05:
                return y
        y -= gap
    return y


def _text_page(fig: Figure, title: str, paragraphs: list[str]) -> None:
    fig.text(0.07, 0.94, title, fontsize=16, fontweight="bold", va="top")
    _paragraphs(fig, paragraphs, 0.89, width=105, family="DejaVu Sans")


def _table_page(fig: Figure, title: str, df: pd.DataFrame, note: str = "") -> None:
    fig.text(0.07, 0.94, title, fontsize=16, fontweight="bold", va="top")
    if note:
        fig.text(0.07, 0.905, note, fontsize=8, va="top", color="#444444")
    _draw_table(fig, df, top=0.88)


# Average advance of a DejaVu Sans character, as a share of the font size (for column widths).
_CHAR_EM = 0.6
_CELL_CHARS = 38
_HEADER_CHARS = 10  # a header wraps at its column's widest value, or at this many characters


def _draw_table(fig: Figure, df: pd.DataFrame, *, top: float, bottom: float = 0.1) -> None:
    """``df`` as a table from ``top`` down (figure fractions), columns as wide as their text and
    the font made smaller (down to 5.5 pt) when the text would not fit the page's width."""
    ax = fig.add_axes((0.05, bottom, 0.9, top - bottom))
    ax.set_axis_off()
    if df.empty:
        ax.text(0, 1, "No data for this period.", fontsize=10, va="top")
        return
    cells = df.astype(str).map(lambda s: textwrap.shorten(s, _CELL_CHARS, placeholder="…")).to_numpy()
    # A header longer than its column's values wraps onto more lines ("people in zones +
    # catchments" over numbers) rather than widening the column and shrinking the whole table.
    values = [max([len(str(v)) for v in cells[:, j]] + [1]) for j in range(cells.shape[1])]
    headers = [textwrap.wrap(str(h), width=max(_HEADER_CHARS, w)) or [""] for h, w in zip(df.columns, values)]
    labels = ["\n".join(lines) for lines in headers]
    # bold headers run about 12% wider than body text
    chars = np.array([max(1.12 * max(len(line) for line in lines), w) + 2 for lines, w in zip(headers, values)], float)
    width_in = 0.9 * fig.get_figwidth()
    size = float(np.clip(width_in * 72.0 / (_CHAR_EM * chars.sum()), 5.5, 7.5))
    tbl = ax.table(cellText=cells, colLabels=labels, colWidths=list(chars / chars.sum()), loc="upper center",
                   cellLoc="left", colLoc="left")
    tbl.auto_set_font_size(False)
    tbl.set_fontsize(size)
    tbl.scale(1, 1.35)
    header_lines = max(len(lines) for lines in headers)
    for (r, _c), cell in tbl.get_celld().items():
        cell.set_edgecolor("#cccccc")
        if r == 0:
            cell.set_facecolor("#e8eef6")
            cell.set_text_props(fontweight="bold")
            cell.set_height(cell.get_height() * (1 + 0.8 * (header_lines - 1)))


def _heatmap_page(fig: Figure, layer: PointLayer, mask: np.ndarray, period_label: str) -> str:
    t = layer.attributes["time"][mask]
    end = layer.attributes["time_end"][mask] if layer.has_column("time_end") else None
    table = hour_weekday_table(t, end, aoristic=end is not None)
    fig.text(0.07, 0.94, "When: hour of day × day of week", fontsize=16, fontweight="bold", va="top")
    ax = fig.add_axes((0.1, 0.5, 0.82, 0.36))
    im = ax.imshow(table, aspect="auto", cmap="YlOrRd", origin="upper")
    ax.set_yticks(range(7), DAYS)
    ax.set_xticks(range(0, 24, 2), [f"{h:02d}" for h in range(0, 24, 2)])
    ax.set_xlabel("hour of day")
    fig.colorbar(im, ax=ax, fraction=0.03, label="incidents" + (" (aoristic weights)" if end is not None else ""))
    wins = peak_windows(table.ravel(), hours=4, top=3)
    lines = [f"Peak windows ({period_label}):"] + [f"• {w.sentence('incidents')}" for w in wins]
    fig.text(0.1, 0.44, "\n".join(lines), fontsize=9, va="top")
    return lines[1] if len(lines) > 1 else ""


def _trend_page(fig: Figure, layer: PointLayer) -> None:
    off_ok = _offence_mask(layer)
    t = layer.attributes["time"][off_ok]
    groups = layer.attributes["offence"][off_ok] if layer.has_column("offence") else None
    res = trend(t, groups, freq="week")
    fig.text(0.07, 0.94, "Trend: incidents per week", fontsize=16, fontweight="bold", va="top")
    ax = fig.add_axes((0.1, 0.52, 0.82, 0.36))
    ax.plot(res.counts.index, res.counts["all"], color="#bbbbbb", linewidth=0.8, label="weekly count")
    ax.plot(res.moving_average.index, res.moving_average["all"], color="#08306b", linewidth=1.8, label="5-week average")
    ax.set_ylabel("incidents per week")
    ax.legend(loc="upper left", fontsize=8)
    ax.grid(alpha=0.3)
    if groups is not None:
        ax2 = fig.add_axes((0.1, 0.1, 0.82, 0.33))
        cols = [c for c in res.moving_average.columns if c != "all"]
        for c in cols:
            ax2.plot(res.moving_average.index, res.moving_average[c], linewidth=1.2, label=str(c))
        ax2.set_ylabel("5-week average by offence")
        ax2.legend(loc="upper left", fontsize=7, ncols=3)
        ax2.grid(alpha=0.3)


def intervention_from_zones(project: Project, layer: PointLayer):
    """Evaluate the intervention the zones describe (target and control zones, the target's
    start/end dates), comparing with an equally long period before the start; None when the
    zones do not describe one."""
    from hotspot_desktop.core.analysis.intervention import InterventionDesign, Period, evaluate_intervention

    z = project.zones
    if z is None or not len(z.gdf):
        return None
    g = z.gdf
    targets = g[g["role"] == "target"]
    controls = g[g["role"] == "control"]
    if targets.empty or controls.empty:
        return None
    start = pd.to_datetime(targets["start"], errors="coerce").min()
    if pd.isna(start):
        return None
    end = pd.to_datetime(targets["end"], errors="coerce").max()
    span = layer.time_span()
    end = min(end, span[1]) if pd.notna(end) else span[1]
    length = end - start
    if length <= pd.Timedelta(0):
        return None
    catch = g[g["role"] == "catchment"]
    design = InterventionDesign(
        target=shapely.union_all(targets.geometry.to_numpy()), control=shapely.union_all(controls.geometry.to_numpy()),
        before=Period(start - length, start - pd.Timedelta(seconds=1)), after=Period(start, end),
        catchment=shapely.union_all(catch.geometry.to_numpy()) if len(catch) else None)
    off = layer.attributes["offence"] if layer.has_column("offence") else None
    return evaluate_intervention(layer.x, layer.y, layer.attributes["time"], design, offences=off)


def _intervention_pages(pdf: PdfPages, size: tuple[float, float], res) -> None:
    fig = Figure(figsize=size)
    counts = res.counts.reset_index()
    counts = counts.assign(**{c: counts[c].map(lambda v: f"{v:,.2f}") for c in ("before_per_day", "after_per_day", "area_km2")},
                           change_pct=counts["change_pct"].map(lambda v: "" if pd.isna(v) else f"{v:+.0f}%"))
    _table_page(fig, "Intervention: did crime fall, move or spread benefits?", counts,
                f"Before {res.design.before.label()}; after {res.design.after.label()}.")
    measures = [
        f"{res.wdq.formula} = {'undefined' if res.wdq.value is None else f'{res.wdq.value:.2f}'} — {res.wdq.interpretation}",
        f"{res.tne.formula} = {'undefined' if res.tne.value is None else f'{res.tne.value:,.1f}'} — {res.tne.interpretation}",
        f"{res.wdd.formula}: WDD = {res.wdd.total:+.1f}, SE = {res.wdd.total_se:.1f}, z = {res.wdd.z:.2f}, "
        f"p = {res.wdd.p:.3f} (95% CI {res.wdd.ci_low:.0f} to {res.wdd.ci_high:.0f}).",
        f"{res.rirr_target.formula}: target vs control {res.rirr_target.explanation}",
        f"With overdispersion φ = {res.rirr_target_overdispersed.overdispersion:.2f}: "
        f"{res.rirr_target_overdispersed.explanation}",
        f"Catchment vs control: {res.rirr_catchment.explanation}",
        "Summary: " + res.summary,
    ] + res.warnings
    _paragraphs(fig, measures, 0.62, size=8, line_step=0.017, gap=0.006)
    pdf.savefig(fig)
    fig2 = Figure(figsize=size)
    fig2.text(0.07, 0.94, "Intervention: monthly counts", fontsize=16, fontweight="bold", va="top")
    ax = fig2.add_axes((0.1, 0.5, 0.82, 0.36))
    for col in res.monthly.columns:
        ax.plot(res.monthly.index, res.monthly[col], marker="o", markersize=3, label=col)
    ax.axvline(res.design.after.start, color="#B00020", linestyle="--", label="intervention start")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    pdf.savefig(fig2)


def _zone_names(gdf) -> list[str]:
    return [str(r.get("name") or f"Zone {i + 1}") for i, r in enumerate(gdf.to_dict("records"))]


def _community_in_period(project: Project, period: tuple[pd.Timestamp, pd.Timestamp]) -> CommunityPoints | None:
    """The project's community points after each layer's filter; dated layers within ``period``."""
    layers = [c for c in project.community_layers() if len(c)]
    if not layers:
        return None
    xs, ys, cats = [], [], []
    for c in layers:
        m = c.mask().copy()
        if c.times is not None:
            m &= ((c.times >= period[0]) & (c.times <= period[1])).to_numpy()
        xs.append(c.x[m])
        ys.append(c.y[m])
        col = c.attributes["offence"][m] if c.has_column("offence") else pd.Series([None] * int(m.sum()))
        cats.append(pd.Series(np.asarray(col, dtype=object)))
    categories = pd.concat(cats, ignore_index=True)
    return CommunityPoints(" + ".join(c.name for c in layers), np.concatenate(xs), np.concatenate(ys),
                           categories if categories.notna().any() else None)


def community_zone_table(project: Project, layer: PointLayer, period: tuple[pd.Timestamp, pd.Timestamp],
                         public: PublicOptions | None = None) -> pd.DataFrame | None:
    """Per zone: incidents and community points (survey responses, service requests) in the
    period, each per km², and the main community categories; None without zones or community
    layers. In public mode counts below the suppression threshold read "fewer than k"."""
    z = project.zones
    community = _community_in_period(project, period)
    if z is None or not len(z.gdf) or community is None:
        return None
    names = _zone_names(z.gdf)
    geoms = list(z.gdf.geometry)
    counts, by_cat = community_counts(geoms, community, names)
    t = layer.attributes["time"]
    cur = ((t >= period[0]) & (t <= period[1])).to_numpy() & _offence_mask(layer)
    x, y = layer.x[cur], layer.y[cur]
    k = public.min_count if public is not None else 0
    rows = []
    for i, (name, geom) in enumerate(zip(names, geoms)):
        km2 = float(geom.area) / 1e6
        n_inc = int(points_in(geom, x, y).sum())
        n_com = int(counts["community"].iloc[i])
        main = ""
        if len(by_cat.columns) and n_com and n_com >= k:
            row = by_cat.iloc[i]
            main = ", ".join(f"{c} {v / n_com:.0%}" for c, v in row[row > 0].sort_values(ascending=False).head(2).items())

        def shown(n: int) -> tuple[str, str]:
            if 0 < n < k:
                return f"fewer than {k}", "–"
            return f"{n:,}", f"{n / km2:,.1f}" if km2 > 0 else "–"

        inc, inc_d = shown(n_inc)
        com, com_d = shown(n_com)
        role = str(z.gdf["role"].iloc[i]) if "role" in z.gdf.columns else ""
        rows.append((name, role, f"{km2:.2f}", inc, inc_d, com, com_d, main))
    label = community.name
    return pd.DataFrame(rows, columns=["zone", "role", "km²", "incidents", "incidents /km²", label,
                                       f"{label} /km²", "main categories"])


def _category_column(layer: PointLayer) -> str:
    """The source file's name of the column read as a community layer's categories (the CSV
    schema kept in the layer's source options), else "category"."""
    name = layer.source.options.get("offence") if isinstance(layer.source.options, dict) else None
    return str(name) if isinstance(name, str) and name else "category"


def _community_note(project: Project, public: PublicOptions | None) -> str:
    parts = []
    for c in project.community_layers():
        cats = f", categories from its column '{_category_column(c)}'" if c.has_column("offence") else ""
        when = "in the briefing period" if c.times is not None else "all points (no dates)"
        parts.append(f"'{c.name}' ({len(c):,} points{cats}; {when}, after its filter)")
    text = ("Community input (survey responses / service requests): " + "; ".join(parts) + ". Counted per zone next "
            "to the incidents; never used as incidents, and in public-release mode never drawn as points (aggregated "
            "like incidents)")
    if public is not None:
        text += f"; zone counts below {public.min_count} shown as 'fewer than {public.min_count}'"
    return text + "."


def _equity_for(project: Project, equity, warnings: list[str], incidents: PointLayer | None = None):
    """The equity report to put in the appendix: ``equity`` when given, else the project's
    equity layer; a setting that cannot be computed leaves a warning instead."""
    if equity is not None or project.equity is None:
        return equity
    from hotspot_desktop.core.analysis.equity import project_equity

    try:
        return project_equity(project, incidents=incidents)
    except ValueError as exc:
        warnings.append(f"Equity check left out: {exc}.")
        return None


def _equity_page(fig: Figure, report) -> None:
    """The equity check's method note, flags and table (group, shares, ratios, flags)."""
    from hotspot_desktop.core.analysis.equity import EquityReport

    fig.text(0.07, 0.94, "Methods appendix: equity check", fontsize=16, fontweight="bold", va="top")
    if isinstance(report, EquityReport):
        table = report.display_table()
        head = (f"Population: '{report.population_name}'" if report.population_name else "Population layer")
        head += (f"; incidents: {report.n_incidents:,} of '{report.incidents_name}' after its filter."
                 if report.incidents_name else ".")
        flagged = report.flagged()
        paragraphs = [report.note, ("Flagged: " + "; ".join(flagged) + ".") if flagged else "No group is flagged."]
    else:  # an EquityResult from equity_check (the zones alone)
        t = report.table
        table = pd.DataFrame({"group": t["group"], "% of population": t["share_area"].map(lambda v: f"{v:.1%}"),
                              "% of incidents": t["share_incidents"].map(lambda v: "–" if pd.isna(v) else f"{v:.1%}"),
                              "% in zones": t["share_zone"].map(lambda v: f"{v:.1%}"),
                              "ratio": t["ratio"].map(lambda v: "–" if pd.isna(v) else f"{v:.2f}"), "flag": t["flag"]})
        head, paragraphs = "Population in the patrol zones.", [report.note]
    fig.text(0.07, 0.905, head, fontsize=8, va="top", color="#444444")
    y = _paragraphs(fig, paragraphs, 0.875)
    _draw_table(fig, table, top=y - 0.01)


PLAN_ROWS_PER_PAGE = 40


def _patrol_plan_pages(pdf: PdfPages, visits: pd.DataFrame, size: tuple[float, float],
                       content: BriefingContent) -> None:
    """The plan's timelines (one per shift, on one page) and every visit as a table, 40 a page;
    the note gives the visit lengths the plan used (from its ``minutes`` column)."""
    from hotspot_desktop.export.patrol_timeline import draw_patrol_timelines

    minutes = pd.to_numeric(visits["minutes"], errors="coerce").dropna() if "minutes" in visits.columns else []
    length = ""
    if len(minutes):
        lo, hi = int(round(minutes.min())), int(round(minutes.max()))
        length = f" of {lo} minutes" if lo == hi else f" of {lo}–{hi} minutes"
    note = f"Visits{length} in each zone's peak hours (Koper 1995), start times randomised."
    fig = Figure(figsize=size)
    draw_patrol_timelines(fig, visits, title="Patrol plan: timeline per shift", note=note)
    pdf.savefig(fig)
    content.pages.append("patrol timeline")
    v = visits.copy()
    v["start"] = pd.to_datetime(v["start"]).dt.strftime("%a %d %b %H:%M")
    v["end"] = pd.to_datetime(v["end"]).dt.strftime("%H:%M")
    if "day" in v.columns:
        v = v.drop(columns=["day"])  # the start says the day
    pages = max(1, -(-len(v) // PLAN_ROWS_PER_PAGE))
    for k in range(pages):
        part = v.iloc[k * PLAN_ROWS_PER_PAGE:(k + 1) * PLAN_ROWS_PER_PAGE]
        fig = Figure(figsize=size)
        title = "Patrol plan" if pages == 1 else f"Patrol plan ({k + 1} of {pages})"
        _table_page(fig, title, part, f"{len(v)} visits. {note}")
        pdf.savefig(fig)
    content.pages.append("patrol plan")


def _plan_summary_page(pdf: PdfPages, plan, size: tuple[float, float], content: BriefingContent) -> None:
    """Expected coverage per zone and the visits that could not be placed, when the plan has them
    (a plan run in the app, or a plan file saved with its sidecar)."""
    coverage = getattr(plan, "coverage", None)
    unplaced = getattr(plan, "unplaced", None)
    known = [c for c in ("expected_coverage", "expected coverage %") if coverage is not None and c in coverage.columns]
    if coverage is None or not len(coverage) or not known or coverage[known[0]].isna().all():
        return  # a bare plan CSV knows visits, not the risk they cover
    cov = coverage.copy()
    if "expected_coverage" in cov.columns:  # a fraction from core; shown as the tool shows it
        cov["expected coverage %"] = (100 * cov.pop("expected_coverage").astype(float)).round(1)
    cov = cov.astype(object).where(cov.notna(), "–")
    fig = Figure(figsize=size)
    lost = 0 if unplaced is None else len(unplaced)
    why = ""
    if lost:
        reasons = unplaced["reason"].value_counts() if "reason" in unplaced.columns else pd.Series(dtype=int)
        why = " Not placed: " + "; ".join(f"{n} × {r}" for r, n in reasons.items()) + "."
    _table_page(fig, "Patrol plan: expected coverage", cov,
                "Share of each zone's historical incidents (aoristic weights) that fall in hours of the week the "
                f"plan visits.{why}")
    pdf.savefig(fig)
    content.pages.append("patrol coverage")


def write_briefing(project: Project, path: str | Path, *, title: str = "Crime briefing", page: str = "Letter",
                   public: PublicOptions | None = None, patrol_plan=None, intervention=None,
                   equity=None, use_project_equity: bool = True,
                   incidents: PointLayer | None = None) -> BriefingContent:
    """Write the briefing PDF to ``path`` and return what it contains.

    ``incidents`` is the point layer briefed on (default :meth:`Project.incident_layer`; it
    needs dates). ``equity`` is an :class:`~hotspot_desktop.core.analysis.equity.EquityReport`
    (or an ``EquityResult``) for the methods appendix; without it the project's equity layer is
    used when set (``use_project_equity``). In public-release mode (``public``) the patrol plan
    is left out, with a warning: a published schedule would make the patrols predictable."""
    path = Path(path)
    layer = _incidents(project, incidents)
    if layer is None:
        if incidents is not None:
            raise ValueError(f"'{incidents.name}' has no dates to brief on")
        raise ValueError("the project has no incident layer to brief on")
    content = BriefingContent()
    period = current_period(layer)
    content.period = period
    period_label = f"{period[0].date()} to {period[1].date()}"
    size = page_size_inches(page, landscape=False)
    with PdfPages(path, metadata={"Title": title, "Creator": f"Hotspot Desktop {__version__}"}) as pdf:
        tpl = MapTemplate(title=title, subtitle=period_label, page=page, landscape=True, dpi=200)
        cover = compose_map(project, tpl, public=public)
        pdf.savefig(cover.figure)
        content.pages.append("cover map")

        hs = top_hotspots(project, layer, period)
        content.hotspots = hs
        fig = Figure(figsize=size)
        _table_page(fig, "Top hot spots", hs, f"{period_label}; change against the previous {(period[1] - period[0]).days} days.")
        pdf.savefig(fig)
        content.pages.append("top hot spots")

        t = layer.attributes["time"]
        in_period = ((t >= period[0]) & (t <= period[1])).to_numpy() & _offence_mask(layer)
        fig = Figure(figsize=size)
        _heatmap_page(fig, layer, in_period, period_label)
        pdf.savefig(fig)
        content.pages.append("temporal heat map")

        fig = Figure(figsize=size)
        _trend_page(fig, layer)
        pdf.savefig(fig)
        content.pages.append("trend chart")

        res = intervention if intervention is not None else intervention_from_zones(project, layer)
        if res is not None:
            _intervention_pages(pdf, size, res)
            content.pages.append("intervention evaluation")

        z = project.zones
        if z is not None and len(z.gdf):
            cols = [c for c in ("name", "role", "unit", "shift", "priority", "start", "end", "notes") if c in z.gdf.columns]
            fig = Figure(figsize=size)
            _table_page(fig, "Patrol zones and assignments", pd.DataFrame(z.gdf[cols]))
            pdf.savefig(fig)
            content.pages.append("patrol zones")
            community = community_zone_table(project, layer, period, public)
            if community is not None:
                content.community = community
                fig = Figure(figsize=size)
                _table_page(fig, "Zones: incidents and community input", community,
                            f"{period_label}. Community input '{community.columns[5]}', counted per zone next to "
                            "the incidents.")
                pdf.savefig(fig)
                content.pages.append("community input")
        if patrol_plan is not None and public is not None:
            content.warnings.append(PLAN_LEFT_OUT_PUBLIC)
        elif patrol_plan is not None:
            _patrol_plan_pages(pdf, patrol_plan.visits, size, content)
            _plan_summary_page(pdf, patrol_plan, size, content)

        methods = [
            "Data: " + ", ".join(sorted({Path(lyr.source.path).name for lyr in project.layers if lyr.source.path})),
            f"Incident layer '{layer.name}', filter: {layer.filter.describe()}.",
            "Tools and parameters: " + methods_footnote(list(project.layers), public).replace("\n", "; "),
            f"Hot spot efficiency measures: {PAI_FORMULA} (Chainey, Tompson & Uhlig 2008); {PEI_FORMULA} (Hunt 2016).",
            "Change is against the previous period of the same length. Peak times are the 4-hour windows holding the "
            "most incidents; incidents known only within a time window are spread over it (aoristic weights, "
            "Ratcliffe 2002).",
        ]
        if res is not None:
            methods.append("Intervention measures: WDQ (Bowers & Johnson 2003), TNE (Guerette 2009), WDD (Wheeler & "
                           "Ratcliffe 2018), RIRR (Wilson 2022; Braga & Weisburd 2022).")
        if project.community_layers():
            methods.append(_community_note(project, public))
        equity = _equity_for(project, equity, content.warnings, layer) if use_project_equity else equity
        if equity is not None:
            flagged = equity.flagged() if hasattr(equity, "flagged") else [
                f"{g}: {f}" for g, f in zip(equity.table["group"], equity.table["flag"]) if f]
            methods.append("Equity check (next page): population shares in the patrol zones"
                           + (" and their catchments" if getattr(equity, "with_catchments", None) is not None else "")
                           + " against the whole area and the incidents, by areal weighting. "
                           + ("Flagged: " + "; ".join(flagged) + "." if flagged else "No group is flagged."))
        methods += content.warnings
        if public is not None:
            methods.append(public.describe())
        fig = Figure(figsize=size)
        _text_page(fig, "Methods appendix", methods)
        pdf.savefig(fig)
        content.pages.append("methods appendix")
        if equity is not None:
            fig = Figure(figsize=size)
            _equity_page(fig, equity)
            pdf.savefig(fig)
            content.pages.append("equity check")
            content.equity = equity
    return content
