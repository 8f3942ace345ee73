"""A missing optional dependency is an error that names the extra to install, never a bare ModuleNotFoundError."""

from __future__ import annotations

import sys

import pytest

from nbwidgets import Client, DatasetGrid
from nbwidgets._extras import MissingExtraError, require


@pytest.fixture
def no_pandas(monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # `import pandas` now fails as if it were not installed


def test_require_names_the_extra(no_pandas):
    with pytest.raises(MissingExtraError) as info:
        require("pandas", "this feature")
    assert str(info.value) == 'this feature needs pandas, an optional dependency: pip install "nbwidgets[pandas]"'
    assert isinstance(info.value, ImportError) and info.value.name == "pandas"  # `except ImportError` still works


def test_the_grid_and_the_client_say_which_extra_they_need(no_pandas, sandbox):
    client = Client.orq(sandbox.api_key, sandbox.url)
    grid = DatasetGrid(client, sandbox.ids["rag"], page_size=5)
    with pytest.raises(MissingExtraError, match=r'DatasetGrid.to_pandas\(\) needs pandas.*"nbwidgets\[pandas\]"'):
        grid.to_pandas()
    with pytest.raises(MissingExtraError, match=r'datapoints_frame\(\) needs pandas.*"nbwidgets\[pandas\]"'):
        client.datapoints_frame(sandbox.ids["rag"])
    client.close()


def test_with_pandas_installed_it_is_simply_imported():
    pytest.importorskip("pandas")
    assert require("pandas", "x").DataFrame is not None
