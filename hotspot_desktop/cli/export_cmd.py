"""``hotspot-desktop export``: maps, briefings, tables and layers from a project, headless.

    hotspot-desktop export map PROJECT.hsproj --out MAP.(png|pdf|svg) [--page A4] [--portrait]
        [--dpi 300] [--title T] [--subtitle S] [--template FILE.json|NAME] [--extent XMIN,YMIN,XMAX,YMAX]
        [--zone NAME] [--units metric|imperial] [--public hex|grid|donut] [--no-marking]
    hotspot-desktop export briefing PROJECT.hsproj --out BRIEF.pdf [--title T] [--page Letter] [--public ...]
        [--equity-layer NAME --equity-groups F1,F2 [--equity-tolerance PCT] [--equity-catchment M]] [--no-equity]
        [--plan PLAN.csv] [--incidents NAME]
    hotspot-desktop export table PROJECT.hsproj --what zones|hotspots --out TABLE.csv
    hotspot-desktop export layer PROJECT.hsproj --layer NAME --out FILE.(gpkg|geojson|shp|kml|csv|asc)
        [--crs EPSG:4326] [--public hex|grid|donut]

Exit codes: 0 written; 1 the export failed (message on stderr); 2 bad arguments; 4 refused in
public-release mode (incident-level output).

The briefing's methods appendix carries the equity check when the project has an equity layer
(set in the GUI: Tools ▸ Patrol ▸ Equity layer…); ``--equity-layer`` / ``--equity-groups``
(with ``--equity-tolerance``, ``--equity-catchment``) set or override it for this briefing only,
``--no-equity`` leaves it out. ``--plan`` adds a patrol plan saved as CSV (the Patrol plan tool's
visits table): its timeline per shift and every visit; never in public-release mode (``--public``:
the plan is left out with a warning, a published schedule would make the patrols predictable).
``--incidents`` names the point layer briefed on (default: the project's incident layer, never
community input or a patrol log).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_REFUSED = 4


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="write maps, briefings, tables and layers from a project")
    what = p.add_subparsers(dest="what", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("project", help="a .hsproj project file")
    common.add_argument("--out", required=True, help="output file; the format follows the extension")
    common.add_argument("--public", choices=["hex", "grid", "donut", "raw"], default=None,
                        help="public-release mode: aggregates or geomasked points only ('raw' is refused)")
    common.add_argument("--cell-size", type=float, default=250.0, help="public mode cell size, metres")
    common.add_argument("--min-count", type=int, default=5, help="public mode: suppress counts below this")
    common.add_argument("--seed", type=int, default=0, help="public mode: geomasking seed")
    m = what.add_parser("map", parents=[common], help="a map page (PNG, PDF or SVG)")
    m.add_argument("--page", default=None, choices=["Letter", "Legal", "Tabloid", "A4", "A3"])
    m.add_argument("--portrait", action="store_true")
    m.add_argument("--dpi", type=int, default=None)
    m.add_argument("--margins", type=float, default=None, help="page margins, mm")
    m.add_argument("--title", default=None)
    m.add_argument("--subtitle", default=None)
    m.add_argument("--template", default=None, help="a template JSON file or the name of one saved in the project")
    m.add_argument("--extent", default=None, help="XMIN,YMIN,XMAX,YMAX in the working CRS")
    m.add_argument("--zone", default=None, help="frame the map on the zone with this name")
    m.add_argument("--units", choices=["metric", "imperial"], default=None)
    m.add_argument("--no-marking", action="store_true", help="omit the handling marking")
    b = what.add_parser("briefing", parents=[common], help="the multi-page briefing PDF")
    b.add_argument("--title", default="Crime briefing")
    b.add_argument("--page", default="Letter", choices=["Letter", "Legal", "Tabloid", "A4", "A3"])
    b.add_argument("--equity-layer", default=None, metavar="NAME",
                   help="population (census) polygon layer for the equity check, by name or id")
    b.add_argument("--equity-groups", default=None, metavar="F1,F2",
                   help="comma-separated population group fields of that layer")
    b.add_argument("--equity-tolerance", type=float, default=None, metavar="PCT",
                   help="flag groups whose share in the zones is off by this many percent (default 25)")
    b.add_argument("--equity-catchment", type=float, default=None, metavar="M",
                   help="width of the catchment ring around the patrol zones, metres (default 250; 0 = none)")
    b.add_argument("--no-equity", action="store_true", help="leave the equity check out")
    b.add_argument("--plan", default=None, metavar="PLAN.csv",
                   help="a patrol plan CSV (the Patrol plan tool's visits) to include: timelines and visits "
                        "(left out with --public)")
    b.add_argument("--incidents", default=None, metavar="NAME",
                   help="the point layer of incidents to brief on, by name or id (default: the project's "
                        "incident layer)")
    t = what.add_parser("table", parents=[common], help="zone measures or top hot spots as CSV")
    t.add_argument("--what", dest="table", choices=["zones", "hotspots"], required=True)
    lay = what.add_parser("layer", parents=[common], help="one layer as a GIS file")
    lay.add_argument("--layer", required=True, help="layer name")
    lay.add_argument("--crs", default=None, help="output CRS (default: the layer's original CRS)")


def _public(args):
    from hotspot_desktop.export.public import PublicOptions

    if args.public is None:
        return None
    return PublicOptions(method=args.public, cell_size_m=args.cell_size, min_count=args.min_count, seed=args.seed)


def run(args: argparse.Namespace) -> int:
    from hotspot_desktop.core.io.project_io import ProjectFormatError, open_project
    from hotspot_desktop.core.io.report import LoadError
    from hotspot_desktop.core.privacy import PublicReleaseRefused

    try:
        project, _reports, warnings = open_project(Path(args.project), confirm_outside=lambda paths: True)
        for w in warnings:
            print(f"warning: {w}", file=sys.stderr)
        public = _public(args)
        out = Path(args.out)
        if args.what == "map":
            _export_map(project, args, out, public)
        elif args.what == "briefing":
            from hotspot_desktop.export.briefing import write_briefing

            project.equity = None if args.no_equity else _equity_setting(project, args)
            plan = None
            if args.plan:
                from hotspot_desktop.core.io.patrol_io import read_plan_csv

                plan = read_plan_csv(Path(args.plan))
            content = write_briefing(project, out, title=args.title, page=args.page, public=public,
                                     patrol_plan=plan, incidents=_incidents_layer(project, args.incidents))
            for w in content.warnings:
                print(f"warning: {w}", file=sys.stderr)
            print(f"wrote {out} ({len(content.pages)} sections: {', '.join(content.pages)})")
            return 0
        elif args.what == "table":
            _export_table(project, args, out)
        else:
            _export_layer(project, args, out, public)
        print(f"wrote {out}")
        return 0
    except PublicReleaseRefused as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except (ProjectFormatError, LoadError, ValueError, KeyError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _equity_setting(project, args):
    """The project's equity setting with the command line's overrides (None when neither sets one)."""
    import dataclasses

    from hotspot_desktop.core.model import EquitySetting, VectorLayer

    current = project.equity
    overrides = {}
    if args.equity_layer is not None:
        layer = project.layers.by_id(args.equity_layer) or project.layers.by_name(args.equity_layer)
        if not isinstance(layer, VectorLayer) or layer.geometry_kind != "polygon" or layer.kind == "zones":
            raise ValueError(f"--equity-layer: no polygon layer named {args.equity_layer!r}")
        overrides["population_layer"] = layer.id
    if args.equity_groups is not None:
        overrides["groups"] = tuple(g.strip() for g in args.equity_groups.split(",") if g.strip())
    if args.equity_tolerance is not None:
        overrides["tolerance_pct"] = args.equity_tolerance
    if args.equity_catchment is not None:
        overrides["catchment_m"] = args.equity_catchment
    if current is None:
        if not overrides:
            return None
        if "population_layer" not in overrides or not overrides.get("groups"):
            raise ValueError("the project has no equity layer: give both --equity-layer and --equity-groups")
        return EquitySetting(**overrides)
    return dataclasses.replace(current, **overrides)


def _incidents_layer(project, name: str | None):
    """The point layer ``--incidents`` names (by name or id); None without the option."""
    from hotspot_desktop.core.model import PointLayer

    if name is None:
        return None
    layer = project.layers.by_name(name) or project.layers.by_id(name)
    if not isinstance(layer, PointLayer):
        raise ValueError(f"no point layer named {name!r}")
    if layer.role != "incidents":
        raise ValueError(f"{layer.name!r} is not a layer of incidents (its rows are {layer.role.replace('_', ' ')})")
    return layer


def _export_map(project, args, out: Path, public) -> None:
    from hotspot_desktop.export.compose import export_map
    from hotspot_desktop.export.template import MapTemplate

    if args.template:
        tp = Path(args.template)
        if tp.is_file():
            tpl = MapTemplate.load(tp)
        elif args.template in project.templates:
            tpl = MapTemplate.from_dict(project.templates[args.template])
        else:
            raise ValueError(f"no template file or saved template named {args.template!r}")
    else:
        tpl = MapTemplate()
    if args.portrait:
        tpl = tpl.with_orientation(False)
    for attr, val in (("page", args.page), ("dpi", args.dpi), ("title", args.title), ("subtitle", args.subtitle),
                      ("scale_units", args.units), ("margins_mm", args.margins)):
        if val is not None:
            setattr(tpl, attr, val)
    if args.no_marking:
        tpl.elements["marking"].enabled = False
    extent = None
    if args.extent:
        extent = tuple(float(v) for v in args.extent.split(","))
        if len(extent) != 4:
            raise ValueError("--extent needs four numbers: XMIN,YMIN,XMAX,YMAX")
    elif args.zone:
        z = project.zones
        hit = None if z is None else z.gdf[z.gdf["name"] == args.zone]
        if hit is None or hit.empty:
            raise ValueError(f"no zone named {args.zone!r}")
        x0, y0, x1, y1 = hit.total_bounds
        pad = 0.15 * max(x1 - x0, y1 - y0)
        extent = (x0 - pad, y0 - pad, x1 + pad, y1 + pad)
    export_map(project, out, tpl, extent=extent, public=public)


def _export_table(project, args, out: Path) -> None:
    from hotspot_desktop.core.io.writers import write_table_csv
    from hotspot_desktop.export.briefing import current_period, top_hotspots

    layer = project.incident_layer()
    if layer is None:
        raise ValueError("the project has no incident layer")
    if args.table == "hotspots":
        frame = top_hotspots(project, layer, current_period(layer))
    else:
        from hotspot_desktop.core.zones.measures import project_zone_table

        frame = project_zone_table(project)  # the same table as File ▸ Export ▸ Table ▸ Zone measures
    write_table_csv(frame, out)


def _export_layer(project, args, out: Path, public) -> None:
    from pyproj import CRS

    from hotspot_desktop.core.io.writers import layer_frame, write_layer, write_vector
    from hotspot_desktop.core.model import PointLayer

    layer = project.layers.by_name(args.layer)
    if layer is None:
        raise ValueError(f"no layer named {args.layer!r}")
    crs_out = CRS.from_user_input(args.crs) if args.crs else (layer.source_crs or project.working_crs)
    if public is not None and isinstance(layer, PointLayer):
        from hotspot_desktop.export.public import public_geodataframe

        gdf = public_geodataframe(layer, public, project.working_crs)
        write_vector(gdf.to_crs(crs_out), out, layer.name)
        return
    if isinstance(layer, PointLayer) or getattr(layer, "gdf", None) is not None:
        gdf = layer_frame(layer, project.working_crs)
        write_vector(gdf.to_crs(crs_out) if gdf.crs is not None else gdf, out, layer.name)
        return
    write_layer(layer, out, project.working_crs)
