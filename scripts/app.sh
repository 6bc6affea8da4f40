#!/usr/bin/env bash
# Set up from scratch (idempotent) and run the dashboard on http://localhost:8501.
# Uses the data directory in $CONFLICTMAP_DATA, or the bundled default data when it is unset.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m streamlit run app.py "$@"
