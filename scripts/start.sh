#!/usr/bin/env bash
# Set everything up, then open the workstation on the built-in demo library
# (generated on first run, with progress shown). Extra arguments go to main.py.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python main.py "$@"
