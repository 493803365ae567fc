"""Load reports: what a loader read, kept, and rejected, reason by reason.

No row is dropped silently: every loader returns a :class:`LoadReport` alongside its layer,
the GUI shows it after each import, and ``hotspot-desktop inspect --json`` prints it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Reason keys (stable: tests and scripts match on them) and their human text.
REASONS = {
    "missing_coordinates": "missing coordinates",
    "unparseable_number": "coordinate is not a number",
    "out_of_range": "coordinate outside the valid range",
    "zero_zero": "located at (0, 0)",
    "unparseable_date": "date/time could not be read",
    "far_outlier": "far outside the data's area",
    "duplicate_id": "duplicate incident id",
    "invalid_geometry": "invalid geometry",
    "empty_geometry": "empty geometry",
    "unreadable_record": "record could not be read (damaged file)",
    "malformed_row": "wrong number of fields in the row",
}
FIRST_ROWS_KEPT = 10  # row numbers remembered per reason


@dataclass
class Rejection:
    reason: str
    count: int = 0
    first_rows: list[int] = field(default_factory=list)  # 1-based data row numbers (header excluded)


@dataclass
class LoadReport:
    """Outcome of one load: counts, rejections by reason, detections and warnings."""

    source: str
    rows_read: int = 0
    rows_kept: int = 0
    rejected: dict[str, Rejection] = field(default_factory=dict)
    detected: dict[str, Any] = field(default_factory=dict)  # columns, crs, date format, time span...
    warnings: list[str] = field(default_factory=list)
    rejected_rows: Any = None  # pandas DataFrame of rejected source rows with a "reason" column

    def reject(self, reason: str, row_numbers: Any) -> None:
        """Record rejected rows (1-based numbers) under ``reason``."""
        rows = [int(r) for r in list(row_numbers)]
        if not rows:
            return
        rej = self.rejected.setdefault(reason, Rejection(reason))
        rej.count += len(rows)
        room = FIRST_ROWS_KEPT - len(rej.first_rows)
        if room > 0:
            rej.first_rows.extend(sorted(rows)[:room])

    @property
    def rows_rejected(self) -> int:
        return sum(r.count for r in self.rejected.values())

    def rejected_counts(self) -> dict[str, int]:
        return {k: v.count for k, v in self.rejected.items()}

    def to_dict(self) -> dict:
        return {
            "source": self.source,
            "rows_read": self.rows_read,
            "rows_kept": self.rows_kept,
            "rejected": self.rejected_counts(),
            "rejected_first_rows": {k: v.first_rows for k, v in self.rejected.items()},
            "detected": self.detected,
            "warnings": list(self.warnings),
        }

    def summary_lines(self) -> list[str]:
        """Plain-text lines for the CLI and the GUI report dialog."""
        lines = [f"{self.source}: {self.rows_read:,} rows read, {self.rows_kept:,} kept, "
                 f"{self.rows_rejected:,} rejected"]
        for key, rej in self.rejected.items():
            rows = ", ".join(map(str, rej.first_rows))
            more = " …" if rej.count > len(rej.first_rows) else ""
            lines.append(f"  {REASONS.get(key, key)}: {rej.count:,} (rows {rows}{more})")
        lines += [f"  warning: {w}" for w in self.warnings]
        return lines

    def save_rejected_csv(self, path: str) -> int:
        """Write the rejected source rows (with their reason) to ``path``; returns rows written."""
        if self.rejected_rows is None or len(self.rejected_rows) == 0:
            import pandas as pd

            pd.DataFrame(columns=["row", "reason"]).to_csv(path, index=False)
            return 0
        self.rejected_rows.to_csv(path, index=False)
        return len(self.rejected_rows)


class LoadError(Exception):
    """A file that cannot be loaded at all (empty, unreadable, no coordinates found...).

    The message is meant for the user; ``report`` carries what was learnt before failing.
    """

    def __init__(self, message: str, report: LoadReport | None = None) -> None:
        super().__init__(message)
        self.report = report


class Cancelled(Exception):
    """Raised by long operations when their cancel check returns True."""
