#!/usr/bin/env bash
# `npm test`: set up what is missing, start what the suites need, run every suite, and end with one
# plain line `N passed, N failed` that sums them all. Exits non-zero on any failure.
set -uo pipefail
source "$(dirname "$0")/bootstrap.sh" || { echo "0 passed, 1 failed"; exit 1; }
mkdir -p var
passed=0
failed=0
check() { # check <name> <command...>: one pass/fail entry per repository check
  local name="$1"; shift
  if "$@" > "var/check-$name.log" 2>&1; then
    passed=$((passed + 1)); echo "✓ $name"
  else
    failed=$((failed + 1)); echo "✗ $name (see var/check-$name.log)"; tail -n 30 "var/check-$name.log"
  fi
}

# PostgreSQL: the suites run against ARTENIC_TEST_DATABASE_URL, or against the local cluster that
# this script starts, with a role and database of its own.
if [ -z "${ARTENIC_TEST_DATABASE_URL:-}" ]; then
  if ! url="$(bash scripts/local-postgres.sh)"; then
    echo "artenic: PostgreSQL is needed for the PostgreSQL suites: set ARTENIC_TEST_DATABASE_URL, or install PostgreSQL 15 (pg_ctlcluster) and run as root or postgres." >&2
    echo "0 passed, 1 failed"
    exit 1
  fi
  export ARTENIC_TEST_DATABASE_URL="$url"
fi

check proto-lint buf lint
check proto-format buf format --diff --exit-code
check generated-code-current bash scripts/check-generated.sh
check migrations-current bash scripts/check-migrations.sh

# `|| true`: bootstrap.sh leaves errexit on, and failures are counted from the JSON report below.
vitest run --reporter=default --reporter=json --outputFile.json=var/vitest.json || true
summary="$(node -e '
  const r = JSON.parse(require("fs").readFileSync("var/vitest.json", "utf8"));
  // Files that failed to load count as failures too: a suite that cannot run is never silently skipped.
  const broken = r.testResults.filter((f) => f.status === "failed" && f.assertionResults.length === 0).length;
  console.log(r.numPassedTests, r.numFailedTests + broken, r.numPendingTests + r.numTodoTests);
' 2>/dev/null || echo "0 1 0")"
read -r vp vf vs <<< "$summary"
passed=$((passed + vp))
failed=$((failed + vf))
if [ "${vs:-0}" != "0" ]; then
  echo "artenic: $vs test(s) were skipped; skipped tests count as failures here" >&2
  failed=$((failed + vs))
fi

# The generated Python and Go clients, each against a real server of its own: the last line of
# scripts/test-clients.sh is `clients-<suite>: N passed, N failed`; anything else is one failure.
for suite in python go; do
  line="$(bash scripts/test-clients.sh "$suite" 2>"var/check-clients-$suite.log" | tail -n1)" || true
  if [[ "$line" =~ ^clients-$suite:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    cp=${BASH_REMATCH[1]} cf=${BASH_REMATCH[2]}
  else
    cp=0 cf=1
  fi
  passed=$((passed + cp))
  failed=$((failed + cf))
  if [ "$cf" -eq 0 ]; then
    echo "✓ clients-$suite ($cp passed)"
  else
    echo "✗ clients-$suite ($cp passed, $cf failed; see var/check-clients-$suite.log)"; tail -n 30 "var/check-clients-$suite.log"
  fi
done
# The Connect conformance suite against a reference server built from the production RPC stack:
# one check; its own summary (cases passed of the total) is shown under it.
check conformance bash scripts/conformance.sh
echo "  $(tail -n1 var/check-conformance.log)"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
