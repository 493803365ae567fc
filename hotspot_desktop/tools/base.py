"""The tool contract: a declaration (parameters, outputs, help) plus a deferred ``run``.

One declaration drives the parameter dialog, the background run, the headless CLI and the
provenance of every result (the QGIS Processing idea: ``initAlgorithm`` + ``processAlgorithm``
with feedback). Declarations are cheap: ``run`` is an import path ``"module:function"``
resolved only when the tool runs, so listing 50 tools imports none of their numerics.

The run function has the signature ``run(inputs: dict, ctx: RunContext) -> ToolResult``.
``inputs`` maps parameter names to values: layer parameters receive a frozen snapshot of the
layer (filtered incidents only), zone-set parameters a GeoDataFrame of the chosen zone rows,
file parameters the path as text (None or "" when an optional file is not given).

This module is pure (no Qt).
"""

from __future__ import annotations

import importlib
import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Literal

import pandas as pd

from hotspot_desktop.core.progress import CancelFn, ProgressFn, checkpoint

if TYPE_CHECKING:
    from pyproj import CRS

    from hotspot_desktop.core.model import Layer

ParamKind = Literal["layer", "field", "number", "integer", "choice", "bool", "date_range", "zones",
                    "output", "text", "file"]
Unit = Literal["", "m", "km", "ft", "days", "min", "%", "count"]
UNITS: tuple[str, ...] = ("", "m", "km", "ft", "days", "min", "%", "count")
DISTANCE_UNITS = {"m": 1.0, "km": 1000.0, "ft": 0.3048}
OutputKind = Literal["layer", "table", "chart"]


@dataclass(frozen=True)
class Param:
    """One typed tool parameter. Build them with the helper functions below."""

    name: str
    label: str
    kind: ParamKind
    default: Any = None
    help: str = ""
    optional: bool = False
    geometry: tuple[str, ...] = ()  # layer: accepted geometry kinds (point/line/polygon/raster)
    layer_param: str | None = None  # field: the layer parameter the field belongs to
    numeric_field: bool = False  # field: only numeric columns
    unit: str = ""  # number: m, km, ft, days, %, count
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()  # zones: zone roles kept (empty = every row)
    point_roles: tuple[str, ...] = ()  # layer: point-layer roles the dialog prefers as default (empty = incidents)
    pattern: str = ""  # text: a regular expression the whole value must match
    extensions: tuple[str, ...] = ()  # file: accepted extensions without the dot (empty = any)

    def to_dict(self) -> dict:
        """JSON-ready description (``hotspot-desktop tools --json``)."""
        d: dict[str, Any] = {"name": self.name, "label": self.label, "type": self.kind,
                             "default": _jsonable(self.default), "optional": self.optional, "help": self.help}
        if self.geometry:
            d["geometry"] = list(self.geometry)
        if self.layer_param:
            d["layer_param"] = self.layer_param
            d["numeric"] = self.numeric_field
        if self.kind in ("number", "integer"):
            d.update(unit=self.unit, minimum=self.minimum, maximum=self.maximum)
        if self.choices:
            d["choices"] = list(self.choices)
        if self.roles:
            d["roles"] = list(self.roles)
        if self.point_roles:
            d["point_roles"] = list(self.point_roles)
        if self.pattern:
            d["pattern"] = self.pattern
        if self.kind == "file":
            d["extensions"] = list(self.extensions)
        return d

    def file_filter(self) -> str:
        """A file-dialog filter for a file parameter, e.g. ``Patrol plan (*.csv);;All files (*)``."""
        pats = " ".join(f"*.{e}" for e in self.extensions) or "*"
        return f"{self.label} ({pats});;All files (*)"


def _jsonable(v: Any) -> Any:
    if isinstance(v, tuple):
        return list(v)
    return v


def layer_param(name: str, label: str, geometry: tuple[str, ...] | str, *, help: str = "",
                optional: bool = False, point_roles: tuple[str, ...] | str = ()) -> Param:
    """An input layer of the given geometry kind(s); ``point_roles``: the point-layer roles
    (``"incidents"``, ``"community"``, ``"patrol_log"``) the GUI picks first by default."""
    geo = (geometry,) if isinstance(geometry, str) else tuple(geometry)
    pr = (point_roles,) if isinstance(point_roles, str) else tuple(point_roles)
    return Param(name, label, "layer", help=help, optional=optional, geometry=geo, point_roles=pr)


