"""DatasetGrid's state against the sandbox over HTTP (no browser: intents are sent as the front end would)."""

from __future__ import annotations

import json
import time

import pytest
from servers import wait_for

from nbwidgets import Client, DatasetGrid
from nbwidgets.client import ConflictError, NotFoundError, RetryPolicy
from nbwidgets.widgets.grid import find as find_module
from nbwidgets.widgets.grid.find import snippet


def shown_row(grid, datapoint_id):
    """The row as the front end renders it: the page as sent, with its patch on top."""
    row = next(r for r in grid._page_rows if r["id"] == datapoint_id)
    return {**row, **grid._row_patches.get(datapoint_id, {})}


def recording(grid):
    """Record the pages the grid asks the service for, and the replies it sends the front end."""
    fetched, replies = [], []
    original = grid.pages._fetch

    def fetch(number, cursor):
        fetched.append(number)
        return original(number, cursor)

    grid.pages._fetch = fetch
    grid.send = lambda message, buffers=None: replies.append(message)
    return fetched, replies


def test_paging_forward_to_the_end_and_back_across_ten_thousand(orq, sandbox):
    grid = DatasetGrid(orq, sandbox.ids["generated"], page_size=200, cache_pages=6)
    grid.first_page()
    seen = [dp.id for dp in grid.rows]
    while grid.has_next:
        grid.next_page()
        seen += [dp.id for dp in grid.rows]
        assert len(grid._page_rows) <= 200 and len(grid.pages._cache) <= 6  # one page in traits, a bounded cache
    assert grid.page_number == 50 and len(seen) == 10_000 == len(set(seen)) and seen == sorted(seen)
    assert grid.total == 10_000 and not grid.has_next and grid.has_previous
    while grid.has_previous:
        grid.prev_page()
    assert grid.page_number == 1 and [dp.id for dp in grid.rows] == seen[:200]


def test_prefetched_flip_makes_no_request(orq, sandbox):
    grid = DatasetGrid(orq, sandbox.ids["support"], page_size=10)
    fetched, _ = recording(grid)
    grid.first_page()
    wait_for(lambda: grid.pages.key(2) in grid.pages._cache)
    fetched.clear()
    grid.next_page()
    assert grid.page_number == 2 and 2 not in fetched  # served from the prefetch
    wait_for(lambda: grid.pages.key(3) in grid.pages._cache)
    assert fetched == [3]  # and the next one is being fetched ahead

    plain = DatasetGrid(orq, sandbox.ids["support"], page_size=10, prefetch=False)
    fetched, _ = recording(plain)
    plain.first_page()
    plain.next_page()
    assert fetched == [2]


def test_a_response_after_the_user_moved_on_is_dropped(orq, sandbox):
    grid = DatasetGrid(orq, sandbox.ids["support"], page_size=10, prefetch=False)
    grid.first_page()
    sandbox.set_faults(latency_ms=400)
    grid.next_page(wait=False)
    assert grid.loading  # a slow call never leaves the grid without a loading state
    grid.first_page()  # cached: shown at once
    first_ids = [dp.id for dp in grid.rows]
    wait_for(lambda: grid.pages.stale_dropped == 1)
    sandbox.clear_faults()
    assert grid.page_number == 1 and [dp.id for dp in grid.rows] == first_ids and not grid.loading


def test_intents_are_answered_by_request_id(orq, sandbox):
    grid = DatasetGrid(orq, sandbox.ids["support"], page_size=10)
    grid.first_page()
    _, replies = recording(grid)
    grid.handle({"type": "next", "id": "r1"})
    grid.handle({"type": "frobnicate", "id": "r2"})
    grid.handle({"type": "page_size", "id": "r3", "size": 5000})
    replies[:] = [r for r in replies if "id" in r]  # answers, not the pages sent ahead (prefetched)
    assert replies[0] == {"id": "r1", "ok": True}
    assert replies[1]["id"] == "r2" and not replies[1]["ok"] and "unknown intent" in replies[1]["error"]["message"]
    assert replies[2]["id"] == "r3" and not replies[2]["ok"]
    wait_for(lambda: grid.page_number == 2 and not grid.loading)


def test_edit_saves_only_that_field_and_undo_reverts(orq, sandbox):
    grid = DatasetGrid(orq, sandbox.ids["rag"], page_size=10)
    grid.first_page()
    target = grid.rows[2]
    seen = []
    grid.on_edit(lambda before, after: seen.append((before.expected_output, after.expected_output)))
    saved = grid.edit(target.id, expected_output="Edited from the grid")
    assert saved.expected_output == "Edited from the grid" and saved.inputs == target.inputs
    assert grid.row_status[target.id]["state"] == "saved" and grid.can_undo
    patch = grid._row_patches[target.id]  # a delta, not the page: the changed field and the bookkeeping
    assert patch["expected_output"] == "Edited from the grid" and "inputs" not in patch and "updated" in patch
    assert shown_row(grid, target.id)["expected_output"] == "Edited from the grid"
    with Client.orq(sandbox.api_key, sandbox.url) as other:
        assert other.get_datapoint(sandbox.ids["rag"], target.id).expected_output == "Edited from the grid"
        grid.undo()
        held = other.get_datapoint(sandbox.ids["rag"], target.id)
        assert held.expected_output == target.expected_output
    # the screen shows the service's value again: the page as sent with the row's patch on top
    assert shown_row(grid, target.id)["expected_output"] == held.expected_output
    assert shown_row(grid, target.id)["updated"] == held.to_wire()["updated"]
    assert seen[0] == (target.expected_output, "Edited from the grid") and not grid.can_undo


