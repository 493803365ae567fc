"""The status bar: cursor position in the working CRS and in lat/lon, map scale and CRS name."""

from __future__ import annotations

import math

from pyproj import CRS
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget


class MapStatusBar(QStatusBar):
    """Permanent read-outs on the right; transient messages on the left."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mapStatusBar")
        self.coords = QLabel("")
        self.coords.setObjectName("coordsLabel")
        self.lonlat = QLabel("")
        self.lonlat.setObjectName("lonlatLabel")
        self.scale = QLabel("")
        self.scale.setObjectName("scaleLabel")
        self.crs = QLabel("No CRS")
        self.crs.setObjectName("crsLabel")
        for w, width in ((self.coords, 190), (self.lonlat, 170), (self.scale, 100), (self.crs, 0)):
            if width:
                w.setMinimumWidth(width)
            self.addPermanentWidget(w)
        self._crs: CRS | None = None
        self._to_lonlat = None

    def set_crs(self, crs: CRS | None) -> None:
        self._crs = crs
        self._to_lonlat = None
        if crs is None:
            self.crs.setText("No CRS")
            self.crs.setToolTip("The working CRS is set by the first layer added")
            return
        code = crs.to_epsg(min_confidence=70)
        self.crs.setText(f"EPSG:{code} · {crs.name}" if code else crs.name)
        self.crs.setToolTip("Working CRS: every layer is shown and analysed in it (metres)")
        if crs.is_projected or crs.is_geographic:
            from hotspot_desktop.core.crs import WGS84, transformer

            self._to_lonlat = transformer(crs, WGS84)

    def set_cursor(self, x: float, y: float) -> None:
        """Show the cursor at working-CRS (x, y) and its longitude/latitude."""
        if not (math.isfinite(x) and math.isfinite(y)):
            self.coords.setText("")
            self.lonlat.setText("")
            return
        self.coords.setText(f"x {x:,.1f}  y {y:,.1f}")
        if self._to_lonlat is not None:
            lon, lat = self._to_lonlat.transform(x, y)
            if math.isfinite(lon) and math.isfinite(lat):
                ns, ew = ("N" if lat >= 0 else "S"), ("E" if lon >= 0 else "W")
                self.lonlat.setText(f"{abs(lat):.5f}° {ns}  {abs(lon):.5f}° {ew}")
                return
        self.lonlat.setText("")

    def set_scale(self, denominator: float) -> None:
        if denominator and math.isfinite(denominator) and denominator > 0:
            self.scale.setText(f"1:{denominator:,.0f}")
        else:
            self.scale.setText("")
