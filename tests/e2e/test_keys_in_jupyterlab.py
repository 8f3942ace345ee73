"""Safe at the keyboard in JupyterLab (issue 21): a click anywhere in a widget keeps the keys in it (no
`d d` deleting its cell), each copy of a widget has ids of its own, Ctrl+S saves what was just typed."""

from __future__ import annotations

import time

import pytest
from conftest import open_and_run, run_cell, screenshot, set_theme

from nbwidgets import Client

pytestmark = pytest.mark.e2e


def cells(page) -> int:
    return page.locator(".jp-Notebook .jp-Cell").count()


def evaluator(sandbox, key: str) -> str:
    with Client.orq(sandbox.api_key, sandbox.url) as client:
        found = [e for e in client.iter_evaluators() if getattr(e, "key", None) == key]
        if found:
            return found[0].id
        return client.create_evaluator({"key": key, "prompt": "Is {{output}} polite?", "model": "openai/gpt-4o"}).id


def widgets_notebook(page, lab, sandbox, name: str, copies: int = 1) -> None:
    trace = sandbox.new_trace(f"trace-{name}")
    form_id = evaluator(sandbox, "e2e_keys_form")
    cells_ = [
        "from nbwidgets import Client, EvaluatorForm, ExperimentReview, FeedbackButtons\nclient = Client.sandbox()"
    ]
    for _ in range(copies):
        cells_ += [
            f"EvaluatorForm(client, {form_id!r})",
            "ExperimentReview(client, generate=lambda dp: 'an answer', page_size=3)",
        ]
    cells_.append(f"FeedbackButtons(client, {trace!r}, property='quality', kind='score', score_range=(1, 5))")
    open_and_run(page, lab, name, cells_, wait_for=".nbw-feedback button")
    page.locator(".nbw-experiment .nbw-xrow[data-state=done]").nth(copies * 3 - 1).wait_for(timeout=30_000)
    page.wait_for_function(
        "(n) => [...document.querySelectorAll('.nbw-form [data-path=key]')].filter(i => i.value).length === n",
        arg=copies,
        timeout=30_000,
    )


def test_d_d_after_a_click_on_a_widget_part_that_is_not_a_control_deletes_no_cell(page, lab, sandbox):
    widgets_notebook(page, lab, sandbox, "keys_dd.ipynb")
    form = page.locator(".nbw-form").first
    review = page.locator(".nbw-experiment").first
    feedback = page.locator(".nbw-feedback").first
    parts = [
        (form, form.locator("legend", has_text="Judging")),
        (form, form.locator(".nbw-muted", has_text="1 to 3 runs per evaluation")),
        (form, form.locator("legend", has_text="Guardrail")),
        (form, form.locator(".nbw-title")),
        (review, review.locator(".nbw-title")),
        (review, review.locator(".nbw-progress")),
        (review, review.locator(".nbw-keys")),
        (feedback, feedback.locator(".nbw-title, .nbw-label, .nbw-muted").first),
    ]
    before = cells(page)
    for widget, part in parts:
        part.scroll_into_view_if_needed()
        box = part.bounding_box()
        page.mouse.click(box["x"] + 2, box["y"] + box["height"] / 2)  # the text's edge: not a control
        page.wait_for_timeout(50)
        page.keyboard.press("d")
        page.keyboard.press("d")
        page.wait_for_timeout(150)
        assert cells(page) == before, f"d d after a click on {part} deleted a cell"
        assert widget.evaluate("(node) => node.contains(document.activeElement)"), f"focus left after {part}"
    # Esc still hands the keyboard to the notebook from there (and then d d is the notebook's again)
    assert page.evaluate("() => window.jupyterapp.shell.currentWidget.content.mode") == "command"