def test_edit_by_intent_and_inputs_and_messages(orq, sandbox):
    grid = DatasetGrid(orq, sandbox.ids["rag"], page_size=10)
    grid.first_page()
    target = grid.rows[0]
    grid.handle(
        {
            "type": "edit",
            "id": "e1",
            "datapoint_id": target.id,
            "field": "inputs",
            "value": {"question": "Edited?", "context": "yes", "score": 3},
        }
    )
    grid.handle(  # at once, as a quick user does: no waiting for the first to be saved
        {
            "type": "edit",
            "id": "e2",
            "datapoint_id": target.id,
            "field": "messages",
            "value": [{"role": "user", "content": "only this"}],
        }
    )
    wait_for(lambda: grid.row_status.get(target.id, {}).get("state") == "saved" and orq.outbox.flush(0))
    assert grid.rows[0].messages[0].content == "only this" and grid.rows[0].inputs["score"] == 3
    shown = shown_row(grid, target.id)
    assert shown["inputs"] == {"question": "Edited?", "context": "yes", "score": 3}
    assert shown["messages"] == [{"role": "user", "content": "only this"}]
    held = orq.get_datapoint(sandbox.ids["rag"], target.id)
    assert held.inputs["score"] == 3 and held.messages[0].content == "only this"


def test_nested_inputs_are_refused_locally_with_the_reason(orq, sandbox):
    grid = DatasetGrid(orq, sandbox.ids["rag"], page_size=10)
    grid.first_page()
    target = grid.rows[0]
    with pytest.raises(ValueError, match="must be a string, number, boolean or null"):
        grid.edit(target.id, inputs={"nested": {"no": 1}})
    assert grid.row_status[target.id]["state"] == "failed" and grid.row_status[target.id]["draft"]
    # in a sentence: no pydantic words ("Value error, ...") in the reason the row shows
    assert grid.row_status[target.id]["reason"] == (
        "inputs: input 'nested' must be a string, number, boolean or null, not dict"
    )


def test_conflict_stops_the_save_and_the_user_picks(orq, sandbox):
    grid = DatasetGrid(orq, sandbox.ids["rag"], page_size=10)
    grid.first_page()
    target = grid.rows[1]
    orq.update_datapoint(sandbox.ids["rag"], target.id, expected_output="Changed by a colleague")
    with pytest.raises(ConflictError) as info:
        grid.edit(target.id, expected_output="Mine")
    assert info.value.body["expected_output"] == "Changed by a colleague"
    status = grid.row_status[target.id]
    assert status["state"] == "conflict" and status["server"] == {"expected_output": "Changed by a colleague"}
    assert status["draft"] == {"expected_output": "Mine"}
    assert orq.get_datapoint(sandbox.ids["rag"], target.id).expected_output == "Changed by a colleague"
    grid.handle({"type": "resolve", "datapoint_id": target.id, "keep": "mine"})
    wait_for(lambda: grid.row_status[target.id]["state"] == "saved")
    assert orq.get_datapoint(sandbox.ids["rag"], target.id).expected_output == "Mine"

    orq.update_datapoint(sandbox.ids["rag"], target.id, expected_output="Theirs again")
    with pytest.raises(ConflictError):
        grid.edit(target.id, expected_output="Mine again")
    grid.handle({"type": "resolve", "datapoint_id": target.id, "keep": "theirs"})
    assert target.id not in grid.row_status and grid.rows[1].expected_output == "Theirs again"


