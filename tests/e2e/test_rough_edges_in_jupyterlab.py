"""Rough edges of issue #21 seen on screen in a real JupyterLab: the pager of a short displayed page, the
grid's Reviews column, copying a cell, layout and undo across a re-run, the word diff's legend."""

from __future__ import annotations

import pytest
from conftest import browser_page, open_and_run, run_cell, screenshot, set_theme

from nbwidgets import Client

pytestmark = pytest.mark.e2e
ROWS = ".nbw-grid table[role=grid] tbody tr[role=row][data-id]"


def test_a_displayed_page_of_three_shows_no_page_controls_that_do_nothing(page, lab, sandbox):
    cells = [
        "%load_ext nbwidgets\nfrom nbwidgets import Client\nclient = Client.sandbox()",
        f"client.datapoints_page({sandbox.ids['support']!r}, limit=3)",
    ]
    open_and_run(page, lab, "short_page.ipynb", cells, wait_for=ROWS)
    grid = page.locator(".nbw-grid").last
    page.wait_for_function("() => document.querySelectorAll('.nbw-grid tbody tr[data-id]').length === 3")
    pager = grid.locator(".nbw-pager")
    assert pager.is_visible() and "3" in pager.inner_text()
    assert pager.get_by_role("button").count() == 0, pager.inner_text()
    assert pager.locator("select, input").count() == 0, pager.inner_text()


def _review_words(evaluation) -> str:
    if evaluation.type == "string_array":
        return ", ".join(evaluation.values)
    if evaluation.type == "boolean":
        return "yes" if evaluation.value else "no"
    return f"{evaluation.value:g}" if evaluation.type == "number" else str(evaluation.value)


def test_the_reviews_column_shows_each_reviews_value_not_its_type_or_ids(page, lab, sandbox):
    with Client.orq(sandbox.api_key, sandbox.url) as client:
        rows = client.datapoints_page(sandbox.ids["support"], limit=25).items
    reviewed = {dp.id: [_review_words(e) for e in dp.evaluations] for dp in rows if dp.evaluations}
    assert reviewed, "the demo's first page has reviews"
    cell = f"from nbwidgets import Client, DatasetGrid\nDatasetGrid(Client.sandbox(), {sandbox.ids['support']!r})"
    open_and_run(page, lab, "reviews_column.ipynb", [cell], wait_for=ROWS)
    for datapoint_id, words in reviewed.items():
        chips = page.locator(f"{ROWS}[data-id='{datapoint_id}'] td.nbw-col-evaluations li")
        assert chips.all_inner_texts() == words
        for title in [chips.nth(i).get_attribute("title") for i in range(chips.count())]:
            assert title.startswith("Human review") and "01J" not in title, title
    shown = " ".join(page.locator(f"{ROWS} td.nbw-col-evaluations").all_inner_texts())
    assert "string:" not in shown and "number:" not in shown and "01J" not in shown


def copy_focused_cell(page) -> str | None:
    """Ctrl+C, and what the copy event put on the clipboard (None: no copy event, or nothing put there)."""
    page.evaluate("""() => {
        window.__copied = null;
        window.addEventListener('copy', (e) => { window.__copied = e.clipboardData.getData('text/plain'); },
                                {once: true});
    }""")
    page.keyboard.press("Control+c")
    page.wait_for_timeout(200)
    return page.evaluate("() => window.__copied")


def test_ctrl_c_on_a_focused_cell_copies_its_whole_text_and_hover_shows_it(page, lab, sandbox):
    with Client.orq(sandbox.api_key, sandbox.url) as client:
        first = client.datapoints_page(sandbox.ids["support"], limit=10).items[0]
    cell = f"from nbwidgets import Client, DatasetGrid\nDatasetGrid(Client.sandbox(), {sandbox.ids['support']!r})"
    open_and_run(page, lab, "copy_cell.ipynb", [cell], wait_for=ROWS)
    output = page.locator(f"{ROWS}[data-id='{first.id}'] td.nbw-col-expected_output")
    # the whole text on hover, though the one-line cell clips it
    assert output.get_attribute("title") == first.expected_output
    output.click()
    assert output.evaluate("(td) => document.activeElement === td")
    assert copy_focused_cell(page) == first.expected_output
    # inputs as key: value lines; the number cell gives the datapoint's id
    page.keyboard.press("ArrowLeft")  # the inputs (or messages) column, whichever sits left of the output
    key = page.evaluate("() => document.activeElement.dataset.key")
    text = copy_focused_cell(page)
    if key == "inputs":
        assert text.splitlines()[0] == f"ticket: {first.inputs['ticket']}"
    page.keyboard.press("Home")
    assert copy_focused_cell(page) == first.id


