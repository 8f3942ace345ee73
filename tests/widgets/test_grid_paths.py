"""The grid's paths the front end reaches by intent: refresh, page size, discard, save as a new version.
Each is checked on what the grid shows and on what the service received or holds."""

from __future__ import annotations

import time

import pytest
from servers import versions_made_from, wait_for

from nbwidgets import Client, DatasetGrid
from nbwidgets.client import ApiError, RetryPolicy

pytestmark = pytest.mark.usefixtures("shapes_held")  # every value sent has its trait's shape (conftest.py)


def shown(grid, datapoint_id):
    row = next(r for r in grid._page_rows if r["id"] == datapoint_id)
    return {**row, **grid._row_patches.get(datapoint_id, {})}


def answers(grid):
    sent = []
    grid.send = lambda message, buffers=None: sent.append(message)
    return sent


@pytest.fixture
def dataset(orq):
    created = orq.create_dataset(f"paths-{time.monotonic_ns()}")
    orq.create_datapoints(created.id, [{"expected_output": f"row {i}"} for i in range(12)])
    yield created.id
    orq.delete_dataset(created.id)


def test_refresh_shows_what_a_colleague_changed_and_asks_the_service_again(orq, sandbox, dataset):
    grid = DatasetGrid(orq, dataset, page_size=10, prefetch=False)
    target = grid.rows[4]
    with Client.orq(sandbox.api_key, sandbox.url) as colleague:
        colleague.update_datapoint(dataset, target.id, expected_output="changed by a colleague")
    grid.first_page()  # cached: still what was loaded
    assert shown(grid, target.id)["expected_output"] == target.expected_output
    mark = sandbox.mark_requests()
    sent = answers(grid)
    grid.handle({"type": "refresh", "id": "r"})
    wait_for(lambda: not grid.loading and shown(grid, target.id)["expected_output"] == "changed by a colleague")
    assert {"id": "r", "ok": True} in sent and grid.page_number == 1 and len(grid.rows) == 10
    [listing] = sandbox.requests_received(f"/v2/datasets/{dataset}/datapoints", since=mark, method="GET")
    assert listing["query"].get("limit") in ("10", 10)


def test_overmind_refresh_stays_on_its_page(overmind, sandbox):
    grid = DatasetGrid(overmind, sandbox.ids["agent_v1"], page_size=10)
    grid.first_page()
    grid.go_to_page(3)
    grid.handle({"type": "refresh", "id": "r"})
    wait_for(lambda: not grid.loading)
    assert grid.page_number == 3 and grid.rows[0].order == 20


def test_page_size_reloads_from_the_first_page_and_the_service_gets_the_limit(orq, sandbox, dataset):
    grid = DatasetGrid(orq, dataset, page_size=10, prefetch=False)
    grid.next_page()
    assert grid.page_number == 2 and len(grid.rows) == 2
    mark = sandbox.mark_requests()
    sent = answers(grid)
    grid.handle({"type": "page_size", "id": "p", "size": 5})
    wait_for(lambda: not grid.loading and grid.page_size == 5 and len(grid._page_rows) == 5)
    assert {"id": "p", "ok": True} in sent and grid.page_number == 1 and grid.has_next
    assert [r["query"].get("limit") for r in sandbox.requests_received(f"/v2/datasets/{dataset}", since=mark)] == ["5"]
    grid.handle({"type": "page_size", "id": "bad", "size": 0})
    [refused] = [m for m in sent if m.get("id") == "bad"]
    assert not refused["ok"] and "page_size" in refused["error"]["message"] and grid.page_size == 5


def stage(grid, datapoint, value):
    grid.handle({"type": "edit", "id": "s", "datapoint_id": datapoint.id, "field": "expected_output", "value": value})


def test_discard_drops_the_staged_edits_and_sends_nothing(overmind, sandbox):
    grid = DatasetGrid(overmind, sandbox.ids["agent_v1"], page_size=10)
    grid.first_page()
    first, second = grid.rows[1], grid.rows[2]
    stage(grid, first, {"team": "billing"})
    stage(grid, second, "plain text")
    assert set(grid.staged) == {first.id, second.id} and grid.row_status[first.id]["state"] == "staged"
    mark = sandbox.mark_requests()
    grid.handle({"type": "discard", "id": "d"})
    assert grid.staged == {} and first.id not in grid.row_status and second.id not in grid.row_status
    assert grid.rows[1].expected_output == first.expected_output  # the page shows the version as it is
    assert sandbox.requests_received("/api/", since=mark, method="POST") == []
    with pytest.raises(ValueError, match="no staged edits"):
        grid.save_version()


