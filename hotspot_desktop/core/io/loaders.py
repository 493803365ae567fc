"""The file-loading front door: one call for any supported file, by extension.

``load_file`` dispatches to the CSV incident loader, :func:`vector.load_vector` or
:func:`raster_io.read_asc`; ``add_file_to_project`` also settles the project's working CRS
(the policy of :func:`hotspot_desktop.core.crs.choose_working_crs`) and appends the layer.
Every loader, given ``working_crs=None``, picks the working CRS by that policy and names it in
``report.detected["working_crs"]``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from pyproj import CRS
from pyproj.exceptions import CRSError

from hotspot_desktop.core.crs import WGS84, choose_working_crs, is_metric_projected, transform_xy
from hotspot_desktop.core.io.report import LoadError, LoadReport
from hotspot_desktop.core.model import Layer, PointLayer, Project, RasterLayer, SourceRef, VectorLayer

# extension -> loader family
SUPPORTED_EXTENSIONS: dict[str, str] = {
    ".csv": "csv", ".txt": "csv",
    ".shp": "vector", ".zip": "vector", ".gpkg": "vector", ".geojson": "vector", ".json": "vector", ".kml": "vector",
    ".asc": "raster",
    # Offline basemaps: a local tile package, or a picture with a world file (.pgw/.jgw/.wld).
    ".mbtiles": "tiles", ".png": "image", ".jpg": "image", ".jpeg": "image",
}

# Options each loader family accepts (anything else is a caller mistake, or an untrusted project file).
LOADER_OPTIONS: dict[str, frozenset[str]] = {
    "csv": frozenset({"schema", "crs", "progress", "cancelled"}),
    "vector": frozenset({"layer", "crs", "repair", "progress", "cancelled"}),
    "raster": frozenset({"crs", "progress", "cancelled"}),
    "tiles": frozenset({"progress", "cancelled"}),
    "image": frozenset({"crs", "progress", "cancelled"}),
}

FILE_DIALOG_FILTER = ";;".join([
    "All supported files (" + " ".join(f"*{e}" for e in SUPPORTED_EXTENSIONS) + ")",
    "Incident tables (*.csv *.txt)",
    "Shapefiles (*.shp *.zip)",
    "GeoPackage (*.gpkg)",
    "GeoJSON (*.geojson *.json)",
    "KML (*.kml)",
    "ESRI ASCII grid (*.asc)",
    "Offline basemaps (*.mbtiles *.png *.jpg *.jpeg)",
    "All files (*)",
])


def loader_family(path: str | Path) -> str:
    """``csv``, ``vector`` or ``raster`` for a path; LoadError for an unsupported extension."""
    ext = Path(path).suffix.lower()
    family = SUPPORTED_EXTENSIONS.get(ext)
    if family is None:
        raise LoadError(f"{Path(path).name}: files of type {ext or '(no extension)'} cannot be opened; "
                        f"supported: {', '.join(SUPPORTED_EXTENSIONS)}")
    return family


def load_file(path: str | Path, working_crs: CRS | None = None, **options: Any) -> tuple[Layer, LoadReport]:
    """Load any supported file into a layer in ``working_crs``; options go to the matching loader.

    CSV: ``schema`` (a ``CsvSchema`` or its ``to_dict()``), ``crs``. Vector: ``layer``, ``crs``,
    ``repair``. ASCII grid: ``crs``. All take ``progress`` and ``cancelled``.
    """
    path = Path(path)
    family = loader_family(path)
    unknown = set(options) - LOADER_OPTIONS[family]
    if unknown:
        raise TypeError(f"unknown option(s) for {family} files: {', '.join(sorted(unknown))}")
    if family == "vector":
        from hotspot_desktop.core.io.vector import load_vector

        return load_vector(path, working_crs, **options)
    if family == "raster":
        from hotspot_desktop.core.io.raster_io import read_asc

        return read_asc(path, working_crs, **options)
    if family in ("tiles", "image"):
        return _load_basemap(path, family, working_crs, options.get("crs"))
    from hotspot_desktop.core.io.csv_incidents import load_incidents_csv  # written alongside; heavy imports

    schema = options.get("schema")
    if isinstance(schema, dict):
        from hotspot_desktop.core.io.csv_schema import CsvSchema

        schema = CsvSchema.from_dict(schema)
    crs = options.get("crs")
    return load_incidents_csv(path, working_crs, schema=schema,
                              crs=CRS.from_user_input(crs) if isinstance(crs, str) else crs,
                              progress=options.get("progress"), cancelled=options.get("cancelled"))


def _load_basemap(path: Path, family: str, working_crs: CRS | None, crs: Any) -> tuple[Layer, LoadReport]:
    """An MBTiles package or a world-file image as a basemap layer (read locally, never fetched)."""
    from hotspot_desktop.core.basemap_layers import ImageLayer, TileLayer
    from hotspot_desktop.core.io.vector import CrsRequired, crs_to_option

    report = LoadReport(source=str(path), rows_read=1, rows_kept=1)
    try:
        if family == "tiles":
            if working_crs is None:
                from hotspot_desktop.core.io.basemap import MBTiles

                b = MBTiles(path).bounds_lonlat() or (-180.0, -85.0, 180.0, 85.0)
                working_crs = choose_working_crs([], ((b[0] + b[2]) / 2, (b[1] + b[3]) / 2))
            layer: Layer = TileLayer(path.stem, path, working_crs)
            report.detected.update(kind="MBTiles basemap", zoom_levels=layer.tiles.zoom_levels())
        else:
            image_crs = CRS.from_user_input(crs) if crs is not None else working_crs
            if image_crs is None:
                raise CrsRequired(f"{path.name}: in which coordinate system is its world file? Choose a CRS.", report)
            layer = ImageLayer.from_file(path, working_crs or image_crs, image_crs)
            if crs is not None:
                layer.source.options["crs"] = crs_to_option(image_crs)
            working_crs = working_crs or image_crs
            report.detected.update(kind="georeferenced image", size=list(layer.rgba.shape[:2]))
    except LoadError:
        raise
    except (OSError, ValueError, KeyError) as exc:
        raise LoadError(f"{path.name} could not be read as a basemap: {exc}", report) from exc
    report.detected["working_crs"] = crs_to_option(working_crs)
    return layer, report


def reload_options(source: SourceRef) -> tuple[dict[str, Any], list[str]]:
    """``load_file`` options that reload ``source`` as it was first loaded, and the option keys ignored.

    The CSV loader stores its whole ``CsvSchema.to_dict()`` as the options; the vector and grid
    loaders store their overrides (``crs``, ``repair``) and the chosen layer in ``source.layer``.
    Only known keys are passed on: options can come from an untrusted project file.
    """
    family = SUPPORTED_EXTENSIONS.get(Path(source.path or "").suffix.lower())
    opts = dict(source.options)
    if family == "csv":
        schema = opts.get("schema", opts)
        return ({"schema": schema} if isinstance(schema, dict) and schema else {}), []
    allowed = {"vector": ("crs", "repair"), "raster": ("crs",), "image": ("crs",)}.get(family or "", ())
    out = {k: opts[k] for k in allowed if k in opts}
    if family == "vector" and source.layer:
        out["layer"] = source.layer
    return out, sorted(set(opts) - set(allowed))


def add_file_to_project(project: Project, path: str | Path, **options: Any) -> tuple[Layer, LoadReport]:
    """Load ``path`` and append it to ``project``; the first layer also sets the working CRS.

    The working CRS, when the project has none, is the file's own CRS if it is projected in
    metres, else the UTM zone of the data's centre (``crs.choose_working_crs``).
    """
    layer, report = load_file(path, project.working_crs, **options)
    if project.working_crs is None:
        project.working_crs = settle_working_crs(layer, report)
    project.layers.append(layer)
    return layer, report


def settle_working_crs(layer: Layer, report: LoadReport) -> CRS:
    """The working CRS the loader chose, or, if it did not say, choose one and move the layer into it."""
    chosen = report.detected.get("working_crs")
    src = layer.source_crs
    if chosen:
        try:
            return CRS.from_user_input(chosen)
        except CRSError:
            if is_metric_projected(src):  # the policy's first choice: the data's own metric CRS
                return src  # type: ignore[return-value]
            raise LoadError(f"{report.source}: working CRS {chosen!r} is not recognised", report) from None
    if src is None:
        raise LoadError(f"{report.source}: the loader gave no coordinate reference system", report)
    xmin, ymin, xmax, ymax = layer.extent()
    lon, lat = transform_xy(np.array([(xmin + xmax) / 2]), np.array([(ymin + ymax) / 2]), src, WGS84)
    target = choose_working_crs([src], (float(lon[0]), float(lat[0])))
    if target != src:
        if isinstance(layer, PointLayer):
            layer.x, layer.y = transform_xy(layer.x, layer.y, src, target)
        elif isinstance(layer, VectorLayer):
            layer.gdf = layer.gdf.set_crs(src, allow_override=True).to_crs(target)
        elif isinstance(layer, RasterLayer):
            raise LoadError(f"{report.source}: a grid needs a working CRS before it is loaded", report)
        # no data_changed(): the layer is fresh from its file (data_version 0 means "as in the source")
    from hotspot_desktop.core.io.vector import crs_to_option

    report.detected["working_crs"] = crs_to_option(target)
    return target
