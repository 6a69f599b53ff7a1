#!/usr/bin/env bash
# `npm run breaking -- <git-ref>`: reports changes to our contracts (proto/) that break clients,
# compared with the same folder at <git-ref> (default: main). Use once the contracts are declared stable.
set -euo pipefail
cd "$(dirname "$0")/.."
source ./env.sh
ref="${1:-main}"
# Compare the proto/ module alone: adding or removing a vendored module must not break the comparison.
buf breaking proto --against ".git#ref=${ref},subdir=proto"
