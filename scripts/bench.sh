#!/usr/bin/env bash
# `npm run bench:<name>`: set up what is missing, then run server/bench/<name>.bench.ts.
set -euo pipefail
source "$(dirname "$0")/bootstrap.sh"
# bench:rpc drives the servers with h2load, from Debian's nghttp2-client.
if [ "$1" = rpc ] && ! command -v h2load >/dev/null; then
  echo "artenic: installing h2load (nghttp2-client) ..." >&2
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get install -y nghttp2-client >&2 || { $SUDO apt-get update >&2 && $SUDO apt-get install -y nghttp2-client >&2; }
fi
cd server
exec node "dist/bench/$1.bench.js"
