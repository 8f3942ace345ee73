"""Writes as the user makes them in JupyterLab, checked twice: the text on screen once they settle, and
the request bodies the sandbox received (only the edited field; the feedback's own id)."""

from __future__ import annotations

import pytest
from conftest import open_and_run

from nbwidgets import Client

pytestmark = pytest.mark.e2e
GRID = ".nbw-grid table[role=grid] tbody tr[role=row]"
SETUP = "from nbwidgets import Client, DatasetGrid"


def cell_shows(page, datapoint_id: str, text: str) -> None:
    page.wait_for_function(
        "([sel, text]) => document.querySelector(sel)?.innerText === text",
        arg=[f"{GRID}[data-id='{datapoint_id}'] td.nbw-col-expected_output", text],
    )


def edit_in_grid(page, datapoint_id: str, text: str) -> None:
    page.locator(f"{GRID}[data-id='{datapoint_id}'] td.nbw-col-expected_output").dblclick()
    editor = page.locator(".nbw-editor textarea")
    editor.fill(text)
    editor.press("Control+Enter")


def test_edit_undo_and_conflict_on_screen_and_as_received(page, lab, sandbox):
    with Client.orq(sandbox.api_key, sandbox.url) as client:
        dataset = client.create_dataset("writes-on-screen")
        client.create_datapoints(
            dataset.id, [{"inputs": {"q": f"question {i}"}, "expected_output": f"Answer {i}"} for i in range(4)]
        )
        first, second = client.datapoints_page(dataset.id).items[:2]
    open_and_run(
        page,
        lab,
        "writes_on_screen.ipynb",
        [SETUP, f"grid = DatasetGrid(Client.sandbox(), {dataset.id!r}, page_size=10)\ngrid"],
        wait_for=GRID,
    )
    route = f"/v2/datasets/{dataset.id}/datapoints/"
    mark = sandbox.mark_requests()

    edit_in_grid(page, first.id, "Edited on screen")
    cell_shows(page, first.id, "Edited on screen")
    page.locator(f"{GRID}[data-id='{first.id}'] .nbw-state-saved").wait_for()
    page.get_by_role("button", name="Undo").click()
    cell_shows(page, first.id, first.expected_output)
    page.locator(f"{GRID}[data-id='{first.id}'] .nbw-state-saved").wait_for()
    received = sandbox.requests_received(route, since=mark, method="PATCH")
    assert [(r["path"].rsplit("/", 1)[1], r["body"]) for r in received] == [
        (first.id, {"expected_output": "Edited on screen"}),
        (first.id, {"expected_output": first.expected_output}),
    ]

    with Client.orq(sandbox.api_key, sandbox.url) as colleague:  # someone else changes the second row
        colleague.update_datapoint(dataset.id, second.id, expected_output="The colleague's answer")
    mark = sandbox.mark_requests()
    edit_in_grid(page, second.id, "My answer")
    row = page.locator(f"{GRID}[data-id='{second.id}']")
    row.locator(".nbw-state-conflict").wait_for()
    assert sandbox.requests_received(route, since=mark, method="PATCH") == []  # nothing sent over theirs
    page.locator(f"tr.nbw-detail-row[data-for='{second.id}']").get_by_role("button", name="Keep mine").click()
    cell_shows(page, second.id, "My answer")
    row.locator(".nbw-state-saved").wait_for()
    [kept] = sandbox.requests_received(route, since=mark, method="PATCH")
    assert kept["body"] == {"expected_output": "My answer"} and kept["status"] == 200
    with Client.orq(sandbox.api_key, sandbox.url) as other:
        held = other.get_datapoint(dataset.id, second.id)
        assert held.expected_output == "My answer" and held.inputs == second.inputs


def test_thumbs_change_of_mind_is_one_feedback_with_the_widgets_id(page, lab, sandbox):
    trace = sandbox.new_trace("trace-e2e-received")
    open_and_run(
        page,
        lab,
        "feedback_received.ipynb",
        [f"from nbwidgets import Client, FeedbackButtons\nw = FeedbackButtons(Client.sandbox(), {trace!r})\nw"],
        wait_for=".nbw-feedback",
    )
    widget = page.locator(".nbw-feedback")
    mark = sandbox.mark_requests()
    widget.get_by_role("button", name="Thumbs up").click()
    widget.locator(".nbw-status[data-state=sent]").wait_for()
    # the status line's state says what it shows: right after the click (in the same task, before the kernel can
    # answer) it is "pending", not a "sent" left over from Good (the wait below would pass before Bad was sent)
    shown = widget.get_by_role("button", name="Thumbs down").evaluate(
        "(button) => { button.click(); const w = document.querySelector('.nbw-feedback');"
        " const s = w.querySelector('.nbw-status'), bad = w.querySelector('[aria-label=\"Bad (thumbs down)\"]');"
        " return [bad.getAttribute('aria-pressed'), s.dataset.state, s.textContent.trim()]; }"
    )
    assert shown == ["true", "pending", "Sending…"], shown
    page.wait_for_function(
        "() => document.querySelector('.nbw-feedback [aria-label=\"Bad (thumbs down)\"]')?.getAttribute('aria-pressed')"
        " === 'true' && document.querySelector('.nbw-feedback .nbw-status')?.dataset.state === 'sent'"
    )
    sent = sandbox.requests_received("/v2/feedback", since=mark, method="POST")
    assert [r["body"]["value"] for r in sent] == ["good", "bad"]
    ids = {r["body"]["id"] for r in sent}
    [record] = sandbox.feedback(trace)
    assert ids == {record["id"]} and record["value"] == "bad"
