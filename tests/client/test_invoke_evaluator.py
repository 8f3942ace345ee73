"""client.invoke_evaluator against the sandbox over HTTP: verdicts, remembered answers, bounded concurrency."""

from __future__ import annotations

import stat
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from nbwidgets import Client
from nbwidgets.client.errors import NotFoundError
from nbwidgets.client.judging import memory_path
from nbwidgets.models import EvaluatorResult

REFERENCE = "Your refund was issued and reaches your card within 5 business days."


def make(orq, **fields: Any):
    body = {
        "key": f"judge_{uuid.uuid4().hex[:10]}",
        "prompt": "Grade {{output}} against {{expected_output}}.",
        "model": "openai/gpt-4o",
        **fields,
    }
    return orq.create_evaluator(body)


def invocations(sandbox, since: int, evaluator_id: str | None = None) -> list[dict[str, Any]]:
    found = sandbox.requests_received("/v3/evaluators/", since=since)
    return [r for r in found if evaluator_id is None or evaluator_id in r["path"]]


def test_a_verdict_in_the_sdk_shape(sandbox, orq):
    evaluator = make(orq, output_type="boolean")
    result = orq.invoke_evaluator(evaluator.id, output=REFERENCE, expected_output=REFERENCE, input="Refund?")
    assert isinstance(result, EvaluatorResult)
    assert (result.value, result.passed, result.status, result.type) == (True, True, "passed", "boolean")
    assert result.evaluator_id == evaluator.id and result.trace_id and result.explanation
    wrong = orq.invoke_evaluator(evaluator.key, output="I like turtles", expected_output=REFERENCE)  # by key
    assert (wrong.passed, wrong.status) == (False, "condition_failed")


def test_the_same_question_is_sent_once_and_a_different_one_again(sandbox, orq):
    evaluator = make(orq, output_type="number", prompt="Rate {{output}} against {{expected_output}} from 1 to 10.")
    mark = sandbox.mark_requests()
    first = orq.invoke_evaluator(evaluator.id, output="Thanks! Refund issued.", expected_output=REFERENCE)
    again = orq.invoke_evaluator(evaluator.id, output="Thanks! Refund issued.", expected_output=REFERENCE)
    assert again == first and len(invocations(sandbox, mark)) == 1
    orq.invoke_evaluator(evaluator.id, output="Thanks! Refund issued.", expected_output="Another reference")
    orq.invoke_evaluator(evaluator.id, output="Thanks! Refund issued.", expected_output=REFERENCE, version="1.0.0")
    assert len(invocations(sandbox, mark)) == 3  # another reference; an explicit version is another question
    sent = invocations(sandbox, mark)
    assert sent[0]["path"].endswith(f"{evaluator.id}@1.0.0/invoke")  # the version it is remembered by
    assert sent[0]["body"] == {
        "context": {"output": {"response": "Thanks! Refund issued."}, "input": {"expected_output": REFERENCE}}
    }


def test_a_new_version_or_a_changed_definition_is_asked_again(sandbox, orq):
    evaluator = make(orq, output_type="number", prompt="Rate {{output}} against {{expected_output}} from 1 to 5.")
    ask = {"output": REFERENCE, "expected_output": REFERENCE}
    assert orq.invoke_evaluator(evaluator.id, **ask).value == 5
    orq.update_evaluator(
        evaluator.id, {"prompt": "Rate {{output}} against {{expected_output}} from 1 to 10."}
    )  # same version, new text
    assert orq.invoke_evaluator(evaluator.id, **ask).value == 10
    orq.update_evaluator(
        evaluator.id,
        {"prompt": "Rate {{output}} against {{expected_output}} from 1 to 100."},
        version_increment="minor",
    )
    assert orq.invoke_evaluator(evaluator.id, **ask).value == 100
    assert orq.invoke_evaluator(evaluator.id, **ask, version="1.0.0").value == 10  # the old version, still there


def test_asked_twice_at_once_is_sent_once(sandbox, orq):
    evaluator = make(orq, output_type="boolean")
    mark = sandbox.mark_requests()
    sandbox.set_faults(latency_ms=300)
    try:
        with ThreadPoolExecutor(6) as pool:
            answers = list(pool.map(lambda _: orq.invoke_evaluator(evaluator.id, output="Same text."), range(6)))
    finally:
        sandbox.clear_faults()
    assert len({a.trace_id for a in answers}) == 1
    assert len(invocations(sandbox, mark, evaluator.id)) == 1


