#!/usr/bin/env bash
# Regenerates fixtures/abtest/stats.json: samples from fixed seeds and the Welch t-tests,
# two-proportion z-tests, confidence intervals and special-function values (t, normal, erf, beta)
# that numpy and scipy compute from them, the independent reference the tests of
# server/src/abtest/stats/ check against. Byte-reproducible: two runs give the same sha256.
# Tests never run this: they read the committed JSON. Run it only when the fixture must change.
#
# Creates (or reuses) the virtualenv .venv-abtest/ (gitignored by .venv*/) with the pinned
# fixtures/abtest/requirements.txt (the same pins as fixtures/health/requirements.txt).
# PYTHON picks the interpreter that creates it (default python3).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv-abtest
if [[ ! -x "$venv/bin/python" ]]; then
  "${PYTHON:-python3}" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r fixtures/abtest/requirements.txt
PYTHONHASHSEED=0 "$venv/bin/python" fixtures/abtest/make_stats_fixtures.py fixtures/abtest/stats.json
echo "wrote fixtures/abtest/stats.json ($(wc -c <fixtures/abtest/stats.json) bytes, sha256 $(sha256sum fixtures/abtest/stats.json | cut -c1-16)…)"
