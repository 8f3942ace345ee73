"""The sandbox refuses what orq and Overmind refuse (issue 11), and never answers 500 to bad input (issue 10.10).

Each test goes over HTTP: raw requests where the point is the service's answer, the client where the point
is what a user meets.
"""

from __future__ import annotations

import time

import httpx
import pytest

from nbwidgets import Client, FeedbackButtons
from nbwidgets.client import NotFoundError, ValidationError

TICKET = "How do I reset my password? The link expired."


@pytest.fixture
def http(sandbox):
    with httpx.Client(base_url=sandbox.url, headers={"Authorization": f"Bearer {sandbox.api_key}"}) as client:
        yield client


# --- deployments and traces --------------------------------------------------------------------------


def test_demo_deployments_are_listed_and_invoked_deterministically(orq, sandbox):
    keys = {d.key for d in orq.list_deployments().items}
    assert keys >= {"support-reply", "classify-ticket", "summarize"}
    first = orq.invoke_deployment("support-reply", inputs={"ticket": TICKET})
    again = orq.invoke_deployment("support-reply", inputs={"ticket": TICKET})
    assert first.output == again.output and first.trace_id != again.trace_id  # same answer, a new trace each time
    assert first.model == "gpt-4o-mini" and first.usage and first.usage["total_tokens"] > 0
    assert first.choices[0]["message"]["role"] == "assistant"
    other = orq.invoke_deployment(
        "support-reply", inputs={"ticket": TICKET}, messages=[{"role": "user", "content": "Still broken."}]
    )
    assert other.output != first.output or other.trace_id != first.trace_id
    traces = {t["trace_id"]: t for t in sandbox.control("GET", "/_sandbox/traces?limit=50")}
    assert traces[first.trace_id]["deployment"] == "support-reply" and traces[first.trace_id]["output"] == first.output
    assert orq.invoke_deployment("classify-ticket", inputs={"ticket": TICKET}).output in {
        "account",
        "billing",
        "mobile",
        "platform",
        "product",
        "sales",
    }
    assert orq.invoke_deployment("summarize", inputs={"text": "One. Two three."}).output


def test_support_reply_matches_some_expected_outputs_differs_on_others_and_is_long_on_some(orq, sandbox):
    outcomes = {"equal": 0, "different": 0, "long": 0}
    for point in orq.iter_datapoints(sandbox.ids["support"], page_size=60):
        answer = orq.invoke_deployment(
            "support-reply", inputs=point.to_wire()["inputs"], messages=point.to_wire()["messages"]
        ).output
        if answer == point.expected_output:
            outcomes["equal"] += 1
        elif len(answer) > 500:
            outcomes["long"] += 1
        else:
            outcomes["different"] += 1
    assert all(count >= 10 for count in outcomes.values()), outcomes


def test_invoke_refuses_what_orq_refuses(orq, http):
    with pytest.raises(NotFoundError):
        orq.invoke_deployment("no-such-deployment")
    with pytest.raises(ValueError, match="key"):
        orq.invoke_deployment("")
    with pytest.raises(TypeError, match="inputs"):
        orq.invoke_deployment("support-reply", inputs=["not", "a", "dict"])  # type: ignore[arg-type]
    assert http.post("/v2/deployments/invoke", json={"inputs": {}}).status_code == 400
    assert (
        http.post("/v2/deployments/invoke", json={"key": "summarize", "messages": [{"content": "x"}]}).status_code
        == 400
    )


