"""What every widget on one client knows of that client's writes: the pending ones (named by row and field in
a grid, counted in every widget) and, in a grid, another widget's save of a row it shows."""

from __future__ import annotations

import time

from servers import wait_for

from nbwidgets import Client, DatasetGrid, FeedbackButtons
from nbwidgets.client import RetryPolicy


def shown_row(grid, datapoint_id):
    """The row as the front end renders it: the page as sent, with its patch on top."""
    row = next(r for r in grid._page_rows if r["id"] == datapoint_id)
    return {**row, **grid._row_patches.get(datapoint_id, {})}


def two_grids(client, texts):
    dataset = client.create_dataset(f"two-grids-{time.monotonic_ns()}")
    client.create_datapoints(dataset.id, [{"expected_output": text} for text in texts])
    first, second = DatasetGrid(client, dataset.id, page_size=10), DatasetGrid(client, dataset.id, page_size=10)
    return dataset.id, first, second, first.rows


def test_a_second_grid_shows_the_other_grids_save_of_a_row_it_shows(orq, sandbox):
    dataset_id, first, second, rows = two_grids(orq, ["one", "two", "three"])
    target = rows[1].id
    second.edit(target, expected_output="saved in the second grid")
    assert second.row_status[target]["state"] == "saved"
    first.edit(target, expected_output="saved in the first grid")  # first had heard of second's save: no conflict
    # the second grid shows the first's text, its own "Saved" replaced by "Updated" (saved elsewhere)
    wait_for(lambda: shown_row(second, target)["expected_output"] == "saved in the first grid")
    assert second.row_status[target]["state"] == "updated"
    held = orq.get_datapoint(dataset_id, target)
    assert held.expected_output == "saved in the first grid"
    assert second.row_status[target]["updated"] == held.to_wire()["updated"]
    assert [dp.expected_output for dp in second.rows] == ["one", "saved in the first grid", "three"]
    # an edit from the newer value is saved, not a conflict; one from the old value (its editor opened
    # before) is a conflict, never a silent overwrite
    second.edit(target, expected_output="second again")
    assert orq.get_datapoint(dataset_id, target).expected_output == "second again"
    old_base = held.to_wire()["updated"]
    handle = first._edit_fields(target, {"expected_output": "from a stale editor"}, base=old_base)
    wait_for(lambda: handle.done(), timeout=30)
    assert first.row_status[target]["state"] == "conflict"
    assert orq.get_datapoint(dataset_id, target).expected_output == "second again"


def test_a_draft_row_is_marked_when_another_widget_saves_it(orq, sandbox):
    _, first, second, rows = two_grids(orq, ["one", "two"])
    target = rows[0].id
    # a draft in second (refused before any request: inputs must be flat), then first saves the row
    try:
        second.edit(target, inputs={"nested": {"no": 1}})
    except ValueError:
        pass
    assert second.row_status[target]["state"] == "failed"
    first.edit(target, expected_output="first's save")
    wait_for(lambda: second.row_status[target].get("newer"))
    assert second.row_status[target]["state"] == "failed"  # the draft stays, marked: its base is old
    assert shown_row(second, target)["expected_output"] == "one"  # not replaced under the draft


