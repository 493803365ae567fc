#!/usr/bin/env bash
# Hotspot Desktop developer set-up: one script behind the README's two quick-start commands.
#
#   bash installer/setup.sh run    # set up, then launch the app on the sample project
#   bash installer/setup.sh test   # set up, then run the whole test suite headless
#
# Set-up is idempotent: system libraries Qt needs (Debian/Ubuntu, via apt-get when run as root
# or with sudo), a virtual environment in .venv, and the package with its test extras.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
venv="${HOTSPOT_VENV:-$here/.venv}"
stamp="$venv/.hotspot-setup-stamp"

# Shared libraries the PySide6 wheels load (xcb for a real screen, EGL/fontconfig for offscreen),
# GDAL-free: geopandas/pyogrio/fiona wheels bundle their own GDAL and PROJ.
debian_packages=(python3-venv libgl1 libegl1 libglib2.0-0 libfontconfig1 libfreetype6 libdbus-1-3
  libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
  libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxrender1
  libxi6 libsm6 libice6 libx11-xcb1 libxcb-xfixes0 libxcb-sync1 fonts-dejavu-core)

install_system_packages() {
  command -v dpkg-query >/dev/null 2>&1 || return 0
  local missing=()
  for p in "${debian_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      echo "setup: please install these Debian packages: ${missing[*]}" >&2; return 0; fi
  fi
  echo "setup: installing system packages: ${missing[*]}"
  $sudo apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

setup_venv() {
  if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
  fi
  # Reinstall only when the project's declared dependencies changed.
  local want
  local f files=()
  for f in pyproject.toml tests/plugin_example/pyproject.toml; do [ -f "$f" ] && files+=("$f"); done
  want="$(cat "${files[@]}" | sha256sum | cut -c1-16)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    "$venv/bin/python" -m pip install -q --upgrade pip
    "$venv/bin/python" -m pip install -q -e ".[test]"
    if [ -d tests/plugin_example ]; then
      "$venv/bin/python" -m pip install -q -e tests/plugin_example
    fi
    echo "$want" > "$stamp"
  fi
}

install_system_packages
setup_venv

cmd="${1:-run}"; shift || true
case "$cmd" in
  run)
    exec "$venv/bin/python" -m hotspot_desktop sample_projects/riverton/riverton.hsproj "$@" ;;
  test)
    export QT_QPA_PLATFORM=offscreen
    exec "$venv/bin/python" -m pytest "$@" ;;
  setup)
    echo "setup: done ($venv)" ;;
  *)
    echo "usage: bash installer/setup.sh [run|test|setup] [args...]" >&2; exit 2 ;;
esac
