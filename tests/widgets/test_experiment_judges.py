"""ExperimentReview(..., evaluators=[...]) against the sandbox: verdicts per row, filters' data, agreement."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import pytest

from nbwidgets import ExperimentReview

pytestmark = pytest.mark.usefixtures("shapes_held")  # every value sent has its trait's shape (conftest.py)


@pytest.fixture(autouse=True)
def _own_outbox(tmp_path, monkeypatch):
    monkeypatch.setenv("NBWIDGETS_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def dataset(orq, fresh_dataset):
    for n in range(12):
        orq.create_datapoints(
            fresh_dataset.id,
            [{"inputs": {"n": n, "ticket": f"question {n}"}, "expected_output": f"expected answer {n}"}],
        )
    return fresh_dataset.id


@pytest.fixture
def judges(orq):
    suffix = uuid.uuid4().hex[:8]
    exact = orq.create_evaluator(
        {"key": f"exact_{suffix}", "prompt": "Does {{output}} match {{expected_output}}?", "model": "openai/gpt-4o"}
    )
    score = orq.create_evaluator(
        {
            "key": f"score_{suffix}",
            "prompt": "Rate {{output}} against {{expected_output}} from 1 to 5.",
            "model": "openai/gpt-4o",
            "output_type": "number",
        }
    )
    return exact, score


class Generator:
    """Every third output equals the expected one; the others share nothing with it. Counts its runs."""

    def __init__(self, sandbox: Any, delay: float = 0.01) -> None:
        self.sandbox, self.delay = sandbox, delay
        self.runs: dict[str, int] = {}
        self.lock = threading.Lock()

    def __call__(self, datapoint: Any) -> dict[str, Any]:
        with self.lock:
            self.runs[datapoint.id] = self.runs.get(datapoint.id, 0) + 1
            run = self.runs[datapoint.id]
        time.sleep(self.delay)
        n = int(datapoint.inputs["n"])
        output = f"expected answer {n}" if n % 3 == 0 else "no idea"
        if run > 1:
            output = f"expected answer {n}"  # a re-run gets it right
        [trace] = self.sandbox.add_traces(f"judge-{datapoint.id}-{run}-{uuid.uuid4().hex[:6]}")
        return {"output": output, "trace_id": trace}


def ns(review: ExperimentReview) -> dict[str, int]:
    return {dp.id: int(dp.inputs["n"]) for dp in review.rows}


def invocations(sandbox, since: int) -> list[dict[str, Any]]:
    return sandbox.requests_received("/v3/evaluators/", since=since)


def test_each_output_is_judged_by_each_evaluator(orq, sandbox, dataset, judges):
    exact, score = judges
    review = ExperimentReview(orq, dataset, generate=Generator(sandbox), evaluators=[exact.key, score.id])
    assert review.wait(60)
    number = ns(review)
    assert [e["key"] for e in review.evaluators_info] == [exact.key, score.key]
    results = [r for r in review.results if r["datapoint_id"] in number]
    assert len(results) == 10
    for result in results:
        n = number[result["datapoint_id"]]
        verdicts = result["evaluations"]
        assert set(verdicts) == {exact.key, score.key}
        assert verdicts[exact.key]["state"] == "done" and verdicts[exact.key]["passed"] is (n % 3 == 0)
        assert verdicts[score.key]["value"] == (5 if n % 3 == 0 else 1)
        assert verdicts[exact.key]["explanation"] and verdicts[exact.key]["trace_id"]
        assert set(verdicts[exact.key]) == {"value", "passed", "status", "explanation", "trace_id", "state", "error"}
    # the page's traits: what the rows show
    assert set(review._verdicts) == set(number)
    assert review._verdicts[next(i for i, n in number.items() if n == 3)][exact.key]["passed"] is True
    summary = {item["key"]: item for item in review.judge_summary}
    assert summary[exact.key]["judged"] == 10 and summary[exact.key]["passed"] == 4
    assert summary[score.key]["mean"] == pytest.approx((4 * 5 + 6 * 1) / 10)
    assert f"{exact.key}: 4/10 pass (40%)" in review.summary and f"{score.key}: 4/10 pass (40%), mean 2.60" in (
        review.summary
    )
    frame = review.to_pandas()
    assert {f"eval.{exact.key}", f"eval.{exact.key}.passed", f"eval.{score.key}"} <= set(frame.columns)
    assert sorted(frame[f"eval.{score.key}"].dropna().tolist()) == [1] * 6 + [5] * 4


def test_judging_does_not_hold_up_generation(orq, sandbox, dataset, judges):
    generate = Generator(sandbox)
    mark = sandbox.mark_requests()
    sandbox.set_faults(latency_ms=600)  # each judge call takes 600 ms; generating (a local function) does not wait
    try:
        review = ExperimentReview(orq, dataset, generate=generate, evaluators=[j.key for j in judges])
        assert review._page_ready.wait(30)
        assert review._engine.wait([dp.id for dp in review.rows], 30)
        assert review.progress["done"] == 10
        assert review._judging.busy()  # every output generated while most verdicts are still to come
        pending = sum(v["state"] in ("queued", "running") for row in review._verdicts.values() for v in row.values())
        assert pending >= 8  # 20 verdicts, 8 at a time, none back yet (or one round at most, on a loaded machine)
        assert review.wait(60)
    finally:
        sandbox.clear_faults()
    assert review._judging.calls == 20 and len(invocations(sandbox, mark)) == 20
    assert 4 <= orq.evaluations.max_in_flight <= orq.evaluations.concurrency == 8


def test_a_second_review_over_the_same_outputs_asks_for_nothing(orq, sandbox, dataset, judges):
    first = ExperimentReview(orq, dataset, generate=Generator(sandbox), evaluators=[j.key for j in judges])
    assert first.wait(60)
    mark = sandbox.mark_requests()
    second = ExperimentReview(orq, dataset, generate=Generator(sandbox), evaluators=[j.key for j in judges])
    assert second.wait(60)
    assert invocations(sandbox, mark) == []
    assert [r["evaluations"] for r in second.results] == [r["evaluations"] for r in first.results]


def test_a_rerun_rejudges_the_new_output(orq, sandbox, dataset, judges):
    exact, _ = judges
    review = ExperimentReview(orq, dataset, generate=Generator(sandbox), evaluators=[exact.key])
    assert review.wait(60)
    row = next(i for i, n in ns(review).items() if n == 1)
    assert (
        review.results[[r["datapoint_id"] for r in review.results].index(row)]["evaluations"][exact.key]["passed"]
        is False
    )
    mark = sandbox.mark_requests()
    review.rerun(row)
    assert review.wait(60)
    result = next(r for r in review.results if r["datapoint_id"] == row)
    assert result["runs"] == 2 and result["evaluations"][exact.key]["passed"] is True
    assert len(invocations(sandbox, mark)) == 1


def test_a_failure_to_judge_is_shown_and_retried(orq, sandbox, dataset, judges, monkeypatch):
    exact, _ = judges
    real = orq.invoke_evaluator
    failed = []

    def flaky(evaluator: Any, **graded: Any) -> Any:
        if graded["output"] == "no idea" and not failed:
            failed.append(graded)
            raise RuntimeError("the judge's provider is down")
        return real(evaluator, **graded)

    monkeypatch.setattr(orq, "invoke_evaluator", flaky)
    review = ExperimentReview(orq, dataset, generate=Generator(sandbox), evaluators=[exact.key])
    assert review.wait(60)
    broken = [r for r in review.results if r["evaluations"][exact.key]["state"] == "error"]
    assert len(broken) == 1 and "the judge's provider is down" in broken[0]["evaluations"][exact.key]["error"]
    assert review._verdicts[broken[0]["datapoint_id"]][exact.key]["state"] == "error"  # on the row
    review.handle(
        {"type": "retry_judge", "id": "r1", "datapoint_id": broken[0]["datapoint_id"], "evaluator": exact.key}
    )
    assert review.wait(60)
    again = next(r for r in review.results if r["datapoint_id"] == broken[0]["datapoint_id"])
    assert again["evaluations"][exact.key]["state"] == "done" and again["evaluations"][exact.key]["passed"] is False


def test_agreement_with_people(orq, sandbox, dataset, judges):
    exact, score = judges
    review = ExperimentReview(
        orq, dataset, generate=Generator(sandbox), evaluators=[exact.key, score.key], feedback=["rating", "correction"]
    )
    assert review.wait(60)
    with pytest.raises(ValueError, match=r"^property: no feedback on 'rating' yet"):
        review.agreement(exact.key, property="rating")
    number = ns(review)
    # people call 0..5 good and 6..9 bad; the judge passes 0, 3, 6, 9: they disagree on 1, 2, 4, 5 (judge bad,
    # people good) and on 6, 9 (judge good, people bad)
    for datapoint_id, n in number.items():
        review.feedback(datapoint_id, "rating", "good" if n <= 5 else "bad")
    result = review.agreement(exact.key, property="rating")
    assert result.n == 10
    assert result.agreement == pytest.approx(0.4)
    assert sorted(number[i] for i in result.disagreements) == [1, 2, 4, 5, 6, 9]
    assert result.confusion == {"bad": {"bad": 2, "good": 4}, "good": {"bad": 2, "good": 2}}
    # kappa: po .4; pe = (.6 * .4) + (.4 * .6) = .48 -> (.4 - .48) / .52
    assert result.kappa == pytest.approx((0.4 - 0.48) / 0.52)
    assert {number[i] for i in review._disagree} == {1, 2, 4, 5, 6, 9}
    shown = next(a for a in review.agreements if a["evaluator"] == exact.key and a["property"] == "rating")
    assert shown["n"] == 10 and len(shown["disagreements"]) == 6
    with pytest.raises(ValueError, match=r"^property: 'correction' takes correction feedback"):
        review.agreement(exact.key, property="correction")
    with pytest.raises(ValueError, match=r"^evaluator: 'nope' is not one of this review's evaluators"):
        review.agreement("nope")


def test_bad_evaluators_get_clear_errors(orq, overmind, sandbox, dataset, judges):
    with pytest.raises(ValueError, match=r"^evaluators= runs orq evaluators: this review's client is not an orq"):
        ExperimentReview(overmind, sandbox.ids["agent_v1"], generate=lambda dp: "x", evaluators=[judges[0].key])
    with pytest.raises(ValueError, match=r"^evaluators: no evaluator with the id or key 'no_such_judge'"):
        ExperimentReview(orq, dataset, generate=lambda dp: "x", evaluators=["no_such_judge"])
    with pytest.raises(TypeError, match=r"^evaluators: each item is an evaluator id or key \(a str\), not int"):
        ExperimentReview(orq, dataset, generate=lambda dp: "x", evaluators=[7])  # type: ignore[list-item]
    with pytest.raises(ValueError, match=r"^evaluators: .* is named twice"):
        ExperimentReview(orq, dataset, generate=lambda dp: "x", evaluators=[judges[0].key, judges[0].id])
    review = ExperimentReview(orq, dataset, generate=lambda dp: "x", evaluators=[judges[0].key])
    review.sort_by = "not_an_evaluator"
    assert review.sort_by == ""
    review.sort_by = judges[0].key
    assert review.sort_by == judges[0].key
    review.close()


def test_a_score_is_set_against_a_number_verdict(orq, sandbox, dataset, judges):
    exact, score = judges
    review = ExperimentReview(
        orq,
        dataset,
        generate=Generator(sandbox),
        evaluators=[exact.key, score.key],
        feedback=[{"property": "quality", "type": "number", "min": 1, "max": 5}],
    )
    assert review.wait(60)
    number = ns(review)
    # the judge gives 5 to rows 0, 3, 6, 9 and 1 to the others; people agree except on row 4 (a 2)
    for datapoint_id, n in number.items():
        review.feedback(datapoint_id, "quality", 5 if n % 3 == 0 else (2 if n == 4 else 1))
    result = review.agreement(score.key, property="quality")
    assert (result.n, [number[i] for i in result.disagreements]) == (10, [4])
    assert result.confusion["1"] == {"1": 5, "2": 1, "5": 0}
    # a boolean judge against a score: the upper half of the range is a pass
    passed = review.agreement(exact.key, property="quality")
    assert passed.n == 10 and passed.disagreements == [] and passed.kappa == pytest.approx(1.0)


def test_a_jury_tells_the_view_its_tie_value(orq, sandbox, dataset, judges):
    """The view shows a jury's even split as a tie (js/experiment/judging.js), not as the failure it counts as."""
    exact, _ = judges
    jury = orq.create_evaluator(
        {
            "key": f"jury_{uuid.uuid4().hex[:8]}",
            "prompt": "Does {{output}} match {{expected_output}}?",
            "mode": "jury",
            "jury": {"judges": [{"model": "openai/gpt-4o"}, {"model": "openai/gpt-4o-mini"}], "tie_value": "Split"},
        }
    )
    review = ExperimentReview(orq, dataset, generate=Generator(sandbox), evaluators=[exact.key, jury.key], page_size=2)
    try:
        assert [(e["key"], e["tie_value"]) for e in review.evaluators_info] == [(exact.key, None), (jury.key, "Split")]
    finally:
        review.close()
