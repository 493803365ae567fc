"""Zone measures (core zone_measures) for the zones dock: computed at once for small point
layers, on the task runner's thread pool for big ones so the GUI never waits on a million
incidents. Only the newest request's result is delivered."""

from __future__ import annotations

import numpy as np
import pandas as pd
from PySide6.QtCore import QObject, Signal

from hotspot_desktop.core.model import Project, ZoneLayer
from hotspot_desktop.core.zones.measures import community_points, zone_measures
from hotspot_desktop.gui.tasks import Task, TaskRunner
from hotspot_desktop.gui.zones.live_measure import measure_points, study_area_m2
from hotspot_desktop.tools.base import RunContext, TableResult, Tool, ToolResult
from hotspot_desktop.tools.execute import PreparedRun

# Incidents above which measures run on a worker thread.
ASYNC_THRESHOLD = 50_000
MEASURE_COLUMNS = ["incidents", "share", "density_km2", "pai", "pei", "community", "community_km2"]

MEASURES_TOOL = Tool(id="zones.measures", name="Zone measures", category="Zones", version="1",
                     help="Incidents, share, density, PAI and PEI of every zone, and community input counts.",
                     run="hotspot_desktop.gui.zones.measures_task:run_measures")


def run_measures(inputs: dict, ctx: RunContext) -> ToolResult:
    """The tool function: zone_measures over frozen copies of the zones and incidents."""
    m = zone_measures(inputs["zones"], inputs["x"], inputs["y"], study_area_m2=inputs["study_area_m2"],
                      community=inputs.get("community"), progress=ctx.progress, cancelled=ctx.cancelled)
    table = m.table.copy()
    table.index = list(inputs["zones"]["zone_id"])
    return ToolResult(tables=[TableResult("Zone measures", table)])


def measure_inputs(project: Project, layer: ZoneLayer) -> dict:
    """Frozen inputs (copies) for ``run_measures``."""
    points = measure_points(project)
    if points is None:
        x = y = np.zeros(0)
    else:
        x, y = points.filtered_xy()
    # community input (survey responses, service requests) is counted beside the incidents
    return {"zones": layer.gdf[["zone_id", "name", layer.gdf.geometry.name]].copy(), "x": np.array(x),
            "y": np.array(y), "study_area_m2": study_area_m2(project, x, y) or None,
            "community": community_points(project.community_layers())}


class ZoneMeasuresRunner(QObject):
    """Computes measures on request and emits ``ready(frame indexed by zone_id)``."""

    ready = Signal(object)
    busy = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.async_threshold = ASYNC_THRESHOLD
        self.runner = TaskRunner(self)
        self.runner.finished.connect(self._on_finished)
        self.runner.failed.connect(lambda task, msg, details: self._end(task))
        self.runner.cancelled.connect(self._end)
        self._latest: Task | None = None

    def request(self, project: Project, layer: ZoneLayer | None) -> None:
        if layer is None or not len(layer):
            self.ready.emit(pd.DataFrame(columns=MEASURE_COLUMNS))
            return
        inputs = measure_inputs(project, layer)
        if inputs["x"].size <= self.async_threshold:
            self.ready.emit(run_measures(inputs, RunContext()).tables[0].frame)
            return
        if self._latest is not None and self._latest.active:
            self.runner.cancel(self._latest.id)
        prepared = PreparedRun(MEASURES_TOOL, values={}, inputs=inputs, stamps={}, parameters={},
                               label="Zone measures")
        self._latest = self.runner.submit(prepared, crs=project.working_crs)
        self.busy.emit(True)

    def _on_finished(self, task: Task, result: ToolResult) -> None:
        if task is self._latest:
            self._latest = None
            self.busy.emit(False)
            self.ready.emit(result.tables[0].frame)

    def _end(self, task: Task) -> None:
        if task is self._latest:
            self._latest = None
            self.busy.emit(False)

    def wait(self, timeout: float = 10.0) -> bool:
        """Wait for a running computation (tests, shutdown)."""
        return self.runner.wait_for_done(timeout)
