"""The Qt-free data model: layers, the layer list, zones and the project.

Conventions every module relies on:

* All geometry held by a layer is in the project's **working CRS** (projected, metres);
  ``source_crs`` keeps the original for export.
* ``Project.layers`` is in **draw order, bottom first** (index 0 is drawn first); the layer panel
  shows it reversed, top layer first, like QGIS.
* Point layers keep coordinates as numpy arrays (``x``, ``y``) and attributes in a pandas
  DataFrame with canonical columns ``time`` (datetime64), ``time_end`` (datetime64, NaT when the
  time is exact), ``offence`` (category) and ``incident_id`` where the source had them, so
  millions of incidents never become millions of shapely objects.
* Raster layers are a 2-D float array, **row 0 is the southern row**: the centre of cell
  (r, c) is ``(x0 + (c + 0.5) * cell, y0 + (r + 0.5) * cell)``; NaN is no data.
* Point layers have a ``role``: ``"incidents"`` (crime records, the default),
  ``"community"`` (community survey responses or service requests: shown next to incidents in
  zone measures and briefings, never taken as the incidents, never published as points) or
  ``"patrol_log"`` (AVL / patrol-log pings: unit, time, position; input to dosage only, never
  the incidents nor community input).
* Views subscribe to psygnal signals; the model never knows about Qt.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
from psygnal import Signal
from pyproj import CRS

from hotspot_desktop.core.styles import LayerStyle

GeometryKind = Literal["point", "line", "polygon", "raster"]

# Attribute schema of patrol/intervention zones (issue: hand-drawn zones).
ZONE_ROLES = ("target", "catchment", "control", "patrol")
ZONE_ROLE_COLORS = {"target": "#D55E00", "catchment": "#E69F00", "control": "#0072B2", "patrol": "#009E73"}
ZONE_COLUMNS = ("zone_id", "name", "role", "unit", "shift", "priority", "start", "end", "notes")

# What the rows of a point layer are (issue 12, community input).
POINT_ROLES = ("incidents", "community", "patrol_log")
POINT_ROLE_LABELS = {"incidents": "Incidents (crime records)",
                     "community": "Community input (survey / service requests)",
                     "patrol_log": "Patrol log / AVL (unit, time, position)"}
# The default marker of each role, so community input and patrol pings never look like incidents.
POINT_ROLE_MARKERS = {"incidents": "o", "community": "t", "patrol_log": "s"}
# Column names that identify the unit of a patrol log (AVL pings), compared case-insensitively.
UNIT_COLUMN_NAMES = ("unit", "unit_id", "unitid", "unit_no", "unit_number", "car", "car_id", "vehicle",
                     "vehicle_id", "callsign", "call_sign", "radio_id", "patrol_unit")


def unit_column(columns: list[str] | tuple[str, ...] | pd.Index) -> str | None:
    """The first column of ``columns`` named like a patrol unit (``unit``, ``car``, ``callsign``...)."""
    for c in columns:
        key = str(c).strip().lower().replace(" ", "_").replace("-", "_")
        if key in UNIT_COLUMN_NAMES:
            return str(c)
    return None


def guess_point_role(columns: list[str] | tuple[str, ...] | pd.Index, offence: str | None) -> str:
    """``"patrol_log"`` for a table with a unit-like column and no offence column, else ``"incidents"``."""
    return "patrol_log" if offence is None and unit_column(columns) is not None else "incidents"


@dataclass
class SourceRef:
    """Where a layer came from, so a project can reload it. ``path`` is absolute at run time."""

    path: Path | None = None
    format: str = ""  # csv, shapefile, gpkg, geojson, asc, generated
    layer: str | None = None  # GeoPackage layer / zip member
    options: dict[str, Any] = field(default_factory=dict)  # loader overrides (column mapping...)

    def to_dict(self, relative_to: Path | None = None) -> dict:
        path = None
        if self.path is not None:
            path = str(self.path)
            if relative_to is not None:
                try:
                    path = Path(_relpath(self.path, relative_to)).as_posix()
                except ValueError:
                    path = str(self.path)
        return {"path": path, "format": self.format, "layer": self.layer, "options": self.options}

    @classmethod
    def from_dict(cls, data: dict, base: Path | None = None) -> "SourceRef":
        p = data.get("path")
        path = None
        if p:
            path = Path(p)
            if not path.is_absolute() and base is not None:
                path = (base / path).resolve()
        return cls(path=path, format=data.get("format", ""), layer=data.get("layer"),
                   options=dict(data.get("options") or {}))


def _relpath(path: Path, start: Path) -> str:
    import os

    return os.path.relpath(Path(path).resolve(), Path(start).resolve())


@dataclass
class Provenance:
    """How a result layer was made: enough to re-run it and to cite it in an export."""

    tool_id: str
    tool_version: str
    parameters: dict[str, Any]
    inputs: dict[str, dict[str, str]]  # param name -> {"name": layer name, "hash": content hash}
    filters: dict[str, Any]
    created: str  # ISO timestamp
    app_version: str
    notes: list[str] = field(default_factory=list)  # e.g. "fast KDE mode (binned FFT)"

    def to_dict(self) -> dict:
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, d: dict) -> "Provenance":
        return cls(**{k: d[k] for k in ("tool_id", "tool_version", "parameters", "inputs", "filters",
                                         "created", "app_version")}, notes=list(d.get("notes", [])))


class Layer:
    """Base of every layer kind. Subclasses set ``kind`` and implement ``extent``."""

    kind: ClassVar[str] = "layer"
    geometry_kind: GeometryKind = "polygon"

    changed = Signal(str)  # what changed: "style", "data", "visibility", "opacity", "name", "filter"

    def __init__(self, name: str, *, source: SourceRef | None = None, source_crs: CRS | None = None,
                 style: LayerStyle | None = None, layer_id: str | None = None) -> None:
        self.id = layer_id or uuid.uuid4().hex[:12]
        self._name = name
        self._visible = True
        self._opacity = 1.0
        self.source = source or SourceRef()
        self.source_crs = source_crs
        self._style = style or LayerStyle()
        self.provenance: Provenance | None = None
        self.data_version = 0  # bumped on every data change; results made from older data are stale

    # --- simple evented properties -------------------------------------------------------
    @property
    def name(self) -> str:
        return self._name

    @name.setter
    def name(self, value: str) -> None:
        if value != self._name:
            self._name = value
            self.changed.emit("name")

    @property
    def visible(self) -> bool:
        return self._visible

    @visible.setter
    def visible(self, value: bool) -> None:
        if bool(value) != self._visible:
            self._visible = bool(value)
            self.changed.emit("visibility")

    @property
    def opacity(self) -> float:
        return self._opacity

    @opacity.setter
    def opacity(self, value: float) -> None:
        value = float(min(1.0, max(0.0, value)))
        if value != self._opacity:
            self._opacity = value
            self.changed.emit("opacity")

    @property
    def style(self) -> LayerStyle:
        return self._style

    @style.setter
    def style(self, value: LayerStyle) -> None:
        self._style = value
        self.changed.emit("style")

    def data_changed(self) -> None:
        """Call after mutating the layer's data in place."""
        self.data_version += 1
        self.__dict__.pop("_hash", None)
        self.changed.emit("data")

    def extent(self) -> tuple[float, float, float, float]:
        """(xmin, ymin, xmax, ymax) in the working CRS; every layer kind overrides this."""
        raise TypeError(f"{type(self).__name__} does not define its extent")

    def content_hash(self) -> str:
        """Short hash of the layer's data (for provenance and staleness)."""
        if "_hash" not in self.__dict__:
            self.__dict__["_hash"] = self._compute_hash()
        return self.__dict__["_hash"]

    def _compute_hash(self) -> str:
        return hashlib.sha256(f"{self.id}:{self.data_version}".encode()).hexdigest()[:16]

    def __len__(self) -> int:
        return 0


