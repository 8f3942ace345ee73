"""ExperimentReview with evaluators in JupyterLab: verdicts on the rows, the failing filter, and the
disagreement filter stepped through by keyboard; light and dark screenshots."""

from __future__ import annotations

import json

import pytest
from conftest import open_and_run, run_cell, screenshot, set_theme

pytestmark = pytest.mark.e2e

SETUP = """
import uuid
from nbwidgets import Client, ExperimentReview
client = Client.sandbox()
dataset = client.create_dataset("e2e-judges-" + uuid.uuid4().hex[:6])
for n in range(6):  # one by one: the order is kept
    client.create_datapoints(dataset.id, [{"inputs": {"n": n, "ticket": f"Where is order {n}?"},
                                           "expected_output": f"Order {n} ships today."}])
judge = client.create_evaluator({"key": "e2e_exact_" + uuid.uuid4().hex[:6], "model": "openai/gpt-4o",
                                 "prompt": "Does {{output}} say what {{expected_output}} says?"})

def generate(datapoint):  # even rows answer right, odd rows do not; each output gets a trace for feedback
    n = int(datapoint.inputs["n"])
    trace = f"e2e-judges-{datapoint.id}"
    client._send("POST", "/_sandbox/traces", {"trace_ids": [trace]})
    return {"output": f"Order {n} ships today." if n % 2 == 0 else "I cannot help with that.", "trace_id": trace}
"""
REVIEW = """
review = ExperimentReview(client, dataset.id, generate=generate, evaluators=[judge.key], page_size=6)
review
"""
VERDICTS = (
    "import json\nreview.wait(60)\n"
    "print(json.dumps([[r['datapoint_id'], r['evaluations'][judge.key]['passed']] for r in review.results]))"
)
# people: rows 0..3 good, 4..5 bad; the judge passes 0, 2, 4: they disagree on 1, 3 (judge fail) and 4 (judge pass)
PEOPLE = """
for i, result in enumerate(review.results):
    review.feedback(result["datapoint_id"], "rating", "good" if i <= 3 else "bad")
review.flush(30)
print(review.agreement(judge.key, "rating").sentence)
"""


