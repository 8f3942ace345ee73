"""FeedbackButtons against the sandbox: what the widget shows is what the service holds."""

from __future__ import annotations

import time

import pytest

from nbwidgets import Client, FeedbackButtons, review
from nbwidgets.client import RetryPolicy

pytestmark = pytest.mark.usefixtures("shapes_held")  # every value sent has its trait's shape (conftest.py)

FAST = RetryPolicy(max_retries=8, initial_delay=0.01, max_delay=0.1)


def held(sandbox, trace):
    return [{k: f[k] for k in ("id", "property", "value", "product")} for f in sandbox.feedback(trace)]


def settle(widget, timeout=30):
    assert widget.flush(timeout)
    deadline = time.monotonic() + 5
    while widget.status == "pending" and time.monotonic() < deadline:  # the status follows the delivery
        time.sleep(0.01)


def test_thumbs_change_of_mind_and_undo(orq, sandbox):
    sandbox.add_traces("trace-thumbs")
    widget = FeedbackButtons(orq, trace_id="trace-thumbs")
    widget.submit("good")
    assert widget.status == "pending" and widget.value == "good"  # shown at once
    settle(widget)
    assert widget.status == "sent"
    assert held(sandbox, "trace-thumbs") == [
        {"id": widget.feedback_id, "property": "rating", "value": "good", "product": "deployments"}
    ]
    first_id = widget.feedback_id
    widget.submit("bad")  # changing one's mind replaces the value
    settle(widget)
    assert held(sandbox, "trace-thumbs")[0]["value"] == "bad" and widget.feedback_id == first_id
    assert len(held(sandbox, "trace-thumbs")) == 1
    # undo after Good -> Bad goes back to Good (the same feedback, replaced), not to nothing
    widget.undo()
    settle(widget)
    assert widget.value == "good" and widget.status == "sent" and widget.can_undo
    assert held(sandbox, "trace-thumbs") == [
        {"id": first_id, "property": "rating", "value": "good", "product": "deployments"}
    ]
    # undo of the first value given removes it
    widget.undo()
    settle(widget)
    assert held(sandbox, "trace-thumbs") == [] and widget.value is None and widget.status == "removed"
    assert not widget.can_undo and widget.undo() is None


def test_undo_brings_back_a_removed_feedback_and_steps_back_through_changes(orq, sandbox):
    sandbox.add_traces("trace-undo-steps")
    widget = FeedbackButtons(
        orq, trace_id="trace-undo-steps", property="issues", kind="choices", options=["wrong", "rude"]
    )
    widget.submit(["wrong"])
    widget.submit(["wrong", "rude"])
    widget.remove()  # the last option unticked: the feedback goes
    settle(widget)
    assert sandbox.feedback("trace-undo-steps") == [] and widget.status == "removed" and widget.can_undo
    widget.undo()  # it comes back as it was
    settle(widget)
    assert [f["value"] for f in sandbox.feedback("trace-undo-steps")] == [["wrong", "rude"]]
    widget.undo()
    settle(widget)
    assert [f["value"] for f in sandbox.feedback("trace-undo-steps")] == [["wrong"]] and widget.value == ["wrong"]


def test_a_double_click_sends_one_feedback(orq, sandbox):
    sandbox.add_traces("trace-double")
    widget = FeedbackButtons(orq, trace_id="trace-double")
    widget.handle({"type": "submit", "id": "1", "value": "good"})
    widget.handle({"type": "submit", "id": "2", "value": "good"})
    settle(widget)
    [record] = sandbox.feedback("trace-double")
    assert record["_writes"] == 1


def test_score_choice_choices_and_correction(orq, sandbox):
    sandbox.add_traces("trace-kinds")
    sandbox.add_feedback_property("half_points", "number", min=0, max=10)
    score = FeedbackButtons(
        orq, trace_id="trace-kinds", property="half_points", kind="score", score_range=(0, 10), score_step=0.5
    )
    score.submit(7.5)
    with pytest.raises(ValueError, match="between 0 and 10"):
        score.submit(11)
    with pytest.raises(ValueError):
        score.submit(7.25)
    choice = FeedbackButtons(
        orq,
        trace_id="trace-kinds",
        property="verdict",
        kind="choice",
        options=["correct", "partially_correct", "wrong"],
    )
    choice.submit("partially_correct")
    with pytest.raises(ValueError, match="choose one of"):
        choice.submit("maybe")
    choices = FeedbackButtons(
        orq, trace_id="trace-kinds", property="issues", kind="choices", options=["too long", "rude", "wrong"]
    )
    choices.submit(["wrong", "too long"])
    correction = FeedbackButtons(
        orq, trace_id="trace-kinds", property="correction", kind="correction", output="Paris is the capital of Germany."
    )
    correction.submit("Berlin is the capital of Germany.")
    with pytest.raises(ValueError):
        correction.submit("   ")
    settle(correction)
    values = {f["property"]: f["value"] for f in sandbox.feedback("trace-kinds")}
    assert values == {
        "half_points": 7.5,
        "verdict": ["partially_correct"],  # a single choice travels as an array of one string
        "issues": ["too long", "wrong"],
        "correction": "Berlin is the capital of Germany.",
    }


