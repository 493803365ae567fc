"""Hotspot Desktop: an offline desktop GIS for crime analysts.

The package is split so that everything analytic is testable without a display:
``core`` (no Qt), ``tools`` (plugin contract and built-in tools), ``gui`` (all Qt) and
``export`` (matplotlib rendering of the same layer/style model).
"""

from hotspot_desktop.core.process_memory import limit_huge_pages

__version__ = "0.1.0"

limit_huge_pages()
