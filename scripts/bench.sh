#!/usr/bin/env bash
# `npm run bench:<name>`: set up what is missing, then run server/bench/<name>.bench.ts.
set -euo pipefail
source "$(dirname "$0")/bootstrap.sh"
cd server
exec node "dist/bench/$1.bench.js"
