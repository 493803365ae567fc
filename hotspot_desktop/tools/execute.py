"""Running a tool in three steps, so the GUI thread never computes:

1. :func:`prepare` (caller's thread): freeze the inputs - filtered copies of point arrays,
   copies of vector/raster data - and stamp each input layer's data version and filter
   (napari's frozen slice request idea).
2. :func:`compute` (any thread): call the tool's run function on the snapshot.
3. :func:`finish` (caller's thread): attach :class:`Provenance` to each result layer, mark the
   result stale when an input changed meanwhile, and build the project's :class:`AnalysisRecord`.

Pure (no Qt); the GUI task runner and the headless CLI share it.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import hotspot_desktop
from hotspot_desktop.core.model import AnalysisRecord, Layer, PointLayer, Project, Provenance, RasterLayer, VectorLayer
from hotspot_desktop.tools.base import RunContext, Tool, ToolResult

STALE_SUFFIX = " (stale)"


@dataclass(frozen=True)
class InputStamp:
    """What an input layer looked like when the snapshot was taken."""

    layer: Layer
    name: str
    data_version: int
    content_hash: str
    filter: dict | None  # PointFilter.to_dict() when a filter was in force

    def changed(self) -> str | None:
        """Why the live layer no longer matches the snapshot (None if it still does)."""
        if self.layer.data_version != self.data_version:
            return f"{self.name}: data changed while the tool ran"
        f = _filter_of(self.layer)
        if f != self.filter:
            return f"{self.name}: filter changed while the tool ran"
        return None


@dataclass
class PreparedRun:
    """A tool with its values, frozen inputs and input stamps, ready to compute anywhere."""

    tool: Tool
    values: dict[str, Any]
    inputs: dict[str, Any]
    stamps: dict[str, InputStamp]
    parameters: dict[str, Any]  # JSON-ready (layers by name and id)
    seed: int = 0
    label: str = ""


@dataclass
class FinishedRun:
    """The outcome applied to provenance: result, staleness and the analysis record."""

    result: ToolResult
    record: AnalysisRecord
    stale_reasons: list[str] = field(default_factory=list)

    @property
    def stale(self) -> bool:
        return bool(self.stale_reasons)


def _filter_of(layer: Layer) -> dict | None:
    f = getattr(layer, "filter", None)
    if f is None or not hasattr(f, "is_active") or not f.is_active():
        return None
    return f.to_dict()


def serialise_value(value: Any) -> Any:
    """A parameter value as JSON: layers become {"layer": name, "layer_id": id}."""
    if isinstance(value, Layer):
        return {"layer": value.name, "layer_id": value.id}
    if isinstance(value, tuple):
        return [serialise_value(v) for v in value]
    if isinstance(value, (np.generic,)):
        return value.item()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def resolve_parameters(tool: Tool, parameters: dict[str, Any], project: Project) -> dict[str, Any]:
    """Inverse of serialisation: look layers up in ``project`` (by id, then by name).

    Unknown parameters are dropped; missing ones take their defaults; a layer that no longer
    exists becomes None (validation then says it is required).
    """
    values = tool.defaults()
    for p in tool.params:
        if p.name not in parameters:
            continue
        v = parameters[p.name]
        if p.kind in ("layer", "zones"):
            layer = None
            if isinstance(v, dict):
                layer = project.layers.by_id(v.get("layer_id", "")) or project.layers.by_name(v.get("layer", ""))
            elif isinstance(v, str):
                layer = project.layers.by_name(v)
            values[p.name] = layer
        elif p.kind == "date_range" and isinstance(v, list):
            values[p.name] = tuple(v)
        else:
            values[p.name] = v
    return values


def snapshot_layer(layer: Layer) -> Layer:
    """A frozen copy for computing off the GUI thread; point layers keep filtered incidents only."""
    if isinstance(layer, PointLayer):
        m = layer.mask()
        x, y = layer.x[m], layer.y[m]  # boolean indexing copies
        x.flags.writeable = False
        y.flags.writeable = False
        snap: Layer = PointLayer(layer.name, x, y, layer.attributes[m].reset_index(drop=True),
                                 source=layer.source, source_crs=layer.source_crs, layer_id=layer.id)
    elif isinstance(layer, RasterLayer):
        snap = RasterLayer(layer.name, layer.values.copy(), layer.x0, layer.y0, layer.cell_size,
                           source=layer.source, source_crs=layer.source_crs, layer_id=layer.id)
        snap.bands = {k: v.copy() for k, v in layer.bands.items()}
        snap.values.flags.writeable = False
    elif isinstance(layer, VectorLayer):
        snap = type(layer).__new__(type(layer))
        VectorLayer.__init__(snap, layer.name, layer.gdf.copy(), geometry_kind=layer.geometry_kind,
                             source=layer.source, source_crs=layer.source_crs, layer_id=layer.id)
    else:
        raise TypeError(f"cannot snapshot a {type(layer).__name__}")
    snap.__dict__["_hash"] = layer.content_hash()
    return snap


def _zone_rows(layer: Layer, roles: tuple[str, ...]) -> Any:
    """The rows a zone-set parameter stands for: zones of the wanted roles; from a layer without
    roles (e.g. beats chosen as the control area), its selected features, else all of them."""
    gdf = layer.gdf.copy()  # type: ignore[attr-defined]
    if roles and "role" in gdf.columns:
        return gdf[gdf["role"].isin(roles)].reset_index(drop=True)
    selection = getattr(layer, "selection", None)
    if "role" not in gdf.columns and selection is not None and len(selection):
        gdf = gdf.iloc[sorted(int(i) for i in selection)].reset_index(drop=True)
    return gdf


def prepare(tool: Tool, values: dict[str, Any], *, seed: int = 0, label: str = "") -> PreparedRun:
    """Freeze the inputs of a run (call on the thread that owns the layers)."""
    full = tool.defaults()
    full.update({k: v for k, v in values.items() if k in full})
    inputs: dict[str, Any] = {}
    stamps: dict[str, InputStamp] = {}
    for p in tool.params:
        v = full.get(p.name)
        if isinstance(v, Layer):
            stamps[p.name] = InputStamp(v, v.name, v.data_version, v.content_hash(), _filter_of(v))
            inputs[p.name] = _zone_rows(v, p.roles) if p.kind == "zones" else snapshot_layer(v)
        else:
            inputs[p.name] = v
    params = {k: serialise_value(v) for k, v in full.items()}
    return PreparedRun(tool, full, inputs, stamps, params, seed=seed, label=label or tool.name)


def compute(prepared: PreparedRun, ctx: RunContext) -> ToolResult:
    """Run the tool on the snapshot (any thread). Raises ``Cancelled`` if cancelled."""
    run = prepared.tool.load_run()
    ctx.seed = prepared.seed
    result = run(dict(prepared.inputs), ctx)
    if not isinstance(result, ToolResult):
        raise TypeError(f"tool {prepared.tool.id} returned {type(result).__name__}, not ToolResult")
    for note in ctx.notes:
        if note not in result.notes:
            result.notes.append(note)
    if ctx.crs is not None:
        for layer in result.layers:
            # Result geometry is in the working CRS; say so, so writers and exports never guess.
            if isinstance(layer, VectorLayer) and layer.gdf.crs is None:
                layer.gdf = layer.gdf.set_crs(ctx.crs)
    return result


def make_provenance(prepared: PreparedRun, notes: list[str]) -> Provenance:
    """Provenance shared by every layer of one run."""
    return Provenance(
        tool_id=prepared.tool.id,
        tool_version=prepared.tool.version,
        parameters=dict(prepared.parameters),
        inputs={k: {"name": s.name, "hash": s.content_hash} for k, s in prepared.stamps.items()},
        filters={k: s.filter for k, s in prepared.stamps.items() if s.filter is not None},
        created=_dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        app_version=hotspot_desktop.__version__,
        notes=list(notes),
    )


def finish(prepared: PreparedRun, result: ToolResult) -> FinishedRun:
    """Attach provenance, mark staleness and build the analysis record (caller's thread)."""
    reasons = [r for s in prepared.stamps.values() if (r := s.changed())]
    notes = list(result.notes)
    if reasons:
        notes += [f"STALE: {r}; re-run to update" for r in reasons]
        result.warnings.extend(f"Result is stale - {r}." for r in reasons)
    for layer in result.layers:
        layer.provenance = make_provenance(prepared, notes)
        if reasons and not layer.name.endswith(STALE_SUFFIX):
            layer.name = layer.name + STALE_SUFFIX
    record = AnalysisRecord(prepared.tool.id, dict(prepared.parameters),
                            [lyr.id for lyr in result.layers], prepared.label)
    return FinishedRun(result, record, reasons)


def run_now(tool: Tool, values: dict[str, Any], ctx: RunContext | None = None, *, seed: int = 0) -> FinishedRun:
    """prepare + compute + finish on the calling thread (CLI, tests, scripts)."""
    prepared = prepare(tool, values, seed=seed)
    return finish(prepared, compute(prepared, ctx or RunContext(seed=seed)))
