"""What a problem with an edit looks like in DatasetGrid in a real JupyterLab, and the narrow layout: a
conflict in a full-width row under its row (theirs and yours whole, side by side, Keep mine / Take theirs
by keyboard), a draft not saved shown in its cell, the status column narrow, the pager whole at 800 px,
find's hits a batch at a time, the editor's keys in the words of its button. Each asserts what is on the
screen after the writes settle; screenshots go to artifacts/screenshots/."""

from __future__ import annotations

import pytest
from conftest import browser_page, inside, open_and_run, screenshot, set_theme

from nbwidgets import Client

pytestmark = pytest.mark.e2e
ROWS = ".nbw-grid table[role=grid] tbody tr[role=row][data-id]"
SETUP = "from nbwidgets import Client, DatasetGrid\nfrom nbwidgets.client import RetryPolicy"
MINE = (
    "Ask for the app version and a crash log, then escalate to the mobile team with both attached; "
    "tell the customer we will reply within one working day."
)
THEIRS = "CHANGED BY A COLLEAGUE: ask for a screen recording first."


def not_clipped(locator) -> bool:
    """The element shows all of its content: nothing hidden by its own overflow."""
    height, shown_height, width, shown_width = locator.evaluate(
        "(el) => [el.scrollHeight, el.clientHeight, el.scrollWidth, el.clientWidth]"
    )
    return height <= shown_height + 1 and width <= shown_width + 1


@pytest.fixture(params=[1400, 800], ids=["1400px", "800px"])
def sized_page(browser, request):
    with browser_page(browser, request, width=request.param) as page:
        yield page


@pytest.fixture
def narrow_page(browser, request):
    with browser_page(browser, request, width=800) as page:
        yield page


