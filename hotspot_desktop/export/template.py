"""Map composer templates: page, elements and their places, saved with the project
(``Project.templates``) and reusable across projects (JSON files).

Element rectangles are fractions of the page (x, y from the lower-left corner, width, height)
inside the margins, so a template fits any page size; the composer preview moves and toggles
them.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

ELEMENT_KINDS = ("title", "subtitle", "map", "legend", "scalebar", "north", "overview", "autotext", "logo",
                 "marking", "footnote")


@dataclass
class Element:
    kind: str
    x: float
    y: float
    w: float
    h: float
    enabled: bool = True
    text: str = ""  # title/subtitle/marking text; empty = automatic


def default_elements(landscape: bool = True) -> dict[str, Element]:
    """A professional default layout: map on the left, legend column on the right."""
    if landscape:
        return {
            "marking": Element("marking", 0.0, 0.965, 1.0, 0.035, True, "LAW ENFORCEMENT SENSITIVE"),
            "title": Element("title", 0.0, 0.905, 0.78, 0.06),
            "subtitle": Element("subtitle", 0.0, 0.87, 0.78, 0.035),
            "logo": Element("logo", 0.86, 0.87, 0.14, 0.09, False),
            "map": Element("map", 0.0, 0.08, 0.76, 0.78),
            "legend": Element("legend", 0.78, 0.36, 0.22, 0.50),
            "overview": Element("overview", 0.78, 0.08, 0.22, 0.26),
            "scalebar": Element("scalebar", 0.01, 0.09, 0.3, 0.05),
            "north": Element("north", 0.70, 0.76, 0.05, 0.09),
            "autotext": Element("autotext", 0.0, 0.0, 0.6, 0.07),
            "footnote": Element("footnote", 0.6, 0.0, 0.4, 0.07),
        }
    return {
        "marking": Element("marking", 0.0, 0.975, 1.0, 0.025, True, "LAW ENFORCEMENT SENSITIVE"),
        "title": Element("title", 0.0, 0.93, 0.8, 0.045),
        "subtitle": Element("subtitle", 0.0, 0.905, 0.8, 0.025),
        "logo": Element("logo", 0.82, 0.905, 0.18, 0.07, False),
        "map": Element("map", 0.0, 0.30, 1.0, 0.595),
        "legend": Element("legend", 0.0, 0.08, 0.55, 0.21),
        "overview": Element("overview", 0.6, 0.08, 0.4, 0.21),
        "scalebar": Element("scalebar", 0.01, 0.31, 0.35, 0.035),
        "north": Element("north", 0.93, 0.82, 0.06, 0.07),
        "autotext": Element("autotext", 0.0, 0.0, 0.6, 0.07),
        "footnote": Element("footnote", 0.6, 0.0, 0.4, 0.07),
    }


@dataclass
class MapTemplate:
    """Everything that decides how an exported map page looks."""

    name: str = "Default"
    page: str = "Letter"
    landscape: bool = True
    margins_mm: float = 10.0
    dpi: int = 300
    title: str = ""
    subtitle: str = ""
    scale_units: str = "metric"  # or "imperial"
    logo_path: str = ""
    elements: dict[str, Element] = field(default_factory=default_elements)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "MapTemplate":
        d = dict(d)
        elements = {k: Element(**v) for k, v in (d.pop("elements", None) or {}).items()}
        t = cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})
        if elements:
            merged = default_elements(t.landscape)
            merged.update(elements)
            t.elements = merged
        else:
            t.elements = default_elements(t.landscape)
        return t

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=2), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> "MapTemplate":
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))

    def with_orientation(self, landscape: bool) -> "MapTemplate":
        t = MapTemplate.from_dict(self.to_dict())
        if t.landscape != landscape:
            t.landscape = landscape
            texts = {k: e.text for k, e in t.elements.items()}
            enabled = {k: e.enabled for k, e in t.elements.items()}
            t.elements = default_elements(landscape)
            for k, e in t.elements.items():
                e.text = texts.get(k, e.text)
                e.enabled = enabled.get(k, e.enabled)
        return t
