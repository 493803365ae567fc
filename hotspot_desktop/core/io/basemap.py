"""Offline basemap readers: MBTiles tile packages and georeferenced images with world files.

No web tiles, ever: the app never opens a network connection. An MBTiles file is an SQLite
database of PNG/JPEG tiles in the Web Mercator (EPSG:3857) tiling scheme with TMS row
numbering (row 0 = south), read directly with :mod:`sqlite3`
(https://github.com/mapbox/mbtiles-spec/blob/master/1.3/spec.md). A world file is the six-line
affine transform of an image (ESRI: x-scale, y-rotation, x-rotation, y-scale, x and y of the
centre of the upper-left pixel).
"""

from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# Half the width of the Web Mercator square (metres): the projected x of longitude 180°.
MERCATOR_HALF = 20037508.342789244
TILE_SIZE = 256
WORLD_FILE_SUFFIXES = {
    ".png": (".pgw", ".pngw", ".wld"),
    ".jpg": (".jgw", ".jpgw", ".wld"),
    ".jpeg": (".jgw", ".jpegw", ".wld"),
    ".tif": (".tfw", ".tifw", ".wld"),
    ".tiff": (".tfw", ".tiffw", ".wld"),
}


@dataclass(frozen=True)
class WorldFile:
    """Affine pixel-to-map transform: x = a*col + b*row + c, y = d*col + e*row + f, where
    (col, row) = (0, 0) is the centre of the upper-left pixel."""

    a: float  # pixel width (x per column)
    d: float  # rotation term (y per column)
    b: float  # rotation term (x per row)
    e: float  # pixel height (y per row, negative for north-up images)
    c: float  # x of the centre of the upper-left pixel
    f: float  # y of the centre of the upper-left pixel

    def pixel_to_map(self, col: np.ndarray | float, row: np.ndarray | float) -> tuple:
        return self.a * col + self.b * row + self.c, self.d * col + self.e * row + self.f

    def corners(self, width: int, height: int) -> np.ndarray:
        """Map coordinates of the image's outer corners: upper-left, upper-right, lower-right,
        lower-left (pixel edges, not centres)."""
        cols = np.array([-0.5, width - 0.5, width - 0.5, -0.5])
        rows = np.array([-0.5, -0.5, height - 0.5, height - 0.5])
        x, y = self.pixel_to_map(cols, rows)
        return np.column_stack([x, y])


def read_world_file(path: str | Path) -> WorldFile:
    """Parse a world file (.pgw/.jgw/.wld...): six numbers, one per line."""
    values = [float(tok) for tok in Path(path).read_text(encoding="ascii", errors="replace").split()]
    if len(values) != 6:
        raise ValueError(f"{path}: a world file has 6 numbers, found {len(values)}")
    return WorldFile(*values)


def world_file_for(image: str | Path) -> Path | None:
    """The world file beside ``image`` (``photo.png`` -> ``photo.pgw``/``.pngw``/``.wld``)."""
    image = Path(image)
    for suffix in WORLD_FILE_SUFFIXES.get(image.suffix.lower(), (".wld",)):
        for candidate in (image.with_suffix(suffix), image.with_suffix(suffix.upper())):
            if candidate.is_file():
                return candidate
    return None


@dataclass(frozen=True)
class GeoImage:
    """A decoded georeferenced image: RGBA rows from north (top) to south."""

    rgba: np.ndarray  # (rows, cols, 4) uint8
    transform: WorldFile

    def corners(self) -> np.ndarray:
        rows, cols = self.rgba.shape[:2]
        return self.transform.corners(cols, rows)


def read_georeferenced_image(path: str | Path, world_file: str | Path | None = None) -> GeoImage:
    """Decode a PNG/JPEG (Pillow) and its world file into a :class:`GeoImage`."""
    from PIL import Image

    path = Path(path)
    wf_path = Path(world_file) if world_file is not None else world_file_for(path)
    if wf_path is None:
        raise FileNotFoundError(f"{path.name} has no world file (.pgw/.jgw/.wld) beside it")
    with Image.open(path) as im:
        rgba = np.asarray(im.convert("RGBA"), dtype=np.uint8).copy()
    return GeoImage(rgba, read_world_file(wf_path))


# --- Web Mercator tiling ----------------------------------------------------------------------
def resolution(z: int, tile_size: int = TILE_SIZE) -> float:
    """Web Mercator metres per tile pixel at zoom ``z`` (at the equator)."""
    return 2 * MERCATOR_HALF / (tile_size * 2**z)


def tile_bounds_3857(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """EPSG:3857 bounds of XYZ tile (z, x, y); y counts from the north edge."""
    size = 2 * MERCATOR_HALF / 2**z
    xmin = -MERCATOR_HALF + x * size
    ymax = MERCATOR_HALF - y * size
    return xmin, ymax - size, xmin + size, ymax


def tiles_covering(bounds_3857: tuple[float, float, float, float], z: int) -> list[tuple[int, int]]:
    """XYZ (x, y) of the tiles at zoom ``z`` that cover ``bounds_3857``."""
    n = 2**z
    size = 2 * MERCATOR_HALF / n
    xmin, ymin, xmax, ymax = bounds_3857
    x0 = max(0, math.floor((xmin + MERCATOR_HALF) / size))
    x1 = min(n - 1, math.floor((xmax + MERCATOR_HALF) / size))
    y0 = max(0, math.floor((MERCATOR_HALF - ymax) / size))
    y1 = min(n - 1, math.floor((MERCATOR_HALF - ymin) / size))
    return [(x, y) for y in range(y0, y1 + 1) for x in range(x0, x1 + 1)]


def choose_zoom(metres_per_pixel_3857: float, zooms: list[int], tile_size: int = TILE_SIZE) -> int:
    """The coarsest available zoom whose tiles are at least as sharp as the screen, else the
    finest available (tiles are then magnified)."""
    if not zooms:
        raise ValueError("the tile set has no zoom levels")
    zs = sorted(zooms)
    for z in zs:
        if resolution(z, tile_size) <= metres_per_pixel_3857 * 1.0001:
            return z
    return zs[-1]


def tms_row(z: int, y: int) -> int:
    """MBTiles stores TMS rows (0 = south); XYZ rows count from the north."""
    return (1 << z) - 1 - y


class MBTiles:
    """Read-only access to a local MBTiles file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise FileNotFoundError(self.path)
        # Read-only URI: opening a basemap must never modify or lock the user's file.
        self._con = sqlite3.connect(f"file:{self.path.as_posix()}?mode=ro", uri=True, check_same_thread=False)
        self._meta = {str(k): str(v) for k, v in self._con.execute("SELECT name, value FROM metadata")}
        self._zooms = [int(r[0]) for r in
                       self._con.execute("SELECT DISTINCT zoom_level FROM tiles ORDER BY zoom_level")]

    def metadata(self) -> dict[str, str]:
        return dict(self._meta)

    @property
    def format(self) -> str:
        return self._meta.get("format", "png").lower()

    def zoom_levels(self) -> list[int]:
        return list(self._zooms)

    def bounds_lonlat(self) -> tuple[float, float, float, float] | None:
        """(west, south, east, north) from the metadata, if given."""
        b = self._meta.get("bounds")
        if not b:
            return None
        w, s, e, n = (float(v) for v in b.split(","))
        return w, s, e, n

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        """Encoded image of XYZ tile (z, x, y), or None when the package lacks it."""
        row = self._con.execute(
            "SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_row=?",
            (int(z), int(x), tms_row(int(z), int(y)))).fetchone()
        return None if row is None else bytes(row[0])

    def close(self) -> None:
        self._con.close()
