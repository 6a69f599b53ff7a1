#!/usr/bin/env bash
# Creates or updates one pinned Python virtualenv under the tree, for the tests and the tools they
# run (moto, mlflow, the training example...):
#
#   bin=$(bash scripts/python-venv.sh .venv-moto scripts/python/moto-requirements.txt 'moto_server --help' | tail -n1)
#
# installs <requirements> (pinned exactly) from pip into <venv> (gitignored) and prints the venv's bin
# dir, absolute, on its last stdout line. The venv is reused as is while the requirements file is
# unchanged (its sha256 is kept in a marker inside the venv), so a warm call costs a few
# milliseconds; a changed file reinstalls into it. The optional check runs with the venv's bin dir
# first on PATH after an install, so that an unusable install fails here rather than in a test.
# Safe to run from several processes at once: they serialise on a lock and all but the first find
# the venv ready. Progress goes to stderr. PYTHON picks the interpreter that creates the venv
# (default: python3).
set -euo pipefail
venv="${1:?usage: python-venv.sh <venv dir> <requirements file> [check command]}"
requirements="${2:?usage: python-venv.sh <venv dir> <requirements file> [check command]}"
check="${3:-}"
cd "$(dirname "$0")/.."
root=$PWD
marker=$venv/.requirements.sha256
want=$(sha256sum "$requirements" | cut -d' ' -f1)
name=$(basename "$venv")

ready() {
  [[ -f "$marker" && "$(cat "$marker")" == "$want" ]] && "$venv/bin/python" -c '' 2>/dev/null
}

if ! ready; then
  # Lock outside the venv, so that recreating the venv cannot delete it under a waiting process.
  lock="${TMPDIR:-/tmp}/artenic-python${name}.$(printf '%s' "$root" | sha256sum | cut -c1-16).lock"
  exec 9>"$lock"
  flock 9
  if ! ready; then
    rm -f "$marker"
    if ! "$venv/bin/python" -c '' 2>/dev/null; then
      echo "python-venv: creating $venv" >&2
      "${PYTHON:-python3}" -m venv --clear "$venv"
    fi
    echo "python-venv: installing $requirements into $venv" >&2
    "$venv/bin/python" -m pip install --disable-pip-version-check -q -r "$requirements" >&2
    if [[ -n "$check" ]]; then PATH="$root/$venv/bin:$PATH" bash -c "$check" >&2; fi
    printf '%s\n' "$want" >"$marker"
  fi
  exec 9>&-
fi
echo "$root/$venv/bin"