# --- feedback --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prop", "value", "status"),
    [
        ("not_a_property", "good", 404),
        ("rating", "meh", 400),
        ("rating", ["good"], 400),
        ("defects", ["nonsense"], 400),
        ("defects", [], 400),
        ("correction", 3, 400),
        ("quality", 6, 400),  # the demo's 1-5 score
        ("verdict", "correct", 400),  # a single choice is an array of one string
        ("verdict", ["correct", "wrong"], 400),
    ],
)
def test_feedback_values_a_property_does_not_take_are_refused(http, sandbox, prop, value, status):
    answer = http.post("/v2/feedback", json={"property": prop, "value": value, "trace_id": sandbox.ids["trace"]})
    assert answer.status_code == status, answer.text
    if status == 404:
        assert answer.json() == {"message": "Workspace, trace, or feedback property was not found"}
    assert sandbox.feedback(sandbox.ids["trace"]) == [] or all(f["property"] != prop for f in sandbox.feedback())


def test_feedback_on_an_unknown_trace_or_with_a_bad_id_is_refused(orq, http, sandbox):
    with pytest.raises(NotFoundError, match="trace"):
        orq.create_feedback("never-returned-by-invoke", "rating", "good")
    bad_id = http.post(
        "/v2/feedback", json={"property": "rating", "value": "good", "trace_id": sandbox.ids["trace"], "id": "x1"}
    )
    assert bad_id.status_code == 400 and bad_id.json()["details"][0]["path"] == ["id"]


def test_every_property_kind_is_accepted_with_its_documented_value(orq, sandbox):
    trace = orq.invoke_deployment("support-reply", inputs={"ticket": TICKET}).trace_id
    sent = {
        "rating": "bad",
        "defects": ["hallucination", "repetition"],
        "interactions": ["copied"],
        "correction": "Send a new link.",
        "quality": 4,
        "verdict": ["partially_correct"],
        "issues": ["too long"],
    }
    for prop, value in sent.items():
        orq.create_feedback(trace, prop, value)
    held = {f["property"]: (f["value"], f["product"]) for f in sandbox.feedback(trace)}
    assert held == {prop: (value, "deployments") for prop, value in sent.items()}  # product defaults to deployments
    assert set(orq.feedback_properties()) == {"rating", "defects", "interactions", "correction"}  # orq's built-ins
    with Client.orq(sandbox.api_key, sandbox.url, sandbox=True) as on_sandbox:  # plus the sandbox workspace's
        properties = on_sandbox.feedback_properties()
    assert {"rating", "defects", "interactions", "correction", "quality", "verdict", "issues"} <= set(properties)
    assert properties["rating"].builtin and not properties["quality"].builtin


def test_a_property_added_through_the_control_route_is_taken(orq, sandbox):
    sandbox.add_feedback_property("tone", "single_choice", values=["formal", "casual"])
    trace = sandbox.new_trace()
    orq.create_feedback(trace, "tone", ["casual"])
    with pytest.raises(ValidationError):
        orq.create_feedback(trace, "tone", ["shouting"])
    with pytest.raises(httpx.HTTPStatusError):  # a built-in cannot be redefined
        sandbox.add_feedback_property("rating", "label", values=["up", "down"])


def test_removal_with_another_trace_is_404_and_removes_nothing(orq, sandbox):
    trace, other = sandbox.new_trace(), sandbox.new_trace()
    feedback = orq.create_feedback(trace, "rating", "good")
    with pytest.raises(NotFoundError):
        orq.remove_feedback(feedback.id, other)
    assert len(sandbox.feedback(trace)) == 1
    orq.remove_feedback(feedback.id, trace)
    assert sandbox.feedback(trace) == []


def test_the_single_choice_widget_sends_an_array_of_one_and_product_deployments(orq, sandbox):
    trace = sandbox.new_trace()
    since = sandbox.mark_requests()
    widget = FeedbackButtons(orq, trace, property="verdict", kind="choice", options=["correct", "wrong"])
    assert widget.product == "deployments"
    widget.submit("wrong")
    assert widget.flush(30)
    [sent] = sandbox.requests_received("/v2/feedback", since=since, method="POST")
    assert sent["body"]["value"] == ["wrong"] and sent["body"]["product"] == "deployments"
    assert sent["status"] == 200 and widget.value == "wrong"


# --- the request log --------------------------------------------------------------------------------