def test_a_conflict_shows_under_its_row_readable_and_is_resolved_by_keyboard(sized_page, lab, sandbox):
    page = sized_page
    with Client.orq(sandbox.api_key, sandbox.url) as client:
        dataset = client.create_dataset(f"conflict-readable-{page.width}")
        rows = client.create_datapoints(
            dataset.id,
            [{"inputs": {"ticket": f"ticket {i}"}, "expected_output": f"The original answer {i}."} for i in range(5)],
        )
        target = rows[1]
    cells = [SETUP, f"grid = DatasetGrid(Client.sandbox(), {dataset.id!r}, page_size=10)\ngrid"]
    open_and_run(page, lab, f"grid_conflict_{page.width}.ipynb", cells, wait_for=ROWS)
    with Client.orq(sandbox.api_key, sandbox.url) as colleague:  # someone else changes the row meanwhile
        colleague.update_datapoint(dataset.id, target.id, expected_output=THEIRS)

    row = page.locator(f"{ROWS}[data-id='{target.id}']")
    row.locator("td.nbw-col-expected_output").dblclick()
    editor = page.locator(".nbw-editor textarea")
    editor.fill(MINE)
    editor.press("Control+Enter")
    row.locator("td.nbw-state-conflict").wait_for()

    # the status cell: an icon and a word, no route, nothing cut
    status = row.locator("td.nbw-state")
    assert status.locator(".nbw-status-badge").inner_text() == "⚠ Conflict" and "PATCH" not in status.inner_text()
    assert not_clipped(status)
    # the cell shows my draft (not the stale original, not theirs), marked as not saved
    cell = row.locator("td.nbw-col-expected_output")
    assert cell.locator(".nbw-draft-mark").inner_text() == "not saved" and cell.locator(".nbw-draft-mark").is_visible()
    assert "The original answer" not in cell.inner_text() and "COLLEAGUE" not in cell.inner_text()
    assert MINE.startswith(cell.locator(".nbw-draft-text").inner_text())

    # the detail row: right under the row, as wide as the visible table, the words plain
    detail = page.locator(f"tr.nbw-detail-row[data-for='{target.id}'] .nbw-detail-conflict")
    detail.wait_for()
    scroller = page.locator(".nbw-grid .nbw-scroll").bounding_box()
    box, row_box = detail.bounding_box(), row.bounding_box()
    assert abs(box["y"] - (row_box["y"] + row_box["height"])) < 3
    assert box["width"] >= scroller["width"] - 20 and inside(box, {**scroller, "height": 10_000})
    assert (
        "Conflict: your edit is not saved. Someone else changed this datapoint after you loaded it."
        in detail.inner_text()
    )
    assert "PATCH" not in detail.inner_text()
    # theirs and yours, each whole and readable (wrapping, not clipped), side by side where there is room
    theirs, yours = detail.locator(".nbw-diff-before .nbw-diff"), detail.locator(".nbw-diff-after .nbw-diff")
    assert theirs.inner_text() == THEIRS and yours.inner_text() == MINE
    assert not_clipped(theirs) and not_clipped(yours)
    left, right = theirs.bounding_box(), yours.bounding_box()
    if page.width >= 1400:
        assert abs(left["y"] - right["y"]) < 2 and left["x"] + left["width"] <= right["x"]
    assert right["width"] >= 250
    keep, take = detail.get_by_role("button", name="Keep mine"), detail.get_by_role("button", name="Take theirs")
    assert keep.is_visible() and take.is_visible()

    detail.scroll_into_view_if_needed()
    shot = page.locator(".nbw-grid")
    screenshot(page, f"grid-conflict-{page.width}-light", shot)
    set_theme(page, "JupyterLab Dark")
    detail.scroll_into_view_if_needed()
    screenshot(page, f"grid-conflict-{page.width}-dark", shot)
    set_theme(page, "JupyterLab Light")

    # by keyboard: Enter on the status cell reaches Keep mine; Tab goes on to Take theirs; Esc goes back
    status.click()
    cells_before = page.locator(".jp-Notebook .jp-Cell").count()
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.textContent") == "Keep mine"
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == "Take theirs"
    page.keyboard.press("b")  # a notebook shortcut (insert a cell below): quiet inside the widget
    assert page.locator(".jp-Notebook .jp-Cell").count() == cells_before
    page.keyboard.press("Escape")
    assert page.evaluate("() => document.activeElement.matches('td.nbw-state')")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # Keep mine
    row.locator("td.nbw-state-saved").wait_for()
    page.locator(f"tr.nbw-detail-row[data-for='{target.id}']").wait_for(state="detached")
    # the keyboard's place is kept: on the row's status, where the detail row was reached from
    assert page.evaluate(f"() => document.activeElement.matches(\"tr[data-id='{target.id}'] td.nbw-state\")")
    assert cell.inner_text() == MINE and cell.locator(".nbw-draft-mark").count() == 0
    assert not_clipped(row.locator("td.nbw-state"))  # "✓ Saved just now" fits the narrow status column
    screenshot(page, f"grid-conflict-kept-{page.width}-light", shot)
    with Client.orq(sandbox.api_key, sandbox.url) as other:
        assert other.get_datapoint(dataset.id, target.id).expected_output == MINE


def test_take_theirs_shows_theirs_in_the_cell(page, lab, sandbox):
    with Client.orq(sandbox.api_key, sandbox.url) as client:
        dataset = client.create_dataset("conflict-take-theirs")
        [target] = client.create_datapoints(dataset.id, [{"expected_output": "The original answer."}])
    open_and_run(
        page,
        lab,
        "grid_take_theirs.ipynb",
        [SETUP, f"grid = DatasetGrid(Client.sandbox(), {dataset.id!r})\ngrid"],
        wait_for=ROWS,
    )
    with Client.orq(sandbox.api_key, sandbox.url) as colleague:
        colleague.update_datapoint(dataset.id, target.id, expected_output=THEIRS)
    row = page.locator(f"{ROWS}[data-id='{target.id}']")
    row.locator("td.nbw-col-expected_output").dblclick()
    page.locator(".nbw-editor textarea").fill(MINE)
    page.locator(".nbw-editor textarea").press("Control+Enter")
    page.locator(".nbw-detail-conflict").get_by_role("button", name="Take theirs").click()
    page.locator(".nbw-detail-row").wait_for(state="detached")
    page.wait_for_function(
        "([sel, text]) => document.querySelector(sel)?.innerText === text",
        arg=[f"{ROWS}[data-id='{target.id}'] td.nbw-col-expected_output", THEIRS],
    )
    assert row.locator("td.nbw-state").inner_text().strip() == ""


