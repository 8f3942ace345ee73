"""Starting and stopping the servers tests need: each on a free port, each stopped by its PID."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_pid(process: subprocess.Popen, grace: float = 5.0) -> None:
    """SIGTERM, wait, then SIGKILL the process and any child still alive, each by its own PID."""
    try:
        import psutil

        children = psutil.Process(process.pid).children(recursive=True)
    except Exception:
        children = []
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(grace)
    for child in children:
        try:
            if child.is_running():
                os.kill(child.pid, signal.SIGKILL)
        except (ProcessLookupError, Exception):
            pass


@dataclass
class SandboxProcess:
    process: subprocess.Popen
    url: str
    api_key: str
    ids: dict[str, str]

    def control(self, method: str, path: str, body: Any = None) -> Any:
        response = httpx.request(method, self.url + path, json=body,
                                 headers={"Authorization": f"Bearer {self.api_key}"}, timeout=30)
        response.raise_for_status()
        return response.json()

    def set_faults(self, **values: float) -> None:
        self.control("POST", "/_sandbox/faults", values)

    def clear_faults(self) -> None:
        self.set_faults(fault_rate=0, rate_limit_rate=0, latency_ms=0)

    def feedback(self, trace_id: str | None = None) -> list[dict[str, Any]]:
        return self.control("GET", "/_sandbox/feedback" + (f"?trace_id={trace_id}" if trace_id else ""))

    def stop(self) -> None:
        stop_pid(self.process)


def start_sandbox(*args: str, api_key: str = "test-key-0123456789", timeout: float = 120) -> SandboxProcess:
    ready = Path(tempfile.mkdtemp(prefix="nbw-sandbox-")) / "ready.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "nbwidgets.sandbox", "--port", "0", "--api-key", api_key,
         "--ready-file", str(ready), *args],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + timeout
    while not ready.exists():
        if process.poll() is not None:
            raise RuntimeError("sandbox exited: " + process.stderr.read().decode()[-2000:])
        if time.monotonic() > deadline:
            stop_pid(process)
            raise RuntimeError("sandbox did not become ready")
        time.sleep(0.05)
    time.sleep(0.05)  # the file is written in one go, but give the writer a moment to close it
    info = json.loads(ready.read_text())
    return SandboxProcess(process, info["url"], info["api_key"], info["ids"])
