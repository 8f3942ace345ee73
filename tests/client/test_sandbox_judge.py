"""The sandbox's judge over HTTP: POST /v3/evaluators/{id}/invoke (its rules are in nbwidgets/sandbox/judge.py)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

REFERENCE = "Your refund was issued and reaches your card within 5 business days."


def invoke(sandbox, target: str, body: Any, **headers: str) -> httpx.Response:
    return httpx.post(
        f"{sandbox.url}/v3/evaluators/{target}/invoke",
        json=body,
        headers={"Authorization": f"Bearer {sandbox.api_key}", **headers},
        timeout=30,
    )


def verdict(sandbox, target: str, body: Any) -> dict[str, Any]:
    response = invoke(sandbox, target, body)
    assert response.status_code == 200, response.text
    return response.json()


def make(orq, **fields: Any) -> str:
    body = {
        "key": f"judge_{uuid.uuid4().hex[:10]}",
        "prompt": "Grade {{output}} against {{expected_output}}.",
        "model": "openai/gpt-4o",
        **fields,
    }
    return orq.create_evaluator(body).id


def jury(*models: str, **fields: Any) -> dict[str, Any]:
    return {"mode": "jury", "jury": {"judges": [{"model": m} for m in models], **fields}}


def test_reference_agreement_equal_passes_disjoint_fails_partial_between(sandbox, orq):
    number = make(orq, output_type="number", prompt="Score {{output}} against {{expected_output}} from 1 to 10.")
    equal = verdict(
        sandbox,
        number,
        {"output": "  your REFUND was issued and reaches your card within 5 business days. ", "reference": REFERENCE},
    )
    disjoint = verdict(sandbox, number, {"output": "I like turtles", "reference": REFERENCE})
    partial = verdict(sandbox, number, {"output": "Your refund was issued.", "reference": REFERENCE})
    assert (equal["value"], equal["passed"], equal["status"]) == (10, True, "passed")
    assert (disjoint["value"], disjoint["passed"], disjoint["status"]) == (1, False, "condition_failed")
    assert 1 < partial["value"] < 10
    assert equal["type"] == "number" and equal["evaluator_id"] == number
    assert "matches the reference" in equal["explanation"]
    assert "shares no word" in disjoint["explanation"]


def test_the_same_request_gets_the_same_verdict_and_a_new_span(sandbox, orq):
    target = make(orq, output_type="number", prompt="Rate {{output}} against {{expected_output}} from 0 to 100.")
    body = {"output": "Thanks, your refund was issued.", "reference": REFERENCE}
    first, second = verdict(sandbox, target, body), verdict(sandbox, target, body)
    assert {k: v for k, v in first.items() if k not in ("trace_id", "span_id")} == {
        k: v for k, v in second.items() if k not in ("trace_id", "span_id")
    }
    assert first["trace_id"] != second["trace_id"] and len(first["trace_id"]) == 32 and len(first["span_id"]) == 16


def test_flat_fields_fold_into_context_and_context_wins(sandbox, orq):
    target = make(orq, output_type="boolean")
    flat = verdict(sandbox, target, {"output": REFERENCE, "reference": REFERENCE, "query": "Where is my refund?"})
    nested = verdict(
        sandbox,
        target,
        {
            "context": {
                "input": {"expected_output": REFERENCE, "user_query": "Where?"},
                "output": {"response": REFERENCE},
            }
        },
    )
    assert flat["value"] is nested["value"] is True
    both = verdict(
        sandbox,
        target,
        {
            "output": REFERENCE,
            "reference": REFERENCE,
            "context": {"input": {"expected_output": REFERENCE}, "output": {"response": "I like turtles"}},
        },
    )
    assert both["value"] is False, "context wins over the flat fields"
    conversation = verdict(
        sandbox,
        target,
        {
            "context": {
                "messages": [{"role": "user", "content": "refund?"}, {"role": "assistant", "content": REFERENCE}],
                "input": {"expected_output": REFERENCE},
            }
        },
    )
    assert conversation["value"] is True


def test_output_types_categorical_picks_a_label_string_writes_a_verdict(sandbox, orq):
    labels = [{"value": "correct"}, {"value": "partially_correct"}, {"value": "wrong"}]
    categorical = make(orq, output_type="categorical", categorical_labels=labels)
    assert verdict(sandbox, categorical, {"output": REFERENCE, "reference": REFERENCE})["value"] == "correct"
    assert verdict(sandbox, categorical, {"output": "no idea", "reference": REFERENCE})["value"] == "wrong"
    assert verdict(sandbox, categorical, {"output": "Your refund was issued.", "reference": REFERENCE})["value"] in {
        "correct",
        "partially_correct",
        "wrong",
    }
    string = make(orq, output_type="string")
    answer = verdict(sandbox, string, {"output": REFERENCE, "reference": REFERENCE})
    assert answer["type"] == "string" and isinstance(answer["value"], str) and answer["value"].endswith(".")


def test_without_a_reference_the_documented_rule(sandbox, orq):
    target = make(orq, output_type="number", prompt="Does {{output}} mention 'refund' and '5 days'? Score 0 to 10.")
    polite = verdict(sandbox, target, {"output": "Thanks for waiting: your refund arrives in 5 days."})
    curt = verdict(sandbox, target, {"output": "Wait."})
    assert polite["value"] == 10 and polite["passed"] is True
    assert curt["value"] < polite["value"] and curt["passed"] is False
    assert "No reference given" in polite["explanation"] and "2 of 2 words the prompt asks for" in polite["explanation"]


def test_a_guardrail_decides_passed(sandbox, orq):
    strict = make(
        orq,
        output_type="number",
        prompt="Rate {{output}} against {{expected_output}} from 1 to 10.",
        guardrail_config={"type": "number", "value": 9, "operator": "gte"},
    )
    answer = verdict(sandbox, strict, {"output": "Your refund was issued within days.", "reference": REFERENCE})
    assert 5 <= answer["value"] < 9  # the grader alone would pass it
    assert answer["passed"] is False and answer["status"] == "condition_failed"


def test_a_jury_combines_its_judges_and_repetitions(sandbox, orq):
    target = make(orq, output_type="boolean", repetitions=3, **jury("openai/gpt-4o", "anthropic/claude", "google/g"))
    answer = verdict(sandbox, target, {"output": REFERENCE, "reference": REFERENCE})
    assert answer["value"] is True and "3 judges, 3 times each" in answer["explanation"]
    assert "true x9" in answer["explanation"]


def test_a_jury_with_too_few_judges_answering_fails(sandbox, orq):
    target = make(
        orq,
        output_type="boolean",
        **jury("openai/offline-1", "anthropic/offline-2", "google/g", min_successful_judges=2),
    )
    answer = verdict(sandbox, target, {"output": REFERENCE, "reference": REFERENCE})
    assert answer["status"] == "failed" and answer["passed"] is False and answer.get("value") is None
    assert "Only 1 of the jury's judges answered" in answer["explanation"]
    replaced = make(
        orq,
        output_type="boolean",
        mode="jury",
        jury={
            "judges": [{"model": "openai/offline-1"}, {"model": "google/g"}],
            "replacement_judges": [{"model": "mistral/large"}],
        },
    )
    assert verdict(sandbox, replaced, {"output": REFERENCE, "reference": REFERENCE})["status"] == "passed"


def test_a_tied_jury_gives_the_tie_value(sandbox, orq):
    tied = make(orq, output_type="boolean", **jury("judge/a", "judge/b", "judge/c", "judge/d", tie_value="Tie"))
    untied = make(orq, output_type="boolean", **jury("judge/a", "judge/b", "judge/c", "judge/d", tie_value=None))
    words = REFERENCE.split()
    candidates = [words[:cut] + ["elsewhere"] * extra for cut in range(2, 9) for extra in range(6)]
    for candidate in candidates:  # deterministic: the same candidate splits the jury every time
        body = {"output": " ".join(candidate), "reference": REFERENCE}
        answer = verdict(sandbox, tied, body)
        if answer["value"] == "Tie":
            break
    else:
        pytest.fail("no split jury among the partial answers")
    assert answer["passed"] is False and "true x2" in answer["explanation"] and "false x2" in answer["explanation"]
    assert verdict(sandbox, untied, body)["value"] in (True, False)


def test_versions_and_environments(sandbox, orq):
    target = make(orq, output_type="number", prompt="Rate {{output}} against {{expected_output}} from 1 to 5.")
    orq.update_evaluator(
        target, {"prompt": "Rate {{output}} against {{expected_output}} from 1 to 100."}, version_increment="major"
    )
    body = {"output": REFERENCE, "reference": REFERENCE}
    assert verdict(sandbox, f"{target}@1.0.0", body)["value"] == 5  # the old version's range
    assert verdict(sandbox, f"{target}@2.0.0", body)["value"] == 100
    assert verdict(sandbox, target, body)["value"] == 100
    assert verdict(sandbox, f"{target}@production", body)["value"] == 100
    for missing in (f"{target}@3.0.0", f"{target}@nowhere", "01JBX0NOPE000000000000NOPE"):
        response = invoke(sandbox, missing, body)
        assert response.status_code == 404 and set(response.json()) == {"message"}, response.text


def test_refusals_say_what_is_wrong(sandbox, orq):
    target = make(orq, output_type="boolean")
    for body, where in (
        ({"query": "a question, but no output"}, "Nothing to grade"),
        ({"context": {"messages": [{"role": "user", "content": "only a question"}]}}, "Nothing to grade"),
        ({"output": 5}, "output: must be a string"),
        ({"context": []}, "context: must be an object"),
        ({"output": "x", "retrievals": "not a list"}, "retrievals"),
        ({"context": {"output": {"response": 1}}}, "context.output.response"),
        ([], "JSON object"),
    ):
        response = invoke(sandbox, target, body)
        assert response.status_code == 400, (body, response.text)
        assert where in response.json()["message"]
    unauthorised = httpx.post(f"{sandbox.url}/v3/evaluators/{target}/invoke", json={"output": "x"}, timeout=30)
    assert unauthorised.status_code == 401


def test_latency_and_faults_reach_the_route(sandbox, orq):
    target = make(orq, output_type="boolean")
    try:
        sandbox.set_faults(rate_limit_rate=1, retry_after_ms=1500)
        response = invoke(sandbox, target, {"output": "x"})
        assert response.status_code == 429 and response.headers.get("retry-after")
    finally:
        sandbox.clear_faults()
    assert invoke(sandbox, target, {"output": "x"}).status_code == 200


def test_the_demo_evaluators_judge_the_demo_tickets_sensibly(sandbox, orq):
    """tone_check fails a reply that only repeats the agent's instructions and passes a polite one; the jury
    finds a word-for-word answer correct and a long reply holding the answer partly correct, never wrong."""
    tone, jury = sandbox.ids["tone_check"], sandbox.ids["answer_quality_jury"]
    seen = set()
    for datapoint in orq.datapoints_page(sandbox.ids["support"], limit=12).items:
        wire = datapoint.to_wire()
        output = orq.invoke_deployment("support-reply", inputs=wire["inputs"], messages=wire["messages"]).output
        body = {"output": output, "reference": datapoint.expected_output, "query": wire["inputs"].get("ticket", "")}
        polite, label = verdict(sandbox, tone, body)["passed"], verdict(sandbox, jury, body)["value"]
        if output == datapoint.expected_output:  # the bare instructions, word for word
            assert (polite, label) == (False, "correct"), output
            seen.add("bare")
        elif output.startswith("Hello, and thank you"):  # the long, polite reply holding the answer
            assert polite is True and label in ("partially_correct", "Tie"), (output, label)
            seen.add("long")
        else:  # "Thanks for reaching out! <the answer>"
            assert polite is True and label in ("correct", "partially_correct"), (output, label)
            seen.add("short")
    assert seen == {"bare", "long", "short"}
