"""Issue 22, item 1: a key read from a file (ending in a line break, CRLF or NUL) works and never leaks; a key
with a control character inside is refused at once, naming where it came from and never showing it; and no
error text built from an httpx exception can carry a header: not the exception, not a log record, not the
outbox file's `last_error`, not a grid's `row_status` (synced to the browser and saved with the notebook).
"""

from __future__ import annotations

import logging
import sqlite3
import traceback

import pytest

from nbwidgets import Client, DatasetGrid
from nbwidgets.client import NbwidgetsError, RetryPolicy

FAST = RetryPolicy(max_retries=2, initial_delay=0.01, max_delay=0.05, max_elapsed=5)
ENDS = ["\n", "\r\n", "\0", " \t\n", "\n\0"]
INSIDE = ["\n", "\r\n", "\0", "\x01", "\x1b", "\x7f", "\t"]


@pytest.mark.parametrize("end", ENDS, ids=repr)
def test_a_key_ending_in_a_line_break_or_nul_works(sandbox, end, tmp_path, monkeypatch):
    monkeypatch.setenv("NBWIDGETS_CACHE_DIR", str(tmp_path))
    with Client.orq(sandbox.api_key + end, sandbox.url, retry=FAST) as client:
        assert client.list_datasets() is not None
    if "\0" in end:
        return  # an environment variable cannot hold a NUL
    monkeypatch.setenv("ORQ_API_KEY", end + sandbox.api_key + end)
    with Client.orq(base_url=sandbox.url, retry=FAST) as client:
        assert client.list_datasets() is not None


@pytest.mark.parametrize("inside", INSIDE, ids=repr)
def test_a_key_with_a_control_character_inside_is_refused_naming_its_source(inside, monkeypatch):
    secret = "sk-SECRETPART" + inside + "OTHERPART"
    with pytest.raises(ValueError) as given:
        Client.orq(secret, "http://127.0.0.1:9")
    assert "api_key argument" in str(given.value)
    assert "SECRETPART" not in "".join(traceback.format_exception(given.value))
    if "\0" in inside:
        return  # an environment variable cannot hold a NUL
    monkeypatch.setenv("ORQ_API_KEY", secret)
    with pytest.raises(ValueError) as from_env:
        Client.orq(base_url="http://127.0.0.1:9")
    monkeypatch.setenv("NBWIDGETS_SANDBOX_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("NBWIDGETS_SANDBOX_KEY", secret)
    with pytest.raises(ValueError) as sandbox_env:
        Client.sandbox()
    assert "api_key argument" in str(given.value)
    assert "ORQ_API_KEY" in str(from_env.value)
    assert "NBWIDGETS_SANDBOX_KEY" in str(sandbox_env.value)
    for error in (given, from_env, sandbox_env):
        text = "".join(traceback.format_exception(error.value))
        assert "control character" in text and "SECRETPART" not in text and "OTHERPART" not in text


@pytest.mark.parametrize("inside", ["\n", "\r\n", "\0", "\x01"], ids=repr)
def test_no_error_built_from_httpx_carries_the_key(sandbox, orq, inside, tmp_path, monkeypatch, caplog):
    """Past the check (a key changed after it, or a header some other way wrong): the transport's error
    words never hold the key, wherever they go."""
    monkeypatch.setenv("NBWIDGETS_CACHE_DIR", str(tmp_path))
    caplog.set_level(logging.DEBUG)
    dataset = orq.create_dataset("key-leak")
    [dp] = orq.create_datapoints(dataset.id, [{"expected_output": "original"}])
    client = Client.orq(sandbox.api_key, sandbox.url, retry=FAST)
    grid = DatasetGrid(client, dataset.id, page_size=5)
    assert grid.rows
    client._key._value = "sk-SECRETPART" + inside + "OTHERPART"  # what the header would carry
    texts = []
    with pytest.raises(NbwidgetsError) as read:
        client.get_datapoint(dataset.id, dp.id)
    texts += [str(read.value), repr(read.value), "".join(traceback.format_exception(read.value))]
    handle = grid.edit(dp.id, expected_output="edited", wait=False)
    with pytest.raises(NbwidgetsError) as write:
        handle.result(30)
    texts += [str(write.value), "".join(traceback.format_exception(write.value))]
    assert grid.row_status[dp.id]["state"] == "failed"  # final: sending it again would fail the same way
    texts.append(repr(grid.row_status))
    texts += [entry["last_error"] or "" for entry in client.outbox.failed()]
    client.close()
    with sqlite3.connect(tmp_path / "outbox.sqlite3") as db:  # the file itself, every column
        texts += [repr(row) for row in db.execute("SELECT * FROM entry")]
    for record in caplog.records:
        texts.append(record.getMessage())
        if record.exc_info:
            texts.append("".join(traceback.format_exception(*record.exc_info)))
    if inside != "\x01":  # h11 sends a \x01 (the service refuses the key); a line break or NUL it will not
        assert "could not be sent" in str(read.value)
    leaked = [t for t in texts if "SECRETPART" in t or "OTHERPART" in t]
    assert not leaked, leaked[0]
