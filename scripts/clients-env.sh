#!/usr/bin/env bash
# Installs the pinned client generators and test tools, idempotently, and prints where they are.
#
#   python=$(bash scripts/clients-env.sh python | tail -n1)   # .venv-clients/bin/python
#   gobin=$(bash scripts/clients-env.sh go | tail -n1)         # .cache/go-bin
#
# python: a virtualenv (.venv-clients/) from clients/python/requirements-dev.txt: grpcio-tools (its
#         bundled protoc and well-known protos generate the Python client), the runtime the client
#         needs, and pytest. Reused while the requirements file is unchanged.
# go:     protoc-gen-go, protoc-gen-go-grpc and protoc-gen-connect-go at the versions below, built by
#         `go install` from the Go module proxy into .cache/go-bin/. Reused while the versions match.
# Both are gitignored, reuse pip's and Go's own caches, and are safe to run from several processes at
# once (they serialise on a lock). Progress goes to stderr; the last stdout line is the result.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

# Pinned Go plugins (the client module's runtime versions are in clients/go/go.mod).
go_plugins=(
  google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12
  google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.6.2
  connectrpc.com/connect/cmd/protoc-gen-connect-go@v1.21.1
)

lock() { # lock <name>: serialise with other processes setting up the same thing in this checkout
  local file="${TMPDIR:-/tmp}/artenic-clients-env-$1.$(printf '%s' "$root" | sha256sum | cut -c1-16).lock"
  exec 9>"$file"
  flock 9
}

python_env() {
  local venv=.venv-clients requirements=clients/python/requirements-dev.txt
  local marker=$venv/.requirements.sha256 want
  want=$(sha256sum "$requirements" | cut -d' ' -f1)
  ready() { [[ -f "$marker" && "$(cat "$marker")" == "$want" ]] && "$venv/bin/python" -c '' 2>/dev/null; }
  if ! ready; then
    lock python
    if ! ready; then
      rm -f "$marker"
      if ! "$venv/bin/python" -c '' 2>/dev/null; then
        echo "clients-env: creating $venv" >&2
        "${PYTHON:-python3}" -m venv --clear "$venv"
      fi
      echo "clients-env: installing $requirements" >&2
      "$venv/bin/python" -m pip install --disable-pip-version-check -q -r "$requirements" >&2
      "$venv/bin/python" -c 'import grpc_tools.protoc, grpc, google.rpc.status_pb2, pytest' >&2
      printf '%s\n' "$want" >"$marker"
    fi
    exec 9>&-
  fi
  echo "$root/$venv/bin/python"
}

go_env() {
  local gobin=.cache/go-bin
  local marker=$gobin/.versions want
  want=$(printf '%s\n' "$(go env GOVERSION)" "${go_plugins[@]}")
  ready() {
    [[ -f "$marker" && "$(cat "$marker")" == "$want" ]] &&
      [[ -x $gobin/protoc-gen-go && -x $gobin/protoc-gen-go-grpc && -x $gobin/protoc-gen-connect-go ]]
  }
  if ! ready; then
    lock go
    if ! ready; then
      command -v go >/dev/null || { echo "clients-env: Go is needed to generate the Go client (go not on PATH)" >&2; exit 1; }
      rm -f "$marker"
      mkdir -p "$gobin"
      echo "clients-env: go install ${go_plugins[*]}" >&2
      # GOTOOLCHAIN=local: build with the installed Go, never download another toolchain.
      local plugin
      for plugin in "${go_plugins[@]}"; do # one module per `go install`
        GOBIN="$root/$gobin" GOTOOLCHAIN=local go install "$plugin" >&2
      done
      printf '%s\n' "$want" >"$marker"
    fi
    exec 9>&-
  fi
  echo "$root/$gobin"
}

case "${1:-}" in
  python) python_env ;;
  go) go_env ;;
  *) echo "usage: $0 python|go" >&2; exit 2 ;;
esac
