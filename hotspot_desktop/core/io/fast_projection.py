"""PROJ's fast transverse Mercator series for loading longitude/latitude into UTM.

PROJ computes transverse Mercator with Poder/Engsager's exact algorithm by default; its
``+approx`` option selects the Evenden-Snyder series (Snyder 1987, *Map Projections: A Working
Manual*, USGS PP 1395, eqs. 8-9 to 8-10), about twice as fast and, within 6 degrees of the
central meridian, within a millimetre of the exact result (tests/core/test_loader_fast_paths.py
measures it). A UTM working CRS is chosen from the data's median, so incident points sit well
inside that band; points outside it are left to the exact operation by the caller.
"""

from __future__ import annotations

import re

import numpy as np
from pyproj import CRS, Transformer

APPROX_MAX_DEGREES = 6.0

# degrees -> radians -> utm/tmerc (-> a linear unit): the whole pipeline, nothing else in it.
_PIPELINE = re.compile(r"proj=pipeline step proj=unitconvert xy_in=deg xy_out=rad "
                       r"step proj=(?P<proj>utm|tmerc)(?P<params>(?: [a-z_0-9]+(?:=[^ ]+)?)*?)"
                       r"(?P<tail> step proj=unitconvert xy_in=m xy_out=[^ ]+)?")


def approx_pipeline(src: CRS, dst: CRS) -> tuple[str, float] | None:
    """(PROJ pipeline with ``+approx``, central meridian in degrees) for a plain degrees-to-
    transverse-Mercator operation from ``src`` to ``dst``; None for any other operation."""
    if not (src.is_geographic and dst.is_projected):
        return None
    definition = Transformer.from_crs(src, dst, always_xy=True).definition
    m = _PIPELINE.fullmatch(definition or "")
    if m is None or " approx" in m.group("params"):
        return None
    params = dict(p.split("=", 1) if "=" in p else (p, "") for p in m.group("params").split())
    if m.group("proj") == "utm":
        zone = int(params.get("zone", "0"))
        if not 1 <= zone <= 60:
            return None
        meridian = zone * 6.0 - 183.0
    else:
        meridian = float(params.get("lon_0", "0"))
    pipeline = (f"+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad "
                f"+step +proj={m.group('proj')} +approx"
                + "".join(f" +{k}={v}" if v else f" +{k}" for k, v in params.items())
                + (" +step" + "".join(f" +{t}" for t in m.group("tail").split()[1:]) if m.group("tail") else ""))
    return pipeline, meridian


def near_meridian(lon: np.ndarray, meridian: float) -> np.ndarray:
    """Mask of longitudes within :data:`APPROX_MAX_DEGREES` of ``meridian``.

    NaN (a rejected row, nothing to project) counts as near when all other values are near.
    """
    lo, hi = np.nanmin(lon, initial=np.inf), np.nanmax(lon, initial=-np.inf)
    if meridian - APPROX_MAX_DEGREES <= lo and hi <= meridian + APPROX_MAX_DEGREES:
        return np.ones(len(lon), dtype=bool)  # the usual case, without the modulo over every point
    with np.errstate(invalid="ignore"):
        return np.abs((lon - meridian + 180.0) % 360.0 - 180.0) <= APPROX_MAX_DEGREES