def test_a_second_grid_shows_the_first_grids_save_and_an_edit_begun_before_it_conflicts(page, lab, sandbox):
    """One dataset shown twice in a notebook (a grid, then another on it, one client): a save in the first
    grid shows in the second, marked Updated (it kept the old text marked Saved until a refresh). An edit
    begun in the second before the first's next save shows the conflict with the first's text, and the
    service keeps the first's save until the user chooses (seen by a user: it was lost)."""
    with Client.orq(sandbox.api_key, sandbox.url) as client:
        dataset = client.create_dataset("two-grids-on-screen")
        [target] = client.create_datapoints(dataset.id, [{"expected_output": "The original answer."}])
    cells = [
        SETUP + "\nclient = Client.sandbox()",  # one client for both, as in example notebook 01
        f"first = DatasetGrid(client, {dataset.id!r})\nfirst",
        f"second = DatasetGrid(client, {dataset.id!r})\nsecond",
    ]
    open_and_run(page, lab, "two_grids.ipynb", cells, wait_for=ROWS)
    page.locator(".nbw-grid").nth(1).locator("tbody tr[role=row][data-id]").first.wait_for()
    first, second = page.locator(".nbw-grid").nth(0), page.locator(".nbw-grid").nth(1)

    def edit(grid, text):
        grid.locator("td.nbw-col-expected_output").first.dblclick()
        grid.locator(".nbw-editor textarea").fill(text)
        grid.locator(".nbw-editor textarea").press("Control+Enter")

    edit(first, "Saved in the first grid.")
    first.locator("td.nbw-state-saved").wait_for()
    # the second grid is told (one client): it shows the first's text, marked Updated, not its own old "Saved"
    second.locator("td.nbw-state-updated").wait_for()
    assert second.locator("td.nbw-col-expected_output").first.inner_text() == "Saved in the first grid."
    assert "Updated" in second.locator("td.nbw-state").first.inner_text()
    screenshot(page, "grid-two-grids-updated", second)
    # an edit begun in the second grid before the first's next save is a conflict when saved, not an overwrite
    second.locator("td.nbw-col-expected_output").first.dblclick()
    second.locator(".nbw-editor textarea").fill("Typed in the second grid.")
    edit(first, "Saved again in the first grid.")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.nbw-grid')][0].querySelector('td.nbw-state-saved')"
        " && /again/.test([...document.querySelectorAll('.nbw-grid')][0].querySelector('td.nbw-col-expected_output').innerText)"
    )
    second.locator(".nbw-editor textarea").press("Control+Enter")
    second.locator("td.nbw-state-conflict").wait_for()
    detail = second.locator(".nbw-detail-conflict")
    assert detail.locator(".nbw-diff-before .nbw-diff").inner_text() == "Saved again in the first grid."
    assert detail.locator(".nbw-diff-after .nbw-diff").inner_text() == "Typed in the second grid."
    with Client.orq(sandbox.api_key, sandbox.url) as other:
        assert other.get_datapoint(dataset.id, target.id).expected_output == "Saved again in the first grid."
    detail.get_by_role("button", name="Take theirs").click()
    page.wait_for_function(
        "(text) => document.querySelectorAll('.nbw-grid')[1]?.querySelector('td.nbw-col-expected_output')"
        "?.innerText === text",
        arg="Saved again in the first grid.",
    )
    screenshot(page, "grid-two-grids-conflict-taken", second)


