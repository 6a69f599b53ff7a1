#!/usr/bin/env bash
# Fails when regenerating from the contracts changes anything generated (which is committed): the
# TypeScript in gen/src and server/conformance/gen, the Python client package and the Go client's
# gen/ tree.
set -euo pipefail
cd "$(dirname "$0")/.."
source ./env.sh
generated=(gen/src server/conformance/gen clients/python/src/artenic_client clients/go/gen)
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for dir in "${generated[@]}"; do
  mkdir -p "$tmp/before/$(dirname "$dir")"
  cp -a "$dir" "$tmp/before/$dir"
done
bash scripts/generate.sh
stale=0
for dir in "${generated[@]}"; do
  if ! diff -r -x __pycache__ "$tmp/before/$dir" "$dir"; then
    echo "$dir is stale: run 'npm run generate' and commit the result" >&2
    stale=1
  fi
done
exit "$stale"
