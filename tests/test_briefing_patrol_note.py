"""The briefing's patrol plan pages state the visit lengths the plan actually used."""

from __future__ import annotations

import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages

from hotspot_desktop.core.analysis.patrol import Shift, ZoneDemand, make_plan
from hotspot_desktop.export.briefing import BriefingContent, _patrol_plan_pages


def _pdf_text(path) -> str:
    from pypdf import PdfReader

    return " ".join(page.extract_text() for page in PdfReader(str(path)).pages)


def test_plan_pages_note_the_plans_visit_lengths(tmp_path):
    import numpy as np

    plan = make_plan([ZoneDemand(z, np.ones(168), visits_per_shift=3) for z in ("North", "South")],
                     [Shift("Late", 14, 22, 2)], first_day=pd.Timestamp("2025-01-06"), days=2,
                     visit_minutes=(20, 25), seed=1)
    lo, hi = int(plan.visits["minutes"].min()), int(plan.visits["minutes"].max())
    assert (lo, hi) != (10, 16) and 20 <= lo < hi <= 25
    content = BriefingContent()
    with PdfPages(tmp_path / "plan.pdf") as pdf:
        _patrol_plan_pages(pdf, plan.visits, (8.5, 11), content)
    text = _pdf_text(tmp_path / "plan.pdf")
    assert f"Visits of {lo}–{hi} minutes" in text and "10–16" not in text
    assert content.pages == ["patrol timeline", "patrol plan"]
