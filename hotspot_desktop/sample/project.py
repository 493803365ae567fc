"""The sample project: Riverton's files in ``data/`` plus ``riverton.hsproj`` that the app opens.

Layers, bottom first: streets (quiet grey basemap), the river, census block groups (hidden),
beats (light fill, labelled), districts (outline), land use, incidents (categorised by offence),
service requests (community input: role ``community``, triangles, hidden) and the patrol zones
(targets, catchments, controls and patrols taken from the ground truth).

Saved analyses are added by *result steps*: callables ``step(project, outputs)`` run after the
base layers and before saving, in order (``DEFAULT_RESULT_STEPS`` plus any passed in). A step may
append result layers (with provenance) and ``project.analyses`` records.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspot_desktop.core.io.loaders import add_file_to_project, load_file
from hotspot_desktop.core.io.project_io import save_project
from hotspot_desktop.core.model import ZONE_ROLE_COLORS, Layer, PointLayer, Project, ZoneLayer
from hotspot_desktop.core.progress import CancelFn, ProgressFn, checkpoint
from hotspot_desktop.core.styles import Category, LayerStyle, Symbol, categorised, graduated
from hotspot_desktop.sample import spec
from hotspot_desktop.sample.city import CityOutputs, generate_city
from hotspot_desktop.sample.regions import hand_drawn_polygon
from hotspot_desktop.sample.writers import fixed_gdal_date

ResultStep = Callable[[Project, CityOutputs], None]


def kde_result_step(project: Project, outputs: CityOutputs) -> None:
    """A saved analysis: the kernel density of the incidents (quartic, 300 m, 50 m cells), run
    through the same tool, provenance and analysis record as in the app, drawn over the
    incidents at 70% opacity."""
    from hotspot_desktop.tools.builtin import TOOLS
    from hotspot_desktop.tools.execute import run_now

    incidents = project.incident_layer()
    tool = next(t for t in TOOLS if t.id == "hotspot.kde")
    values = tool.defaults() | {"points": incidents, "bandwidth_rule": "fixed", "bandwidth": 300.0,
                                "cell_size": 50.0, "output": "Kernel density (300 m)"}
    done = run_now(tool, values)
    layer = done.result.layers[0]
    layer.id = "kde"  # stable ids, like the base layers'
    done.record.output_layer_ids = [layer.id]
    layer.opacity = 0.7
    # Show the hot cores over the incidents; the citywide low tail stays transparent.
    layer.style.raster.transparent_below = 0.15 * float(np.nanmax(layer.values))
    project.layers.insert(project.layers.index(incidents) + 1, layer)
    project.analyses.append(done.record)


# Steps that add saved analyses to every built sample project, in order.
DEFAULT_RESULT_STEPS: tuple[ResultStep, ...] = (kde_result_step,)
PROJECT_NAME = "riverton.hsproj"
SAMPLE_INCIDENTS = 100_000  # the committed sample stays under 20 MB with this many


def _style_incidents(layer: Layer, offences: list[str]) -> None:
    style = categorised(offences, "offence")
    style.symbol = Symbol(fill="#3182bdcc", outline="#00000000", outline_width=0.0, marker="o", size=2.5)
    layer.style = style


def _single(fill: str, outline: str, width: float, label: str | None = None, size: float = 5.0) -> LayerStyle:
    return LayerStyle(mode="single", symbol=Symbol(fill=fill, outline=outline, outline_width=width, size=size),
                      label_field=label)


def zone_layer(outputs: CityOutputs, crs) -> ZoneLayer:
    """The patrol / intervention zones of the sample, from the ground truth (working CRS)."""
    truth = outputs.truth
    zones = gpd.read_file(outputs.ground_truth_gpkg, layer="intervention_zones")
    iv = truth["intervention"]
    start, end = iv["start_date"], truth["parameters"]["data_end"]
    targets = {t["name"]: t for t in iv["targets"]}
    rows = []
    for z in zones.itertuples():
        if z.role == "target":
            t = targets[z.name]
            rows.append((z.name, "target", t["unit"], t["shift"], 1, start, end,
                         f"Extra patrol from {start}: hot spot policing of the {z.name.split(' - ')[1]} hot spot.",
                         z.geometry))
        elif z.role == "catchment":
            rows.append((f"{z.name} catchment", "catchment", "", "", 2, start, end,
                         "400 m ring around the target for displacement / diffusion checks.", z.geometry))
        elif z.role == "control":
            rows.append((z.name, "control", "", "", 3, start, end,
                         "Comparable area with no extra patrol.", z.geometry))
    cx, cy = truth["crs"]["city_centre"]["x"], truth["crs"]["city_centre"]["y"]
    rng = np.random.default_rng(spec.DESIGN_SEED + 1)
    for name, x, y, r, unit, shift in spec.PATROLS:
        rows.append((name, "patrol", unit, shift, 2, truth["parameters"]["data_start"], "",
                     "Routine directed patrol (no planted effect).", hand_drawn_polygon(rng, cx + x, cy + y, r)))
    cols = ["name", "role", "unit", "shift", "priority", "start", "end", "notes"]
    df = pd.DataFrame([r[:-1] for r in rows], columns=cols)
    df["priority"] = df["priority"].astype(np.int64)
    df.insert(0, "zone_id", [f"riverton-{i + 1:02d}" for i in range(len(df))])  # stable, so rebuilds match
    gdf = gpd.GeoDataFrame(df, geometry=[r[-1] for r in rows], crs=crs)
    layer = ZoneLayer("Patrol zones", gdf, layer_id="zones")
    roles = [r for r in ("target", "catchment", "control", "patrol") if r in set(df["role"])]
    layer.style = LayerStyle(mode="categorised", field="role",
                             symbol=Symbol(fill="#00000000", outline="#333333", outline_width=1.5),
                             categories=[Category(r, r.capitalize(), ZONE_ROLE_COLORS[r] + "55") for r in roles],
                             label_field="name")
    return layer


def community_layer(outputs: CityOutputs, crs) -> PointLayer | None:
    """The city's service requests as a community input layer (counted per zone beside the
    incidents, never analysed as crime), drawn as purple triangles and hidden at first; None
    when the city has no requests file."""
    if outputs.service_requests_csv is None:
        return None
    layer, _ = load_file(outputs.service_requests_csv, crs)
    if not isinstance(layer, PointLayer):
        raise ValueError(f"{outputs.service_requests_csv.name} did not load as points")
    layer.id, layer.name, layer.role, layer.visible = "service_requests", "Service requests", "community", False
    # triangles (as File ▸ Import community input draws them): never mistaken for the incidents
    layer.style = LayerStyle(mode="single", symbol=Symbol(fill="#cc79a7cc", outline="#5a2d4a", outline_width=0.4,
                                                          marker="t", size=6.0))
    return layer


def add_base_layers(project: Project, outputs: CityOutputs, *, with_community: bool = True) -> None:
    """Load the city's files into ``project`` with the sample's styles, in draw order."""
    data = outputs.out_dir
    incidents, _ = add_file_to_project(project, outputs.incidents_csv)  # sets the working CRS (UTM 16N)
    incidents.id, incidents.name = "incidents", "Incidents"
    _style_incidents(incidents, incidents.offence_types())
    crs = project.working_crs

    def add(path: Path, layer_id: str, name: str, style: LayerStyle, visible: bool = True, **options) -> Layer:
        layer, _ = load_file(path, crs, **options)
        layer.id, layer.name, layer.style, layer.visible = layer_id, name, style, visible
        return layer

    streets = add(outputs.streets, "streets", "Streets", _single("#00000000", "#b4b4b4", 0.6), layer="streets")
    census = gpd.read_file(outputs.city_layers, layer="census_block_groups")
    census_style = graduated(census["pop_total"].to_numpy(dtype=float), "pop_total", "quantiles", 5, "Greens")
    census_layer = add(outputs.city_layers, "census", "Census block groups (population)", census_style,
                       visible=False, layer="census_block_groups")
    water = add(outputs.city_layers, "water", "River", _single("#a6cee3ff", "#a6cee3ff", 0.5), layer="water")
    beats = add(data / outputs.beats.name, "beats", "Beats", _single("#9ecae140", "#4a6fa5", 0.8, "name"))
    districts = add(data / outputs.districts.name, "districts", "Districts", _single("#00000000", "#222222", 2.2))
    landuse = add(outputs.city_layers, "land_use", "Land use", LayerStyle(), layer="land_use")
    kinds = sorted(str(k) for k in pd.unique(landuse.attributes["kind"]))
    lu_style = categorised(kinds, "kind", {k: k.replace("_", " ").capitalize() for k in kinds})
    lu_style.symbol = Symbol(fill="#ffffffff", outline="#000000", outline_width=0.5, marker="s", size=6.0)
    landuse.style = lu_style
    requests = community_layer(outputs, crs) if with_community else None
    # draw order, bottom first: basemap, hidden census, beats, districts, land use, incidents,
    # hidden service requests, zones
    project.layers.remove(incidents)
    for layer in (streets, water, census_layer, beats, districts, landuse, incidents, requests,
                  zone_layer(outputs, crs)):
        if layer is not None:
            project.layers.append(layer)
    project.layers.active = incidents
    xmin, ymin, xmax, ymax = beats.extent()
    project.view = {"xmin": xmin, "ymin": ymin, "xmax": xmax, "ymax": ymax}
    project.display_units = "ft"
    project.metadata = {
        "title": "Riverton sample project",
        "agency": "Riverton Police Department (fictional)",
        "author": "Hotspot Desktop sample generator",
        "description": "Synthetic city with planted hot spots, an emerging hot spot and a patrol intervention; "
                       "see README.md and data/ground_truth.json.",
        "seed": outputs.truth["seed"],
    }


def build_sample_project(out_dir: Path, *, n_incidents: int = SAMPLE_INCIDENTS, seed: int = 42, years: int = 3,
                         result_steps: Iterable[ResultStep] = (), keep_stateplane: bool = False,
                         with_community: bool = True, progress: ProgressFn | None = None,
                         cancelled: CancelFn | None = None) -> Path:
    """Generate Riverton into ``out_dir/data`` and write the project ``out_dir/riverton.hsproj``.

    ``result_steps`` run after ``DEFAULT_RESULT_STEPS``, each as ``step(project, outputs)``, to add
    saved analyses. The state-plane CSV is left out unless ``keep_stateplane`` (it is the same
    incidents again; the committed sample stays small). ``data/service_requests.csv`` is always
    written; ``with_community`` adds it to the project as the community input layer "Service
    requests". Returns the manifest's path.
    """
    out_dir = Path(out_dir)
    data = out_dir / "data"
    if data.exists():
        shutil.rmtree(data)

    def sub(lo: float, hi: float) -> ProgressFn | None:
        return None if progress is None else (lambda f, stage: progress(lo + (hi - lo) * f, stage))

    outputs = generate_city(data, n_incidents=n_incidents, seed=seed, years=years, progress=sub(0.0, 0.8),
                            cancelled=cancelled)
    if not keep_stateplane:
        outputs.incidents_stateplane_csv.unlink()
        outputs.incidents_stateplane_csv.with_suffix(".prj").unlink()
    checkpoint(progress, cancelled, 0.8, "building the project")
    project = Project()
    add_base_layers(project, outputs, with_community=with_community)
    for step in (*DEFAULT_RESULT_STEPS, *result_steps):
        checkpoint(progress, cancelled, 0.9, "adding saved analyses")
        step(project, outputs)
    path = out_dir / PROJECT_NAME
    with fixed_gdal_date():
        save_project(project, path, progress=sub(0.9, 1.0))
    path.with_name(path.name + ".bak").unlink(missing_ok=True)
    checkpoint(progress, cancelled, 1.0, "done")
    return path