def field_param(name: str, label: str, layer: str, *, numeric: bool = False, default: str | None = None,
                help: str = "", optional: bool = False) -> Param:
    """A column of the layer chosen in parameter ``layer``."""
    return Param(name, label, "field", default=default, help=help, optional=optional, layer_param=layer,
                 numeric_field=numeric)


def number_param(name: str, label: str, default: float, *, unit: str = "", minimum: float | None = None,
                 maximum: float | None = None, help: str = "", optional: bool = False) -> Param:
    """A real number in ``unit`` within [minimum, maximum]."""
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r}")
    return Param(name, label, "number", default=float(default), help=help, optional=optional, unit=unit,
                 minimum=minimum, maximum=maximum)


def integer_param(name: str, label: str, default: int, *, unit: str = "", minimum: int | None = None,
                  maximum: int | None = None, help: str = "") -> Param:
    """A whole number within [minimum, maximum]."""
    return Param(name, label, "integer", default=int(default), help=help, unit=unit, minimum=minimum,
                 maximum=maximum)


def choice_param(name: str, label: str, choices: tuple[str, ...] | list[str], default: str | None = None, *,
                 help: str = "") -> Param:
    """One of ``choices`` (the first by default)."""
    choices = tuple(choices)
    return Param(name, label, "choice", default=default if default is not None else choices[0], help=help,
                 choices=choices)


def bool_param(name: str, label: str, default: bool = False, *, help: str = "") -> Param:
    """A yes/no switch."""
    return Param(name, label, "bool", default=bool(default), help=help)


def date_range_param(name: str, label: str, *, help: str = "", optional: bool = True) -> Param:
    """A (start, end) pair of ISO dates, either end open (None)."""
    return Param(name, label, "date_range", default=(None, None), help=help, optional=optional)


def zones_param(name: str, label: str, roles: tuple[str, ...] | str = (), *, help: str = "",
                optional: bool = False) -> Param:
    """Rows of a zone layer whose ``role`` is one of ``roles`` (all rows when empty)."""
    r = (roles,) if isinstance(roles, str) else tuple(roles)
    return Param(name, label, "zones", help=help, optional=optional, roles=r)


def output_param(name: str, label: str, default: str, *, help: str = "") -> Param:
    """The name given to a result layer."""
    return Param(name, label, "output", default=default, help=help)


def text_param(name: str, label: str, default: str = "", *, help: str = "", optional: bool = True,
               pattern: str = "") -> Param:
    """Free text; with ``pattern``, the whole value must match that regular expression."""
    if pattern:
        re.compile(pattern)
    return Param(name, label, "text", default=default, help=help, optional=optional, pattern=pattern)


def file_param(name: str, label: str, extensions: tuple[str, ...] | list[str] | str = (), *, help: str = "",
               optional: bool = False) -> Param:
    """An existing input file (not a layer: e.g. a saved plan), given as a path; ``extensions``
    without the dot, e.g. ``("csv",)`` (empty = any file)."""
    ext = (extensions,) if isinstance(extensions, str) else tuple(extensions)
    ext = tuple(e.lower().lstrip(".") for e in ext)
    return Param(name, label, "file", help=help, optional=optional, extensions=ext)


@dataclass(frozen=True)
class OutputSpec:
    """A declared output: a layer, a table or a chart."""

    name: str
    kind: OutputKind
    description: str = ""

    def to_dict(self) -> dict:
        return {"name": self.name, "type": self.kind, "description": self.description}


