"""FeedbackButtons in JupyterLab: after each click the sandbox holds exactly what the widget shows."""

from __future__ import annotations

import time

import pytest
from conftest import focus_went_to_notebook, open_and_run, screenshot

pytestmark = pytest.mark.e2e


def held(sandbox, trace, timeout=15.0, until=lambda records: True):
    deadline = time.monotonic() + timeout
    while True:
        records = {f["property"]: f["value"] for f in sandbox.feedback(trace)}
        if until(records) or time.monotonic() > deadline:
            return records
        time.sleep(0.05)


def test_thumbs_score_choices_and_correction(page, lab, sandbox):
    trace = sandbox.new_trace("trace-e2e-feedback")
    open_and_run(
        page,
        lab,
        "feedback.ipynb",
        [
            "from nbwidgets import Client, FeedbackButtons, review\nclient = Client.sandbox()",
            f"review(client, {trace!r}, output='Paris is the capital of Italy.', input='Capital of Italy?')",
            f"FeedbackButtons(client, {trace!r}, property='quality', kind='score', score_range=(1, 5))",
            f"FeedbackButtons(client, {trace!r}, property='issues', kind='choices', options=['too long', 'wrong', 'rude'])",
            f"FeedbackButtons(client, {trace!r}, property='correction', kind='correction', output='Paris is the capital of Italy.')",
        ],
        wait_for=".nbw-feedback .nbw-correction textarea",
    )
    widgets = page.locator(".nbw-feedback")
    thumbs, score, choices, correction = (widgets.nth(i) for i in range(4))
    assert "Capital of Italy?" in thumbs.inner_text()  # the generation is shown with its buttons

    thumbs.get_by_role("button", name="Thumbs up").click()
    thumbs.locator(".nbw-status[data-state=sent]").wait_for()
    assert thumbs.get_by_role("button", name="Thumbs up").get_attribute("aria-pressed") == "true"
    assert held(sandbox, trace) == {"rating": "good"}

    thumbs.get_by_role("button", name="Thumbs down").click()
    assert held(sandbox, trace, until=lambda r: r.get("rating") == "bad") == {"rating": "bad"}
    thumbs.locator(".nbw-status[data-state=sent]").wait_for()
    assert thumbs.get_by_role("button", name="Thumbs down").get_attribute("aria-pressed") == "true"
    assert thumbs.get_by_role("button", name="Thumbs up").get_attribute("aria-pressed") == "false"

    # undo after Good -> Bad brings Good back (on screen and in the service); a second undo removes it
    thumbs.get_by_role("button", name="Undo feedback").click()
    assert held(sandbox, trace, until=lambda r: r.get("rating") == "good") == {"rating": "good"}
    thumbs.locator(".nbw-status[data-state=sent]").wait_for()
    assert thumbs.get_by_role("button", name="Thumbs up").get_attribute("aria-pressed") == "true"
    assert thumbs.get_by_role("button", name="Thumbs down").get_attribute("aria-pressed") == "false"
    thumbs.get_by_role("button", name="Undo feedback").click()
    thumbs.locator(".nbw-status[data-state=removed]").wait_for()
    assert held(sandbox, trace) == {}
    assert thumbs.locator("[aria-pressed=true]").count() == 0

    score.focus()
    page.keyboard.press("4")  # keys 1..9 pick
    score.locator(".nbw-status[data-state=sent]").wait_for()
    assert score.get_by_role("button", name="Score 4").get_attribute("aria-pressed") == "true"
    assert held(sandbox, trace) == {"quality": 4}

    # several choices are checkboxes (any of them), not toggle buttons
    choices.get_by_role("checkbox", name="too long").click()
    choices.locator(".nbw-status[data-state=sent]").wait_for()
    choices.get_by_role("checkbox", name="wrong", exact=True).click()
    assert held(sandbox, trace, until=lambda r: len(r.get("issues", [])) == 2)["issues"] == ["too long", "wrong"]
    choices.locator(".nbw-status[data-state=sent]").wait_for()
    assert choices.locator("[aria-checked=true]").count() == 2

    box = correction.locator("textarea")
    assert box.input_value() == "Paris is the capital of Italy."  # starts from the output
    box.fill("Rome is the capital of Italy.")
    assert "Rome" in correction.locator(".nbw-diff ins").inner_text()
    assert "Paris" in correction.locator(".nbw-diff del").inner_text()
    box.press("Control+Enter")
    correction.locator(".nbw-status[data-state=sent]").wait_for()
    assert held(sandbox, trace) == {
        "quality": 4,
        "issues": ["too long", "wrong"],
        "correction": "Rome is the capital of Italy.",
    }
    screenshot(page, "feedback", page.locator(".jp-Notebook"))


def test_a_pick_by_key_or_click_keeps_the_keyboard_so_backspace_undoes_and_esc_leaves(page, lab, sandbox):
    trace = sandbox.new_trace("trace-e2e-feedback-keys")
    open_and_run(
        page,
        lab,
        "feedback_keys.ipynb",
        [
            "from nbwidgets import Client, FeedbackButtons\nclient = Client.sandbox()",
            f"FeedbackButtons(client, {trace!r}, property='rating', kind='thumbs')",
            f"FeedbackButtons(client, {trace!r}, property='correction', kind='correction', output='Paris.')",
        ],
        wait_for=".nbw-feedback .nbw-correction textarea",
    )
    thumbs, correction = page.locator(".nbw-feedback").nth(0), page.locator(".nbw-feedback").nth(1)
    in_thumbs = "node => node.contains(document.activeElement) && document.activeElement !== document.body"

    # keys 1..9 on a choice (the controls are rebuilt): the keyboard stays, Backspace undoes
    thumbs.get_by_role("button", name="Thumbs down").focus()
    page.keyboard.press("1")
    thumbs.locator(".nbw-status[data-state=sent]").wait_for()
    assert held(sandbox, trace) == {"rating": "good"}
    assert thumbs.evaluate(in_thumbs)
    page.keyboard.press("Backspace")
    thumbs.locator(".nbw-status[data-state=removed]").wait_for()
    assert thumbs.locator("[aria-pressed=true]").count() == 0
    assert held(sandbox, trace) == {}

    # a click on a choice: the same; Ctrl+Z undoes too
    thumbs.get_by_role("button", name="Thumbs down").click()
    thumbs.locator(".nbw-status[data-state=sent]").wait_for()
    assert held(sandbox, trace, until=lambda r: r.get("rating") == "bad") == {"rating": "bad"}
    assert thumbs.evaluate(in_thumbs)
    page.keyboard.press("Control+z")
    thumbs.locator(".nbw-status[data-state=removed]").wait_for()
    assert thumbs.locator("[aria-pressed=true]").count() == 0
    assert held(sandbox, trace) == {}

    # Esc in the correction box hands the keyboard back to the notebook (command mode on the widget's cell)
    box = correction.locator("textarea")
    box.click()
    page.keyboard.press("Escape")
    assert focus_went_to_notebook(correction)
    assert box.input_value() == "Paris."
