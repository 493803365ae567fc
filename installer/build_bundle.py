"""Build the offline one-folder bundle and run its ``--smoke`` self-test.

    python installer/build_bundle.py [--dist DIR] [--no-smoke]

Needs PyInstaller (``pip install -e .[installer]``). Writes ``DIR/HotspotDesktop-<version>/``
(default DIR: ``dist/``) and prints its path. Exit code 0 when the bundle built and its smoke
test passed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def version() -> str:
    sys.path.insert(0, str(ROOT))
    from hotspot_desktop import __version__

    return __version__


def build(dist: Path, work: Path) -> Path:
    env = dict(os.environ, HOTSPOT_VERSION=version())
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
                    "--distpath", str(dist), "--workpath", str(work), str(ROOT / "installer" / "hotspot_desktop.spec")],
                   check=True, env=env, cwd=ROOT)
    bundle = dist / f"HotspotDesktop-{version()}"
    if not bundle.is_dir():
        raise SystemExit(f"build: expected {bundle}")
    return bundle


def executable(bundle: Path) -> Path:
    exe = bundle / ("HotspotDesktop.exe" if os.name == "nt" else "HotspotDesktop")
    if not exe.exists():
        raise SystemExit(f"build: no executable in {bundle}")
    return exe


def smoke(bundle: Path, out: Path) -> int:
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    # The bundle must not lean on the build machine's Python.
    for var in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"):
        env.pop(var, None)
    return subprocess.run([str(executable(bundle)), "--smoke", "--smoke-out", str(out)], env=env,
                          cwd=bundle.parent).returncode


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dist", type=Path, default=ROOT / "dist")
    ap.add_argument("--work", type=Path, default=ROOT / "build")
    ap.add_argument("--no-smoke", action="store_true")
    args = ap.parse_args(argv)
    bundle = build(args.dist, args.work)
    print(bundle)
    if args.no_smoke:
        return 0
    code = smoke(bundle, args.dist / "smoke")
    print(f"smoke test {'passed' if code == 0 else f'FAILED (exit {code})'}")
    return code


if __name__ == "__main__":
    sys.exit(main())
