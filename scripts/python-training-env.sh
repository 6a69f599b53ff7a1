#!/usr/bin/env bash
# Creates or updates the virtualenv that the training end-to-end tests run their Python training
# script in (.venv-training/, gitignored), with the same pinned scikit-learn, skl2onnx and onnx as the
# model fixtures (fixtures/models/requirements.txt), and prints the venv's python on its last stdout
# line:
#
#   python=$(bash scripts/python-training-env.sh | tail -n1)
#
# The venv is reused as is while the requirements file is unchanged (its sha256 is kept in a marker
# inside the venv). Safe to run from several processes at once: they serialise on a lock and all but
# the first find the venv ready. Progress goes to stderr. PYTHON picks the interpreter that creates
# the venv (default: python3).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
venv=.venv-training
requirements=fixtures/models/requirements.txt
marker=$venv/.requirements.sha256
want=$(sha256sum "$requirements" | cut -d' ' -f1)

ready() {
  [[ -f "$marker" && "$(cat "$marker")" == "$want" ]] && "$venv/bin/python" -c '' 2>/dev/null
}

if ! ready; then
  # Lock outside the venv, so that recreating the venv cannot delete it under a waiting process.
  lock="${TMPDIR:-/tmp}/artenic-python-training-env.$(printf '%s' "$root" | sha256sum | cut -c1-16).lock"
  exec 9>"$lock"
  flock 9
  if ! ready; then
    rm -f "$marker"
    if ! "$venv/bin/python" -c '' 2>/dev/null; then
      echo "python-training-env: creating $venv" >&2
      "${PYTHON:-python3}" -m venv --clear "$venv"
    fi
    echo "python-training-env: installing $requirements" >&2
    "$venv/bin/python" -m pip install --disable-pip-version-check -q -r "$requirements" >&2
    # Fail here, not in a test, if the install left something unusable.
    "$venv/bin/python" -c 'import numpy, sklearn, skl2onnx, onnx' >&2
    printf '%s\n' "$want" >"$marker"
  fi
  exec 9>&-
fi
echo "$root/$venv/bin/python"
