"""DatasetGrid in a real JupyterLab, driven by headless Chromium; the sandbox confirms what it did."""

from __future__ import annotations

import json
import time

import pytest
from conftest import focus_went_to_notebook, open_and_run, run_cell, screenshot, set_theme

from nbwidgets import Client

pytestmark = pytest.mark.e2e
GRID = ".nbw-grid table[role=grid] tbody tr[role=row]"
SETUP = "from nbwidgets import Client, DatasetGrid\nfrom nbwidgets.client import RetryPolicy"


def rows(page):
    return page.locator(GRID)


def first_row_id(page) -> str:
    return rows(page).first.get_attribute("data-id")


def test_page_with_buttons_and_keyboard_then_edit_and_see_it_saved(page, lab, sandbox):
    open_and_run(
        page,
        lab,
        "grid_paging.ipynb",
        [
            SETUP,
            f"grid = DatasetGrid(Client.sandbox(), {sandbox.ids['support']!r}, page_size=10)\ngrid",
        ],
        wait_for=GRID,
    )
    assert rows(page).count() == 10
    assert page.get_by_text("Page 1 of 12").is_visible() and page.get_by_text("Sandbox data").is_visible()
    page1 = first_row_id(page)

    page.get_by_role("button", name="Next page").click()
    page.get_by_text("Page 2 of 12").wait_for()
    page2 = first_row_id(page)
    assert page2 != page1
    page.get_by_role("button", name="Previous page").click()
    page.get_by_text("Page 1 of 12").wait_for()
    assert first_row_id(page) == page1

    grid = page.locator(".nbw-grid [role=grid] [tabindex='0']")  # the table's one tab stop
    grid.focus()
    page.keyboard.press("PageDown")
    page.get_by_text("Page 2 of 12").wait_for()
    assert first_row_id(page) == page2
    page.keyboard.press("PageUp")
    page.get_by_text("Page 1 of 12").wait_for()
    grid.focus()
    page.keyboard.press("j")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("k")
    selected = page.locator(f"{GRID}[aria-selected=true]")
    assert selected.count() == 1 and selected.get_attribute("data-id") == rows(page).nth(1).get_attribute("data-id")
    # notebook shortcuts stay quiet: "j"/"k" moved rows, not notebook cells; no new cell appeared
    cells_before = page.locator(".jp-Notebook .jp-Cell").count()
    page.keyboard.press("b")  # would insert a cell below in command mode
    assert page.locator(".jp-Notebook .jp-Cell").count() == cells_before

    target = selected.get_attribute("data-id")
    page.keyboard.press("Enter")
    editor = page.locator(".nbw-editor textarea")
    editor.wait_for()
    editor.press("End")
    editor.type(" Then confirm by email.")
    assert "Then confirm by email." in page.locator(".nbw-diff ins").inner_text()  # the diff, before saving
    editor.press("Control+Enter")
    page.locator(".nbw-state-saved").first.wait_for()
    with Client.orq(sandbox.api_key, sandbox.url) as other:
        saved = other.get_datapoint(sandbox.ids["support"], target)
    assert saved.expected_output.endswith(" Then confirm by email.")
    # the kernel agrees
    assert run_cell(page, f"print(grid.row_status[{target!r}]['state'], grid.page_number)").strip() == "saved 1"
    # Esc hands focus back to the notebook
    page.locator(".nbw-grid [role=grid] [tabindex='0']").focus()
    page.keyboard.press("Escape")
    assert page.evaluate("() => !document.activeElement.closest('.nbw')")


