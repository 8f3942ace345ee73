"""DatasetGrid's view in a real JupyterLab: density, columns, the narrow layout, the message editor, the
word diff, find, the pager, keyboard and theme. Each asserts what is on the screen after writes settle."""

from __future__ import annotations

import pytest
from conftest import browser_page, inside, open_and_run, run_cell, screenshot, set_theme

from nbwidgets import Client

pytestmark = pytest.mark.e2e
ROWS = ".nbw-grid table[role=grid] tbody tr[role=row][data-id]"
SETUP = "from nbwidgets import Client, DatasetGrid"

# How many body rows of the last grid lie wholly inside both its scroll box and the window.
VISIBLE_ROWS_JS = """() => {
    const grid = [...document.querySelectorAll('.nbw-grid')].pop();
    const box = grid.querySelector('.nbw-scroll').getBoundingClientRect();
    const head = grid.querySelector('thead').getBoundingClientRect();
    const top = Math.max(box.top, head.bottom, 0), bottom = Math.min(box.bottom, window.innerHeight);
    return [...grid.querySelectorAll('tbody tr[data-id]')]
        .map(tr => tr.getBoundingClientRect()).filter(r => r.top >= top - 1 && r.bottom <= bottom + 1).length;
}"""


def grid_on_top(page) -> None:
    page.locator(".nbw-grid").last.evaluate("(el) => el.scrollIntoView({block: 'start'})")


@pytest.fixture
def tall_page(browser, request):
    with browser_page(browser, request, width=1400, height=900) as page:
        yield page


@pytest.fixture
def narrow_page(browser, request):
    with browser_page(browser, request, width=800, height=900) as page:
        yield page


def test_compact_shows_15_of_25_rows_at_1400x900_in_light_and_dark(tall_page, lab, sandbox):
    page = tall_page
    grid_cell = f"grid = DatasetGrid(Client.sandbox(), {sandbox.ids['support']!r}, page_size=25)\ngrid"
    open_and_run(page, lab, "grid_density.ipynb", [SETUP, grid_cell], wait_for=ROWS)
    page.wait_for_function("() => document.querySelectorAll('.nbw-grid tbody tr[data-id]').length === 25")
    grid_on_top(page)
    compact = page.evaluate(VISIBLE_ROWS_JS)
    assert compact >= 15, f"only {compact} of 25 rows visible in compact mode"
    first = page.locator(ROWS).first
    # inputs as key: value chips on one line; the time relative, the full time on hover; rows from 1
    assert first.locator(".nbw-kvchip .nbw-key").first.inner_text().endswith(":")
    assert first.locator("td.nbw-num").inner_text().strip().endswith("1")
    updated = first.locator("td.nbw-col-updated time")
    assert "ago" in updated.inner_text() and updated.get_attribute("title")
    screenshot(page, "grid-1400-light")
    set_theme(page, "JupyterLab Dark")
    grid_on_top(page)
    colors = page.locator(".nbw-grid").evaluate(
        "(el) => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color]"
    )
    assert colors[0] != "rgb(255, 255, 255)" and colors[0] != colors[1]
    screenshot(page, "grid-1400-dark")
    set_theme(page, "JupyterLab Light")
    page.get_by_role("button", name="Taller rows").click()
    page.wait_for_selector(".nbw-grid.nbw-comfortable")
    page.get_by_role("button", name="One-line rows").wait_for()  # the label says what a click does now
    assert run_cell(page, "print(grid.density)").strip() == "comfortable"
    grid_on_top(page)
    assert page.evaluate(VISIBLE_ROWS_JS) < compact  # more of each row, fewer rows


