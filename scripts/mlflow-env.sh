#!/usr/bin/env bash
# A real MLflow tracking server for the MLflow mirror tests, pinned in
# scripts/python/mlflow-requirements.txt, in .venv-mlflow/. Idempotent; fast when warm (a cold
# install downloads about 300 MB of wheels). The last stdout line is the venv's bin dir:
#
#   bin=$(bash scripts/mlflow-env.sh | tail -n1) && "$bin/mlflow" server --host 127.0.0.1 --port 5000
exec bash "$(dirname "$0")/python-venv.sh" .venv-mlflow scripts/python/mlflow-requirements.txt 'mlflow --version'
