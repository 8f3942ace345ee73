"""ExperimentReview against the sandbox: generation within its bound, results, feedback and expected outputs."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from typing import Any

import pytest
from servers import versions_made_from

from nbwidgets import Client, ExperimentReview
from nbwidgets.widgets._review_rows import NO_TRACE


class StandIn:
    """A deterministic stand-in for a deployment: output and trace id from the datapoint, a measured
    number of calls in flight, and chosen rows that raise."""

    def __init__(
        self, sandbox: Any = None, delay: float = 0.02, failing: tuple[int, ...] = (), trace: bool = True
    ) -> None:
        self.sandbox = sandbox  # registers each trace there, as an invoke would: feedback on it is accepted
        self.delay = delay
        self.failing = failing
        self.trace = trace
        self.calls: Counter[str] = Counter()
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()

    def answer(self, datapoint: Any) -> Any:
        number = int(datapoint.inputs["n"])
        if number in self.failing:
            raise RuntimeError(f"model refused datapoint {number}")
        output = f"answer {number}" if number % 3 else f"expected {number}"  # every third agrees
        if not self.trace:
            return output
        trace_id = f"trace-{datapoint.id}-{self.calls[datapoint.id]}"
        if self.sandbox is not None:
            self.sandbox.add_traces(trace_id)
        return {"output": output, "trace_id": trace_id, "tokens": 7}

    def enter(self, datapoint: Any) -> None:
        with self._lock:
            self.calls[datapoint.id] += 1
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def __call__(self, datapoint: Any) -> Any:
        self.enter(datapoint)
        try:
            time.sleep(self.delay)
            return self.answer(datapoint)
        finally:
            self.leave()


class AsyncStandIn(StandIn):
    async def __call__(self, datapoint: Any) -> Any:
        self.enter(datapoint)
        try:
            await asyncio.sleep(self.delay)
            return self.answer(datapoint)
        finally:
            self.leave()


@pytest.fixture(autouse=True)
def _own_outbox(tmp_path, monkeypatch):
    """This test's writes in an outbox file of its own, apart from other tests' clients of the same sandbox."""
    monkeypatch.setenv("NBWIDGETS_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def dataset(orq, fresh_dataset):
    for n in range(25):  # one by one: ids (and so the dataset's order) follow n
        orq.create_datapoints(
            fresh_dataset.id,
            [
                {
                    "inputs": {"n": n, "question": f"question {n}"},
                    "messages": [{"role": "user", "content": f"question {n}"}],
                    "expected_output": f"expected {n}",
                }
            ],
        )
    return fresh_dataset.id


def settled(review: ExperimentReview, timeout: float = 30) -> ExperimentReview:
    assert review.wait(timeout)
    assert review.flush(timeout)
    deadline = time.monotonic() + 10  # the write states follow the delivery
    while time.monotonic() < deadline and any(
        given["state"] in ("pending", "retrying")
        for result in review.results
        for given in [*result["feedback"].values(), result["expected_write"] or {}]
        if given
    ):
        time.sleep(0.01)
    return review


def by_n(review: ExperimentReview) -> dict[int, dict[str, Any]]:
    rows = {dp.id: int(dp.inputs["n"]) for dp in review.rows}
    return {rows[r["datapoint_id"]]: r for r in review.results if r["datapoint_id"] in rows}


def test_the_page_on_show_is_generated_within_the_bound_once(orq, dataset):
    generate = StandIn(delay=0.05)
    review = settled(ExperimentReview(orq, dataset, generate=generate, page_size=10, concurrency=4))
    assert generate.max_in_flight == 4  # measured by the function itself: the bound is reached, never passed
    assert review._engine.max_in_flight == 4
    assert sorted(by_n(review)) == list(range(10)) and all(c == 1 for c in generate.calls.values())
    assert review.progress == {"queued": 0, "running": 0, "done": 10, "error": 0, "rows": 10}
    assert len(generate.calls) == 10  # the next page is not generated before it is reached

    review.next_page(wait=True)
    settled(review)
    review.prev_page(wait=True)
    settled(review)
    assert len(generate.calls) == 20 and all(c == 1 for c in generate.calls.values())  # nothing twice


def test_an_async_function_runs_within_the_bound_too(orq, dataset):
    generate = AsyncStandIn(delay=0.05)
    review = settled(ExperimentReview(orq, dataset, generate=generate, page_size=10, concurrency=3))
    assert generate.max_in_flight == 3
    assert [r["output"] for r in review.results[:2]] == ["expected 0", "answer 1"]
    assert review.results[1]["metadata"]["tokens"] == 7 and review.results[1]["metadata"]["latency_ms"] >= 50


def test_errors_stay_on_their_rows_and_results_are_complete(orq, dataset):
    generate = StandIn(failing=(2, 5))
    review = settled(ExperimentReview(orq, dataset, generate=generate, page_size=10))
    results = by_n(review)
    assert results[2]["state"] == "error" and results[2]["error"] == "RuntimeError: model refused datapoint 2"
    assert results[5]["state"] == "error" and results[5]["output"] is None
    for n in set(range(10)) - {2, 5}:
        result = results[n]
        assert result["state"] == "done" and result["error"] is None
        assert result["output"] == (f"answer {n}" if n % 3 else f"expected {n}")
        assert result["trace_id"] == f"trace-{result['datapoint_id']}-1"
        assert result["expected_output"] == f"expected {n}" and result["runs"] == 1
    assert review.summary == "8 generated · 0 judged · 4/8 match expected (50%) · 2 failed"
    frame = review.to_pandas()
    assert len(frame) == 10 and {"output", "trace_id", "error", "metadata.tokens"} <= set(frame.columns)
    # the front end's view: the page's rows and their generations
    assert [row["id"] for row in review._rows] == [dp.id for dp in review.rows]
    assert review._generations[results[2]["datapoint_id"]]["error"].startswith("RuntimeError")


def test_rerun_generates_that_row_again_and_only_it(orq, dataset):
    generate = StandIn(failing=(1,))
    review = settled(ExperimentReview(orq, dataset, generate=generate, page_size=5))
    first = by_n(review)
    generate.failing = ()
    review.rerun(first[1]["datapoint_id"])
    settled(review)
    again = by_n(review)
    assert again[1]["state"] == "done" and again[1]["runs"] == 2
    assert generate.calls[first[1]["datapoint_id"]] == 2 and sum(generate.calls.values()) == 6
    review.rerun()  # the whole page
    settled(review)
    assert all(generate.calls[r["datapoint_id"]] >= 2 for r in by_n(review).values())


def test_cancel_leaves_the_rest_ungenerated_until_run_again(orq, dataset):
    gate = threading.Event()

    def slow(datapoint):
        gate.wait(10)
        return f"out {datapoint.inputs['n']}"

    review = ExperimentReview(orq, dataset, generate=slow, page_size=10, concurrency=2)
    deadline = time.monotonic() + 10
    while review._engine.in_flight() < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert review.cancel() == 8
    gate.set()
    settled(review)
    states = Counter(r["state"] for r in review.results)
    assert states == {"done": 2, "not generated": 8}  # what was running finished and is kept
    assert review.run_page() == 8
    settled(review)
    assert Counter(r["state"] for r in review.results) == {"done": 10}


def test_rows_without_a_trace_say_why_feedback_is_off(orq, dataset):
    review = settled(ExperimentReview(orq, dataset, generate=StandIn(trace=False), page_size=3))
    result = review.results[0]
    assert result["trace_id"] is None and result["output"] == "expected 0"
    with pytest.raises(ValueError, match="No trace id"):
        review.feedback(result["datapoint_id"], "rating", "good")


@pytest.mark.parametrize("faults", [0.0, 0.3])
def test_feedback_and_expected_outputs_land_exactly_once(orq, sandbox, dataset, faults):
    review = settled(ExperimentReview(orq, dataset, generate=StandIn(sandbox), page_size=10))
    results = by_n(review)
    sandbox.set_faults(fault_rate=faults)
    review.feedback(results[1]["datapoint_id"], "rating", "good")
    review.feedback(results[2]["datapoint_id"], "rating", "bad")
    review.feedback(results[2]["datapoint_id"], "rating", "bad")  # pressed twice: one feedback
    review.feedback(results[4]["datapoint_id"], "correction", "the better answer 4")
    review.use_as_expected(results[7]["datapoint_id"])
    settled(review, timeout=60)
    sandbox.clear_faults()

    def held(n):
        return [(f["property"], f["value"]) for f in sandbox.feedback(results[n]["trace_id"])]

    assert held(1) == [("rating", "good")]
    assert held(2) == [("rating", "bad")]
    assert held(4) == [("correction", "the better answer 4")]
    assert held(0) == [] and held(3) == []
    assert orq.get_datapoint(dataset, results[7]["datapoint_id"]).expected_output == "answer 7"
    assert orq.get_datapoint(dataset, results[8]["datapoint_id"]).expected_output == "expected 8"
    after = by_n(review)
    assert after[1]["feedback"] == {"rating": {"value": "good", "state": "sent", "message": ""}}
    assert after[4]["feedback"]["correction"]["state"] == "sent"
    assert after[7]["expected_write"]["state"] == "saved" and after[7]["expected_output"] == "answer 7"
    assert review.summary.startswith("10 generated · 3 judged · 5/10 match expected")
    assert not orq.outbox.pending() and not orq.outbox.failed()


def test_a_change_of_mind_replaces_the_feedback(orq, sandbox, dataset):
    review = settled(ExperimentReview(orq, dataset, generate=StandIn(sandbox), page_size=2))
    row = review.results[0]
    review.feedback(row["datapoint_id"], "rating", "good")
    settled(review)
    review.feedback(row["datapoint_id"], "rating", "bad")
    settled(review)
    assert [(f["property"], f["value"]) for f in sandbox.feedback(row["trace_id"])] == [("rating", "bad")]


def test_use_as_expected_respects_the_grids_conflict_rule(orq, dataset):
    review = settled(ExperimentReview(orq, dataset, generate=StandIn(), page_size=3))
    row = by_n(review)[1]
    orq.update_datapoint(dataset, row["datapoint_id"], expected_output="someone else's answer")
    review.use_as_expected(row["datapoint_id"])
    settled(review)
    status = by_n(review)[1]["expected_write"]
    assert status["state"] == "conflict" and status["server_value"] == "someone else's answer"
    assert orq.get_datapoint(dataset, row["datapoint_id"]).expected_output == "someone else's answer"
    review.resolve(row["datapoint_id"], "mine")
    settled(review)
    assert by_n(review)[1]["expected_write"]["state"] == "saved"
    assert orq.get_datapoint(dataset, row["datapoint_id"]).expected_output == "answer 1"


def test_state_survives_a_redisplay(orq, sandbox, dataset):
    review = settled(ExperimentReview(orq, dataset, generate=StandIn(sandbox), page_size=3))
    row = review.results[0]
    review.feedback(row["datapoint_id"], "rating", "good")
    settled(review)
    # a second view reads the same traits: outputs and the feedback given are there
    state = review.get_state()
    assert state["_generations"][row["datapoint_id"]]["output"] == "expected 0"
    assert state["_feedback"][row["datapoint_id"]]["rating"]["state"] == "sent"


def test_the_intents_answer_by_request_id(orq, sandbox, dataset):
    review = settled(ExperimentReview(orq, dataset, generate=StandIn(sandbox), page_size=3))
    sent = []
    review.send = lambda message, buffers=None: sent.append(message)  # type: ignore[method-assign]
    row = review.results[0]
    review.handle(
        {"type": "feedback", "id": "a", "datapoint_id": row["datapoint_id"], "property": "rating", "value": "x"}
    )
    review.handle({"type": "page", "id": "b", "to": "next"})
    assert sent[0]["id"] == "a" and not sent[0]["ok"] and "good' or 'bad" in sent[0]["error"]["message"]
    assert sent[1] == {"id": "b", "ok": True}


def test_bad_arguments_name_the_parameter(orq, dataset):
    with pytest.raises(ValueError, match=r"either deployment= .* or generate="):
        ExperimentReview(orq, dataset)
    with pytest.raises(ValueError, match="concurrency"):
        ExperimentReview(orq, dataset, generate=str, concurrency=0)
    with pytest.raises(ValueError, match="page_size"):
        ExperimentReview(orq, dataset, generate=str, page_size=0)
    with pytest.raises(ValueError, match="feedback: unknown property 'vibes'"):
        ExperimentReview(orq, dataset, generate=str, feedback=("vibes",))


def test_feedback_given_survives_a_kernel_restart(sandbox, dataset, tmp_path):
    """A kernel killed before its feedback got through: the next kernel's client delivers it."""
    script = textwrap.dedent(f"""
        import sys, time
        from nbwidgets import Client, ExperimentReview
        client = Client.orq({sandbox.api_key!r}, {sandbox.url!r})
        generate = lambda dp: ("out", "trace-restart-" + dp.id)
        review = ExperimentReview(client, {dataset!r}, generate=generate, page_size=2)
        assert review.wait(30)
        first, second = review.results
        print("generated", flush=True)
        sys.stdin.readline()  # the sandbox now refuses everything
        review.feedback(first["datapoint_id"], "rating", "good")
        review.feedback(second["datapoint_id"], "correction", "better")
        print(first["trace_id"], second["trace_id"], len(client.outbox.pending()), flush=True)
        time.sleep(60)
    """)
    env = {**os.environ, "NBWIDGETS_CACHE_DIR": str(tmp_path)}
    with Client.orq(sandbox.api_key, sandbox.url) as client:
        sandbox.add_traces(*(f"trace-restart-{dp.id}" for dp in client.iter_datapoints(dataset)))
    process = subprocess.Popen(
        [sys.executable, "-c", script], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout.readline().strip() == "generated"
        sandbox.set_faults(fault_rate=1.0)  # nothing gets through before the kill
        process.stdin.write("go\n")
        process.stdin.flush()
        first_trace, second_trace, pending = process.stdout.readline().split()
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)
    sandbox.clear_faults()
    assert int(pending) == 2
    drain = f"from nbwidgets import Client\nprint(Client.orq({sandbox.api_key!r}, {sandbox.url!r}).outbox.flush(60))"
    result = subprocess.run([sys.executable, "-c", drain], env=env, capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "True", result.stderr
    assert [(f["property"], f["value"]) for f in sandbox.feedback(first_trace)] == [("rating", "good")]
    assert [(f["property"], f["value"]) for f in sandbox.feedback(second_trace)] == [("correction", "better")]


def test_overmind_expected_outputs_are_staged_then_saved_as_a_new_version(overmind):
    agent = overmind.list_agents().items[0]
    version = overmind.list_datasets(agent=agent.id).items[-1]
    review = settled(
        ExperimentReview(
            overmind, version.id, generate=lambda dp: {"output": {"reply": f"fixed {dp.order}"}}, page_size=3
        )
    )
    first = review.results[0]
    assert review.feedback_off.startswith("Feedback is an orq.ai API")
    with pytest.raises(ValueError, match=r"orq\.ai"):
        review.feedback(first["datapoint_id"], "rating", "good")
    review.use_as_expected(first["datapoint_id"])
    assert review.staged_count == 1 and review.results[0]["expected_write"]["state"] == "staged"
    created = review.save_version()
    assert review.staged_count == 0 and review.results[0]["expected_write"]["state"] == "saved"
    assert created.version > version.version and f"version {created.version}" in review.notice
    saved = [dp for dp in overmind.get_dataset(created.id).datapoints if dp.order == review.rows[0].order]
    assert saved[0].expected_output == {"reply": f"fixed {review.rows[0].order}"}


def test_overmind_version_save_through_an_outage_is_kept_shown_and_made_once(
    sandbox, overmind, own_version, tmp_path, monkeypatch
):
    from nbwidgets.client import RetryPolicy

    monkeypatch.setenv("NBWIDGETS_CACHE_DIR", str(tmp_path))
    base = own_version
    client = Client.overmind(sandbox.api_key, sandbox.url, retry=RetryPolicy(max_retries=0))
    try:
        review = settled(ExperimentReview(client, base.id, generate=lambda dp: f"fixed {dp.order}", page_size=4))
        first, second = review.results[0]["datapoint_id"], review.results[1]["datapoint_id"]
        review.use_as_expected(first)
        sandbox.set_faults(fault_rate=1.0)
        handle = review.save_version(wait=False)
        deadline = time.monotonic() + 30
        while review.version_save.get("state") != "retrying" and time.monotonic() < deadline:
            time.sleep(0.01)
        # the row and the toolbar say it is not saved yet; the output stays staged
        assert review.version_save["state"] == "retrying" and review.staged_count == 1
        assert review.results[0]["expected_write"]["state"] == "retrying"
        review.use_as_expected(second)  # staged meanwhile: kept for the next version
        with pytest.raises(ValueError, match="being saved"):
            review.save_version()
        sandbox.clear_faults()
        client.outbox.retry_now()
        first_version = handle.result(60)
        assert review.version_save == {} and review.staged_count == 1
        assert review.results[0]["expected_write"]["state"] == "saved"
        assert review.results[1]["expected_write"]["state"] == "staged"
        second_version = review.save_version()  # holds both outputs: this review's dataset plus all it saved
        made = versions_made_from(overmind, base)
        assert sorted(d.id for d in made) == sorted([first_version.id, second_version.id])  # one per save
        held = {dp.order: dp.expected_output for dp in overmind.get_dataset(second_version.id).datapoints}
        orders = [review.rows[0].order, review.rows[1].order]
        assert [held[o] for o in orders] == [f"fixed {o}" for o in orders]
        assert f"version {second_version.version}" in review.notice
    finally:
        sandbox.clear_faults()
        client.close()


def test_prefetch_generates_one_page_ahead_and_no_further(orq, dataset):
    generate = StandIn()
    review = ExperimentReview(orq, dataset, generate=generate, page_size=5, prefetch=True)
    settled(review)
    deadline = time.monotonic() + 20
    while (len(generate.calls) < 10 or review._engine.busy) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(generate.calls) == 10  # page 1 and page 2, not page 3
    review.next_page(wait=True)
    settled(review)
    deadline = time.monotonic() + 20
    while (len(generate.calls) < 15 or review._engine.busy) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(generate.calls) == 15 and all(c == 1 for c in generate.calls.values())  # page 3 now, once each


def test_cancel_stops_async_calls_in_flight(orq, dataset):
    started = threading.Event()

    async def forever(datapoint):
        started.set()
        await asyncio.sleep(60)

    review = ExperimentReview(orq, dataset, generate=forever, page_size=4, concurrency=2)
    assert started.wait(10)
    deadline = time.monotonic() + 10
    while review._engine.in_flight() < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    review.cancel()
    assert review.wait(10)
    states = Counter((r["state"], r["error"]) for r in review.results)
    assert states == {("error", "cancelled"): 2, ("not generated", None): 2}


def test_the_row_says_why_feedback_is_off(orq, dataset):
    review = settled(ExperimentReview(orq, dataset, generate=lambda dp: "plain text", page_size=2))
    [generation, _] = review._generations.values()
    assert generation["trace_id"] is None and generation["feedback_off"] == NO_TRACE


@pytest.fixture
def on_sandbox(sandbox):
    """A client that knows it talks to the sandbox: it lists the workspace's feedback properties too."""
    with Client.orq(sandbox.api_key, sandbox.url, sandbox=True) as client:
        yield client


@pytest.fixture
def support_copy(orq, sandbox, fresh_dataset):
    """Eight of the demo's support tickets, in a dataset of this test's own (the test writes to it)."""
    for datapoint in orq.datapoints_page(sandbox.ids["support"], limit=8).items:
        wire = datapoint.to_wire()
        orq.create_datapoints(
            fresh_dataset.id,
            [{k: wire[k] for k in ("inputs", "messages", "expected_output") if wire.get(k) is not None}],
        )
    return fresh_dataset.id


@pytest.mark.parametrize("faults", [0.0, 0.3])
def test_a_sandbox_deployment_reviewed_lands_each_write_once(orq, on_sandbox, sandbox, support_copy, faults):
    feedback = ("rating", "correction", "quality", "verdict")
    review = settled(
        ExperimentReview(on_sandbox, support_copy, deployment="support-reply", page_size=8, feedback=feedback)
    )
    assert review.generator_label == "deployment support-reply"
    assert [k["kind"] for k in review.feedback_kinds] == ["thumbs", "correction", "score", "choice"]
    results = review.results
    assert len(results) == 8 and all(r["state"] == "done" and r["trace_id"] for r in results)
    assert len({r["trace_id"] for r in results}) == 8
    assert all(r["metadata"]["tokens"] > 0 and r["metadata"]["model"] for r in results)
    first = review.rows[0].to_wire()  # the deployment's stand-in model is deterministic
    again = orq.invoke_deployment("support-reply", inputs=first["inputs"], messages=first["messages"])
    assert again.output == results[0]["output"]

    sandbox.set_faults(fault_rate=faults)
    review.feedback(results[0]["datapoint_id"], "rating", "good")
    review.feedback(results[1]["datapoint_id"], "quality", 4)
    review.feedback(results[2]["datapoint_id"], "verdict", "wrong")
    review.feedback(results[3]["datapoint_id"], "correction", "Please restart the app, then sign in again.")
    review.use_as_expected(results[4]["datapoint_id"])
    settled(review, timeout=60)
    sandbox.clear_faults()

    def held(n):
        return [(f["property"], f["value"]) for f in sandbox.feedback(results[n]["trace_id"])]

    assert held(0) == [("rating", "good")]
    assert held(1) == [("quality", 4)]
    assert held(2) == [("verdict", ["wrong"])]  # a single choice travels as an array of one
    assert held(3) == [("correction", "Please restart the app, then sign in again.")]
    assert all(held(n) == [] for n in range(4, 8))
    saved = orq.get_datapoint(support_copy, results[4]["datapoint_id"])
    assert saved.expected_output == results[4]["output"]
    states = {r["datapoint_id"]: r for r in review.results}
    assert states[results[2]["datapoint_id"]]["feedback"]["verdict"] == {
        "value": "wrong",
        "state": "sent",
        "message": "",
    }
    assert states[results[4]["datapoint_id"]]["expected_write"]["state"] == "saved"


def test_a_value_the_property_does_not_take_is_refused_before_sending(orq, support_copy):
    quality = {"property": "quality", "type": "number", "min": 1, "max": 5}  # described, as for real orq
    review = settled(ExperimentReview(orq, support_copy, deployment="support-reply", page_size=2, feedback=[quality]))
    with pytest.raises(ValueError, match="quality: a score is between 1 and 5"):
        review.feedback(review.results[0]["datapoint_id"], "quality", 9)
    with pytest.raises(ValueError, match=r"property: 'rating' is not one of this review's \(quality\)"):
        review.feedback(review.results[0]["datapoint_id"], "rating", "good")


def test_use_as_expected_on_an_output_that_already_is_the_expected_one_sends_nothing(orq, sandbox, dataset):
    review = settled(ExperimentReview(orq, dataset, generate=StandIn(), page_size=3))
    row = by_n(review)[1]
    review.use_as_expected(row["datapoint_id"])
    settled(review)
    assert by_n(review)[1]["expected_write"]["state"] == "saved"
    mark = sandbox.mark_requests()
    review.use_as_expected(row["datapoint_id"])  # pressed again: the service holds it already
    assert review.notice.startswith("Row 2: its output already is the expected output")
    assert sandbox.requests_received(f"/v2/datasets/{dataset}", since=mark, method="PATCH") == []
    assert by_n(review)[1]["expected_write"]["state"] == "saved"
    other = by_n(review)[2]
    review.handle({"type": "use_expected", "id": "u2", "datapoint_id": other["datapoint_id"]})  # the next action
    assert review.notice == ""  # the notice answered the press before, not this one: it is gone


def test_use_as_expected_is_undone_through_the_write_path_and_a_second_use_says_so(orq, sandbox, dataset):
    review = settled(ExperimentReview(orq, dataset, generate=StandIn(), page_size=3))
    first, second = by_n(review)[1]["datapoint_id"], by_n(review)[2]["datapoint_id"]
    assert not review.can_undo
    review.use_as_expected(first)
    assert review.can_undo and review.undo_label == "Undo use as expected (Row 2)"
    status = review._expected[first]
    assert status["replaced"] == "expected 1" and status["value"] == "answer 1"  # what it replaced, on the row
    settled(review)
    assert orq.get_datapoint(dataset, first).expected_output == "answer 1"
    patches = sandbox.control("GET", "/_sandbox/stats").get("PATCH orq", 0)
    review.use_as_expected(first)  # a second u on the same row: nothing sent, and it says so
    assert "already is the expected output" in review.notice and "Undo" in review.notice
    review.use_as_expected(second)
    settled(review)
    review.undo(first)  # that row's use, though another came after it
    assert review.notice == "Row 2: restoring the expected output it had"
    settled(review)
    assert review.notice == "Row 2: restored the expected output it had"  # once settled, not still "-ing"
    assert orq.get_datapoint(dataset, first).expected_output == "expected 1"
    assert orq.get_datapoint(dataset, second).expected_output == "answer 2"
    assert by_n(review)[1]["expected_write"]["state"] == "saved" and by_n(review)[1]["expected_write"]["undo"]
    assert by_n(review)[1]["expected_output"] == "expected 1"  # the row shows what the service holds
    assert sandbox.control("GET", "/_sandbox/stats").get("PATCH orq", 0) == patches + 2
    review.undo()  # the last one left: the second row
    settled(review)
    assert orq.get_datapoint(dataset, second).expected_output == "expected 2" and not review.can_undo
    with pytest.raises(ValueError, match="nothing to undo"):
        review.undo()


def test_overmind_use_as_expected_is_undone_staged_or_saved(overmind):
    agent = overmind.list_agents().items[0]
    version = overmind.list_datasets(agent=agent.id).items[-1]
    review = settled(
        ExperimentReview(
            overmind, version.id, generate=lambda dp: {"output": {"reply": f"fixed {dp.order}"}}, page_size=3
        )
    )
    first = review.results[0]["datapoint_id"]
    before = review.rows[0].expected_output
    review.use_as_expected(first)
    review.use_as_expected(first)  # the same output again: not staged twice, and said
    assert review.staged_count == 1 and "already is the expected output" in review.notice
    review.undo()  # only staged: taken back
    assert review.staged_count == 0 and review.results[0]["expected_write"] is None and not review.can_undo
    review.use_as_expected(first)
    created = review.save_version()
    review.undo()  # in a saved version already: the old value is staged for the next one
    assert review.staged_count == 1 and review.results[0]["expected_write"]["state"] == "staged"
    restored = review.save_version()
    assert restored.version > created.version
    held = [dp for dp in overmind.get_dataset(restored.id).datapoints if dp.order == review.rows[0].order]
    assert held[0].expected_output == before


def test_feedback_across_a_rerun_stays_on_the_old_trace_and_the_new_output_starts_unrated(orq, sandbox, dataset):
    """A rated row re-run: a new output on a new trace. The row shows nothing given (the `_feedback` trait the
    controls are drawn from, and `results`), the old trace keeps its rating on the service, and rating the
    new output sends to the new trace, with an id of its own (issue 24, 3)."""
    runs: Counter[str] = Counter()

    def generate(datapoint):
        runs[datapoint.id] += 1
        trace = sandbox.new_trace(f"rerun-{runs[datapoint.id]}")
        return {"output": f"answer {datapoint.inputs['n']}, run {runs[datapoint.id]}", "trace_id": trace}

    review = settled(ExperimentReview(orq, dataset, generate=generate, page_size=3))
    first = by_n(review)[0]
    row, old_trace = first["datapoint_id"], first["trace_id"]
    review.feedback(row, "rating", "good")
    review.feedback(row, "correction", "The right answer.")
    settled(review)
    assert review._feedback[row]["rating"] == {"value": "good", "state": "sent", "message": ""}
    old_ids = {f["property"]: f["id"] for f in sandbox.feedback(old_trace)}

    review.rerun(row)
    settled(review)
    again = by_n(review)[0]
    new_trace = again["trace_id"]
    assert again["output"] == "answer 0, run 2" and new_trace != old_trace and again["runs"] == 2
    assert row not in review._feedback and again["feedback"] == {}  # the new output starts unrated
    assert review._generations[row]["trace_id"] == new_trace
    assert {(f["property"], f["value"]) for f in sandbox.feedback(old_trace)} == {
        ("rating", "good"),
        ("correction", "The right answer."),
    }
    assert sandbox.feedback(new_trace) == []

    review.feedback(row, "rating", "good")  # the same value as before the re-run: still sent, to the new trace
    review.feedback(row, "rating", "bad")
    settled(review)
    assert review._feedback[row] == {"rating": {"value": "bad", "state": "sent", "message": ""}}
    [rated] = sandbox.feedback(new_trace)
    assert (rated["property"], rated["value"]) == ("rating", "bad") and rated["id"] not in old_ids.values()
    assert {(f["property"], f["value"], f["id"]) for f in sandbox.feedback(old_trace)} == {
        ("rating", "good", old_ids["rating"]),
        ("correction", "The right answer.", old_ids["correction"]),
    }


def test_feedback_and_a_conflict_stay_on_their_rows_across_page_changes(orq, sandbox, dataset):
    """Rated rows and a "use as expected" in conflict on page 1: after the next page and back, and after a trip
    far enough that page 1 is fetched again, the traits the rows are drawn from hold the same feedback and the
    same conflict (with the service's value), and Keep mine still lands."""
    review = settled(ExperimentReview(orq, dataset, generate=StandIn(sandbox), page_size=2))
    first, second = (r["datapoint_id"] for r in review.results[:2])
    review.feedback(first, "rating", "good")
    review.feedback(first, "correction", "A better answer.")
    orq.update_datapoint(dataset, second, expected_output="Changed by a colleague")
    review.use_as_expected(second)
    settled(review)
    feedback, expected = review._feedback[first], review._expected[second]
    assert feedback["rating"] == {"value": "good", "state": "sent", "message": ""}
    assert expected["state"] == "conflict" and expected["server_value"] == "Changed by a colleague"

    review.next_page(wait=True)
    settled(review)
    third = review.rows[0].id
    review.feedback(third, "rating", "bad")
    settled(review)
    assert first not in review._feedback and review._feedback[third]["rating"]["value"] == "bad"
    review.prev_page(wait=True)
    settled(review)
    assert (review._feedback.get(first), review._expected.get(second)) == (feedback, expected)
    for _ in range(9):  # beyond the pages kept: page 1 is fetched again on the way back
        review.next_page(wait=True)
    settled(review)
    for _ in range(9):
        review.prev_page(wait=True)
    settled(review)
    assert review.page_number == 1
    assert (review._feedback.get(first), review._expected.get(second)) == (feedback, expected)
    review.resolve(second, "mine")
    settled(review)
    assert review._expected[second]["state"] == "saved"
    assert orq.get_datapoint(dataset, second).expected_output == by_n(review)[1]["output"]
    held = {
        (f["property"], f["value"])
        for r in review.results[:3]
        if r["trace_id"]
        for f in sandbox.feedback(r["trace_id"])
    }
    assert held == {("rating", "good"), ("correction", "A better answer."), ("rating", "bad")}


def test_add_to_dataset_copies_the_rows_input_with_its_output_or_correction(orq, sandbox, dataset):
    """Issue 26: a row into another dataset (a regressions set) through the write path, exactly once."""
    review = settled(ExperimentReview(orq, dataset, generate=StandIn(sandbox), page_size=5))
    regressions = orq.create_dataset("regressions")
    try:
        rows = by_n(review)
        first, second = rows[1]["datapoint_id"], rows[2]["datapoint_id"]
        made = review.add_to_dataset(first, regressions.id)
        assert made.expected_output == "answer 1"
        assert made.inputs == {"n": 1, "question": "question 1"}
        assert made.messages[0].content == "question 1"
        review.feedback(second, "correction", "the better answer 2 «ü»")
        assert review.flush(30)
        review.add_to_dataset(second, regressions.id, use="correction")
        held = [(dp.inputs["n"], dp.expected_output) for dp in orq.iter_datapoints(regressions.id)]
        assert held == [(1, "answer 1"), (2, "the better answer 2 «ü»")]
        assert review._added[first] == {"state": "saved", "dataset": regressions.id, "use": "output"}
        assert "added to dataset" in review.notice
        assert orq.get_dataset(dataset).metadata.datapoints_count == 25  # the reviewed dataset is untouched
        # from the front end: the row action's intent, then the list of datasets it offers
        review.handle({"type": "list_targets"})
        assert regressions.id in {t["id"] for t in review.add_targets}
        assert dataset not in {t["id"] for t in review.add_targets}
        with pytest.raises(ValueError, match="has no correction to add: give one first"):
            review.add_to_dataset(rows[3]["datapoint_id"], regressions.id, use="correction")
        with pytest.raises(ValueError, match="use must be 'output' or 'correction'"):
            review.add_to_dataset(first, regressions.id, use="expected")
        assert len(list(orq.iter_datapoints(regressions.id))) == 2
    finally:
        orq.delete_dataset(regressions.id)


def test_add_to_dataset_offers_a_dataset_made_after_the_first_fifty(orq, sandbox, dataset):
    """The row action's list holds every dataset, newest first: a regressions set made a moment ago in a
    workspace of more than fifty datasets is offered (it was cut at the first page, oldest first)."""
    review = settled(ExperimentReview(orq, dataset, generate=StandIn(sandbox), page_size=5))
    made = [orq.create_dataset(f"filler {n}") for n in range(55)]
    newest = orq.create_dataset("regressions, made last")
    try:
        review.handle({"type": "list_targets"})
        offered = [t["id"] for t in review.add_targets]
        assert offered[0] == newest.id and made[0].id in offered and dataset not in offered
    finally:
        for each in [*made, newest]:
            orq.delete_dataset(each.id)


def test_a_rerun_says_the_previous_output_was_rated(orq, sandbox, dataset):
    review = settled(ExperimentReview(orq, dataset, generate=StandIn(sandbox), page_size=2))
    first, second = (r["datapoint_id"] for r in review.results[:2])
    review.feedback(first, "rating", "good")
    review.feedback(first, "correction", "a better answer")
    settled(review)
    review.rerun(first)
    review.rerun(second)  # never rated: nothing to say
    settled(review)
    assert review.results[0]["feedback"] == {}  # the new output starts unrated
    assert review._earlier == {
        first: "The previous output was rated Good (Rating) and corrected; that feedback stays on its own trace."
    }


def test_a_notice_from_one_page_is_gone_on_the_next(orq, sandbox, dataset):
    review = settled(ExperimentReview(orq, dataset, generate=StandIn(), page_size=3))
    review.use_as_expected(by_n(review)[0]["datapoint_id"])  # output 0 already is the expected one: a notice
    assert "already is the expected output" in review.notice
    review.next_page(wait=True)
    assert review.page_number == 2 and review.notice == ""
