#!/usr/bin/env bash
# Starts the locally installed PostgreSQL 15 cluster if it is down, makes sure the `artenic` role
# (with CREATEDB, so tests can create a database each) exists, and prints a connection URL.
set -euo pipefail
command -v pg_ctlcluster >/dev/null || { echo "pg_ctlcluster not found: PostgreSQL is not installed" >&2; exit 1; }
as_postgres() { if [ "$(id -un)" = postgres ]; then "$@"; else su postgres -s /bin/bash -c "$(printf '%q ' "$@")"; fi; }
if ! pg_lsclusters -h | awk '$1 == "15" && $2 == "main" { print $4 }' | grep -q online; then
  pg_ctlcluster 15 main start >&2
fi
for _ in $(seq 1 50); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.2; done
as_postgres psql -q -v ON_ERROR_STOP=1 -d postgres >&2 <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'artenic') THEN
    CREATE ROLE artenic LOGIN CREATEDB PASSWORD 'artenic';
  END IF;
END $$;
SELECT 'CREATE DATABASE artenic_test OWNER artenic' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'artenic_test')\gexec
SQL
echo "postgresql://artenic:artenic@127.0.0.1:5432/artenic_test"
