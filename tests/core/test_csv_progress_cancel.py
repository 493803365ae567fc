"""Progress reports and cancel of the CSV loader on a file big enough to read in several blocks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hotspot_desktop.core.io.csv_incidents import load_incidents_csv
from hotspot_desktop.core.io.report import Cancelled

ROWS = 60_000


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory):
    rng = np.random.default_rng(7)
    t0 = np.datetime64("2021-01-01T00:00")
    times = (t0 + rng.integers(0, 365 * 24 * 60, ROWS).astype("timedelta64[m]")).astype(str)
    df = pd.DataFrame({
        "incident_id": [f"I{i:07d}" for i in range(ROWS)],
        "occurred": np.char.replace(times.astype("U16"), "T", " "),
        "offense_type": rng.choice(["THEFT", "BURGLARY", "ASSAULT"], ROWS),
        "latitude": np.round(47.6 + rng.normal(0, 0.03, ROWS), 5),
        "longitude": np.round(-122.33 + rng.normal(0, 0.03, ROWS), 5),
    })
    df.loc[5, ["latitude", "longitude"]] = 0.0
    path = tmp_path_factory.mktemp("big") / "seattle_like.csv"
    df.to_csv(path, index=False)
    return path


def test_progress_is_monotonic_and_complete(big_csv):
    calls: list[tuple[float, str]] = []
    layer, report = load_incidents_csv(big_csv, progress=lambda f, s: calls.append((f, s)))
    fractions = [f for f, _ in calls]
    assert fractions == sorted(fractions)
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    stages = {s for _, s in calls}
    assert {"reading", "projecting", "building layer"} <= stages
    assert (report.rows_read, report.rows_kept) == (ROWS, ROWS - 1)
    assert report.rejected["zero_zero"].first_rows == [6]
    assert len(layer) == ROWS - 1


@pytest.mark.parametrize("stage", ["detecting columns", "reading", "reading dates", "projecting", "building layer"])
def test_cancel_at_each_stage_raises_and_returns_nothing(big_csv, stage):
    seen: list[str] = []
    state = {"stage": ""}

    def progress(fraction: float, text: str) -> None:
        state["stage"] = text
        seen.append(text)

    def cancelled() -> bool:
        return state["stage"] == stage

    result = None
    with pytest.raises(Cancelled):
        result = load_incidents_csv(big_csv, progress=progress, cancelled=cancelled)
    assert result is None
    assert stage in seen


def test_cancel_before_start(big_csv):
    with pytest.raises(Cancelled):
        load_incidents_csv(big_csv, cancelled=lambda: True)


def test_loading_again_after_a_cancel_works(big_csv):
    with pytest.raises(Cancelled):
        load_incidents_csv(big_csv, progress=lambda f, s: None, cancelled=lambda: True)
    layer, report = load_incidents_csv(big_csv)
    assert report.rows_kept == ROWS - 1 == len(layer)
