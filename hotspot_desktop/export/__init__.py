"""Print-quality exports rendered with matplotlib from the same layer/style model as the
canvas (never a screen grab): map composer (PNG/PDF/SVG), briefing PDF, public-release mode.
"""
