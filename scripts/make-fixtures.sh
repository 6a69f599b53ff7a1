#!/usr/bin/env bash
# Regenerates the committed model fixtures in fixtures/models/ from scikit-learn's bundled toy data.
# Tests never run this: they read the committed files. Run it only when a fixture must change, and
# commit the .onnx and .expected.json files together.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv-fixtures
if [[ ! -x "$venv/bin/python" ]]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r fixtures/models/requirements.txt
# A fixed hash seed keeps any set iteration inside the converters from reordering the output.
PYTHONHASHSEED=0 "$venv/bin/python" fixtures/models/make_fixtures.py fixtures/models
