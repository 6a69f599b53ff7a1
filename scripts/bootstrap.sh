#!/usr/bin/env bash
# Sets up whatever is missing, idempotently: the pinned Node 24 (from the npm registry, when the
# system Node is older), dependencies (`npm ci` when the lockfile changed), and the build.
# Sourced by start.sh and test.sh; leaves env.sh sourced in the caller.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

lock_hash() { sha256sum "$1" | cut -c1-64; }

# 1. Node 24. The system Node (20 here) only runs npm to fetch the pinned binary.
if [ ! -x .toolchain/node_modules/.bin/node ] || [ "$(cat .toolchain/node_modules/.artenic-lock 2>/dev/null)" != "$(lock_hash .toolchain/package-lock.json)" ]; then
  echo "artenic: installing the pinned Node.js into .toolchain/ ..." >&2
  npm ci --prefix .toolchain --no-audit --no-fund --loglevel=error >&2
  lock_hash .toolchain/package-lock.json > .toolchain/node_modules/.artenic-lock
fi
# shellcheck source=../env.sh
source ./env.sh
case "$(node --version)" in
  v24.*) ;;
  *) echo "artenic: expected Node 24 on PATH after env.sh, got $(node --version)" >&2; exit 1 ;;
esac

# 2. Dependencies, reinstalled only when the lockfile changed.
if [ ! -d node_modules ] || [ "$(cat node_modules/.artenic-lock 2>/dev/null)" != "$(lock_hash package-lock.json)" ]; then
  echo "artenic: installing dependencies (npm ci) ..." >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
  lock_hash package-lock.json > node_modules/.artenic-lock
fi

# 3. Build (incremental: a no-op when nothing changed): TypeScript, then the browser console bundle
#    served at /console/ (esbuild, over tsc's output of the SDK).
tsc -b
node console/build.mjs
