#!/usr/bin/env bash
# Set everything up, then run the test suite (GUI tests run under Xvfb via pytest-xvfb).
# Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m pytest "$@"