def test_concurrency_is_bounded(sandbox, orq):
    evaluator = make(orq, output_type="boolean")
    stored = orq.resolve_evaluator(evaluator.id)
    sandbox.set_faults(latency_ms=200)
    try:
        started = time.monotonic()
        with ThreadPoolExecutor(20) as pool:
            list(pool.map(lambda i: orq.invoke_evaluator(stored, output=f"text {i}"), range(20)))
        elapsed = time.monotonic() - started
    finally:
        sandbox.clear_faults()
    memory = orq.evaluations
    assert memory.max_in_flight == memory.concurrency == 8
    assert elapsed >= 3 * 0.2  # 20 calls, 8 at a time, 200 ms each: at least three rounds


def test_a_429_waits_for_retry_after(sandbox, orq):
    evaluator = make(orq, output_type="boolean")
    stored = orq.resolve_evaluator(evaluator.id)
    mark = sandbox.mark_requests()
    sandbox.set_faults(rate_limit_rate=1, retry_after_ms=400)
    answer: list[EvaluatorResult] = []
    worker = threading.Thread(target=lambda: answer.append(orq.invoke_evaluator(stored, output="Rate me.")))
    started = time.monotonic()
    worker.start()
    time.sleep(0.6)
    sandbox.clear_faults()
    refusing = time.monotonic() - started  # how long the 429s lasted (longer than 0.6 s on a loaded machine)
    worker.join(30)
    assert answer and answer[0].status in ("passed", "condition_failed")
    tries = invocations(sandbox, mark, evaluator.id)
    # one try per Retry-After (400 ms) while refused, then the one answered: not a burst of retries
    assert 2 <= len(tries) <= int(refusing / 0.4) + 2, (len(tries), refusing)


def test_an_evaluator_object_read_from_the_service_is_not_read_again(sandbox, orq):
    evaluator = orq.resolve_evaluator(make(orq, output_type="boolean").id)
    mark = sandbox.mark_requests()
    orq.invoke_evaluator(evaluator, output="One text.")
    assert [r["method"] for r in sandbox.requests_received(since=mark)] == ["POST"]


def test_forget_evaluations_asks_again(sandbox, orq):
    evaluator = make(orq, output_type="boolean")
    mark = sandbox.mark_requests()
    orq.invoke_evaluator(evaluator.id, output="Remember me.")
    assert orq.forget_evaluations() >= 1
    orq.invoke_evaluator(evaluator.id, output="Remember me.")
    assert len(invocations(sandbox, mark, evaluator.id)) == 2


def test_answers_are_kept_on_disk_beside_the_outbox_for_a_real_service(sandbox, orq):
    evaluator = make(orq, output_type="boolean")
    first = orq.invoke_evaluator(evaluator.id, output="Kept on disk.")
    assert orq.evaluations.on_disk and stat.S_IMODE(memory_path().stat().st_mode) == 0o600
    mark = sandbox.mark_requests()
    with Client.orq(sandbox.api_key, sandbox.url) as later:  # a new kernel's client, same service and key
        assert later.invoke_evaluator(evaluator.id, output="Kept on disk.") == first
    assert invocations(sandbox, mark, evaluator.id) == []
    assert b"test-key" not in memory_path().read_bytes()  # the key is never written, only a salted hash


def test_bad_arguments_get_errors_naming_them(sandbox, orq):
    evaluator = make(orq, output_type="boolean")
    with pytest.raises(NotFoundError, match=r"evaluator: no evaluator with the id or key 'no_such_judge'"):
        orq.invoke_evaluator("no_such_judge", output="x")
    with pytest.raises(TypeError, match=r"^evaluator must be an evaluator id or key \(a str\) or an Evaluator"):
        orq.invoke_evaluator(42, output="x")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^output must be the text to grade \(a str\), not NoneType"):
        orq.invoke_evaluator(evaluator.id, output=None)  # type: ignore[arg-type]
    with pytest.raises(NotFoundError, match=r"version: .* has no version '7.0.0'"):
        orq.invoke_evaluator(evaluator.id, output="x", version="7.0.0")
    with pytest.raises(TypeError, match=r"^messages must be a list of messages"):
        orq.invoke_evaluator(evaluator.id, output="x", messages=["hi"])  # type: ignore[list-item]
    mark = sandbox.mark_requests()
    with pytest.raises(NotFoundError):
        orq.invoke_evaluator(evaluator.id, output="x", version="7.0.0")
    assert len(invocations(sandbox, mark)) == 1  # a refusal is not remembered: asked again, refused again


def test_a_conversation_grades_the_output_as_its_last_turn(sandbox, orq):
    evaluator = make(orq, output_type="boolean")
    conversation = [
        {"role": "user", "content": "Where is my refund?"},
        {"role": "assistant", "content": "I like turtles."},
        {"role": "user", "content": "Please answer."},
    ]
    result = orq.invoke_evaluator(evaluator.id, output=REFERENCE, expected_output=REFERENCE, messages=conversation)
    assert result.passed is True  # the output graded, not the earlier assistant turn
