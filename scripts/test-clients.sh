#!/usr/bin/env bash
# Runs the suite of one generated client against a real server the suite starts itself, and ends
# with one line `clients-<suite>: N passed, N failed` (the last stdout line; scripts/test.sh adds it
# to its total). Exits non-zero on any failure. A suite that cannot run counts as one failure, and a
# skipped test counts as a failure: nothing is silently left out.
#
#   bash scripts/test-clients.sh python   # pytest in .venv-clients/, on the installed package
#   bash scripts/test-clients.sh go       # go test ./... in clients/go (grpc-go and connect-go)
#
# The server is built first (tsc -b, incremental). Reports: var/clients-<suite>.{xml,json,log} and
# the server's log var/clients-<suite>-server.log.
set -uo pipefail
cd "$(dirname "$0")/.."
source ./env.sh
suite=${1:-}
mkdir -p var

result() { # result <passed> <failed>
  echo "clients-$suite: $1 passed, $2 failed"
  [ "$2" -eq 0 ]
  exit
}

case "$suite" in
  python | go) ;;
  *) echo "usage: $0 python|go" >&2; exit 2 ;;
esac

if ! tsc -b >&2; then
  echo "test-clients: the server does not build (tsc -b)" >&2
  result 0 1
fi

if [ "$suite" = python ]; then
  if ! python=$(bash scripts/clients-env.sh python | tail -n1); then
    echo "test-clients: could not set up .venv-clients" >&2
    result 0 1
  fi
  # Install the client as users do (`pip install ./clients/python`), again whenever it changed.
  want=$(find clients/python -type f ! -path '*/__pycache__/*' ! -path '*/build/*' ! -path '*.egg-info/*' ! -path 'clients/python/tests/*' -print0 |
    LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-64)
  marker=.venv-clients/.client.sha256
  if [ "$(cat "$marker" 2>/dev/null)" != "$want" ]; then
    rm -f "$marker"
    if ! "$python" -m pip install --disable-pip-version-check -q --no-deps --no-build-isolation --force-reinstall ./clients/python >&2; then
      echo "test-clients: pip install ./clients/python failed" >&2
      result 0 1
    fi
    rm -rf clients/python/build
    echo "$want" >"$marker"
  fi
  rm -f var/clients-python.xml
  # From the tests folder, so that `import artenic_client` finds the installed package, not src/.
  (cd clients/python && PYTHONDONTWRITEBYTECODE=1 "$python" -m pytest -p no:cacheprovider -q \
    --junitxml=../../var/clients-python.xml tests) >&2
  counts=$("$python" - var/clients-python.xml <<'EOF' 2>/dev/null
import sys, xml.etree.ElementTree as ET
suites = ET.parse(sys.argv[1]).getroot()
suites = [suites] if suites.tag == "testsuite" else list(suites)
tests = sum(int(s.get("tests", 0)) for s in suites)
bad = sum(int(s.get(k, 0)) for s in suites for k in ("failures", "errors", "skipped"))
print(tests - bad, bad if tests else max(bad, 1))
EOF
  ) || counts="0 1"
  read -r p f <<<"$counts"
  result "$p" "$f"
fi

# go
if ! command -v go >/dev/null; then
  echo "test-clients: Go is not installed" >&2
  result 0 1
fi
rm -f var/clients-go.json
(cd clients/go && GOTOOLCHAIN=local go test -count=1 -timeout=5m -json ./... >../../var/clients-go.json 2>../../var/clients-go.log)
# Leaf tests only (a parent whose subtests are counted is not counted again); a package that failed
# without a failing test (build error, TestMain failure) counts as one failure; skips are failures.
counts=$(node - var/clients-go.json <<'EOF'
const lines = require("fs").readFileSync(process.argv[2], "utf8").split("\n").filter(Boolean);
const result = new Map(); const pkgFailed = new Set(); const pkgHasFailedTest = new Set(); const output = [];
for (const line of lines) {
  let e; try { e = JSON.parse(line); } catch { output.push(line); continue; }
  if (!["pass", "fail", "skip"].includes(e.Action)) { if (e.Action === "output" && e.Output) output.push(e.Output.trimEnd()); continue; }
  if (e.Test) { result.set(`${e.Package}\t${e.Test}`, e.Action); if (e.Action === "fail") pkgHasFailedTest.add(e.Package); }
  else if (e.Action === "fail") pkgFailed.add(e.Package ?? "(build)");
}
const keys = [...result.keys()];
let passed = 0, failed = 0;
for (const k of keys) {
  if (keys.some((o) => o.startsWith(k + "/"))) continue;
  if (result.get(k) === "pass") passed++; else failed++;
}
for (const p of pkgFailed) if (!pkgHasFailedTest.has(p)) failed++;
if (passed + failed === 0) failed = 1;
if (failed) console.error(output.filter((l) => /FAIL|Error|error|panic|e2e:/.test(l)).slice(-40).join("\n"));
console.log(passed, failed);
EOF
) || counts="0 1"
read -r p f <<<"$counts"
[ -s var/clients-go.log ] && tail -n 20 var/clients-go.log >&2
result "$p" "$f"
