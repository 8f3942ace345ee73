"""Run orq-ai-sdk against a sandbox: `python sdk_check.py URL KEY IDS_JSON [SDK_PATH]`.

Prints one JSON line: the SDK version, the operations that passed, and those that failed with why.
"""

import json
import sys
import traceback

import httpx

url, key, ids = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
if len(sys.argv) > 4 and sys.argv[4]:
    sys.path.insert(0, sys.argv[4])

import orq_ai_sdk
from orq_ai_sdk import Orq

try:
    from orq_ai_sdk._version import __version__ as version
except ImportError:
    version = getattr(orq_ai_sdk, "__version__", "?")

orq = Orq(api_key=key, server_url=url)
passed, failures, state = [], {}, {}


def check(name, call):
    try:
        call()
        passed.append(name)
    except Exception:
        failures[name] = traceback.format_exc(limit=3)[-1500:]


def list_datasets():
    page = orq.datasets.list(limit=10)
    assert page.data and page.data[0].id, page
    assert any(d.display_name == "support_quality_eval" for d in page.data)


def list_datapoints():
    page = orq.datasets.list_datapoints(dataset_id=ids["support"], limit=50)
    assert len(page.data) == 50 and page.has_more
    state["datapoint"] = page.data[0].id
    # messages of every role and reviews of every type, parsed by the SDK's own models
    later = orq.datasets.list_datapoints(dataset_id=ids["support"], limit=50, starting_after=page.data[-1].id)
    assert later.data[0].id > page.data[-1].id


def retrieve_datapoint():
    point = orq.datasets.retrieve_datapoint(dataset_id=ids["support"], datapoint_id=state["datapoint"])
    assert point.id == state["datapoint"]


def update_datapoint():
    point = orq.datasets.update_datapoint(
        dataset_id=ids["support"], datapoint_id=state["datapoint"], expected_output="updated by the official SDK"
    )
    assert point.expected_output == "updated by the official SDK"


def retrieve_dataset():
    assert orq.datasets.retrieve(dataset_id=ids["rag"]).display_name == "rag_answers"


def list_evaluators():
    page = orq.evals.all(limit=10)
    assert len(page.data) >= 2


def get_evaluators():
    for name in ("tone_check", "answer_quality_jury"):
        assert orq.evals.get(id=ids[name]) is not None


def update_evaluator():
    answer = orq.evals.update(id=ids["tone_check"], description="updated by the official SDK", repetitions=2)
    assert answer is not None


def list_deployments():
    page = orq.deployments.list(limit=10)
    assert {d.key for d in page.data} >= {"support-reply", "classify-ticket", "summarize"}, page


def invoke_deployment():
    answer = orq.deployments.invoke(
        key="support-reply",
        inputs={"ticket": "How do I reset my password? The link expired."},
        messages=[{"role": "user", "content": "How do I reset my password? The link expired."}],
    )
    assert answer.telemetry.trace_id and answer.choices[0].message.content, answer
    state["trace"] = answer.telemetry.trace_id


def create_feedback():
    answer = orq.feedback.create(
        request={"field": "rating", "value": "good", "trace_id": state["trace"], "id": "01JJ1HDHN79XAS7A01WB3HYSDB"}
    )
    assert answer is not None
    multiple = orq.feedback.create(request={"field": "defects", "value": ["repetition"], "trace_id": state["trace"]})
    assert multiple is not None


def remove_feedback():
    orq.feedback.remove(
        request={"id": "01JJ1HDHN79XAS7A01WB3HYSDB", "trace_id": state["trace"], "product": "deployments"}
    )


def status_of(call):
    try:
        call()
    except Exception as exc:  # the SDK's own error for that status, not a parse failure
        assert "ValidationError" not in type(exc).__name__, type(exc)
        return getattr(exc, "status_code", None)
    raise AssertionError("no error")


def wrong_requests_get_orqs_errors():
    bad_feedback = [
        ({"field": "not_a_property", "value": "good", "trace_id": state["trace"]}, 404),
        ({"field": "rating", "value": "meh", "trace_id": state["trace"]}, 400),
        ({"field": "rating", "value": "good", "trace_id": "no-such-trace"}, 404),
        ({"field": "defects", "value": [], "trace_id": state["trace"]}, 400),
    ]
    for request, status in bad_feedback:
        got = status_of(lambda request=request: orq.feedback.create(request=request))
        assert got == status, (request, got)
    wrong_trace = {"id": "01JJ1HDHN79XAS7A01WB3HYSDB", "trace_id": "no-such-trace", "product": "deployments"}
    assert status_of(lambda: orq.feedback.remove(request=wrong_trace)) == 404
    assert status_of(lambda: orq.deployments.invoke(key="no-such-deployment")) == 404
    assert status_of(lambda: orq.datasets.list(limit=201)) == 400