def test_column_resize_hide_and_order_persist_across_a_redisplay(page, lab, sandbox):
    grid_cell = f"grid = DatasetGrid(Client.sandbox(), {sandbox.ids['rag']!r}, page_size=10)\ngrid"
    open_and_run(page, lab, "grid_columns.ipynb", [SETUP, grid_cell], wait_for=ROWS)
    header = page.locator(".nbw-grid th[data-key=inputs]")
    before = header.bounding_box()["width"]
    handle = header.locator(".nbw-resize").bounding_box()
    page.mouse.move(handle["x"] + 3, handle["y"] + handle["height"] / 2)
    page.mouse.down()
    page.mouse.move(handle["x"] + 123, handle["y"] + handle["height"] / 2, steps=5)
    page.mouse.up()
    page.wait_for_function(
        f"() => document.querySelector('.nbw-grid th[data-key=inputs]').getBoundingClientRect().width > {before + 100}"
    )
    page.get_by_role("button", name="Columns", exact=True).click()
    page.get_by_role("checkbox", name="Messages").uncheck()
    page.get_by_role("button", name="Move Updated left").click()
    page.wait_for_selector(".nbw-grid th[data-key=messages]", state="detached")
    order = page.locator(".nbw-grid").first.locator("thead th").all_inner_texts()
    # the same grid displayed again: a second view, from the widget's state
    run_cell(page, "grid")
    page.wait_for_function("() => document.querySelectorAll('.nbw-grid').length === 2")
    again = page.locator(".nbw-grid").nth(1)
    again.locator("tbody tr[data-id]").first.wait_for()
    assert again.locator("th[data-key=messages]").count() == 0
    assert again.locator("thead th").all_inner_texts() == order
    width = again.locator("th[data-key=inputs]").bounding_box()["width"]
    assert abs(width - (before + 120)) < 8
    layout = run_cell(page, "print(grid.column_layout)")
    assert "messages" in layout and "inputs" in layout


def test_at_800px_the_edit_column_and_status_stay_in_view_and_the_editor_fits(narrow_page, lab, sandbox):
    page = narrow_page
    grid_cell = f"grid = DatasetGrid(Client.sandbox(), {sandbox.ids['rag']!r}, page_size=10)\ngrid"
    open_and_run(page, lab, "grid_narrow.ipynb", [SETUP, grid_cell], wait_for=ROWS)
    scroller = page.locator(".nbw-grid .nbw-scroll")
    assert scroller.evaluate("(el) => el.scrollWidth > el.clientWidth")
    assert page.locator(".nbw-grid .nbw-table-wrap.nbw-overflows .nbw-overflow-cue").is_visible()
    first = page.locator(ROWS).first
    for scroll in ("0", "el.scrollWidth"):
        scroller.evaluate(f"(el) => {{ el.scrollLeft = {scroll}; }}")
        page.wait_for_timeout(50)  # one frame for sticky positions (no assertion on time)
        box = scroller.bounding_box()
        assert inside(first.locator("td.nbw-col-expected_output").bounding_box(), box)
        assert inside(first.locator("td.nbw-state").bounding_box(), box)
    screenshot(page, "grid-800-light")
    # the editor opens within view, whatever the horizontal scroll, and shows a word diff
    first.locator("td.nbw-col-expected_output").dblclick()
    editor = page.locator(".nbw-grid .nbw-editor")
    editor.wait_for()
    box = scroller.bounding_box()
    assert inside(editor.bounding_box(), {**box, "height": 10_000})
    save = editor.get_by_role("button", name="Save")
    assert inside(save.bounding_box(), box) and save.is_visible()
    text = editor.locator("textarea")
    text.press("End")
    text.type(" Really.")
    assert editor.locator(".nbw-diff ins").all_inner_texts() == [" Really."]
    assert editor.locator(".nbw-diff del").count() == 0  # one word added strikes nothing
    set_theme(page, "JupyterLab Dark")
    screenshot(page, "grid-800-dark-editor")
    set_theme(page, "JupyterLab Light")


