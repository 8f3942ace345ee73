"""The one write path (client/writes.py) against the sandbox over HTTP: issue 10's numbered items.

Each test names the item it shows. Faults are the sandbox's own: 500s, connections dropped after the
work is done (the answer is lost, the write landed), 429s with Retry-After.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time

import pytest
from servers import wait_for

from nbwidgets import Client, DatasetGrid, EvaluatorForm, FeedbackButtons
from nbwidgets.client import ConflictError, RetryPolicy

FAST = RetryPolicy(max_retries=3, initial_delay=0.01, max_delay=0.05, max_elapsed=10)


def stats(sandbox):
    return sandbox.control("GET", "/_sandbox/stats")


@pytest.fixture
def dataset(orq):
    """A dataset of this test's own with 60 datapoints (so a 25-row page leaves rows off the page)."""
    created = orq.create_dataset(f"writes-{time.monotonic_ns()}")
    orq.create_datapoints(created.id, [{"expected_output": f"original {i}"} for i in range(60)])
    yield created.id
    orq.delete_dataset(created.id)


@pytest.fixture
def fast(sandbox, tmp_path, monkeypatch):
    """A client with quick retries and an outbox of its own."""
    monkeypatch.setenv("NBWIDGETS_CACHE_DIR", str(tmp_path))
    sandbox.clear_faults()
    client = Client.orq(sandbox.api_key, sandbox.url, retry=FAST)
    yield client
    sandbox.clear_faults()
    client.close()


# --- 1. the row on screen is the service's value -------------------------------------------------


def shown_row(grid, datapoint_id):
    """The row as the front end renders it: the page as sent, with its patch on top."""
    row = next(r for r in grid._page_rows if r["id"] == datapoint_id)
    return {**row, **grid._row_patches.get(datapoint_id, {})}


def test_1_undo_and_an_edit_back_to_the_original_reach_the_screen(fast, dataset):
    grid = DatasetGrid(fast, dataset, page_size=25)
    target = grid.rows[3]
    grid.edit(target.id, expected_output="edited")
    assert shown_row(grid, target.id)["expected_output"] == "edited"
    grid.undo()
    held = fast.get_datapoint(dataset, target.id)
    assert held.expected_output == target.expected_output
    assert shown_row(grid, target.id)["expected_output"] == held.expected_output
    assert shown_row(grid, target.id)["updated"] == held.to_wire()["updated"]
    grid.edit(target.id, expected_output="again")
    grid.edit(target.id, expected_output=target.expected_output)  # back to the original by hand
    assert shown_row(grid, target.id)["expected_output"] == target.expected_output
    assert grid.rows[3].expected_output == fast.get_datapoint(dataset, target.id).expected_output


# --- 2. a write that landed is saved, never a conflict or a failure --------------------------------


def test_2_lost_answers_are_saved_not_conflicts_and_one_save_is_one_version(fast, sandbox, dataset):
    grid = DatasetGrid(fast, dataset, page_size=25)
    rows = grid.rows
    form = EvaluatorForm(fast, sandbox.ids["tone_check"])
    assert form.value.key == "tone_check"
    versions = [form.version]
    before = stats(sandbox).get("fault drop", 0)
    sandbox.set_faults(fault_rate=0.5)
    handles = [grid.edit(dp.id, expected_output=f"landed {i}", wait=False) for i, dp in enumerate(rows)]
    for round_ in range(5):
        form.draft = {**form.draft, "description": f"round {round_}"}
        form.save(timeout=60)
        versions.append(form.version)
        assert form.notice.startswith("Saved") and not form.banner
    assert all(h.result(60).expected_output == f"landed {i}" for i, h in enumerate(handles))
    dropped = stats(sandbox)["fault drop"] - before
    sandbox.clear_faults()
    assert dropped > 0  # answers were lost after the work was done
    assert {s["state"] for s in grid.row_status.values()} == {"saved"}
    patches = [int(v.split(".")[2]) for v in versions]
    assert patches == list(range(patches[0], patches[0] + 6))  # one version per save, none skipped
    assert fast.get_evaluator(sandbox.ids["tone_check"]).version == versions[-1]


# --- 3. quick edits of one row chain ----------------------------------------------------------------


def test_3_quick_edits_of_one_row_land_in_order_and_the_last_wins(fast, sandbox, dataset):
    grid = DatasetGrid(fast, dataset, page_size=25)
    rows = grid.rows[:20]
    sandbox.set_faults(latency_ms=50)
    pairs = [
        (grid.edit(dp.id, expected_output="first", wait=False), grid.edit(dp.id, expected_output="second", wait=False))
        for dp in rows
    ]
    for first, second in pairs:
        assert first.result(60).expected_output == "first" and second.result(60).expected_output == "second"
    sandbox.clear_faults()
    for dp in rows:
        assert fast.get_datapoint(dataset, dp.id).expected_output == "second"
        assert shown_row(grid, dp.id)["expected_output"] == "second"
        assert grid.row_status[dp.id]["state"] == "saved"


