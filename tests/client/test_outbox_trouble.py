"""Issue 22, items 2, 3 and 6: an outbox that cannot be opened (a folder that cannot be written, a path under a
regular file, a damaged file), an entry whose payload is damaged, an entry of a kind this version does not know,
and a client closed before its first write. Each says what failed, where and what to do; the widget shows the
value as not saved; reads keep working; flush() returns and the outbox's threads stop."""

from __future__ import annotations

import logging
import os
import sqlite3
import time

import pytest

from nbwidgets import Client, DatasetGrid, FeedbackButtons
from nbwidgets.client import ClientClosedError, OutboxUnavailableError, RetryPolicy
from nbwidgets.client import cache as cache_module

FAST = RetryPolicy(max_retries=2, initial_delay=0.01, max_delay=0.05, max_elapsed=10)


@pytest.fixture
def dataset(orq):
    made = orq.create_dataset(f"outbox-trouble-{time.monotonic_ns()}")
    orq.create_datapoints(made.id, [{"expected_output": f"original {i}"} for i in range(3)])
    return made.id


def _unwritable_folder(tmp_path, monkeypatch):
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o500)
    if os.geteuid() == 0:  # root writes anywhere: fail as the file system would for anyone else
        real = cache_module.private_file

        def refused(path):
            if str(path).startswith(str(folder)):
                raise PermissionError(13, "Permission denied", str(path))
            return real(path)

        monkeypatch.setattr(cache_module, "private_file", refused)
    return folder


def _under_a_file(tmp_path, monkeypatch):
    regular = tmp_path / "a-file"
    regular.write_text("not a folder")
    return regular / "nbwidgets"


@pytest.mark.parametrize("place", [_unwritable_folder, _under_a_file], ids=["read-only-folder", "under-a-file"])
def test_an_outbox_that_cannot_be_opened_refuses_writes_in_a_sentence_and_reads_go_on(
    sandbox, dataset, tmp_path, monkeypatch, place
):
    folder = place(tmp_path, monkeypatch)
    monkeypatch.setenv("NBWIDGETS_CACHE_DIR", str(folder))
    client = Client.orq(sandbox.api_key, sandbox.url, retry=FAST)
    grid = DatasetGrid(client, dataset, page_size=5)  # reads work
    target = grid.rows[0]
    handle = grid.edit(target.id, expected_output="never stored", wait=False)
    with pytest.raises(OutboxUnavailableError) as refused:
        handle.result(5)
    words = str(refused.value)
    assert str(folder) in words and "NBWIDGETS_CACHE_DIR" in words and "nothing was saved" in words
    status = grid.row_status[target.id]
    assert status["state"] == "failed" and "NBWIDGETS_CACHE_DIR" in status["message"]
    assert status["draft"] == {"expected_output": "never stored"}  # the draft is kept, shown as not saved
    # the same through the front end's intent: answered, with a sentence on the row
    grid.handle({"type": "edit", "id": "e1", "datapoint_id": target.id, "field": "expected_output", "value": "x"})
    assert grid.row_status[target.id]["state"] == "failed"
    trace = sandbox.new_trace("outbox-trouble")
    thumbs = FeedbackButtons(client, trace_id=trace)
    thumbs.submit("good")
    assert thumbs.status == "failed" and "NBWIDGETS_CACHE_DIR" in thumbs.message
    assert client.get_datapoint(dataset, target.id).expected_output == target.expected_output  # reads go on
    assert sandbox.feedback(trace) == []
    client.close()


def test_a_damaged_outbox_file_is_moved_aside_and_a_new_one_begun(sandbox, dataset, tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("NBWIDGETS_CACHE_DIR", str(tmp_path))
    damaged = b"SQLite format 3\x00" + os.urandom(4096)
    for content in (b"this is not a database at all" * 100, damaged):
        for leftover in tmp_path.glob("outbox.sqlite3*"):
            leftover.unlink()
        (tmp_path / "outbox.sqlite3").write_bytes(content)
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="nbwidgets.client"):
            client = Client.orq(sandbox.api_key, sandbox.url, retry=FAST)
            grid = DatasetGrid(client, dataset, page_size=5)
            saved = grid.edit(grid.rows[0].id, expected_output=f"saved after damage {len(content)}")
        assert saved.expected_output == f"saved after damage {len(content)}"
        kept = list(tmp_path.glob("outbox.sqlite3.damaged-*"))
        assert [p for p in kept if p.read_bytes() == content], "the damaged file is kept for inspection"
        assert any("damaged" in r.getMessage() and "moved to" in r.getMessage() for r in caplog.records)
        client.close()


