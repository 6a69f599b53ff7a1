#!/usr/bin/env bash
# Builds the pinned fake-gcs-server (the Cloud Storage emulator the GCP adapter's tests run) with
# `go install` from the Go module proxy into .cache/gcs-bin/ (gitignored), and prints the binary's
# path on its last stdout line:
#
#   bin=$(bash scripts/gcs-emulator-env.sh | tail -n1)
#
# Reused while the pinned version and the Go version are unchanged (a marker beside the binary). The
# first build takes a few minutes (it downloads the emulator's modules into Go's own cache); later
# runs return at once. Safe to run from several processes at once: they serialise on a lock.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
module=github.com/fsouza/fake-gcs-server@v1.56.1
bindir=.cache/gcs-bin
marker=$bindir/.version

command -v go >/dev/null || { echo "gcs-emulator-env: Go is needed to build fake-gcs-server (go not on PATH)" >&2; exit 1; }
want=$(printf '%s\n' "$(go env GOVERSION)" "$module")
ready() { [[ -f "$marker" && "$(cat "$marker")" == "$want" && -x $bindir/fake-gcs-server ]]; }

if ! ready; then
  exec 9>"${TMPDIR:-/tmp}/artenic-gcs-emulator-env.$(printf '%s' "$root" | sha256sum | cut -c1-16).lock"
  flock 9
  if ! ready; then
    rm -f "$marker"
    mkdir -p "$bindir"
    echo "gcs-emulator-env: go install $module" >&2
    # GOTOOLCHAIN=local: build with the installed Go, never download another toolchain.
    GOBIN="$root/$bindir" GOTOOLCHAIN=local go install "$module" >&2
    printf '%s\n' "$want" >"$marker"
  fi
  exec 9>&-
fi
echo "$root/$bindir/fake-gcs-server"
