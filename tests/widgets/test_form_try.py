"""EvaluatorForm's "Try it" against the sandbox: the saved version's verdicts on a page of a dataset, the
new version's after a save with the changed verdicts marked, and a dirty draft refused."""

from __future__ import annotations

import copy
import threading
import time
import uuid

import pytest

from nbwidgets import EvaluatorForm

pytestmark = pytest.mark.usefixtures("shapes_held")  # every value sent has its trait's shape (conftest.py)


@pytest.fixture(autouse=True)
def _own_outbox(tmp_path, monkeypatch):
    monkeypatch.setenv("NBWIDGETS_CACHE_DIR", str(tmp_path / "cache"))


def edit(form: EvaluatorForm, **fields):
    form.draft = {**copy.deepcopy(form.draft), **fields}


@pytest.fixture
def scorer(orq):
    evaluator = orq.create_evaluator(
        {
            "key": f"try_{uuid.uuid4().hex[:8]}",
            "prompt": "Rate {{output}} against {{expected_output}} from 1 to 5.",
            "model": "openai/gpt-4o",
            "output_type": "number",
        }
    )
    return EvaluatorForm(orq, evaluator.id)


def test_try_on_the_expected_outputs(orq, sandbox, scorer):
    rows = scorer.try_on(sandbox.ids["support"], limit=5)
    assert len(rows) == 5 and all(r["state"] == "done" for r in rows)
    page = orq.datapoints_page(sandbox.ids["support"], limit=5).items
    assert [r["datapoint_id"] for r in rows] == [dp.id for dp in page]
    assert [r["text"] for r in rows] == [dp.expected_output for dp in page]  # what was graded, beside the verdict
    assert all(1 <= r["value"] <= 5 and "No reference given" in r["explanation"] for r in rows)
    assert scorer.try_rows == rows and scorer.try_status["state"] == "done" and scorer.try_status["version"] == "1.0.0"
    second = scorer.try_on(sandbox.ids["support"], limit=5, page=2)
    assert {r["datapoint_id"] for r in second}.isdisjoint(r["datapoint_id"] for r in rows)


def test_after_a_save_the_new_version_runs_and_changed_verdicts_are_marked(orq, sandbox, scorer):
    mark = sandbox.mark_requests()
    before = scorer.try_on(sandbox.ids["support"], deployment="support-reply", limit=6)
    assert all(r["state"] == "done" and r["expected_output"] for r in before)
    assert len(sandbox.requests_received("/v2/deployments/invoke", since=mark)) == 6
    edit(scorer, prompt="Rate {{output}} against {{expected_output}} from 1 to 100.")
    with pytest.raises(ValueError, match=r"^try_on: the draft has unsaved changes; save it first"):
        scorer.try_on(sandbox.ids["support"])
    scorer.version_increment = "minor"
    scorer.save()
    deadline = time.monotonic() + 30
    while scorer.try_status.get("version") != "1.1.0" or scorer.try_status.get("state") != "done":
        assert time.monotonic() < deadline, scorer.try_status
        time.sleep(0.05)
    after = scorer.try_rows
    assert [r["text"] for r in after] == [r["text"] for r in before]  # the same answers, graded again
    assert len(sandbox.requests_received("/v2/deployments/invoke", since=mark)) == 6  # not generated again
    for old, new in zip(before, after, strict=True):
        moved = old["value"] != new["value"]
        assert new["changed"] is moved
        if moved:
            assert new["before"] == {"value": old["value"], "passed": old["passed"]}
    assert scorer.try_status["changed"] == sum(r["changed"] for r in after) >= 1


def test_try_on_just_after_a_save_joins_the_run_the_save_started(orq, sandbox, scorer, monkeypatch):
    # the save starts the new version's run in the background; a try_on of the same rows right after it must
    # not race it (the older run's status was dropped, so try_status lacked "changed": example 08 under load)
    dataset = sandbox.ids["support"]
    scorer.try_on(dataset, limit=4)
    started, go, runs = threading.Event(), threading.Event(), []
    real = scorer._trial._run

    def slow_run(evaluator_id, setup):
        runs.append(setup)
        started.set()
        assert go.wait(30)
        return real(evaluator_id, setup)

    monkeypatch.setattr(scorer._trial, "_run", slow_run)
    edit(scorer, prompt="Rate {{output}} against {{expected_output}} from 1 to 100.")
    scorer.version_increment = "minor"
    scorer.save()
    assert started.wait(30)  # the save's run is going
    threading.Timer(0.3, go.set).start()
    rows = scorer.try_on(dataset, limit=4)  # joins it
    assert len(runs) == 1, runs
    assert scorer.try_status["state"] == "done" and "changed" in scorer.try_status, scorer.try_status
    assert scorer.try_status["version"] == "1.1.0" and rows == scorer.try_rows


def test_what_cannot_be_tried_is_said(orq, sandbox, scorer):
    fresh = EvaluatorForm(orq)
    with pytest.raises(ValueError, match=r"^try_on: this evaluator is not saved yet"):
        fresh.try_on(sandbox.ids["support"])
    with pytest.raises(TypeError, match=r"^dataset_id must be a dataset id \(a str\)"):
        scorer.try_on(None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^limit must be a whole number from 1 to 50"):
        scorer.try_on(sandbox.ids["support"], limit=0)
    with pytest.raises(
        ValueError, match=r"^deployment: no deployment 'no-such-deployment' in .* \(it has .*support-reply"
    ):
        scorer.try_on(sandbox.ids["support"], deployment="no-such-deployment", limit=2)
    assert scorer.try_status["state"] == "error" and "no-such-deployment" in scorer.try_status["message"]
    scorer.handle({"type": "try_options", "id": "o1"})
    deadline = time.monotonic() + 10
    while not scorer.try_options and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "support-reply" in scorer.try_options["deployments"]
    assert any(d["id"] == sandbox.ids["support"] for d in scorer.try_options["datasets"])
