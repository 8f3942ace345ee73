"""Every example notebook runs top to bottom on the sandbox (each kernel starts its own, as a user's would)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "example_notebooks").glob("*.ipynb"))


def test_there_are_examples():
    assert len(EXAMPLES) >= 4


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs_top_to_bottom(path, tmp_path, monkeypatch):
    for name in ("ORQ_API_KEY", "OVERMIND_API_KEY", "NBWIDGETS_SANDBOX_URL", "NBWIDGETS_SANDBOX_KEY"):
        monkeypatch.delenv(name, raising=False)
    notebook = nbformat.read(path, as_version=4)
    # the kernel inherits this process's environment, without the keys removed above
    NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    errors = [o for cell in notebook.cells for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    widgets = [
        o
        for cell in notebook.cells
        for o in cell.get("outputs", [])
        if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    ]
    assert widgets, "the example displayed no widget"


@pytest.fixture
def without_pandas(tmp_path, monkeypatch):
    """Kernels (and this process) where `import pandas` fails, as where the extra is not installed."""
    shim = tmp_path / "no-pandas"
    shim.mkdir()
    (shim / "pandas.py").write_text("raise ModuleNotFoundError(\"No module named 'pandas'\", name='pandas')\n")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(shim), os.environ.get("PYTHONPATH", "")]))
    monkeypatch.setitem(sys.modules, "pandas", None)  # this process: import pandas -> ImportError
    return shim


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs_without_pandas_or_says_it_needs_it(path, tmp_path, monkeypatch, without_pandas):
    """pandas is an extra: the examples must not need it silently. A cell that needs it may fail, but
    only with the error that names the extra; every other cell runs."""
    for name in ("ORQ_API_KEY", "OVERMIND_API_KEY", "NBWIDGETS_SANDBOX_URL", "NBWIDGETS_SANDBOX_KEY"):
        monkeypatch.delenv(name, raising=False)
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()
    errors = [o for cell in notebook.cells for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    unexplained = [f"{e['ename']}: {e['evalue']}" for e in errors if "nbwidgets[pandas]" not in e["evalue"]]
    assert unexplained == []
