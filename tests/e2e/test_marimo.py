"""The widgets in marimo: a real `marimo edit` server (and `marimo run` for the example app) on a free
port, notebooks written by the tests, headless Chromium; the sandbox confirms what the widgets did.

marimo renders each anywidget in a shadow root: Playwright locators pierce it, `document.querySelector`
in page scripts does not, so every wait here polls through locators.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from conftest import screenshot
from playwright.sync_api import expect
from servers import Marimo, start_marimo, stop_pid

from nbwidgets import Client

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "example_notebooks" / "07_marimo_app.py"
ROW = "table[role=grid] tbody tr[role=row]"
ROWS = f".nbw-grid {ROW}"
SETUP = "import marimo as mo\nfrom nbwidgets import Client, DatasetGrid, EvaluatorForm, FeedbackButtons\nclient = Client.sandbox()"


@pytest.fixture(scope="module")
def marimo(sandbox):
    server = start_marimo(sandbox)
    yield server
    stop_pid(server.process)


def open_app(page, server: Marimo, name: str, cells: list[str], wait_for: str) -> None:
    """Write a marimo notebook, open it in the editor (its cells run on open) and wait for `wait_for`."""
    path = server.write_app(name, cells)
    page.goto(server.app_url(path))
    errors = page.locator(".marimo-error, .marimo-cell [data-status=errored]")
    page.locator(f"{wait_for}, .marimo-error").first.wait_for(timeout=90_000)
    if errors.count():
        raise AssertionError("a cell failed: " + errors.first.inner_text()[:2000])


def marimo_cells(page):
    return page.locator(".marimo-cell")


def focus_path(page) -> list[str]:
    """The focused element, through shadow roots: tag and classes at each level."""
    return page.evaluate("""() => {
        const path = [];
        let active = document.activeElement;
        while (active) {
            path.push(active.tagName + '.' + String(active.className));
            active = active.shadowRoot ? active.shadowRoot.activeElement : null;
        }
        return path;
    }""")


def test_grid_renders_pages_and_saves_an_edit_without_firing_marimo_shortcuts(page, marimo, sandbox):
    dataset = sandbox.ids["support"]
    open_app(
        page,
        marimo,
        "grid.py",
        [SETUP, f"grid = mo.ui.anywidget(DatasetGrid(client, {dataset!r}, page_size=10))\ngrid"],
        wait_for=ROWS,
    )
    rows = page.locator(ROWS)
    assert rows.count() == 10
    grid = page.locator(".nbw-grid")
    # marimo shows the widget well after it is made: the page the kernel sent ahead then is asked for again,
    # so the first flip is served on the spot too
    page.locator(".nbw-grid[data-pages-ahead~='2']").wait_for(timeout=30_000)
    assert grid.get_by_text("Page 1 of 12").is_visible() and grid.get_by_text("Sandbox data").is_visible()
    first = rows.first.get_attribute("data-id")
    grid.get_by_role("button", name="Next page").click()
    grid.get_by_text("Page 2 of 12").wait_for()
    assert rows.first.get_attribute("data-id") != first
    grid.get_by_role("button", name="Previous page").click()
    grid.get_by_text("Page 1 of 12").wait_for()

    # keys inside the grid are the grid's: marimo's command-mode keys (a, b: add a cell; d d: delete) stay quiet
    cells = marimo_cells(page).count()
    grid.evaluate("el => { el.dataset.testMark = 'same widget' }")
    table = grid.locator("[role=grid] [tabindex='0']")  # the table's one tab stop
    table.focus()
    for key in ["j", "k", "j", "a", "b", "d", "d"]:
        page.keyboard.press(key)
    selected = grid.locator(f"{ROW}[aria-selected=true]")
    assert selected.get_attribute("data-id") == rows.nth(1).get_attribute("data-id")
    assert marimo_cells(page).count() == cells

    target = selected.get_attribute("data-id")
    page.keyboard.press("Enter")
    editor = grid.locator(".nbw-editor textarea")
    editor.wait_for()
    editor.press("End")
    editor.type(" Checked in marimo.")
    editor.press("Control+Enter")  # saves the edit; does not run the cell
    grid.locator(f"{ROW}[data-id='{target}'] .nbw-state-saved").wait_for()
    with Client.orq(sandbox.api_key, sandbox.url) as other:
        saved = other.get_datapoint(dataset, target)
    assert saved.expected_output.endswith(" Checked in marimo.")
    assert "Checked in marimo." in grid.locator(f"{ROW}[data-id='{target}']").inner_text()  # and on screen
    assert grid.get_attribute("data-test-mark") == "same widget"  # the cell was not re-run
    assert marimo_cells(page).count() == cells

    # Esc, Esc: out of the editor, then focus back to the widget's marimo cell (its command mode)
    table.focus()
    page.keyboard.press("Escape")
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.classList.contains('marimo-cell')", timeout=10_000
    )
    assert not any("nbw" in level for level in focus_path(page))
    screenshot(page, "marimo-grid")


def test_evaluator_form_renders_edits_and_saves(page, marimo, sandbox):
    with Client.orq(sandbox.api_key, sandbox.url) as client:
        created = client.create_evaluator(
            {"key": "marimo_form", "prompt": "Is {{output}} right?", "model": "openai/gpt-4o"}
        )
    open_app(
        page,
        marimo,
        "form.py",
        [SETUP, f"form = mo.ui.anywidget(EvaluatorForm(client, {created.id!r}))\nform"],
        wait_for=".nbw-form .nbw-field input",
    )
    form = page.locator(".nbw-form")
    key = form.get_by_label("Key", exact=True)
    expect(key).to_have_value("marimo_form", timeout=30_000)  # the form fills from the loaded evaluator
    cells = marimo_cells(page).count()
    description = form.get_by_label("Description", exact=True)
    description.fill("Edited in marimo")
    description.press("b")  # a marimo command key: typed into the field, not acted on
    description.press("Backspace")
    assert marimo_cells(page).count() == cells
    form.get_by_text("Unsaved changes").wait_for()
    save = form.get_by_role("button", name="Save", exact=True)
    save.click()
    form.locator(".nbw-notice", has_text="Saved").wait_for()
    with Client.orq(sandbox.api_key, sandbox.url) as client:
        stored = client.get_evaluator(created.id)
    assert stored.description == "Edited in marimo"
    assert description.input_value() == "Edited in marimo" and not form.get_by_text("Unsaved changes").is_visible()
    screenshot(page, "marimo-form", form)
    # a jury makes the form far taller than the window: it grows the page, in no scroll box of its own
    form.get_by_label("Jury").check()
    form.get_by_role("group", name="Judge 2").wait_for()
    assert form.evaluate(INNER_SCROLLERS) == []


# Boxes around `node` (through shadow roots, up to the page) that scroll their content while smaller than
# the window: a widget inside one scrolls inside the page.
INNER_SCROLLERS = """(node) => {
    const found = [];
    let current = node.parentElement ?? node.getRootNode().host;
    while (current && current !== document.documentElement) {
        const style = getComputedStyle(current);
        if (/(auto|scroll)/.test(style.overflowY) && current.scrollHeight > current.clientHeight + 2
                && current.clientHeight < window.innerHeight - 40)
            found.push(`${current.tagName}.${String(current.className).slice(0, 60)} ${current.clientHeight}/${current.scrollHeight}`);
        current = current.parentElement ?? current.getRootNode().host ?? null;
    }
    return found;
}"""


def test_feedback_click_is_recorded_and_shown(page, marimo, sandbox):
    trace = sandbox.new_trace("trace-marimo-feedback")
    open_app(
        page,
        marimo,
        "feedback.py",
        [
            SETUP,
            f"buttons = mo.ui.anywidget(FeedbackButtons(client, {trace!r}, property='rating', kind='thumbs'))\nbuttons",
        ],
        wait_for=".nbw-feedback button",
    )
    buttons = page.locator(".nbw-feedback")
    # the thumb and its word on one line (marimo's CSS makes an svg a block)
    for name in ("Thumbs up", "Thumbs down"):
        button = buttons.get_by_role("button", name=name)
        icon, word = button.locator("svg").bounding_box(), button.bounding_box()
        assert word["height"] < 2.2 * icon["height"], (name, icon, word)
    buttons.get_by_role("button", name="Thumbs up").click()
    buttons.locator(".nbw-status[data-state=sent]").wait_for()
    assert buttons.get_by_role("button", name="Thumbs up").get_attribute("aria-pressed") == "true"
    assert [(f["property"], f["value"]) for f in sandbox.feedback(trace)] == [("rating", "good")]


def _rgb(css: str) -> tuple[int, ...]:
    return tuple(int(float(v)) for v in re.findall(r"[\d.]+", css)[:3])


def _luminance(css: str) -> float:
    r, g, b = _rgb(css)
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_widgets_follow_marimos_theme(browser, marimo, sandbox, scheme):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, color_scheme=scheme)
    page = context.new_page()
    try:
        open_app(
            page,
            marimo,
            f"theme_{scheme}.py",
            [
                SETUP,
                f"grid = mo.ui.anywidget(DatasetGrid(client, {sandbox.ids['support']!r}, page_size=10))\ngrid",
                f"buttons = mo.ui.anywidget(FeedbackButtons(client, {sandbox.new_trace('trace-marimo-theme')!r}, kind='thumbs'))\nbuttons",
            ],
            wait_for=ROWS,
        )
        page.wait_for_function(f"() => document.body.classList.contains('{scheme}')")
        grid = page.locator(".nbw-grid")
        colours = grid.evaluate(
            "el => ({bg: getComputedStyle(el).backgroundColor, fg: getComputedStyle(el).color,"
            " page: getComputedStyle(document.body).getPropertyValue('--background').trim()})"
        )
        if scheme == "dark":
            assert _luminance(colours["bg"]) < 0.2 and _luminance(colours["fg"]) > 0.7, colours
        else:
            assert _luminance(colours["bg"]) > 0.9 and _luminance(colours["fg"]) < 0.3, colours
        # the grid's background is marimo's own background colour, whichever the theme
        expected = page.evaluate(
            "(value) => { const probe = document.createElement('div'); probe.style.color = value;"
            " document.body.append(probe); const c = getComputedStyle(probe).color; probe.remove(); return c }",
            colours["page"],
        )
        assert _rgb(colours["bg"]) == _rgb(expected)
        button = page.locator(".nbw-feedback button").first
        assert (_luminance(button.evaluate("el => getComputedStyle(el).color")) > 0.6) == (scheme == "dark")
        screenshot(page, f"marimo-{scheme}")
        page.set_viewport_size({"width": 800, "height": 1000})
        screenshot(page, f"marimo-{scheme}-800")
    finally:
        context.close()


def test_rerunning_a_cell_releases_the_widget_it_replaces(page, marimo, sandbox):
    open_app(
        page,
        marimo,
        "rerun.py",
        [
            SETUP + "\nfrom ipywidgets.widgets.widget import _instances as widget_registry",
            f"grid = mo.ui.anywidget(DatasetGrid(client, {sandbox.ids['support']!r}, page_size=10))\ngrid",
            "grid\nalive = sum(isinstance(w, DatasetGrid) for w in list(widget_registry.values()))\n"
            "mo.md(f'grids alive: {alive}')",
        ],
        wait_for=ROWS,
    )
    page.get_by_text("grids alive: 1").wait_for()
    old = page.locator(".nbw-grid")
    old.evaluate("el => { el.dataset.testMark = 'old' }")
    grid_cell = marimo_cells(page).nth(1)
    grid_cell.locator(".cm-content").click()
    page.keyboard.press("Control+Enter")  # re-run the grid's cell: a new DatasetGrid replaces the old
    page.locator(".nbw-grid:not([data-test-mark])").locator("tbody tr[role=row]").first.wait_for(timeout=60_000)
    assert page.locator(".nbw-grid").count() == 1
    page.get_by_text("grids alive: 1").wait_for()  # the replaced one was released, not kept
    page.locator(".nbw-grid").get_by_role("button", name="Next page").click()
    page.locator(".nbw-grid").get_by_text("Page 2 of 12").wait_for()  # and the new one answers


def test_the_example_app_runs_in_marimo_run(page, sandbox):
    assert EXAMPLE.exists()
    server = start_marimo(sandbox, mode="run", target=EXAMPLE)
    try:
        page.goto(server.url)
        page.locator(f"{ROWS}, .marimo-error").first.wait_for(timeout=90_000)
        assert page.locator(".marimo-error").count() == 0
        assert page.locator(".nbw-grid").count() >= 1 and page.locator(".nbw-form").count() == 1
        page.locator(".nbw-grid").first.get_by_role("button", name="Next page").click()
        page.locator(".nbw-grid").first.get_by_text("Page 2 of").wait_for()
        feedback = page.locator(".nbw-feedback")
        feedback.get_by_role("button", name="Thumbs up").click()
        feedback.locator(".nbw-status[data-state=sent]").wait_for()
        recorded = [f for f in sandbox.feedback() if f["property"] == "rating" and f["value"] == "good"]
        assert recorded, "the click was not recorded"
        screenshot(page, "marimo-example-app")
    finally:
        stop_pid(server.process)


def test_experiment_review_runs_its_function_and_records_a_thumbs_up(page, marimo, sandbox):
    support = sandbox.ids["support"]
    open_app(
        page,
        marimo,
        "experiment.py",
        [
            "import marimo as mo\nfrom nbwidgets import Client, ExperimentReview\nclient = Client.sandbox()",
            f"review = mo.ui.anywidget(ExperimentReview(client, {support!r}, deployment='support-reply', page_size=5))\nreview",
        ],
        wait_for=".nbw-experiment .nbw-xgrid",
    )
    widget = page.locator(".nbw-experiment")
    widget.locator(".nbw-xrow[data-state=done]").nth(4).wait_for(timeout=60_000)
    cells = marimo_cells(page).count()

    def thumbs_up() -> int:
        return len([f for f in sandbox.feedback() if f["property"] == "rating" and f["value"] == "good"])

    before = thumbs_up()
    widget.get_by_role("grid", name="Experiment outputs").focus()
    page.keyboard.press("1")  # the first row: thumbs up (a marimo key otherwise)
    assert marimo_cells(page).count() == cells
    deadline = time.monotonic() + 30
    while thumbs_up() == before:
        assert time.monotonic() < deadline, "the thumbs up was not recorded"
        time.sleep(0.1)


def test_a_click_on_a_widget_part_that_is_not_a_control_keeps_marimo_command_keys_out(page, marimo, sandbox):
    with Client.orq(sandbox.api_key, sandbox.url) as client:
        created = client.create_evaluator(
            {"key": "marimo_keys_form", "prompt": "Is {{output}} polite?", "model": "openai/gpt-4o"}
        )
    open_app(
        page,
        marimo,
        "keys.py",
        [
            SETUP + "\nfrom nbwidgets import ExperimentReview",
            f"form = mo.ui.anywidget(EvaluatorForm(client, {created.id!r}))\nform",
            "review = mo.ui.anywidget(ExperimentReview(client, generate=lambda dp: 'an answer', page_size=3))\nreview",
        ],
        wait_for=".nbw-experiment .nbw-xrow[data-state=done]",
    )
    form, review = page.locator(".nbw-form"), page.locator(".nbw-experiment")
    expect(form.locator("[data-path=key]")).to_have_value("marimo_keys_form", timeout=30_000)
    cells = marimo_cells(page).count()
    for part in [
        form.locator("legend", has_text="Judging"),
        form.locator("legend", has_text="Guardrail"),
        form.locator(".nbw-title"),
        review.locator(".nbw-title"),
        review.locator(".nbw-progress"),
    ]:
        # to the middle of the window: marimo's own bars (and the form's save bar) cover its edges
        part.evaluate("(el) => el.scrollIntoView({block: 'center'})")
        page.wait_for_timeout(100)
        box = part.bounding_box()
        page.mouse.click(box["x"] + 2, box["y"] + box["height"] / 2)
        page.wait_for_timeout(50)
        for key in ["d", "d", "a", "b"]:
            page.keyboard.press(key)
        page.wait_for_timeout(150)
        assert marimo_cells(page).count() == cells, f"a command key after a click on {part} changed the cells"
        assert any("nbw" in level for level in focus_path(page)), f"focus left the widget after {part}"
    # Ctrl+S right after typing, in a form just saved: the save sees the typed text (issue 21, item 6)
    description = form.get_by_label("Description", exact=True)
    for word in ["first", " second"]:
        description.press("End")
        description.type(word, delay=10)
        description.press("Control+s")
        expected = description.input_value()
        deadline = time.monotonic() + 20
        with Client.orq(sandbox.api_key, sandbox.url) as client:
            while client.get_evaluator(created.id).description != expected and time.monotonic() < deadline:
                time.sleep(0.1)
            assert client.get_evaluator(created.id).description == expected
        form.locator(".nbw-notice", has_text="Saved").wait_for(timeout=20_000)
    assert marimo_cells(page).count() == cells