# --- 4. an edit off the page goes through the outbox like any other --------------------------------


def test_4_an_edit_of_a_row_not_on_the_page_survives_transient_faults(fast, sandbox, dataset):
    grid = DatasetGrid(fast, dataset, page_size=10)
    off_page = [dp.id for dp in fast.datapoints_page(dataset, limit=60).items[30:40]]
    assert not set(off_page) & {dp.id for dp in grid.rows}
    sandbox.set_faults(fault_rate=0.5, rate_limit_rate=0.1, retry_after_ms=5)
    seen = []
    grid.on_edit(lambda before, after: seen.append((before.expected_output, after.expected_output)))
    handles = [grid.edit(i, expected_output=f"off page {n}", wait=False) for n, i in enumerate(off_page)]
    results = [h.result(60) for h in handles]
    sandbox.clear_faults()
    assert [r.expected_output for r in results] == [f"off page {n}" for n in range(10)]
    assert sorted(after for _, after in seen) == sorted(f"off page {n}" for n in range(10))
    assert all(before.startswith("original") for before, _ in seen)  # read through the outbox too
    assert grid.can_undo


# --- 5. writes never hold the widgets' pool ----------------------------------------------------------


def test_5_and_service_down_edits_on_one_client_do_not_delay_a_grid_on_another(fast, orq, sandbox, tmp_path):
    from servers import start_sandbox

    down = start_sandbox("--no-demo")
    try:
        with Client.orq(down.api_key, down.url, retry=FAST) as other:
            target = other.create_dataset("down")
            points = other.create_datapoints(target.id, [{"expected_output": f"v{i}"} for i in range(20)])
            grid_down = DatasetGrid(other, target.id, page_size=25)
            assert len(grid_down.rows) == 20
            down.set_faults(fault_rate=1.0)  # every request fails from now on
            handles = [grid_down.edit(dp.id, expected_output="pending", wait=False) for dp in points]
            wait_for(lambda: all(h.state == "queued" and h.error is not None for h in handles))
            grid = DatasetGrid(fast, sandbox.ids["generated"], page_size=25, prefetch=False)
            started = time.monotonic()
            grid.next_page()  # four of these would have waited behind the writes before
            print(f"\nthe other client's next page showed in {time.monotonic() - started:.3f} s")
            assert grid.page_number == 2 and len(grid.rows) == 25
            assert len(other.outbox.pending()) == 20 and not any(h.done() for h in handles)
            assert {s["state"] for s in grid_down.row_status.values()} == {"retrying"}
            down.clear_faults()
            other.outbox.retry_now()
            assert [h.result(60).expected_output for h in handles] == ["pending"] * 20
    finally:
        down.stop()


# --- 6. a status attached after a fast delivery still ends right ------------------------------------


def test_6_a_listener_attached_after_delivery_sees_the_final_state(fast, sandbox):
    sandbox.add_traces("trace-late-listener", *(f"trace-fast-{i}" for i in range(50)))
    handle = fast.queue_feedback("trace-late-listener", "rating", "good")
    handle.result(30)
    seen = []
    handle.on_change(lambda h: seen.append(h.state))
    assert seen == ["saved"]
    widgets = [FeedbackButtons(fast, trace_id=f"trace-fast-{i}") for i in range(50)]
    for widget in widgets:
        widget.submit("good")
    assert fast.outbox.flush(60)
    assert {w.status for w in widgets} == {"sent"}


# --- 7. leases: two processes never send one entry --------------------------------------------------


def test_7_the_lease_is_renewed_while_a_delivery_is_in_flight(sandbox, tmp_path, monkeypatch):
    from nbwidgets.client.outbox_store import OutboxStore

    monkeypatch.setenv("NBWIDGETS_CACHE_DIR", str(tmp_path))
    sandbox.set_faults(latency_ms=1500)
    client = Client.orq(sandbox.api_key, sandbox.url, retry=FAST)
    client.outbox._store.lease_seconds = 0.3  # far shorter than the delivery: only renewal keeps it ours
    other_process = OutboxStore(client.outbox.path)  # another process's view of the same file
    try:
        sandbox.add_traces("trace-lease")
        mark = sandbox.mark_requests()
        handle = client.queue_feedback("trace-lease", "rating", "good")
        wait_for(lambda: handle.state == "sending")
        taken = []
        while not handle.done():
            taken += other_process.claim(client.outbox.scope, 10)
            time.sleep(0.05)
        # neither the other process nor this one's own dispatcher took the entry again while it was sent
        assert taken == [] and handle.attempts == 1 and handle.result(1).value == "good"
        assert client.outbox.flush(30)
        sandbox.clear_faults()
        assert len(sandbox.requests_received("/v2/feedback", since=mark, method="POST")) == 1
        [record] = sandbox.feedback("trace-lease")
        assert record["_writes"] == 1
    finally:
        sandbox.clear_faults()
        other_process.close()
        client.close()


