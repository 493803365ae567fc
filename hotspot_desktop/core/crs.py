"""The working-CRS policy: one projected CRS in metres per project.

Every layer is reprojected into the project's working CRS for display and analysis, so distances
and areas are always metres; originals are kept for export. The default working CRS is the CRS
of the first projected (metric) layer, else the UTM zone of the data's centroid.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from pyproj import CRS, Transformer

WGS84 = CRS.from_epsg(4326)

# Unit systems the user can choose for display; analysis is always in metres.
LENGTH_UNITS = {"m": 1.0, "km": 1000.0, "ft": 0.3048, "mi": 1609.344}
AREA_UNITS = {"m2": 1.0, "km2": 1e6, "ft2": 0.3048**2, "mi2": 1609.344**2}


def utm_crs_for(lon: float, lat: float) -> CRS:
    """WGS 84 / UTM zone containing (lon, lat) (EPSG:326zz north, 327zz south)."""
    zone = int(np.floor((lon + 180.0) / 6.0)) % 60 + 1
    return CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)


def is_metric_projected(crs: CRS | None) -> bool:
    """True when ``crs`` is projected with metre axes."""
    if crs is None or not crs.is_projected:
        return False
    unit = crs.axis_info[0].unit_name.lower() if crs.axis_info else ""
    return unit in ("metre", "meter", "m")


def choose_working_crs(candidates: list[CRS | None], lonlat_centroid: tuple[float, float] | None) -> CRS:
    """Pick the working CRS: first metric projected CRS among ``candidates``, else UTM of centroid."""
    for crs in candidates:
        if is_metric_projected(crs):
            return crs
    if lonlat_centroid is None:
        return CRS.from_epsg(3857)
    return utm_crs_for(*lonlat_centroid)


@lru_cache(maxsize=64)
def _transformer(src_wkt: str, dst_wkt: str) -> Transformer:
    return Transformer.from_crs(CRS.from_wkt(src_wkt), CRS.from_wkt(dst_wkt), always_xy=True)


def transformer(src: CRS, dst: CRS) -> Transformer:
    """Cached always-xy transformer between two CRSs."""
    return _transformer(src.to_wkt(), dst.to_wkt())


def transform_xy(x: np.ndarray, y: np.ndarray, src: CRS, dst: CRS) -> tuple[np.ndarray, np.ndarray]:
    """Transform coordinate arrays (x/lon, y/lat order) from ``src`` to ``dst``."""
    if src == dst:
        return np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    tx, ty = transformer(src, dst).transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    return np.asarray(tx), np.asarray(ty)


def format_length(metres: float, units: str = "m") -> str:
    """Human text for a length in the user's unit system ("m" metric, "ft" imperial)."""
    if units in ("ft", "mi"):
        feet = metres / LENGTH_UNITS["ft"]
        return f"{feet:,.0f} ft" if feet < 5280 else f"{metres / LENGTH_UNITS['mi']:,.2f} mi"
    return f"{metres:,.0f} m" if metres < 1000 else f"{metres / 1000:,.2f} km"


def format_area(square_metres: float, units: str = "m") -> str:
    """Human text for an area in the user's unit system."""
    if units in ("ft", "mi"):
        sqmi = square_metres / AREA_UNITS["mi2"]
        return f"{square_metres / AREA_UNITS['ft2']:,.0f} ft²" if sqmi < 0.1 else f"{sqmi:,.3f} mi²"
    km2 = square_metres / 1e6
    return f"{square_metres:,.0f} m²" if km2 < 0.1 else f"{km2:,.3f} km²"
