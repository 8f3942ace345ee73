"""Overmind's "save as a new version" on the write path (client/writes.py): kept on disk, retried, and
made at most once, since a new version is not idempotent (each POST makes one)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest
from servers import versions_made_from, wait_for

from nbwidgets import Client
from nbwidgets.client import NotFoundError, RetryPolicy
from nbwidgets.client.overmind_writes import WRITE_ID

FAST = RetryPolicy(max_retries=3, initial_delay=0.01, max_delay=0.05, max_elapsed=10)


@pytest.fixture
def fast(sandbox, tmp_path, monkeypatch):
    """An Overmind client with quick retries and an outbox of its own."""
    monkeypatch.setenv("NBWIDGETS_CACHE_DIR", str(tmp_path))
    sandbox.clear_faults()
    client = Client.overmind(sandbox.api_key, sandbox.url, retry=FAST)
    yield client
    sandbox.clear_faults()
    client.close()


def test_one_save_is_one_version_when_answers_are_lost(fast, overmind, sandbox, own_version):
    """Connections dropped after the version was made: the retry finds the version its earlier attempt
    made (by the write's id in its metadata) instead of posting a second one."""
    target = own_version.datapoints[2].id
    handles, lost = [], 0
    mark = sandbox.mark_requests()
    sandbox.set_faults(fault_rate=0.5)
    while lost == 0 and len(handles) < 40:  # until at least one POST's answer was lost after it landed
        handle = fast.queue_dataset_version(own_version.id, {target: {"expected_output": f"save {len(handles)}"}})
        handles.append(handle)
        handle.result(60)
        posts = sandbox.requests_received("/api/datasets/", since=mark, method="POST")
        lost = sum(1 for p in posts if p.get("dropped"))
    sandbox.clear_faults()
    assert lost > 0
    made = versions_made_from(overmind, own_version)
    assert len(made) == len(handles)  # one version per save, never two
    by_write = {d.metadata[WRITE_ID]: d for d in made}
    for n, handle in enumerate(handles):
        found = by_write[handle.write.payload["write_id"]]
        assert handle.state == "saved" and handle.result(1).id == found.id
        edited = overmind.get_dataset(found.id).datapoints[2]
        assert edited.expected_output == f"save {n}"


def test_a_save_while_the_service_is_down_is_kept_retried_and_lands_once(fast, overmind, sandbox, own_version):
    target = own_version.datapoints[0].id
    sandbox.set_faults(fault_rate=1.0)
    handle = fast.queue_dataset_version(own_version.id, {target: {"expected_output": "after the outage"}})
    wait_for(lambda: handle.state == "queued" and handle.error is not None and handle.attempts >= 2)
    assert [e["kind"] for e in fast.outbox.pending()] == ["dataset.version"]  # kept, on disk
    sandbox.clear_faults()  # (half the refusals were answers lost after the version was made)
    created = handle.result(60)
    [made] = versions_made_from(overmind, own_version)
    assert made.id == created.id and fast.outbox.pending() == []
    assert overmind.get_dataset(made.id).datapoints[0].expected_output == "after the outage"


def test_a_save_left_by_a_process_that_ended_is_made_by_the_next_one(sandbox, overmind, own_version, tmp_path):
    env = {**os.environ, "NBWIDGETS_CACHE_DIR": str(tmp_path)}
    target = own_version.datapoints[1].id
    script = textwrap.dedent(f"""
        import sys
        from nbwidgets import Client
        client = Client.overmind({sandbox.api_key!r}, {sandbox.url!r})
        sys.stdin.readline()  # the sandbox now refuses everything
        client.queue_dataset_version({own_version.id!r}, {{{target!r}: {{"expected_output": "from the last process"}}}})
        print(len(client.outbox.pending()), flush=True)
        sys.stdin.readline()
    """)
    process = subprocess.Popen(
        [sys.executable, "-c", script], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        sandbox.set_faults(fault_rate=1.0)
        process.stdin.write("go\n")
        process.stdin.flush()
        pending = process.stdout.readline().strip()
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)
    sandbox.clear_faults()
    assert pending == "1"
    drain = (
        f"from nbwidgets import Client\nprint(Client.overmind({sandbox.api_key!r}, {sandbox.url!r}).outbox.flush(60))"
    )
    result = subprocess.run([sys.executable, "-c", drain], env=env, capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "True", result.stderr
    [made] = versions_made_from(overmind, own_version)
    assert overmind.get_dataset(made.id).datapoints[1].expected_output == "from the last process"


def test_a_refused_save_fails_with_the_services_reason_and_is_not_sent_again(fast, overmind, sandbox, own_version):
    """The version to copy was deleted meanwhile (by someone else): a 404, final, kept for inspection."""
    doomed = overmind.create_dataset_version(own_version.agent, own_version.datapoints[:2], name="deleted meanwhile")
    sandbox.set_faults(fault_rate=1.0)
    handle = fast.queue_dataset_version(doomed.id, {doomed.datapoints[0].id: {"expected_output": "too late"}})
    wait_for(lambda: handle.attempts >= 1 and handle.error is not None)
    sandbox.clear_faults()
    overmind.delete_dataset(doomed.id)
    mark = sandbox.mark_requests()
    with pytest.raises(NotFoundError) as refused:
        handle.result(30)
    assert handle.state == "failed" and refused.value.status == 404
    assert sandbox.requests_received("/api/datasets/", since=mark, method="POST") == []
    assert [e["kind"] for e in fast.outbox.failed()] == ["dataset.version"] and fast.outbox.pending() == []
    assert versions_made_from(overmind, doomed) == []


@pytest.mark.parametrize(
    ("dataset_id", "edits", "error", "match"),
    [
        ("..", {"a": {"expected_output": 1}}, ValueError, "dataset_id"),
        ("ok", {}, ValueError, "non-empty"),
        ("ok", {"a/b": {"expected_output": 1}}, ValueError, "datapoint_id"),
        ("ok", {"a": {"id": "x"}}, ValueError, "unknown field"),
        ("ok", {"a": {}}, ValueError, "non-empty dict of fields"),
        ("ok", {"a": {"expected_output": "a\udcffb"}}, ValueError, "edits"),
        ("ok", {"a": {"persona": "p" * 129}}, ValueError, r"edits\['a'\]\.persona: .*128"),
    ],
)
def test_bad_edits_are_refused_at_the_call_and_nothing_is_queued(fast, sandbox, dataset_id, edits, error, match):
    mark = sandbox.mark_requests()
    with pytest.raises(error, match=match):
        fast.queue_dataset_version(dataset_id, edits)
    assert fast.outbox.pending() == []
    assert sandbox.requests_received("/api/", since=mark) == []
