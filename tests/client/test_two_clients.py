"""Issue 22, item 0: two clients of one service in one kernel (a re-run `client = Client.orq()` cell while the
older client still writes). They share the outbox file, so either may deliver a write the other queued: the
widget waiting on it must learn the outcome whichever delivered it, and so must a widget of another process.
"""

from __future__ import annotations

import time

from nbwidgets import Client, DatasetGrid
from nbwidgets.client import RetryPolicy
from nbwidgets.client.outbox_store import OutboxStore

FAST = RetryPolicy(max_retries=3, initial_delay=0.01, max_delay=0.05, max_elapsed=10)


def test_edits_through_two_clients_under_faults_all_show_saved(sandbox, orq, tmp_path, monkeypatch):
    monkeypatch.setenv("NBWIDGETS_CACHE_DIR", str(tmp_path))
    old = Client.orq(sandbox.api_key, sandbox.url, retry=FAST)
    new = Client.orq(sandbox.api_key, sandbox.url, retry=FAST)
    dataset = orq.create_dataset("two-clients")
    orq.create_datapoints(dataset.id, [{"expected_output": f"original {i}"} for i in range(20)])
    old_grid = DatasetGrid(old, dataset.id, page_size=20)
    new_grid = DatasetGrid(new, dataset.id, page_size=20)
    ids = [dp.id for dp in new_grid.rows]
    sandbox.set_faults(fault_rate=0.3, retry_after_ms=5)
    try:
        handles = []
        for round_ in range(3):
            for n, datapoint_id in enumerate(ids):
                grid = new_grid if n % 2 else old_grid  # both outboxes busy at once, each may claim the other's
                handles.append((grid, grid.edit(datapoint_id, expected_output=f"{datapoint_id} {round_}", wait=False)))
        for _grid, handle in handles:
            handle.result(60)  # every waiting handle learns its outcome, whoever delivered it
    finally:
        sandbox.clear_faults()
    assert old.outbox.flush(30) and new.outbox.flush(30)
    on_service = {dp.id: dp.expected_output for dp in orq.iter_datapoints(dataset.id)}
    assert on_service == {i: f"{i} 2" for i in ids}
    for grid in (old_grid, new_grid):  # what each grid shows: saved, the value it sent last
        shown = {dp.id: dp.expected_output for dp in grid.rows}
        for n, datapoint_id in enumerate(ids):
            if (grid is new_grid) == bool(n % 2):
                assert grid.row_status.get(datapoint_id, {}).get("state") == "saved", grid.row_status[datapoint_id]
                assert shown[datapoint_id] == f"{datapoint_id} 2"
    old.close()
    new.close()


def test_a_write_delivered_by_another_process_settles_the_waiting_handle(sandbox, orq, tmp_path, monkeypatch):
    """The other deliverer is modelled by a second store on the same file that takes the entry over and
    delivers it (as another process would): the first process's handle and grid learn it was saved."""
    monkeypatch.setenv("NBWIDGETS_CACHE_DIR", str(tmp_path))
    client = Client.orq(sandbox.api_key, sandbox.url, retry=FAST)
    dataset = orq.create_dataset("other-process")
    [dp] = orq.create_datapoints(dataset.id, [{"expected_output": "original"}])
    grid = DatasetGrid(client, dataset.id, page_size=5)
    sandbox.set_faults(fault_rate=1.0)  # our own attempts fail, so the entry waits out a backoff
    try:
        handle = grid.edit(dp.id, expected_output="from the first process", wait=False)
        deadline = time.monotonic() + 20
        while handle.attempts < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        sandbox.clear_faults()
    other = OutboxStore(client.outbox.path)
    client.outbox._store._db.execute("UPDATE entry SET next_attempt = ?", (time.time() + 3600,))  # not ours now
    orq.update_datapoint(dataset.id, dp.id, expected_output="from the first process")  # the other one sends...
    other._db.execute("DELETE FROM entry WHERE seq = ?", (handle.seq,))  # ...and records it delivered
    other.close()
    saved = handle.result(20)
    assert saved.expected_output == "from the first process"
    assert grid.row_status[dp.id]["state"] == "saved"
    assert grid.rows[0].expected_output == "from the first process"
    client.close()