def test_a_second_grid_showing_the_row_as_it_was_is_told_of_the_first_grids_save(orq, sandbox):
    """One dataset shown twice with one client (the grid, then `%nbw dataset`): an edit saved in the
    first grid is shown by the second (issue 21, item 10), and an edit the second began from the row as
    it was (its editor opened before the save: the front end sends that base) is a conflict with both
    values, not a silent overwrite of the first (seen by a user: the second edit won)."""
    dataset = orq.create_dataset(f"two-grids-{time.monotonic_ns()}")
    [target] = orq.create_datapoints(dataset.id, [{"expected_output": "As loaded"}])
    first, second = DatasetGrid(orq, dataset.id), DatasetGrid(orq, dataset.id)
    assert first.rows[0].expected_output == second.rows[0].expected_output == "As loaded"
    opened_on = second.rows[0].to_wire()["updated"]  # the second grid's editor opens on the row as loaded
    first.edit(target.id, expected_output="Saved in the first grid")
    wait_for(lambda: shown_row(second, target.id)["expected_output"] == "Saved in the first grid")
    assert second.row_status[target.id]["state"] == "updated"
    with pytest.raises(ConflictError) as info:
        second._edit_fields(target.id, {"expected_output": "Typed in the second grid"}, base=opened_on).result(30)
    assert info.value.body["expected_output"] == "Saved in the first grid"
    status = second.row_status[target.id]
    assert status["state"] == "conflict" and status["server"] == {"expected_output": "Saved in the first grid"}
    assert status["draft"] == {"expected_output": "Typed in the second grid"}
    assert orq.get_datapoint(dataset.id, target.id).expected_output == "Saved in the first grid"
    assert shown_row(first, target.id)["expected_output"] == "Saved in the first grid"
    # the first grid's own quick edits of that row still chain: the last one wins, no conflict
    handles = [first.edit(target.id, expected_output=f"Quick {i}", wait=False) for i in range(3)]
    assert [h.result(30).expected_output for h in handles] == ["Quick 0", "Quick 1", "Quick 2"]
    assert shown_row(first, target.id)["expected_output"] == "Quick 2"
    # the second grid, told, keeps its own text over the change it has now seen
    second.handle({"type": "resolve", "datapoint_id": target.id, "keep": "mine"})
    wait_for(lambda: second.row_status[target.id]["state"] == "saved", what="the second grid's kept edit saved")
    assert orq.get_datapoint(dataset.id, target.id).expected_output == "Typed in the second grid"
    assert shown_row(second, target.id)["expected_output"] == "Typed in the second grid"
    orq.delete_dataset(dataset.id)


def test_a_save_under_faults_is_kept_and_retried_until_delivered(sandbox):
    client = Client.orq(sandbox.api_key, sandbox.url, retry=RetryPolicy(max_retries=0))
    grid = DatasetGrid(client, sandbox.ids["rag"], page_size=10)
    grid.first_page()
    target = grid.rows[3]
    sandbox.set_faults(fault_rate=1.0)
    future = grid.edit(target.id, expected_output="Survives a failure", wait=False)
    wait_for(lambda: grid.row_status[target.id]["state"] == "retrying")
    status = grid.row_status[target.id]
    assert status["draft"] == {"expected_output": "Survives a failure"} and status["message"]
    assert client.outbox.pending()[0]["payload"]["fields"] == {"expected_output": "Survives a failure"}
    sandbox.clear_faults()
    grid.handle({"type": "retry", "datapoint_id": target.id})  # "Retry now"
    assert future.result(timeout=30).expected_output == "Survives a failure"
    assert grid.row_status[target.id]["state"] == "saved" and client.outbox.pending() == []
    assert client.get_datapoint(sandbox.ids["rag"], target.id).expected_output == "Survives a failure"
    client.close()


def test_patches_that_fail_or_lose_their_answer_land_once_each_and_show(sandbox, tmp_path, monkeypatch):
    """Faults on the PATCH itself (not only on the read before it): 500s and answers lost after the
    work was done. Every edit ends saved, on screen and on the service, and each lands exactly once."""
    monkeypatch.setenv("NBWIDGETS_CACHE_DIR", str(tmp_path))
    fast = RetryPolicy(max_retries=0, initial_delay=0.01, max_delay=0.05)
    client = Client.orq(sandbox.api_key, sandbox.url, retry=fast)
    dataset = client.create_dataset(f"patch-faults-{time.monotonic_ns()}")
    client.create_datapoints(dataset.id, [{"expected_output": f"before {i}"} for i in range(20)])
    grid = DatasetGrid(client, dataset.id, page_size=25)
    rows = grid.rows
    mark = sandbox.mark_requests()
    sandbox.set_faults(fault_rate=0.5)
    try:
        handles = [grid.edit(dp.id, expected_output=f"after {i}", wait=False) for i, dp in enumerate(rows)]
        saved = [h.result(timeout=120).expected_output for h in handles]
    finally:
        sandbox.clear_faults()
    assert saved == [f"after {i}" for i in range(20)]
    patches = sandbox.requests_received(f"/v2/datasets/{dataset.id}/datapoints/", since=mark, method="PATCH")
    assert any(p["status"] == 500 for p in patches) and any(p.get("dropped") for p in patches)
    landed = [p["path"].rsplit("/", 1)[1] for p in patches if p["status"] == 200]  # dropped ones landed too
    assert sorted(landed) == sorted(dp.id for dp in rows)  # each edit landed once: no second PATCH after a drop
    assert all(
        p["body"] == {"expected_output": f"after {i}"}
        for i, dp in enumerate(rows)
        for p in patches
        if p["path"].endswith(dp.id)
    )
    held = {dp.id: dp.expected_output for dp in client.iter_datapoints(dataset.id)}
    for i, dp in enumerate(rows):
        assert held[dp.id] == f"after {i}" == shown_row(grid, dp.id)["expected_output"]
        assert grid.row_status[dp.id]["state"] == "saved"
    client.delete_dataset(dataset.id)
    client.close()


