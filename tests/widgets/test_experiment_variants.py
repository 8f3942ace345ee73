"""ExperimentReview(..., variants={...}) against the sandbox: every variant generated and judged on each row,
the blind draw, preferences as feedback (and their undo), comparison() and to_pandas()."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import uuid
from typing import Any

import pytest

from nbwidgets import ExperimentReview
from nbwidgets.widgets._comparison import comparison, draw, wilson


@pytest.fixture(autouse=True)
def _own_outbox(tmp_path, monkeypatch):
    monkeypatch.setenv("NBWIDGETS_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def dataset(orq, fresh_dataset):
    orq.create_datapoints(
        fresh_dataset.id,
        [{"inputs": {"n": n, "ticket": f"question {n}"}, "expected_output": f"expected answer {n}"} for n in range(12)],
    )
    return fresh_dataset.id


@pytest.fixture
def judge(orq):
    return orq.create_evaluator(
        {
            "key": f"exact_{uuid.uuid4().hex[:8]}",
            "prompt": "Does {{output}} match {{expected_output}}?",
            "model": "openai/gpt-4o",
        }
    )


class Variant:
    """A stand-in generator: `right(n)` says which rows it answers with the expected output. Counts calls."""

    def __init__(self, sandbox: Any, name: str, right: Any, delay: float = 0.01) -> None:
        self.sandbox, self.name, self.right, self.delay = sandbox, name, right, delay
        self.calls: dict[str, int] = {}
        self.lock = threading.Lock()

    def __call__(self, datapoint: Any) -> dict[str, Any]:
        with self.lock:
            self.calls[datapoint.id] = self.calls.get(datapoint.id, 0) + 1
        time.sleep(self.delay)
        n = int(datapoint.inputs["n"])
        output = f"expected answer {n}" if self.right(n) else f"{self.name} has no idea"
        [trace] = self.sandbox.add_traces(f"{self.name}-{datapoint.id}-{uuid.uuid4().hex[:6]}")
        return {"output": output, "trace_id": trace, "tokens": 7}


def ns(review: ExperimentReview) -> dict[str, int]:
    return {dp.id: int(dp.inputs["n"]) for dp in review.rows}


def two(sandbox: Any) -> tuple[Variant, Variant]:
    return Variant(sandbox, "A", lambda n: n % 2 == 0), Variant(sandbox, "B", lambda n: n % 3 == 0)


def test_each_variant_is_generated_once_and_judged_on_each_row(orq, sandbox, dataset, judge):
    a, b = two(sandbox)
    review = ExperimentReview(orq, dataset, variants={"A": a, "B": b}, evaluators=[judge.key], concurrency=3)
    assert review.wait(60)
    number = ns(review)
    assert review.variant_names == ["A", "B"] and review.blind  # blind by default for two
    results = [r for r in review.results if r["datapoint_id"] in number]
    assert len(results) == 10
    for result in results:
        n = number[result["datapoint_id"]]
        variants = result["variants"]
        assert set(variants) == {"A", "B"}
        for name, right in (("A", n % 2 == 0), ("B", n % 3 == 0)):
            variant = variants[name]
            assert variant["state"] == "done" and variant["trace_id"].startswith(f"{name}-")
            assert variant["output"] == (f"expected answer {n}" if right else f"{name} has no idea")
            assert variant["evaluations"][judge.key]["passed"] is right
            assert variant["latency_ms"] >= 10 and variant["tokens"] == 7
        assert result["state"] == "done"
    # never twice, and bounded across both variants
    assert all(c == 1 for c in a.calls.values()) and all(c == 1 for c in b.calls.values())
    assert len(a.calls) == len(b.calls) == 10
    assert review._variants is not None and 2 <= review._variants.max_in_flight <= 3
    # shown again (a new view of the same widget): nothing generated again
    assert review.run_page() == 0 and review.wait(10)
    assert all(c == 1 for c in a.calls.values())


def test_a_rerun_generates_and_judges_every_variant_of_the_row_again(orq, sandbox, dataset, judge):
    a, b = two(sandbox)
    review = ExperimentReview(orq, dataset, variants={"A": a, "B": b}, evaluators=[judge.key])
    assert review.wait(60)
    row = next(iter(ns(review)))

    def result() -> dict[str, Any]:
        return next(r for r in review.results if r["datapoint_id"] == row)

    before = {n: v["trace_id"] for n, v in result()["variants"].items()}
    review.prefer(row, "A")
    assert review.flush(30) and result()["preference"]["value"] == "A"
    review.rerun(row)
    assert review.wait(60)
    assert a.calls[row] == b.calls[row] == 2
    assert all(result()["variants"][n]["trace_id"] != before[n] for n in before)
    # the preference stays on the old traces; the new outputs have none yet
    assert result()["preference"] is None and row not in review._preferences
    assert [f["value"] for f in sandbox.feedback(before["A"]) if f["property"] == "preference"] == [["better"]]
    assert all(v["evaluations"][judge.key]["state"] == "done" for v in result()["variants"].values())


def test_the_blind_draw_is_even_and_stable():
    seed = "a-seed"
    ids = [f"dp-{i:03d}" for i in range(100)]
    lefts = [draw(i, seed, ["A", "B"])[0] for i in ids]
    assert 35 <= lefts.count("A") <= 65 and 35 <= lefts.count("B") <= 65
    assert lefts == [draw(i, seed, ["A", "B"])[0] for i in ids]  # a pure function
    assert lefts != [draw(i, "another seed", ["A", "B"])[0] for i in ids]
    three = [draw(i, seed, ["A", "B", "C"]) for i in ids]
    assert all(sorted(order) == ["A", "B", "C"] for order in three)
    assert all(20 <= [o[0] for o in three].count(n) <= 47 for n in "ABC")


SIDES_IN_A_NEW_PROCESS = """
import json, sys
from nbwidgets import Client, ExperimentReview
url, key, dataset = sys.argv[1:4]
with Client.orq(key, url) as client:
    review = ExperimentReview(client, dataset, variants={"A": lambda dp: "a", "B": lambda dp: "b"}, page_size=100)
    assert review.wait(120)
    print(json.dumps(review.sides))
    review.close()