@dataclass
class PointFilter:
    """Time and attribute filter of a point layer; changes what is drawn and analysed."""

    date_from: pd.Timestamp | None = None
    date_to: pd.Timestamp | None = None  # inclusive end
    offences: frozenset[str] | None = None  # None = all
    hours: frozenset[int] | None = None  # hour of day 0..23; None = all
    weekdays: frozenset[int] | None = None  # Monday = 0; None = all

    def is_active(self) -> bool:
        return any(v is not None for v in (self.date_from, self.date_to, self.offences, self.hours, self.weekdays))

    def to_dict(self) -> dict:
        return {
            "date_from": None if self.date_from is None else self.date_from.isoformat(),
            "date_to": None if self.date_to is None else self.date_to.isoformat(),
            "offences": None if self.offences is None else sorted(self.offences),
            "hours": None if self.hours is None else sorted(self.hours),
            "weekdays": None if self.weekdays is None else sorted(self.weekdays),
        }

    @classmethod
    def from_dict(cls, d: dict | None) -> "PointFilter":
        d = d or {}
        ts = lambda v: None if v is None else pd.Timestamp(v)  # noqa: E731
        fs = lambda v: None if v is None else frozenset(v)  # noqa: E731
        return cls(ts(d.get("date_from")), ts(d.get("date_to")), fs(d.get("offences")), fs(d.get("hours")),
                   fs(d.get("weekdays")))

    def describe(self) -> str:
        parts = []
        if self.date_from is not None or self.date_to is not None:
            a = self.date_from.date().isoformat() if self.date_from is not None else "start"
            b = self.date_to.date().isoformat() if self.date_to is not None else "end"
            parts.append(f"{a} to {b}")
        if self.offences is not None:
            parts.append(", ".join(sorted(self.offences)))
        if self.hours is not None:
            parts.append(f"hours {','.join(map(str, sorted(self.hours)))}")
        if self.weekdays is not None:
            days = "Mon Tue Wed Thu Fri Sat Sun".split()
            parts.append(" ".join(days[d] for d in sorted(self.weekdays)))
        return "; ".join(parts) if parts else "all incidents"


