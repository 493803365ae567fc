"""Property test: any file written in a supported dialect loads back with exact counts and times."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotspot_desktop.core.io.csv_incidents import load_incidents_csv

FORMATS = ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%m/%d/%Y %I:%M %p", "%d/%m/%Y %H:%M", "%d.%m.%Y %H:%M",
           "%m/%d/%Y %H:%M:%S", "%d-%b-%Y %H:%M"]


@st.composite
def dialects(draw):
    n = draw(st.integers(8, 40))
    return {
        "n": n,
        "delimiter": draw(st.sampled_from([",", ";", "\t", "|"])),
        "encoding": draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"])),
        "fmt": draw(st.sampled_from(FORMATS)),
        "zero": draw(st.sets(st.integers(0, n - 1), max_size=3)),
        "empty": draw(st.sets(st.integers(0, n - 1), max_size=3)),
        "seed": draw(st.integers(0, 10_000)),
        "crlf": draw(st.booleans()),
    }


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(d=dialects())
def test_written_files_load_back_exactly(tmp_path, d):
    rng = np.random.default_rng(d["seed"])
    n = d["n"]
    # Day 13+ always occurs so day/month order is never ambiguous.
    times = [datetime(2020, 1, 13, 0, 0) + timedelta(minutes=int(m)) for m in rng.integers(0, 60 * 24 * 300, n)]
    lat = np.round(45.5 + rng.uniform(-0.05, 0.05, n), 5)
    lon = np.round(-73.6 + rng.uniform(-0.05, 0.05, n), 5)
    lines = [d["delimiter"].join(["no", "quand_date", "type", "latitude", "longitude", "rue"])]
    for i in range(n):
        la, lo = (0, 0) if i in d["zero"] else (lat[i], lon[i])
        la, lo = ("", "") if i in d["empty"] else (la, lo)
        lines.append(d["delimiter"].join([f"M{i:05d}", times[i].strftime(d["fmt"]), "Vol", str(la), str(lo),
                                          "Rue Saint-Hélène"]))
    eol = "\r\n" if d["crlf"] else "\n"
    path = tmp_path / "montreal.csv"
    path.write_bytes((eol.join(lines) + eol).encode(d["encoding"]))
    layer, report = load_incidents_csv(path)
    empty = d["empty"]
    zero = d["zero"] - empty
    assert report.rows_read == n
    assert report.rejected_counts() == {k: len(v) for k, v in
                                        (("missing_coordinates", empty), ("zero_zero", zero)) if v}
    keep = [i for i in range(n) if i not in empty and i not in zero]
    want = [pd.Timestamp(times[i]).floor("min" if "%S" not in d["fmt"] else "s") for i in keep]
    assert layer.attributes["time"].tolist() == want
    assert (layer.attributes["rue"] == "Rue Saint-Hélène").all()
    assert layer.attributes["incident_id"].tolist() == [f"M{i:05d}" for i in keep]
