"""ExperimentReview(variants=...) in JupyterLab: two variants side by side, judged blind by keyboard (prefer,
undo, reveal), the screen and the feedback the sandbox received checked; light and dark at 1400 and 800 px."""

from __future__ import annotations

import json

import pytest
from conftest import open_and_run, run_cell, screenshot, set_theme

pytestmark = pytest.mark.e2e

SETUP = """
import json, uuid
from nbwidgets import Client, ExperimentReview
client = Client.sandbox()
dataset = client.create_dataset("e2e-compare-" + uuid.uuid4().hex[:6])
for n in range(4):  # one by one: the order is kept
    client.create_datapoints(dataset.id, [{"inputs": {"n": n, "ticket": f"Where is order {n}?"},
                                           "expected_output": f"Order {n} ships today."}])
judge = client.create_evaluator({"key": "e2e_cmp_" + uuid.uuid4().hex[:6], "model": "openai/gpt-4o",
                                 "prompt": "Does {{output}} say what {{expected_output}} says?"})

def variant(name, right):
    def generate(datapoint):
        n = int(datapoint.inputs["n"])
        trace = f"e2e-compare-{name}-{datapoint.id}"
        client._send("POST", "/_sandbox/traces", {"trace_ids": [trace]})
        text = f"Order {n} ships today." if right(n) else f"<b>{name}</b> cannot say where order {n} is."
        return {"output": text, "trace_id": trace, "tokens": 12}
    generate.__qualname__ = f"variant_{name}"
    return generate
"""
REVIEW = """
review = ExperimentReview(client, dataset.id, variants={"A": variant("A", lambda n: True),
                          "B": variant("B", lambda n: n % 2 == 0)}, evaluators=[judge.key], page_size=4)
review
"""
STATE = (
    "review.wait(60)\n"
    "print(json.dumps({'sides': review.sides, 'ids': [r['datapoint_id'] for r in review.results],"
    " 'traces': {r['datapoint_id']: {n: v['trace_id'] for n, v in r['variants'].items()} for r in review.results}}))"
)


def told(sandbox, traces: dict[str, str]) -> dict[str, list]:
    return {
        name: [f["value"] for f in sandbox.feedback(trace) if f["property"] == "preference"]
        for name, trace in traces.items()
    }