def test_an_entry_with_a_damaged_payload_is_skipped_and_reported_and_flush_returns(
    sandbox, dataset, tmp_path, monkeypatch
):
    monkeypatch.setenv("NBWIDGETS_CACHE_DIR", str(tmp_path))
    client = Client.orq(sandbox.api_key, sandbox.url, retry=FAST)
    outbox = client.outbox
    with sqlite3.connect(tmp_path / "outbox.sqlite3") as db:
        db.execute(
            "INSERT INTO entry (scope, kind, order_key, payload, created) VALUES (?, 'feedback.create', 'k', ?, ?)",
            (outbox.scope, "{not json", time.time()),
        )
    assert outbox.pending() == []  # skipped, not raised
    assert outbox.flush(20) is True
    [failed] = outbox.failed()
    assert failed["payload"] is None and "not readable JSON" in failed["last_error"]
    grid = DatasetGrid(client, dataset, page_size=5)
    assert (
        grid.edit(grid.rows[0].id, expected_output="after a damaged entry").expected_output == "after a damaged entry"
    )
    client.close()


def test_an_entry_of_an_unknown_kind_is_left_alone_reported_and_ignored_by_flush(
    sandbox, dataset, tmp_path, monkeypatch, caplog
):
    monkeypatch.setenv("NBWIDGETS_CACHE_DIR", str(tmp_path))
    first = Client.orq(sandbox.api_key, sandbox.url, retry=FAST)
    grid = DatasetGrid(first, dataset, page_size=5)
    target = grid.rows[0]
    key = f"{dataset}/{target.id}"
    first.outbox._store.add(first.outbox.scope, "datapoint.future_kind", key, {"x": 1}, None)  # a newer version's
    first.close()
    caplog.set_level(logging.DEBUG, logger="nbwidgets.client")
    client = Client.orq(sandbox.api_key, sandbox.url, retry=FAST)
    outbox = client.outbox
    outbox.idle_seconds = 0.2
    assert any("does not know" in r.getMessage() for r in caplog.records)
    [unknown] = outbox.unknown()
    assert unknown["kind"] == "datapoint.future_kind"
    assert outbox.pending() == []
    assert outbox.flush(10) is True
    grid = DatasetGrid(client, dataset, page_size=5)
    saved = grid.edit(target.id, expected_output="a known write on the same key goes on", timeout=20)
    assert saved.expected_output == "a known write on the same key goes on"
    deadline = time.monotonic() + 10
    while outbox._running and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not outbox._running, "the outbox's threads stop although an unknown entry is queued"
    assert [e["kind"] for e in outbox.unknown()] == ["datapoint.future_kind"]  # still there, for its version
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    client.close()


def test_a_write_through_a_closed_client_is_refused_in_a_sentence_and_nothing_is_stored(
    sandbox, dataset, tmp_path, monkeypatch
):
    monkeypatch.setenv("NBWIDGETS_CACHE_DIR", str(tmp_path))
    trace = sandbox.new_trace("closed-client")
    with Client.orq(sandbox.api_key, sandbox.url, retry=FAST) as closed:
        thumbs = FeedbackButtons(closed, trace_id=trace)
        grid = DatasetGrid(closed, dataset, page_size=5)
        target = grid.rows[0]
    thumbs.handle({"type": "submit", "id": "s1", "value": "good"})  # a click after the block
    assert thumbs.status == "failed" and "was closed" in thumbs.message and "not saved" in thumbs.message
    handle = grid.edit(target.id, expected_output="after close", wait=False)
    with pytest.raises(ClientClosedError, match="was closed"):
        handle.result(5)
    assert grid.row_status[target.id]["state"] == "failed"
    with pytest.raises(ClientClosedError, match="was closed"):
        closed.get_datapoint(dataset, target.id)
    with Client.orq(sandbox.api_key, sandbox.url, retry=FAST) as later:
        assert later.outbox.pending() == [] and later.outbox.failed() == []  # nothing stored, nothing lost silently
        assert later.outbox.flush(10)
    assert sandbox.feedback(trace) == []


def test_a_write_through_a_client_closed_after_its_first_write_is_refused_too(sandbox, dataset, tmp_path, monkeypatch):
    monkeypatch.setenv("NBWIDGETS_CACHE_DIR", str(tmp_path))
    with Client.orq(sandbox.api_key, sandbox.url, retry=FAST) as closed:
        grid = DatasetGrid(closed, dataset, page_size=5)
        target = grid.rows[0]
        assert grid.edit(target.id, expected_output="before the block ends").expected_output == "before the block ends"
    handle = grid.edit(target.id, expected_output="after close", wait=False)
    with pytest.raises(ClientClosedError, match="was closed"):
        handle.result(5)
    assert grid.row_status[target.id]["state"] == "failed" and "was closed" in grid.row_status[target.id]["message"]