class PointLayer(Layer):
    """Incidents: coordinate arrays in the working CRS plus an attribute DataFrame."""

    kind = "points"
    geometry_kind: GeometryKind = "point"

    def __init__(self, name: str, x: np.ndarray, y: np.ndarray, attributes: pd.DataFrame | None = None,
                 **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        self.x = np.ascontiguousarray(x, dtype=np.float64)
        self.y = np.ascontiguousarray(y, dtype=np.float64)
        if attributes is None:
            attributes = pd.DataFrame(index=pd.RangeIndex(len(self.x)))
        if len(attributes) != len(self.x):
            raise ValueError("attributes must have one row per point")
        self.attributes = attributes.reset_index(drop=True)
        self._filter = PointFilter()
        self._role = "incidents"
        self.__dict__["_mask"] = None
        self.selection: np.ndarray | None = None  # indices of selected incidents

    def __len__(self) -> int:
        return int(self.x.size)

    @property
    def role(self) -> str:
        """``"incidents"``, ``"community"`` or ``"patrol_log"`` (see :data:`POINT_ROLES`)."""
        return self._role

    @role.setter
    def role(self, value: str) -> None:
        if value not in POINT_ROLES:
            raise ValueError(f"point layer role must be one of {', '.join(POINT_ROLES)}, not {value!r}")
        if value != self._role:
            self._role = value
            self.changed.emit("role")

    @property
    def is_community(self) -> bool:
        return self._role == "community"

    @property
    def is_incidents(self) -> bool:
        return self._role == "incidents"

    @property
    def is_patrol_log(self) -> bool:
        return self._role == "patrol_log"

    @property
    def filter(self) -> PointFilter:
        return self._filter

    @filter.setter
    def filter(self, value: PointFilter) -> None:
        self._filter = value
        self.__dict__["_mask"] = None
        self.changed.emit("filter")

    def has_column(self, name: str) -> bool:
        return name in self.attributes.columns

    @property
    def times(self) -> pd.Series | None:
        return self.attributes["time"] if self.has_column("time") else None

    @property
    def offences(self) -> pd.Series | None:
        return self.attributes["offence"] if self.has_column("offence") else None

    def offence_types(self) -> list[str]:
        if not self.has_column("offence"):
            return []
        col = self.attributes["offence"]
        cats = col.cat.categories if isinstance(col.dtype, pd.CategoricalDtype) else pd.unique(col.dropna())
        return sorted(str(c) for c in cats)

    def time_span(self) -> tuple[pd.Timestamp, pd.Timestamp] | None:
        t = self.times
        if t is None or t.notna().sum() == 0:
            return None
        return t.min(), t.max()

    def mask(self) -> np.ndarray:
        """Boolean mask of incidents passing the layer's filter (cached until filter/data change)."""
        cached = self.__dict__.get("_mask")
        if cached is not None and len(cached) == len(self):
            return cached
        keep = self.mask_for(self._filter)
        self.__dict__["_mask"] = keep
        return keep

    def mask_for(self, f: PointFilter) -> np.ndarray:
        """Boolean mask of incidents passing ``f`` (any filter, not only the layer's own)."""
        keep = np.ones(len(self), dtype=bool)
        t = self.times
        if t is not None:
            if f.date_from is not None:
                keep &= (t >= f.date_from).to_numpy()
            if f.date_to is not None:
                keep &= (t <= f.date_to).to_numpy()
            if f.hours is not None:
                keep &= np.isin(t.dt.hour.to_numpy(), list(f.hours))
            if f.weekdays is not None:
                keep &= np.isin(t.dt.day_of_week.to_numpy(), list(f.weekdays))
        if f.offences is not None and self.has_column("offence"):
            keep &= self.attributes["offence"].astype(str).isin(f.offences).to_numpy()
        return keep

    def filtered_xy(self) -> tuple[np.ndarray, np.ndarray]:
        m = self.mask()
        return self.x[m], self.y[m]

    def data_changed(self) -> None:
        self.__dict__["_mask"] = None
        super().data_changed()

    def extent(self) -> tuple[float, float, float, float]:
        if len(self) == 0:
            return (0.0, 0.0, 0.0, 0.0)
        return float(self.x.min()), float(self.y.min()), float(self.x.max()), float(self.y.max())

    def to_geodataframe(self, crs: CRS, filtered: bool = False) -> gpd.GeoDataFrame:
        """Materialise shapely points (for small layers, exports and joins)."""
        m = self.mask() if filtered else slice(None)
        attrs = self.attributes[m] if filtered else self.attributes
        return gpd.GeoDataFrame(attrs.reset_index(drop=True),
                                geometry=gpd.points_from_xy(self.x[m], self.y[m]), crs=crs)

    def _compute_hash(self) -> str:
        h = hashlib.sha256()
        h.update(self.x.tobytes())
        h.update(self.y.tobytes())
        if self.times is not None:
            h.update(self.times.to_numpy().astype("datetime64[s]").astype(np.int64).tobytes())
        return h.hexdigest()[:16]


class VectorLayer(Layer):
    """Lines or polygons (beats, streets, grid cells, results) as a GeoDataFrame in working CRS."""

    kind = "vector"

    def __init__(self, name: str, gdf: gpd.GeoDataFrame, geometry_kind: GeometryKind | None = None,
                 **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        self.gdf = gdf.reset_index(drop=True)
        self.geometry_kind = geometry_kind or infer_geometry_kind(gdf)
        self.selection: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.gdf)

    def extent(self) -> tuple[float, float, float, float]:
        if len(self.gdf) == 0:
            return (0.0, 0.0, 0.0, 0.0)
        xmin, ymin, xmax, ymax = self.gdf.total_bounds
        return float(xmin), float(ymin), float(xmax), float(ymax)

    def _compute_hash(self) -> str:
        h = hashlib.sha256()
        h.update(b"".join(self.gdf.geometry.to_wkb()))
        attrs = self.gdf.drop(columns=self.gdf.geometry.name)
        try:
            hashed = pd.util.hash_pandas_object(attrs, index=False)
        except TypeError:  # cells holding lists/arrays/dicts (nested GeoJSON properties) are unhashable
            hashed = pd.util.hash_pandas_object(attrs.astype(str), index=False)
        h.update(hashed.to_numpy().tobytes())
        return h.hexdigest()[:16]


def infer_geometry_kind(gdf: gpd.GeoDataFrame) -> GeometryKind:
    types = set(gdf.geom_type.dropna().unique()) if len(gdf) else set()
    if types & {"Polygon", "MultiPolygon"}:
        return "polygon"
    if types & {"LineString", "MultiLineString", "LinearRing"}:
        return "line"
    if types & {"Point", "MultiPoint"}:
        return "point"
    return "polygon"


class ZoneLayer(VectorLayer):
    """Hand-drawn patrol / intervention zones with the zone attribute schema (ZONE_COLUMNS)."""

    kind = "zones"

    def __init__(self, name: str = "Zones", gdf: gpd.GeoDataFrame | None = None, crs: CRS | None = None,
                 **kwargs: Any) -> None:
        if gdf is None:
            gdf = empty_zones(crs)
        for col in ZONE_COLUMNS:
            if col not in gdf.columns:
                gdf[col] = "" if col not in ("priority",) else 0
        # zone_id addresses a zone in undoable edits; give every zone a stable one.
        ids = gdf["zone_id"].astype(object).where(gdf["zone_id"].notna(), "").astype(str)
        missing = ids == ""
        ids[missing] = [uuid.uuid4().hex[:10] for _ in range(int(missing.sum()))]
        gdf["zone_id"] = ids
        super().__init__(name, gdf, geometry_kind="polygon", **kwargs)


def empty_zones(crs: CRS | None) -> gpd.GeoDataFrame:
    cols = {c: pd.Series(dtype="int64" if c == "priority" else "object") for c in ZONE_COLUMNS}
    return gpd.GeoDataFrame(cols, geometry=gpd.GeoSeries([], crs=crs), crs=crs)


class RasterLayer(Layer):
    """A regular grid (density surface, Gi* grid). Row 0 is the southern row; NaN = no data."""

    kind = "raster"
    geometry_kind: GeometryKind = "raster"

    def __init__(self, name: str, values: np.ndarray, x0: float, y0: float, cell_size: float,
                 **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        self.values = np.asarray(values, dtype=np.float64)
        if self.values.ndim != 2:
            raise ValueError("raster values must be 2-D")
        self.x0, self.y0, self.cell_size = float(x0), float(y0), float(cell_size)
        self.bands: dict[str, np.ndarray] = {}  # extra named grids (z, p, class...) of the same shape

    def __len__(self) -> int:
        return int(self.values.size)

    @property
    def shape(self) -> tuple[int, int]:
        return self.values.shape  # type: ignore[return-value]

    def extent(self) -> tuple[float, float, float, float]:
        rows, cols = self.values.shape
        return self.x0, self.y0, self.x0 + cols * self.cell_size, self.y0 + rows * self.cell_size

    def cell_centres(self) -> tuple[np.ndarray, np.ndarray]:
        rows, cols = self.values.shape
        return (self.x0 + (np.arange(cols) + 0.5) * self.cell_size,
                self.y0 + (np.arange(rows) + 0.5) * self.cell_size)

    def value_at(self, x: float, y: float) -> float:
        c = int(np.floor((x - self.x0) / self.cell_size))
        r = int(np.floor((y - self.y0) / self.cell_size))
        if 0 <= r < self.values.shape[0] and 0 <= c < self.values.shape[1]:
            return float(self.values[r, c])
        return float("nan")

    def _compute_hash(self) -> str:
        h = hashlib.sha256(self.values.tobytes())
        h.update(np.array([self.x0, self.y0, self.cell_size]).tobytes())
        return h.hexdigest()[:16]


class LayerList:
    """Ordered layers, bottom first, with change signals for views."""

    inserted = Signal(int, object)  # index, layer
    removed = Signal(int, object)
    moved = Signal(int, int)  # old index, new index
    active_changed = Signal(object)

    def __init__(self) -> None:
        self._layers: list[Layer] = []
        self._active: Layer | None = None

    def __len__(self) -> int:
        return len(self._layers)

    def __iter__(self):
        return iter(list(self._layers))

    def __getitem__(self, i: int) -> Layer:
        return self._layers[i]

    def index(self, layer: Layer) -> int:
        return self._layers.index(layer)

    def by_id(self, layer_id: str) -> Layer | None:
        return next((lyr for lyr in self._layers if lyr.id == layer_id), None)

    def by_name(self, name: str) -> Layer | None:
        return next((lyr for lyr in self._layers if lyr.name == name), None)

    def append(self, layer: Layer) -> None:
        self.insert(len(self._layers), layer)

    def insert(self, index: int, layer: Layer) -> None:
        index = max(0, min(index, len(self._layers)))
        self._layers.insert(index, layer)
        self.inserted.emit(index, layer)
        if self._active is None:
            self.active = layer

    def remove(self, layer: Layer) -> None:
        i = self._layers.index(layer)
        del self._layers[i]
        self.removed.emit(i, layer)
        if self._active is layer:
            self.active = self._layers[-1] if self._layers else None

    def move(self, old: int, new: int) -> None:
        new = max(0, min(new, len(self._layers) - 1))
        if old == new:
            return
        layer = self._layers.pop(old)
        self._layers.insert(new, layer)
        self.moved.emit(old, new)

    @property
    def active(self) -> Layer | None:
        return self._active

    @active.setter
    def active(self, layer: Layer | None) -> None:
        if layer is not self._active:
            self._active = layer
            self.active_changed.emit(layer)

    def of_kind(self, *kinds: str) -> list[Layer]:
        return [lyr for lyr in self._layers if lyr.kind in kinds]


@dataclass(frozen=True)
class EquitySetting:
    """The project's equity layer: whose population the patrol zones cover (issue 12).

    ``population_layer`` is the id of a polygon layer with one numeric column per population
    group (``groups``); the zones are the rows of ``zone_layer`` (an id; None = the project's
    zone layer) whose role is in ``roles``, plus their catchments: the zone layer's rows with
    role ``catchment`` when ``drawn_catchments``, and a ring ``catchment_m`` metres wide around
    the zones (0 = none; 250 m is the intervention tool's default catchment ring). A group is
    flagged when its share in the zones is off its share of the population by
    ``tolerance_pct`` percent or more, either way (ratio ≥ 1 + t or ≤ 1 / (1 + t)).
    """

    population_layer: str
    groups: tuple[str, ...]
    zone_layer: str | None = None
    roles: tuple[str, ...] = ("patrol", "target")
    catchment_m: float = 250.0
    drawn_catchments: bool = True
    tolerance_pct: float = 25.0

    def __post_init__(self) -> None:
        if not self.population_layer:
            raise ValueError("the equity setting needs a population layer")
        if not self.groups:
            raise ValueError("the equity setting needs at least one population group field")
        if not self.roles or any(r not in ZONE_ROLES for r in self.roles):
            raise ValueError(f"equity zone roles must be among {', '.join(ZONE_ROLES)}")
        if not (0.0 <= float(self.catchment_m) <= 10_000.0):
            raise ValueError("the equity catchment ring must be 0 to 10,000 m wide")
        if not (1.0 <= float(self.tolerance_pct) <= 200.0):
            raise ValueError("the equity tolerance must be 1 to 200 %")

    @property
    def high(self) -> float:
        return 1.0 + float(self.tolerance_pct) / 100.0

    @property
    def low(self) -> float:
        return 1.0 / self.high

    def to_dict(self) -> dict[str, Any]:
        return {"population_layer": self.population_layer, "groups": list(self.groups),
                "zone_layer": self.zone_layer, "roles": list(self.roles), "catchment_m": float(self.catchment_m),
                "drawn_catchments": bool(self.drawn_catchments), "tolerance_pct": float(self.tolerance_pct)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "EquitySetting":
        """Read a saved setting; raises TypeError/ValueError for a malformed one."""
        if not isinstance(d, dict):
            raise TypeError(f"equity setting should be an object, not {type(d).__name__}")
        groups = d.get("groups")
        roles = d.get("roles", ["patrol", "target"])
        if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
            raise TypeError("equity groups should be a list of field names")
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise TypeError("equity roles should be a list of zone roles")
        zone_layer = d.get("zone_layer")
        if zone_layer is not None and not isinstance(zone_layer, str):
            raise TypeError("equity zone_layer should be a layer id or null")
        pop = d.get("population_layer")
        if not isinstance(pop, str):
            raise TypeError("equity population_layer should be a layer id")
        return cls(pop, tuple(groups), zone_layer, tuple(roles), float(d.get("catchment_m", 250.0)),
                   bool(d.get("drawn_catchments", True)), float(d.get("tolerance_pct", 25.0)))


@dataclass
class AnalysisRecord:
    """A saved tool run, re-runnable from the project (``hotspot-desktop run --project``)."""

    tool_id: str
    parameters: dict[str, Any]
    output_layer_ids: list[str] = field(default_factory=list)
    label: str = ""


class Project:
    """A working session: layers in one working CRS, zones, saved analyses, export templates."""

    changed = Signal(str)  # "crs", "path", "modified", "analyses", "templates", "equity"

    def __init__(self, working_crs: CRS | None = None) -> None:
        self.layers = LayerList()
        self._working_crs = working_crs
        self.path: Path | None = None
        self.analyses: list[AnalysisRecord] = []
        self.templates: dict[str, dict] = {}  # export composer templates by name
        self.view: dict[str, Any] = {}  # last map extent {"xmin","ymin","xmax","ymax"}
        self.display_units: str = "m"  # "m" metric or "ft" imperial, for display only
        self.metadata: dict[str, Any] = {}  # title, agency, author ...
        self._equity: EquitySetting | None = None
        self.modified = False
        for sig in (self.layers.inserted, self.layers.removed, self.layers.moved):
            sig.connect(self._mark_modified)

    def _mark_modified(self, *args: Any) -> None:
        if not self.modified:
            self.modified = True
            self.changed.emit("modified")

    @property
    def working_crs(self) -> CRS | None:
        return self._working_crs

    @working_crs.setter
    def working_crs(self, crs: CRS) -> None:
        self._working_crs = crs
        self.changed.emit("crs")

    @property
    def equity(self) -> EquitySetting | None:
        """The equity layer setting (None: no equity check in briefings)."""
        return self._equity

    @equity.setter
    def equity(self, value: EquitySetting | None) -> None:
        if value != self._equity:
            self._equity = value
            self.changed.emit("equity")
            self._mark_modified()

    @property
    def zones(self) -> ZoneLayer | None:
        """The project's zone layer (the first ZoneLayer), if any."""
        found = self.layers.of_kind("zones")
        return found[0] if found else None  # type: ignore[return-value]

    def ensure_zones(self) -> ZoneLayer:
        z = self.zones
        if z is None:
            z = ZoneLayer("Patrol zones", crs=self.working_crs)
            self.layers.append(z)
        return z

    def point_layers(self) -> list[PointLayer]:
        return self.layers.of_kind("points")  # type: ignore[return-value]

    def incident_layers(self) -> list[PointLayer]:
        """Point layers whose rows are incidents (role ``incidents``, not empty), top-most first.
        Community input and patrol logs (AVL pings) are never among them."""
        return [p for p in reversed(self.point_layers()) if len(p) and p.is_incidents]

    def incident_layer(self) -> PointLayer | None:
        """The incidents analyses and briefings default to: the active point layer when its role
        is incidents (and it has dates, or no incidents layer has); else the top-most incidents
        layer with dates; else the top-most incidents layer. Land-use points, community input
        and patrol logs are point layers too, so "the active point layer" is not enough."""
        candidates = self.incident_layers()
        dated = [p for p in candidates if p.times is not None]
        active = self.layers.active
        if (isinstance(active, PointLayer) and any(p is active for p in candidates)
                and (active.times is not None or not dated)):
            return active
        pool = dated or candidates
        return pool[0] if pool else None

    def community_layers(self) -> list[PointLayer]:
        """Point layers of community input (survey responses, service requests), draw order."""
        return [p for p in self.point_layers() if p.is_community]

    def full_extent(self) -> tuple[float, float, float, float] | None:
        exts = [lyr.extent() for lyr in self.layers if len(lyr)]
        if not exts:
            return None
        a = np.array(exts)
        return float(a[:, 0].min()), float(a[:, 1].min()), float(a[:, 2].max()), float(a[:, 3].max())