def test_status_shows_retrying_under_faults_then_sent(sandbox):
    client = Client.orq(sandbox.api_key, sandbox.url, retry=RetryPolicy(max_retries=0))
    sandbox.add_traces("trace-retrying")
    widget = FeedbackButtons(client, trace_id="trace-retrying")
    sandbox.set_faults(fault_rate=1.0)
    widget.submit("good")
    deadline = time.monotonic() + 10
    while widget.status != "retrying" and time.monotonic() < deadline:
        time.sleep(0.01)
    assert widget.status == "retrying" and widget.message
    sandbox.clear_faults()
    widget.handle({"type": "retry", "id": "r"})
    settle(widget)
    assert widget.status == "sent" and held(sandbox, "trace-retrying")[0]["value"] == "good"
    client.close()


def test_configuration_errors_are_clear(orq):
    with pytest.raises(ValueError, match="trace_id"):
        FeedbackButtons(orq)
    with pytest.raises(ValueError, match="needs options"):
        FeedbackButtons(orq, trace_id="t", property="verdict", kind="choice")  # a property orq cannot list
    with pytest.raises(ValueError, match="rating is a label property: its control is thumbs, not score"):
        FeedbackButtons(orq, trace_id="t", property="rating", kind="score")
    with pytest.raises(ValueError, match="rating takes good, bad; 'meh' is not among them"):
        FeedbackButtons(orq, trace_id="t", property="rating", kind="choice", options=["good", "meh"])
    with Client.overmind("k", "http://127.0.0.1:9") as overmind, pytest.raises(TypeError, match="orq"):
        FeedbackButtons(overmind, trace_id="t")


def test_many_reviews_share_one_outbox_and_one_worker(orq, sandbox):
    import threading

    sandbox.add_traces(*(f"trace-review-{i}" for i in range(100)))
    before = threading.active_count()
    widgets = [review(orq, f"trace-review-{i}", output=f"generation {i}", input=f"question {i}") for i in range(100)]
    for widget in widgets:
        widget.submit("good")
    # at most the outbox's threads (if not started yet): a dispatcher and a few deliveries, not one per widget;
    # and the widgets' one thread for delayed pending lists (widgets/_base.py _Later), shared by all
    assert threading.active_count() - before <= 2 + orq.outbox.concurrency
    assert widgets[0].flush(60)
    assert all(sandbox.feedback(f"trace-review-{i}") for i in range(100))
    assert widgets[5].show_generation and widgets[5].output == "generation 5"


def test_a_choice_on_the_builtin_rating_is_sent_as_a_string_and_shown(orq, sandbox):
    """orq takes an array only for a single-choice property: a choice on the rating (a label) is a string."""
    trace = sandbox.new_trace()
    since = sandbox.mark_requests()
    widget = FeedbackButtons(orq, trace, property="rating", kind="choice", options=["good", "bad"])
    widget.submit("good")
    settle(widget)
    [sent] = sandbox.requests_received("/v2/feedback", since=since, method="POST")
    assert (sent["status"], sent["body"]["value"]) == (200, "good")
    assert widget.status == "sent" and widget.value == "good" and widget.message == ""
    assert held(sandbox, trace) == [
        {"id": widget.feedback_id, "property": "rating", "value": "good", "product": "deployments"}
    ]
    plain = FeedbackButtons(orq, trace, property="rating", kind="choice")  # the options come from the property
    assert plain.options == ["good", "bad"] and plain.control.wire("bad") == "bad"


def test_one_feedback_model_for_the_widget_the_review_and_the_experiment(orq, on_sandbox, sandbox):
    """The control and the wire shape come from the property, in one place, whichever widget asks."""
    from nbwidgets.models.feedback import feedback_controls

    trace = sandbox.new_trace()
    defined = on_sandbox.feedback_properties()
    for key, kind, shown, sent in [
        ("rating", "thumbs", "good", "good"),
        ("rating", "choice", "bad", "bad"),
        ("verdict", "choice", "wrong", ["wrong"]),
        ("issues", "choices", ["rude", "too long"], ["too long", "rude"]),
        ("quality", "score", 4, 4),
        ("correction", "correction", "Better.", "Better."),
    ]:
        buttons = FeedbackButtons(on_sandbox, trace, property=key, kind=kind)
        reviewed = review(on_sandbox, trace, output="o", property=key, kind=kind)
        [control] = feedback_controls([{"property": key, "kind": kind}], defined)
        for control_of in (buttons.control, reviewed.control, control):
            value = control_of.validate(shown)
            assert (control_of.kind, control_of.wire(value)) == (kind, sent), key
        assert FeedbackButtons(on_sandbox, trace, property=key).kind == kind or key == "rating"
        buttons.submit(shown)
        settle(buttons)
        assert buttons.status == "sent", (key, buttons.message)
    values = {(f["property"], str(f["value"])) for f in sandbox.feedback(trace)}
    assert ("verdict", "['wrong']") in values and ("rating", "bad") in values


@pytest.fixture
def on_sandbox(sandbox):
    with Client.orq(sandbox.api_key, sandbox.url, sandbox=True) as client:
        yield client
