"""What the service received, read from the sandbox's own record of its requests (not our payloads).

Each test makes a change the way a user does (a grid edit, an undo, a thumbs click, an evaluator
save) and asserts the request bodies the sandbox got: only the changed field, the client's own id.
"""

from __future__ import annotations

import time
from contextlib import contextmanager

import pytest
from servers import wait_for

from nbwidgets import Client, DatasetGrid, EvaluatorForm, FeedbackButtons
from nbwidgets.client import RetryPolicy

FAST = RetryPolicy(max_retries=3, initial_delay=0.01, max_delay=0.05, max_elapsed=10)


@pytest.fixture
def client(sandbox, tmp_path, monkeypatch):
    monkeypatch.setenv("NBWIDGETS_CACHE_DIR", str(tmp_path))
    sandbox.clear_faults()
    with Client.orq(sandbox.api_key, sandbox.url, retry=FAST) as client:
        yield client
    sandbox.clear_faults()


@pytest.fixture
def dataset(client):
    created = client.create_dataset(f"received-{time.monotonic_ns()}")
    client.create_datapoints(
        created.id,
        [{"inputs": {"q": f"question {i}"}, "expected_output": f"original {i}"} for i in range(5)],
    )
    yield created.id
    client.delete_dataset(created.id)


def patches(sandbox, dataset_id, since):
    return sandbox.requests_received(f"/v2/datasets/{dataset_id}/datapoints/", since=since, method="PATCH")


def test_a_grid_edit_and_its_undo_send_only_the_changed_field(client, sandbox, dataset):
    grid = DatasetGrid(client, dataset, page_size=10)
    target = grid.rows[1]
    mark = sandbox.mark_requests()
    grid.edit(target.id, expected_output="edited in the grid")
    grid.undo()
    sent = patches(sandbox, dataset, mark)
    assert [r["path"].rsplit("/", 1)[1] for r in sent] == [target.id, target.id]
    assert [r["body"] for r in sent] == [
        {"expected_output": "edited in the grid"},
        {"expected_output": target.expected_output},
    ]
    assert [r["status"] for r in sent] == [200, 200]


def test_an_inputs_edit_by_intent_sends_the_inputs_alone(client, sandbox, dataset):
    grid = DatasetGrid(client, dataset, page_size=10)
    target = grid.rows[0]
    mark = sandbox.mark_requests()
    grid.handle(
        {"type": "edit", "id": "e", "datapoint_id": target.id, "field": "inputs", "value": {"q": "new", "n": 2}}
    )
    assert client.outbox.flush(30)
    [sent] = patches(sandbox, dataset, mark)
    assert sent["body"] == {"inputs": {"q": "new", "n": 2}}


def test_feedback_carries_the_widgets_own_id_every_time(client, sandbox):
    trace = sandbox.new_trace("received")
    widget = FeedbackButtons(client, trace_id=trace)
    mark = sandbox.mark_requests()
    widget.submit("good")
    assert widget.flush(30)
    widget.submit("bad")  # a change of mind: the same feedback, a new value
    assert widget.flush(30)
    sent = sandbox.requests_received("/v2/feedback", since=mark, method="POST")
    assert [r["body"]["value"] for r in sent] == ["good", "bad"]
    assert [r["body"]["id"] for r in sent] == [widget.feedback_id, widget.feedback_id]
    assert all(r["body"]["trace_id"] == trace and r["body"]["property"] == "rating" for r in sent)
    assert len(sandbox.feedback(trace)) == 1


def test_feedback_whose_answer_is_lost_is_sent_again_with_the_same_id(client, sandbox):
    trace = sandbox.new_trace("lost")
    widget = FeedbackButtons(client, trace_id=trace)
    mark = sandbox.mark_requests()
    sandbox.set_faults(fault_rate=0.6)
    widget.submit("good")
    assert widget.flush(60)
    sandbox.clear_faults()
    sent = sandbox.requests_received("/v2/feedback", since=mark, method="POST")
    assert sent and {r["body"]["id"] for r in sent} == {widget.feedback_id}
    [record] = sandbox.feedback(trace)
    assert record["id"] == widget.feedback_id and widget.status == "sent"


def test_an_evaluator_save_sends_only_what_changed_with_its_version_bump(client, sandbox):
    created = client.create_evaluator(
        {"key": f"received_{time.monotonic_ns()}", "prompt": "Rate {{output}}", "model": "openai/gpt-4o"}
    )
    form = EvaluatorForm(client, created.id)
    form.reload()
    form.draft = {**form.draft, "description": "now described", "repetitions": 3}
    form.version_increment, form.version_description = "minor", "described"
    mark = sandbox.mark_requests()
    form.save(timeout=30)
    [sent] = sandbox.requests_received(f"/v2/evaluators/{created.id}", since=mark, method="PATCH")
    assert sent["body"] == {
        "type": "llm_eval",
        "path": created.path,
        "description": "now described",
        "repetitions": 3,
        "versionIncrement": "minor",
        "versionDescription": "described",
    }
    assert sent["status"] == 200 and form.version == "1.1.0"