def test_two_copies_on_one_page_have_their_own_ids_and_labels(page, lab, sandbox):
    widgets_notebook(page, lab, sandbox, "keys_ids.ipynb", copies=2)
    duplicates = page.evaluate("""() => {
        const ids = [...document.querySelectorAll('.nbw [id]')].map((n) => n.id);
        return ids.filter((id, i) => ids.indexOf(id) !== i);
    }""")
    assert duplicates == []
    forms = page.locator(".nbw-form")
    reviews = page.locator(".nbw-experiment")
    # a label click in the second copy toggles its own control, not the first copy's
    forms.nth(1).locator("label", has_text="Jury").click()
    assert forms.nth(1).get_by_label("Jury").is_checked()
    assert not forms.nth(0).get_by_label("Jury").is_checked()
    assert forms.nth(1).get_by_role("group", name="Judge 2").is_visible()
    assert forms.nth(0).get_by_role("group", name="Judge 1").count() == 0
    reviews.nth(1).locator("label", has_text="Prefetch next page").click()
    assert reviews.nth(1).get_by_label("Prefetch next page").is_checked()
    assert not reviews.nth(0).get_by_label("Prefetch next page").is_checked()
    # the kernel agrees: the second review prefetches, the first does not
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if reviews.nth(1).get_by_label("Prefetch next page").is_checked():
            break
        time.sleep(0.1)


def test_ctrl_s_right_after_typing_in_a_just_saved_form_saves_the_typed_text(page, lab, sandbox):
    form_id = evaluator(sandbox, "e2e_keys_ctrl_s")
    open_and_run(
        page,
        lab,
        "keys_ctrl_s.ipynb",
        ["from nbwidgets import Client, EvaluatorForm", f"EvaluatorForm(Client.sandbox(), {form_id!r})"],
        wait_for=".nbw-form [data-path=description]",
    )
    form = page.locator(".nbw-form")
    page.wait_for_function("() => document.querySelector('.nbw-form [data-path=key]').value === 'e2e_keys_ctrl_s'")
    description = form.locator("[data-path=description]")

    def held() -> str:
        with Client.orq(sandbox.api_key, sandbox.url) as client:
            return client.get_evaluator(form_id).description or ""

    description.fill("First")
    form.get_by_role("button", name="Save", exact=True).click()
    form.get_by_text("Saved as version").wait_for(timeout=20_000)
    for word in [" two", " three", " four"]:
        # typed into the form that was just saved, and saved at once: the save must see these keys
        description.press("End")
        description.type(word, delay=10)
        description.press("Control+s")
        expected = description.input_value()
        deadline = time.monotonic() + 20
        while held() != expected and time.monotonic() < deadline:
            time.sleep(0.1)
        assert held() == expected
        form.get_by_text("Saved as version").wait_for(timeout=20_000)
        page.wait_for_function("() => !document.querySelector('.nbw-form .nbw-dirty')", timeout=10_000)
        assert description.input_value() == expected  # on screen: what the service holds, nothing dropped


REVIEW_SETUP = """
from nbwidgets import Client, ExperimentReview
client = Client.sandbox()
support = client.list_datasets(search="support_quality").items[0]
dataset = client.create_dataset({name!r})
for datapoint in client.datapoints_page(support.id, limit=4).items:
    wire = datapoint.to_wire()
    client.create_datapoints(dataset.id, [{{
        "inputs": wire["inputs"], "messages": wire["messages"], "expected_output": wire["expected_output"] + " (old)",
    }}])
review = ExperimentReview(client, dataset.id, deployment="support-reply", page_size=4)
review
"""


def expected_held(sandbox, dataset_id: str) -> dict[str, str | None]:
    with Client.orq(sandbox.api_key, sandbox.url) as client:
        return {dp.id: dp.expected_output for dp in client.datapoints_page(dataset_id, limit=50).items}


