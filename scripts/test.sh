#!/usr/bin/env bash
# Set up from scratch (idempotent) and run the whole test suite. Extra arguments go to pytest.
# The suite runs on every core (pytest-xdist; whole test files stay on one worker so that their
# module-scoped servers and data directories are built once). CONFLICTMAP_TEST_WORKERS=0 runs it
# in one process, e.g. to debug one test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev
workers=${CONFLICTMAP_TEST_WORKERS:-auto}
if [ "$workers" = 0 ]; then
  exec .venv/bin/python -m pytest "$@"
fi
exec .venv/bin/python -m pytest -n "$workers" --dist loadfile "$@"
