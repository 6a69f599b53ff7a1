#!/usr/bin/env bash
# Fails when regenerating from the contracts changes anything under gen/src (generated code is committed).
set -euo pipefail
cd "$(dirname "$0")/.."
source ./env.sh
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp -a gen/src "$tmp/before"
bash scripts/generate.sh
if ! diff -r "$tmp/before" gen/src; then
  echo "gen/src is stale: run 'npm run generate' and commit the result" >&2
  exit 1
fi
