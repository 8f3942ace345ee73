"""Datapoint text is text in every renderer: a dataset whose datapoints reach each one (inputs chips,
messages with content parts and tool calls, evaluations, expected output; Overmind's input, expected
output and tags), each field holding markup. On screen the markup shows literally, no element of it
is made, and nothing it carries runs."""

from __future__ import annotations

import json

import pytest
from conftest import open_and_run

from nbwidgets import Client
from nbwidgets.models import new_ulid

pytestmark = pytest.mark.e2e
GRID = ".nbw-grid table[role=grid] tbody tr[role=row]"
SETUP = "from nbwidgets import Client, DatasetGrid"


def markup(where: str) -> str:
    """A payload naming where it was put: an image with onerror, a script, a bold tag."""
    return f'<img src=x onerror="window.__xss=\'{where}\'"><script>window.__xss="{where}"</script><b>{where}</b>'


ORQ_PLACES = [
    "expected",
    "input-key",
    "input-value",
    "system",
    "text-part",
    "tool-name",
    "tool-args",
    "tool-result",
    "eval-string",
    "eval-explanation",  # a review's hover text; its reviewer's id is not shown at all (see below)
    "eval-array",
]  # "eval-reviewer" (a reviewer's id) is not shown at all: asserted below


def orq_datapoint() -> dict:
    return {
        "expected_output": markup("expected"),
        "inputs": {markup("input-key"): "k", "q": markup("input-value")},
        "messages": [
            {"role": "system", "content": markup("system")},
            {"role": "user", "content": [{"type": "text", "text": markup("text-part")}]},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": markup("tool-name"), "arguments": markup("tool-args")},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "call_1", "content": markup("tool-result")},
        ],
        "evaluations": [
            {
                "id": new_ulid(),
                "evaluation_type": "human_review",
                "source": "orq",
                "type": "string",
                "value": markup("eval-string"),
                "reviewed_by_id": markup("eval-reviewer"),
                "explanation": markup("eval-explanation"),
            },
            {
                "id": new_ulid(),
                "evaluation_type": "human_review",
                "source": "orq",
                "type": "string_array",
                "values": [markup("eval-array"), "plain"],
                "reviewed_by_id": "reviewer",
            },
        ],
    }


def rendered(page) -> dict:
    """What the grid shows: its text (every row expanded), the elements the payloads would make, __xss."""
    for button in page.locator(".nbw-grid button.nbw-expand").all():
        if button.get_attribute("aria-expanded") != "true":
            button.click()
    page.wait_for_selector(".nbw-grid tr.nbw-expanded")
    for details in page.locator(".nbw-grid details").all():  # closed <details> hide their text
        details.evaluate("node => { node.open = true; }")
    grid = page.locator(".nbw-grid")
    return {
        "shown": grid.inner_text(),
        "titles": grid.evaluate("n => [...n.querySelectorAll('[title]')].map(e => e.title).join('\\n')"),
        "injected": grid.locator("tbody img, tbody script, tbody b").count(),
        "xss": page.evaluate("() => window.__xss ?? null"),
    }


def test_every_orq_renderer_shows_markup_as_text(page, lab, sandbox):
    with Client.orq(sandbox.api_key, sandbox.url) as client:
        dataset = client.create_dataset(f"markup-every-renderer-{new_ulid()}")
    sandbox.put_raw_datapoints(dataset.id, [orq_datapoint()])
    with Client.orq(sandbox.api_key, sandbox.url) as client:  # the models read it (tolerantly or not)
        [read] = client.datapoints_page(dataset.id).items
        assert len(read.evaluations) == 2 and len(read.messages) == 4
    open_and_run(page, lab, "markup_orq.ipynb", [SETUP, f"DatasetGrid(Client.sandbox(), {dataset.id!r})"], GRID)
    seen = rendered(page)
    text = seen["shown"] + "\n" + seen["titles"]
    missing = [where for where in ORQ_PLACES if markup(where) not in text]
    assert missing == [], f"not shown literally: {missing}"
    assert markup("eval-reviewer") not in text  # a reviewer's id means nothing to a reader: not shown
    assert seen["injected"] == 0 and seen["xss"] is None and page.errors == []


def test_overmind_input_expected_output_and_tags_show_markup_as_text(page, lab, sandbox):
    with Client.overmind(sandbox.api_key, sandbox.url) as client:
        agent = client.get_dataset(sandbox.ids["agent_v1"]).agent
        created = client.create_dataset_version(
            agent,
            [
                {
                    "input": {"text": markup("om-input"), "list": [markup("om-input-list")]},
                    "expected_output": markup("om-expected"),
                    "persona": markup("om-persona")[:120],
                    "tags": [markup("om-tag"), "plain"],
                    "order": 0,
                }
            ],
            name="markup",
        )
    open_and_run(
        page,
        lab,
        "markup_overmind.ipynb",
        [SETUP, f"DatasetGrid(Client.sandbox('overmind'), {created.id!r})"],
        GRID,
    )
    seen = rendered(page)
    text = seen["shown"]
    missing = [w for w in ("om-input", "om-expected", "om-tag") if markup(w) not in text]
    assert missing == [], f"not shown literally: {missing}"
    assert json.dumps(markup("om-input-list")) in text  # a list inside the input shows as JSON
    assert markup("om-persona")[:120] in text
    assert seen["injected"] == 0 and seen["xss"] is None and page.errors == []