def test_a_double_click_opens_the_editor_without_selecting_a_word(page, lab, sandbox):
    cell = f"from nbwidgets import Client, DatasetGrid\nDatasetGrid(Client.sandbox(), {sandbox.ids['support']!r})"
    open_and_run(page, lab, "dblclick_cell.ipynb", [cell], wait_for=ROWS)
    for key in ("inputs", "expected_output", "messages", "evaluations"):
        target = page.locator(f"{ROWS} td.nbw-col-{key}").nth(2).locator(".nbw-cell")
        box = target.bounding_box()
        page.mouse.dblclick(box["x"] + 30, box["y"] + box["height"] / 2)
        page.wait_for_timeout(300)
        assert page.evaluate("() => String(document.getSelection())") == "", key
        page.keyboard.press("Escape")


def test_grid_layout_at_1400_with_the_file_browser_open(page, lab, sandbox):
    cell = f"from nbwidgets import Client, DatasetGrid\ngrid = DatasetGrid(Client.sandbox(), {sandbox.ids['support']!r})\ngrid"
    open_and_run(page, lab, "grid_layout.ipynb", [cell], wait_for=ROWS)
    assert page.locator(".jp-FileBrowser").first.is_visible()  # the file browser takes its room
    page.wait_for_timeout(300)
    box = page.locator(".nbw-grid .nbw-scroll").bounding_box()
    status = page.locator(".nbw-grid th.nbw-state").bounding_box()
    updated = page.locator(".nbw-grid th.nbw-col-updated").bounding_box()
    # every column in view without scrolling: the last one (Updated) wholly left of the pinned Status
    assert updated["x"] >= box["x"] and updated["x"] + updated["width"] <= status["x"] + 1, (updated, status)
    assert page.locator(".nbw-grid .nbw-table-wrap.nbw-overflows").count() == 0
    # a role badge has no coloured left border (which read as a stray "(")
    badge = page.locator(f"{ROWS} .nbw-badge.nbw-role").first
    assert badge.evaluate("(el) => getComputedStyle(el).borderLeftWidth") == "0px"
    # the density button says what a click does, and changes with it
    page.get_by_role("button", name="Taller rows").click()
    page.wait_for_selector(".nbw-grid.nbw-comfortable")
    page.get_by_role("button", name="One-line rows").wait_for()
    # comfortable: input pills are whole lines cut with an ellipsis, none cut halfway down
    chips = page.locator(f"{ROWS} td.nbw-col-inputs .nbw-kvchip")
    style = chips.first.evaluate("(el) => [getComputedStyle(el).whiteSpace, getComputedStyle(el).textOverflow]")
    assert style == ["nowrap", "ellipsis"], style
    cut = page.evaluate("""() => [...document.querySelectorAll('.nbw-grid tbody td.nbw-col-inputs')].some((td) => {
        const cell = td.querySelector('.nbw-cell').getBoundingClientRect();
        return [...td.querySelectorAll('.nbw-kvchip')].some((chip) => chip.getBoundingClientRect().bottom > cell.bottom + 1);
    })""")
    assert not cut
    assert run_cell(page, "print(grid.density)").strip() == "comfortable"


def test_the_word_diff_names_its_sides_and_shows_unrelated_texts_as_two_blocks(page, lab, sandbox):
    cell = f"from nbwidgets import Client, DatasetGrid\nDatasetGrid(Client.sandbox(), {sandbox.ids['rag']!r})"
    open_and_run(page, lab, "diff_blocks.ipynb", [cell], wait_for=ROWS)
    page.locator(f"{ROWS} td.nbw-col-expected_output").first.dblclick()
    editor = page.locator(".nbw-grid tr.nbw-editor-row textarea").first
    editor.wait_for()
    saved = editor.input_value()
    # a small change: inline, under a legend that says which side is which
    editor.fill(saved + " Thanks.")
    diff = page.locator(".nbw-grid tr.nbw-editor-row .nbw-diff").first
    legend = diff.locator(".nbw-diff-legend")
    assert legend.inner_text() == "struck only in the saved text · marked only in the text as edited"
    assert diff.locator("ins").last.inner_text().strip() == "Thanks."
    # a rewrite: the saved text whole, then the new text whole, not words alternating
    rewrite = "Please restart the router, then check whether the status light turns green again within a minute."
    editor.fill(rewrite)
    blocks = diff.locator(".nbw-diff-block")
    blocks.nth(1).wait_for()
    assert blocks.nth(0).locator("del").inner_text() == saved
    assert blocks.nth(1).locator("ins").inner_text() == rewrite
    assert diff.locator("del, ins").count() == 2
    page.keyboard.press("Escape")


