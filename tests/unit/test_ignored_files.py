"""What the editors and tools leave in the working copy is ignored by git (nothing to commit by mistake)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "path",
    [
        "example_notebooks/__marimo__/session/07_marimo_app.py.json",  # `marimo edit` on an example
        "__marimo__/session/app.py.json",
        ".demo/notebooks/01_browse_and_edit_a_dataset.ipynb",
    ],
)
def test_tool_leftovers_are_ignored(path):
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git working copy")
    assert subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT).returncode == 0, path
