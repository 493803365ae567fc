"""Reading time-analysis results back from what the tools keep: an emerging hot spot cell's
Gi* z-series from its result-layer row, and a Knox table from the near-repeat tool's tables.

Qt-free helpers of the "Why this class?" panel and the near-repeat dock (gui/time).
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hotspot_desktop.core.analysis.emerging import (
    CLASS_NAMES,
    ESRI_RULES,
    EmergingResult,
)
from hotspot_desktop.core.analysis.near_repeat import KnoxResult

EMERGING_STEP_FREQ = {"day": "D", "week": "W-MON", "month": "MS"}


SERIES_PREFIX = "f4:"  # little-endian float32, base64: fast to write for 40,000 cells and exact to 1e-6


def encode_series_rows(values: np.ndarray) -> list[str]:
    """One text per row of ``values`` (cells × steps) for an attribute column ("f4:" + base64)."""
    a = np.ascontiguousarray(np.atleast_2d(values), dtype="<f4")
    return [SERIES_PREFIX + base64.b64encode(row.tobytes()).decode("ascii") for row in a]


def encode_series(values: np.ndarray) -> str:
    """One z-series as text (see :func:`encode_series_rows`)."""
    return encode_series_rows(np.asarray(values, dtype=float)[None, :])[0]


def decode_series(text: str) -> np.ndarray:
    """Inverse of :func:`encode_series`; also reads plain "1.2;-0.5;nan" lists."""
    if not isinstance(text, str) or not text:
        return np.zeros(0)
    if text.startswith(SERIES_PREFIX):
        return np.frombuffer(base64.b64decode(text[len(SERIES_PREFIX):]), dtype="<f4").astype(float)
    return np.array([float(v) for v in text.split(";")])


@dataclass(frozen=True)
class EmergingCell:
    """One emerging hot spot cell as its result-layer row keeps it."""

    code: int
    z: np.ndarray  # Gi* z per time step
    steps: pd.DatetimeIndex
    alpha: float
    mk_tau: float
    mk_z: float
    mk_p: float

    @property
    def p(self) -> np.ndarray:
        """Two-sided p-values of the z-series (as the analysis computed them)."""
        from scipy.stats import norm  # loaded on first use: the GUI imports this module at start-up

        return 2 * (1 - norm.cdf(np.abs(np.nan_to_num(self.z, nan=0.0))))

    @property
    def threshold(self) -> float:
        """|z| beyond which a step is significant at ``alpha`` (two-sided)."""
        from scipy.stats import norm

        return float(norm.ppf(1 - self.alpha / 2))

    def explain(self) -> str:
        """The same text as :meth:`EmergingResult.explain` for this cell."""
        one = lambda v: np.array([[v]])
        res = EmergingResult(cube=None, z=self.z[:, None, None], p=self.p[:, None, None],  # type: ignore[arg-type]
                             classes=one(self.code), simple_classes=one(""), mk_tau=one(self.mk_tau),
                             mk_z=one(self.mk_z), mk_p=one(self.mk_p), alpha=self.alpha, radius_cells=0, time_lag=0)
        return res.explain(0, 0)


def emerging_cell(row: pd.Series | dict, *, alpha: float, step: str = "week") -> EmergingCell | None:
    """The cell of an emerging hot spot result row (columns class, z_series, mk_*, first_step);
    None when the row has no z-series (a result made before the series were kept)."""
    z = decode_series(row.get("z_series", ""))
    if z.size == 0:
        return None
    step = str(row.get("step") or step)
    first = pd.Timestamp(row.get("first_step")) if row.get("first_step") else pd.Timestamp("1970-01-05")
    steps = pd.date_range(first, periods=z.size, freq=EMERGING_STEP_FREQ.get(step, "W-MON"))
    return EmergingCell(int(row["class"]), z, steps, float(alpha), float(row.get("mk_tau", np.nan)),
                        float(row.get("mk_z", np.nan)), float(row.get("mk_p", np.nan)))


_RULE_LINE = re.compile(r"^- ([a-z ]+): (.*)$")


def class_rules() -> dict[str, str]:
    """The rule of each hot spot class name ("new", "consecutive" …) from :data:`ESRI_RULES`."""
    rules: dict[str, str] = {}
    current = None
    for line in ESRI_RULES.splitlines():
        m = _RULE_LINE.match(line)
        if m:
            current = m.group(1)
            rules[current] = m.group(2)
        elif current is not None and line.startswith("  "):
            rules[current] += " " + line.strip()
        else:
            current = None
    return rules


def rule_for(code: int) -> str:
    """The rule that gave class ``code``, worded for hot or cold spots."""
    name = CLASS_NAMES[int(code)]
    key = "no pattern detected" if code == 0 else name.rsplit(" ", 2)[0]
    text = class_rules().get(key, "")
    if code < 0:
        text = (text.replace("hot", "cold").replace("upward", "@").replace("downward", "upward")
                .replace("@", "downward"))
        text += " (cold spots: significantly cold steps, trend reversed)"
    return f"{name}: {text}"


def knox_from_tables(ratio: pd.DataFrame, p_value: pd.DataFrame, observed: pd.DataFrame, *,
                     distance_band_m: float, time_band_days: float, simulations: int, seed: int) -> KnoxResult:
    """A KnoxResult rebuilt from the near-repeat tool's tables (first column = distance label).

    Expected counts are observed / ratio (NaN where the ratio is undefined)."""
    def body(frame: pd.DataFrame) -> tuple[list[str], list[str], np.ndarray]:
        f = frame.set_index(frame.columns[0])
        return [str(v) for v in f.index], [str(c) for c in f.columns], f.to_numpy(dtype=float)

    d_labels, t_labels, r = body(ratio)
    _, _, p = body(p_value)
    _, _, obs = body(observed)
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = np.where(r > 0, obs / r, np.nan)
    n_d = len(d_labels) - 2  # minus "same location" and "more than"
    n_t = len(t_labels) - 1  # minus "more than"
    return KnoxResult(d_labels, t_labels, obs, expected, r, p, int(simulations), int(seed),
                      distance_band_m * np.arange(1, n_d + 1), time_band_days * np.arange(1, n_t + 1))
