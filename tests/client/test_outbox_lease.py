"""The outbox's leases between processes: a lease that runs out frees its entry, a dead owner's
entries are freed at once, a live owner's are not; and a process with writes it can never deliver
(the service is down) still exits promptly, leaving them for the next one."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import time

import pytest
from servers import wait_for

from nbwidgets import Client
from nbwidgets.client.outbox_store import OutboxStore

SCOPE = "orq http://example.invalid fingerprint"


@pytest.fixture
def path(tmp_path):
    return tmp_path / "outbox.sqlite3"


def test_a_lease_that_runs_out_frees_the_entry_and_its_old_owner_may_not_send(path):
    first, second = OutboxStore(path), OutboxStore(path)  # two processes' views of one file
    try:
        first.lease_seconds = 0.3
        seq = first.add(SCOPE, "feedback.create", "k", {"n": 1}, None)
        [claimed] = first.claim(SCOPE, 10)
        assert claimed.seq == seq and claimed.attempts == 1
        assert second.claim(SCOPE, 10) == []  # leased: not the other's to send
        wait_for(lambda: time.time() > first.next_due(SCOPE))
        [taken] = second.claim(SCOPE, 10)  # the lease ran out: the other process takes it over
        assert taken.seq == seq and taken.attempts == 2
        assert first.renew([seq]) == set()  # the first owner learns it lost the entry (writes.py: do not send)
        assert second.renew([seq]) == {seq}
    finally:
        first.close()
        second.close()


def test_renewal_keeps_an_entry_past_its_first_lease(path):
    first, second = OutboxStore(path), OutboxStore(path)
    try:
        first.lease_seconds = 0.3
        seq = first.add(SCOPE, "feedback.create", "k", {"n": 1}, None)
        first.claim(SCOPE, 10)
        ends = time.monotonic() + 1.0
        while time.monotonic() < ends:
            assert first.renew([seq]) == {seq}
            assert second.claim(SCOPE, 10) == []
            time.sleep(0.05)
    finally:
        first.close()
        second.close()


def lease_in_child(path, *, stay: bool) -> subprocess.Popen:
    """A process that queues and leases one entry, says so, then dies at once (stay=False) or waits."""
    script = textwrap.dedent(f"""
        import os, sys, time
        from pathlib import Path
        from nbwidgets.client.outbox_store import OutboxStore
        store = OutboxStore(Path({str(path)!r}))
        store.add({SCOPE!r}, "feedback.create", {"live" if stay else "dead"!r}, {{"n": 1}}, None)  # a key each
        [entry] = store.claim({SCOPE!r}, 10)
        print(store.owner, flush=True)
        if {stay!r}:
            sys.stdin.read()
        os._exit(0)  # no release: as a killed kernel leaves it
    """)
    return subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)


def test_a_dead_owners_entries_are_freed_at_once_a_live_owners_are_not(path):
    dead = lease_in_child(path, stay=False)
    dead_owner = dead.stdout.readline().strip()
    dead.wait(30)
    alive = lease_in_child(path, stay=True)
    live_owner = alive.stdout.readline().strip()
    store = OutboxStore(path)
    try:
        assert dead_owner.split(":")[0] == socket.gethostname() and live_owner != dead_owner
        assert store.claim(SCOPE, 10) == []  # both leased for a minute
        store.reap_dead_owners(SCOPE)
        claimed = store.claim(SCOPE, 10)
        assert [e.key for e in claimed] == ["dead"]  # the dead process's entry, long before its lease ran out
        assert store.claim(SCOPE, 10) == []  # the live one's stays its own
    finally:
        alive.stdin.close()
        alive.wait(30)
        store.close()


def test_an_owner_on_another_host_is_left_to_its_lease(path):
    store = OutboxStore(path)
    try:
        store.add(SCOPE, "feedback.create", "k", {"n": 1}, None)
        store.owner = f"another-host-{os.getpid()}:1:abcd"  # pid 1 here means nothing there
        store.claim(SCOPE, 10)
        store.owner = f"{socket.gethostname()}:{os.getpid()}:mine"
        store.reap_dead_owners(SCOPE)
        assert store.claim(SCOPE, 10) == []
    finally:
        store.close()


def test_a_process_with_writes_for_a_down_service_exits_within_a_bound(tmp_path, monkeypatch):
    """Nothing listens at the URL: the writes can never be delivered. The process still ends promptly
    (the outbox's threads are daemons; exit gives leases back with a bounded wait), and the writes stay."""
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        down = f"http://127.0.0.1:{s.getsockname()[1]}"
    monkeypatch.setenv("NBWIDGETS_CACHE_DIR", str(tmp_path))
    script = textwrap.dedent(f"""
        from nbwidgets import Client
        client = Client.orq("key-0123456789", {down!r})
        handles = [client.queue_feedback("trace-down", "rating", "good") for _ in range(5)]
        handles += [client.queue_datapoint_update("01JJ1HDHN79XAS7A01WB3HYSDB", "01JJ1HDHN79XAS7A01WB3HYSDC",
                                                  {{"expected_output": "x"}}, expected_updated=None)]
        print(client.outbox.flush(timeout=1.0), len(client.outbox.pending()), flush=True)
    """)
    try:  # the bound: far above a normal exit, far below ./dev test's own limit
        result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("a process with undeliverable writes did not exit within 60 s")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "6"]
    with Client.orq("key-0123456789", down) as later:  # the next process finds them
        assert len(later.outbox.pending()) == 6