def test_compare_two_variants_blind_by_keyboard(page, lab, sandbox):
    open_and_run(page, lab, "compare.ipynb", [SETUP, REVIEW], wait_for=".nbw-experiment .nbw-xgrid.nbw-compare")
    widget = page.locator(".nbw-experiment").first
    rows = widget.locator(".nbw-xrow:not(.nbw-xhead)")
    widget.locator(".nbw-x-prefer button:not([disabled])").nth(15).wait_for(timeout=60_000)
    state = json.loads(run_cell(page, STATE))
    ids, sides, traces = state["ids"], state["sides"], state["traces"]
    assert rows.count() == 4

    # blind: the columns are Left and Right, each row in the order drawn for it; no name on screen
    heads = widget.locator(".nbw-xhead .nbw-xcell")
    assert [heads.nth(i).inner_text() for i in range(heads.count())] == [
        "Datapoint",
        "Expected output",
        "Left",
        "Right",
        "Difference",
        "Preference",
    ]
    for index, datapoint_id in enumerate(ids):
        row = rows.nth(index)
        assert row.get_attribute("data-id") == datapoint_id
        cells = row.locator(".nbw-x-variant")
        for side in (0, 1):
            name = sides[datapoint_id][side]
            text = cells.nth(side).inner_text()
            assert text.startswith(("Left", "Right")[side]) and "Left: " not in text and "Right: " not in text
            wrong = name == "B" and index % 2 == 1
            # the output as text: the <b> of a wrong answer is shown, not drawn bold
            assert (f"<b>{name}</b> cannot say" in text) if wrong else ("Order" in text and "ships today." in text)
            assert "12 tokens" in text and " ms" in text
            assert cells.nth(side).locator("b").count() == 0
            assert cells.nth(side).locator(".nbw-verdict-value").inner_text() == ("✗ fail" if wrong else "✓ pass")
    assert "Wins and pass rates per variant are shown once the names are revealed." in widget.inner_text()
    # rows 1 and 3 differ (B fails there): the filter steps through them
    widget.get_by_label("Show rows").select_option("differ")
    page.wait_for_function("() => document.querySelectorAll('.nbw-experiment .nbw-xrow:not(.nbw-xhead)').length === 2")
    assert [rows.nth(i).get_attribute("data-id") for i in range(2)] == [ids[1], ids[3]]
    # the pair diff between the two columns of a differing row
    assert rows.nth(0).locator(".nbw-x-pairdiff del, .nbw-x-pairdiff ins").count() > 0

    # by keyboard on row 1 (a differing row): the side holding A is better
    grid = widget.get_by_role("grid", name="Experiment outputs")
    grid.focus()
    active = widget.locator(".nbw-xrow.nbw-active")
    assert active.get_attribute("data-id") == ids[1]
    a_side = sides[ids[1]].index("A")
    page.keyboard.press(str(a_side + 1))
    preference = active.locator(".nbw-preference")
    preference.get_by_text(f"Preferred: {('Left', 'Right')[a_side]} better").wait_for(timeout=30_000)
    run_cell(page, "print(review.flush(30))")
    assert told(sandbox, traces[ids[1]]) == {"A": [["better"]], "B": [["worse"]]}
    grid.focus()  # running a cell took the keyboard to the notebook
    # j to the next differing row, t: a tie; z undoes it (the feedback is removed), focus stays in the review
    page.keyboard.press("j")
    assert active.get_attribute("data-id") == ids[3]
    page.keyboard.press("t")
    active.locator(".nbw-preference").get_by_text("Preferred: Tie").wait_for(timeout=30_000)
    run_cell(page, "print(review.flush(30))")
    assert told(sandbox, traces[ids[3]]) == {"A": [["tie"]], "B": [["tie"]]}
    grid.focus()
    page.keyboard.press("Control+z")  # as z
    widget.locator(f".nbw-xrow[data-id='{ids[3]}'] .nbw-preference").wait_for(state="detached", timeout=30_000)
    run_cell(page, "print(review.flush(30))")
    assert told(sandbox, traces[ids[3]]) == {"A": [], "B": []}
    grid.focus()
    # b: both bad, on the same row
    page.keyboard.press("b")
    active.locator(".nbw-preference").get_by_text("Preferred: Both bad").wait_for(timeout=30_000)
    assert grid.evaluate("node => node.contains(document.activeElement)")

    # v reveals the active row's names; Shift+V all of them, with the table
    page.keyboard.press("v")
    row3 = widget.locator(f".nbw-xrow[data-id='{ids[3]}']")
    row3.locator(".nbw-x-variant").first.get_by_text(f"Left: {sides[ids[3]][0]}").wait_for(timeout=30_000)
    assert "Left: " not in widget.locator(f".nbw-xrow[data-id='{ids[1]}'] .nbw-x-variant").first.inner_text()
    page.keyboard.press("Shift+V")
    table = widget.locator(".nbw-compare-table")
    table.wait_for(timeout=30_000)
    assert table.locator("tbody tr").count() == 2
    assert table.locator("tbody tr").nth(0).locator("th").inner_text() == "A"
    assert table.locator("tbody tr").nth(0).locator("td").nth(0).inner_text() == "1"  # A won row 1
    first = widget.locator(f".nbw-xrow[data-id='{ids[1]}'] .nbw-x-variant").nth(a_side)
    assert first.inner_text().startswith(f"{('Left', 'Right')[a_side]}: A")
    assert grid.evaluate("node => node.contains(document.activeElement)")
    # a click: row 3's left column better (replacing "both bad"); focus stays in the review
    row3.get_by_role("button", name="Left better").click()
    left3 = sides[ids[3]][0]
    row3.locator(".nbw-preference").get_by_text(f"Preferred: Left: {left3} better").wait_for(timeout=30_000)
    assert widget.evaluate("node => node.contains(document.activeElement)")
    run_cell(page, "print(review.flush(30))")
    assert told(sandbox, traces[ids[3]])[left3] == [["better"]]
    # the diff of each column against the expected output
    widget.get_by_role("combobox", name="Diff", exact=True).select_option("expected")
    widget.get_by_text("Matches the expected output ✓").first.wait_for(timeout=30_000)
    assert widget.locator(".nbw-x-pairdiff").count() == 0
    widget.get_by_role("combobox", name="Diff", exact=True).select_option("0-1")
    # ids unique in the view
    assert widget.evaluate(
        "node => { const ids = [...node.querySelectorAll('[id]')].map(e => e.id); return ids.length === new Set(ids).size }"
    )
    # what Python holds agrees with the screen
    prefs = json.loads(run_cell(page, "print(json.dumps({k: v['value'] for k, v in review._preferences.items()}))"))
    assert prefs == {ids[1]: a_side, ids[3]: 0}

    widget.get_by_label("Show rows").select_option("all")
    for width in (1400, 800):
        page.set_viewport_size({"width": width, "height": 1100})
        for theme in ("JupyterLab Light", "JupyterLab Dark"):
            set_theme(page, theme)
            screenshot(page, f"compare-{width}-{'light' if 'Light' in theme else 'dark'}", widget)
    set_theme(page, "JupyterLab Light")
    # at 800 px the columns stack: the right column sits under the left one
    left = rows.nth(0).locator(".nbw-x-variant").nth(0).bounding_box()
    right = rows.nth(0).locator(".nbw-x-variant").nth(1).bounding_box()
    assert right["y"] >= left["y"] + left["height"] - 1
    page.set_viewport_size({"width": 1400, "height": 1000})


