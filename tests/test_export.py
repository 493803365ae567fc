"""Exports: map pages, briefing PDF, CLI, public-release mode (leak test)."""

from __future__ import annotations

import geopandas as gpd
import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pytest
from pyproj import CRS
from pypdf import PdfReader
from shapely.geometry import Point, box

from hotspot_desktop.cli import main as cli_main
from hotspot_desktop.core.io.project_io import save_project
from hotspot_desktop.core.model import PointLayer, Project, VectorLayer, ZoneLayer
from hotspot_desktop.core.styles import LayerStyle, Symbol, categorised
from hotspot_desktop.export.briefing import write_briefing
from hotspot_desktop.export.compose import compose_map, export_map
from hotspot_desktop.export.elements import scale_bar_spec
from hotspot_desktop.export.public import PublicOptions, public_layers
from hotspot_desktop.export.template import MapTemplate

CRS_UTM = CRS.from_epsg(32616)


@pytest.fixture(scope="module")
def project() -> Project:
    rng = np.random.default_rng(0)
    n = 4000
    x = np.concatenate([rng.normal(3000, 800, n - 500), rng.normal(4500, 80, 500)])
    y = np.concatenate([rng.normal(3000, 800, n - 500), rng.normal(4500, 80, 500)])
    t = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.uniform(0, 365, n), unit="D")
    off = pd.Categorical(rng.choice(["Robbery", "Burglary"], n))
    p = Project(CRS_UTM)
    beats = gpd.GeoDataFrame({"name": [f"Beat {i}" for i in range(4)]},
                             geometry=[box((i % 2) * 3000, (i // 2) * 3000, (i % 2) * 3000 + 3000, (i // 2) * 3000 + 3000)
                                       for i in range(4)], crs=CRS_UTM)
    p.layers.append(VectorLayer("Beats", beats, style=LayerStyle(symbol=Symbol(fill="#eeeeeeff"), label_field="name")))
    pts = PointLayer("Incidents", x, y, pd.DataFrame({"time": t, "offence": off}))
    pts.style = categorised(["Robbery", "Burglary"], "offence")
    p.layers.append(pts)
    z = ZoneLayer(gdf=gpd.GeoDataFrame({"name": ["Hot block", "Control"], "role": ["target", "control"],
                                        "start": ["2024-07-01", ""], "end": ["2024-12-31", ""]},
                                       geometry=[Point(4500, 4500).buffer(200), box(500, 500, 1500, 1500)], crs=CRS_UTM))
    p.layers.append(z)
    p.metadata["title"] = "Riverton test"
    return p


def test_scale_bar_lengths_are_round():
    assert scale_bar_spec(10_000).label == "2 km" and scale_bar_spec(10_000).length_m == 2000
    assert scale_bar_spec(1_000).label == "200 m"
    imp = scale_bar_spec(10_000, "imperial")
    assert imp.label.endswith("mi") and imp.length_m == pytest.approx(float(imp.label.split()[0]) * 1609.344)
    assert scale_bar_spec(500, "imperial").label == "200 ft"  # 125 m ≈ 410 ft


def test_png_has_map_content_legend_and_true_scale_bar(project, tmp_path):
    out = tmp_path / "map.png"
    tpl = MapTemplate(title="Hot spots", dpi=100)
    c = export_map(project, out, tpl)
    assert {"Robbery", "Burglary", "target", "control", "Beats"} <= set(c.legend_labels)
    img = mpimg.imread(out)
    h, w = img.shape[:2]
    assert (h, w) == (int(8.5 * 100), int(11 * 100))  # Letter landscape at 100 dpi
    ax = c.figure.axes[0]
    bbox = ax.get_window_extent()
    crop = img[int(h - bbox.y1) + 5:int(h - bbox.y0) - 5, int(bbox.x0) + 5:int(bbox.x1) - 5, :3]
    assert crop.std() > 0.05  # the map area is not blank
    # Scale bar: its drawn width in pixels matches its length over the map's width in metres.
    bar = next(p for p in ax.patches if p.get_gid() == "scalebar")
    x0, x1 = ax.get_xlim()
    px = ax.transData.transform([(bar.get_x(), 0), (bar.get_x() + bar.get_width(), 0)])
    assert (px[1, 0] - px[0, 0]) / bbox.width == pytest.approx(c.scale_bar.length_m / (x1 - x0), rel=1e-3)


def test_pdf_is_vector_with_searchable_text(project, tmp_path):
    out = tmp_path / "map.pdf"
    export_map(project, out, MapTemplate(title="Riverton hot spots", page="A4", dpi=150))
    text = PdfReader(out).pages[0].extract_text()
    for word in ("Riverton hot spots", "Legend", "Robbery", "LAW ENFORCEMENT SENSITIVE", "Beat 1"):
        assert word in text
    svg = tmp_path / "map.svg"
    export_map(project, svg, MapTemplate(dpi=96))
    assert svg.read_text().startswith("<?xml")


def test_dpi_out_of_range_refused(project, tmp_path):
    with pytest.raises(ValueError, match="between 96 and 600"):
        export_map(project, tmp_path / "m.png", MapTemplate(dpi=50))


def test_template_round_trip(tmp_path):
    tpl = MapTemplate(title="X", page="A3")
    tpl.elements["overview"].enabled = False
    tpl.elements["legend"].x = 0.5
    tpl.save(tmp_path / "t.json")
    back = MapTemplate.load(tmp_path / "t.json")
    assert back.page == "A3" and not back.elements["overview"].enabled and back.elements["legend"].x == 0.5


def test_briefing_pages_and_text(project, tmp_path):
    out = tmp_path / "brief.pdf"
    content = write_briefing(project, out, title="Weekly briefing")
    reader = PdfReader(out)
    assert len(reader.pages) == 8  # cover, hot spots, heat map, trend, 2 intervention, zones, methods
    assert content.pages == ["cover map", "top hot spots", "temporal heat map", "trend chart",
                             "intervention evaluation", "patrol zones", "methods appendix"]
    all_text = "\n".join(p.extract_text() for p in reader.pages)
    for phrase in ("Weekly briefing", "Top hot spots", "Hot block", "Methods appendix", "WDQ", "PAI"):
        assert phrase in all_text
    assert content.hotspots.iloc[0]["name"] == "Hot block"


def test_public_mode_replaces_points_and_refuses_raw(project):
    layers = public_layers(list(project.layers), PublicOptions("hex", cell_size_m=500, min_count=5))
    assert not any(isinstance(lyr, PointLayer) for lyr in layers)
    agg = next(lyr for lyr in layers if "count per cell" in lyr.name)
    assert (agg.gdf["count"].dropna() >= 5).all()
    from hotspot_desktop.core.privacy import PublicReleaseRefused

    with pytest.raises(PublicReleaseRefused):
        public_layers(list(project.layers), PublicOptions("raw"))
    c = compose_map(project, MapTemplate(dpi=72), public=PublicOptions("donut", seed=1))
    assert "geomasked" in c.texts["footnote"]


def test_cli_export_and_public_leak_test(project, tmp_path):
    proj = tmp_path / "p.hsproj"
    save_project(project, proj)
    assert cli_main(["export", "map", str(proj), "--out", str(tmp_path / "m.png"), "--dpi", "96", "--zone", "Hot block"]) == 0
    assert (tmp_path / "m.png").stat().st_size > 10_000
    assert cli_main(["export", "briefing", str(proj), "--out", str(tmp_path / "b.pdf")]) == 0
    assert cli_main(["export", "table", str(proj), "--what", "zones", "--out", str(tmp_path / "z.csv")]) == 0
    zt = pd.read_csv(tmp_path / "z.csv")
    assert list(zt["zone"]) == ["Hot block", "Control"] and zt["incidents"].iloc[0] > 400
    # Public release: raw refused; geomasked points never sit on an incident location.
    assert cli_main(["export", "layer", str(proj), "--layer", "Incidents", "--out", str(tmp_path / "raw.geojson"),
                     "--public", "raw"]) == 4
    assert cli_main(["export", "layer", str(proj), "--layer", "Incidents", "--out", str(tmp_path / "pub.gpkg"),
                     "--public", "donut", "--crs", "EPSG:32616"]) == 0
    pub = gpd.read_file(tmp_path / "pub.gpkg")
    inc = project.layers.by_name("Incidents")
    orig = set(zip(np.round(inc.x, 3), np.round(inc.y, 3)))
    got = set(zip(np.round(pub.geometry.x, 3), np.round(pub.geometry.y, 3)))
    assert len(pub) == len(inc) and not (orig & got)
    assert set(pub.columns) == {"geometry"}  # no incident-level attributes
    assert cli_main(["export", "layer", str(proj), "--layer", "Incidents", "--out", str(tmp_path / "hex.geojson"),
                     "--public", "hex"]) == 0
    hexes = gpd.read_file(tmp_path / "hex.geojson")
    assert hexes.geom_type.eq("Polygon").all()


def test_cli_briefing_with_a_patrol_plan_file(project, tmp_path, capsys):
    """``export briefing --plan`` reads the plan CSV back (the round trip) and adds its timeline
    and every visit; a file that is not a plan fails with exit 1 and the reason."""
    from hotspot_desktop.core.analysis.patrol import Shift, ZoneDemand, make_plan
    from hotspot_desktop.core.io.patrol_io import write_plan_csv
    from pypdf import PdfReader

    proj = tmp_path / "p.hsproj"
    save_project(project, proj)
    profile = np.ones(168)
    plan = make_plan([ZoneDemand("Hot block", profile, 3)], [Shift("Night", 22, 6, 1)],
                     first_day=pd.Timestamp("2025-02-03"), days=2, seed=1)
    write_plan_csv(plan.visits, tmp_path / "plan.csv")
    out = tmp_path / "b.pdf"
    assert cli_main(["export", "briefing", str(proj), "--out", str(out), "--plan", str(tmp_path / "plan.csv")]) == 0
    assert "patrol timeline, patrol plan" in capsys.readouterr().out
    text = "\n".join(p.extract_text() for p in PdfReader(out).pages)
    assert "Patrol plan: timeline per shift" in text and f"{len(plan.visits)} visits" in text
    (tmp_path / "bad.csv").write_text("zone,when\nA,soon\n")
    assert cli_main(["export", "briefing", str(proj), "--out", str(out), "--plan", str(tmp_path / "bad.csv")]) == 1
    assert "error:" in capsys.readouterr().err


def test_briefing_shows_expected_coverage_and_unplaced_visits(project, tmp_path):
    """A plan with its coverage (run in the app, or a plan file with its sidecar) gets a coverage
    page listing why visits could not be placed."""
    from pypdf import PdfReader

    from hotspot_desktop.core.analysis.patrol import Shift, ZoneDemand, make_plan
    from hotspot_desktop.core.io.patrol_io import read_plan_csv, write_plan_csv

    profile = np.zeros(168)
    profile[[20, 21, 44, 45]] = 5
    zones = [ZoneDemand(f"Zone {k}", profile, 6, 1) for k in range(4)]
    plan = make_plan(zones, [Shift("Late", 14, 22, 1)], first_day=pd.Timestamp("2025-02-03"), days=1, seed=2)
    assert len(plan.unplaced)  # 24 visits of 10-16 min with travel do not fit one unit in 8 hours
    write_plan_csv(plan, tmp_path / "plan.csv")
    again = read_plan_csv(tmp_path / "plan.csv")
    out = tmp_path / "b.pdf"
    content = write_briefing(project, out, patrol_plan=again)
    assert content.pages[content.pages.index("patrol plan") + 1] == "patrol coverage"
    text = "\n".join(p.extract_text() for p in PdfReader(out).pages)
    assert "Patrol plan: expected coverage" in text and "Not placed:" in text
    assert f"{len(plan.unplaced)} ×" in text.replace("\n", " ") or "×" in text
