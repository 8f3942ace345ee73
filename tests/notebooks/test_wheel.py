"""What a new user gets: the wheel, installed with JupyterLab only into a fresh venv, runs every example.

No pandas, no tqdm, no repository on the path: only `pip install nbwidgets-*.whl jupyterlab`. pip's cache
keeps the install to about a minute after the first run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "example_notebooks").glob("*.ipynb"))

RUNNER = r"""
import importlib.util, json, sys
from pathlib import Path

import nbformat
import nbwidgets
from nbclient import NotebookClient

assert "site-packages" in nbwidgets.__file__, nbwidgets.__file__  # the installed wheel, not the checkout
assert importlib.util.find_spec("pandas") is None, "pandas is an extra: a plain install has none"
results = {}
for path in sorted(Path(sys.argv[1]).glob("*.ipynb")):
    notebook = nbformat.read(path, as_version=4)
    try:
        resources = {"metadata": {"path": str(path.parent)}}
        NotebookClient(notebook, timeout=180, kernel_name="python3", resources=resources).execute()
    except Exception as error:
        results[path.name] = f"{type(error).__name__}: {error}"[-3000:]
        continue
    widgets = sum(
        "application/vnd.jupyter.widget-view+json" in output.get("data", {})
        for cell in notebook.cells for output in cell.get("outputs", [])
    )
    results[path.name] = "ok" if widgets else "no widget displayed"
print(json.dumps(results))
"""


def run(command: list[str], **options) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, capture_output=True, text=True, check=False, **options)
    assert result.returncode == 0, f"{' '.join(command)}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-w", str(dist), "-q"], timeout=600)
    [built] = dist.glob("nbwidgets-*.whl")
    return built


def test_the_wheel_carries_the_front_end_and_only_the_package(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    for widget in ("grid", "form", "feedback"):
        assert f"nbwidgets/static/{widget}.js" in names
    assert not [n for n in names if n.startswith(("tests/", "js/", "example_notebooks/", "scripts/"))]


def test_every_example_runs_from_the_wheel_with_jupyterlab_only(wheel, tmp_path):
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)], timeout=120)
    python = venv / "bin" / "python"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ORQ_", "OVERMIND_", "NBWIDGETS_", "JUPYTER", "PYTHON", "VIRTUAL_ENV", "IPYTHON"))
    }
    env.update(
        JUPYTER_CONFIG_DIR=str(tmp_path / "jupyter-config"),
        JUPYTER_DATA_DIR=str(tmp_path / "jupyter-data"),
        JUPYTER_RUNTIME_DIR=str(tmp_path / "jupyter-runtime"),
        IPYTHONDIR=str(tmp_path / "ipython"),
        PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
    )
    run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel), "jupyterlab"],
        env=env,
        timeout=900,
    )
    work = tmp_path / "examples"
    work.mkdir()
    for example in EXAMPLES:
        shutil.copy(example, work / example.name)
    runner = tmp_path / "run_examples.py"
    runner.write_text(RUNNER)
    result = run([str(python), str(runner), str(work)], env=env, cwd=tmp_path, timeout=900)

    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(outcome) == {example.name for example in EXAMPLES}
    assert outcome == dict.fromkeys(outcome, "ok")
