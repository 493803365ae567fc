"""Public-release settings: aggregate counts (hex/grid) or geomasked points (donut).

Raw incident points are not offered while the box is checked; the core refuses them too
(``PublicReleaseRefused``).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QSpinBox,
    QWidget,
)

from hotspot_desktop.export.public import PublicOptions

METHODS = [("hex", "Counts per hexagon"), ("grid", "Counts per grid square"), ("donut", "Geomasked points (donut)")]


class PublicReleaseBox(QGroupBox):
    """A checkable group: unchecked = internal use, checked = public release with a method."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Public release (no incident locations)", parent)
        self.setObjectName("publicRelease")
        self.setCheckable(True)
        self.setChecked(False)
        self.setToolTip("For maps and files shared outside the agency: incidents are shown only as counts "
                        "per cell (small counts suppressed) or as randomly displaced points.")
        self.method = QComboBox(self)
        self.method.setObjectName("publicMethod")
        for key, label in METHODS:
            self.method.addItem(label, key)
        self.cell = QDoubleSpinBox(self, objectName="publicCell", decimals=0, minimum=25, maximum=5000,
                                   singleStep=25, value=250, suffix=" m")
        self.min_count = QSpinBox(self, objectName="publicMinCount", minimum=1, maximum=100, value=5)
        self.min_count.setToolTip("Cells with fewer incidents than this show 'fewer than N' instead of a count.")
        self.donut_min = QDoubleSpinBox(self, objectName="publicDonutMin", decimals=0, minimum=0, maximum=5000,
                                        singleStep=50, value=100, suffix=" m")
        self.donut_max = QDoubleSpinBox(self, objectName="publicDonutMax", decimals=0, minimum=10, maximum=10000,
                                        singleStep=50, value=400, suffix=" m")
        self.seed = QSpinBox(self, objectName="publicSeed", minimum=0, maximum=2**31 - 1, value=0)
        self.seed.setToolTip("The same seed moves the points the same way, so a published map can be reproduced.")
        form = QFormLayout(self)
        form.addRow("Method", self.method)
        form.addRow("Cell size", self.cell)
        form.addRow("Minimum count", self.min_count)
        form.addRow("Move at least", self.donut_min)
        form.addRow("Move at most", self.donut_max)
        form.addRow("Random seed", self.seed)
        self._form = form
        self.toggled.connect(lambda _on: self.changed.emit())
        self.method.currentIndexChanged.connect(self._update_rows)
        for w in (self.cell, self.donut_min, self.donut_max):
            w.editingFinished.connect(self.changed.emit)
        for w in (self.min_count, self.seed):
            w.editingFinished.connect(self.changed.emit)
        self.donut_min.valueChanged.connect(lambda v: self.donut_max.setMinimum(v + 10))
        self._update_rows()

    def _update_rows(self) -> None:
        donut = self.method.currentData() == "donut"
        for w, show in ((self.cell, not donut), (self.min_count, not donut), (self.donut_min, donut),
                        (self.donut_max, donut), (self.seed, donut)):
            self._form.setRowVisible(w, show)
        self.changed.emit()

    def options(self) -> PublicOptions | None:
        """The chosen public-release options, or None for internal use."""
        if not self.isChecked():
            return None
        return PublicOptions(method=self.method.currentData(), cell_size_m=self.cell.value(),
                             min_count=self.min_count.value(), donut_min_m=self.donut_min.value(),
                             donut_max_m=self.donut_max.value(), seed=self.seed.value())
