#!/usr/bin/env bash
# Regenerates every generated file from proto/, third_party/ and conformance/proto/. Generation is
# never incremental: gen/src (TypeScript), server/conformance/gen and the generated parts of clients/
# (Python, Go) are emptied first, so that a removed proto leaves no stale code behind.
set -euo pipefail
cd "$(dirname "$0")/.."
source ./env.sh
rm -rf gen/src
buf generate
# The conformance suite's contracts, for its reference server only: a Buf workspace of their own.
(cd conformance && buf generate)
bash scripts/generate-clients.sh
