"""ExperimentReview in JupyterLab, by keyboard: the sandbox ends up holding exactly the feedback and the
expected output given, on the right traces, and the screen says each was sent."""

from __future__ import annotations

import json
import time

import pytest
from conftest import open_and_run, run_cell, screenshot, set_theme

from nbwidgets import Client

pytestmark = pytest.mark.e2e

DATASET = "e2e-experiment"
SETUP = f"""
from nbwidgets import Client, ExperimentReview
client = Client.sandbox()
support = client.list_datasets(search="support_quality").items[0]
dataset = client.create_dataset({DATASET!r})
for datapoint in client.datapoints_page(support.id, limit=7).items:  # one by one: the order is kept
    wire = datapoint.to_wire()
    client.create_datapoints(dataset.id, [{{
        "inputs": {{**wire["inputs"], "note": "<b>not bold</b>"}},
        "messages": wire["messages"],
        "expected_output": wire["expected_output"] + " (draft)",  # no output matches it yet
    }}])
"""
REVIEW = """
review = ExperimentReview(client, dataset.id, deployment="support-reply", page_size=5)
review
"""
RESULTS = "import json\nprint(json.dumps([[r['datapoint_id'], r['trace_id'], r['output'], r['runs']] for r in review.results]))"


def poll(read, until, timeout=20.0):
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if until(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def test_review_a_page_by_keyboard(page, lab, sandbox):
    open_and_run(page, lab, "experiment.ipynb", [SETUP, REVIEW], wait_for=".nbw-experiment .nbw-xgrid")
    widget = page.locator(".nbw-experiment").first
    rows = widget.locator(".nbw-xrow:not(.nbw-xhead)")
    widget.locator(".nbw-xrow[data-state=done]").nth(4).wait_for(timeout=30_000)
    assert rows.count() == 5
    assert "<b>not bold</b>" in rows.nth(0).inner_text()  # datapoint text stays text
    assert widget.locator(".nbw-xgrid b").count() == 0
    cells_before = page.locator(".jp-Notebook .jp-Cell").count()
    code_cells_before = page.locator(".jp-Notebook .jp-CodeCell").count()

    grid = widget.get_by_role("grid", name="Experiment outputs")
    grid.focus()
    page.keyboard.press("1")  # row 1: thumbs up
    page.keyboard.press("j")
    page.keyboard.press("2")  # row 2: thumbs down
    page.keyboard.press("j")
    page.keyboard.press("c")  # row 3: a correction
    editor = widget.get_by_role("textbox", name="Correction")
    editor.wait_for()
    assert editor.evaluate("node => document.activeElement === node")  # focus stays in the review
    # typed as a person types: the output it opens with is selected, so the typing replaces it
    page.keyboard.type("We are sorry: your order ships again today, tracking follows.")
    editor.press("Control+Enter")
    page.keyboard.press("j")
    page.keyboard.press("u")  # row 4: its output becomes the expected output
    page.keyboard.press("j")
    page.keyboard.press("r")  # row 5: generated again

    def status(row, text):
        rows.nth(row).locator(".nbw-wstate", has_text=text).wait_for(timeout=30_000)

    status(0, "Rating: Sent")
    status(1, "Rating: Sent")
    status(2, "Correction: Sent")
    status(3, "Saved as expected")
    rows.nth(4).get_by_text("run 2").wait_for(timeout=30_000)
    assert rows.nth(0).get_by_role("button", name="Good").get_attribute("aria-pressed") == "true"
    assert rows.nth(1).get_by_role("button", name="Bad").get_attribute("aria-pressed") == "true"
    assert rows.nth(3).locator(".nbw-match").inner_text() == "Matches ✓"

    # the notebook's own shortcuts did not fire (1/2 make markdown headings, c copies, j/k move cells)
    assert page.locator(".jp-Notebook .jp-Cell").count() == cells_before
    assert page.locator(".jp-Notebook .jp-CodeCell").count() == code_cells_before

    # the service holds exactly that, on the right traces
    results = json.loads(run_cell(page, RESULTS))
    ids, traces, outputs = [r[0] for r in results], [r[1] for r in results], [r[2] for r in results]
    assert [r[3] for r in results] == [1, 1, 1, 1, 2] and len(set(traces)) == 5

    def held(trace):
        return [(f["property"], f["value"]) for f in sandbox.feedback(trace)]

    assert poll(lambda: held(traces[0]), bool) == [("rating", "good")]
    assert poll(lambda: held(traces[1]), bool) == [("rating", "bad")]
    assert poll(lambda: held(traces[2]), bool) == [
        ("correction", "We are sorry: your order ships again today, tracking follows.")
    ]
    assert held(traces[3]) == [] and held(traces[4]) == []
    with Client.orq(sandbox.api_key, sandbox.url) as client:
        [dataset] = [d for d in client.list_datasets(search=DATASET).items if d.display_name == DATASET]
        assert client.get_datapoint(dataset.id, ids[3]).expected_output == outputs[3]
        patches = sandbox.requests_received(f"/v2/datasets/{dataset.id}/datapoints", method="PATCH")
        assert [p["path"].rsplit("/", 1)[-1] for p in patches] == [ids[3]]  # one write, to that datapoint
        assert patches[0]["body"] == {"expected_output": outputs[3]}
    assert "5 generated · 3 judged" in widget.locator(".nbw-summary").inner_text()

    # a difference of texts that share little shows its legend and both blocks' headings (a cap on the whole box
    # let the legend eat the room: only the first heading showed), each block scrolling on its own
    clipped = widget.evaluate(
        """root => [...root.querySelectorAll('.nbw-x-diff .nbw-diff-blocks')].flatMap((box) => {
            const bottom = box.getBoundingClientRect().bottom;
            return [...box.querySelectorAll('.nbw-diff-title')]
                .filter((title) => title.getBoundingClientRect().bottom > bottom + 1)
                .map((title) => title.textContent);
        })"""
    )
    assert widget.locator(".nbw-x-diff .nbw-diff-blocks").count() >= 1 and clipped == []
    # a datapoint's words break between words, never inside one ("enterprise", not "enterpris e")
    broken = widget.evaluate(
        """root => {
            const broken = [];
            for (const row of root.querySelectorAll('.nbw-x-datapoint .nbw-kv-row')) {
                const walker = document.createTreeWalker(row, NodeFilter.SHOW_TEXT);
                for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                    for (const match of node.data.matchAll(/[A-Za-z_]{4,12}/g)) {
                        const range = document.createRange();
                        range.setStart(node, match.index);
                        range.setEnd(node, match.index + match[0].length);
                        const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
                        if (tops.size > 1) broken.push(match[0]);
                    }
                }
            }
            return broken;
        }"""
    )
    assert broken == []

    # shown again, the review holds what was generated and given (nothing is generated again)
    run_cell(page, "review")
    again = page.locator(".nbw-experiment").nth(1).locator(".nbw-xrow:not(.nbw-xhead)")
    again.nth(0).locator(".nbw-wstate", has_text="Rating: Sent").wait_for(timeout=30_000)
    again.nth(2).locator(".nbw-wstate", has_text="Correction: Sent").wait_for()
    again.nth(3).locator(".nbw-match").wait_for()
    invokes = sandbox.requests_received("/v2/deployments/invoke", method="POST")
    assert (
        len([i for i in invokes if (i["body"] or {}).get("inputs", {}).get("note") == "<b>not bold</b>"]) == 6
    )  # 5 + 1 re-run

    # Esc hands the keyboard back to the notebook
    grid.focus()
    page.keyboard.press("Escape")
    assert widget.evaluate("node => !node.contains(document.activeElement)")

    # a function that returns no trace id: the row says why it takes no feedback
    run_cell(page, "plain = ExperimentReview(client, dataset.id, generate=lambda dp: 'plain text', page_size=2)\nplain")
    plain = page.locator(".nbw-experiment").nth(2)
    plain.locator(".nbw-xrow[data-state=done]").nth(1).wait_for(timeout=30_000)
    assert plain.locator(".nbw-x-feedback .nbw-off").first.inner_text().startswith("No trace id")
    assert plain.get_by_role("button", name="Good").count() == 0
    assert not page.errors

    for theme in ("JupyterLab Light", "JupyterLab Dark"):
        set_theme(page, theme)
        for width in (1400, 800):
            page.set_viewport_size({"width": width, "height": 1100})
            widget.scroll_into_view_if_needed()
            screenshot(page, f"experiment-{'light' if 'Light' in theme else 'dark'}-{width}", widget)
    set_theme(page, "JupyterLab Light")