def test_a_refused_save_is_final_and_keeps_the_draft(orq, sandbox):
    [doomed] = orq.create_datapoints(sandbox.ids["rag"], [{"expected_output": "soon gone"}])
    grid = DatasetGrid(orq, sandbox.ids["rag"], page_size=10)
    grid.first_page()
    orq.delete_datapoint(sandbox.ids["rag"], doomed.id)
    with pytest.raises(NotFoundError):
        grid.edit(doomed.id, expected_output="too late")
    status = grid.row_status[doomed.id]
    assert (
        status["state"] == "failed" and status["status"] == 404 and status["draft"] == {"expected_output": "too late"}
    )


def test_overmind_edits_are_staged_then_saved_as_a_new_version(overmind, sandbox):
    grid = DatasetGrid(overmind, sandbox.ids["agent_v1"], page_size=10)
    grid.first_page()
    assert grid.version == 1 and grid.total == 40 and grid.service == "overmind"
    target = grid.rows[4]
    grid.handle(
        {
            "type": "edit",
            "id": "s1",
            "datapoint_id": target.id,
            "field": "expected_output",
            "value": {"team": "security", "priority": "high"},
        }
    )
    assert grid.staged == {target.id: {"expected_output": {"team": "security", "priority": "high"}}}
    assert grid.row_status[target.id]["state"] == "staged"
    created = grid.save_version(make_active=True)
    assert grid.dataset_id == created.id and grid.version == created.version > 1 and grid.staged == {}
    assert "version" in grid.notice and grid.page_number == 1
    assert overmind.get_dataset(created.id).datapoints[4].expected_output == {"team": "security", "priority": "high"}
    assert overmind.get_agent(created.agent).active_dataset == created.id
    overmind.activate_dataset(sandbox.ids["agent_v2"])


def test_overmind_ordering_and_search_controls(overmind, sandbox):
    grid = DatasetGrid(overmind, sandbox.ids["agent_v1"], page_size=10)
    grid.first_page()
    grid.handle({"type": "query", "ordering": "-order", "search": ""})
    wait_for(lambda: not grid.loading and grid.rows[0].order == 39)
    grid.handle({"type": "query", "ordering": "order", "search": "invoice"})
    wait_for(lambda: not grid.loading and grid.total == 8)
    assert all("invoice" in json.dumps(dp.input).lower() for dp in grid.rows)


def test_picker_for_orq_and_for_overmind(orq, overmind, sandbox):
    grid = DatasetGrid(orq)
    wait_for(lambda: grid.picker.get("items"))
    assert {"support_quality_eval", "rag_answers"} <= {i["name"] for i in grid.picker["items"]}
    grid.handle({"type": "pick", "search": "rag"})
    wait_for(lambda: [i["name"] for i in grid.picker.get("items", [])] == ["rag_answers"])
    grid.handle({"type": "open_dataset", "dataset_id": grid.picker["items"][0]["id"]})
    wait_for(lambda: grid.dataset_name == "rag_answers" and len(grid.rows) == 6)
    assert grid.picker == {}

    om = DatasetGrid(overmind)
    wait_for(lambda: om.picker.get("kind") == "agents" and om.picker.get("items"))
    om.handle({"type": "choose_agent", "agent_id": om.picker["items"][0]["id"]})
    assert om.picker["kind"] == "versions" and any(v["active"] for v in om.picker["items"])


def test_empty_dataset_and_missing_dataset(orq, sandbox):
    grid = DatasetGrid(orq, sandbox.ids["empty"])
    grid.first_page()
    assert grid.rows == [] and grid.total == 0 and not grid.has_next and not grid.error
    with pytest.raises(NotFoundError):
        DatasetGrid(orq, "01JJ1HDHN79XAS7A01WB3HYSDB").first_page()


def test_widget_state_holds_one_page_and_no_key(orq, sandbox):
    grid = DatasetGrid(orq, sandbox.ids["generated"], page_size=25)
    grid.first_page()
    grid.next_page()
    state = json.dumps(grid.get_state(), default=str)
    assert sandbox.api_key not in state
    assert len(grid.get_state()["_page_rows"]) == 25
    assert sandbox.api_key not in repr(grid)


def test_to_pandas_and_selection(orq, sandbox):
    grid = DatasetGrid(orq, sandbox.ids["rag"], page_size=10)
    grid.first_page()
    assert grid.selected.id == grid.rows[0].id
    grid.selected_id = grid.rows[2].id  # as the front end sets it
    assert grid.selected.id == grid.rows[2].id
    frame = grid.to_pandas()
    assert len(frame) == 6 and "expected_output" in frame.columns


def test_no_client_means_the_sandbox_and_it_says_so(monkeypatch):
    monkeypatch.delenv("ORQ_API_KEY", raising=False)
    monkeypatch.delenv("NBWIDGETS_SANDBOX_URL", raising=False)
    grid = DatasetGrid()
    assert grid.is_sandbox and "sandbox" in grid.source_label
    wait_for(lambda: grid.picker.get("items"))


