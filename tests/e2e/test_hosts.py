"""Beyond JupyterLab: Notebook 7 (with the extension), Voila, and the one-command demo."""

from __future__ import annotations

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


def test_the_demo_command_starts_everything_and_ctrl_c_stops_it(tmp_path):
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_DATA_DIR": str(tmp_path / "data"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
    }
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
        url = re.search(r"JupyterLab: (\S+)", "".join(lines)).group(1)
        assert "/lab/tree/01_browse_and_edit_a_dataset.ipynb?token=" in url
        assert httpx.get(url, timeout=10).status_code == 200
        sandbox_url = re.search(r"Sandbox:\s+(\S+)", "".join(lines)).group(1)
        assert httpx.get(sandbox_url + "/_sandbox/health").status_code == 200
        children = psutil.Process(process.pid).children(recursive=True)
        assert len(children) >= 2
        process.send_signal(signal.SIGINT)  # Ctrl+C
        process.wait(30)
        time.sleep(0.5)
        assert not [c for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]
    finally:
        stop_pid(process)
