#!/usr/bin/env python3
"""An example Artenic training job: trains a logistic regression on scikit-learn's iris data,
reports its progress to the platform with the job-scoped token it finds in its environment, and
writes the model as ONNX to ARTENIC_OUTPUT_DIR, where the platform collects and registers it.

Environment (set by the platform): ARTENIC_ENDPOINT, ARTENIC_TRAINING_JOB, ARTENIC_JOB_TOKEN,
ARTENIC_HYPERPARAMETERS (JSON), ARTENIC_OUTPUT_DIR, and ARTENIC_RESUME_FROM on a resumed retry.

Hyperparameters: C (inverse regularisation, default 1.0); wait_for_file (a path: after its first
report the job waits until that file exists, so tests can act while it runs).

It talks to the API with Connect's JSON protocol over HTTP/1.1 (plain POSTs, no generated client)
and retries while the server is unreachable, for instance while it restarts.
"""
import json
import os
import pathlib
import pickle
import sys
import time
import urllib.error
import urllib.request
import warnings

from skl2onnx import convert_sklearn
from skl2onnx.common.data_types import FloatTensorType
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, log_loss
from sklearn.model_selection import train_test_split

ENDPOINT = os.environ["ARTENIC_ENDPOINT"].rstrip("/")
JOB = os.environ["ARTENIC_TRAINING_JOB"]
TOKEN = os.environ["ARTENIC_JOB_TOKEN"]
HYPERPARAMETERS = json.loads(os.environ.get("ARTENIC_HYPERPARAMETERS") or "{}")
OUTPUT = pathlib.Path(os.environ["ARTENIC_OUTPUT_DIR"])
SERVICE = "artenic.training.v1.TrainingService"


def call(method: str, body: dict, patience_s: float = 120.0) -> dict:
    """One unary Connect call; retried with backoff while the server is down or unavailable."""
    data = json.dumps(body).encode()
    deadline = time.monotonic() + patience_s
    delay = 0.2
    while True:
        request = urllib.request.Request(
            f"{ENDPOINT}/{SERVICE}/{method}",
            data=data,
            method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as e:
            # Connect maps its codes onto HTTP statuses: 4xx are the caller's fault and final.
            if e.code < 500 or time.monotonic() > deadline:
                raise RuntimeError(f"{method} failed with HTTP {e.code}: {e.read().decode(errors='replace')}") from e
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if time.monotonic() > deadline:
                raise
        print(f"{method}: server unreachable, retrying in {delay:.1f} s", file=sys.stderr, flush=True)
        time.sleep(delay)
        delay = min(delay * 2, 2.0)


def main() -> None:
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    c = float(HYPERPARAMETERS.get("C", "1.0"))
    resume = os.environ.get("ARTENIC_RESUME_FROM")
    if resume:
        with open(resume, "rb") as f:
            print(f"resuming from {resume} (step {pickle.load(f)['step']})", flush=True)

    x, y = load_iris(return_X_y=True)
    x = x.astype("float32")
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.3, random_state=0, stratify=y)

    model = None
    for step, max_iter in enumerate([5, 25, 200], start=1):
        model = LogisticRegression(C=c, max_iter=max_iter).fit(x_train, y_train)
        accuracy = float(accuracy_score(y_test, model.predict(x_test)))
        loss = float(log_loss(y_test, model.predict_proba(x_test)))
        print(f"training step {step}: max_iter={max_iter} accuracy={accuracy:.4f} loss={loss:.4f}", flush=True)
        call("ReportTrainingMetrics", {"name": JOB, "step": str(step), "metrics": {"accuracy": accuracy, "loss": loss}})
        if step == 1:
            with open(OUTPUT / "checkpoint.pkl", "wb") as f:
                pickle.dump({"step": step, "model": model}, f)
            call("ReportTrainingCheckpoint", {"name": JOB, "uri": "checkpoint.pkl", "step": str(step), "metrics": {"accuracy": accuracy}})
            wait_for = HYPERPARAMETERS.get("wait_for_file")
            if wait_for:
                print(f"waiting for {wait_for}", flush=True)
                while not os.path.exists(wait_for):
                    time.sleep(0.1)

    onnx_model = convert_sklearn(
        model,
        name="iris_trained",
        initial_types=[("input", FloatTensorType([None, 4]))],
        target_opset={"": 18, "ai.onnx.ml": 3},
    )
    (OUTPUT / "model.onnx").write_bytes(onnx_model.SerializeToString())
    row = x_test[:1]
    expected = {
        "input": row[0].tolist(),
        "label": int(model.predict(row)[0]),
        "probabilities": {str(int(k)): float(p) for k, p in zip(model.classes_, model.predict_proba(row)[0])},
    }
    (OUTPUT / "expected.json").write_text(json.dumps(expected))
    print("wrote model.onnx", flush=True)
    print("done", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