def test_the_schema_says_what_to_render_and_nothing_branches_on_the_service(orq, overmind, sandbox):
    grid = DatasetGrid(orq, sandbox.ids["rag"], page_size=10)
    schema = grid.schema
    assert schema["editable"] == ["expected_output", "inputs", "messages"] and schema["paging"] == "cursor"
    assert [c["kind"] for c in schema["columns"]][:3] == ["text", "inputs", "messages"]
    assert schema["find"] == "scan" and schema["orderings"] == [] and schema["save"] == "patch"
    om = DatasetGrid(overmind, sandbox.ids["agent_v1"], page_size=10).schema
    assert om["editable"] == ["expected_output", "input"] and om["paging"] == "number" and om["find"] == "server"
    with pytest.raises(ValueError, match="cannot edit persona"):
        DatasetGrid(overmind, sandbox.ids["agent_v1"])._edit_fields("x", {"persona": "p"})


def test_overmind_last_page_and_jump_to_a_page(overmind, sandbox):
    grid = DatasetGrid(overmind, sandbox.ids["agent_v1"], page_size=10)
    grid.first_page()
    assert grid.page_count == 4
    grid.last_page()
    assert grid.page_number == 4 and not grid.has_next and grid.rows[0].order == 30
    grid.handle({"type": "go_to_page", "id": "j", "number": 2})
    wait_for(lambda: grid.page_number == 2 and not grid.loading)
    assert grid.rows[0].order == 10
    with pytest.raises(ValueError, match="past the last page"):
        grid.go_to_page(9)


def test_orq_goes_back_to_any_visited_page_but_not_ahead(orq, sandbox):
    grid = DatasetGrid(orq, sandbox.ids["generated"], page_size=50, prefetch=False)
    grid.first_page()
    pages = [[dp.id for dp in grid.rows]]
    for _ in range(3):
        grid.next_page()
        pages.append([dp.id for dp in grid.rows])
    assert grid.known_pages == [1, 2, 3, 4, 5]  # visited, and the next one's cursor
    grid.pages._cache.clear()  # not from the cache: from the remembered cursor
    grid.go_to_page(2)
    assert grid.page_number == 2 and [dp.id for dp in grid.rows] == pages[1]
    with pytest.raises(ValueError, match="has not been visited"):
        grid.go_to_page(9)
    with pytest.raises(ValueError, match="pages by cursor"):
        grid.last_page()


def haystack(orq, size=250, at=(150,)):
    """A dataset of `size` datapoints where those at `at` hold a needle."""
    dataset = orq.create_dataset(f"find-{time.monotonic_ns()}")
    items = [
        {"inputs": {"n": i}, "expected_output": "the needle is here" if i in at else f"hay {i}"} for i in range(size)
    ]
    created = []
    for start in range(0, size, 100):
        created += orq.create_datapoints(dataset.id, items[start : start + 100])
    listed = list(orq.iter_datapoints(dataset.id))
    return dataset.id, [dp for dp in listed if dp.expected_output == "the needle is here"]


def counting_fetches(grid):
    """Record the page sizes and positions the grid's source is asked for."""
    asked = []
    original = grid.source.fetch

    def fetch(dataset_id, number, position, page_size, query):
        asked.append((page_size, dict(position)))
        return original(dataset_id, number, position, page_size, query)

    grid.source.fetch = fetch
    return asked


