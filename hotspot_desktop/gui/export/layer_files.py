"""Writing one layer to a GIS file for the Layer export dialog (no Qt): the formats of
core/io/writers plus KML, in a chosen CRS, with incident points replaced in public mode."""

from __future__ import annotations

from pathlib import Path

from pyproj import CRS

from hotspot_desktop.core.io.writers import layer_frame, write_layer, write_vector
from hotspot_desktop.core.model import (
    Layer,
    PointLayer,
    Project,
    RasterLayer,
    VectorLayer,
)
from hotspot_desktop.core.privacy import PublicReleaseRefused
from hotspot_desktop.export.public import PublicOptions, public_geodataframe

FORMATS = [(".gpkg", "GeoPackage"), (".geojson", "GeoJSON"), (".shp", "Shapefile"), (".kml", "KML"),
           (".csv", "CSV"), (".asc", "ESRI ASCII grid")]
WGS84_ONLY = (".geojson", ".kml")  # both formats are defined in longitude/latitude
WGS84 = CRS.from_epsg(4326)


def formats_for(layer: Layer) -> list[tuple[str, str]]:
    """The formats ``layer`` can be written to (ASCII grids for rasters only)."""
    return [(ext, label) for ext, label in FORMATS if ext != ".asc" or isinstance(layer, RasterLayer)]


def write_layer_file(project: Project, layer: Layer, path: str | Path, crs: CRS | None,
                     public: PublicOptions | None = None) -> Path:
    """Write ``layer`` to ``path`` (format by extension) in ``crs`` (None = working CRS).

    In public mode an incident (point) layer is written as its aggregates or geomasked points,
    never as recorded; point features of vector files are refused, as they may be incidents.
    """
    path = Path(path)
    ext = path.suffix.lower()
    working = project.working_crs
    target = crs or working
    if public is not None and isinstance(layer, PointLayer):
        gdf = public_geodataframe(layer, public, working)
    elif public is not None and isinstance(layer, VectorLayer) and layer.geometry_kind == "point":
        raise PublicReleaseRefused(f"'{layer.name}' holds point features that may be incident locations; "
                                   "public-release mode exports only aggregates of incident layers.")
    elif isinstance(layer, RasterLayer) and ext == ".asc":
        return write_layer(layer, path, working)[0]  # grids keep the working CRS (cells stay square)
    else:
        gdf = layer_frame(layer, working)
    if gdf.crs is not None and target is not None:
        gdf = gdf.to_crs(WGS84 if ext in WGS84_ONLY else target)
    if ext == ".kml":
        path.unlink(missing_ok=True)  # the KML driver refuses to overwrite
        gdf.to_file(path, driver="KML")
        return path
    return write_vector(gdf, path, layer.name)