def test_a_rejected_save_shows_the_error_and_keeps_the_draft(page, lab, sandbox):
    open_and_run(
        page,
        lab,
        "grid_fault.ipynb",
        [
            SETUP,
            # a long backoff: the write waits for "Retry now" rather than recovering on its own
            "client = Client.sandbox(retry=RetryPolicy(max_retries=0, initial_delay=60, max_delay=60))",
            f"grid = DatasetGrid(client, {sandbox.ids['rag']!r}, page_size=10)\ngrid",
        ],
        wait_for=GRID,
    )
    target = first_row_id(page)
    rows(page).first.locator("td.nbw-col-expected_output").dblclick()
    editor = page.locator(".nbw-editor textarea")
    editor.fill("A draft that must survive")
    sandbox.set_faults(fault_rate=1.0)
    try:
        editor.press("Control+Enter")
        status = page.locator(".nbw-detail-retrying")  # the reason and Retry now, in a row under the row
        status.wait_for()
        assert "Not saved yet: The service" in status.inner_text()  # said in words, not as a request line
        assert "/v2/" not in status.inner_text() and "Error:" not in status.inner_text()
        # the draft stays on show in its row, marked as not saved, while the outbox keeps trying
        draft = rows(page).first.locator("td.nbw-col-expected_output .nbw-draft-cell")
        assert draft.locator(".nbw-draft-text").inner_text() == "A draft that must survive"
        assert draft.locator(".nbw-draft-mark").inner_text() == "not saved"
    finally:
        sandbox.clear_faults()
    status.get_by_role("button", name="Retry now").click()
    page.locator(".nbw-state-saved").wait_for()
    with Client.orq(sandbox.api_key, sandbox.url) as other:
        assert other.get_datapoint(sandbox.ids["rag"], target).expected_output == "A draft that must survive"


def test_a_refused_edit_reopens_the_editor_with_the_reason(page, lab, sandbox):
    open_and_run(
        page,
        lab,
        "grid_refused.ipynb",
        [
            SETUP,
            f"grid = DatasetGrid(Client.sandbox(), {sandbox.ids['rag']!r}, page_size=10)\ngrid",
        ],
        wait_for=GRID,
    )
    rows(page).first.locator("td.nbw-col-inputs").dblclick()
    editor = page.locator(".nbw-editor textarea")
    editor.fill('{"question": {"nested": "not allowed"}}')
    editor.press("Control+Enter")
    page.locator(".nbw-state-failed").wait_for()
    assert "must be a string, number, boolean or null" in page.locator(".nbw-detail-failed").inner_text()
    page.locator(".nbw-detail-failed").get_by_role("button", name="Edit draft").click()
    assert "not allowed" in page.locator(".nbw-editor textarea").input_value()


def test_overmind_edit_creates_a_new_version_once_through_an_outage(page, lab, sandbox):
    open_and_run(
        page,
        lab,
        "grid_overmind.ipynb",
        [
            SETUP,
            # a long backoff: the version waits for "Retry now" rather than being saved on its own
            "client = Client.sandbox('overmind', retry=RetryPolicy(max_retries=0, initial_delay=60, max_delay=60))",
            f"grid = DatasetGrid(client, {sandbox.ids['agent_v1']!r}, page_size=10)\ngrid",
        ],
        wait_for=GRID,
    )
    assert page.locator(".nbw-toolbar .nbw-badge", has_text="version 1").is_visible()
    # version 1 is not the agent's newest: the toolbar says so, and the staged bar what that means
    assert page.locator(".nbw-toolbar .nbw-badge.nbw-warn", has_text="not the newest").is_visible()
    cell = rows(page).nth(2).locator("td.nbw-col-expected_output")
    cell.dblclick()
    editor = page.locator(".nbw-editor textarea")
    editor.fill('{"team": "escalations", "priority": "urgent"}')
    editor.press("Control+Enter")
    page.get_by_text("1 staged edit").wait_for()
    assert "Saved from version 1: the new version will not have" in page.locator(".nbw-staged").inner_text()
    sandbox.set_faults(fault_rate=1.0)
    try:
        page.get_by_role("button", name="Save as new version").click()
        bar = page.locator(".nbw-staged")
        bar.get_by_text("Not saved yet").wait_for()
        assert "your edits stay staged" in bar.inner_text()
        assert "escalations" in cell.inner_text()  # the staged edit is still on show in its row
        screenshot(page, "grid-version-retrying", page.locator(".nbw-grid"))
    finally:
        sandbox.clear_faults()
    bar.get_by_role("button", name="Retry now").click()
    notice = page.locator(".nbw-notice")
    notice.wait_for()
    assert "Saved as version" in notice.inner_text()
    version = int(notice.inner_text().split("version ")[1].split()[0])
    page.locator(".nbw-toolbar .nbw-badge", has_text=f"version {version}").wait_for()
    assert page.locator(".nbw-toolbar .nbw-badge.nbw-warn").count() == 0  # the new version is the newest
    with Client.overmind(sandbox.api_key, sandbox.url) as other:
        made = [d for d in other.list_datasets().items if d.metadata.get("edited_from") == sandbox.ids["agent_v1"]]
        [created] = [d for d in made if d.version == version]
        assert len([d for d in made if d.metadata.get("nbwidgets_write_id")]) == 1  # one version, not one per try
        saved = other.get_dataset(created.id).datapoints[2].expected_output
        assert saved == {"team": "escalations", "priority": "urgent"}
        other.delete_dataset(created.id)
    # the row on screen is the new version's, as the service holds it
    assert "escalations" in rows(page).nth(2).locator("td.nbw-col-expected_output").inner_text()
    assert page.locator(".nbw-staged").is_hidden()


