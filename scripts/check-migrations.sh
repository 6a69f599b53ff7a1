#!/usr/bin/env bash
# Fails when the entities differ from what the committed migrations create, for either dialect.
set -euo pipefail
cd "$(dirname "$0")/../server"
source ../env.sh
tsx scripts/check-migrations.ts