# --- 8. reads right after construction ---------------------------------------------------------------


def test_8_reads_right_after_construction_wait_for_the_first_load(fast, sandbox):
    sandbox.set_faults(latency_ms=200)
    grid = DatasetGrid(fast, sandbox.ids["support"], page_size=10)
    assert len(grid.rows) == 10 and grid.total == 120
    form = EvaluatorForm(fast, sandbox.ids["tone_check"])
    assert form.value.key == "tone_check"
    sandbox.clear_faults()
    from nbwidgets.client import NotFoundError

    missing = EvaluatorForm(fast, "01JJ1HDHN79XAS7A01WB3HYSDB")
    with pytest.raises(NotFoundError):
        missing.value  # noqa: B018 (the read is the test)


# --- 9. ids are path segments --------------------------------------------------------------------------


BAD_IDS = ["", "..", ".", "a/b", "../../_sandbox/stats"]


def orq_calls(client, bad):
    ok = "01JJ1HDHN79XAS7A01WB3HYSDB"
    return {
        "get_dataset": lambda: client.get_dataset(bad),
        "delete_dataset": lambda: client.delete_dataset(bad),
        "datapoints_page": lambda: client.datapoints_page(bad),
        "get_datapoint": lambda: client.get_datapoint(ok, bad),
        "get_datapoint ds": lambda: client.get_datapoint(bad, ok),
        "create_datapoints": lambda: client.create_datapoints(bad, [{"expected_output": "x"}]),
        "update_datapoint": lambda: client.update_datapoint(ok, bad, expected_output="x"),
        "delete_datapoint": lambda: client.delete_datapoint(ok, bad),
        "get_evaluator": lambda: client.get_evaluator(bad),
        "update_evaluator": lambda: client.update_evaluator(bad, {"description": "x"}),
        "delete_evaluator": lambda: client.delete_evaluator(bad),
        "queue_datapoint_update": lambda: client.queue_datapoint_update(ok, bad, {"expected_output": "x"}),
        "queue_evaluator_update": lambda: client.queue_evaluator_update(bad, {"description": "x"}),
    }


def overmind_calls(client, bad):
    return {
        "get_agent": lambda: client.get_agent(bad),
        "get_dataset": lambda: client.get_dataset(bad),
        "datapoints_page": lambda: client.datapoints_page(bad),
        "new_version_with_edits": lambda: client.new_version_with_edits(bad, {}),
        "activate_dataset": lambda: client.activate_dataset(bad),
        "delete_dataset": lambda: client.delete_dataset(bad),
    }


@pytest.mark.parametrize("bad", BAD_IDS)
def test_9_a_bad_id_is_a_value_error_naming_it_and_nothing_is_sent(orq, overmind, sandbox, bad):
    before = stats(sandbox)
    for name, call in {**orq_calls(orq, bad), **overmind_calls(overmind, bad)}.items():
        with pytest.raises(ValueError, match=r"(dataset|datapoint|evaluator|agent)_id") as info:
            call()
        assert "id" in str(info.value), name
    after = stats(sandbox)
    assert {k: v for k, v in after.items() if not k.startswith("fault")} == {
        k: v for k, v in before.items() if not k.startswith("fault")
    }
    assert orq.get_dataset(sandbox.ids["rag"]).display_name == "rag_answers"  # nothing was deleted


def test_9_ids_are_percent_encoded_and_wrong_types_named(orq, sandbox):
    from nbwidgets.client import NotFoundError

    for odd in ("a b", "x?limit=1", "%2e%2e", "#frag", "é"):
        with pytest.raises(NotFoundError) as info:
            orq.get_dataset(odd)
        assert "?" not in info.value.route.split("/v2/datasets/")[1]
    with pytest.raises(TypeError, match="dataset_id must be a str"):
        orq.get_dataset(123)


# --- 11. clear errors at the call ----------------------------------------------------------------------


