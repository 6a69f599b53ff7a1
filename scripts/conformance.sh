#!/usr/bin/env bash
# The Connect conformance suite in server mode: the official runner (`connectconformance`, built from
# the Go module proxy) drives its reference clients (Connect-Go and grpc-go) against
# server/conformance/reference-server.ts, which serves the suite's service through the production
# RPC stack. Every protocol, HTTP version, codec, compression and stream kind in
# conformance/config.yaml is run; conformance/known-failing.txt lists deliberate differences (each
# must fail: one that starts passing is an error too). Exits non-zero on any unexpected result.
#
#   bash scripts/conformance.sh                   # the whole suite (~1-2 min on 2 cores)
#   bash scripts/conformance.sh --run 'Basic/**'  # extra arguments go to the runner: --run, --skip,
#                                                 # --trace (HTTP traces of failures), -v
#   bash scripts/conformance.sh vendor            # re-copy conformance/proto from the pinned module
#
# The runner is cached in .cache/conformance-bin/ and reused while the version below and the Go
# version match. The runner's report goes to var/conformance.log, the reference server's logs to
# var/conformance-server.log. The last line sums it up:
# `conformance: P of N cases passed, K known failures (S s)`.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
source ./env.sh

# The suite's version: the runner and the vendored contracts (conformance/proto) come from it.
module=connectrpc.com/conformance
version=v1.0.7
bindir=.cache/conformance-bin
runner=$bindir/connectconformance
# The contracts the reference server needs (the others describe test suites and clients).
protos=(config service server_compat)

# GOTOOLCHAIN=local: build with the installed Go, never download another toolchain.
export GOTOOLCHAIN=local

install_runner() {
  local marker=$bindir/.version want
  command -v go >/dev/null || { echo "conformance: Go is needed to build the runner (go not on PATH)" >&2; exit 1; }
  want=$(printf '%s\n' "$(go env GOVERSION)" "$module@$version")
  ready() { [[ -x $runner && -f $marker && "$(cat "$marker")" == "$want" ]]; }
  ready && return
  mkdir -p "$bindir"
  # Serialise with other checkouts' processes building the same thing here.
  exec 9>"${TMPDIR:-/tmp}/artenic-conformance.$(printf '%s' "$root" | sha256sum | cut -c1-16).lock"
  flock 9
  if ! ready; then
    rm -f "$marker"
    echo "conformance: go install $module/cmd/connectconformance@$version" >&2
    GOBIN="$root/$bindir" go install "$module/cmd/connectconformance@$version" >&2
    printf '%s\n' "$want" >"$marker"
  fi
  exec 9>&-
}

# The module's source in Go's module cache (downloaded there by `go install` or `go mod download`).
module_dir() { go mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p'; }

if [ "${1:-}" = vendor ]; then
  dir=$(module_dir)
  for p in "${protos[@]}"; do
    install -m 644 "$dir/proto/connectrpc/conformance/v1/$p.proto" "conformance/proto/connectrpc/conformance/v1/$p.proto"
  done
  install -m 644 "$dir/LICENSE" conformance/proto/LICENSE
  echo "conformance: vendored $module@$version; now run 'npm run generate'" >&2
  exit 0
fi

install_runner
# The vendored contracts must be the ones of the runner's version.
dir=$(module_dir)
for p in "${protos[@]}"; do
  if ! cmp -s "$dir/proto/connectrpc/conformance/v1/$p.proto" "conformance/proto/connectrpc/conformance/v1/$p.proto"; then
    echo "conformance: conformance/proto/connectrpc/conformance/v1/$p.proto differs from $module@$version; run 'bash scripts/conformance.sh vendor'" >&2
    exit 1
  fi
done

tsc -b >&2
mkdir -p var
: >var/conformance-server.log
start=$SECONDS
# One server at a time, 16 calls in flight: the runner gives a server 10 s to start, which servers
# starting side by side with other servers' traffic missed on a loaded 2-core machine; and more calls
# in flight made the deadline cases miss their margins without saving time.
run() { # run <output file> <runner arguments...>
  local out=$1
  shift
  local code=0
  "$runner" --mode server --conf conformance/config.yaml --max-servers 1 --parallel 16 "$@" -- \
    bash -c 'exec node server/dist/conformance/reference-server.js 2>>var/conformance-server.log' |
    tee "$out" || code=$?
  return "$code"
}
status=0
run var/conformance.log --known-failing @conformance/known-failing.txt "$@" || status=$?

total=$(sed -n 's/^Total cases: \([0-9]*\)$/\1/p' var/conformance.log | tail -n1)
passed=$(sed -n 's/^\([0-9]*\) passed, [0-9]* failed$/\1/p' var/conformance.log | tail -n1)
known=$(sed -n 's/^(\([0-9]*\) failed as expected.*/\1/p' var/conformance.log | tail -n1)
if [ -z "$total" ] || [ -z "$passed" ]; then
  echo "conformance: the runner printed no summary (exit $status); see var/conformance-server.log" >&2
  tail -n 20 var/conformance-server.log >&2
  exit 1
fi

# Deadline and timeout cases compare elapsed times with fixed margins, which a machine loaded by
# other work can miss. When those are the only failures, they are run once more on their own; any
# other failure, or one that fails again, fails the check.
rerun=""
sed -n 's/^FAILED: \(.*\):$/\1/p' var/conformance.log >var/conformance-failed.txt
if [ "$status" -ne 0 ] && [ -s var/conformance-failed.txt ] &&
  ! grep -qv -e '^Deadline Propagation/' -e '^Timeouts/' var/conformance-failed.txt; then
  n=$(wc -l <var/conformance-failed.txt)
  echo "conformance: $n timing-sensitive case(s) failed; running them again on their own" >&2
  if run var/conformance-rerun.log --run @var/conformance-failed.txt >&2; then
    status=0
    passed=$((passed + n))
    rerun=", $n passed on a second run"
  fi
fi
elapsed=$((SECONDS - start))
echo "conformance: $passed of $total cases passed, ${known:-0} known failures$rerun (${elapsed} s)"
exit "$status"
