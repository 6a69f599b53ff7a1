#!/usr/bin/env bash
# `npm start`: set up what is missing, then serve the platform in the foreground (SQLite by default).
set -euo pipefail
source "$(dirname "$0")/bootstrap.sh"
exec node server/dist/src/main.js