def test_the_request_log_holds_what_was_received_and_never_a_header(orq, sandbox):
    since = sandbox.mark_requests()
    orq.datapoints_page(sandbox.ids["rag"], limit=3)
    orq.invoke_deployment("summarize", inputs={"text": "A short text."}, metadata={"run": 1})
    received = sandbox.requests_received(since=since)
    assert [(r["method"], r["path"]) for r in received] == [
        ("GET", f"/v2/datasets/{sandbox.ids['rag']}/datapoints"),
        ("POST", "/v2/deployments/invoke"),
    ]
    assert received[0]["query"] == {"limit": "3"} and received[0]["body"] is None
    assert received[1]["body"] == {"key": "summarize", "inputs": {"text": "A short text."}, "metadata": {"run": 1}}
    assert sandbox.api_key not in str(sandbox.control("GET", "/_sandbox/requests"))


# --- datapoints, evaluators and cursors as the spec says --------------------------------------------


def test_datapoint_message_content_is_checked_on_the_sandbox_and_before_sending(orq, http, fresh_dataset):
    [point] = orq.create_datapoints(fresh_dataset.id, [{"messages": [{"role": "user", "content": "hi"}]}])
    route = f"/v2/datasets/{fresh_dataset.id}/datapoints/{point.id}"
    refused = [
        [{"role": "system", "content": []}],
        [{"role": "developer", "content": [{"type": "image_url", "image_url": {"url": "http://x"}}]}],
        [{"role": "user", "content": [{"type": "video", "url": "http://x"}]}],
        [{"role": "critic", "content": "hm"}],
    ]
    for messages in refused:
        assert http.patch(route, json={"messages": messages}).status_code == 400, messages
        with pytest.raises(ValueError):
            orq.update_datapoint(fresh_dataset.id, point.id, messages=messages)
    accepted = [
        {"role": "system", "content": [{"type": "text", "text": "Be brief."}]},
        {"role": "user", "content": "hi"},
    ]
    assert (
        orq.update_datapoint(fresh_dataset.id, point.id, messages=accepted).messages[0].content[0]["text"]
        == "Be brief."
    )


def test_patch_of_a_datapoint_with_nothing_known_changes_nothing_and_null_is_refused(orq, http, fresh_dataset):
    [point] = orq.create_datapoints(fresh_dataset.id, [{"expected_output": "before"}])
    route = f"/v2/datasets/{fresh_dataset.id}/datapoints/{point.id}"
    before = http.get(route).json()
    for kwargs in ({"json": {}}, {"json": {"not_a_field": 1}}, {}):
        answer = http.patch(route, **kwargs)
        assert answer.status_code == 200 and answer.json() == before, kwargs
    nulled = http.patch(route, json={"expected_output": None})
    assert nulled.status_code == 400 and nulled.json()["details"][0]["path"] == ["expected_output"]
    with pytest.raises(ValueError, match="nothing to update"):
        orq.update_datapoint(fresh_dataset.id, point.id)
    assert orq.get_datapoint(fresh_dataset.id, point.id).expected_output == "before"


def test_cursors_are_ids_one_at_a_time(http, sandbox):
    route = f"/v2/datasets/{sandbox.ids['support']}/datapoints"
    page = http.get(route, params={"limit": 5}).json()["data"]
    both = http.get(route, params={"starting_after": page[0]["_id"], "ending_before": page[4]["_id"]})
    assert both.status_code == 400 and "together" in both.json()["message"]
    assert http.get(route, params={"starting_after": "not-an-id"}).status_code == 400
    # an id that names no item is still a place in the list (see orq_rules.cursors)
    gone = page[2]["_id"][:-1] + ("0" if page[2]["_id"][-1] != "0" else "1")
    after = http.get(route, params={"starting_after": gone, "limit": 2})
    assert after.status_code == 200 and all(item["_id"] > gone for item in after.json()["data"])


