"""The zones dock: a table of zones with their attributes and measures (incidents, share,
density, PAI, PEI; with community input layers, their points per zone and per km² beside the
incidents) and the attribute form of the selected zone. Edits push SetAttributes."""

from __future__ import annotations

import numpy as np
import pandas as pd
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hotspot_desktop.core.model import Layer, ZoneLayer
from hotspot_desktop.core.zones.commands import SetAttributes
from hotspot_desktop.core.zones.measures import PAI_FORMULA, PEI_FORMULA
from hotspot_desktop.gui.zones.controller import ZoneController
from hotspot_desktop.gui.zones.live_measure import measure_points
from hotspot_desktop.gui.zones.measures_task import ZoneMeasuresRunner
from hotspot_desktop.gui.zones.undo import ZoneUndoCommand
from hotspot_desktop.gui.zones.zone_form import ZoneForm

ATTRIBUTE_COLUMNS = ["name", "role", "unit", "shift", "priority", "start", "end", "notes"]
MEASURE_HEADERS = [("incidents", "Incidents"), ("share", "Share"), ("density_km2", "Density /km²"),
                   ("pai", "PAI"), ("pei", "PEI"), ("community", "Community"), ("community_km2", "Community /km²")]
COMMUNITY_COLUMNS = ("community", "community_km2")
REFRESH_DELAY_MS = 120  # a drag changes the zones at every mouse move: measure once it pauses