def test_the_reviews_difference_column_has_room_and_a_legend(page, lab, sandbox):
    from test_experiment_in_jupyterlab import REVIEW, SETUP

    setup = SETUP.replace("e2e-experiment", "e2e-experiment-diff-room")
    open_and_run(page, lab, "experiment_diff.ipynb", [setup, REVIEW], wait_for=".nbw-experiment .nbw-xgrid")
    widget = page.locator(".nbw-experiment").first
    widget.locator(".nbw-xrow[data-state=done]").nth(4).wait_for(timeout=30_000)
    diff = widget.locator(".nbw-xrow:not(.nbw-xhead) .nbw-x-diff").first
    # at 1400 px with the file browser open the difference column was about 170 px wide
    assert diff.bounding_box()["width"] >= 220, diff.bounding_box()
    assert diff.locator(".nbw-diff-legend").first.inner_text().endswith("only in the output") or (
        "share little" in diff.locator(".nbw-diff-legend").first.inner_text()
    )


def test_feedback_labels_roles_names_and_no_empty_status_line(page, lab, sandbox):
    trace = sandbox.new_trace("trace-e2e-rough-feedback")
    cells = [
        "from nbwidgets import Client, FeedbackButtons\nclient = Client.sandbox()",
        f"FeedbackButtons(client, {trace!r}, property='rating', kind='thumbs')",
        f"FeedbackButtons(client, {trace!r}, property='verdict', kind='choice')",
        f"FeedbackButtons(client, {trace!r}, property='issues', kind='choices')",
        f"FeedbackButtons(client, {trace!r}, property='correction', kind='correction', output='Paris.')",
    ]
    open_and_run(page, lab, "feedback_rough.ipynb", cells, wait_for=".nbw-feedback .nbw-correction textarea")
    thumbs, choice, choices, correction = (page.locator(".nbw-feedback").nth(i) for i in range(4))
    # the accessible name begins with the words on the button
    for word, name in (("Good", "Good (thumbs up)"), ("Bad", "Bad (thumbs down)")):
        button = thumbs.get_by_role("button", name=name, exact=True)
        assert button.inner_text().strip() == word
        # the thumb and its word on one line
        icon, box = button.locator("svg").bounding_box(), button.bounding_box()
        assert icon["height"] < box["height"] and box["height"] < 2.2 * icon["height"], (icon, box)
    # one of several: radios in a radiogroup; any of several: checkboxes; each says whether it is chosen
    group = choice.get_by_role("radiogroup")
    group.get_by_role("radio", name="correct", exact=True).click()
    choice.locator(".nbw-status[data-state=sent]").wait_for()
    assert group.get_by_role("radio", name="correct", exact=True).get_attribute("aria-checked") == "true"
    assert group.get_by_role("radio", name="wrong").get_attribute("aria-checked") == "false"
    assert [(f["property"], f["value"]) for f in sandbox.feedback(trace)] == [
        ("verdict", ["correct"])
    ]  # a single choice: an array of one
    assert choices.get_by_role("checkbox").count() == 4 and choices.get_by_role("radio").count() == 0
    radio_mark = choice.locator(".nbw-choice-mark").first.evaluate("(el) => getComputedStyle(el).borderRadius")
    box_mark = choices.locator(".nbw-choice-mark").first.evaluate("(el) => getComputedStyle(el).borderRadius")
    assert radio_mark != box_mark  # they look different too
    # the correction's label once (not the property's name and the box's label both)
    assert (
        correction.inner_text().lower().count("correction")
        == correction.get_by_role("button", name="Send correction").inner_text().lower().count("correction") + 1
    )
    # no line kept empty for a status: the status sits on the controls' line
    for widget in (thumbs, choices):
        status = widget.locator(".nbw-status")
        parts = widget.evaluate("(el) => [...el.children].map(c => [c.className, c.getBoundingClientRect().height])")
        # one line: the controls' (the status in it); nothing else of the widget takes room
        assert all(height == 0 for name, height in parts if "nbw-toolbar" not in name), parts
        assert status.evaluate("(el) => el.parentElement.classList.contains('nbw-toolbar')")


@pytest.fixture
def tall_page(browser, request):
    with browser_page(browser, request, width=1400, height=900) as page:
        yield page


def shown_errors(form) -> list[str]:
    return [t.strip() for t in form.locator(".nbw-field-error").all_inner_texts() if t.strip()]