def test_evaluator_updates_carry_type_and_path_and_refuse_path_with_project_id(orq, http, sandbox):
    since = sandbox.mark_requests()
    orq.update_evaluator(sandbox.ids["tone_check"], {"description": "Polite and professional?"})
    [sent] = sandbox.requests_received("/v2/evaluators/", since=since, method="PATCH")
    assert sent["body"]["type"] == "llm_eval" and sent["body"]["path"] == "Default"
    both = http.patch(
        f"/v2/evaluators/{sandbox.ids['tone_check']}",
        json={"path": "Default", "project_id": "01JBX0PR0000000000000000PR"},
    )
    assert both.status_code == 400 and both.json()["details"][0]["path"] == ["path"]


def test_an_evaluator_without_output_type_is_not_read_as_boolean(orq, sandbox):
    # the seed's answer shape of PATCH /v2/evaluators/{id}: no output_type
    seed_shape = {
        "_id": "01JJ1HDHN79XAS7A01WB3HYSF1",
        "type": "llm_eval",
        "key": "seed_shaped",
        "description": "",
        "prompt": "Is {{output}} polite?",
        "mode": "single",
        "model": "openai/gpt-4o",
        "created": "2026-01-01T00:00:00.000Z",
        "updated": "2026-01-01T00:00:00.000Z",
    }
    sandbox.put_raw_evaluators([seed_shape])
    try:
        assert orq.get_evaluator(seed_shape["_id"]).output_type is None
        listed = [e for e in orq.list_evaluators(limit=200).items if getattr(e, "id", None) == seed_shape["_id"]]
        assert listed[0].output_type is None
    finally:
        orq.delete_evaluator(seed_shape["_id"])


# --- reading what the services may send --------------------------------------------------------------


def test_unknown_messages_and_evaluations_are_kept_raw_and_do_not_break_a_page(orq, sandbox, fresh_dataset):
    strange = {
        "messages": [
            {"role": "user", "content": "a normal question"},
            {"role": "critic", "content": "a role the models do not know"},
            {"role": "user", "content": [{"type": "video", "url": "https://example.com/v.mp4"}]},
        ],
        "evaluations": [
            {"id": "01JJ1HDHN79XAS7A01WB3HYSE1", "evaluation_type": "human_review", "type": "emoji", "value": "👍"},
            {"id": "01JJ1HDHN79XAS7A01WB3HYSE2", "evaluation_type": "human_review", "type": "number", "value": 3},
        ],
        "expected_output": "still readable",
    }
    sandbox.put_raw_datapoints(fresh_dataset.id, [strange])
    orq.create_datapoints(fresh_dataset.id, [{"expected_output": "a normal one"}])
    page = orq.datapoints_page(fresh_dataset.id, limit=10)
    assert len(page.items) == 2
    odd = next(p for p in page.items if p.expected_output == "still readable")
    assert odd.messages[0].content == "a normal question"  # the known one is typed
    assert odd.messages[1] == strange["messages"][1] and odd.messages[2] == strange["messages"][2]  # kept raw
    assert odd.evaluations == strange["evaluations"]  # unknown type, and no reviewed_by_id: both raw
    assert odd.to_wire()["messages"] == strange["messages"]  # written back as it came
    from nbwidgets.models import message_text

    assert "critic" in message_text(odd.messages[1]) and "video" in message_text(odd.messages[2])
    from nbwidgets import DatasetGrid

    grid = DatasetGrid(orq, fresh_dataset.id, page_size=10)  # the grid loads the page with the odd item in it
    deadline = time.monotonic() + 30
    while len(grid.rows) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert {row.expected_output for row in grid.rows} == {"still readable", "a normal one"}


# --- Overmind -------------------------------------------------------------------------------------