def test_a_failing_test_with_an_undeliverable_write_still_ends_its_pytest_run(tmp_path):
    """The hang this suite once had: a test fails while a background save waits on a down service, and
    the interpreter waited for it at exit. A pytest run of such a test must end, failing, within a bound."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        down = f"http://127.0.0.1:{s.getsockname()[1]}"
    (tmp_path / "test_hangs_not.py").write_text(
        textwrap.dedent(f"""
        from nbwidgets import Client, FeedbackButtons

        def test_fails_with_a_write_pending():
            client = Client.orq("key-0123456789", {down!r})
            widget = FeedbackButtons(client, trace_id="trace-down")
            widget.submit("good")
            assert widget.status == "sent", "fails on purpose, with the write still pending"
        """)
    )
    env = {**os.environ, "NBWIDGETS_CACHE_DIR": str(tmp_path / "cache")}
    try:
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path), str(tmp_path)],
            env=env,
            capture_output=True,
            text=True,
            timeout=90,
            cwd=tmp_path,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("a pytest run with an undeliverable write did not end within 90 s")
    assert result.returncode == 1 and "1 failed" in result.stdout, result.stdout[-2000:]


def test_a_process_that_lost_its_lease_mid_delivery_does_not_send(sandbox, orq, tmp_path, monkeypatch):
    """The lease runs out while the edit reads first (a suspended laptop, a stalled kernel) and another
    process takes the entry over: the first must not send it too."""
    monkeypatch.setenv("NBWIDGETS_CACHE_DIR", str(tmp_path))
    dataset = orq.create_dataset(f"lease-lost-{time.monotonic_ns()}")
    [point] = orq.create_datapoints(dataset.id, [{"expected_output": "before"}])
    client = Client.orq(sandbox.api_key, sandbox.url)
    other = OutboxStore(client.outbox.path)
    try:
        sandbox.set_faults(latency_ms=1500)  # the read before the PATCH is slow
        mark = sandbox.mark_requests()
        handle = client.queue_datapoint_update(dataset.id, point.id, {"expected_output": "after"})
        wait_for(lambda: handle.state == "sending")
        other._db.execute("UPDATE entry SET lease_until = 0")  # the lease ran out meanwhile
        [taken] = other.claim(client.outbox.scope, 10)  # and the other process took the entry
        wait_for(lambda: not client.outbox._delivering())
        sandbox.clear_faults()
        assert taken.attempts == 2 and not handle.done()
        assert sandbox.requests_received(f"/v2/datasets/{dataset.id}", since=mark, method="PATCH") == []
    finally:
        sandbox.clear_faults()
        other.close()
        client.close()
        orq.delete_dataset(dataset.id)


def test_a_process_that_lost_an_entry_does_not_hold_it_up_by_renewing(path):
    """The first owner's lease ran out; the second took the entry, failed and put it back for a retry
    at once. The first process, renewing what it had, must not lease it again for itself or anyone:
    the entry is due now and any process may take it."""
    first, second = OutboxStore(path), OutboxStore(path)
    try:
        first.lease_seconds = 0.2
        seq = first.add(SCOPE, "feedback.create", "k", {"n": 1}, None)
        first.claim(SCOPE, 10)
        wait_for(lambda: time.time() > first.next_due(SCOPE))
        [taken] = second.claim(SCOPE, 10)
        second.later(taken.seq, 0.0, "a 503: try again")  # no lease, due at once
        assert first.renew([seq]) == set()
        [again] = second.claim(SCOPE, 10)
        assert again.seq == seq
    finally:
        first.close()
        second.close()