def wait_until(read, until, timeout=20.0):
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if until(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def test_use_as_expected_is_undone_by_key_and_by_button_and_a_second_u_says_so(page, lab, sandbox):
    open_and_run(page, lab, "keys_undo.ipynb", [REVIEW_SETUP.format(name="e2e-keys-undo")], wait_for=".nbw-experiment")
    widget = page.locator(".nbw-experiment")
    rows = widget.locator(".nbw-xrow:not(.nbw-xhead)")
    widget.locator(".nbw-xrow[data-state=done]").nth(3).wait_for(timeout=30_000)
    with Client.orq(sandbox.api_key, sandbox.url) as client:
        dataset_id = next(d.id for d in client.list_datasets(search="e2e-keys-undo").items)
    ids = [rows.nth(i).get_attribute("data-id") for i in range(4)]
    old = expected_held(sandbox, dataset_id)
    output0 = rows.nth(0).locator(".nbw-x-output").inner_text()
    output1 = rows.nth(1).locator(".nbw-x-output").inner_text()

    widget.get_by_role("grid", name="Experiment outputs").focus()
    page.keyboard.press("u")  # row 1: its output becomes the expected output
    rows.nth(0).get_by_text("Saved as expected").wait_for(timeout=20_000)
    replaced = rows.nth(0).get_by_role("group", name="What it replaced")
    assert "(old)" in replaced.locator("del").all_inner_texts()[-1]  # the old text, struck out
    assert wait_until(lambda: expected_held(sandbox, dataset_id)[ids[0]], lambda v: v != old[ids[0]]) != old[ids[0]]
    assert output0.split("\n")[0] in expected_held(sandbox, dataset_id)[ids[0]]
    page.keyboard.press("u")  # again on the same row: nothing stacks, and it says so
    widget.locator(".nbw-notice", has_text="already is the expected output").wait_for()
    page.keyboard.press("z")  # undo by key
    rows.nth(0).get_by_text("Restored the expected output it had").wait_for(timeout=20_000)
    cell, badge = [rows.nth(0).locator(f".nbw-x-expected{s}").bounding_box() for s in ("", " .nbw-status-badge")]
    assert badge["x"] + badge["width"] <= cell["x"] + cell["width"] + 0.5, (badge, cell)  # wraps inside its cell
    assert wait_until(lambda: expected_held(sandbox, dataset_id)[ids[0]], lambda v: v == old[ids[0]]) == old[ids[0]]
    assert old[ids[0]] in rows.nth(0).locator(".nbw-x-expected").inner_text()  # on screen: the old one again

    rows.nth(1).get_by_role("button", name="Use as expected").click()  # the link, then the toolbar's Undo
    rows.nth(1).get_by_text("Saved as expected").wait_for(timeout=20_000)
    replaced = rows.nth(1).get_by_role("group", name="What it replaced")
    # a long output: what it replaced is clamped (Show more) instead of making the row ~900 px tall
    assert len(output1) > 300
    expected1 = rows.nth(1).locator(".nbw-x-expected")
    assert expected1.bounding_box()["height"] < 450, expected1.bounding_box()
    assert expected1.get_by_role("button", name="Show more").count() == 2  # the expected output's and the diff's
    # the diff in the text's own colour, not the "saved" status's green around it
    assert replaced.evaluate("n => getComputedStyle(n).color !== getComputedStyle(n.closest('.nbw-wstate')).color")
    for width in (1400, 800):
        page.set_viewport_size({"width": width, "height": 1000})
        for theme in ("JupyterLab Light", "JupyterLab Dark"):
            set_theme(page, theme)
            screenshot(page, f"review-use-expected-{width}-{'light' if 'Light' in theme else 'dark'}", widget)
    set_theme(page, "JupyterLab Light")
    page.set_viewport_size({"width": 1400, "height": 1000})
    assert wait_until(lambda: expected_held(sandbox, dataset_id)[ids[1]], lambda v: v != old[ids[1]]) != old[ids[1]]
    undo = widget.get_by_role("button", name="Undo use as expected (Row 2)")
    undo.click()
    rows.nth(1).get_by_text("Restored the expected output it had").wait_for(timeout=20_000)
    # the status wraps inside its cell (not over the Output column), and the notice no longer says "restoring"
    cell, badge = expected1.bounding_box(), expected1.locator(".nbw-wstate .nbw-status-badge").bounding_box()
    assert badge["x"] + badge["width"] <= cell["x"] + cell["width"] + 0.5, (badge, cell)
    widget.locator(".nbw-notice", has_text="restored the expected output it had").wait_for(timeout=20_000)
    for theme in ("JupyterLab Light", "JupyterLab Dark"):
        set_theme(page, theme)
        screenshot(page, f"review-restored-1400-{'light' if 'Light' in theme else 'dark'}", widget)
    set_theme(page, "JupyterLab Light")
    assert wait_until(lambda: expected_held(sandbox, dataset_id)[ids[1]], lambda v: v == old[ids[1]]) == old[ids[1]]
    assert widget.get_by_role("button", name="Undo", exact=True).is_disabled()  # nothing left to undo
    assert expected_held(sandbox, dataset_id) == old


GRID_ROWS = ".nbw-grid table[role=grid] tbody tr[role=row]"


def overmind_grid(page, lab, sandbox, name: str) -> None:
    open_and_run(
        page,
        lab,
        name,
        [
            "from nbwidgets import Client, DatasetGrid\nclient = Client.sandbox('overmind')",
            f"grid = DatasetGrid(client, {sandbox.ids['agent_v1']!r}, page_size=5)\ngrid",
        ],
        wait_for=GRID_ROWS,
    )


def test_overmind_a_json_typo_in_an_object_is_refused_with_the_parse_error_text_only_on_purpose(page, lab, sandbox):
    overmind_grid(page, lab, sandbox, "keys_json.ipynb")
    rows = page.locator(GRID_ROWS)
    cell = rows.nth(2).locator("td.nbw-col-expected_output")
    cell.dblclick()
    editor = page.locator(".nbw-editor textarea")
    assert editor.input_value().lstrip().startswith("{")  # the row holds an object
    typo = '{"team": "platform", "priority": medium}'
    editor.fill(typo)
    editor.press("Control+Enter")
    alert = page.locator(".nbw-editor .nbw-field-error")
    alert.get_by_text("held a JSON object").wait_for()
    assert "valid JSON" in alert.inner_text()
    assert editor.input_value() == typo  # nothing lost: the editor stays open with the text
    page.wait_for_timeout(300)
    assert page.get_by_text("1 staged edit").count() == 0  # and nothing was staged
    alert.get_by_role("button", name="Save as text").click()  # the explicit choice
    page.get_by_text("1 staged edit").wait_for()
    held = run_cell(page, "print(repr([e['expected_output'] for e in grid.staged.values()]))")
    assert held.strip() == repr([typo])  # staged as the text typed, on purpose


def test_unsaved_editor_text_survives_a_page_change_and_reopens_on_return(page, lab, sandbox):
    overmind_grid(page, lab, sandbox, "keys_draft.ipynb")
    rows = page.locator(GRID_ROWS)
    grid = page.locator(".nbw-grid")
    first = rows.nth(1).get_attribute("data-id")
    rows.nth(1).locator("td.nbw-col-expected_output").dblclick()
    editor = page.locator(".nbw-editor textarea")
    draft = '{"team": "kept across pages", "priority": "low"}'
    editor.fill(draft)
    grid.get_by_role("button", name="Next page ›").click()
    grid.get_by_text("Page 2").wait_for()
    page.wait_for_function(f"() => !document.querySelector(\"{GRID_ROWS}[data-id='{first}']\")")
    kept = grid.locator(".nbw-kept")
    kept.get_by_text("Unsaved edit kept: Expected output of row 2 (page 1)").wait_for()
    assert page.locator(".nbw-editor").count() == 0
    grid.get_by_role("button", name="‹ Previous page").click()
    page.locator(f"{GRID_ROWS}[data-id='{first}']").wait_for()
    page.locator(".nbw-editor textarea").wait_for()
    assert page.locator(".nbw-editor textarea").input_value() == draft  # shown again, as typed
    assert kept.is_hidden()
    page.locator(".nbw-editor textarea").press("Control+Enter")  # and it saves (stages) from there
    page.get_by_text("1 staged edit").wait_for()
    # a kept draft can be dropped on purpose, with a word
    rows.nth(3).locator("td.nbw-col-expected_output").dblclick()
    page.locator(".nbw-editor textarea").fill('{"team": "dropped"}')
    grid.get_by_role("button", name="Next page ›").click()
    kept.get_by_role("button", name="Discard it").click()
    assert kept.is_hidden()
    grid.get_by_role("button", name="‹ Previous page").click()
    grid.get_by_text("Page 1").wait_for()
    page.wait_for_timeout(300)
    assert page.locator(".nbw-editor").count() == 0


def test_messages_editor_names_a_bad_role_focuses_a_new_message_and_warns_of_an_empty_answer(page, lab, sandbox):
    with Client.orq(sandbox.api_key, sandbox.url) as client:
        dataset = client.create_dataset("e2e-keys-messages")
        [target] = client.create_datapoints(dataset.id, [{"messages": [{"role": "user", "content": "Hi"}]}])
    open_and_run(
        page,
        lab,
        "keys_messages.ipynb",
        ["from nbwidgets import Client, DatasetGrid", f"DatasetGrid(Client.sandbox(), {dataset.id!r})"],
        wait_for=GRID_ROWS,
    )
    page.locator(GRID_ROWS).first.locator("td.nbw-col-messages").dblclick()
    editor = page.locator(".nbw-grid .nbw-editor")
    cells_before = cells(page)
    editor.get_by_role("button", name="+ Add message").click()
    # the new message has the keys: typing goes into it (and no notebook shortcut fires)
    assert editor.get_by_label("Text of message 2").evaluate("(node) => node === document.activeElement")
    page.keyboard.press("d")
    page.keyboard.press("d")
    assert editor.get_by_label("Text of message 2").input_value() == "dd" and cells(page) == cells_before
    editor.get_by_label("Text of message 2").fill("")  # an empty assistant answer: said before it is saved
    editor.get_by_role("button", name="Save").click()
    alert = editor.locator(".nbw-field-error[role=alert]").first
    alert.get_by_text("Message 2 (assistant) is empty").wait_for()
    page.wait_for_timeout(300)
    with Client.orq(sandbox.api_key, sandbox.url) as client:
        assert len(client.get_datapoint(dataset.id, target.id).messages) == 1  # nothing sent yet
    # raw JSON with a bad role: the message and the role are named
    editor.get_by_label("Raw JSON").check()
    raw = editor.locator("textarea").first
    raw.fill('[{"role": "user", "content": "Hi"}, {"role": "bot", "content": "Hello"}]')
    editor.get_by_role("button", name="Save").click()
    alert.get_by_text('Message 2: Role "bot" is not a role').wait_for()
    raw.fill('[{"role": "user", "content": "Hi"}, {"role": "assistant", "content": ""}]')
    editor.get_by_role("button", name="Save").click()
    alert.get_by_text("Message 2 (assistant) is empty").wait_for()
    editor.get_by_role("button", name="Save").click()  # the same again: saved as it is, on purpose
    page.locator(GRID_ROWS).first.locator(".nbw-badge-saved").wait_for(timeout=20_000)
    with Client.orq(sandbox.api_key, sandbox.url) as client:
        saved = client.get_datapoint(dataset.id, target.id).messages
    assert [(m.role, m.content) for m in saved] == [("user", "Hi"), ("assistant", "")]


def test_the_review_and_the_form_light_and_dark_at_1400_and_800(browser, request, lab, sandbox):
    """Screenshots to look at (artifacts/screenshots/keys-*), and the review's density: five rows of a
    page fit on a 1400 x 1000 screen with the correction box open at a usable size."""
    from conftest import browser_page, screenshot, set_theme

    form_id = evaluator(sandbox, "e2e_keys_shots")
    cells_ = [
        REVIEW_SETUP.format(name="e2e-keys-shots").replace("page_size=4", "page_size=5").replace("limit=4", "limit=6"),
        f"from nbwidgets import EvaluatorForm\nEvaluatorForm(client, {form_id!r})",
    ]
    for width in (1400, 800):
        with browser_page(browser, request, width=width, height=1000) as page:
            open_and_run(page, lab, f"keys_shots_{width}.ipynb", cells_, wait_for=".nbw-form [data-path=key]")
            review = page.locator(".nbw-experiment")
            # generating five rows (a kernel and a sandbox shared with every other test run on a loaded machine):
            # the same bound as the notebook's own start, not half of it
            review.locator(".nbw-xrow[data-state=done]").nth(4).wait_for(timeout=60_000)
            if width == 1400:  # five rows of the page on one screen
                tops = review.locator(".nbw-xrow:not(.nbw-xhead) > .nbw-x-datapoint").evaluate_all(
                    "(cells) => cells.map((c) => c.getBoundingClientRect().top)"
                )
                bottom = (
                    review.locator(".nbw-xrow:not(.nbw-xhead)")
                    .nth(4)
                    .locator(".nbw-xcell")
                    .evaluate_all("(cells) => Math.max(...cells.map((c) => c.getBoundingClientRect().bottom))")
                )
                screenshot(page, f"keys-review-rows-{width}", review)
                assert bottom - tops[0] <= 800, f"five rows take {bottom - tops[0]:.0f} px"
            review.get_by_role("grid", name="Experiment outputs").focus()
            page.keyboard.press("1")
            page.keyboard.press("j")
            page.keyboard.press("c")
            review.get_by_role("textbox", name="Correction").wait_for()
            screenshot(page, f"keys-review-correction-{width}", review)
            box = review.get_by_role("textbox", name="Correction").bounding_box()
            # across the row (not ~160 px x 3 lines in the feedback column)
            assert box["width"] >= 0.8 * review.bounding_box()["width"] and box["height"] >= 100
            rows = review.locator(".nbw-xrow:not(.nbw-xhead)")
            # labelled before any value (a wait for it, not a one-off look)
            rows.nth(1).locator(".nbw-fb-label", has_text="Rating").wait_for(state="visible")
            if width == 1400:  # a re-run of the rated row says that its old output was rated
                page.keyboard.press("Escape")  # closes the correction; the keys stay in the review
                page.keyboard.press("k")
                page.keyboard.press("r")
                rows.nth(0).get_by_text("The previous output was rated Good (Rating)").wait_for(timeout=60_000)
                rows.nth(0).locator(".nbw-fb button[aria-pressed=true]").first.wait_for(state="detached")
                # one meaning of "generated" in the header and the footer
                review.locator(".nbw-progress", has_text="5 of 5 generated").wait_for(timeout=60_000)
                review.locator(".nbw-summary", has_text="5 generated").wait_for()
            for theme in ("JupyterLab Light", "JupyterLab Dark"):
                set_theme(page, theme)
                shade = "light" if "Light" in theme else "dark"
                review.scroll_into_view_if_needed()
                screenshot(page, f"keys-review-{width}-{shade}", review)
                page.locator(".nbw-form").scroll_into_view_if_needed()
                screenshot(page, f"keys-form-{width}-{shade}", page.locator(".nbw-form"))
            set_theme(page, "JupyterLab Light")


def test_a_failed_go_to_datapoint_line_goes_once_the_page_changes(page, lab, sandbox):
    open_and_run(
        page,
        lab,
        "keys_stale.ipynb",
        ["from nbwidgets import Client, DatasetGrid", f"DatasetGrid(Client.sandbox(), {sandbox.ids['support']!r})"],
        wait_for=GRID_ROWS,
    )
    grid = page.locator(".nbw-grid")
    grid.get_by_label("Datapoint id").fill("01NOSUCHDATAPOINT0000000000")
    grid.get_by_role("button", name="Go to datapoint").click()
    line = grid.get_by_text("Find datapoint 01NOSUCHDATAPOINT0000000000: no datapoint")
    line.wait_for(timeout=30_000)
    grid.get_by_role("button", name="Next page ›").click()
    grid.locator(".nbw-page", has_text="Page 2").wait_for()
    line.wait_for(state="detached", timeout=10_000)
