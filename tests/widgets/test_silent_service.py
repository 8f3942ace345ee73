"""Issue 22, item 7: a service that accepts connections and never answers. Making a widget does not block the
kernel (the load is in the background); every wait that runs out says what it waited for."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from nbwidgets import Client, DatasetGrid, EvaluatorForm, FeedbackButtons
from nbwidgets.client import RetryPolicy, ServiceTimeoutError

DATASET = "01SILENTDATASET0000000000"


@pytest.fixture
def silent_url():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])  # accepted, never read, never answered
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join(5)
    for conn in held:
        conn.close()
    listener.close()


@pytest.fixture
def client(silent_url, tmp_path, monkeypatch):
    monkeypatch.setenv("NBWIDGETS_CACHE_DIR", str(tmp_path))
    with Client.orq("sk-silent-test-1234", silent_url, timeout=1, retry=RetryPolicy(initial_delay=0.05)) as made:
        yield made


def test_making_widgets_does_not_wait_for_a_silent_service(client):
    started = time.monotonic()
    grid = DatasetGrid(client, DATASET, page_size=5)
    EvaluatorForm(client, "01SILENTEVALUATOR00000000")
    FeedbackButtons(client, trace_id="trace-silent")
    assert time.monotonic() - started < 0.9  # less than one read timeout: nothing waited on the network
    assert grid.loading  # still loading, in the background


def test_a_read_that_runs_out_says_what_it_waited_for(client, silent_url):
    grid = DatasetGrid(client, DATASET, page_size=5)
    started = time.monotonic()
    with pytest.raises(ServiceTimeoutError) as waited:
        _ = grid.rows
    assert time.monotonic() - started < 15
    words = str(waited.value)
    assert silent_url in words and "1 s" in words and f"page 1 of dataset {DATASET}" in words
    assert not grid.loading and grid.error  # the grid says so on screen too
    with pytest.raises(ServiceTimeoutError, match=r"had not answered within 1 s"):
        client.list_datasets()


def test_a_write_wait_that_runs_out_says_what_it_waited_for(client):
    grid = DatasetGrid(client, DATASET, page_size=5)
    with pytest.raises(TimeoutError) as waited:  # a TimeoutError, with words (it was empty)
        grid.edit("01SILENTDATAPOINT00000000", expected_output="x", timeout=2)
    assert "within 2 s" in str(waited.value)
    handle = grid.edit("01SILENTDATAPOINT00000001", expected_output="y", wait=False)
    with pytest.raises(TimeoutError) as waited:  # the handle's own wait says which write and where it stands
        handle.result(2)
    words = str(waited.value)
    assert "not settled within 2 s" in words and "01SILENTDATAPOINT00000001" in words
    assert "stays in the outbox" in words
