"""Beyond JupyterLab: Notebook 7 (with the extension), Voila, and the one-command demo."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest
from conftest import CELL_ERRORS, assert_no_cell_errors, start_lab, wait_for_kernel
from servers import free_port, stop_pid

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
GRID = ".nbw-grid table[role=grid] tbody tr[role=row]"


@pytest.fixture(scope="module")
def notebook7(sandbox):
    server = start_lab(sandbox, app="notebook")
    yield server
    stop_pid(server.process)


def test_notebook7_with_the_extension(page, notebook7, sandbox):
    notebook7.write_notebook(
        "nb7.ipynb",
        [
            "%load_ext nbwidgets\n%nbw connect sandbox",
            f"%nbw dataset {sandbox.ids['support']} --page-size 10",
        ],
    )
    page.goto(f"{notebook7.url}/notebooks/nb7.ipynb")
    wait_for_kernel(page)
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    page.wait_for_selector(f"{GRID}, {CELL_ERRORS}", timeout=60_000)
    assert_no_cell_errors(page)
    page.wait_for_selector(GRID)
    first = page.locator(GRID).first.get_attribute("data-id")
    page.get_by_role("button", name="Next page").click()
    page.get_by_text("Page 2 of 12").wait_for()
    assert page.locator(GRID).first.get_attribute("data-id") != first


def test_voila_renders_the_grid(page, sandbox, tmp_path):
    (tmp_path / "voila.ipynb").write_text(
        Path(ROOT / "example_notebooks" / "01_browse_and_edit_a_dataset.ipynb").read_text()
    )
    port = free_port()
    env = {**os.environ, "NBWIDGETS_SANDBOX_URL": sandbox.url, "NBWIDGETS_SANDBOX_KEY": sandbox.api_key}
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR"):
        env[name] = str(tmp_path / name.lower())
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "voila",
            "voila.ipynb",
            f"--port={port}",
            "--no-browser",
            "--Voila.ip=127.0.0.1",
            "--ServerApp.port_retries=0",
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "api/status", timeout=2).status_code < 500:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, "voila did not start"
            time.sleep(0.3)
        page.goto(url, timeout=120_000)
        page.wait_for_selector(GRID, timeout=120_000)
        grid = page.locator(".nbw-grid").first  # the example shows several widgets: its first grid
        assert grid.locator("tbody tr[role=row]").count() == 10
        grid.get_by_role("button", name="Next page").click()
        grid.get_by_text("Page 2 of 12").wait_for()
    finally:
        stop_pid(process)


def _listening(url: str) -> bool:
    try:
        httpx.get(url, timeout=2)
    except httpx.TransportError:
        return False
    return True


def key_in(ready_file) -> bool:
    return bool(json.loads(ready_file.read_text()).get("api_key"))


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=lambda s: s.name)
def test_the_demo_starts_everything_and_any_stop_signal_stops_all_of_it(tmp_path, stop_signal):
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_DATA_DIR": str(tmp_path / "data"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "TMPDIR": str(tmp_path / "tmp"),  # where the demo's ready file (it holds the sandbox's key) goes
    }
    (tmp_path / "tmp").mkdir()
    env.pop("NBWIDGETS_SANDBOX_URL", None)
    process = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "scripts" / "demo.py"),
            "--port",
            "0",
            "--no-browser",
            "--datapoints",
            "1000",
            "--work",
            str(tmp_path / "work"),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines = []
        deadline = time.monotonic() + 90
        while not any("Ctrl+C stops both" in line for line in lines):
            assert process.poll() is None and time.monotonic() < deadline, "".join(lines)
            lines.append(process.stdout.readline())
        text = "".join(lines)
        url = re.search(r"JupyterLab: (\S+)", text).group(1)
        assert "/lab/tree/01_browse_and_edit_a_dataset.ipynb?token=" in url
        assert httpx.get(url, timeout=10).status_code == 200
        sandbox_url = re.search(r"Sandbox:\s+(\S+)", text).group(1)
        assert httpx.get(sandbox_url + "/_sandbox/health").status_code == 200
        base, token = re.match(r"(http://[^/]+)/.*token=(\w+)", url).groups()
        headers = {"Authorization": f"token {token}"}

        # the large example is there, and JupyterLab's news toast is off
        assert (tmp_path / "work" / "06_any_size_dataset.ipynb").exists() and "06_any_size_dataset" in text
        notification = httpx.get(
            f"{base}/lab/api/settings/@jupyterlab/apputils-extension:notification", headers=headers, timeout=10
        ).json()
        # the demo's overrides make "Never" the default (JupyterLab's own default asks, with a toast)
        assert notification["schema"]["properties"]["fetchNews"]["default"] == "false"
        assert "fetchNews" not in notification["settings"]

        # a notebook with a running kernel, as a user would have
        session = httpx.post(
            f"{base}/api/sessions",
            headers=headers,
            json={"path": "01_browse_and_edit_a_dataset.ipynb", "type": "notebook", "kernel": {"name": "python3"}},
            timeout=60,
        ).json()
        kernel_id = session["kernel"]["id"]
        for _ in range(300):
            if psutil.Process(process.pid).children(recursive=True) and any(
                kernel_id in " ".join(child.cmdline()) for child in psutil.Process(process.pid).children(recursive=True)
            ):
                break
            time.sleep(0.1)
        tree = psutil.Process(process.pid).children(recursive=True)
        assert any(kernel_id in " ".join(child.cmdline()) for child in tree), "the kernel did not start"
        assert len(tree) >= 3  # JupyterLab, its kernel, the sandbox
        ready_files = list((tmp_path / "tmp").glob("nbw-demo-*/ready.json"))
        assert len(ready_files) == 1 and key_in(ready_files[0])

        process.send_signal(stop_signal)
        process.wait(40)
        assert "== stopping" in process.stdout.read()
        alive = [c for c in tree if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]
        assert not alive, [c.cmdline() for c in alive]
        assert not _listening(base + "/api/status") and not _listening(sandbox_url + "/_sandbox/health")
        # the ready file, holding the sandbox's key, is gone with its folder
        assert not list((tmp_path / "tmp").glob("nbw-demo-*")), list((tmp_path / "tmp").iterdir())
    finally:
        stop_pid(process)
