"""Basemap layer kinds: a georeferenced image and an MBTiles tile package (both offline).

A vector basemap needs no class of its own: it is a streets :class:`VectorLayer` drawn at the
bottom with :func:`quiet_streets_style`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from pyproj import CRS

from hotspot_desktop.core.crs import WGS84, transform_xy
from hotspot_desktop.core.io.basemap import GeoImage, MBTiles, read_georeferenced_image
from hotspot_desktop.core.model import GeometryKind, Layer, SourceRef
from hotspot_desktop.core.styles import LayerStyle, Symbol

WEB_MERCATOR = CRS.from_epsg(3857)


def quiet_streets_style() -> LayerStyle:
    """Thin light-grey lines that sit under incidents and hot spots without competing."""
    return LayerStyle(symbol=Symbol(fill="#00000000", outline="#b8b8b8ff", outline_width=0.8))


class ImageLayer(Layer):
    """A georeferenced picture (scanned map, aerial photo) shown under the data.

    ``corners`` are the image's upper-left, upper-right, lower-right and lower-left corners in
    the working CRS. When the image's CRS differs from the working CRS only the corners are
    reprojected and the picture is stretched between them (a projective fit): exact at the
    corners, sub-pixel inside for city-sized images.
    """

    kind = "image"
    geometry_kind: GeometryKind = "raster"

    def __init__(self, name: str, rgba: np.ndarray, corners: np.ndarray, **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        self.rgba = np.ascontiguousarray(rgba, dtype=np.uint8)
        self.corners = np.asarray(corners, dtype=np.float64).reshape(4, 2)

    @classmethod
    def from_file(cls, path: str | Path, working_crs: CRS | None = None, image_crs: CRS | None = None,
                  name: str | None = None) -> ImageLayer:
        """Load a PNG/JPEG with its world file; ``image_crs`` defaults to the working CRS."""
        path = Path(path)
        img: GeoImage = read_georeferenced_image(path)
        corners = img.corners()
        if working_crs is not None and image_crs is not None and image_crs != working_crs:
            x, y = transform_xy(corners[:, 0], corners[:, 1], image_crs, working_crs)
            corners = np.column_stack([x, y])
        return cls(name or path.stem, img.rgba, corners, source=SourceRef(path, "image"),
                   source_crs=image_crs or working_crs)

    def __len__(self) -> int:
        return int(self.rgba.shape[0] * self.rgba.shape[1])

    def extent(self) -> tuple[float, float, float, float]:
        c = self.corners
        return float(c[:, 0].min()), float(c[:, 1].min()), float(c[:, 0].max()), float(c[:, 1].max())


class TileLayer(Layer):
    """An offline MBTiles basemap drawn in the working CRS.

    Each tile's four corners are reprojected from Web Mercator to the working CRS and the tile
    is stretched between them; a 256-pixel tile spans so little of a UTM zone that the error
    inside it is well under a pixel at city and district scales.
    """

    kind = "tiles"
    geometry_kind: GeometryKind = "raster"

    def __init__(self, name: str, path: str | Path, working_crs: CRS, **kwargs: Any) -> None:
        kwargs.setdefault("source", SourceRef(Path(path), "mbtiles"))
        kwargs.setdefault("source_crs", WEB_MERCATOR)
        super().__init__(name, **kwargs)
        self.tiles = MBTiles(path)
        self.working_crs = working_crs
        self._extent: tuple[float, float, float, float] | None = None

    def __len__(self) -> int:
        return len(self.tiles.zoom_levels())

    def extent(self) -> tuple[float, float, float, float]:
        """The package's ``bounds`` metadata in the working CRS (the world when absent)."""
        if self._extent is None:
            b = self.tiles.bounds_lonlat() or (-180.0, -85.0511, 180.0, 85.0511)
            lon = np.linspace(b[0], b[2], 9)
            lat = np.linspace(b[1], b[3], 9)
            lon, lat = np.meshgrid(lon, lat)
            x, y = transform_xy(lon.ravel(), lat.ravel(), WGS84, self.working_crs)
            ok = np.isfinite(x) & np.isfinite(y)
            self._extent = (float(x[ok].min()), float(y[ok].min()), float(x[ok].max()), float(y[ok].max()))
        return self._extent

    def to_mercator(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return transform_xy(x, y, self.working_crs, WEB_MERCATOR)

    def from_mercator(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return transform_xy(x, y, WEB_MERCATOR, self.working_crs)
