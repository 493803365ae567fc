"""Paper sizes and page geometry."""

from __future__ import annotations

MM_PER_INCH = 25.4
PAGE_SIZES_MM = {
    "Letter": (215.9, 279.4),
    "Legal": (215.9, 355.6),
    "Tabloid": (279.4, 431.8),
    "A4": (210.0, 297.0),
    "A3": (297.0, 420.0),
}


def page_size_inches(page: str, landscape: bool) -> tuple[float, float]:
    """(width, height) in inches of ``page`` in the chosen orientation."""
    if page not in PAGE_SIZES_MM:
        raise ValueError(f"unknown page size {page!r}; choose one of {', '.join(PAGE_SIZES_MM)}")
    w, h = (v / MM_PER_INCH for v in PAGE_SIZES_MM[page])
    return (h, w) if landscape else (w, h)
