"""Output writers by extension (core/io/writers.py)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import CRS

from hotspot_desktop.core.io.writers import (neutralise_cell, write_layer, write_result, write_table_csv,
                                             write_vector)
from hotspot_desktop.core.model import PointLayer, RasterLayer, VectorLayer
from hotspot_desktop.tools.base import ChartSpec, TableResult, ToolResult

UTM = CRS.from_epsg(32616)


def _raster() -> RasterLayer:
    r = RasterLayer("Density", np.array([[1.0, np.nan], [3.0, 4.0]]), 440_000, 4_640_000, 100)
    r.bands = {"z score": np.array([[0.5, np.nan], [-1.0, 2.0]])}
    return r


@pytest.mark.parametrize("value, expected", [("=1+1", "'=1+1"), ("+44 20", "'+44 20"), ("-x", "'-x"),
                                             ("@SUM(A1)", "'@SUM(A1)"), ("\tcmd", "'\tcmd"), ("theft", "theft"),
                                             (-5, -5), (None, None)])
def test_neutralise_cell(value, expected):
    assert neutralise_cell(value) == expected


def test_table_csv_neutralises_text_and_categories_not_numbers(tmp_path):
    frame = pd.DataFrame({"offence": pd.Categorical(["=cmd|' /C calc'!A0", "theft"]), "n": [-3, 4],
                          "=col": ["a", "b"]})
    text = write_table_csv(frame, tmp_path / "t.csv").read_text()
    assert "'=cmd" in text and ",-3" in text and "'=col" in text.splitlines()[0]


def test_raster_to_asc_with_bands_and_prj(tmp_path):
    written = write_layer(_raster(), tmp_path / "d.asc", UTM)
    assert [p.name for p in written] == ["d.asc", "d_z_score.asc"]
    lines = (tmp_path / "d.asc").read_text().splitlines()
    assert lines[5].startswith("NODATA_value") and lines[6].split() == ["3", "4"]  # north row first
    assert (tmp_path / "d.prj").exists()


def test_raster_to_geopackage_cells(tmp_path):
    write_layer(_raster(), tmp_path / "d.gpkg", UTM)
    cells = gpd.read_file(tmp_path / "d.gpkg")
    assert len(cells) == 3 and sorted(cells["value"]) == [1.0, 3.0, 4.0] and cells.crs.to_epsg() == 32616


@pytest.mark.parametrize("ext", [".gpkg", ".geojson", ".shp", ".csv"])
def test_vector_formats_round_trip(tmp_path, ext):
    gdf = gpd.GeoDataFrame({"name": ["a", "b"], "count": [1, 2]},
                           geometry=[shapely.box(440_000, 4_640_000, 440_100, 4_640_100),
                                     shapely.box(440_100, 4_640_000, 440_200, 4_640_100)], crs=UTM)
    path = write_layer(VectorLayer("Beats", gdf), tmp_path / f"beats{ext}", UTM)[0]
    if ext == ".csv":
        frame = pd.read_csv(path)
        assert list(frame.columns) == ["name", "count", "wkt"] and frame["wkt"][0].startswith("POLYGON")
        return
    back = gpd.read_file(path)
    assert list(back["count"]) == [1, 2]
    assert back.crs.to_epsg() == (4326 if ext == ".geojson" else 32616)


def test_points_csv_has_xy(tmp_path):
    pts = PointLayer("P", np.array([1.0, 2.0]), np.array([3.0, 4.0]),
                     pd.DataFrame({"offence": pd.Categorical(["@evil", "theft"])}))
    frame = pd.read_csv(write_layer(pts, tmp_path / "p.csv", UTM)[0])
    assert list(frame["x"]) == [1.0, 2.0] and frame["offence"][0] == "'@evil"


def test_bad_extensions(tmp_path):
    gdf = gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.box(0, 0, 1, 1)], crs=UTM)
    with pytest.raises(ValueError, match="not a grid"):
        write_layer(VectorLayer("V", gdf), tmp_path / "v.asc", UTM)
    with pytest.raises(ValueError, match="cannot write features"):
        write_vector(gdf, tmp_path / "v.xlsx")


def test_write_result_names_every_output(tmp_path):
    result = ToolResult(layers=[_raster(), _raster()], tables=[TableResult("Summary table", pd.DataFrame({"a": [1]}))],
                        charts=[ChartSpec("line", "Trend", ["2024-01", "2024-02"], {"all": [1.0, 2.0]})])
    names = sorted(p.name for p in write_result(result, tmp_path / "out.asc", UTM))
    assert names == ["out.asc", "out_2.asc", "out_2_z_score.asc", "out_summary_table.csv", "out_trend_chart.csv",
                     "out_z_score.asc"]
    only_table = ToolResult(tables=[TableResult("T", pd.DataFrame({"a": ["=x"]}))])
    assert [p.name for p in write_result(only_table, tmp_path / "t.csv", UTM)] == ["t.csv"]


@pytest.mark.parametrize("kind", ["line", "bar", "scatter", "step"])
def test_chart_spec_draws_with_matplotlib(tmp_path, kind):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from hotspot_desktop.tools.charts import draw_chart

    spec = ChartSpec(kind, "Trend", ["2024-01-01", "2024-02-01", "2024-03-01"],
                     {"theft": [3.0, 4.0, 2.0], "burglary": [1.0, 0.0, 2.0]}, x_label="month", y_label="n",
                     hlines={"mean": 2.0})
    fig, ax = plt.subplots()
    draw_chart(spec, ax)
    assert ax.get_title() == "Trend" and ax.get_legend() is not None
    fig.savefig(tmp_path / "c.png")
    plt.close(fig)
    assert (tmp_path / "c.png").stat().st_size > 1000


def test_chart_tick_labels_keep_names_and_shorten_timestamps():
    from hotspot_desktop.tools.charts import tick_label, x_positions

    _, labels = x_positions(["Target A - Riverside", "Target B", "2024-03-01T00:00:00", "2024-03-01"])
    assert labels == ["Target A - Riverside", "Target B", "2024-03-01", "2024-03-01"]
    _, labels = x_positions([f"Target {k} - Riverside district" for k in range(12)])
    assert labels[0] == "Target 0 - Rive…"
    assert tick_label("Zone 12") == "Zone 12"


def test_draw_chart_draws_a_timeline_as_bars():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    from hotspot_desktop.tools.base import timeline_chart
    from hotspot_desktop.tools.charts import draw_chart

    spec = timeline_chart("Late shift", ["Mon Late-1", "Mon Late-2"],
                          [(0, 14.5, 14.75, "Zone A"), (1, 15.0, 15.2, "Zone B"), (0, 20.0, 20.25, "Zone B")],
                          x_label="zone")
    ax = Figure().add_subplot()
    draw_chart(spec, ax)
    bars = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_width() > 0]
    assert len(bars) >= 3
    starts = sorted(round(b.get_x(), 2) for b in bars)[:3]
    assert starts == [14.5, 15.0, 20.0]
