"""The outbox: durable, ordered per key, retried until delivered, and drained by the next process."""

from __future__ import annotations

import gc
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
import weakref

import pytest
from servers import wait_for

from nbwidgets import Client, FeedbackButtons
from nbwidgets.client import NotFoundError, RetryPolicy

FAST = RetryPolicy(max_retries=6, initial_delay=0.01, max_delay=0.1)


def test_a_thousand_writes_from_many_widgets_under_faults_are_exactly_a_thousand_records(
    sandbox, tmp_path, monkeypatch
):
    monkeypatch.setenv("NBWIDGETS_CACHE_DIR", str(tmp_path))
    sandbox.set_faults(fault_rate=0.3, rate_limit_rate=0.1, retry_after_ms=5)
    sandbox.add_traces(*(f"trace-load-{i}" for i in range(50)))
    client = Client.orq(sandbox.api_key, sandbox.url, retry=FAST)
    widgets = [FeedbackButtons(client, trace_id=f"trace-load-{i % 50}", property="rating") for i in range(1000)]
    for index, widget in enumerate(widgets):
        widget.submit("good" if index % 2 else "bad")
    assert client.outbox.flush(timeout=240)
    stats = sandbox.control("GET", "/_sandbox/stats")
    sandbox.clear_faults()
    stored = [f for i in range(50) for f in sandbox.feedback(f"trace-load-{i}")]
    assert len(stored) == 1000 and len({f["id"] for f in stored}) == 1000
    assert {f["id"] for f in stored} == {w.feedback_id for w in widgets}
    assert stats["fault drop"] > 0 and stats["fault 500"] > 0 and stats["fault 429"] > 0
    assert client.outbox.pending() == [] and client.outbox.failed() == []
    client.close()