@dataclass(frozen=True)
class Tool:
    """A tool declaration. ``run`` is ``"package.module:function"`` (imported on first run)."""

    id: str
    name: str
    category: str
    version: str
    help: str
    run: str
    params: tuple[Param, ...] = ()
    outputs: tuple[OutputSpec, ...] = ()
    reference: str = ""  # the method's citation, shown in the dialog and exports

    def __post_init__(self) -> None:
        names = [p.name for p in self.params]
        if len(names) != len(set(names)):
            raise ValueError(f"tool {self.id}: duplicate parameter names")
        if ":" not in self.run:
            raise ValueError(f"tool {self.id}: run must be 'module:function', got {self.run!r}")
        for p in self.params:
            if p.kind == "field" and p.layer_param not in names:
                raise ValueError(f"tool {self.id}: field {p.name} refers to unknown layer param {p.layer_param}")

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    def defaults(self) -> dict[str, Any]:
        """Default value of every parameter (layers: None)."""
        return {p.name: p.default for p in self.params}

    def load_run(self) -> Callable[[dict, "RunContext"], "ToolResult"]:
        """Import and return the run function (raises ImportError/AttributeError if broken)."""
        module_name, _, attr = self.run.partition(":")
        obj: Any = importlib.import_module(module_name)
        for part in attr.split("."):
            obj = getattr(obj, part)
        return obj

    def search_text(self) -> str:
        return " ".join([self.id, self.name, self.category, self.help, self.reference]).lower()

    def to_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "category": self.category, "version": self.version,
                "help": self.help, "reference": self.reference,
                "parameters": [p.to_dict() for p in self.params],
                "outputs": [o.to_dict() for o in self.outputs]}

    def validate(self, values: dict[str, Any]) -> dict[str, list[str]]:
        """Messages per parameter name for ``values`` (empty dict = valid)."""
        return validate(self, values)


def layer_columns(layer: Any) -> list[str]:
    """Attribute column names of a point or vector layer (empty for rasters)."""
    if hasattr(layer, "attributes"):
        return [str(c) for c in layer.attributes.columns]
    if hasattr(layer, "gdf"):
        return [str(c) for c in layer.gdf.columns if c != layer.gdf.geometry.name]
    return []


def numeric_columns(layer: Any) -> list[str]:
    frame = getattr(layer, "attributes", None)
    if frame is None and hasattr(layer, "gdf"):
        frame = layer.gdf.drop(columns=layer.gdf.geometry.name)
    if frame is None:
        return []
    return [str(c) for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])
            and not pd.api.types.is_bool_dtype(frame[c])]


def _feature_count(layer: Any) -> int:
    """Features a tool would see: incidents passing the filter, rows, or finite raster cells."""
    if hasattr(layer, "mask") and callable(layer.mask):
        return int(layer.mask().sum())
    values = getattr(layer, "values", None)
    if values is not None and hasattr(values, "dtype"):
        import numpy as np

        return int(np.isfinite(values).sum())
    return len(layer)


def validate(tool: Tool, values: dict[str, Any]) -> dict[str, list[str]]:
    """Check required values, ranges, choices, geometry kinds and that fields exist."""
    msgs: dict[str, list[str]] = {}

    def add(name: str, text: str) -> None:
        msgs.setdefault(name, []).append(text)

    for p in tool.params:
        v = values.get(p.name)
        missing = v is None or (isinstance(v, str) and not v.strip() and p.kind not in ("text",))
        if missing:
            if not p.optional and p.kind not in ("bool", "date_range", "text"):
                add(p.name, f"{p.label} is required")
            continue
        if p.kind in ("layer", "zones"):
            geo = getattr(v, "geometry_kind", None)
            if geo is None:
                add(p.name, f"{p.label} is not a layer")
            elif p.kind == "layer" and p.geometry and geo not in p.geometry:
                add(p.name, f"{p.label} must be a {' or '.join(p.geometry)} layer, not {geo}")
            elif p.kind == "layer" and _feature_count(v) == 0:
                add(p.name, f"{getattr(v, 'name', p.label)} has nothing to analyse"
                            + (" after its filter" if hasattr(v, "mask") and len(v) else ""))
            elif p.kind == "zones" and geo != "polygon":
                add(p.name, f"{p.label} must be a polygon zone layer")
            elif p.kind == "zones" and p.roles and hasattr(v, "gdf") and "role" in v.gdf.columns:
                # A layer without roles (beats chosen as a control) counts as a whole / by selection.
                if not v.gdf["role"].isin(p.roles).any():
                    add(p.name, f"{p.label} has no zones with role {' or '.join(p.roles)}")
        elif p.kind == "field":
            layer = values.get(p.layer_param or "")
            if layer is not None:
                cols = numeric_columns(layer) if p.numeric_field else layer_columns(layer)
                if str(v) not in cols:
                    kind = "numeric field" if p.numeric_field else "field"
                    add(p.name, f"{getattr(layer, 'name', 'the layer')} has no {kind} {v!r}")
        elif p.kind in ("number", "integer"):
            try:
                num = float(v)
            except (TypeError, ValueError):
                add(p.name, f"{p.label} must be a number")
                continue
            if not math.isfinite(num):
                add(p.name, f"{p.label} must be finite")
            elif p.kind == "integer" and num != int(num):
                add(p.name, f"{p.label} must be a whole number")
            elif p.minimum is not None and num < p.minimum:
                add(p.name, f"{p.label} must be at least {p.minimum:g} {p.unit}".rstrip())
            elif p.maximum is not None and num > p.maximum:
                add(p.name, f"{p.label} must be at most {p.maximum:g} {p.unit}".rstrip())
        elif p.kind == "text" and p.pattern:
            if not str(v).strip():
                if not p.optional:
                    add(p.name, f"{p.label} is required")
            elif not re.fullmatch(p.pattern, str(v).strip()):
                add(p.name, f"{p.label} is not in the expected form" + (f" ({p.help})" if p.help else ""))
        elif p.kind == "file":
            from pathlib import Path

            path = Path(str(v).strip()).expanduser()
            if not path.is_file():
                add(p.name, f"{p.label}: no file {str(v).strip()!r}" if not path.exists()
                    else f"{p.label}: {path.name} is not a file")
            elif p.extensions and path.suffix.lower().lstrip(".") not in p.extensions:
                add(p.name, f"{p.label} must be a {' or '.join('.' + e for e in p.extensions)} file, not {path.name}")
        elif p.kind == "choice":
            if v not in p.choices:
                add(p.name, f"{p.label} must be one of {', '.join(p.choices)}")
        elif p.kind == "date_range":
            try:
                a, b = v
                ta = None if a in (None, "") else pd.Timestamp(a)
                tb = None if b in (None, "") else pd.Timestamp(b)
            except (TypeError, ValueError):
                add(p.name, f"{p.label} must be a pair of dates")
                continue
            if ta is not None and tb is not None and ta > tb:
                add(p.name, f"{p.label}: start is after end")
            elif not p.optional and (ta is None or tb is None):
                add(p.name, f"{p.label} needs a start and an end date")
    return msgs


