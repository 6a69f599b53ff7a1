#!/usr/bin/env bash
# Regenerates the committed model fixtures from scikit-learn's bundled toy data (fixtures/models/) and
# the pinned benchmark models from fixed seeds (fixtures/bench/). Outputs are byte-reproducible.
# Tests and benches never run this: they read the committed files. Run it only when a fixture must
# change, and commit the .onnx (or .onnx.gz) and .expected.json files together.
#
# Usage: scripts/make-fixtures.sh [all|models|bench]   (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
case "$what" in
  all) args=(fixtures/models --bench fixtures/bench) ;;
  models) args=(fixtures/models) ;;
  bench) args=(--no-models --bench fixtures/bench) ;;
  *) echo "usage: $0 [all|models|bench]" >&2; exit 2 ;;
esac
venv=.venv-fixtures
if [[ ! -x "$venv/bin/python" ]]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r fixtures/models/requirements.txt
# A fixed hash seed keeps any set iteration inside the converters from reordering the output.
PYTHONHASHSEED=0 "$venv/bin/python" fixtures/models/make_fixtures.py "${args[@]}"
