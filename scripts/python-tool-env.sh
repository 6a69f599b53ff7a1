#!/usr/bin/env bash
# Creates or updates the virtualenv of one Python tool the tests run as a server (moto, mlflow...):
#
#   bin=$(bash scripts/python-tool-env.sh moto | tail -n1)    # .venv-moto/bin, absolute
#
# installs scripts/python/<name>-requirements.txt (pinned exactly) into .venv-<name>/ (gitignored)
# from pip. The venv is reused as is while the requirements file is unchanged (its sha256 is kept
# in a marker inside the venv), so a warm call costs a few milliseconds; a changed file reinstalls
# into it. Safe to run from several processes at once: they serialise on a lock and all but the
# first find the venv ready. Progress goes to stderr; the last stdout line is the venv's bin dir.
# PYTHON picks the interpreter that creates the venv (default: python3).
set -euo pipefail
name="${1:?usage: python-tool-env.sh <name> [command that must succeed in the venv]}"
check="${2:-}"
cd "$(dirname "$0")/.."
root=$PWD
venv=.venv-$name
requirements=scripts/python/$name-requirements.txt
marker=$venv/.requirements.sha256
want=$(sha256sum "$requirements" | cut -d' ' -f1)

ready() {
  [[ -f "$marker" && "$(cat "$marker")" == "$want" ]] && "$venv/bin/python" -c '' 2>/dev/null
}

if ! ready; then
  # Lock outside the venv, so that recreating the venv cannot delete it under a waiting process.
  lock="${TMPDIR:-/tmp}/artenic-python-$name-env.$(printf '%s' "$root" | sha256sum | cut -c1-16).lock"
  exec 9>"$lock"
  flock 9
  if ! ready; then
    rm -f "$marker"
    if ! "$venv/bin/python" -c '' 2>/dev/null; then
      echo "python-tool-env: creating $venv" >&2
      "${PYTHON:-python3}" -m venv --clear "$venv"
    fi
    echo "python-tool-env: installing $requirements" >&2
    "$venv/bin/python" -m pip install --disable-pip-version-check -q -r "$requirements" >&2
    # Fail here, not in a test, if the install left something unusable.
    if [[ -n "$check" ]]; then (cd "$venv/bin" && PATH="$PWD:$PATH" bash -c "$check") >&2; fi
    printf '%s\n' "$want" >"$marker"
  fi
  exec 9>&-
fi
echo "$root/$venv/bin"