def to_display(value: float, unit: str, display_units: str) -> tuple[float, str]:
    """A metre distance shown in feet when the project displays imperial units."""
    if unit == "m" and display_units == "ft":
        return value / DISTANCE_UNITS["ft"], "ft"
    return value, unit


def from_display(value: float, unit: str, display_units: str) -> float:
    """Inverse of :func:`to_display`: the value in the parameter's declared unit."""
    if unit == "m" and display_units == "ft":
        return value * DISTANCE_UNITS["ft"]
    return value


@dataclass
class RunContext:
    """What a running tool may use besides its inputs: CRS, progress, cancel, seed, units."""

    crs: "CRS | None" = None
    progress_fn: ProgressFn | None = None
    cancelled_fn: CancelFn | None = None
    seed: int = 0
    display_units: str = "m"
    notes: list[str] = field(default_factory=list)

    def progress(self, fraction: float, stage: str = "") -> None:
        if self.progress_fn is not None:
            self.progress_fn(max(0.0, min(1.0, float(fraction))), stage)

    def cancelled(self) -> bool:
        return bool(self.cancelled_fn is not None and self.cancelled_fn())

    def checkpoint(self, fraction: float, stage: str = "") -> None:
        """Report progress and raise ``Cancelled`` if the user asked to stop."""
        checkpoint(self.progress, self.cancelled, fraction, stage)

    def sub(self, start: float, end: float) -> ProgressFn:
        """A progress callback mapping 0..1 onto [start, end] of this run (for core functions)."""
        return lambda f, stage="": self.progress(start + (end - start) * f, stage)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)


@dataclass
class TableResult:
    """A titled table (pandas DataFrame) shown in a dock and written as CSV.

    ``writer`` writes the table to a CSV path when the table needs more than its cells to be read
    back (a patrol plan's visits also write the plan's settings and coverage beside them); it
    returns the files written. The GUI's Save CSV… and the CLI both go through :meth:`write_csv`.
    """

    title: str
    frame: pd.DataFrame
    name: str = ""  # file-name stem; defaults to a slug of the title
    writer: Callable[[Any], list] | None = field(default=None, repr=False, compare=False)

    def write_csv(self, path: Any) -> list:
        """Write the table to ``path`` (formula-safe CSV, plus the writer's companions)."""
        if self.writer is not None:
            return list(self.writer(path))
        from hotspot_desktop.core.io.writers import write_table_csv

        return [write_table_csv(self.frame, path)]