def test_a_killed_process_leaves_its_writes_for_the_next_client(sandbox, tmp_path):
    sandbox.add_traces("trace-killed")
    sandbox.set_faults(fault_rate=1.0)  # nothing gets through before the kill
    script = textwrap.dedent(f"""
        import sys, time
        from nbwidgets import Client
        client = Client.orq({sandbox.api_key!r}, {sandbox.url!r})
        for i in range(40):
            client.queue_feedback("trace-killed", "correction", f"text {{i}}", id=None)
        print("queued", len(client.outbox.pending()), flush=True)
        time.sleep(60)
    """)
    env = {**os.environ, "NBWIDGETS_CACHE_DIR": str(tmp_path)}
    process = subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "queued 40"
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)
    sandbox.clear_faults()
    time.sleep(0.2)
    assert len(sandbox.feedback("trace-killed")) < 40  # the first process did not deliver them all
    drain = textwrap.dedent(f"""
        from nbwidgets import Client
        client = Client.orq({sandbox.api_key!r}, {sandbox.url!r})
        print(len(client.outbox.pending()), client.outbox.flush(timeout=60), len(client.outbox.pending()))
    """)
    result = subprocess.run([sys.executable, "-c", drain], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    left, flushed, after = result.stdout.split()
    assert int(left) > 0 and flushed == "True" and after == "0"
    assert len(sandbox.feedback("trace-killed")) == 40


def test_writes_to_one_feedback_arrive_in_order(sandbox, tmp_path, monkeypatch):
    monkeypatch.setenv("NBWIDGETS_CACHE_DIR", str(tmp_path))
    sandbox.add_traces("trace-order")
    with Client.orq(sandbox.api_key, sandbox.url, retry=FAST) as client:
        sandbox.set_faults(fault_rate=0.4)
        ticket = None
        for value in ["a", "b", "c", "d", "e"]:
            ticket = client.queue_feedback("trace-order", "correction", value, id="01JJ1HDHN79XAS7A01WB3HYSDQ")
        assert client.outbox.flush(60)
        sandbox.clear_faults()
        assert ticket.result(1).value == "e"
        assert [f["value"] for f in sandbox.feedback("trace-order")] == ["e"]


def test_the_key_is_not_stored(sandbox, tmp_path, monkeypatch):
    monkeypatch.setenv("NBWIDGETS_CACHE_DIR", str(tmp_path))
    sandbox.set_faults(fault_rate=1.0)
    client = Client.orq(sandbox.api_key, sandbox.url, retry=RetryPolicy(max_retries=0))
    client.queue_feedback("trace-key", "rating", "good")
    client.close()
    sandbox.clear_faults()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert sandbox.api_key.encode() not in raw and b"trace-key" in raw


def test_refused_writes_are_kept_as_failed_not_retried(sandbox, tmp_path, monkeypatch):
    monkeypatch.setenv("NBWIDGETS_CACHE_DIR", str(tmp_path))
    with Client.orq(sandbox.api_key, sandbox.url) as client:
        ticket = client.queue_feedback_removal("01JJ1HDHN79XAS7A01WB3HYSDZ", "trace-none")
        assert client.outbox.flush(10)
        assert client.outbox.failed()[0]["kind"] == "feedback.remove"
        assert "not found" in client.outbox.failed()[0]["last_error"]
        with pytest.raises(NotFoundError, match="not found"):
            ticket.result(1)
        assert ticket.state == "failed"
        assert client.outbox.discard_failed() == 1


def test_clients_left_behind_by_a_re_run_cell_stop_their_threads_and_are_freed(sandbox, tmp_path, monkeypatch):
    """`client = Client.orq(...)` in a cell run five times: each old client's outbox stops its threads
    once its write is delivered, so nothing holds the client and it is freed (no threads piling up)."""
    monkeypatch.setenv("NBWIDGETS_CACHE_DIR", str(tmp_path))
    sandbox.add_traces("trace-rerun")
    left_behind = []
    for _ in range(5):
        client = Client.orq(sandbox.api_key, sandbox.url, retry=FAST)
        client.outbox.idle_seconds = 0.1
        assert client.queue_feedback("trace-rerun", "rating", "good").result(30).value == "good"
        left_behind.append(weakref.ref(client))
    client = Client.orq(sandbox.api_key, sandbox.url, retry=FAST)  # the sixth run: the one in use now
    wait_for(
        lambda: gc.collect() >= 0 and all(ref() is None for ref in left_behind),
        timeout=20,
        what="the five clients left behind freed",
    )
    assert len(sandbox.feedback("trace-rerun")) == 5  # and every write they made was delivered
    client.close()


def test_an_outbox_that_stopped_when_idle_starts_again_for_the_next_write(sandbox, tmp_path, monkeypatch):
    """Writes that come just as the outbox stops its idle threads are delivered all the same: each write
    either is seen by the stopping dispatcher or starts a new one."""
    monkeypatch.setenv("NBWIDGETS_CACHE_DIR", str(tmp_path))
    sandbox.add_traces("trace-restart")
    with Client.orq(sandbox.api_key, sandbox.url, retry=FAST) as client:
        client.outbox.idle_seconds = 0.03
        dispatchers = set()
        handles = []
        for index in range(60):
            handles.append(client.queue_feedback("trace-restart", "correction", f"answer {index}"))
            dispatchers.add(client.outbox._threads[0])
            time.sleep((0.0, 0.02, 0.05, 0.12)[index % 4])  # around the idle bound, and past it
        assert [h.result(30).value for h in handles] == [f"answer {i}" for i in range(60)]
        assert len(dispatchers) > 10  # the threads really stopped and started again, many times
        assert sorted(f["value"] for f in sandbox.feedback("trace-restart")) == sorted(f"answer {i}" for i in range(60))
        wait_for(lambda: not any(t.is_alive() for t in client.outbox._threads), timeout=10, what="idle threads stopped")


def test_an_outbox_from_before_origins_is_upgraded_and_its_edit_delivered(sandbox, orq, tmp_path, monkeypatch):
    """A user upgrades with an edit still in the outbox: the file, written before writes had an origin,
    gains the new columns on open and the next client delivers the edit (with its conflict base)."""
    monkeypatch.setenv("NBWIDGETS_CACHE_DIR", str(tmp_path))
    dataset = orq.create_dataset(f"upgrade-{time.monotonic_ns()}")
    [datapoint] = orq.create_datapoints(dataset.id, [{"expected_output": "before"}])
    sandbox.set_faults(fault_rate=1.0)
    try:
        with Client.orq(sandbox.api_key, sandbox.url, retry=RetryPolicy(max_retries=0)) as old:
            handle = old.queue_datapoint_update(
                dataset.id,
                datapoint.id,
                {"expected_output": "queued before the upgrade"},
                expected_updated=datapoint.updated,
            )
            wait_for(lambda: handle.attempts >= 1 and handle.state == "queued", what="a failed first attempt")
    finally:
        sandbox.clear_faults()
    with sqlite3.connect(tmp_path / "outbox.sqlite3") as db:  # the file as the release before wrote it
        db.execute("ALTER TABLE entry DROP COLUMN origin")
        db.execute("ALTER TABLE landed DROP COLUMN origin")
    with Client.orq(sandbox.api_key, sandbox.url, retry=FAST) as new:
        assert new.outbox.flush(30) and new.outbox.failed() == []
    assert orq.get_datapoint(dataset.id, datapoint.id).expected_output == "queued before the upgrade"
    orq.delete_dataset(dataset.id)


def test_each_service_sees_only_its_own_writes_in_a_shared_outbox(sandbox, tmp_path, monkeypatch):
    """One outbox file serves every client of the user: a service that is down keeps its writes (pending,
    then refused ones) to itself; the sandbox's client lists none of them and discards none."""
    monkeypatch.setenv("NBWIDGETS_CACHE_DIR", str(tmp_path))
    down = Client.orq("another-key", "http://127.0.0.1:9", retry=RetryPolicy(max_retries=0))
    down.queue_feedback("trace-elsewhere", "rating", "good")
    with Client.orq(sandbox.api_key, sandbox.url, retry=FAST) as here:
        refused = here.queue_feedback_removal("01JJ1HDHN79XAS7A01WB3HYSDY", "trace-none")
        assert here.outbox.flush(10)
        with pytest.raises(NotFoundError):
            refused.result(1)
        assert here.outbox.pending() == []
        assert [e["kind"] for e in here.outbox.failed()] == ["feedback.remove"]
        assert [e["payload"]["trace_id"] for e in down.outbox.pending()] == ["trace-elsewhere"]
        assert down.outbox.failed() == []
        assert here.outbox.discard_failed() == 1
    assert len(down.outbox.pending()) == 1  # still there for when that service is back
    down.close()


def test_flush_returns_once_every_widget_shows_the_result(sandbox, tmp_path, monkeypatch):
    """`flush()` promises the screen, not just the service: a widget slow to show a saved write (its
    listener takes a while) has shown it by the time flush returns."""
    monkeypatch.setenv("NBWIDGETS_CACHE_DIR", str(tmp_path))
    sandbox.add_traces("trace-flush")
    shown = []

    def slow_widget(handle):
        if handle.state == "saved":
            time.sleep(0.5)
            shown.append(handle.value.value)

    with Client.orq(sandbox.api_key, sandbox.url, retry=FAST) as client:
        sandbox.set_faults(latency_ms=300)  # so the listener is attached before the write lands
        try:
            client.queue_feedback("trace-flush", "rating", "good").on_change(slow_widget)
            assert client.outbox.flush(30)
            assert shown == ["good"]
        finally:
            sandbox.clear_faults()