def test_pending_writes_are_listed_in_every_widget_on_the_client(sandbox, tmp_path, monkeypatch):
    monkeypatch.setenv("NBWIDGETS_CACHE_DIR", str(tmp_path))
    fast = RetryPolicy(max_retries=0, initial_delay=0.05, max_delay=0.2)
    client = Client.orq(sandbox.api_key, sandbox.url, retry=fast)
    dataset = client.create_dataset(f"pending-{time.monotonic_ns()}")
    client.create_datapoints(dataset.id, [{"expected_output": f"row {i}"} for i in range(30)])
    grid = DatasetGrid(client, dataset.id, page_size=10)
    feedback = FeedbackButtons(client, trace_id="trace-pending")
    assert grid.pending_writes == {"count": 0, "items": []} == feedback.pending_writes
    grid.next_page()
    target = grid.rows[2]
    sandbox.set_faults(fault_rate=1.0)
    try:
        grid.edit(target.id, expected_output="retried", wait=False)
        wait_for(lambda: grid.pending_writes.get("items") and grid.pending_writes["items"][0]["state"] == "retrying")
        [item] = grid.pending_writes["items"]
        assert item["row"] == 13 and item["page"] == 2 and item["fields"] == ["Expected output"] and item["here"]
        assert item["datapoint_id"] == target.id and item["mine"] and item["message"].startswith("The service")
        # the feedback widget counts it too (another widget's write)
        wait_for(lambda: feedback.pending_writes.get("count") == 1)
        assert feedback.pending_writes["items"][0]["mine"] is False
        grid.first_page()  # left its page: still listed, and the grid goes back to its row
        assert grid.pending_writes["count"] == 1
        grid.handle({"type": "go_to_write", "id": "g", "datapoint_id": target.id})
        wait_for(lambda: grid.page_number == 2 and grid.selected_id == target.id)
    finally:
        sandbox.clear_faults()
    grid.handle({"type": "retry_writes", "id": "r"})
    wait_for(lambda: grid.pending_writes["count"] == 0 and feedback.pending_writes["count"] == 0, timeout=60)
    assert grid.row_status[target.id]["state"] == "saved"
    client.close()


def test_a_quick_save_is_not_announced_and_a_slow_one_is_listed(sandbox, tmp_path, monkeypatch):
    """A write saved within a moment sends no pending list over the comm (the bench's sync figure counts
    it); one that takes longer is listed after ANNOUNCE_AFTER_S, first try or not."""
    monkeypatch.setenv("NBWIDGETS_CACHE_DIR", str(tmp_path))
    client = Client.orq(sandbox.api_key, sandbox.url)
    dataset = client.create_dataset(f"quick-{time.monotonic_ns()}")
    client.create_datapoints(dataset.id, [{"expected_output": f"row {i}"} for i in range(3)])
    grid = DatasetGrid(client, dataset.id, page_size=10)
    seen = []
    grid.observe(lambda change: seen.append((time.monotonic(), change["new"])), names="pending_writes")
    grid.edit(grid.rows[0].id, expected_output="quick")
    time.sleep(0.5)
    assert seen == []  # saved before it was news: not a message
    sandbox.set_faults(latency_ms=1500)
    try:
        started = time.monotonic()
        grid.edit(grid.rows[1].id, expected_output="slow", wait=False)
        wait_for(lambda: seen and seen[-1][1]["count"] == 1, timeout=10)
        assert seen[-1][0] - started >= 0.25  # not at once
        [item] = seen[-1][1]["items"]
        assert item["state"] == "pending" and item["fields"] == ["Expected output"] and "attempts" not in item
    finally:
        sandbox.clear_faults()
    wait_for(lambda: grid.pending_writes["count"] == 0, timeout=30)
    assert client.get_datapoint(dataset.id, grid.rows[1].id).expected_output == "slow"
    client.close()


def test_many_widgets_on_one_client_list_its_pending_writes_without_each_rescanning_every_change(
    sandbox, tmp_path, monkeypatch
):
    """A hundred feedback widgets and a hundred clicks: the pending lists follow the writes in coalesced
    updates from one shared view, not a rescan of every open write by every widget on every change (that
    was 100 x 100 x 3 rescans, and made the thousand-widget fault tests run out of time)."""
    monkeypatch.setenv("NBWIDGETS_CACHE_DIR", str(tmp_path))
    client = Client.orq(sandbox.api_key, sandbox.url)
    traces = [f"trace-many-pending-{i}" for i in range(100)]
    sandbox.add_traces(*traces)
    widgets = [FeedbackButtons(client, trace_id=trace) for trace in traces]
    scans = []
    real = client.open_writes
    monkeypatch.setattr(client, "open_writes", lambda: scans.append(1) or real())
    for widget in widgets:
        widget.submit("good")
    assert client.outbox.flush(60)
    wait_for(lambda: all(widget.pending_writes.get("count", 0) == 0 for widget in widgets), timeout=10)
    assert len(scans) < 300, f"{len(scans)} scans of the open writes for 100 writes"
    assert {widget.value for widget in widgets} == {"good"}
