#!/usr/bin/env bash
# Creates or updates the virtualenv that the training end-to-end tests run their Python training
# script in (.venv-training/, gitignored), with the same pinned scikit-learn, skl2onnx and onnx as the
# model fixtures (fixtures/models/requirements.txt), and prints the venv's python on its last stdout
# line:
#
#   python=$(bash scripts/python-training-env.sh | tail -n1)
#
# See scripts/python-venv.sh for how the venv is kept (reused while the requirements are unchanged,
# safe to run concurrently).
set -euo pipefail
bin=$(bash "$(dirname "$0")/python-venv.sh" .venv-training fixtures/models/requirements.txt "python -c 'import numpy, sklearn, skl2onnx, onnx'" | tail -n1)
echo "$bin/python"
