"""Issue 22, item 8: every call of the README's "Python API in a screenful", given a wrong type or an absurd
value, is refused at once (nothing sent, nothing blocks) with a TypeError or ValueError whose words name the
parameter, in the package's words (never a raw pydantic ValidationError, AttributeError, IndexError, sqlite3 or
httpx error), and no wrong value is silently taken for a right one."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
import traitlets

from nbwidgets import Client, DatasetGrid, EvaluatorForm, ExperimentReview, FeedbackButtons, review
from nbwidgets.client import RetryPolicy

Case = tuple[str, Callable[..., Any], str]  # label, call(ctx), the parameter its error must name


def _cases() -> list[Case]:
    cases: list[Case] = [
        # constructors
        ("Client.orq api_key=5", lambda c: Client.orq(5, c["url"]), "api_key"),
        ("Client.orq base_url=5", lambda c: Client.orq("k-123456", 5), "base_url"),
        ("Client.orq base_url ftp", lambda c: Client.orq("k-123456", "ftp://x"), "base_url"),
        ("Client.orq base_url no host", lambda c: Client.orq("k-123456", "http://"), "base_url"),
        ("Client.orq timeout='3'", lambda c: Client.orq("k-123456", c["url"], timeout="3"), "timeout"),
        ("Client.orq timeout=-1", lambda c: Client.orq("k-123456", c["url"], timeout=-1), "timeout"),
        ("Client.orq retry=3", lambda c: Client.orq("k-123456", c["url"], retry=3), "retry"),
        ("Client.orq unknown option", lambda c: Client.orq("k-123456", c["url"], tiemout=3), "tiemout"),
        ("Client.overmind api_key=[]", lambda c: Client.overmind([], c["url"]), "api_key"),
        ("Client.sandbox('bogus')", lambda c: Client.sandbox("bogus"), "flavour"),
        ("Client.sandbox(1)", lambda c: Client.sandbox(1), "flavour"),
        ("Client.default(1)", lambda c: Client.default(1), "flavour"),
        ("Client.default('x')", lambda c: Client.default("x"), "flavour"),
        ("RetryPolicy delay<0", lambda c: RetryPolicy(initial_delay=-1), "initial_delay"),
        ("RetryPolicy retries='3'", lambda c: RetryPolicy(max_retries="3"), "max_retries"),
        ("RetryPolicy retries<0", lambda c: RetryPolicy(max_retries=-1), "max_retries"),
        ("RetryPolicy max_delay nan", lambda c: RetryPolicy(max_delay=float("nan")), "max_delay"),
        ("RetryPolicy max_elapsed='x'", lambda c: RetryPolicy(max_elapsed="x"), "max_elapsed"),
        # orq client
        ("datapoints_page dataset_id=1", lambda c: c["orq"].datapoints_page(1), "dataset_id"),
        ("datapoints_page limit='50'", lambda c: c["orq"].datapoints_page(c["ds"], limit="50"), "limit"),
        ("datapoints_page limit=0", lambda c: c["orq"].datapoints_page(c["ds"], limit=0), "limit"),
        (
            "datapoints_page starting_after=5",
            lambda c: c["orq"].datapoints_page(c["ds"], starting_after=5),
            "starting_after",
        ),
        (
            "iter_datapoints page_size='x'",
            lambda c: next(c["orq"].iter_datapoints(c["ds"], page_size="x")),
            "page_size",
        ),
        ("iter_datapoints page_size=0", lambda c: next(c["orq"].iter_datapoints(c["ds"], page_size=0)), "page_size"),
        (
            "update_datapoint id=None",
            lambda c: c["orq"].update_datapoint(c["ds"], None, expected_output="x"),
            "datapoint_id",
        ),
        (
            "update_datapoint expected_output=5",
            lambda c: c["orq"].update_datapoint(c["ds"], c["dp"], expected_output=5),
            "expected_output",
        ),
        ("update_datapoint inputs=[1]", lambda c: c["orq"].update_datapoint(c["ds"], c["dp"], inputs=[1]), "inputs"),
        (
            "update_datapoint messages='x'",
            lambda c: c["orq"].update_datapoint(c["ds"], c["dp"], messages="x"),
            "messages",
        ),
        (
            "update_datapoint unknown field",
            lambda c: c["orq"].update_datapoint(c["ds"], c["dp"], expected="x"),
            "expected",
        ),
        (
            "datapoints_frame page_size='x'",
            lambda c: c["orq"].datapoints_frame(c["ds"], page_size="x", progress=False),
            "page_size",
        ),
        ("datapoints_frame dataset_id=[]", lambda c: c["orq"].datapoints_frame([], progress=False), "dataset_id"),
        ("get_evaluator 5", lambda c: c["orq"].get_evaluator(5), "evaluator_id"),
        ("update_evaluator changes='x'", lambda c: c["orq"].update_evaluator(c["ev"], "x"), "changes"),
        (
            "update_evaluator changes={'prompt': 5}",
            lambda c: c["orq"].update_evaluator(c["ev"], {"prompt": 5}),
            "prompt",
        ),
        (
            "update_evaluator increment='huge'",
            lambda c: c["orq"].update_evaluator(c["ev"], {"prompt": "p {{output}}"}, version_increment="huge"),
            "version_increment",
        ),
        (
            "update_evaluator increment=1",
            lambda c: c["orq"].update_evaluator(c["ev"], {"prompt": "p {{output}}"}, version_increment=1),
            "version_increment",
        ),
        ("invoke_deployment key=5", lambda c: c["orq"].invoke_deployment(5), "key"),
        ("invoke_deployment inputs='x'", lambda c: c["orq"].invoke_deployment("support-reply", inputs="x"), "inputs"),
        (
            "invoke_deployment messages={}",
            lambda c: c["orq"].invoke_deployment("support-reply", messages={}),
            "messages",
        ),
        ("create_feedback trace_id=5", lambda c: c["orq"].create_feedback(5, "rating", "good"), "trace_id"),
        ("create_feedback property=5", lambda c: c["orq"].create_feedback(c["trace"], 5, "good"), "property"),
        ("create_feedback value=object", lambda c: c["orq"].create_feedback(c["trace"], "rating", object()), "value"),
        ("create_feedback id=5", lambda c: c["orq"].create_feedback(c["trace"], "rating", "good", id=5), "id"),
        ("remove_feedback id=5", lambda c: c["orq"].remove_feedback(5, c["trace"]), "id"),
        (
            "remove_feedback trace_id=None",
            lambda c: c["orq"].remove_feedback("01ARZ3NDEKTSV4RRFFQ69G5FAV", None),
            "trace_id",
        ),
        ("invoke_evaluator evaluator=5", lambda c: c["orq"].invoke_evaluator(5, output="x"), "evaluator"),
        ("invoke_evaluator output=5", lambda c: c["orq"].invoke_evaluator("tone_check", output=5), "output"),
        # Overmind client
        ("list_agents page='1'", lambda c: c["om"].list_agents(page="1"), "page"),
        ("list_agents search=5", lambda c: c["om"].list_agents(search=5), "search"),
        ("list_agents ordering=5", lambda c: c["om"].list_agents(ordering=5), "ordering"),
        ("list_datasets agent=5", lambda c: c["om"].list_datasets(agent=5), "agent"),
        ("list_datasets version='x'", lambda c: c["om"].list_datasets(version="x"), "version"),
        ("new_version_with_edits edits=[]", lambda c: c["om"].new_version_with_edits(c["om_ds"], []), "edits"),
        (
            "new_version_with_edits edits={id: 5}",
            lambda c: c["om"].new_version_with_edits(c["om_ds"], {c["om_dp"]: 5}),
            "edits",
        ),
        (
            "new_version_with_edits make_active='y'",
            lambda c: c["om"].new_version_with_edits(c["om_ds"], {}, make_active="yes"),
            "make_active",
        ),
        ("queue_dataset_version edits='x'", lambda c: c["om"].queue_dataset_version(c["om_ds"], "x"), "edits"),
        ("queue_dataset_version dataset_id=5", lambda c: c["om"].queue_dataset_version(5, {}), "dataset_id"),
        # widgets
        ("DatasetGrid client='x'", lambda c: DatasetGrid("x", c["ds"]), "client"),
        ("DatasetGrid dataset_id=5", lambda c: DatasetGrid(c["orq"], 5), "dataset_id"),
        ("DatasetGrid page_size='25'", lambda c: DatasetGrid(c["orq"], c["ds"], page_size="25"), "page_size"),
        ("DatasetGrid page_size=0", lambda c: DatasetGrid(c["orq"], c["ds"], page_size=0), "page_size"),
        ("DatasetGrid rows=[1]", lambda c: DatasetGrid(c["orq"], c["ds"], rows=[1]), "rows"),
        ("DatasetGrid rows='x'", lambda c: DatasetGrid(c["orq"], c["ds"], rows="x"), "rows"),
        ("DatasetGrid cache_pages='8'", lambda c: DatasetGrid(c["orq"], c["ds"], cache_pages="8"), "cache_pages"),
        ("DatasetGrid prefetch='no'", lambda c: DatasetGrid(c["orq"], c["ds"], prefetch="no"), "prefetch"),
        ("grid.go_to_page('3')", lambda c: c["grid"].go_to_page("3"), "number"),
        ("grid.go_to_datapoint(5)", lambda c: c["grid"].go_to_datapoint(5), "datapoint_id"),
        ("grid.find_text(5)", lambda c: c["grid"].find_text(5), "text"),
        ("grid.density='big'", lambda c: setattr(c["grid"], "density", "big"), "density"),
        ("grid.edit id=5", lambda c: c["grid"].edit(5, expected_output="x"), "datapoint_id"),
        ("grid.edit expected_output=5", lambda c: c["grid"].edit(c["dp"], expected_output=5), "expected_output"),
        ("grid.edit timeout='x'", lambda c: c["grid"].edit(c["dp"], expected_output="x", timeout="x"), "timeout"),
        ("grid.on_edit(5)", lambda c: c["grid"].on_edit(5), "callback"),
        ("grid.set_page_size('x')", lambda c: c["grid"].set_page_size("x"), "page_size"),
        ("EvaluatorForm evaluator_id=5", lambda c: EvaluatorForm(c["orq"], 5), "evaluator_id"),
        ("EvaluatorForm client=5", lambda c: EvaluatorForm(5, c["ev"]), "client"),
        ("form.value = 5", lambda c: setattr(c["form"], "value", 5), "value"),
        ("form.on_save(5)", lambda c: c["form"].on_save(5), "callback"),
        ("form.try_on limit='x'", lambda c: c["form"].try_on(c["ds"], limit="x"), "limit"),
        ("form.try_on dataset_id=5", lambda c: c["form"].try_on(5), "dataset_id"),
        ("form.save timeout='x'", lambda c: c["form"].save(timeout="x"), "timeout"),
        ("FeedbackButtons trace_id=5", lambda c: FeedbackButtons(c["orq"], 5), "trace_id"),
        ("FeedbackButtons property=5", lambda c: FeedbackButtons(c["orq"], c["trace"], property=5), "property"),
        ("FeedbackButtons kind='stars'", lambda c: FeedbackButtons(c["orq"], c["trace"], kind="stars"), "kind"),
        ("FeedbackButtons client=overmind", lambda c: FeedbackButtons(c["om"], c["trace"]), "client"),
        ("thumbs.submit(1)", lambda c: c["thumbs"].submit(1), "value"),
        ("thumbs.submit('great')", lambda c: c["thumbs"].submit("great"), "value"),
        ("review output=5", lambda c: review(c["orq"], c["trace"], output=5), "output"),
        ("review input=5", lambda c: review(c["orq"], c["trace"], output="x", input=5), "input"),
        ("handle.result('x')", lambda c: c["handle"].result("x"), "timeout"),
        ("handle.on_change(5)", lambda c: c["handle"].on_change(5), "listener"),
        ("outbox.flush('x')", lambda c: c["orq"].outbox.flush("x"), "timeout"),
        (
            "ExperimentReview dataset_id=5",
            lambda c: ExperimentReview(c["orq"], 5, generate=lambda dp: "x"),
            "dataset_id",
        ),
        ("ExperimentReview generate=5", lambda c: ExperimentReview(c["orq"], c["ds"], generate=5), "generate"),
        (
            "ExperimentReview concurrency='4'",
            lambda c: ExperimentReview(c["orq"], c["ds"], generate=lambda dp: "x", concurrency="4"),
            "concurrency",
        ),
        (
            "ExperimentReview page_size=0",
            lambda c: ExperimentReview(c["orq"], c["ds"], generate=lambda dp: "x", page_size=0),
            "page_size",
        ),
        (
            "ExperimentReview feedback=5",
            lambda c: ExperimentReview(c["orq"], c["ds"], generate=lambda dp: "x", feedback=5),
            "feedback",
        ),
        ("ExperimentReview deployment=5", lambda c: ExperimentReview(c["orq"], c["ds"], deployment=5), "deployment"),
    ]
    return cases


CASES = _cases()


@pytest.fixture(scope="module")
def ctx(sandbox, tmp_path_factory):
    import os

    os.environ["NBWIDGETS_CACHE_DIR"] = str(tmp_path_factory.mktemp("outbox"))
    fast = RetryPolicy(max_retries=1, initial_delay=0.01, max_elapsed=5)
    orq = Client.orq(sandbox.api_key, sandbox.url, retry=fast, timeout=5)
    om = Client.overmind(sandbox.api_key, sandbox.url, retry=fast, timeout=5)
    dataset = orq.create_dataset(f"wrong-arguments-{time.monotonic_ns()}")
    [dp] = orq.create_datapoints(dataset.id, [{"inputs": {"q": "x"}, "expected_output": "y"}])
    trace = sandbox.new_trace("wrong-arguments")
    grid = DatasetGrid(orq, dataset.id, page_size=5)
    assert grid.rows
    form = EvaluatorForm(orq, sandbox.ids["tone_check"])
    assert form.value.key
    thumbs = FeedbackButtons(orq, trace)
    handle = grid.edit(dp.id, expected_output="y", wait=False)
    handle.result(30)
    om_ds = sandbox.ids["agent_v1"]
    om_dp = om.datapoints_page(om_ds).items[0].id
    yield {
        "url": sandbox.url,
        "orq": orq,
        "om": om,
        "ds": dataset.id,
        "dp": dp.id,
        "ev": sandbox.ids["tone_check"],
        "trace": trace,
        "grid": grid,
        "form": form,
        "thumbs": thumbs,
        "handle": handle,
        "om_ds": om_ds,
        "om_dp": om_dp,
    }
    orq.close()
    om.close()


@pytest.mark.parametrize("label, call, parameter", CASES, ids=[c[0] for c in CASES])
def test_a_wrong_argument_is_refused_in_words_naming_it(ctx, label, call, parameter):
    started = time.monotonic()
    try:
        call(ctx)
    except (TypeError, ValueError, traitlets.TraitError) as error:  # a trait's own error names the trait
        raised: BaseException = error
    except Exception as error:
        pytest.fail(f"{label}: raised {type(error).__module__}.{type(error).__name__}: {error}")
    else:
        pytest.fail(f"{label}: accepted without a word")
    assert time.monotonic() - started < 10, f"{label}: took {time.monotonic() - started:.0f} s"
    module = type(raised).__module__
    assert not module.startswith(("pydantic", "sqlite3", "httpx", "json")), f"{label}: raw {module} error: {raised}"
    words = str(raised)
    assert parameter in words, f"{label}: the error does not name {parameter!r}: {words}"
    assert "validation error" not in words.lower() and "errors.pydantic.dev" not in words, f"{label}: {words}"