def test_form_errors_in_its_own_words_on_touch_or_save_and_a_sticky_save_bar(tall_page, lab, sandbox):
    page = tall_page
    cells = ["from nbwidgets import Client, EvaluatorForm\nform = EvaluatorForm(Client.sandbox())\nform"]
    open_and_run(page, lab, "form_rough.ipynb", cells, wait_for=".nbw-form .nbw-field input")
    form = page.locator(".nbw-form")
    page.wait_for_timeout(500)  # the kernel's first problems have arrived
    # a blank new form: nothing typed, nothing shouted
    assert shown_errors(form) == [] and form.locator(".nbw-form-problems").inner_text().strip() == ""
    # a jury with a judge just added: no "a model is required" at once
    form.get_by_label("Jury").check()
    form.get_by_role("button", name="Add judge").click()
    form.get_by_role("group", name="Judge 3").wait_for()
    page.wait_for_timeout(300)
    assert shown_errors(form) == []
    # replacement judges and the tie value say what they are
    assert "steps in for a judge that fails" in form.inner_text()
    assert "votes are split evenly" in form.inner_text()
    # typed: its problem at once, in the form's words
    repetitions = form.get_by_label("Repetitions")
    repetitions.fill("4")
    error = form.locator("[data-path=repetitions] ~ .nbw-field-error")
    page.wait_for_function(
        "() => document.querySelector('.nbw-form [data-path=repetitions] ~ .nbw-field-error').textContent.trim()"
    )
    assert error.inner_text().strip() == "Repetitions can be at most 3"
    repetitions.fill("1.5")
    page.wait_for_function(
        "() => document.querySelector('.nbw-form [data-path=repetitions] ~ .nbw-field-error').textContent"
        ".includes('whole number')"
    )
    assert error.inner_text().strip() == "Repetitions must be a whole number"
    repetitions.fill("2")
    # the jury form is far taller than the window: its save bar stays in view at the bottom
    page.locator(".nbw-form [data-path=key]").scroll_into_view_if_needed()
    page.wait_for_timeout(300)  # the bar follows the scroll on the next frame
    save = form.get_by_role("button", name="Create evaluator")
    bar = form.locator(".nbw-form-footer").bounding_box()
    assert form.bounding_box()["height"] > 900 and bar["y"] >= 0 and bar["y"] + bar["height"] <= 900 + 1, bar
    # Save shows every problem, the empty key's in words of its own
    save.click()
    page.wait_for_function(
        "() => document.querySelector('.nbw-form [data-path=key] ~ .nbw-field-error').textContent.trim()"
    )
    assert form.locator("[data-path=key] ~ .nbw-field-error").inner_text().strip() == "A key is required"
    assert "Input should" not in form.inner_text() and "String should" not in form.inner_text()
    assert form.locator(".nbw-form-problems").inner_text().strip().endswith("to fix before saving")


def test_the_prompts_changes_go_after_save_and_after_reload(page, lab, sandbox):
    with Client.orq(sandbox.api_key, sandbox.url) as client:
        created = client.create_evaluator(
            {"key": "e2e_prompt_changes", "prompt": "Is {{output}} right?", "model": "openai/gpt-4o"}
        )
    cells = [f"from nbwidgets import Client, EvaluatorForm\nEvaluatorForm(Client.sandbox(), {created.id!r})"]
    open_and_run(page, lab, "form_prompt_changes.ipynb", cells, wait_for=".nbw-form textarea[data-path=prompt]")
    form = page.locator(".nbw-form")
    prompt = form.locator("textarea[data-path=prompt]")
    page.wait_for_function("() => document.querySelector('.nbw-form textarea[data-path=prompt]').value !== ''")
    changes = form.get_by_role("group", name="Prompt changes")
    prompt.fill("Is {{output}} right and polite?")
    changes.wait_for()
    form.get_by_role("button", name="Save", exact=True).click()
    form.locator(".nbw-notice").filter(has_text="Saved").wait_for()
    changes.wait_for(state="hidden")
    prompt.fill("Is {{output}} right, polite and short?")
    changes.wait_for()
    form.get_by_role("button", name="Reload").click()
    page.wait_for_function(
        "() => document.querySelector('.nbw-form textarea[data-path=prompt]').value === 'Is {{output}} right and polite?'"
    )
    changes.wait_for(state="hidden")