def test_save_version_by_intent_posts_every_datapoint_once_with_the_edit(overmind, sandbox):
    grid = DatasetGrid(overmind, sandbox.ids["agent_v1"], page_size=10)
    grid.first_page()
    base = overmind.get_dataset(sandbox.ids["agent_v1"])
    agent_before = overmind.get_agent(base.agent).active_dataset
    target = grid.rows[3]
    stage(grid, target, {"team": "security"})
    mark = sandbox.mark_requests()
    grid.handle({"type": "save_version", "id": "v", "make_active": False})
    wait_for(lambda: "Saved as version" in grid.notice and not grid.loading)
    [posted] = sandbox.requests_received("/api/datasets/", since=mark, method="POST")
    body = posted["body"]
    assert posted["status"] == 201 or posted["status"] == 200
    assert body["agent"] == base.agent and body["make_active"] is False
    assert len(body["datapoints"]) == len(base.datapoints) == 40
    changed = [dp for dp in body["datapoints"] if dp["expected_output"] == {"team": "security"}]
    assert len(changed) == 1 and changed[0]["order"] == target.order and "id" not in changed[0]
    # the grid moved to the new version: its first page, nothing staged, the edit on screen
    assert grid.dataset_id != sandbox.ids["agent_v1"] and grid.staged == {} and grid.page_number == 1
    assert "(active)" not in grid.notice
    assert grid.rows[3].expected_output == {"team": "security"}
    assert overmind.get_agent(base.agent).active_dataset == agent_before  # not made active
    overmind.delete_dataset(grid.dataset_id)


@pytest.fixture
def quick_overmind(sandbox, tmp_path, monkeypatch):
    monkeypatch.setenv("NBWIDGETS_CACHE_DIR", str(tmp_path))
    client = Client.overmind(sandbox.api_key, sandbox.url, retry=RetryPolicy(max_retries=0))
    yield client
    sandbox.clear_faults()
    client.close()


def test_a_version_save_while_the_service_is_down_shows_retrying_keeps_the_edits_and_lands_once(
    quick_overmind, overmind, sandbox, own_version
):
    grid = DatasetGrid(quick_overmind, own_version.id, page_size=10)
    grid.first_page()
    target = grid.rows[2]
    stage(grid, target, "kept through the outage")
    sent = answers(grid)
    sandbox.set_faults(fault_rate=1.0)
    grid.handle({"type": "save_version", "id": "v"})
    assert sent[-1] == {"id": "v", "ok": True}  # queued at once: the kernel is not held
    wait_for(lambda: grid.version_save.get("state") == "retrying")
    # the staged bar says why; the row still shows the edit, staged, on the version it was made on
    assert grid.version_save["attempts"] >= 1 and grid.version_save["message"]
    assert grid.staged == {target.id: {"expected_output": "kept through the outage"}}
    assert grid.row_status[target.id]["state"] == "staged" and grid.dataset_id == own_version.id
    with pytest.raises(ValueError, match="being saved"):
        grid.edit(grid.rows[3].id, expected_output="not while saving")
    with pytest.raises(ValueError, match="being saved"):
        grid.save_version(wait=False)
    sandbox.clear_faults()
    grid.handle({"type": "retry_version", "id": "r"})
    wait_for(lambda: "Saved as version" in grid.notice and not grid.loading and grid.pages.page is not None)
    [made] = versions_made_from(overmind, own_version)  # one version, whatever was lost on the way
    assert grid.dataset_id == made.id and grid.version == made.version
    assert grid.staged == {} and grid.version_save == {} and grid.row_status == {}
    assert shown(grid, grid.rows[2].id)["expected_output"] == "kept through the outage"  # the new version, on screen
    assert overmind.get_dataset(made.id).datapoints[2].expected_output == "kept through the outage"


def test_a_refused_version_save_keeps_the_staged_edits_and_says_why(quick_overmind, overmind, own_version):
    doomed = overmind.create_dataset_version(own_version.agent, own_version.datapoints[:3], name="deleted meanwhile")
    grid = DatasetGrid(quick_overmind, doomed.id, page_size=10)
    grid.first_page()
    target = grid.rows[0]
    stage(grid, target, "kept")
    overmind.delete_dataset(doomed.id)  # someone deleted the version meanwhile
    grid.handle({"type": "save_version", "id": "v"})
    wait_for(lambda: grid.error.startswith("Saving the new version failed"))
    assert "Not found" in grid.error and "(your edits are still staged)" in grid.error and grid.version_save == {}
    assert grid.staged == {target.id: {"expected_output": "kept"}} and grid.dataset_id == doomed.id
    assert grid.row_status[target.id]["state"] == "staged"
    grid.handle({"type": "discard", "id": "d"})  # once it has failed, the edits can be discarded
    assert grid.staged == {}


