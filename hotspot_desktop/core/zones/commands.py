"""Undoable edits of a ZoneLayer. Each command can ``redo`` and ``undo`` any number of times;
the GUI wraps them in QUndoCommands on the window's QUndoStack (Ctrl+Z / Ctrl+Shift+Z).

Zones are addressed by their ``zone_id`` (stable across deletes and re-inserts), never by row.
"""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely.geometry.base import BaseGeometry

from hotspot_desktop.core.model import ZoneLayer


def new_zone_id() -> str:
    return uuid.uuid4().hex[:10]


def row_of(layer: ZoneLayer, zone_id: str) -> int:
    hits = (layer.gdf["zone_id"] == zone_id).to_numpy().nonzero()[0]
    if not len(hits):
        raise KeyError(f"no zone {zone_id}")
    return int(hits[0])


class ZoneCommand(ABC):
    """An undoable edit; subclasses apply (``redo``) and revert (``undo``) it on a ZoneLayer."""

    text = "edit zone"

    @abstractmethod
    def redo(self, layer: ZoneLayer) -> None: ...

    @abstractmethod
    def undo(self, layer: ZoneLayer) -> None: ...


@dataclass
class AddZone(ZoneCommand):
    geometry: BaseGeometry
    attributes: dict[str, Any] = field(default_factory=dict)
    zone_id: str = field(default_factory=new_zone_id)
    text: str = "add zone"

    def redo(self, layer: ZoneLayer) -> None:
        row = {c: layer.gdf[c].dtype.type() if c == "priority" else "" for c in layer.gdf.columns
               if c != layer.gdf.geometry.name}
        row.update(self.attributes)
        row["zone_id"] = self.zone_id
        new = gpd.GeoDataFrame([row], geometry=[self.geometry], crs=layer.gdf.crs)
        layer.gdf = gpd.GeoDataFrame(pd.concat([layer.gdf, new], ignore_index=True), crs=layer.gdf.crs)
        layer.data_changed()

    def undo(self, layer: ZoneLayer) -> None:
        layer.gdf = layer.gdf.drop(index=row_of(layer, self.zone_id)).reset_index(drop=True)
        layer.data_changed()


@dataclass
class DeleteZone(ZoneCommand):
    zone_id: str
    text: str = "delete zone"
    _row: int = -1
    _saved: gpd.GeoDataFrame | None = None

    def redo(self, layer: ZoneLayer) -> None:
        self._row = row_of(layer, self.zone_id)
        self._saved = layer.gdf.iloc[[self._row]].copy()
        layer.gdf = layer.gdf.drop(index=self._row).reset_index(drop=True)
        layer.data_changed()

    def undo(self, layer: ZoneLayer) -> None:
        top, bottom = layer.gdf.iloc[: self._row], layer.gdf.iloc[self._row:]
        layer.gdf = gpd.GeoDataFrame(pd.concat([top, self._saved, bottom], ignore_index=True), crs=layer.gdf.crs)
        layer.data_changed()


@dataclass
class SetGeometry(ZoneCommand):
    zone_id: str
    geometry: BaseGeometry
    text: str = "reshape zone"
    _old: BaseGeometry | None = None

    def redo(self, layer: ZoneLayer) -> None:
        r = row_of(layer, self.zone_id)
        col = layer.gdf.geometry.name
        self._old = layer.gdf.geometry.iloc[r]
        layer.gdf.iloc[r, layer.gdf.columns.get_loc(col)] = self.geometry
        layer.data_changed()

    def undo(self, layer: ZoneLayer) -> None:
        r = row_of(layer, self.zone_id)
        layer.gdf.iloc[r, layer.gdf.columns.get_loc(layer.gdf.geometry.name)] = self._old
        layer.data_changed()


@dataclass
class SetAttributes(ZoneCommand):
    zone_id: str
    values: dict[str, Any]
    text: str = "edit zone attributes"
    _old: dict[str, Any] = field(default_factory=dict)

    def redo(self, layer: ZoneLayer) -> None:
        r = row_of(layer, self.zone_id)
        for k, v in self.values.items():
            if k not in layer.gdf.columns:
                layer.gdf[k] = ""
            self._old.setdefault(k, layer.gdf.at[r, k])
            layer.gdf.at[r, k] = v
        layer.data_changed()

    def undo(self, layer: ZoneLayer) -> None:
        r = row_of(layer, self.zone_id)
        for k, v in self._old.items():
            layer.gdf.at[r, k] = v
        layer.data_changed()
