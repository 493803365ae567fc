"""The package's process-wide memory setting: numpy's huge-page advice off unless the user chose."""

from __future__ import annotations

import os
import subprocess
import sys

PROBE = ("import hotspot_desktop\n"
         "try:\n    import numpy._core.multiarray as m\n"
         "except ImportError:\n    import numpy.core.multiarray as m  # numpy 1.x\n"
         "print(m._set_madvise_hugepage(False))")  # returns the value in force before


def _probe(env_value: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "NUMPY_MADVISE_HUGEPAGE"}
    if env_value is not None:
        env["NUMPY_MADVISE_HUGEPAGE"] = env_value
    return subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True,
                          check=True).stdout.strip()


def test_importing_the_package_turns_numpy_huge_page_advice_off() -> None:
    assert _probe(None) == "False"


def test_an_explicit_environment_setting_wins() -> None:
    assert _probe("1") == "True"
