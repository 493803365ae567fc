#!/usr/bin/env bash
# Offline wheelhouse for air-gapped machines that have Python 3.11+.
#
# On a machine with access to the package index (same OS and Python version as the target):
#   bash installer/wheelhouse.sh download [DIR]     # default DIR: wheelhouse/
# Copy DIR and this checkout to the air-gapped machine, then:
#   bash installer/wheelhouse.sh install [DIR]      # creates .venv from DIR only (--no-index)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cmd="${1:-}"; dir="${2:-$here/wheelhouse}"
case "$cmd" in
  download)
    mkdir -p "$dir"
    python3 -m pip download --dest "$dir" "$here"
    python3 -m pip wheel --no-deps --wheel-dir "$dir" "$here"
    echo "wheelhouse ready in $dir" ;;
  install)
    python3 -m venv "$here/.venv"
    "$here/.venv/bin/python" -m pip install --no-index --find-links "$dir" hotspot-desktop
    echo "installed; start with: $here/.venv/bin/hotspot-desktop" ;;
  *)
    echo "usage: bash installer/wheelhouse.sh download|install [DIR]" >&2; exit 2 ;;
esac