def test_a_retrying_edit_shows_its_draft_in_a_short_row(sized_page, lab, sandbox):
    page = sized_page
    long = "Send a fresh reset link; links expire after 30 minutes, so ask them to use it at once and check spam."
    with Client.orq(sandbox.api_key, sandbox.url) as client:
        dataset = client.create_dataset(f"retrying-draft-{page.width}")
        client.create_datapoints(
            dataset.id, [{"inputs": {"ticket": f"ticket {i}"}, "expected_output": f"{long} ({i})"} for i in range(4)]
        )
    open_and_run(
        page,
        lab,
        f"grid_retrying_{page.width}.ipynb",
        [
            SETUP,
            # a long backoff: the write waits for "Retry now" rather than recovering on its own
            "client = Client.sandbox(retry=RetryPolicy(max_retries=0, initial_delay=60, max_delay=60))",
            f"grid = DatasetGrid(client, {dataset.id!r}, page_size=10)\ngrid",
        ],
        wait_for=ROWS,
    )
    row = page.locator(ROWS).nth(2)
    target = row.get_attribute("data-id")
    cell = row.locator("td.nbw-col-expected_output")
    one_line = row.bounding_box()["height"]
    cell.dblclick()
    editor = page.locator(".nbw-editor textarea")
    editor.press("End")
    editor.type(" Then confirm by email.")
    sandbox.set_faults(fault_rate=1.0)
    try:
        editor.press("Control+Enter")
        detail = page.locator(f"tr.nbw-detail-row[data-for='{target}'] .nbw-detail-retrying")
        detail.wait_for()
        assert "Not saved yet" in detail.inner_text() and "your edit is kept" in detail.inner_text()
        # the text added at the end is on screen in the cell (not hidden by its truncation), marked as added
        added = cell.locator(".nbw-draft-text ins")
        assert added.inner_text().strip() == "Then confirm by email."
        assert added.is_visible() and inside(added.bounding_box(), cell.bounding_box())
        assert cell.locator(".nbw-draft-mark").is_visible()
        # the row stays short: at most three lines of draft, no empty space below a one-line cell
        assert row.bounding_box()["height"] <= 3.6 * one_line
        status = row.locator("td.nbw-state")
        assert status.locator(".nbw-status-badge").inner_text() == "↻ Retrying" and not_clipped(status)
        screenshot(page, f"grid-retrying-{page.width}-light", page.locator(".nbw-grid"))
        set_theme(page, "JupyterLab Dark")
        screenshot(page, f"grid-retrying-{page.width}-dark", page.locator(".nbw-grid"))
        set_theme(page, "JupyterLab Light")
    finally:
        sandbox.clear_faults()
    detail.get_by_role("button", name="Retry now").click()
    row.locator("td.nbw-state-saved").wait_for()
    with Client.orq(sandbox.api_key, sandbox.url) as other:
        saved = other.get_datapoint(dataset.id, target).expected_output
    assert saved.startswith(long) and saved.endswith(") Then confirm by email.")
    assert cell.inner_text() == saved and cell.locator(".nbw-draft-mark").count() == 0
    assert page.locator(f"tr.nbw-detail-row[data-for='{target}']").count() == 0