SIDES = """(box) => {
    // texts sharing most words: one body of unchanged text, <del> and <ins>; texts sharing little: two blocks
    const blocks = box.querySelectorAll(".nbw-diff-block");
    const body = box.querySelector(".nbw-diff-body") ?? box;
    const side = (keep) => blocks.length
        ? (box.querySelector(`.nbw-diff-block ${keep}`)?.textContent ?? "")
        : [...body.childNodes]
            .filter((n) => n.nodeType === Node.TEXT_NODE || n.tagName.toLowerCase() === keep)
            .map((n) => n.textContent).join("");
    return {before: side("del"), after: side("ins"), marked: box.querySelectorAll("ins, del").length,
            injected: box.querySelectorAll("img, script, b").length};
}"""


def test_every_widgets_diff_shows_markup_as_text(page, lab, sandbox):
    """The grid editor's, the form's prompt, the feedback correction's and the review row's diff: each side of
    each diff reads as the text it was given (markup and all), and no element of the markup is made."""
    with Client.orq(sandbox.api_key, sandbox.url) as client:
        grid_set = client.create_dataset(f"markup-diff-grid-{new_ulid()}")
        review_set = client.create_dataset(f"markup-diff-review-{new_ulid()}")
        evaluator = client.create_evaluator(
            {
                "key": f"markup_diff_{new_ulid()}",
                "prompt": markup("form-before") + " {{output}}",
                "model": "openai/gpt-4o",
            }
        )
    sandbox.put_raw_datapoints(grid_set.id, [{"expected_output": markup("grid-before") + " shared words"}])
    sandbox.put_raw_datapoints(
        review_set.id, [{"inputs": {"q": markup("review-input")}, "expected_output": markup("review-before")}]
    )
    trace = sandbox.new_trace()
    cells = [
        "from nbwidgets import Client, DatasetGrid, EvaluatorForm, ExperimentReview, FeedbackButtons\n"
        "client = Client.sandbox()",
        f"DatasetGrid(client, {grid_set.id!r})",
        f"EvaluatorForm(client, {evaluator.id!r})",
        f"FeedbackButtons(client, {trace!r}, property='correction', output={markup('feedback-before')!r}, "
        f"input={markup('feedback-input')!r})",
        f"ExperimentReview(client, {review_set.id!r}, generate=lambda datapoint: {markup('review-after')!r})",
    ]
    open_and_run(page, lab, "markup_diffs.ipynb", cells, ".nbw-experiment .nbw-xrow[data-state=done]")
    seen = {}

    page.locator(f"{GRID} td.nbw-col-expected_output").first.dblclick()
    page.locator(".nbw-editor textarea").fill(markup("grid-after") + " shared words")
    seen["grid"] = page.get_by_role("group", name="Changes to be saved").evaluate(SIDES)

    prompt = page.locator(".nbw-form textarea[data-path=prompt]")
    prompt.fill(markup("form-after") + " {{output}}")
    seen["form"] = page.get_by_role("group", name="Prompt changes").evaluate(SIDES)

    page.locator(".nbw-feedback").get_by_role("textbox", name="Correction").fill(markup("feedback-after"))
    seen["feedback"] = page.get_by_role("group", name="Changes against the output").evaluate(SIDES)

    seen["review"] = page.get_by_role("group", name="Changes from the expected output to the output").evaluate(SIDES)

    expected = {
        "grid": (markup("grid-before") + " shared words", markup("grid-after") + " shared words"),
        "form": (markup("form-before") + " {{output}}", markup("form-after") + " {{output}}"),
        "feedback": (markup("feedback-before"), markup("feedback-after")),
        "review": (markup("review-before"), markup("review-after")),
    }
    for widget, (before, after) in expected.items():
        assert (seen[widget]["before"], seen[widget]["after"]) == (before, after), widget
        assert seen[widget]["marked"] > 0 and seen[widget]["injected"] == 0, (widget, seen[widget])
    # and every other renderer of those widgets: the review's input, output and expected output, the generation
    widgets = ".nbw-grid, .nbw-form, .nbw-feedback, .nbw-experiment"
    assert page.locator(f":is({widgets}) :is(img, script, b)").count() == 0
    assert markup("review-input") in page.locator(".nbw-experiment").inner_text()
    assert markup("feedback-input") in page.locator(".nbw-feedback").inner_text()
    assert page.evaluate("() => window.__xss ?? null") is None and page.errors == []
