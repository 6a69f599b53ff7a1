"""A real Artenic server for the suite: ``node server/dist/src/main.js`` on a random loopback port
with SQLite in a temporary directory and a known admin key, as ``npm start`` would run it.

The server must be built first (``tsc -b``; scripts/test-clients.sh does it). A server that cannot
start fails every test that needs it, it never skips them."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parents[3]
MAIN = ROOT / "server" / "dist" / "src" / "main.js"


@dataclass(frozen=True)
class Server:
    url: str
    api_key: str
    log: Path


def _wait_for_url(proc: subprocess.Popen, log: Path, deadline: float) -> str:
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        for line in log.read_text(errors="replace").splitlines():
            if '"url"' not in line:
                continue
            try:
                url = json.loads(line).get("url")
            except ValueError:
                continue
            if isinstance(url, str) and url.startswith("http"):
                return url
        time.sleep(0.05)
    tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
    raise RuntimeError(f"the Artenic server did not start (exit code {proc.poll()}); log {log}:\n{tail}")


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    if not MAIN.is_file():
        raise RuntimeError(f"{MAIN} is missing: build the server first (npx tsc -b)")
    data_dir = Path(tempfile.mkdtemp(prefix="artenic-py-client-"))
    log_dir = ROOT / "var"
    log_dir.mkdir(exist_ok=True)
    log = log_dir / "clients-python-server.log"
    api_key = f"artenic_pytest_{secrets.token_urlsafe(24)}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARTENIC_")}
    env.update(
        ARTENIC_HOST="127.0.0.1",
        ARTENIC_PORT="0",
        ARTENIC_DATA_DIR=str(data_dir),
        ARTENIC_API_KEY=api_key,
        ARTENIC_LOG_LEVEL="info",
        ARTENIC_SHUTDOWN_GRACE_MS="2000",
    )
    node = os.environ.get("ARTENIC_NODE", "node")
    with open(log, "wb") as out:
        proc = subprocess.Popen([node, str(MAIN)], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        url = _wait_for_url(proc, log, time.monotonic() + 60)
        yield Server(url=url, api_key=api_key, log=log)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(data_dir, ignore_errors=True)