def test_11_wrong_types_and_values_are_named_at_the_call(orq, sandbox):
    with pytest.raises(TypeError, match="api_key must be a str"):
        Client.orq(123, sandbox.url)
    with pytest.raises(TypeError, match="base_url must be a str"):
        Client.orq("key", 8000)
    with pytest.raises(ValueError, match="expected_output holds text that is not valid Unicode"):
        orq.update_datapoint(sandbox.ids["rag"], "01JJ1HDHN79XAS7A01WB3HYSDB", expected_output="a\udcffb")
    with pytest.raises(ValueError, match="expected_output"):
        orq.queue_datapoint_update(sandbox.ids["rag"], "01JJ1HDHN79XAS7A01WB3HYSDB", {"expected_output": "a\udcff"})
    with pytest.raises(TypeError, match="page_size must be an int"):
        DatasetGrid(orq, sandbox.ids["rag"], page_size="25")
    with pytest.raises(ValueError, match="page_size must be between 1 and 200"):
        DatasetGrid(orq, sandbox.ids["rag"], page_size=0)
    with pytest.raises(TypeError, match="limit must be an int"):
        orq.datapoints_page(sandbox.ids["rag"], limit="10")
    assert orq.outbox.pending() == []  # nothing refused at the call was queued


# --- 12. a script exits promptly and leaves its writes for the next process -------------------------


def test_12_a_script_with_writes_for_a_down_service_exits_and_the_next_process_drains(sandbox, tmp_path, orq):
    dataset = orq.create_dataset("script-exit")
    points = orq.create_datapoints(dataset.id, [{"expected_output": f"v{i}"} for i in range(20)])
    ids = [dp.id for dp in points]
    env = {**os.environ, "NBWIDGETS_CACHE_DIR": str(tmp_path)}
    script = textwrap.dedent(f"""
        from nbwidgets import Client, DatasetGrid
        client = Client.orq({sandbox.api_key!r}, {sandbox.url!r})
        grid = DatasetGrid(client, {dataset.id!r}, page_size=25)
        rows = grid.rows
        import httpx
        httpx.post({sandbox.url!r} + "/_sandbox/faults", json={{"fault_rate": 1.0}},
                   headers={{"Authorization": "Bearer {sandbox.api_key}"}})
        for dp in rows:
            grid.edit(dp.id, expected_output=f"from the script {{dp.expected_output}}", wait=False)
        print(len(client.outbox.pending()), flush=True)
    """)
    started = time.monotonic()
    try:
        result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    finally:
        sandbox.clear_faults()
    took = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["20"]
    print(f"the script exited {took:.1f} s after it started, with 20 writes pending")
    drain = textwrap.dedent(f"""
        from nbwidgets import Client
        client = Client.orq({sandbox.api_key!r}, {sandbox.url!r})
        print(len(client.outbox.pending()), client.outbox.flush(timeout=60), len(client.outbox.pending()))
    """)
    result = subprocess.run([sys.executable, "-c", drain], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["20", "True", "0"]
    held = {dp.id: dp.expected_output for dp in orq.iter_datapoints(dataset.id)}
    assert [held[i] for i in ids] == [f"from the script v{i}" for i in range(20)]
    orq.delete_dataset(dataset.id)


# --- the one retry policy ------------------------------------------------------------------------------


def test_the_outbox_backs_off_with_the_transport_policy(fast, sandbox):
    policy = RetryPolicy(initial_delay=0.5, max_delay=0.5)
    assert fast.outbox.policy is fast._transport.retry
    assert all(0.25 <= policy.delay(n) <= 0.5 for n in range(10))
    assert policy.delay(3, retry_after=0.07) == 0.07
    sandbox.add_traces("trace-backoff")
    sandbox.set_faults(fault_rate=1.0)
    handle = fast.queue_feedback("trace-backoff", "rating", "good")
    wait_for(lambda: handle.attempts >= 3)
    sandbox.clear_faults()
    fast.outbox.retry_now()
    assert handle.result(30).value == "good"


def test_conflict_by_someone_else_is_still_a_conflict_with_both_values(fast, orq, dataset):
    grid = DatasetGrid(fast, dataset, page_size=25)
    target = grid.rows[0]
    orq.update_datapoint(dataset, target.id, expected_output="theirs")
    handle = grid.edit(target.id, expected_output="mine", wait=False)
    with pytest.raises(ConflictError):
        handle.result(30)
    assert handle.state == "conflict" and handle.current.expected_output == "theirs"
    status = grid.row_status[target.id]
    assert status["state"] == "conflict" and status["server"] == {"expected_output": "theirs"}
    assert fast.outbox.failed()[0]["kind"] == "datapoint.update"


def test_a_thousand_statuses_from_threads_are_consistent(fast, sandbox):
    traces = sandbox.add_traces(*(f"trace-threads-{i}" for i in range(40)))
    widgets = [FeedbackButtons(fast, trace_id=trace) for trace in traces]
    threads = [threading.Thread(target=w.submit, args=("good",)) for w in widgets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert fast.outbox.flush(60)
    wait_for(lambda: {w.status for w in widgets} == {"sent"})