def bulk_datapoints():
    """create_datapoints / delete_datapoints (the bulk routes, 4.17.13): made in order, parsed, deleted;
    0 items and an empty item_ids are 400s."""
    dataset = orq.datasets.create(display_name="sdk bulk check", path="Default")
    items = [{"inputs": {"n": i}, "expected_output": f"row {i}"} for i in range(30)]
    made = orq.datasets.create_datapoints(dataset_id=dataset.id, items=items)
    assert [d.expected_output for d in made] == [f"row {i}" for i in range(30)], made
    listed = orq.datasets.list_datapoints(dataset_id=dataset.id, limit=50)
    assert [d.id for d in listed.data] == [d.id for d in made]
    orq.datasets.delete_datapoints(dataset_id=dataset.id, item_ids=[d.id for d in made[:20]])
    left = orq.datasets.list_datapoints(dataset_id=dataset.id, limit=50)
    assert [d.expected_output for d in left.data] == [f"row {i}" for i in range(20, 30)]
    assert status_of(lambda: orq.datasets.create_datapoints(dataset_id=dataset.id, items=[])) == 400
    assert status_of(lambda: orq.datasets.delete_datapoints(dataset_id=dataset.id, item_ids=[])) == 400
    orq.datasets.delete(dataset_id=dataset.id)


def not_found_is_typed():
    try:
        orq.datasets.retrieve(dataset_id="01JJ1HDHN79XAS7A01WB3HYSDC")
    except Exception as exc:  # a typed error (HonoAPIError / ErrorResponse), not a parse failure
        assert "ValidationError" not in type(exc).__name__, type(exc)
        assert getattr(exc, "status_code", None) == 404 or "404" in str(exc), exc
    else:
        raise AssertionError("no error for a missing dataset")


def invoke_evaluators():
    """Every kind of evaluator, each way of naming it and both body shapes: the SDK parses each answer."""
    names = [n for n in ("tone_check", "answer_quality_jury", "judge_number", "judge_string") if n in ids]
    assert len(names) == 4, names
    seen = set()
    for name in names:
        version = httpx.get(f"{url}/v2/evaluators/{ids[name]}", headers={"Authorization": f"Bearer {key}"}).json()[
            "version"
        ]  # the SDK's evaluator model has no version field
        for target in (ids[name], f"{ids[name]}@{version}", f"{ids[name]}@production"):
            flat = orq.evals.invoke(
                id=target, output="Thanks! Your refund is on its way.", reference="thanks!  your refund is on its way"
            )
            assert flat.passed is True and flat.status == "passed" and flat.evaluator_id == ids[name], flat
            assert flat.trace_id and flat.span_id and flat.explanation, flat
            context = orq.evals.invoke(
                id=target,
                context={
                    "input": {"user_query": "Where is my refund?", "expected_output": "Refunds take 5 days."},
                    "output": {"response": "I like turtles."},
                },
            )
            assert context.passed is False and context.status == "condition_failed", context
            plain = orq.evals.invoke(
                id=target,
                messages=[{"role": "user", "content": "hi"}, {"role": "assistant", "content": "Hello, thanks!"}],
            )
            assert plain.value is not None and plain.confidence is not None, plain
            seen.add(flat.type)
    assert seen == {"boolean", "string", "number"}, seen
    failed = orq.evals.invoke(id=ids["judge_failing_jury"], output="x", reference="y")
    assert failed.status == "failed" and failed.passed is False and failed.value is None, failed


def invoke_refusals():
    for call, status in (
        (lambda: orq.evals.invoke(id="01JBX0NOPE000000000000NOPE", output="x"), 404),
        (lambda: orq.evals.invoke(id=ids["tone_check"] + "@9.9.9", output="x"), 404),
        (lambda: orq.evals.invoke(id=ids["tone_check"], query="nothing to grade"), 400),
    ):
        try:
            call()
        except Exception as exc:
            assert getattr(exc, "status_code", None) == status, exc
            assert "message" in json.loads(exc.body), exc.body
        else:
            raise AssertionError(f"no {status}")


CHECKS = [
    ("list_datasets", list_datasets),
    ("list_datapoints", list_datapoints),
    ("retrieve_datapoint", retrieve_datapoint),
    ("update_datapoint", update_datapoint),
    ("retrieve_dataset", retrieve_dataset),
    ("list_evaluators", list_evaluators),
    ("get_evaluators", get_evaluators),
    ("update_evaluator", update_evaluator),
    ("list_deployments", list_deployments),
    ("invoke_deployment", invoke_deployment),
    ("create_feedback", create_feedback),
    ("remove_feedback", remove_feedback),
    ("not_found_is_typed", not_found_is_typed),
    ("wrong_requests_get_orqs_errors", wrong_requests_get_orqs_errors),
]
# 4.17.13 answers an invoke with a bare EvaluationResult, the shape the sandbox follows; 4.14.20 wrapped it in
# {"result": ...} (InvokeEvaluatorResponse), a shape orq has since dropped, so it is not held to it.
if hasattr(orq.evals, "invoke") and not hasattr(orq_ai_sdk.models, "InvokeEvaluatorResponse"):
    CHECKS += [("invoke_evaluators", invoke_evaluators), ("invoke_refusals", invoke_refusals)]
for name, call in CHECKS:
    check(name, call)
if hasattr(orq.datasets, "create_datapoints"):  # the bulk routes came with 4.17
    check("bulk_datapoints", bulk_datapoints)

print(json.dumps({"version": version, "passed": passed, "failures": failures}))