def test_markup_and_script_payloads_show_as_literal_text(page, lab, sandbox):
    payload = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script><b>bold?</b>'
    with Client.orq(sandbox.api_key, sandbox.url) as client:
        dataset = client.create_dataset("markup-check")
        client.create_datapoints(
            dataset.id,
            [
                {
                    "inputs": {"html": payload},
                    "expected_output": payload,
                    "messages": [{"role": "user", "content": payload}, {"role": "assistant", "content": "<i>hi</i>"}],
                }
            ],
        )
    open_and_run(
        page,
        lab,
        "grid_markup.ipynb",
        [
            SETUP,
            f"DatasetGrid(Client.sandbox(), {dataset.id!r})",
        ],
        wait_for=GRID,
    )
    grid = page.locator(".nbw-grid")
    page.locator(".nbw-grid button.nbw-expand").first.click()  # the row shown whole
    text = grid.inner_text()
    assert text.count(payload) >= 2 and "<i>hi</i>" in text
    assert grid.locator("img, script, b, i").count() == 0
    assert page.evaluate("() => window.__xss") is None


def test_light_and_dark_theme_screenshots(page, lab, sandbox):
    open_and_run(
        page,
        lab,
        "grid_theme.ipynb",
        [
            SETUP,
            f"DatasetGrid(Client.sandbox(), {sandbox.ids['support']!r}, page_size=5)",
        ],
        wait_for=GRID,
    )
    grid = page.locator(".nbw-grid")
    seen = {}
    for theme in ("JupyterLab Light", "JupyterLab Dark"):
        set_theme(page, theme)
        # bounded: until the grid's colours are the host's (the theme's CSS applies after the switch)
        page.wait_for_function(
            f"() => {{ const c = ({THEME_COLOURS})(); return c.every(([, ours, host]) => ours === host); }}"
        )
        seen[theme] = page.evaluate(f"({THEME_COLOURS})()")
        screenshot(page, f"grid-{theme.split()[-1].lower()}", grid)
    set_theme(page, "JupyterLab Light")
    for theme, pairs in seen.items():  # every colour is the host variable's value in that theme
        assert [name for name, ours, host in pairs if ours != host] == [], theme
    light, dark = ({name: ours for name, ours, _ in seen[t]} for t in seen)
    assert all(light[name] != dark[name] for name in ("background", "text", "cell text", "button"))