def test_a_re_run_cell_gets_the_datasets_column_layout_and_undo_back(page, lab, sandbox):
    with Client.orq(sandbox.api_key, sandbox.url) as client:
        dataset = client.create_dataset("e2e-rerun-layout-undo")
        client.create_datapoints(
            dataset.id, [{"inputs": {"q": f"question {i}"}, "expected_output": f"answer {i}"} for i in range(3)]
        )
    grid_cell = f"from nbwidgets import Client, DatasetGrid\ngrid = DatasetGrid(Client.sandbox(), {dataset.id!r})\ngrid"
    open_and_run(page, lab, "rerun.ipynb", [grid_cell], wait_for=ROWS)
    header = page.locator(".nbw-grid th[data-key=inputs]")
    before = header.bounding_box()["width"]
    handle = header.locator(".nbw-resize").bounding_box()
    page.mouse.move(handle["x"] + 3, handle["y"] + handle["height"] / 2)
    page.mouse.down()
    page.mouse.move(handle["x"] + 83, handle["y"] + handle["height"] / 2, steps=5)
    page.mouse.up()
    page.wait_for_function(
        f"() => document.querySelector('.nbw-grid th[data-key=inputs]').getBoundingClientRect().width > {before + 60}"
    )
    widened = header.bounding_box()["width"]
    first = page.locator(ROWS).first
    datapoint_id = first.get_attribute("data-id")
    first.locator("td.nbw-col-expected_output").dblclick()
    editor = page.locator(".nbw-grid tr.nbw-editor-row textarea").first
    editor.fill("edited before the re-run")
    editor.press("Control+Enter")
    page.locator(".nbw-grid .nbw-state-saved").first.wait_for()
    # the cell runs again: a new grid on the same dataset
    page.evaluate("""async () => {
        const notebook = window.jupyterapp.shell.currentWidget.content;
        notebook.activeCellIndex = 0;
        await window.jupyterapp.commands.execute('notebook:run-cell');
    }""")
    page.wait_for_function("() => !document.querySelector('.nbw-grid .nbw-state-saved')")  # a new view
    page.locator(ROWS).first.wait_for()
    assert abs(page.locator(".nbw-grid th[data-key=inputs]").bounding_box()["width"] - widened) < 4
    undo = page.locator(".nbw-grid").get_by_role("button", name="Undo", exact=True)
    page.wait_for_function("() => !document.querySelector('.nbw-grid .nbw-toolbar button[title^=Undo]').disabled")
    undo.click()
    cell = page.locator(f"{ROWS}[data-id='{datapoint_id}'] td.nbw-col-expected_output")
    page.wait_for_function(
        f"""() => document.querySelector("{ROWS}[data-id='{datapoint_id}'] td.nbw-col-expected_output")
            ?.innerText.trim() === 'answer 0'"""
    )
    assert cell.inner_text().strip() == "answer 0"
    with Client.orq(sandbox.api_key, sandbox.url) as client:
        assert client.get_datapoint(dataset.id, datapoint_id).expected_output == "answer 0"


@pytest.mark.parametrize("width", [1400, 800])
def test_screenshots_of_the_grid_form_and_feedback_light_and_dark(browser, request, lab, sandbox, width):
    trace = sandbox.new_trace(f"trace-e2e-shots-{width}")
    cells = [
        "from nbwidgets import Client, DatasetGrid, EvaluatorForm, FeedbackButtons\nclient = Client.sandbox()",
        f"DatasetGrid(client, {sandbox.ids['support']!r}, page_size=10)",
        f"EvaluatorForm(client, {sandbox.ids['tone_check']!r})",
        f"FeedbackButtons(client, {trace!r}, kind='thumbs', output='Paris is the capital of France.')",
        f"FeedbackButtons(client, {trace!r}, property='issues', kind='choices')",
        f"FeedbackButtons(client, {trace!r}, property='correction', kind='correction', output='Paris.')",
    ]
    with browser_page(browser, request, width=width, height=900) as page:
        open_and_run(page, lab, f"shots_{width}.ipynb", cells, wait_for=".nbw-feedback .nbw-correction textarea")
        page.locator(ROWS).first.wait_for()
        page.locator(".nbw-form [data-path=key]").first.wait_for()
        for theme, name in (("JupyterLab Light", "light"), ("JupyterLab Dark", "dark")):
            set_theme(page, theme)
            for widget, locator in (
                ("grid", page.locator(".nbw-grid").first),
                ("form", page.locator(".nbw-form").first),
                ("feedback", page.locator(".jp-Notebook")),
            ):
                if widget == "feedback":
                    page.locator(".nbw-feedback").first.scroll_into_view_if_needed()
                else:
                    locator.scroll_into_view_if_needed()
                page.wait_for_timeout(200)
                screenshot(page, f"rough-{widget}-{width}-{name}", None if widget == "feedback" else locator)
            colors = page.locator(".nbw-grid").first.evaluate(
                "(el) => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color]"
            )
            assert colors[0] != colors[1]
        set_theme(page, "JupyterLab Light")
