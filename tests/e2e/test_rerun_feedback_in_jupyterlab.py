"""Feedback across a re-run in ExperimentReview in JupyterLab: a rated row generated again shows its new output
unrated (no thumb pressed, no status), the old rating stays on the old trace, and a rating of the new output
goes to the new trace (issue 24, 3)."""

from __future__ import annotations

import json
import time

import pytest
from conftest import open_and_run, run_cell

from nbwidgets.models import new_ulid

pytestmark = pytest.mark.e2e


def poll(read, until, timeout=20.0):
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if until(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def test_a_rerun_row_starts_unrated_and_its_rating_goes_to_the_new_trace(page, lab, sandbox):
    setup = f"""
from nbwidgets import Client, ExperimentReview
client = Client.sandbox()
support = client.list_datasets(search="support_quality").items[0]
dataset = client.create_dataset({f"rerun-feedback-{new_ulid()}"!r})
for datapoint in client.datapoints_page(support.id, limit=2).items:
    wire = datapoint.to_wire()
    client.create_datapoints(dataset.id, [{{"inputs": wire["inputs"], "messages": wire["messages"]}}])
review = ExperimentReview(client, dataset.id, deployment="support-reply", page_size=2)
review
"""
    open_and_run(page, lab, "rerun_feedback.ipynb", [setup], wait_for=".nbw-experiment .nbw-xgrid")
    widget = page.locator(".nbw-experiment").first
    row = widget.locator(".nbw-xrow:not(.nbw-xhead)").first
    widget.locator(".nbw-xrow[data-state=done]").nth(1).wait_for(timeout=30_000)
    traces = "import json\nprint(json.dumps([r['trace_id'] for r in review.results]))"
    [old_trace, _] = json.loads(run_cell(page, traces))

    widget.get_by_role("grid", name="Experiment outputs").focus()
    page.keyboard.press("1")  # the first row: thumbs up
    row.locator(".nbw-wstate", has_text="Rating: Sent").wait_for(timeout=30_000)
    page.keyboard.press("r")  # generated again: a new output, a new trace
    row.get_by_text("run 2").wait_for(timeout=30_000)
    row.locator(".nbw-wstate").first.wait_for(state="detached")  # no status: nothing given on this output
    assert row.get_by_role("button", name="Good").get_attribute("aria-pressed") == "false"
    [new_trace, _] = json.loads(run_cell(page, traces))
    assert new_trace != old_trace
    assert [(f["property"], f["value"]) for f in sandbox.feedback(old_trace)] == [("rating", "good")]
    assert sandbox.feedback(new_trace) == []

    widget.get_by_role("grid", name="Experiment outputs").focus()
    page.keyboard.press("2")  # thumbs down on the new output
    row.locator(".nbw-wstate", has_text="Rating: Sent").wait_for(timeout=30_000)
    assert row.get_by_role("button", name="Bad").get_attribute("aria-pressed") == "true"
    assert poll(lambda: [(f["property"], f["value"]) for f in sandbox.feedback(new_trace)], bool) == [("rating", "bad")]
    assert [(f["property"], f["value"]) for f in sandbox.feedback(old_trace)] == [("rating", "good")]
    assert not page.errors


def test_focus_stays_on_a_feedback_button_while_other_rows_stream_in(page, lab, sandbox):
    """Keyed rows (issue 23, 4): outputs arriving in rows 2-4 rebuild those rows alone; row 1's Good button keeps
    focus (the same element), Space on it rates row 1, and focus goes on to that row's new Good button."""
    setup = f"""
import time
from nbwidgets import Client, ExperimentReview
client = Client.sandbox()
support = client.list_datasets(search="support_quality").items[0]
dataset = client.create_dataset({f"streaming-{new_ulid()}"!r})
for datapoint in client.datapoints_page(support.id, limit=4).items:
    wire = datapoint.to_wire()
    client.create_datapoints(dataset.id, [{{"inputs": wire["inputs"], "messages": wire["messages"]}}])
order = [dp.id for dp in client.datapoints_page(dataset.id, limit=4).items]
started = time.monotonic()

def slow(datapoint):  # row 1 at once, rows 2-4 one after another some seconds later
    time.sleep(max(0.0, started + 6 + 1.5 * order.index(datapoint.id) - time.monotonic()) if datapoint.id != order[0] else 0)
    wire = datapoint.to_wire()
    return client.invoke_deployment("support-reply", inputs=wire["inputs"], messages=wire["messages"])

review = ExperimentReview(client, dataset.id, generate=slow, page_size=4)
review
"""
    open_and_run(page, lab, "streaming.ipynb", [setup], wait_for=".nbw-experiment .nbw-xgrid")
    widget = page.locator(".nbw-experiment").first
    rows = widget.locator(".nbw-xrow:not(.nbw-xhead)")
    page.wait_for_function(
        "() => ['done', 'error'].includes(document.querySelector('.nbw-experiment .nbw-xrow:not(.nbw-xhead)')"
        "?.dataset.state)",
        timeout=30_000,
    )
    assert rows.first.get_attribute("data-state") == "done", rows.first.inner_text()
    assert widget.locator(".nbw-xrow[data-state=done]").count() < 4, "the other rows came too soon to test"
    good = rows.first.get_by_role("button", name="Good")
    good.focus()
    good.evaluate("node => { window.__good = node; }")
    widget.locator(".nbw-xrow[data-state=done]").nth(3).wait_for(timeout=60_000)
    assert page.evaluate("() => document.activeElement === window.__good"), "row 1's Good lost focus"
    page.keyboard.press("Space")
    rows.first.locator(".nbw-wstate", has_text="Rating: Sent").wait_for(timeout=30_000)
    focused = page.evaluate(
        "() => [document.activeElement.textContent.trim(), document.activeElement.getAttribute('aria-pressed'),"
        " document.activeElement.closest('.nbw-xrow') === document.querySelector('.nbw-experiment .nbw-xrow:not(.nbw-xhead)')]"
    )
    assert focused == ["Good", "true", True]
    assert not page.errors
