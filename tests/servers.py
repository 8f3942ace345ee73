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
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import nbformat
from nbformat.v4 import new_code_cell, new_notebook

# Debian's Chromium, driven by Playwright (which cannot download its own browser here). Without the
# background-networking flags it keeps trying hosts this closed network refuses.
CHROMIUM = os.environ.get("NBW_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def launch_chromium(playwright: Any) -> Any:
    """A headless Chromium for the tests and the benchmarks (a fresh profile each launch)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


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
        response = httpx.request(
            method, self.url + path, json=body, headers={"Authorization": f"Bearer {self.api_key}"}, timeout=30
        )
        response.raise_for_status()
        return response.json()

    def set_faults(self, **values: float) -> None:
        self.control("POST", "/_sandbox/faults", values)

    def clear_faults(self) -> None:
        self.set_faults(fault_rate=0, drop_rate=0, rate_limit_rate=0, latency_ms=0)

    def feedback(self, trace_id: str | None = None) -> list[dict[str, Any]]:
        return self.control("GET", "/_sandbox/feedback" + (f"?trace_id={trace_id}" if trace_id else ""))

    def requests_received(self, path: str = "", *, since: int = 0, method: str | None = None) -> list[dict[str, Any]]:
        """What the service routes received (oldest first): method, path, query, JSON body, status.

        `path` is a prefix; `since` a `seq` from an earlier entry (or from `mark_requests()`)."""
        query = urlencode({"path": path, "since": since})
        found = self.control("GET", f"/_sandbox/requests?{query}")
        return [r for r in found if method is None or r["method"] == method.upper()]

    def mark_requests(self) -> int:
        """The `seq` of the last request received so far: pass it as `since` to see only later ones."""
        found = self.control("GET", "/_sandbox/requests?limit=1")
        return found[-1]["seq"] if found else 0

    def add_traces(self, *trace_ids: str) -> list[str]:
        """Make traces feedback may be given on (as if returned by invoke); returns their ids."""
        return self.control("POST", "/_sandbox/traces", {"trace_ids": list(trace_ids)})["trace_ids"]

    def new_trace(self, prefix: str = "trace") -> str:
        """A fresh registered trace id."""
        [trace_id] = self.add_traces(f"{prefix}-{uuid.uuid4().hex[:12]}")
        return trace_id

    def add_feedback_property(self, key: str, type: str, **fields: Any) -> dict[str, Any]:
        """Define a workspace feedback property (number: min/max; *_choice and label: values)."""
        return self.control("POST", "/_sandbox/feedback-properties", {"key": key, "type": type, **fields})

    def feedback_properties(self) -> dict[str, dict[str, Any]]:
        return {p["key"]: p for p in self.control("GET", "/_sandbox/feedback-properties")}

    def put_raw_datapoints(self, dataset_id: str, datapoints: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Store datapoints as given, unchecked (items the models may not know)."""
        return self.control("POST", "/_sandbox/datapoints", {"dataset_id": dataset_id, "datapoints": datapoints})

    def put_raw_evaluators(self, evaluators: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Store evaluators as given, unchecked (shapes the sandbox would not make itself)."""
        return self.control("POST", "/_sandbox/evaluators", {"evaluators": evaluators})

    def stop(self) -> None:
        stop_pid(self.process)


def start_sandbox(*args: str, api_key: str = "test-key-0123456789", timeout: float = 120) -> SandboxProcess:
    folder = Path(tempfile.mkdtemp(prefix="nbw-sandbox-"))
    ready, log = folder / "ready.json", folder / "sandbox.log"
    # a file, not a pipe: a pipe nobody reads would fill up and stall the server
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "nbwidgets.sandbox",
            "--port",
            "0",
            "--api-key",
            api_key,
            "--ready-file",
            str(ready),
            *args,
        ],
        stdout=subprocess.DEVNULL,
        stderr=open(log, "wb"),  # noqa: SIM115 (the server process holds it)
    )
    deadline = time.monotonic() + timeout
    while not ready.exists():
        if process.poll() is not None:
            raise RuntimeError("sandbox exited: " + log.read_text()[-2000:])
        if time.monotonic() > deadline:
            stop_pid(process)
            raise RuntimeError("sandbox did not become ready")
        time.sleep(0.05)
    time.sleep(0.05)  # the file is written in one go, but give the writer a moment to close it
    info = json.loads(ready.read_text())
    return SandboxProcess(process, info["url"], info["api_key"], info["ids"])


@dataclass
class Lab:
    url: str
    root: Path
    process: subprocess.Popen

    def write_notebook(self, name: str, cells: list[str]) -> Path:
        notebook = new_notebook(
            cells=[new_code_cell(source) for source in cells],
            metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        )
        path = self.root / name
        nbformat.write(notebook, path)
        return path


def _settings(config: Path) -> None:
    user = config / "lab" / "user-settings"
    for plugin, values in {
        "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
        "@jupyter-widgets/jupyterlab-manager/plugin": {"saveState": True},
    }.items():
        path = user / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


def start_lab(sandbox, app: str = "jupyterlab") -> Lab:
    base = Path(tempfile.mkdtemp(prefix="nbw-lab-"))
    root = base / "notebooks"
    root.mkdir()
    env = {**os.environ, "NBWIDGETS_SANDBOX_URL": sandbox.url, "NBWIDGETS_SANDBOX_KEY": sandbox.api_key}
    for name in ("config", "data", "runtime", "ipython"):
        (base / name).mkdir()
    env.update(
        JUPYTER_CONFIG_DIR=str(base / "config"),
        JUPYTER_DATA_DIR=str(base / "data"),
        JUPYTER_RUNTIME_DIR=str(base / "runtime"),
        IPYTHONDIR=str(base / "ipython"),
    )
    env.pop("ORQ_API_KEY", None)
    _settings(base / "config")
    # The free port can be taken by another process before the server binds it (seen under load):
    # the server then exits at once (port_retries=0), and a new free port is tried.
    for attempt in range(3):
        try:
            return _start_jupyter(app, base, root, env, free_port())
        except PortTaken:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


class PortTaken(RuntimeError):
    pass


def _start_jupyter(app: str, base: Path, root: Path, env: dict[str, str], port: int) -> Lab:
    common = [
        f"--port={port}",
        "--ip=127.0.0.1",
        "--no-browser",
        "--ServerApp.port_retries=0",
        "--IdentityProvider.token=",
        "--ServerApp.password=",
        "--allow-root",
        f"--ServerApp.root_dir={root}",
    ]
    if app == "jupyterlab":
        command = [
            sys.executable,
            "-m",
            "jupyterlab",
            *common,
            "--LabApp.expose_app_in_browser=True",
            "--LabApp.news_url=None",
            "--LabApp.extension_manager=readonly",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ]
    else:
        command = [sys.executable, "-m", "notebook", *common, "--JupyterNotebookApp.expose_app_in_browser=True"]
    log = open(base / "server.log", "wb")  # noqa: SIM115 (the server process holds it)
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            said = (base / "server.log").read_text()[-3000:]
            taken = "already in use" in said or "is not available" in said
            raise (PortTaken if taken else RuntimeError)(f"{app} exited: {said}")
        try:
            if httpx.get(url + "/api/status", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            stop_pid(process)
            raise RuntimeError(f"{app} did not start")
        time.sleep(0.2)
    return Lab(url, root, process)


@dataclass
class Marimo:
    """A `marimo edit` (or `marimo run`) server over a folder of notebooks the tests write."""

    url: str
    root: Path
    process: subprocess.Popen
    log: Path

    def write_app(self, name: str, cells: list[str]) -> Path:
        """A marimo app file: each cell's source becomes one `@app.cell` function (marimo works out
        what each cell defines and uses when it loads the file)."""
        path = self.root / name
        path.write_text(marimo_app(cells))
        return path

    def app_url(self, path: Path) -> str:
        return f"{self.url}/?file={path.name}"


def marimo_app(cells: list[str]) -> str:
    body = []
    for source in cells:
        indented = "\n".join(("    " + line) if line.strip() else "" for line in source.strip("\n").splitlines())
        body.append(f"@app.cell\ndef _():\n{indented}\n    return\n")
    return (
        "import marimo\n\napp = marimo.App()\n\n\n"
        + "\n\n".join(body)
        + '\n\nif __name__ == "__main__":\n    app.run()\n'
    )


def start_marimo(sandbox: SandboxProcess, mode: str = "edit", target: Path | None = None) -> Marimo:
    """`marimo edit FOLDER` (the tests open `/?file=NAME.py`) or `marimo run FILE`, on a free port.

    The notebooks' kernels inherit NBWIDGETS_SANDBOX_URL/KEY (so `Client.sandbox()` is the session's
    sandbox). The config file in the folder runs cells on open and lets the browser's colour scheme
    choose marimo's theme; HOME points into the temp dir so no user config is read.
    """
    base = Path(tempfile.mkdtemp(prefix="nbw-marimo-"))
    root = base / "notebooks"
    root.mkdir()
    (root / ".marimo.toml").write_text(
        '[display]\ntheme = "system"\n\n[runtime]\nauto_instantiate = true\n\n[completion]\ncopilot = false\n'
    )
    env = {
        **os.environ,
        "NBWIDGETS_SANDBOX_URL": sandbox.url,
        "NBWIDGETS_SANDBOX_KEY": sandbox.api_key,
        "HOME": str(base),
        "XDG_CONFIG_HOME": str(base / "config"),
        "XDG_CACHE_HOME": str(base / "cache"),
        "XDG_STATE_HOME": str(base / "state"),
    }
    env.pop("ORQ_API_KEY", None)
    port = free_port()
    marimo = str(Path(sys.executable).with_name("marimo"))
    served = str(target) if target is not None else str(root)
    command = [marimo, "-q", mode, served, "--host", "127.0.0.1", "--port", str(port), "--headless", "--no-token"]
    if mode == "edit":
        command.append("--skip-update-check")
    log = base / "marimo.log"
    process = subprocess.Popen(
        command,
        cwd=root,
        env=env,
        stdout=open(log, "wb"),  # noqa: SIM115 (the server process holds it)
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            raise RuntimeError("marimo exited: " + log.read_text()[-3000:])
        try:
            if httpx.get(url + "/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            stop_pid(process)
            raise RuntimeError("marimo did not start: " + log.read_text()[-3000:])
        time.sleep(0.2)
    return Marimo(url, root, process, log)


def versions_made_from(client, version):
    """(Overmind) the versions whose metadata says they were made by editing `version`."""
    listing = client.list_datasets(agent=version.agent).items
    return [d for d in listing if d.metadata.get("edited_from") == version.id]


def wait_for(condition, timeout: float = 30.0, what: str = "condition") -> None:
    """Poll `condition` until it holds; fail (never hang) after `timeout` seconds, saying what was awaited."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not met within {timeout:g} s")
        time.sleep(0.01)