LONG = """
import uuid
from nbwidgets import Client, ExperimentReview
client = Client.sandbox()
dataset = client.create_dataset("e2e-compare-long-" + uuid.uuid4().hex[:6])
client.create_datapoints(dataset.id, [{"inputs": {"ticket": "Where is my order?"}, "expected_output": "It ships."}])
texts = {"A": "\\n".join(f"Alpha line {n}: your parcel left our depot." for n in range(30)),
         "B": "\\n".join(f"Zulu {n} - refund issued, sorry." for n in range(30))}
review = ExperimentReview(client, dataset.id, variants={k: (lambda dp, v=v: {"output": v}) for k, v in texts.items()},
                          page_size=2)
review
"""


def test_the_difference_of_two_long_texts_that_share_little_is_clamped(page, lab):
    open_and_run(page, lab, "compare_long.ipynb", [LONG], wait_for=".nbw-experiment .nbw-xgrid.nbw-compare")
    widget = page.locator(".nbw-experiment").first
    row = widget.locator(".nbw-xrow:not(.nbw-xhead)").first
    blocks = row.locator(".nbw-x-pairdiff .nbw-diff-block > del, .nbw-x-pairdiff .nbw-diff-block > ins")
    blocks.nth(1).wait_for(timeout=60_000)  # both texts whole, one block each: they share little
    # clamped like the Left/Right columns beside it (30 lines each unclamped: well over 1000 px); the cells of a
    # row stretch to its height, so the row's is what is bounded
    pair = row.locator(".nbw-x-pairdiff").bounding_box()
    assert pair["height"] < 450, pair
    for i in range(2):  # each block scrolls on its own: the whole text stays reachable
        assert blocks.nth(i).evaluate("node => node.scrollHeight > node.clientHeight + 10")
    for theme in ("JupyterLab Light", "JupyterLab Dark"):
        set_theme(page, theme)
        screenshot(page, f"compare-long-pair-1400-{'light' if 'Light' in theme else 'dark'}", widget)
    set_theme(page, "JupyterLab Light")
    # each column's diff against the expected output: clamped as well
    widget.get_by_role("combobox", name="Diff", exact=True).select_option("expected")
    row.locator(".nbw-x-variant .nbw-diff").first.wait_for(timeout=30_000)
    for i in range(2):
        box = row.locator(".nbw-x-variant").nth(i).bounding_box()
        assert box["height"] < 450, box
    for width in (1400, 800):
        page.set_viewport_size({"width": width, "height": 1000})
        for theme in ("JupyterLab Light", "JupyterLab Dark"):
            set_theme(page, theme)
            screenshot(page, f"compare-long-{width}-{'light' if 'Light' in theme else 'dark'}", widget)
    set_theme(page, "JupyterLab Light")