# [what, the grid's computed colour, the host variable's colour], the variable resolved by a probe element
THEME_COLOURS = """() => {
    const grid = document.querySelector('.nbw-grid');
    const probe = (property, variable) => {
        const el = document.createElement('div');
        el.style.setProperty(property, `var(${variable})`);
        grid.parentElement.append(el);
        const value = getComputedStyle(el).getPropertyValue(property);
        el.remove();
        return value;
    };
    const css = (el, property) => getComputedStyle(el).getPropertyValue(property);
    const cell = grid.querySelector('tbody td.nbw-col-expected_output');
    const button = grid.querySelector('button:not(:disabled):not(.nbw-link):not(.nbw-primary)');
    return [
        ['background', css(grid, 'background-color'), probe('background-color', '--jp-layout-color0')],
        ['text', css(grid, 'color'), probe('color', '--jp-ui-font-color0')],
        ['border', css(grid, 'border-top-color'), probe('border-top-color', '--jp-border-color2')],
        ['cell text', css(cell, 'color'), probe('color', '--jp-ui-font-color0')],
        ['button', css(button, 'background-color'), probe('background-color', '--jp-layout-color1')],
        ['font', css(grid, 'font-family'), probe('font-family', '--jp-ui-font-family')],
    ];
}"""


def saved_with_widget_state(path, timeout=30.0) -> str:
    """The notebook's text once the save has written the widget state (bounded polling)."""
    deadline = time.monotonic() + timeout
    while True:
        text = path.read_text()
        if "application/vnd.jupyter.widget-state+json" in text and '"page_number": 2' in text:
            return text
        if time.monotonic() > deadline:
            raise AssertionError(f"{path.name} was not saved with the widget state within {timeout:g} s")
        time.sleep(0.1)


