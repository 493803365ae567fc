"""What the CSV loader believes about a file: encoding, delimiter and the role of each column.

:func:`hotspot_desktop.core.io.csv_detect.detect_csv` guesses a :class:`CsvSchema`; the import
dialog lets the user change any field; :func:`load_incidents_csv` follows it. The schema is
stored JSON-safe in the project's ``SourceRef.options`` so a project reloads the file the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

from pyproj import CRS

DateKind = Literal["single", "date_time", "components", "month"]
LocationFormat = Literal["wkt", "latlon"]
CrsSource = Literal["ranges", "prj", "user"]

# Order of the component columns of a "components" date spec (HOUR.. may be absent).
COMPONENT_PARTS = ("year", "month", "day", "hour", "minute", "second")


@dataclass
class DateSpec:
    """How to read one instant (the incident time, or the end of its window).

    * ``single``: one column, strptime ``format`` (``fallback_formats`` tried on rows it misses).
    * ``date_time``: ``columns = [date, time]``, joined with a space and read with ``format``.
    * ``components``: ``columns`` maps onto :data:`COMPONENT_PARTS` in order (year, month, day,
      hour, minute, second); missing trailing parts are zero.
    * ``month``: month-only values (one column with a month ``format``, or year + month
      component columns); the incident is known only within that month.
    """

    kind: DateKind
    columns: list[str]
    format: str | None = None
    dayfirst: bool = False
    fallback_formats: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "columns": list(self.columns), "format": self.format,
                "dayfirst": self.dayfirst, "fallback_formats": list(self.fallback_formats)}

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> DateSpec | None:
        if not d:
            return None
        return cls(kind=d["kind"], columns=list(d.get("columns") or []), format=d.get("format"),
                   dayfirst=bool(d.get("dayfirst", False)), fallback_formats=list(d.get("fallback_formats") or []))

    def describe(self) -> str:
        cols = " + ".join(self.columns)
        fmts = " | ".join([f for f in [self.format, *self.fallback_formats] if f])
        return f"{self.kind}: {cols}" + (f" ({fmts})" if fmts else "")


@dataclass
class CsvSchema:
    """The detected (or user-chosen) reading of an incident CSV.

    Coordinates come either from two numeric columns ``x``/``y`` (x = easting or longitude) or
    from one ``location`` column in ``location_format`` ``"wkt"`` (``POINT (x y)``) or
    ``"latlon"`` (``(lat, lon)``). ``swapped`` means the file's x and y columns hold each other's
    values (latitude in the longitude column); the loader swaps them back.
    """

    encoding: str = "utf-8"
    delimiter: str = ","
    columns: list[str] = field(default_factory=list)
    skip_rows: int = 0  # physical lines above the header (blank lines, report titles, "sep=;")
    x: str | None = None
    y: str | None = None
    location: str | None = None
    location_format: LocationFormat | None = None
    decimal: str = "."
    crs: CRS | None = None
    crs_source: CrsSource | None = None
    swapped: bool = False
    date: DateSpec | None = None
    date_end: DateSpec | None = None
    offence: str | None = None
    incident_id: str | None = None

    def with_changes(self, **changes: Any) -> CsvSchema:
        """A copy with some fields overridden (what the import dialog does)."""
        return replace(self, **changes)

    @property
    def coordinate_columns(self) -> list[str]:
        if self.location:
            return [self.location]
        return [c for c in (self.x, self.y) if c]

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form (CRS as WKT2 plus its EPSG code when it has one)."""
        epsg = self.crs.to_epsg() if self.crs is not None else None
        return {
            "encoding": self.encoding, "delimiter": self.delimiter, "columns": list(self.columns),
            "skip_rows": self.skip_rows,
            "x": self.x, "y": self.y, "location": self.location, "location_format": self.location_format,
            "decimal": self.decimal,
            "crs": None if self.crs is None else (f"EPSG:{epsg}" if epsg else self.crs.to_wkt()),
            "crs_source": self.crs_source, "swapped": self.swapped,
            "date": None if self.date is None else self.date.to_dict(),
            "date_end": None if self.date_end is None else self.date_end.to_dict(),
            "offence": self.offence, "incident_id": self.incident_id,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CsvSchema:
        crs = d.get("crs")
        return cls(
            encoding=d.get("encoding", "utf-8"), delimiter=d.get("delimiter", ","),
            columns=list(d.get("columns") or []), skip_rows=int(d.get("skip_rows", 0)), x=d.get("x"), y=d.get("y"), location=d.get("location"),
            location_format=d.get("location_format"), decimal=d.get("decimal", "."),
            crs=None if crs is None else CRS.from_user_input(crs), crs_source=d.get("crs_source"),
            swapped=bool(d.get("swapped", False)), date=DateSpec.from_dict(d.get("date")),
            date_end=DateSpec.from_dict(d.get("date_end")), offence=d.get("offence"),
            incident_id=d.get("incident_id"),
        )