# --- a write whose answer is lost after the work was done: the retry finds it landed ---------------------


@contextmanager
def answers_lost_until_one(sandbox, method, path):
    """Inside: every request does its work and loses its answer, until one `method path...` has; then
    the service answers again (the retry that follows must find the work done, not do it twice)."""
    mark = sandbox.mark_requests()
    sandbox.set_faults(drop_rate=1.0)
    try:
        yield
        wait_for(
            lambda: any(r.get("dropped") for r in sandbox.requests_received(path, since=mark, method=method)),
            timeout=30,
            what=f"a {method} {path} whose answer was lost",
        )
    finally:
        sandbox.clear_faults()


def test_an_evaluator_save_whose_answer_is_lost_makes_one_version(client, sandbox):
    created = client.create_evaluator(
        {"key": f"lost_save_{time.monotonic_ns()}", "prompt": "Rate {{output}}", "model": "openai/gpt-4o"}
    )
    form = EvaluatorForm(client, created.id)
    assert form.value.key == created.key and form.version == "1.0.0"  # (.value waits for the load)
    form.draft = {**form.draft, "description": "saved once"}
    mark = sandbox.mark_requests()
    with answers_lost_until_one(sandbox, "PATCH", f"/v2/evaluators/{created.id}"):
        handle = form.save(wait=False)
    assert handle.result(30).version == "1.0.1"
    sent = sandbox.requests_received(f"/v2/evaluators/{created.id}", since=mark, method="PATCH")
    assert len(sent) == 1  # checked by a read, never sent again
    assert client.get_evaluator(created.id).version == "1.0.1" == form.version
    assert form.notice.startswith("Saved") and not form.banner


def test_a_new_evaluator_whose_answer_is_lost_is_made_once(client, sandbox):
    key = f"lost_create_{time.monotonic_ns()}"
    form = EvaluatorForm(client)
    form.draft = {**form.draft, "key": key, "prompt": "Rate {{output}}", "model": "openai/gpt-4o"}
    with answers_lost_until_one(sandbox, "POST", "/v2/evaluators"):
        handle = form.save(wait=False)
    made = handle.result(30)
    assert [e.id for e in client.iter_evaluators() if getattr(e, "key", None) == key] == [made.id]  # one, not two
    assert form.evaluator_id == made.id and not form.banner


def test_a_feedback_removal_whose_answer_is_lost_shows_removed(client, sandbox):
    trace = sandbox.new_trace("lost-removal")
    widget = FeedbackButtons(client, trace_id=trace)
    widget.submit("good")
    assert widget.flush(30) and len(sandbox.feedback(trace)) == 1
    with answers_lost_until_one(sandbox, "POST", "/v2/feedback/remove"):
        widget.undo()
    assert widget.flush(30)
    assert widget.status == "removed" and sandbox.feedback(trace) == []  # gone on the service, said so
    assert client.outbox.failed() == []


def test_a_versioned_save_retried_after_a_429_still_makes_its_version(client, sandbox):
    """The service already holds the draft's words (set by someone else, no new version) and the first
    try is refused with a 429 (nothing done): the retry reads first, and must not take "the words are
    there" for "my save landed": the version the user asked for is made."""
    created = client.create_evaluator(
        {"key": f"held_words_{time.monotonic_ns()}", "prompt": "Rate {{output}}", "model": "openai/gpt-4o"}
    )
    form = EvaluatorForm(client, created.id)
    assert form.value.key == created.key and form.version == "1.0.0"
    client.update_evaluator(created.id, {"description": "the same words"})  # a colleague, no version bump
    assert client.get_evaluator(created.id).version == "1.0.0"
    form.draft = {**form.draft, "description": "the same words"}
    mark = sandbox.mark_requests()
    sandbox.set_faults(rate_limit_rate=1.0, retry_after_ms=0)
    try:
        handle = form.save(wait=False)
        wait_for(
            lambda: any(r["status"] == 429 for r in sandbox.requests_received("/v2/evaluators", since=mark)),
            what="a 429 on the save",
        )
    finally:
        sandbox.clear_faults()
    handle.result(30)
    assert client.get_evaluator(created.id).version == "1.0.1" == form.version
    [sent] = [
        r
        for r in sandbox.requests_received(f"/v2/evaluators/{created.id}", since=mark)
        if r["status"] == 200 and r["method"] == "PATCH"
    ]
    assert sent["body"]["description"] == "the same words" and sent["body"]["versionIncrement"] == "patch"