def test_at_800px_the_pager_is_whole_and_the_edit_column_has_the_room(narrow_page, lab, sandbox):
    page = narrow_page
    grid_cell = f"grid = DatasetGrid(Client.sandbox(), {sandbox.ids['support']!r}, page_size=10)\ngrid"
    open_and_run(page, lab, "grid_pager_800.ipynb", [SETUP, grid_cell], wait_for=ROWS)
    page.get_by_role("button", name="Next page").click()
    page.get_by_text("Page 2 of 12").wait_for()
    pager = page.locator(".nbw-grid .nbw-pager")
    page.get_by_label("Back to").wait_for()
    box = pager.bounding_box()
    for part in pager.locator(":scope > *").all():
        assert inside(part.bounding_box(), box), part.inner_text()
    for label in ("Datapoint id", "Back to", "Rows per page"):
        label_box = pager.get_by_text(label, exact=True).bounding_box()
        assert inside(label_box, box), label
        assert not_clipped(pager.get_by_text(label, exact=True))
    # the status column is narrow; the edit column gets the room
    status = page.locator(".nbw-grid th.nbw-state").bounding_box()["width"]
    edit = page.locator(".nbw-grid th.nbw-col-expected_output").bounding_box()["width"]
    assert status <= 84 and edit >= 2.4 * status
    page.locator(".nbw-grid").scroll_into_view_if_needed()
    screenshot(page, "grid-pager-800-light", page.locator(".nbw-grid"))
    set_theme(page, "JupyterLab Dark")
    screenshot(page, "grid-pager-800-dark", page.locator(".nbw-grid"))
    set_theme(page, "JupyterLab Light")


def test_find_lists_its_hits_a_batch_at_a_time_with_whole_words(narrow_page, lab, sandbox):
    page = narrow_page
    grid_cell = f"grid = DatasetGrid(Client.sandbox(), {sandbox.ids['support']!r}, page_size=10)\ngrid"
    open_and_run(page, lab, "grid_find_batches.ipynb", [SETUP, grid_cell], wait_for=ROWS)
    page.get_by_label("Find", exact=True).fill("invoice")
    page.get_by_label("Find", exact=True).press("Enter")
    find = page.locator(".nbw-grid .nbw-find")
    page.wait_for_function("() => /in the whole dataset/.test(document.querySelector('.nbw-find').innerText)")
    total = int(find.locator("[role=status]").inner_text().split(": ")[1].split(" found")[0])
    assert total > 10
    hits = find.locator(".nbw-hits li")
    assert hits.count() == 10
    assert f"Showing 10 of {total} found." in find.inner_text()
    screenshot(page, "grid-find-800-light", find)
    find.get_by_role("button", name=f"Show {min(20, total - 10)} more").click()
    page.wait_for_function(f"() => document.querySelectorAll('.nbw-find .nbw-hits li').length === {min(30, total)}")
    assert f"Showing {min(30, total)} of {total} found." in find.inner_text()
    for text in find.locator(".nbw-hits li mark").all_inner_texts():
        assert text.casefold() == "invoice"  # the match, marked
    for text in find.locator(".nbw-hits li button").all_inner_texts():
        assert text.startswith("Row ")
    for index in range(hits.count()):
        assert not_clipped(hits.nth(index))  # a snippet wraps whole, never cut by the list
    set_theme(page, "JupyterLab Dark")
    screenshot(page, "grid-find-800-dark", find)
    set_theme(page, "JupyterLab Light")


def test_the_overmind_editor_says_ctrl_enter_stages(page, lab, sandbox):
    grid_cell = f"grid = DatasetGrid(Client.sandbox('overmind'), {sandbox.ids['agent_v1']!r}, page_size=10)\ngrid"
    open_and_run(page, lab, "grid_stage_hint.ipynb", [SETUP, grid_cell], wait_for=ROWS)
    page.locator(ROWS).nth(1).locator("td.nbw-col-expected_output").dblclick()
    editor = page.locator(".nbw-grid .nbw-editor")
    editor.get_by_role("button", name="Stage edit").wait_for()
    assert "Ctrl+Enter stages · Esc cancels" in editor.inner_text()  # the platform's key only (Linux here)
    assert "saves" not in editor.locator(".nbw-editor-actions").inner_text()
    screenshot(page, "grid-overmind-editor-1400-light", page.locator(".nbw-grid"))