def test_a_version_says_whether_it_is_active_and_whether_a_newer_one_exists(overmind, sandbox, own_version):
    old = DatasetGrid(overmind, sandbox.ids["agent_v1"], page_size=10)
    old.first_page()
    assert old.version == 1 and old.version_standing == {"newest": own_version.version, "active": False}
    active = DatasetGrid(overmind, sandbox.ids["agent_v2"], page_size=10)
    assert active.rows  # the load (page and standing) is in the background: `rows` waits for it
    assert active.version_standing["active"] is True
    grid = DatasetGrid(overmind, own_version.id, page_size=10)
    grid.first_page()
    assert grid.version_standing == {"newest": own_version.version, "active": False}
    stage(grid, grid.rows[0], "first save")
    grid.save_version()
    assert grid.notice.startswith("Saved as version")
    assert grid.version_standing == {"newest": grid.version, "active": False} and grid.version > own_version.version
    stage(grid, grid.rows[0], "second save")
    handle = grid.save_version(wait=False)
    assert grid.notice == ""  # the last save's notice does not stand beside this one's progress
    handle.result(30)
    wait_for(lambda: grid.notice.startswith("Saved as version"))


def test_a_notebook_on_the_sandbox_switches_its_faults_and_sees_the_grid_retry_then_save(sandbox, dataset):
    """`client.set_sandbox_faults(...)`: what a user runs to watch the widgets ride out a failing service."""
    client = Client.orq(sandbox.api_key, sandbox.url, sandbox=True, retry=RetryPolicy(max_retries=0))
    try:
        grid = DatasetGrid(client, dataset, page_size=10)
        target = grid.rows[0]
        assert client.set_sandbox_faults(fault_rate=1.0)["fault_rate"] == 1.0
        handle = grid.edit(target.id, expected_output="Through the storm", wait=False)
        wait_for(lambda: grid.row_status[target.id]["state"] == "retrying", what="the row saying it retries")
        assert client.set_sandbox_faults(fault_rate=0)["fault_rate"] == 0
        grid.handle({"type": "retry", "datapoint_id": target.id})
        assert handle.result(30).expected_output == "Through the storm"
        assert grid.row_status[target.id]["state"] == "saved"
        with pytest.raises(ApiError, match="unknown fault setting 'storm'"):
            client.set_sandbox_faults(storm=1)
    finally:
        sandbox.clear_faults()
        client.close()
    with Client.orq(sandbox.api_key, sandbox.url) as real, pytest.raises(RuntimeError, match="for the sandbox"):
        real.set_sandbox_faults(fault_rate=1.0)  # a client of a real service has no such switches


def test_two_fields_of_one_row_staged_in_either_order_are_both_saved_in_the_version(overmind, sandbox, own_version):
    """Overmind: `expected_output` then `input` on one row (by intent, then by Python), `input` then
    `expected_output` on another (by Python, then by intent), a field staged twice: the staged trait and the
    rows' drafts (what the cells are drawn from) hold both fields, and so does the saved version (issue 24, 2)."""
    grid = DatasetGrid(overmind, own_version.id, page_size=10)
    grid.first_page()
    one, other = grid.rows[1], grid.rows[2]
    stage(grid, one, {"team": "billing"})
    grid.edit(one.id, inputs={"text": "edited input, one"})  # the Python API's name for Overmind's input
    grid.edit(other.id, inputs={"text": "edited input, other"})
    stage(grid, other, "first try")
    stage(grid, other, "second try")  # the same field again: the last value, the other field kept
    wanted = {
        one.id: {"expected_output": {"team": "billing"}, "input": {"text": "edited input, one"}},
        other.id: {"input": {"text": "edited input, other"}, "expected_output": "second try"},
    }
    assert grid.staged == wanted
    assert {k: grid.row_status[k]["draft"] for k in wanted} == wanted
    assert all(grid.row_status[k]["state"] == "staged" for k in wanted)
    grid.next_page()  # staged on page 1, still staged (and drawn as such) after a page away and back
    grid.prev_page()
    assert grid.staged == wanted and {k: grid.row_status[k]["draft"] for k in wanted} == wanted
    grid.save_version()
    wait_for(lambda: "Saved as version" in grid.notice and not grid.loading and grid.pages.page is not None)
    [made] = versions_made_from(overmind, own_version)
    held = {dp.order: dp for dp in overmind.get_dataset(made.id).datapoints}
    for before in (one, other):
        fields = wanted[before.id]
        assert (held[before.order].input, held[before.order].expected_output) == (
            fields["input"],
            fields["expected_output"],
        )
        row = shown(grid, grid.rows[[dp.order for dp in grid.rows].index(before.order)].id)
        assert (row["input"], row["expected_output"]) == (fields["input"], fields["expected_output"])
    untouched = grid.rows[3]
    assert held[untouched.order].input == own_version.datapoints[3].input
