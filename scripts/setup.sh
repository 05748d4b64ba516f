#!/usr/bin/env bash
# Set up Lucid Workstation on Debian/Ubuntu: system libraries for Qt under X11/Xvfb,
# a virtual environment in .venv, and the project with its pinned dependencies.
# Safe to run again: it only installs what is missing or changed.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(xvfb xauth libgl1 libegl1 libgl1-mesa-dri libglib2.0-0 libfontconfig1 libfreetype6
  libdbus-1-3 libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1
  libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-xkb1)

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  # one dpkg-query for every package (a start after setup spends no time here)
  installed=$(dpkg-query -W -f='${Package} ${Status}\n' "${DEBIAN_PACKAGES[@]}" 2>/dev/null \
    | awk '/install ok installed/ {sub(/:.*/, "", $1); print $1}') || true   # unknown packages: missing
  for package in "${DEBIAN_PACKAGES[@]}"; do
    grep -qx "$package" <<<"$installed" || missing+=("$package")
  done
fi
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "Missing system packages. Install them with:" >&2
    echo "  sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

if [ ! -x .venv/bin/python ]; then   # the Python checks only when there is no environment yet
  PYTHON=${PYTHON:-python3}
  if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "Lucid Workstation needs Python 3.11 or newer (found: $("$PYTHON" --version 2>&1))." >&2
    exit 1
  fi
  if ! "$PYTHON" -c 'import venv, ensurepip' 2>/dev/null; then
    echo "Python's venv module is missing. Install it with: sudo apt-get install python3-venv" >&2
    exit 1
  fi
  echo "Creating the virtual environment in .venv"
  "$PYTHON" -m venv .venv
fi

# rtmlib (pose models for `main.py detect`) declares opencv-python and opencv-contrib-python, which
# must not sit beside opencv-python-headless (they share cv2/): it is installed without its
# requirements, whose real needs (numpy, onnxruntime, tqdm) pyproject.toml pins.
RTMLIB=rtmlib==0.0.16
stamp=.venv/.lucid-installed
wanted=$({ cat pyproject.toml; echo "$RTMLIB"; } | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
  echo "Installing Python packages (first run takes a few minutes)"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".[test]"
  .venv/bin/python -m pip install --quiet --no-deps "$RTMLIB"
  echo "$wanted" > "$stamp"
fi