def test_messages_edited_as_messages_and_saved(page, lab, sandbox):
    with Client.orq(sandbox.api_key, sandbox.url) as client:
        dataset = client.create_dataset("messages-edit")
        [target] = client.create_datapoints(
            dataset.id,
            [{"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]}],
        )
    grid_cell = f"grid = DatasetGrid(Client.sandbox(), {dataset.id!r})\ngrid"
    open_and_run(page, lab, "grid_messages.ipynb", [SETUP, grid_cell], wait_for=ROWS)
    page.locator(ROWS).first.locator("td.nbw-col-messages").dblclick()
    editor = page.locator(".nbw-grid .nbw-editor")
    editor.get_by_label("Role of message 1").select_option("developer")
    editor.get_by_role("button", name="+ Add message").click()
    editor.get_by_label("Text of message 3").fill("Hello! How can I help?")
    assert editor.get_by_label("Role of message 3").input_value() == "assistant"
    # a problem shows on its message, and nothing is sent
    editor.get_by_label("Role of message 2").select_option("tool")
    editor.get_by_role("button", name="Save").click()
    problem = editor.locator("li.nbw-msg-edit.nbw-invalid")
    assert problem.count() == 1 and "tool call" in problem.inner_text()
    editor.get_by_label("Role of message 2").select_option("user")
    assert "developer: Be brief." in editor.locator(".nbw-diff").inner_text()
    screenshot(page, "grid-1400-messages-editor", page.locator(".nbw-grid"))
    editor.get_by_role("button", name="Save").click()
    page.locator(ROWS).first.locator(".nbw-badge-saved").wait_for()
    with Client.orq(sandbox.api_key, sandbox.url) as client:
        saved = client.get_datapoint(dataset.id, target.id)
    assert [(m.role, m.content) for m in saved.messages] == [
        ("developer", "Be brief."),
        ("user", "Hi"),
        ("assistant", "Hello! How can I help?"),
    ]
    assert "3 msgs" in page.locator(ROWS).first.locator("td.nbw-col-messages").inner_text()


def test_orq_find_searches_the_whole_dataset_with_progress_cancels_and_opens_a_hit(page, lab, sandbox):
    with Client.orq(sandbox.api_key, sandbox.url) as client:
        dataset = client.create_dataset("find-e2e")
        items = [{"expected_output": "see <b>a needle</b> here" if i == 20 else f"hay {i}"} for i in range(200)]
        client.create_datapoints(dataset.id, items[:100])
        client.create_datapoints(dataset.id, items[100:])
        listed = list(client.iter_datapoints(dataset.id))
        number = next(i for i, dp in enumerate(listed, start=1) if "needle" in dp.expected_output)
        target, page_of_hit = listed[number - 1], -(-number // 50)
    assert page_of_hit < 3  # before the page the find starts on (ids of a batch are unordered, rows 1-100)
    cells = [
        SETUP,
        f"big = DatasetGrid(Client.sandbox(), {sandbox.ids['generated']!r}, page_size=25)\nbig",
    ]
    open_and_run(page, lab, "grid_find.ipynb", cells, wait_for=ROWS)
    sandbox.set_faults(latency_ms=150)
    try:
        page.get_by_label("Find", exact=True).fill("nowhere to be found")
        page.get_by_role("button", name="Find", exact=True).click()
        progress = page.locator(".nbw-find [role=status]")
        # progress as a share of the dataset's 10,000 rows, read in pages of 200
        page.wait_for_function(
            "() => /Finding .*: [0-9]+% · [1-9][0-9,]* of 10,000 rows, 0 found so far/"
            ".test(document.querySelector('.nbw-find').innerText)"
        )
        page.get_by_role("button", name="Cancel").click()
        page.wait_for_function(
            "() => /cancelled after [0-9]+% · [0-9,]+ of 10,000 rows: 0 found/"
            ".test(document.querySelector('.nbw-find').innerText)"
        )
        stopped = progress.inner_text()
        page.wait_for_timeout(600)
        assert progress.inner_text() == stopped  # nothing more was read
    finally:
        sandbox.clear_faults()
    run_cell(page, f"grid = DatasetGrid(Client.sandbox(), {dataset.id!r}, page_size=50)\ngrid")
    grid = page.locator(".nbw-grid").nth(1)
    grid.locator("tbody tr[data-id]").first.wait_for()
    for shown in (2, 3):
        grid.get_by_role("button", name="Next page").click()
        grid.get_by_text(f"Page {shown}").first.wait_for()
    grid.get_by_label("Find", exact=True).fill("NEEDLE")
    grid.get_by_label("Find", exact=True).press("Enter")
    grid.get_by_text("1 found in the whole dataset (200 rows, from page 3 round to it).").wait_for()
    hit = grid.locator(".nbw-hits li").first
    assert hit.locator("button").inner_text() == f"Row {number}"
    assert hit.locator(".nbw-hit-field").inner_text() == "Expected output"
    # the match marked, the datapoint's markup shown as text
    assert hit.locator(".nbw-hit-text").inner_text() == "see <b>a needle</b> here"
    assert hit.locator("mark").inner_text() == "needle" and hit.locator("b").count() == 0
    screenshot(page, "grid-find-hit")
    hit.locator("button").click()
    grid.get_by_text(f"Page {page_of_hit} of 4").wait_for()
    selected = grid.locator("tbody tr[aria-selected=true]")
    selected.wait_for()
    assert selected.get_attribute("data-id") == target.id
    assert selected.locator("td.nbw-num").inner_text().strip().endswith(str(number))  # numbered from 1


def test_overmind_jump_to_a_page_last_page_and_rows_from_1(page, lab, sandbox):
    grid_cell = f"grid = DatasetGrid(Client.sandbox('overmind'), {sandbox.ids['agent_v1']!r}, page_size=10)\ngrid"
    open_and_run(page, lab, "grid_jump.ipynb", [SETUP, grid_cell], wait_for=ROWS)
    page.get_by_text("Page 1 of 4").wait_for()
    assert page.locator(ROWS).first.locator("td.nbw-num").inner_text().strip().endswith("1")
    page.get_by_label("Go to page").fill("3")
    page.get_by_label("Go to page").press("Enter")
    page.get_by_text("Page 3 of 4").wait_for()
    assert page.locator(ROWS).first.locator("td.nbw-num").inner_text().strip().endswith("21")
    page.get_by_role("button", name="Last page").click()
    page.get_by_text("Page 4 of 4").wait_for()
    assert page.locator(ROWS).last.locator("td.nbw-num").inner_text().strip().endswith("40")
    assert run_cell(page, "print(grid.page_number, grid.rows[0].order)").strip() == "4 30"
    # tags wrap between words, never inside one
    chip = page.locator(".nbw-tags .nbw-chip").first
    assert chip.evaluate("(el) => getComputedStyle(el).overflowWrap") == "normal"


def test_the_table_is_one_tab_stop_and_names_match_labels(page, lab, sandbox):
    grid_cell = f"grid = DatasetGrid(Client.sandbox(), {sandbox.ids['support']!r}, page_size=10)\ngrid"
    open_and_run(page, lab, "grid_tab.ipynb", [SETUP, grid_cell], wait_for=ROWS)
    in_table = "() => !!document.activeElement.closest('.nbw-grid table[role=grid]')"
    focusable = page.evaluate(
        """() => [...document.querySelectorAll('.nbw-grid table[role=grid] *')]
            .filter(el => el.tabIndex >= 0).length"""
    )
    assert focusable == 1
    page.get_by_role("button", name="Columns", exact=True).focus()
    page.keyboard.press("Tab")
    assert page.evaluate(in_table) and page.evaluate("() => document.activeElement.getAttribute('role')") in (
        "gridcell",
        "columnheader",
    )
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Tab")
    assert not page.evaluate(in_table)  # one Tab leaves the table
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(in_table)
    assert page.evaluate("() => document.activeElement.dataset.key") == "inputs"  # where it was left
    # every button's accessible name is its visible label (no aria-label that says something else)
    mismatched = page.evaluate(
        """() => [...document.querySelectorAll('.nbw-grid button')]
            .filter(b => b.getAttribute('aria-label') && b.textContent.trim().length > 1
                         && !b.getAttribute('aria-label').includes(b.textContent.trim()))
            .map(b => b.textContent)"""
    )
    assert mismatched == []


def test_overmind_search_results_are_numbered_from_1_whatever_page_they_came_from(page, lab, sandbox):
    """Rows kept on screen across a search (the same datapoint, now at another place) get their new number."""
    grid_cell = f"grid = DatasetGrid(Client.sandbox('overmind'), {sandbox.ids['agent_v1']!r}, page_size=10)\ngrid"
    open_and_run(page, lab, "grid_search_numbers.ipynb", [SETUP, grid_cell], wait_for=ROWS)
    numbers = "() => [...document.querySelectorAll('.nbw-grid tbody tr[data-id] td.nbw-num')].map(td => td.innerText.trim().replace(/^\\D+/, ''))"
    box = page.get_by_label("Search", exact=True)
    for start in (2, 1):  # from another page, and from the page the results share rows with
        if start == 2:
            page.get_by_role("button", name="Next page").click()
            page.get_by_text("Page 2 of 4").wait_for()
        box.fill("invoice")
        box.press("Enter")
        page.get_by_text("Search “invoice”: 8 datapoints").wait_for()
        page.wait_for_function(
            "() => document.querySelectorAll('.nbw-grid tbody tr[data-id]').length === 8"
            " && [...document.querySelectorAll('.nbw-grid tbody tr[data-id]')]"
            ".every(tr => /invoice/.test(tr.innerText))"
        )
        assert page.evaluate(numbers) == [str(n) for n in range(1, 9)], start
        page.get_by_role("button", name="Clear search").click()
        page.get_by_text("Page 1 of 4").wait_for()
        page.wait_for_function("() => document.querySelectorAll('.nbw-grid tbody tr[data-id]').length === 10")
        assert page.evaluate(numbers) == [str(n) for n in range(1, 11)], start
