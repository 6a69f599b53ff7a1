#!/usr/bin/env bash
# Creates or updates the Python virtualenv the tests use (.venv-test/, gitignored) from the pinned
# server/test/python/requirements.txt, and prints the venv's python on its last stdout line:
#
#   python=$(bash scripts/python-test-env.sh | tail -n1)
#
# See scripts/python-venv.sh for how the venv is kept (reused while the requirements are unchanged,
# safe to run concurrently).
set -euo pipefail
bin=$(bash "$(dirname "$0")/python-venv.sh" .venv-test server/test/python/requirements.txt "python -c 'import numpy, tritonclient.grpc'" | tail -n1)
echo "$bin/python"