def test_orq_find_searches_the_whole_dataset_from_here_wrapping_round_in_large_pages(orq, sandbox):
    dataset_id, [early, late] = haystack(orq, size=250, at=(5, 220))
    listed = [dp.id for dp in orq.iter_datapoints(dataset_id)]
    early_row, late_row = listed.index(early.id) + 1, listed.index(late.id) + 1  # (ids of a batch are unordered)
    late_page = (late_row - 1) // 50 + 1
    assert early_row <= 100 < late_row and late_page == 5  # one before the page the find starts on, one after
    grid = DatasetGrid(orq, dataset_id, page_size=50, prefetch=False)
    grid.next_page()
    grid.next_page()
    assert grid.page_number == 3
    asked = counting_fetches(grid)
    grid.handle({"type": "find", "id": "f", "text": "NEEDLE"})  # case does not matter
    wait_for(lambda: grid.find.get("complete") or grid.find.get("error"), timeout=30)
    found = grid.find
    assert not found["running"] and found.get("error") is None
    assert found["rows"] == 250 and found["total"] == 250 and found["start_page"] == 3  # the whole dataset, once
    # from page 3 to the end, then round from row 1: the match before page 3 is found too, after the later one
    assert [(hit["id"], hit["row"], hit["page"]) for hit in found["hits"]] == [
        (late.id, late_row, late_page),
        (early.id, early_row, (early_row - 1) // 50 + 1),
    ]
    assert found["hits"][0]["field"] == "Expected output"
    assert (found["hits"][0]["before"], found["hits"][0]["match"], found["hits"][0]["after"]) == (
        "the ",
        "needle",
        " is here",
    )
    # what a find looks in is each column as the front end shows it (and the id)
    keys = {column.key for column in grid.source.columns} | {"id"}
    for datapoint in grid.rows:
        row = grid.source.row(datapoint)
        assert grid.source.searchable(datapoint) == {k: v for k, v in row.items() if k in keys}
    # the service's largest pages (as the client iterates), never the grid's page of 25
    assert [size for size, _ in asked] == [200, 200] and asked[1][1] == {}
    # a hit's page opens directly, though the grid never visited it (a cursor listing)
    assert late_page not in grid.pages._positions
    grid.handle({"type": "open_hit", "id": "o", "page": late_page, "datapoint_id": late.id})
    wait_for(lambda: grid.page_number == late_page and grid.selected_id == late.id)
    assert [dp.id for dp in grid.rows] == listed[(late_page - 1) * 50 : late_page * 50]
    grid.handle({"type": "open_hit", "id": "p", "page": found["hits"][1]["page"], "datapoint_id": early.id})
    wait_for(lambda: grid.page_number == found["hits"][1]["page"] and grid.selected_id == early.id)


def test_a_find_shows_its_progress_against_the_total_and_cancels(orq, sandbox):
    grid = DatasetGrid(orq, sandbox.ids["generated"], page_size=25, prefetch=False)
    grid.first_page()
    sandbox.set_faults(latency_ms=150)  # each page of 200 takes a while: the scan is caught running
    try:
        grid.handle({"type": "find", "id": "f", "text": "no such words anywhere"})
        wait_for(lambda: grid.find.get("rows", 0) >= 400, timeout=30)
        running = grid.find
        assert running["running"] and running["total"] == 10_000 and running["rows"] % 200 == 0
        grid.handle({"type": "cancel_find", "id": "c"})
        assert grid.find["cancelled"] and not grid.find["running"]
        rows_then = grid.find["rows"]
        time.sleep(0.6)
        assert grid.find["rows"] == rows_then < 10_000  # the scan stopped
    finally:
        sandbox.clear_faults()


def test_go_to_datapoint_id_opens_its_page_and_selects_it(orq, sandbox):
    dataset_id, [target] = haystack(orq)
    grid = DatasetGrid(orq, dataset_id, page_size=100, prefetch=False)
    grid.first_page()
    grid.go_to_datapoint(target.id)
    wait_for(lambda: grid.selected_id == target.id, timeout=30)
    row = [dp.id for dp in orq.iter_datapoints(dataset_id)].index(target.id) + 1
    assert grid.page_number == 2 and grid.find["hits"][0]["page"] == 2 and grid.find["hits"][0]["row"] == row
    grid.go_to_datapoint("01JJ1HDHN79XAS7A01WB3HYSDB")
    wait_for(lambda: "no datapoint" in grid.find.get("error", ""), timeout=60)


def test_prefetched_pages_are_sent_ahead_to_the_front_end(orq, sandbox):
    grid = DatasetGrid(orq, sandbox.ids["support"], page_size=10)
    sent = []
    grid.send = lambda message, buffers=None: sent.append(message)
    grid.first_page()
    wait_for(lambda: any(m.get("type") == "prefetched" and m["number"] == 2 for m in sent))
    ahead = next(m for m in sent if m.get("type") == "prefetched")
    grid.next_page()
    assert [r["id"] for r in ahead["rows"]] == [r["id"] for r in grid._page_rows]


def test_find_snippets_are_cut_between_words_with_an_ellipsis():
    text = "Hello, please confirm the invoice email address and correct the billing profile before the next run."
    at = text.index("invoice")
    shown = snippet(text, at, len("invoice"), before=15, after=25)
    assert shown == "…confirm the invoice email address and…"  # not "…and correc"
    assert snippet("an invoice", 3, 7) == "an invoice"  # nothing left out: no ellipsis
    assert snippet("line one\ninvoice two", 9, 7) == "line one invoice two"


def test_a_find_stopped_at_its_limit_goes_further_from_where_it_stopped(orq, sandbox, monkeypatch):
    monkeypatch.setattr(find_module, "MAX_HITS", 3)
    dataset_id, needles = haystack(orq, size=600, at=(20, 30, 250, 260, 300, 590))
    listed = [dp.id for dp in orq.iter_datapoints(dataset_id)]
    rows = [listed.index(dp.id) + 1 for dp in needles]
    grid = DatasetGrid(orq, dataset_id, page_size=50, prefetch=False)
    for _ in range(4):
        grid.next_page()
    assert grid.page_number == 5  # from row 201: the first page of 200 read holds three hits, the limit
    grid.handle({"type": "find", "id": "f", "text": "needle"})
    wait_for(lambda: not grid.find.get("running") and grid.find.get("hits"), timeout=30)
    assert [hit["row"] for hit in grid.find["hits"]] == rows[2:5] and grid.find["rows"] == 200
    assert not grid.find["complete"]
    grid.handle({"type": "find_further", "id": "g"})
    wait_for(lambda: grid.find.get("complete") and not grid.find.get("running"), timeout=30)
    # on to the end, then round from the first row back to where it began: each row once
    assert [hit["row"] for hit in grid.find["hits"]] == rows[2:] + rows[:2]
    assert grid.find["rows"] == 600
    assert [hit["page"] for hit in grid.find["hits"]] == [(row - 1) // 50 + 1 for row in rows[2:] + rows[:2]]
    far = grid.find["hits"][3]  # on a page never visited: found after the resume, it opens directly
    assert far["page"] > 10 and far["page"] not in grid.pages._positions
    grid.handle({"type": "open_hit", "id": "o", "page": far["page"], "datapoint_id": far["id"]})
    wait_for(lambda: grid.page_number == far["page"] and grid.selected_id == far["id"])
    assert [dp.id for dp in grid.rows] == listed[(far["page"] - 1) * 50 : far["page"] * 50]
    with pytest.raises(ValueError, match="no find to go on with"):
        grid._find_further()


def test_find_on_a_list_of_datapoints_pages_by_number_and_wraps(orq, sandbox):
    dataset_id, needles = haystack(orq, size=250, at=(3, 240))
    listed = list(orq.iter_datapoints(dataset_id))
    shown = [*[dp for dp in listed if dp.id != needles[1].id][:230], needles[1]]  # 231 rows, a needle last
    grid = DatasetGrid(orq, rows=shown, page_size=10, prefetch=False)
    grid.go_to_page(13)
    grid.find_text("needle")
    wait_for(lambda: grid.find.get("complete"), timeout=30)
    early = shown.index(needles[0]) + 1
    assert [hit["row"] for hit in grid.find["hits"]] == [231, early] and grid.find["rows"] == 231
    grid.handle({"type": "open_hit", "id": "o", "page": 24, "datapoint_id": needles[1].id})
    wait_for(lambda: grid.page_number == 24 and grid.selected_id == needles[1].id)


def test_a_rows_problem_stays_with_its_draft_across_page_changes(sandbox):
    """A conflict, a refused draft and a write still retrying on page 1: after going to another page and
    back, each row's status (the trait the row and its detail line are drawn from) still holds its state,
    draft, reason and the service's value, and Keep mine / Retry still act on it (issue 24, 1)."""
    client = Client.orq(sandbox.api_key, sandbox.url, retry=RetryPolicy(max_retries=0, initial_delay=0.5))
    dataset = client.create_dataset(f"statuses-across-pages-{time.monotonic_ns()}")
    client.create_datapoints(dataset.id, [{"expected_output": f"row {i}", "inputs": {"q": "x"}} for i in range(15)])
    grid = DatasetGrid(client, dataset.id, page_size=5)
    grid.first_page()
    wait_for(lambda: len(grid.pages._cache) >= 2, what="page 2 prefetched")  # flips to it need no request
    conflicted, refused, retrying = (dp.id for dp in grid.rows[:3])
    refused_text = grid.rows[1].expected_output
    client.update_datapoint(dataset.id, conflicted, expected_output="Changed by a colleague")
    with pytest.raises(ConflictError):
        grid.edit(conflicted, expected_output="Mine")
    with pytest.raises(ValueError):
        grid.edit(refused, inputs={"q": {"nested": "not allowed"}})
    sandbox.set_faults(fault_rate=1.0)
    try:
        handle = grid.edit(retrying, expected_output="Still on its way", wait=False)
        wait_for(lambda: grid.row_status.get(retrying, {}).get("state") == "retrying", what="the write retrying")
        kept = ("state", "draft", "reason", "server", "server_updated")
        before = {k: {f: grid.row_status[k].get(f) for f in kept} for k in (conflicted, refused, retrying)}
        assert before[conflicted]["server"] == {"expected_output": "Changed by a colleague"}
        assert before[refused]["state"] == "failed" and "must be a string" in before[refused]["reason"]
        grid.next_page()
        assert grid.page_number == 2 and conflicted not in {dp.id for dp in grid.rows}
        grid.prev_page()
        assert grid.page_number == 1
        after = {k: {f: grid.row_status[k].get(f) for f in kept} for k in (conflicted, refused, retrying)}
        assert after == before
    finally:
        sandbox.clear_faults()
    grid.handle({"type": "retry", "datapoint_id": retrying})  # "Retry now", from the row on page 1 again
    assert handle.result(timeout=30).expected_output == "Still on its way"
    grid.go_to_page(3)
    grid.first_page()
    assert grid.row_status[conflicted]["draft"] == {"expected_output": "Mine"}
    assert grid.row_status[refused]["draft"] == {"inputs": {"q": {"nested": "not allowed"}}}
    grid.handle({"type": "resolve", "datapoint_id": conflicted, "keep": "mine"})
    wait_for(lambda: grid.row_status[conflicted]["state"] == "saved", what="Keep mine saved")
    held = {dp.id: dp.expected_output for dp in client.iter_datapoints(dataset.id)}
    assert held[conflicted] == "Mine" == shown_row(grid, conflicted)["expected_output"]
    assert held[retrying] == "Still on its way" == shown_row(grid, retrying)["expected_output"]
    assert held[refused] == refused_text  # the refused draft never left the kernel
    client.delete_dataset(dataset.id)
    client.close()


def test_undo_from_another_page_reverts_the_row_on_its_page_and_on_the_service(orq):
    """An edit on page 1, Undo pressed on page 2: the service holds the original again, and page 1 (kept in
    the cache, shown again without a request) draws the original, not the undone edit."""
    dataset = orq.create_dataset(f"undo-across-pages-{time.monotonic_ns()}")
    orq.create_datapoints(dataset.id, [{"expected_output": f"original {i}"} for i in range(6)])
    grid = DatasetGrid(orq, dataset.id, page_size=3)
    grid.first_page()
    target = grid.rows[1]
    grid.edit(target.id, expected_output="edited on page 1")
    grid.next_page()
    assert grid.can_undo
    grid.handle({"type": "undo", "id": "u"})
    wait_for(lambda: orq.get_datapoint(dataset.id, target.id).expected_output == target.expected_output)
    wait_for(lambda: not grid.can_undo, what="the undo delivered")
    fetched, _ = recording(grid)
    grid.prev_page()
    assert 1 not in fetched  # from the cache: what the cache holds is what is drawn
    assert shown_row(grid, target.id)["expected_output"] == target.expected_output
    assert grid.rows[1].expected_output == target.expected_output
    orq.delete_dataset(dataset.id)


def test_the_page_count_follows_a_total_that_arrives_after_the_first_page(orq, sandbox, monkeypatch):
    """The dataset's size is read in the background; when it comes after page 1 is on screen, the pager
    still says 'Page 1 of N' (it said 'Page 1' for good when the count was only made as a page was shown)."""
    from nbwidgets.client.orq_datasets import OrqDatasets

    real = OrqDatasets.describe

    def late(self, dataset_id):
        time.sleep(0.5)  # the first page (fetched at the same time) is shown before this answers
        return real(self, dataset_id)

    monkeypatch.setattr(OrqDatasets, "describe", late)
    grid = DatasetGrid(orq, sandbox.ids["support"], page_size=5)
    wait_for(lambda: grid.pages.page is not None and not grid.loading)
    wait_for(lambda: grid.total is not None, timeout=10)
    assert grid.page_count == -(-grid.total // 5) and grid.page_count > 1


def test_a_re_run_grid_on_the_same_dataset_gets_its_layout_and_undo_history_back(orq, sandbox, fresh_dataset):
    orq.create_datapoints(fresh_dataset.id, [{"expected_output": "first"}, {"expected_output": "second"}])
    grid = DatasetGrid(orq, fresh_dataset.id)
    target = grid.rows[0]
    grid.column_layout = {fresh_dataset.id: {"widths": {"expected_output": 480}, "hidden": ["evaluations"]}}
    grid.edit(target.id, expected_output="edited before the re-run")
    # the cell is run again: a new grid on the same dataset, with the same (or a new) client
    with Client.orq(sandbox.api_key, sandbox.url) as again:
        rerun = DatasetGrid(again, fresh_dataset.id)
        assert rerun.column_layout[fresh_dataset.id] == grid.column_layout[fresh_dataset.id]
        assert rerun.can_undo
        rerun.undo()
        assert orq.get_datapoint(fresh_dataset.id, target.id).expected_output == "first"
        assert shown_row(rerun, target.id)["expected_output"] == "first" and not rerun.can_undo
    # another dataset starts with its own (empty) history and the default layout
    other = DatasetGrid(orq, sandbox.ids["rag"])
    assert fresh_dataset.id not in other.column_layout and sandbox.ids["rag"] not in other.column_layout


def test_stale_notices_clear_once_they_no_longer_apply(orq, overmind, sandbox):
    """Issue 21, item 16: 'no datapoint X' goes with a page change; 'Saved as version N' goes once new edits
    are staged."""
    grid = DatasetGrid(orq, sandbox.ids["support"], page_size=10)
    grid.first_page()
    grid.handle({"type": "go_to_datapoint", "id": "g", "datapoint_id": "01NOSUCHDATAPOINT0000000000"})
    wait_for(lambda: grid.find.get("error"), timeout=30)
    assert "no datapoint" in grid.find["error"]
    grid.next_page()
    assert grid.find == {}  # it answered the look-up, not this page
    versions = DatasetGrid(overmind, sandbox.ids["agent_v1"], page_size=10)
    versions.first_page()
    target = versions.rows[3]
    versions.edit(target.id, expected_output={"team": "security", "priority": "low"})
    created = versions.save_version()
    assert versions.notice.startswith("Saved as version")
    versions.edit(versions.rows[2].id, expected_output={"team": "billing", "priority": "low"})
    assert versions.notice == "" and versions.staged
    overmind.delete_dataset(created.id)
