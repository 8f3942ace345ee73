"""The demo: a sandbox with demo data and JupyterLab on the first example, until Ctrl+C.

Run through `./dev demo`. Notebooks are opened from a working copy under .demo/ so that running
them does not change the repository's examples. Ctrl+C, SIGTERM and SIGHUP (a closed terminal) all
stop JupyterLab, its kernels and the sandbox.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIRST = "01_browse_and_edit_a_dataset.ipynb"
LARGE = "06_any_size_dataset.ipynb"
# JupyterLab's settings that the demo changes from their defaults: no "Jupyter news?" toast over the widgets.
LAB_OVERRIDES = {"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False}}


class Stop(Exception):
    """SIGTERM or SIGHUP arrived: stop everything as Ctrl+C does."""


def _raise_stop(signum: int, _frame: object) -> None:
    raise Stop(signal.Signals(signum).name)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def descendants(process: subprocess.Popen) -> list:
    """The process's children and theirs (JupyterLab's kernels run in their own session: a signal to
    JupyterLab's process group would miss them)."""
    try:
        import psutil

        return psutil.Process(process.pid).children(recursive=True)
    except Exception:  # psutil missing, or the process already gone
        return []


def stop(process: subprocess.Popen) -> None:
    """SIGTERM (JupyterLab shuts its kernels down), wait, then kill whatever of its tree is left, by PID."""
    left = descendants(process)
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
    for child in left:
        try:
            child.wait(3)
        except Exception:
            try:
                child.kill()
            except Exception:
                pass


def lab_app_settings(folder: Path) -> Path:
    """A settings folder for this JupyterLab whose overrides.json carries LAB_OVERRIDES (over a copy of the
    installed one, if any), so the user's own settings and the venv stay untouched."""
    try:
        from jupyterlab.commands import get_app_dir

        installed = Path(get_app_dir()) / "settings"
    except Exception:
        installed = None
    if installed is not None and installed.is_dir():
        shutil.copytree(installed, folder, dirs_exist_ok=True)
    folder.mkdir(parents=True, exist_ok=True)
    overrides_file = folder / "overrides.json"
    overrides = json.loads(overrides_file.read_text()) if overrides_file.exists() else {}
    for plugin, values in LAB_OVERRIDES.items():
        overrides[plugin] = {**overrides.get(plugin, {}), **values}
    overrides_file.write_text(json.dumps(overrides, indent=2))
    return folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8888, help="JupyterLab's port (0: any free one)")
    parser.add_argument("--datapoints", type=int, default=100_000, help="size of the generated dataset")
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--fresh", action="store_true", help="replace the working copy of the notebooks")
    parser.add_argument(
        "--work", type=Path, default=ROOT / ".demo" / "notebooks", help="where the working copy of the notebooks lives"
    )
    args = parser.parse_args()
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _raise_stop)

    work = args.work
    if args.fresh and work.exists():
        shutil.rmtree(work)
    if not work.exists():
        shutil.copytree(ROOT / "example_notebooks", work)
    for example in (ROOT / "example_notebooks").glob("*.ipynb"):  # examples added since the copy was made
        if not (work / example.name).exists():
            shutil.copy(example, work / example.name)

    # the ready file holds the sandbox's key: it lives in a private temp folder that every exit path removes
    ready_folder = Path(tempfile.mkdtemp(prefix="nbw-demo-"))
    try:
        return _run(args, work, ready_folder / "ready.json")
    finally:
        shutil.rmtree(ready_folder, ignore_errors=True)


def _run(args: argparse.Namespace, work: Path, ready: Path) -> int:
    key = secrets.token_urlsafe(16)
    print("== starting the sandbox with demo data", flush=True)
    sandbox = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "nbwidgets.sandbox",
            "--port",
            "0",
            "--api-key",
            key,
            "--datapoints",
            str(args.datapoints),
            "--ready-file",
            str(ready),
        ]
    )
    lab = None
    try:
        while not ready.exists():
            if sandbox.poll() is not None:
                print("the sandbox did not start", file=sys.stderr)
                return 1
            time.sleep(0.1)
        time.sleep(0.1)
        info = json.loads(ready.read_text())
        port = args.port if args.port and _port_free(args.port) else free_port()
        token = secrets.token_hex(16)
        env = {**os.environ, "NBWIDGETS_SANDBOX_URL": info["url"], "NBWIDGETS_SANDBOX_KEY": key}
        command = [
            sys.executable,
            "-m",
            "jupyterlab",
            f"--port={port}",
            "--ServerApp.port_retries=0",
            "--ip=127.0.0.1",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={work}",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            f"--LabApp.app_settings_dir={lab_app_settings(work.parent / 'lab-settings')}",
        ]
        if os.geteuid() == 0:
            command.append("--allow-root")
        if args.no_browser or (not os.environ.get("DISPLAY") and sys.platform.startswith("linux")):
            command.append("--no-browser")
        command.append(f"--LabApp.default_url=/lab/tree/{FIRST}")
        log = open(work.parent / "jupyterlab.log", "wb")  # noqa: SIM115 (the server outlives this block)
        lab = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}/lab/tree/{FIRST}?token={token}"
        _wait_for(f"http://127.0.0.1:{port}/api/status?token={token}", lab)
        print(
            f"\n  JupyterLab: {url}\n  Sandbox:    {info['url']}  (orq /v2, Overmind /api)\n"
            f"  Notebooks:  {work}  ({LARGE}: the generated dataset of {args.datapoints:,})\n"
            f"  Log:        {work.parent / 'jupyterlab.log'}\n\n"
            "  Ctrl+C stops both.\n",
            flush=True,
        )
        lab.wait()
    except (KeyboardInterrupt, Stop):
        print("\n== stopping", flush=True)
    finally:
        # a second signal while stopping must not cut the cleanup short
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)
        if lab is not None:
            stop(lab)
        stop(sandbox)
    return 0


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _wait_for(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("JupyterLab exited at start (see jupyterlab.log beside the notebooks)")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("JupyterLab did not answer in time")


if __name__ == "__main__":
    sys.exit(main())
