"""``hotspot-desktop --smoke``: an end-to-end self-test of an installed bundle.

Opens the sample project (offscreen when there is no display), runs a kernel density and a
Gi* through the real task runner, exports a PNG and a PDF map, and exits 0 — or exits 1 with
the reason. The installer's build script runs it on every bundle it makes.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

SMOKE_TOOLS = ("hotspot.kde", "hotspot.gi_star_grid")
TIMEOUT_MS = 300_000
POLL_MS = 100


def find_sample_project() -> Path | None:
    """The bundled sample project: beside a frozen executable, or in the source checkout."""
    roots = []
    if getattr(sys, "frozen", False):
        roots += [Path(getattr(sys, "_MEIPASS", "")), Path(sys.executable).resolve().parent]
    roots.append(Path(__file__).resolve().parents[2])
    for root in roots:
        candidate = root / "sample_projects" / "riverton" / "riverton.hsproj"
        if candidate.is_file():
            return candidate
    return None


def run_smoke(app, window, project_path: Path | None, out_dir: Path | None = None) -> int:
    """Drive ``window`` through the smoke sequence; returns the exit code."""
    from PySide6.QtCore import QElapsedTimer, QTimer

    from hotspot_desktop.export.compose import export_map
    from hotspot_desktop.export.template import MapTemplate

    project_path = project_path or find_sample_project()
    if project_path is None:
        print("smoke: the sample project was not found", file=sys.stderr)
        return 1
    out = out_dir or Path(tempfile.mkdtemp(prefix="hotspot-smoke-"))
    out.mkdir(parents=True, exist_ok=True)
    state = {"step": "open", "code": 1, "layers_before": 0}
    clock = QElapsedTimer()
    clock.start()

    def fail(msg: str) -> None:
        print(f"smoke: {msg}", file=sys.stderr)
        state["code"] = 1
        finish()

    def finish() -> None:
        window.project.modified = False
        window.close()
        app.quit()

    def step() -> None:
        if clock.elapsed() > TIMEOUT_MS:
            fail(f"timed out at step '{state['step']}'")
            return
        busy = window.is_busy() or window.tools_ui.runner.has_running()
        if busy:
            QTimer.singleShot(POLL_MS, step)
            return
        try:
            if state["step"] == "open":
                incidents = window.project.incident_layer()
                points = [incidents] if incidents is not None else []
                if not points:
                    fail("the sample project has no incident layer")
                    return
                state["layers_before"] = len(window.project.layers)
                registry = window.tools_ui.registry
                for tool_id in SMOKE_TOOLS:
                    tool = registry.get(tool_id)
                    values = tool.defaults()
                    values["points"] = points[0]
                    window.tools_ui.run(tool, values)
                state["step"] = "analyse"
            elif state["step"] == "analyse":
                added = len(window.project.layers) - state["layers_before"]
                if added < len(SMOKE_TOOLS):
                    fail(f"expected {len(SMOKE_TOOLS)} result layers, got {added}")
                    return
                tpl = MapTemplate(title="Hotspot Desktop smoke test", dpi=96)
                for ext in (".png", ".pdf"):
                    export_map(window.project, out / f"smoke{ext}", tpl)
                print(f"smoke: ok ({added} result layers; exports in {out})")
                state["code"] = 0
                finish()
                return
        except Exception as exc:  # noqa: BLE001 — report any failure as the smoke result
            fail(f"{type(exc).__name__}: {exc}")
            return
        QTimer.singleShot(POLL_MS, step)

    if not window.open_project(project_path):
        return 1
    QTimer.singleShot(300, step)
    app.exec()
    return int(state["code"])