def test_overmind_field_errors_are_nested_as_drf_nests_them(sandbox, http):
    answer = http.post(
        "/api/datasets/",
        json={"agent": sandbox.ids["agent"], "datapoints": [{"order": 1}, {"order": -1}, {"persona": "x" * 200}]},
    )
    body = answer.json()
    assert answer.status_code == 400 and body["datapoints"][0] == {}
    assert list(body["datapoints"][1]) == ["order"] and list(body["datapoints"][2]) == ["persona"]
    message, fields = Client.overmind("k", sandbox.url)._parse_error(body)
    assert set(fields) == {"datapoints.1.order", "datapoints.2.persona"} and "datapoints.1.order" in message


def test_overmind_405_is_json_and_page_size_is_read_as_drfs_paginator_does(sandbox, http):
    refused = http.put("/api/datasets/")
    assert refused.status_code == 405 and refused.json()["code"] == "method_not_allowed"
    route = f"/api/datasets/{sandbox.ids['agent_v2']}/datapoints/"
    assert len(http.get(route, params={"page_size": "abc"}).json()["results"]) == 25  # falls back to the default
    assert len(http.get(route, params={"page_size": "0"}).json()["results"]) == 25
    assert len(http.get(route, params={"page_size": "1000"}).json()["results"]) == 40  # capped at 100; 40 in all
    assert len(http.get(route, params={"page_size": "7"}).json()["results"]) == 7
    assert http.get(route, params={"page": "last", "page_size": "7"}).json()["next"] is None
    for page in ("0", "x", "99999999999999999999", "1.5"):
        invalid = http.get(route, params={"page": page})
        assert invalid.status_code == 404 and invalid.json() == {"detail": "Invalid page.", "code": "not_found"}


# --- never a 500 to bad input (issue 10, item 10) ---------------------------------------------------


def test_bad_input_is_answered_400_413_415_or_401_never_500(sandbox, http):
    key = {"Authorization": f"Bearer {sandbox.api_key}"}
    support = sandbox.ids["support"]
    cases = [
        (http.get("/v2/datasets", params={"limit": "1e400"}), 400),
        (http.get(f"/v2/datasets/{support}/datapoints", params={"limit": "-1"}), 400),
        (http.patch(f"/v2/evaluators/{sandbox.ids['tone_check']}", json={"mode": "jury", "jury": 5}), 400),
        (http.post("/v2/datasets", content=b"[" * 100_000, headers={"Content-Type": "application/json"}), 400),
        (http.post("/v2/datasets", content=b"{" * 20, headers={"Content-Type": "application/json"}), 400),
        (http.get("/api/datasets/", params={"page": "99999999999999999999"}), 404),
        (http.post("/_sandbox/faults", json=[]), 400),
        (http.post("/_sandbox/faults", json={"latency_ms": 1e308}), 400),
        (http.post("/_sandbox/faults", json={"fault_rate": True}), 400),
        (http.post("/_sandbox/traces", json={"trace_ids": "x"}), 400),
        (httpx.get(sandbox.url + "/v2/datasets", headers={"Authorization": "Bearer é".encode()}), 401),
        (httpx.get(sandbox.url + "/api/agents/", headers={"Authorization": "Bearer ключ".encode()}), 401),
        (
            http.post("/v2/datasets", content=b"x" * (10 * 1024 * 1024), headers={"Content-Type": "application/json"}),
            413,
        ),
        (http.post("/v2/datasets", content=b'{"display_name": "plain"}', headers={"Content-Type": "text/plain"}), 415),
        (httpx.post(sandbox.url + "/api/datasets/", content=b"{}", headers={**key, "Content-Type": "text/plain"}), 415),
    ]
    for answer, status in cases:
        assert answer.status_code == status, (answer.request.url, answer.text[:200])
        assert answer.headers["content-type"].startswith("application/json")
    assert http.get("/_sandbox/faults").json()["latency_ms"] == 0  # nothing absurd was stored
    overmind_415 = cases[-1][0].json()
    assert overmind_415["code"] == "unsupported_media_type" and "text/plain" in overmind_415["detail"]
    assert "message" in cases[-2][0].json()  # orq's shape