def test_saved_notebook_holds_one_page_and_no_key(page, lab, sandbox):
    open_and_run(
        page,
        lab,
        "grid_saved.ipynb",
        [
            SETUP,
            f"grid = DatasetGrid(Client.sandbox(), {sandbox.ids['generated']!r}, page_size=25)\ngrid",
        ],
        wait_for=GRID,
    )
    page.get_by_role("button", name="Next page").click()
    page.get_by_text("Page 2 of 400").wait_for()  # shown at once from the prefetched page
    assert run_cell(page, "print(grid.page_number)").strip() == "2"  # and the kernel is there too
    page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
    text = saved_with_widget_state(lab.root / "grid_saved.ipynb")
    assert sandbox.api_key not in text
    state = json.loads(text)["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    grids = [m["state"] for m in state.values() if "_page_rows" in m["state"]]
    assert len(grids) == 1 and len(grids[0]["_page_rows"]) == 25 and grids[0]["page_number"] == 2


def test_undo_and_an_edit_back_to_the_original_show_the_services_value(page, lab, sandbox):
    """Issue 10 item 1: after Undo (button, Ctrl+Z, grid.undo()) and after an edit back to the original,
    the row's text on screen is what the service holds."""
    with Client.orq(sandbox.api_key, sandbox.url) as client:
        dataset = client.create_dataset("undo-on-screen")
        client.create_datapoints(dataset.id, [{"expected_output": f"Original answer {i}"} for i in range(5)])
    open_and_run(
        page,
        lab,
        "grid_undo.ipynb",
        [SETUP, f"grid = DatasetGrid(Client.sandbox(), {dataset.id!r}, page_size=10)\ngrid"],
        wait_for=GRID,
    )
    target = first_row_id(page)
    cell = rows(page).first.locator("td.nbw-col-expected_output")
    original = cell.inner_text()

    def held() -> str:
        with Client.orq(sandbox.api_key, sandbox.url) as other:
            return other.get_datapoint(dataset.id, target).expected_output

    def edit(text: str) -> None:
        cell.dblclick()
        editor = page.locator(".nbw-editor textarea")
        editor.fill(text)
        editor.press("Control+Enter")
        page.wait_for_function(
            "([sel, text]) => document.querySelector(sel)?.innerText === text",
            arg=[f"{GRID}[data-id='{target}'] td.nbw-col-expected_output", text],
        )
        page.locator(".nbw-state-saved").first.wait_for()

    def settled_on(text: str) -> None:
        page.wait_for_function(
            "([sel, text]) => document.querySelector(sel)?.innerText === text",
            arg=[f"{GRID}[data-id='{target}'] td.nbw-col-expected_output", text],
        )

    edit("Edited once")
    page.get_by_role("button", name="Undo").click()  # by button
    settled_on(original)
    assert held() == original == cell.inner_text()

    edit("Edited twice")
    page.locator(".nbw-grid [role=grid] [tabindex='0']").focus()  # the table's one tab stop
    page.keyboard.press("Control+z")  # by keyboard
    settled_on(original)
    assert held() == original == cell.inner_text()

    edit("Edited thrice")
    run_cell(page, "grid.undo(); print('undone')")  # from a cell, as in example notebook 01
    settled_on(original)
    assert held() == original == cell.inner_text()

    edit("Edited, then back by hand")
    edit(original)  # an edit back to the original text
    assert held() == original == cell.inner_text()
    screenshot(page, "grid-after-undo", page.locator(".nbw-grid"))


def test_enter_on_pager_and_undo_buttons_keeps_the_keyboard_and_esc_leaves_the_text_boxes(page, lab, sandbox):
    """Buttons rebuilt on re-render keep focus (Enter, Enter goes two pages on); Esc in Find and Datapoint id
    hands the keyboard to the notebook."""
    with Client.orq(sandbox.api_key, sandbox.url) as client:
        dataset = client.create_dataset("pager-keys")
        client.create_datapoints(dataset.id, [{"expected_output": f"Answer {i}"} for i in range(35)])
    open_and_run(
        page,
        lab,
        "grid_pager_keys.ipynb",
        [SETUP, f"grid = DatasetGrid(Client.sandbox(), {dataset.id!r}, page_size=10)\ngrid"],
        wait_for=GRID,
    )
    grid = page.locator(".nbw-grid")
    grid.get_by_text("Page 1 of 4").wait_for()
    focused_text = "() => document.activeElement.textContent"

    grid.get_by_role("button", name="Next page").focus()
    page.keyboard.press("Enter")
    grid.get_by_text("Page 2 of 4").wait_for()
    grid.locator(".nbw-status .nbw-spinner").wait_for(state="detached")  # the kernel's page is in
    assert page.evaluate(focused_text) == "Next page ›"
    page.keyboard.press("Enter")
    grid.get_by_text("Page 3 of 4").wait_for()

    grid.get_by_role("button", name="First page").focus()
    page.keyboard.press("Enter")
    grid.get_by_text("Page 1 of 4").wait_for()
    grid.locator(".nbw-status .nbw-spinner").wait_for(state="detached")
    # First page is disabled on page 1: the keyboard is on the pager's next control, not lost
    assert page.evaluate(focused_text) == "Next page ›"

    cell = grid.locator("tbody tr[role=row]").first.locator("td.nbw-col-expected_output")
    original = cell.inner_text()
    for text in ("Edited once", "Edited twice"):
        cell.dblclick()
        editor = grid.locator(".nbw-editor textarea")
        editor.fill(text)
        editor.press("Control+Enter")
        cell.get_by_text(text).wait_for()
        grid.locator(".nbw-state-saved").first.wait_for()
    grid.get_by_role("button", name="Undo").focus()
    page.keyboard.press("Enter")
    cell.get_by_text("Edited once").wait_for()
    page.keyboard.press("Enter")  # Undo is still focused: a second Enter undoes the first edit too
    cell.get_by_text(original).wait_for()

    find = grid.get_by_label("Find", exact=True)
    find.fill("Answer")
    page.keyboard.press("Escape")
    assert focus_went_to_notebook(grid)
    grid.get_by_label("Datapoint id").click()  # orq pages by cursor: the pager's own text box
    page.keyboard.press("Escape")
    assert focus_went_to_notebook(grid)
