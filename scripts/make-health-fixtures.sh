#!/usr/bin/env bash
# Regenerates fixtures/health/drift.json: samples from fixed seeds and the bin edges, histogram
# counts, PSI, Jensen-Shannon distances and percentiles that numpy and scipy compute from them, the
# independent reference the tests of server/src/health/stats/ check against. Byte-reproducible.
# Tests never run this: they read the committed JSON. Run it only when the fixture must change.
#
# Creates (or reuses) the virtualenv .venv-health/ (gitignored) with the pinned
# fixtures/health/requirements.txt. PYTHON picks the interpreter that creates it (default python3).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv-health
if [[ ! -x "$venv/bin/python" ]]; then
  "${PYTHON:-python3}" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r fixtures/health/requirements.txt
PYTHONHASHSEED=0 "$venv/bin/python" fixtures/health/make_drift_fixtures.py fixtures/health/drift.json
echo "wrote fixtures/health/drift.json ($(wc -c <fixtures/health/drift.json) bytes)"
