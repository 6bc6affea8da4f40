#!/usr/bin/env bash
# Set up everything the app (and, with "dev", the tests) need, from scratch, idempotently:
# a virtualenv with pinned Python packages, browser assets from the npm registry served by the
# app itself (never from a CDN), and Debian's Chromium for static exports and browser tests.
#   bash scripts/setup.sh        # runtime only
#   bash scripts/setup.sh dev    # runtime + tests
set -euo pipefail
cd "$(dirname "$0")/.."
want=${1:-runtime}
PY=${PYTHON:-python3}

if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
if [ "$want" = dev ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt
else
  .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt
fi

# Browser assets: installed from the npm registry (package-lock.json pins them), copied where
# Streamlit's static file server publishes them (/app/static/vendor/...).
if [ ! -f node_modules/leaflet/dist/leaflet.js ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
mkdir -p static/vendor/leaflet
cp -R node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css node_modules/leaflet/dist/images \
  static/vendor/leaflet/

# Chromium renders PNG/SVG exports (kaleido) and runs the browser tests.
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "Installing Debian's chromium (apt)..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
  else
    echo "NOTE: /usr/bin/chromium is missing; PNG/SVG export and browser tests need it:" >&2
    echo "      sudo apt-get install chromium" >&2
  fi
fi