"""


def test_over_100_rows_each_side_shows_each_variant_35_to_65_times_and_the_same_in_a_new_process(
    orq, sandbox, fresh_dataset
):
    orq.create_datapoints(fresh_dataset.id, [{"inputs": {"n": n}} for n in range(100)])
    variants = {"A": lambda dp: "a", "B": lambda dp: "b"}
    review = ExperimentReview(orq, fresh_dataset.id, variants=variants, page_size=100)
    assert review.wait(120)
    sides = review.sides
    assert len(sides) == 100 and all(sorted(s) == ["A", "B"] for s in sides.values())
    left = [s[0] for s in sides.values()]
    assert 35 <= left.count("A") <= 65 and 35 <= left.count("B") <= 65
    # the columns the front end gets follow the draw, unlabelled
    for key, cells in review._columns.items():
        assert [c["label"] for c in cells] == ["Left", "Right"] and all(c["name"] is None for c in cells)
        assert [c["generation"]["output"] for c in cells] == [sides[key][0].lower(), sides[key][1].lower()]
    # a re-display (a second view of the same review) and a second review: the same draw
    assert ExperimentReview(orq, fresh_dataset.id, variants=variants, page_size=100).sides.items() <= sides.items()
    import json

    found = subprocess.run(
        [sys.executable, "-c", SIDES_IN_A_NEW_PROCESS, sandbox.url, sandbox.api_key, fresh_dataset.id],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert json.loads(found.stdout.strip().splitlines()[-1]) == sides
    # another seed draws differently; blind=False shows the names in the order given
    assert ExperimentReview(orq, fresh_dataset.id, variants=variants, page_size=100, seed=7).seed != review.seed
    named = ExperimentReview(orq, fresh_dataset.id, variants=variants, page_size=100, blind=False)
    assert named.wait(60) and set(map(tuple, named.sides.values())) == {("A", "B")}
    assert all([c["label"] for c in cells] == ["A", "B"] for cells in named._columns.values())


def test_prefer_is_feedback_on_each_variants_trace_and_undo_takes_it_back(orq, sandbox, dataset):
    a, b = two(sandbox)
    review = ExperimentReview(orq, dataset, variants={"A": a, "B": b})
    assert review.wait(60)
    assert review.preference_off == ""
    row = review.rows[0].id
    traces = {n: v["trace_id"] for n, v in review.results[0]["variants"].items()}

    def told() -> dict[str, list[Any]]:
        return {
            n: [f["value"] for f in sandbox.feedback(t) if f["property"] == "preference"] for n, t in traces.items()
        }

    review.prefer(row, "A")
    assert review.flush(30)
    assert told() == {"A": [["better"]], "B": [["worse"]]}
    assert review.results[0]["preference"] == {"value": "A", "state": "sent", "message": ""}
    side = review.sides[row].index("A")
    assert review._preferences[row]["value"] == side  # the front end is told the side, not the name
    review.prefer(row, "A")  # a double press sends nothing more
    review.prefer(row, "tie")  # a change of mind replaces the values (same feedback ids)
    assert review.flush(30)
    assert told() == {"A": [["tie"]], "B": [["tie"]]}
    review.undo_preference()  # back to A better
    assert review.flush(30)
    assert told() == {"A": [["better"]], "B": [["worse"]]}
    assert review.results[0]["preference"]["value"] == "A"
    review.undo_preference()  # back to nothing: the feedback is removed
    assert review.flush(30)
    assert told() == {"A": [], "B": []}
    assert review.results[0]["preference"] is None and not review.can_undo_preference
    with pytest.raises(ValueError, match="nothing to undo"):
        review.undo_preference()
    review.prefer(row, "neither")
    assert review.flush(30)
    assert told() == {"A": [["both_bad"]], "B": [["both_bad"]]}
    # by side, as the keys send it
    review.prefer(row, "right")
    assert review.flush(30)
    winner = review.sides[row][1]
    assert told()[winner] == [["better"]]
    with pytest.raises(ValueError, match="choice: 'C' is not one of this review's variants"):
        review.prefer(row, "C")


def test_comparison_reports_wins_rates_and_where_variants_differ(orq, sandbox, dataset, judge):
    a, b = two(sandbox)
    review = ExperimentReview(orq, dataset, variants={"A": a, "B": b}, evaluators=[judge.key])
    assert review.wait(60)
    number = ns(review)
    for key, n in number.items():
        review.prefer(key, "A" if n % 2 == 0 else ("tie" if n % 3 == 0 else "neither"))
    assert review.flush(30)
    report = review.comparison()
    evens = sum(1 for n in number.values() if n % 2 == 0)
    odd_threes = sum(1 for n in number.values() if n % 2 and n % 3 == 0)
    assert report["wins"] == {"A": evens, "B": 0}
    assert report["ties"] == odd_threes and report["both_bad"] == 10 - evens - odd_threes
    assert report["win_rate"]["A"] == pytest.approx(wilson(evens, 10))
    assert report["win_rate"]["B"][0] == 0 and report["win_rate"]["B"][2] > 0
    assert report["pass_rates"][judge.key] == {
        "A": evens / 10,
        "B": sum(1 for n in number.values() if n % 3 == 0) / 10,
    }
    differ = {k for k, n in number.items() if (n % 2 == 0) != (n % 3 == 0)}
    assert set(report["differ"]) == differ
    assert set(report["differ_text"]) == {k for k, n in number.items() if not (n % 2 == 0 and n % 3 == 0)}
    # the judge prefers the variant that passes; on rows both pass it says tie (people said A on n=0, 6), and on
    # odd threes B passes alone (people said tie): those disagree; "neither" where both fail agrees
    assert set(report["disagree"]) == {k for k, n in number.items() if n % 6 == 0 or (n % 2 and n % 3 == 0)}
    review.prefer(next(k for k, n in number.items() if n == 4), "B")  # A passes, B fails: the judge disagrees
    assert next(k for k, n in number.items() if n == 4) in review.comparison()["disagree"]
    # the table above the rows says no names while blind
    assert review.comparison_table["hidden"] and review.comparison_table["variants"] == []
    review.reveal()
    table = review.comparison_table
    assert [v["name"] for v in table["variants"]] == ["A", "B"] and table["variants"][0]["wins"] == evens - 1
    assert all(c["name"] is not None for cells in review._columns.values() for c in cells)
    # a row's flags drive the filter
    assert {k for k, f in review._compare_flags.items() if f["differ"]} == differ


def test_reveal_one_row(orq, sandbox, dataset):
    review = ExperimentReview(orq, dataset, variants={"A": lambda dp: "a", "B": lambda dp: "b"})
    assert review.wait(60)
    row = review.rows[0].id
    review.reveal(row)
    assert [c["name"] for c in review._columns[row]] == review.sides[row]
    assert all(c["name"] is None for k, cells in review._columns.items() if k != row for c in cells)
    review.hide()
    assert all(c["name"] is None for cells in review._columns.values() for c in cells)


def test_to_pandas_has_a_row_per_datapoint_and_variant_or_is_wide(orq, sandbox, dataset, judge):
    a, b = two(sandbox)
    review = ExperimentReview(orq, dataset, variants={"A": a, "B": b}, evaluators=[judge.key])
    assert review.wait(60)
    long = review.to_pandas()
    assert len(long) == 20 and set(long["variant"]) == {"A", "B"}
    assert {"datapoint_id", "output", "trace_id", "latency_ms", "tokens", f"eval.{judge.key}.passed"} <= set(long)
    wide = review.to_pandas(wide=True)
    assert len(wide) == 10 and {"A.output", "B.output", f"A.eval.{judge.key}", "B.latency_ms"} <= set(wide)


def test_deployment_variants_of_the_demo_workspace(orq, sandbox):
    review = ExperimentReview(
        orq, sandbox.ids["support"], variants={"now": "support-reply", "concise": "support-reply-concise"}
    )
    assert review.wait(60)
    result = review.results[0]
    assert {n: v["state"] for n, v in result["variants"].items()} == {"now": "done", "concise": "done"}
    assert all(v["tokens"] and v["trace_id"] for v in result["variants"].values())
    outputs = [r["variants"] for r in review.results]
    assert any(o["now"]["output"] != o["concise"]["output"] for o in outputs)
    review.prefer(result["datapoint_id"], "concise")
    assert review.flush(30)
    [given] = [f for f in sandbox.feedback(result["variants"]["concise"]["trace_id"]) if f["property"] == "preference"]
    assert given["value"] == ["better"]


def test_bad_variants_get_clear_errors(orq, sandbox, dataset):
    with pytest.raises(ValueError, match="two to four variants, not 1"):
        ExperimentReview(orq, dataset, variants={"A": "support-reply"})
    with pytest.raises(ValueError, match="not both"):
        ExperimentReview(orq, dataset, variants={"A": "x", "B": "y"}, deployment="support-reply")
    with pytest.raises(TypeError, match="'B' must be a deployment key"):
        ExperimentReview(orq, dataset, variants={"A": "support-reply", "B": 3})
    with pytest.raises(TypeError, match="variants must be a dict"):
        ExperimentReview(orq, dataset, variants=["support-reply", "summarize"])
    compared = ExperimentReview(orq, dataset, variants={"A": lambda dp: "a", "B": lambda dp: "b"})
    assert compared.wait(60)
    row = compared.rows[0].id
    for action in (
        lambda: compared.use_as_expected(row),
        lambda: compared.feedback(row, "rating", "good"),
        lambda: compared.add_to_dataset(row, dataset),
    ):
        with pytest.raises(ValueError, match="compares variants, so a row has no single output"):
            action()
    assert orq.get_datapoint(dataset, row).expected_output != "null"
    review = ExperimentReview(orq, dataset, generate=lambda dp: "x")
    with pytest.raises(ValueError, match="compares no variants"):
        review.prefer("x", "A")


def test_a_workspace_without_the_preference_property_is_told_how_to_define_it(orq, sandbox, dataset):
    # orq lists no workspace properties: the preference is sent, refused (404), and the row says how to define it
    review = ExperimentReview(
        orq, dataset, variants={"A": _traced(sandbox, "a"), "B": _traced(sandbox, "b")}, preference_property="pref_x"
    )
    assert review.preference_off == "" and review.wait(60)
    row = review.rows[0].id
    review.prefer(row, "A")
    review.flush(30)
    shown = review._preferences[row]
    assert shown["state"] == "failed"
    assert "define it in orq.ai (Feedback, add a property: key 'pref_x', type single choice" in shown["message"]
    assert "values better, worse, tie, both_bad" in shown["message"]


def test_the_sandbox_says_up_front_when_its_workspace_lacks_the_property(sandbox, dataset):
    from nbwidgets import Client

    with Client.orq(sandbox.api_key, sandbox.url, sandbox=True) as orq:
        review = ExperimentReview(
            orq, dataset, variants={"A": lambda dp: "a", "B": lambda dp: "b"}, preference_property="pref_y"
        )
        assert "no feedback property 'pref_y' to record preferences on" in review.preference_off
        assert review.wait(60)
        with pytest.raises(ValueError, match="pref_y"):
            review.prefer(review.rows[0].id, "A")


def _traced(sandbox: Any, text: str) -> Any:
    def generate(dp: Any) -> tuple[str, str]:
        return text, sandbox.new_trace(text)

    return generate


def test_a_row_without_every_output_cannot_be_preferred(orq, sandbox, dataset):
    def slow(dp: Any) -> str:
        time.sleep(5)
        return "slow"

    review = ExperimentReview(orq, dataset, variants={"A": lambda dp: "a", "B": slow}, concurrency=2)
    assert review._page_ready.wait(30)
    with pytest.raises(ValueError, match="not every variant has an output yet"):
        review.prefer(review.rows[0].id, "A")
    review.cancel()
    review.close()


def test_comparison_is_pure_and_wilson_is_right():
    assert wilson(0, 0) == (None, None, None)
    assert wilson(0, 6)[:2] == (0.0, 0.0) and wilson(6, 6)[::2] == (1.0, 1.0)
    rate, low, high = wilson(8, 10)
    assert rate == 0.8 and low == pytest.approx(0.4902, abs=1e-3) and high == pytest.approx(0.9433, abs=1e-3)
    report = comparison(["A", "B"], [], [{"id": "1", "preference": "A"}, {"id": "2", "preference": "tie"}])
    assert report["wins"] == {"A": 1, "B": 0} and report["ties"] == 1 and report["n"] == 2


def test_three_variants_async_and_plain_not_blind_by_default(orq, sandbox, dataset):
    import asyncio

    async def slow_async(dp: Any) -> str:
        await asyncio.sleep(0.01)
        return f"async {dp.inputs['n']}"

    review = ExperimentReview(
        orq,
        dataset,
        variants={"plain": lambda dp: f"plain {dp.inputs['n']}", "async": slow_async, "third": lambda dp: "same"},
    )
    assert review.wait(60)
    assert not review.blind  # blind by default only for two
    result = review.results[0]
    n = result["expected_output"].split()[-1]
    assert {k: v["output"] for k, v in result["variants"].items()} == {
        "plain": f"plain {n}",
        "async": f"async {n}",
        "third": "same",
    }
    assert all(v["state"] == "done" for r in review.results for v in r["variants"].values())
    blind = ExperimentReview(
        orq, dataset, variants={"a": lambda dp: "a", "b": lambda dp: "b", "c": lambda dp: "c"}, blind=True
    )
    assert blind.wait(60)
    labels = [c["label"] for c in next(iter(blind._columns.values()))]
    assert labels == ["Column 1", "Column 2", "Column 3"]
    row = blind.rows[0].id
    with pytest.raises(ValueError, match="not one of this review's variants"):
        blind.prefer(row, "left")  # left/right name sides of two columns only
    assert [c["generation"]["output"] for c in blind._columns[row]] == blind.sides[row]
