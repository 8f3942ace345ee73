"""What the service received, read from the sandbox's own record of its requests (not our payloads).

Each test makes a change the way a user does (a grid edit, an undo, a thumbs click, an evaluator
save) and asserts the request bodies the sandbox got: only the changed field, the client's own id.
"""

from __future__ import annotations

import time

import pytest

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
