"""Every example notebook runs top to bottom on the sandbox (each kernel starts its own, as a user's would)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "example_notebooks"
EXAMPLES = sorted(EXAMPLES_DIR.glob("*.ipynb"))


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
    if path.stem.startswith("09_"):  # Run All must not un-blind the comparison: no output names a variant
        last = notebook.cells[-1]["outputs"][-1]["data"]["text/plain"]
        assert last == "False", last
        shown = json.dumps(
            [o for cell in notebook.cells for o in cell.get("outputs", []) if "data" in o or "text" in o]
        )
        assert "concise" not in shown and "current" not in shown, "an output says which variant is which"


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


def test_example_02_runs_again_and_again_against_one_sandbox_and_errors_read_as_sentences(
    sandbox, tmp_path, monkeypatch
):
    """A second (and third) Run All in the same kernel, against one sandbox (as in the demo), runs clean;
    an error from a widget call shows its sentence, not the futures machinery that carried it."""
    from nbclient.exceptions import CellExecutionError
    from nbformat.v4 import new_code_cell

    for name in ("ORQ_API_KEY", "OVERMIND_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NBWIDGETS_SANDBOX_URL", sandbox.url)
    monkeypatch.setenv("NBWIDGETS_SANDBOX_KEY", sandbox.api_key)
    notebook = nbformat.read(EXAMPLES_DIR / "02_edit_an_evaluator.ipynb", as_version=4)
    client = NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    with client.setup_kernel():
        for run in range(3):
            for index, cell in enumerate(notebook.cells):
                try:
                    client.execute_cell(cell, index)
                except CellExecutionError as error:
                    raise AssertionError(f"run {run + 1}, cell {index}: {str(error)[-1500:]}") from None
        # a widget call refused by the service: the sentence, from the call, without futures frames
        probe = new_code_cell(
            "again = EvaluatorForm(client)\n"
            "again.draft = {**again.draft, 'key': 'is_concise', 'prompt': 'Is {{output}} short?',"
            " 'model': 'openai/gpt-4o-mini'}\n"
            "again.save()"
        )
        notebook.cells.append(probe)
        client.allow_errors = True
        client.execute_cell(probe, len(notebook.cells) - 1)
    [error] = [o for o in probe.outputs if o.get("output_type") == "error"]
    trace = "\n".join(error["traceback"])
    assert error["ename"] == "ConflictError" and "already exists" in error["evalue"]
    assert "concurrent" not in trace and "futures" not in trace and "transport.py" not in trace
