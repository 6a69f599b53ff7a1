#!/usr/bin/env bash
# The S3 emulator for the object-store tests: moto in server mode and the AWS CLI, pinned in
# scripts/python/moto-requirements.txt, in .venv-moto/. Idempotent; fast when warm. The last stdout
# line is the venv's bin dir (with `moto_server` and `aws` in it):
#
#   bin=$(bash scripts/moto-env.sh | tail -n1) && "$bin/moto_server" -H 127.0.0.1 -p 5000
exec bash "$(dirname "$0")/python-tool-env.sh" moto 'moto_server --help >/dev/null && aws --version'