@dataclass
class ChartSpec:
    """A small, renderer-neutral chart: pyqtgraph in the GUI, matplotlib in exports.

    ``kind``: line, bar, scatter, step or timeline. ``series`` maps a legend label to y values
    aligned with ``x``. ``hlines`` are reference lines (label -> y).

    A **timeline** (e.g. a patrol plan's visits) has one horizontal bar per entry of ``x``,
    which is the bar's label (the zone); ``series`` holds the bars' ``lane`` (index into
    ``lanes``, drawn top to bottom), ``start`` and ``end`` (hours after midnight; past 24 for a
    night shift). ``x_label`` names what the labels are (the legend title and the labels' column
    in the chart's CSV); the horizontal axis is always the time of day. ``groups`` fixes which
    label gets which palette colour, so several timelines of one plan colour a zone alike;
    ``x_range`` is the time axis (hours). Build one with :func:`timeline_chart`.
    """

    kind: Literal["line", "bar", "scatter", "step", "timeline"]
    title: str
    x: list[Any]
    series: dict[str, list[float]]
    x_label: str = ""
    y_label: str = ""
    hlines: dict[str, float] = field(default_factory=dict)
    lanes: list[str] = field(default_factory=list)  # timeline: lane labels, top to bottom
    groups: list[str] = field(default_factory=list)  # timeline: bar labels in colour order
    x_range: tuple[float, float] | None = None  # timeline: hours shown

    def to_dict(self) -> dict:
        d = {"kind": self.kind, "title": self.title, "x": [_plain(v) for v in self.x],
             "series": {k: [_plain(v) for v in vals] for k, vals in self.series.items()},
             "x_label": self.x_label, "y_label": self.y_label, "hlines": dict(self.hlines)}
        if self.kind == "timeline":
            d.update(lanes=[str(v) for v in self.lanes], groups=[str(v) for v in self.groups],
                     x_range=None if self.x_range is None else [float(v) for v in self.x_range])
        return d

    def bars(self) -> list[tuple[int, float, float, str]]:
        """A timeline's bars as (lane, start, end, label)."""
        s = self.series
        return [(int(lane), float(a), float(b), str(lbl))
                for lane, a, b, lbl in zip(s.get("lane", []), s.get("start", []), s.get("end", []), self.x)]

    def colour_index(self, label: str) -> int:
        """Palette position of a timeline bar label (its place in ``groups``)."""
        return self.groups.index(label) if label in self.groups else len(self.groups)


def timeline_chart(title: str, lanes: list[str], bars: list[tuple[int, float, float, str]], *,
                   groups: list[str] | None = None, x_range: tuple[float, float] | None = None,
                   x_label: str = "", y_label: str = "") -> ChartSpec:
    """A timeline :class:`ChartSpec` from (lane, start hour, end hour, label) bars; ``x_label``
    says what the labels are (e.g. "zone")."""
    labels = [str(b[3]) for b in bars]
    return ChartSpec("timeline", title, labels,
                     {"lane": [float(b[0]) for b in bars], "start": [float(b[1]) for b in bars],
                      "end": [float(b[2]) for b in bars]},
                     x_label=x_label, y_label=y_label, lanes=list(lanes),
                     groups=list(groups) if groups is not None else list(dict.fromkeys(labels)),
                     x_range=x_range)


TIME_AXIS_LABEL = "time of day"  # the horizontal axis of every timeline


def hour_label(hours: float) -> str:
    """``26.5`` -> ``02:30``: clock time of an hour count that may pass midnight."""
    total = round(hours * 60) % (24 * 60)
    return f"{total // 60:02d}:{total % 60:02d}"


def _plain(v: Any) -> Any:
    if hasattr(v, "isoformat"):
        return v.isoformat()
    if hasattr(v, "item"):
        return v.item()
    return v


@dataclass
class ToolResult:
    """What a run produced: styled layers, tables, charts and notes for provenance."""

    layers: list["Layer"] = field(default_factory=list)
    tables: list[TableResult] = field(default_factory=list)
    charts: list[ChartSpec] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not (self.layers or self.tables or self.charts)