def test_verdicts_filters_and_disagreements_by_keyboard(page, lab, sandbox):
    open_and_run(page, lab, "judges.ipynb", [SETUP, REVIEW], wait_for=".nbw-experiment .nbw-xgrid")
    widget = page.locator(".nbw-experiment").first
    rows = widget.locator(".nbw-xrow:not(.nbw-xhead)")
    widget.locator(".nbw-verdict-pass, .nbw-verdict-fail").nth(5).wait_for(timeout=30_000)
    results = json.loads(run_cell(page, VERDICTS))
    ids = [r[0] for r in results]
    judge_key = run_cell(page, "print(judge.key)").strip()
    assert [r[1] for r in results] == [True, False, True, False, True, False]

    # each row shows its verdict, as the kernel holds it
    assert rows.count() == 6
    for index, (datapoint_id, passed) in enumerate(results):
        row = rows.nth(index)
        assert row.get_attribute("data-id") == datapoint_id
        chip = row.locator(".nbw-verdict")
        assert chip.locator(".nbw-verdict-value").inner_text() == ("✓ pass" if passed else "✗ fail")
    assert "3/6 pass (50%)" in widget.locator(".nbw-judge-summary").inner_text()
    # the disclosure's mark sits on its chip's line (not alone above it), and a judge's name breaks between its
    # words only ("e2e_exact_" / "d0b287", never "e2e_exact_d0b28" / "7")
    lines = widget.evaluate(
        """root => [...root.querySelectorAll('.nbw-verdict-line > summary')].map((summary) => {
            const chip = summary.querySelector('.nbw-verdict');
            const words = [...summary.querySelector('.nbw-verdict-name').childNodes].filter((n) => n.nodeType === 3);
            const split = words.filter((word) => {
                const range = document.createRange();
                range.selectNodeContents(word);
                return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size > 1;
            });
            return [summary.getBoundingClientRect().height - chip.getBoundingClientRect().height, split.length];
        })"""
    )
    assert lines and all(extra <= 2 and split == 0 for extra, split in lines), lines

    # the explanation on demand
    rows.nth(1).locator(".nbw-verdict-line summary").click()
    assert "shares no word with the reference" in rows.nth(1).locator(".nbw-verdict-why").inner_text()

    # the failing filter shows only the failing rows
    widget.get_by_label("Show rows").select_option("failing")
    widget.locator(".nbw-xrow:not(.nbw-xhead)").nth(2).wait_for()
    page.wait_for_function("() => document.querySelectorAll('.nbw-experiment .nbw-xrow:not(.nbw-xhead)').length === 3")
    shown = [rows.nth(i).get_attribute("data-id") for i in range(rows.count())]
    assert shown == [ids[1], ids[3], ids[5]]
    assert all("✗ fail" in rows.nth(i).locator(".nbw-verdict").inner_text() for i in range(3))

    # people give their feedback; the widget says where the judge and the people disagree
    sentence = run_cell(page, PEOPLE)
    assert "agree on 3 of 6" in sentence and "disagree on 3" in sentence
    agreement = widget.locator(".nbw-agreement")
    agreement.get_by_text("disagree on 3").wait_for(timeout=30_000)
    agreement.get_by_role("button", name="Show them").click()
    page.wait_for_function("() => document.querySelectorAll('.nbw-experiment .nbw-xrow:not(.nbw-xhead)').length === 3")
    assert widget.get_by_label("Show rows").input_value() == "disagree"
    assert [rows.nth(i).get_attribute("data-id") for i in range(3)] == [ids[1], ids[3], ids[4]]

    # stepped through by keyboard: j moves the active row from one disagreement to the next
    grid = widget.get_by_role("grid", name="Experiment outputs")
    grid.focus()
    active = widget.locator(".nbw-xrow.nbw-active")
    assert active.get_attribute("data-id") == ids[1]
    page.keyboard.press("j")
    assert active.get_attribute("data-id") == ids[3]
    page.keyboard.press("j")
    assert active.get_attribute("data-id") == ids[4]
    page.keyboard.press("k")
    assert active.get_attribute("data-id") == ids[3]
    assert grid.evaluate("node => node.contains(document.activeElement)")  # the keys stayed in the review
    # a new view of the rows keeps the active datapoint: all rows, then sorted by the judge (worst first)
    widget.get_by_label("Show rows").select_option("all")
    page.wait_for_function("() => document.querySelectorAll('.nbw-experiment .nbw-xrow:not(.nbw-xhead)').length === 6")
    assert active.get_attribute("data-id") == ids[3]
    widget.get_by_label("Sort rows").select_option(label=f"{judge_key}: worst first")
    page.wait_for_function(
        "(first) => document.querySelector('.nbw-experiment .nbw-xrow:not(.nbw-xhead)').dataset.id === first",
        arg=ids[1],
    )
    assert [rows.nth(i).get_attribute("data-id") for i in range(6)] == [ids[i] for i in (1, 3, 5, 0, 2, 4)]
    assert active.get_attribute("data-id") == ids[3]
    widget.get_by_label("Sort rows").select_option("")
    assert "6 generated · 6 with feedback" in widget.locator(".nbw-summary").inner_text()
    widget.locator(".nbw-confusion-box summary").click()
    assert widget.locator(".nbw-confusion td").count() == 4

    for theme in ("JupyterLab Light", "JupyterLab Dark"):
        set_theme(page, theme)
        for width in (1400, 800):
            page.set_viewport_size({"width": width, "height": 1100})
            widget.scroll_into_view_if_needed()
            screenshot(page, f"judges-{'light' if 'Light' in theme else 'dark'}-{width}", widget)
    set_theme(page, "JupyterLab Light")


FLAKY = """
real_invoke = client.invoke_evaluator
failures = []

def flaky(evaluator, **graded):  # the judge's provider fails once, on the first row asked about
    if not failures:
        failures.append(graded["output"])
        raise RuntimeError("the judge's provider is down")
    return real_invoke(evaluator, **graded)

client.invoke_evaluator = flaky
"""


def test_a_failure_to_judge_is_shown_on_its_row_and_retried_by_a_click(page, lab, sandbox):
    review = REVIEW.replace("page_size=6", "page_size=3")
    open_and_run(page, lab, "judges-retry.ipynb", [SETUP, FLAKY, review], wait_for=".nbw-experiment .nbw-xgrid")
    widget = page.locator(".nbw-experiment").first
    broken = widget.locator(".nbw-xrow", has=page.locator(".nbw-verdict-error"))
    broken.wait_for(timeout=30_000)
    assert "Could not judge: the judge's provider is down" in broken.inner_text()
    widget.locator(".nbw-verdict-pass, .nbw-verdict-fail").nth(1).wait_for(timeout=30_000)  # the others go on
    row_id = broken.get_attribute("data-id")
    broken.get_by_role("button", name="Retry judging").click()
    row = widget.locator(f".nbw-xrow[data-id='{row_id}']")
    row.locator(".nbw-verdict-pass, .nbw-verdict-fail").wait_for(timeout=30_000)
    assert widget.locator(".nbw-verdict-error").count() == 0
    assert widget.evaluate("node => node.contains(document.activeElement)")  # the click kept focus in the review
    states = json.loads(
        run_cell(page, "import json\nprint(json.dumps([r['evaluations'][judge.key]['state'] for r in review.results]))")
    )
    assert states == ["done", "done", "done"]
