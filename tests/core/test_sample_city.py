"""The synthetic city: determinism, planted structure measurable in the written files, dirt, CRSs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from pyproj import Transformer

from hotspot_desktop.core.io.report import Cancelled
from hotspot_desktop.sample import generate_city

N = 20_000


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    return generate_city(tmp_path_factory.mktemp("riverton"), n_incidents=N, seed=11)


@pytest.fixture(scope="module")
def clean(city) -> pd.DataFrame:
    """The lat/lon CSV with dirty rows dropped, times parsed and working-CRS coordinates added."""
    df = pd.read_csv(city.incidents_csv, dtype={"beat": str})
    df = df[~df["incident_id"].duplicated()]
    df = df[df["lat"].notna() & (df["lat"] != 0)].copy()
    for col in ("occurred_from", "occurred_to"):
        df[col] = pd.to_datetime(df[col], format="%Y-%m-%d %H:%M", errors="coerce")
    df = df[df["occurred_from"].notna()].copy()
    tr = Transformer.from_crs(4326, 32616, always_xy=True)
    df["x"], df["y"] = tr.transform(df["lon"].to_numpy(), df["lat"].to_numpy())
    return df


def _zones(city) -> gpd.GeoDataFrame:
    return gpd.read_file(city.ground_truth_gpkg, layer="intervention_zones")


def _count(df: pd.DataFrame, poly, t0=None, t1=None) -> int:
    m = shapely.contains_xy(poly, df["x"].to_numpy(), df["y"].to_numpy())
    t = df["occurred_from"]
    if t0 is not None:
        m &= (t >= pd.Timestamp(t0)).to_numpy()
    if t1 is not None:
        m &= (t < pd.Timestamp(t1) + pd.Timedelta(days=1)).to_numpy()  # t1 is an inclusive day
    return int(m.sum())


def _close(observed: float, expected: float, dispersion: float, what: str) -> None:
    # 0.3% of rows are dirty and dropped; windows shift a few times by hours: allow for both
    sigma = np.sqrt(dispersion * max(expected, 1.0)) + 0.01 * expected
    assert abs(observed - expected) <= 3 * sigma, f"{what}: observed {observed}, expected {expected:.1f}"


def test_same_seed_same_bytes_and_different_seed_differs(tmp_path):
    seen: list[float] = []
    a = generate_city(tmp_path / "a", n_incidents=3000, seed=5, years=2, progress=lambda f, _stage: seen.append(f))
    assert seen == sorted(seen) and seen[-1] == 1.0
    b = generate_city(tmp_path / "b", n_incidents=3000, seed=5, years=2)
    c = generate_city(tmp_path / "c", n_incidents=3000, seed=6, years=2)
    names = [p.name for p in a.files()]
    assert names == [p.name for p in b.files()]
    for name in names:
        assert (a.out_dir / name).read_bytes() == (b.out_dir / name).read_bytes(), name
    for name in ("incidents_latlon.csv", "incidents_stateplane.csv", "ground_truth.json"):
        assert (a.out_dir / name).read_bytes() != (c.out_dir / name).read_bytes(), name


def test_files_and_layers(city):
    truth = json.loads(city.ground_truth_json.read_text())
    assert truth["seed"] == 11 and truth["parameters"]["n_incidents"] == N
    beats = gpd.read_file(city.beats)
    assert 20 <= len(beats) <= 30 and beats.crs.to_epsg() == 3435
    assert beats["name"].str.match(r"^Beat \d[A-Z]$").all()
    districts = gpd.read_file(city.districts)
    assert 3 <= len(districts) <= 5 and districts["name"].notna().all()
    assert set(pyogrio.list_layers(city.city_layers)[:, 0]) >= {"land_use", "census_block_groups"}
    census = gpd.read_file(city.city_layers, layer="census_block_groups")
    groups = ["pop_white", "pop_black", "pop_hispanic", "pop_asian", "pop_other"]
    assert (census[groups].sum(axis=1) == census["pop_total"]).all()
    landuse = gpd.read_file(city.city_layers, layer="land_use")
    assert {"bar", "transit_stop", "school"} <= set(landuse["kind"])
    streets = gpd.read_file(city.streets, layer="streets")
    assert {"arterial", "residential"} <= set(streets["class"]) and streets["name"].notna().all()
    assert streets.crs.to_epsg() == 4326
    lon, lat = streets.union_all().centroid.coords[0]
    assert abs(lon + 88.95) < 0.05 and abs(lat - 40.12) < 0.05


def test_hotspots_exceed_background_by_their_factor(city, clean):
    truth = city.truth
    polys = gpd.read_file(city.ground_truth_gpkg, layer="hotspots").set_index("name").geometry
    for h in truth["hotspots"]:
        expected, background = h["expected_count"], h["expected_background"]
        assert expected == pytest.approx(h["intensity_factor"] * background, rel=1e-3)
        observed = _count(clean, polys[h["name"]])
        _close(observed, expected, truth["count_dispersion"], h["name"])
        assert observed > 1.5 * background, h["name"]


def test_intervention_counts_match_the_truth(city, clean):
    truth = city.truth
    iv = truth["intervention"]
    zones = _zones(city)
    poly = {(r.name, r.role): r.geometry for r in zones.itertuples()}
    disp = truth["count_dispersion"]
    periods = {"before": (iv["before"]["start"], iv["before"]["end"]), "after": (iv["after"]["start"], iv["after"]["end"])}
    for t in iv["targets"]:
        regions = {"target": t["expected"], "displacement": t["catchment"]["displacement_sector"]["expected"],
                   "diffusion": t["catchment"]["diffusion_sector"]["expected"]}
        for role, expected in regions.items():
            for period, (a, b) in periods.items():
                _close(_count(clean, poly[(t["name"], role)], a, b), expected[period], disp, f"{t['name']} {role} {period}")
        # the planted effects are the ratios of the expectations
        e = t["expected"]
        assert e["after"] / e["after_without_intervention"] == pytest.approx(1 + iv["true_reduction"], rel=2e-3)
        d = t["catchment"]["displacement_sector"]["expected"]
        assert d["after"] / d["after_without_intervention"] == pytest.approx(1 + iv["true_displacement"], rel=2e-3)
    for c in iv["controls"]:
        assert c["expected"]["after"] == c["expected"]["after_without_intervention"]
        for period, (a, b) in periods.items():
            _close(_count(clean, poly[(c["name"], "control")], a, b), c["expected"][period], disp, c["name"])


def test_emerging_hotspot_starts_midway(city, clean):
    em = city.truth["emerging_hotspot"]
    poly = gpd.read_file(city.ground_truth_gpkg, layer="emerging_hotspot").geometry[0]
    start = pd.Timestamp(em["start_date"])
    before = _count(clean, poly, None, start - pd.Timedelta(days=1))
    after = _count(clean, poly, start)
    assert em["expected_before_start"] < 0.05 * em["expected_after_start"]
    assert before <= max(5, 0.05 * after)
    _close(after, em["expected_after_start"], city.truth["count_dispersion"], "emerging")


def test_rhythms_differ_by_offence(clean):
    def peak_hour(offence: str) -> int:
        d = clean[clean["offense"] == offence]
        t = d["occurred_from"]
        mid = t + (d["occurred_to"].fillna(t) - t) / 2
        return int(np.bincount(mid.dt.hour, minlength=24).argmax())

    assert peak_hour("Robbery") in (20, 21, 22, 23, 0)
    assert 9 <= peak_hour("Burglary") <= 15
    assault = clean[clean["offense"] == "Assault"]["occurred_from"]
    weekend_night = assault.dt.day_of_week.isin([5, 6]) & (assault.dt.hour < 4)
    weekday_night = assault.dt.day_of_week.isin([1, 2]) & (assault.dt.hour < 4)
    assert weekend_night.sum() > 2 * weekday_night.sum()
    summer = clean["occurred_from"].dt.month.isin([6, 7, 8]).sum()
    winter = clean["occurred_from"].dt.month.isin([12, 1, 2]).sum()
    assert summer > 1.1 * winter


def test_windows_are_ordered_and_short(clean):
    burglary = clean[clean["offense"] == "Burglary"]
    assert burglary["occurred_to"].notna().all()
    width = burglary["occurred_to"] - burglary["occurred_from"]
    assert (width > pd.Timedelta(0)).all() and (width <= pd.Timedelta(hours=48)).all()
    assert width.median() < pd.Timedelta(hours=24)
    robbery = clean[clean["offense"] == "Robbery"]
    assert robbery["occurred_to"].isna().all()


def test_dirt_counts_as_declared(city):
    raw = pd.read_csv(city.incidents_csv, dtype=str, keep_default_na=False)
    dirt = city.truth["dirt"]
    assert len(raw) == N + dirt["duplicate_id"]
    assert int(raw["incident_id"].duplicated().sum()) == dirt["duplicate_id"]
    assert int((raw["lat"] == "").sum()) == dirt["missing_coordinates"]
    assert int(((raw["lat"] == "0.0") | (raw["lat"] == "0")).sum()) == dirt["zero_zero"]
    bad = pd.to_datetime(raw["occurred_from"], format="%Y-%m-%d %H:%M", errors="coerce").isna()
    assert int(bad.sum()) == dirt["unparseable_date"]
    assert all(v > 0 for v in dirt.values())


def test_state_plane_csv_reprojects_onto_latlon(city):
    ll = pd.read_csv(city.incidents_csv, dtype={"incident_id": str}).drop_duplicates("incident_id")
    sp = pd.read_csv(city.incidents_stateplane_csv, dtype={"CASE_NUMBER": str}).drop_duplicates("CASE_NUMBER")
    prj = city.incidents_stateplane_csv.with_suffix(".prj").read_text()
    assert "Illinois_East" in prj and "foot" in prj.lower()
    both = ll.merge(sp, left_on="incident_id", right_on="CASE_NUMBER")
    assert len(both) == len(ll)
    both = both[both["lat"].notna() & (both["lat"] != 0)]
    assert (both["X_COORD"] > 100_000).all()  # feet, not metres or degrees
    tr = Transformer.from_crs(3435, 32616, always_xy=True)
    x1, y1 = tr.transform(both["X_COORD"].to_numpy(), both["Y_COORD"].to_numpy())
    x2, y2 = Transformer.from_crs(4326, 32616, always_xy=True).transform(both["lon"].to_numpy(), both["lat"].to_numpy())
    assert np.hypot(x1 - x2, y1 - y2).max() < 1.0
    assert (both["OFFENSE"] == both["offense"].str.upper()).all()


def test_cancel_and_bad_arguments(tmp_path):
    with pytest.raises(Cancelled):
        generate_city(tmp_path / "x", n_incidents=1000, cancelled=lambda: True)
    with pytest.raises(ValueError):
        generate_city(tmp_path / "y", n_incidents=0)


def test_cli_help_and_run(tmp_path):
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-m", "hotspot_desktop.sample", "--help"], check=False, capture_output=True, text=True,
                         cwd=root)
    assert out.returncode == 0 and "--incidents" in out.stdout
    out = subprocess.run([sys.executable, "-m", "hotspot_desktop.sample", str(tmp_path / "c"), "--incidents", "500",
                          "--years", "1", "--quiet"], check=False, capture_output=True, text=True, cwd=root)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "c" / "ground_truth.json").is_file()