class ZonesDock(QDockWidget):
    """Table + form for the controller's zone layer."""

    def __init__(self, controller: ZoneController, parent: QWidget | None = None) -> None:
        super().__init__("Zones", parent)
        self.setObjectName("ZonesDock")
        self.controller = controller
        self.table = QTableWidget(0, len(ATTRIBUTE_COLUMNS) + len(MEASURE_HEADERS))
        self.table.setObjectName("zonesTable")
        self.table.setHorizontalHeaderLabels([c.capitalize() for c in ATTRIBUTE_COLUMNS]
                                             + [h for _, h in MEASURE_HEADERS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.itemSelectionChanged.connect(self._on_table_selection)
        self.table.setToolTip(f"{PAI_FORMULA}\n{PEI_FORMULA}")
        self.form = ZoneForm()
        self.form.apply_requested.connect(self.apply)
        self.status = QLabel("")
        self.status.setObjectName("zonesMeasureStatus")
        self.zoom_button = QPushButton("&Zoom to zone")
        self.zoom_button.setObjectName("zonesZoom")
        self.zoom_button.clicked.connect(self.zoom_to_selected)
        self.delete_button = QPushButton("&Delete zone")
        self.delete_button.setObjectName("zonesDelete")
        self.delete_button.clicked.connect(self.delete_selected)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.zoom_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.table)
        top_layout.addLayout(buttons)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(self.form)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter)
        layout.addWidget(self.status)
        self.setWidget(body)

        self.measures = pd.DataFrame()
        self.runner = ZoneMeasuresRunner(self)
        self.runner.ready.connect(self._on_measures)
        self.runner.busy.connect(lambda busy: self.status.setText("Measuring zones…" if busy else ""))
        self._timer = QTimer(self, singleShot=True, interval=REFRESH_DELAY_MS)
        self._timer.timeout.connect(self.refresh_now)
        self._layer: ZoneLayer | None = None
        self._points: Layer | None = None
        self._community: list[Layer] = []
        self._point_layers: list[Layer] = []
        self._filling = False
        controller.selection_changed.connect(self._on_selected)
        controller.form_requested.connect(self.open_form)
        self.set_project(controller.project)

    # --- wiring -----------------------------------------------------------------------------
    def set_project(self, project) -> None:
        self.project = project
        for sig in (project.layers.inserted, project.layers.removed, project.layers.active_changed):
            sig.connect(self._rebind)
        self._rebind()

    def _rebind(self, *args) -> None:
        layer = self.controller.layer
        points = measure_points(self.project)
        if layer is not self._layer:
            if self._layer is not None:
                self._layer.changed.disconnect(self._on_changed)
            self._layer = layer
            if layer is not None:
                layer.changed.connect(self._on_changed)
        if points is not self._points:
            if self._points is not None:
                self._points.changed.disconnect(self._on_changed)
            self._points = points
            if points is not None:
                points.changed.connect(self._on_changed)
        community = self.project.community_layers()
        if community != self._community:
            for c in self._community:
                c.changed.disconnect(self._on_changed)
            self._community = community
            for c in community:
                c.changed.connect(self._on_changed)
        # Any point layer may become community input (Layer ▸ Properties): listen for that alone.
        point_layers = [lyr for lyr in self.project.layers if lyr.kind == "points"]
        if point_layers != self._point_layers:
            for lyr in self._point_layers:
                lyr.changed.disconnect(self._on_role)
            self._point_layers = point_layers
            for lyr in point_layers:
                lyr.changed.connect(self._on_role)
        self._show_community_columns()
        self.schedule_refresh()

    def _on_role(self, what: str) -> None:
        if what == "role":  # a layer became (or stopped being) community input: measure against the right one
            self._rebind()

    def _on_changed(self, what: str) -> None:
        if what in ("data", "filter", "name"):  # roles: _on_role
            self.schedule_refresh()

    def _show_community_columns(self) -> None:
        """Community columns only with community input, headed by its layer name."""
        base = len(ATTRIBUTE_COLUMNS)
        names = [c.name for c in self._community]
        label = names[0] if len(names) == 1 else "Community input"
        for k, (col, _) in enumerate(MEASURE_HEADERS):
            if col in COMMUNITY_COLUMNS:
                self.table.setColumnHidden(base + k, not names)
                header = label if col == "community" else f"{label} /km²"
                self.table.setHorizontalHeaderItem(base + k, QTableWidgetItem(header))
        if names:
            self.table.horizontalHeaderItem(base + len(MEASURE_HEADERS) - 2).setToolTip(
                "Community input (survey responses / service requests) in the zone: " + ", ".join(names))

    def schedule_refresh(self) -> None:
        self._timer.start()

    def refresh_now(self) -> None:
        """Refill the table and recompute the measures."""
        self._timer.stop()
        self._fill_table()
        self.runner.request(self.project, self._layer)

    # --- table ------------------------------------------------------------------------------
    def zone_ids(self) -> list[str]:
        return [] if self._layer is None else [str(z) for z in self._layer.gdf["zone_id"]]

    def _fill_table(self) -> None:
        self._filling = True
        try:
            gdf = self._layer.gdf if self._layer is not None else None
            n = 0 if gdf is None else len(gdf)
            self.table.setRowCount(n)
            for r in range(n):
                for c, col in enumerate(ATTRIBUTE_COLUMNS):
                    v = gdf[col].iloc[r] if col in gdf.columns else ""
                    self.table.setItem(r, c, QTableWidgetItem("" if v is None or (isinstance(v, float) and np.isnan(v))
                                                              else str(v)))
            self._fill_measures()
            self._select_row(self.controller.selected)
        finally:
            self._filling = False

    def _fill_measures(self) -> None:
        ids = self.zone_ids()
        base = len(ATTRIBUTE_COLUMNS)
        for r, zid in enumerate(ids):
            row = self.measures.loc[zid] if zid in self.measures.index else None
            for k, (col, _) in enumerate(MEASURE_HEADERS):
                text = "" if row is None or col not in row.index else _format(col, row[col])
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, base + k, item)
        for k, (col, _) in enumerate(MEASURE_HEADERS):
            if col in COMMUNITY_COLUMNS and not self.table.isColumnHidden(base + k):
                self.table.resizeColumnToContents(base + k)  # headed by a layer name of any length

    def _on_measures(self, frame: pd.DataFrame) -> None:
        self.measures = frame
        self._filling = True
        try:
            self._fill_measures()
        finally:
            self._filling = False

    def measure_of(self, zone_id: str, column: str) -> float:
        """A measure of one zone as computed for the table (NaN if not computed)."""
        if zone_id not in self.measures.index or column not in self.measures.columns:
            return float("nan")
        return float(self.measures.loc[zone_id, column])

    # --- selection and form -------------------------------------------------------------------
    def _select_row(self, zone_id: str | None) -> None:
        ids = self.zone_ids()
        if zone_id in ids:
            self.table.selectRow(ids.index(zone_id))
        else:
            self.table.clearSelection()
        self._load_form(zone_id)

    def zoom_to_selected(self) -> None:
        """Show the selected zone on the map, with some of its surroundings."""
        zid = self.controller.selected
        if zid is not None and zid in self.zone_ids():
            self.controller.canvas.zoom_to_extent(self.controller.geometry(zid).bounds, pad=0.25)

    def delete_selected(self) -> None:
        """Delete the selected zone (undoable)."""
        zid = self.controller.selected
        if zid is not None and zid in self.zone_ids():
            self.controller.delete_zone(zid)

    def _load_form(self, zone_id: str | None) -> None:
        has_zone = zone_id is not None and zone_id in self.zone_ids()
        self.zoom_button.setEnabled(has_zone)
        self.delete_button.setEnabled(has_zone)
        if not has_zone:
            self.form.load(None)
            return
        row = self._layer.gdf.iloc[self.zone_ids().index(zone_id)]
        self.form.load({c: row.get(c, "") for c in ATTRIBUTE_COLUMNS})

    def _on_table_selection(self) -> None:
        if self._filling:
            return
        rows = self.table.selectionModel().selectedRows()
        ids = self.zone_ids()
        zid = ids[rows[0].row()] if rows and rows[0].row() < len(ids) else None
        if zid != self.controller.selected:
            self.controller.select(zid)
        else:
            self._load_form(zid)

    def _on_selected(self, zone_id: str | None) -> None:
        if self.table.rowCount() != len(self.zone_ids()):
            self._fill_table()  # a zone just drawn: the debounced refill has not run yet
            return
        self._filling = True
        try:
            self._select_row(zone_id)
        finally:
            self._filling = False

    def open_form(self, zone_id: str) -> None:
        """Show the dock with ``zone_id``'s form ready for typing (double-click on the map)."""
        self.show()
        self.raise_()
        self._on_selected(zone_id)
        self.form.name.setFocus()
        self.form.name.selectAll()

    def apply(self, values: dict) -> None:
        """Push the form's changed values onto the undo stack as one SetAttributes."""
        zid = self.controller.selected
        if zid is None or self._layer is None or not values:
            return
        cmd = SetAttributes(zid, dict(values))
        what = ", ".join(sorted(values))
        self.controller.undo_stack.push(ZoneUndoCommand(self._layer, cmd, f"edit zone {what}"))
        self._fill_table()


def _format(col: str, value: float) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "–"
    if col in ("incidents", "community"):
        return f"{int(value):,}"
    if col == "share":
        return f"{value:.1%}"
    if col in ("density_km2", "community_km2"):
        return f"{value:,.1f}"
    return f"{value:.2f}"
