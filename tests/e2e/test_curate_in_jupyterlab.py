"""Issue 26's "Done when" in a real JupyterLab: add a datapoint, tick three rows with the keyboard, delete
them (asked first), undo, and replace a word across the page with a preview; each checked on screen and
on the service. Screenshots of the selection, the confirm and the preview, light and dark, 1400 and 800 px."""

from __future__ import annotations

import json

import pytest
from conftest import browser_page, open_and_run, run_cell, screenshot, set_theme
from playwright.sync_api import expect

from nbwidgets import Client

pytestmark = pytest.mark.e2e
GRID = ".nbw-grid table[role=grid] tbody tr[role=row]"
SETUP = "from nbwidgets import Client, DatasetGrid"


def texts(other, dataset_id):
    return [dp.expected_output for dp in other.iter_datapoints(dataset_id)]


def on_screen(page):
    return page.locator(f"{GRID} td.nbw-col-expected_output").all_inner_texts()


@pytest.fixture
def dataset(sandbox):
    with Client.orq(sandbox.api_key, sandbox.url) as other:
        made = other.create_dataset("curate in lab")
        other.create_datapoints(
            made.id,
            [{"inputs": {"q": f"question {i}"}, "expected_output": f"The colour is red ({i})"} for i in range(15)],
        )
        yield other, made.id
        other.delete_dataset(made.id)


def test_add_select_delete_undo_and_replace_on_screen_and_on_the_service(browser, request, lab, dataset):
    other, dataset_id = dataset
    with browser_page(browser, request) as page:
        open_and_run(
            page,
            lab,
            "grid_curate.ipynb",
            [SETUP, f"grid = DatasetGrid(Client.sandbox(), {dataset_id!r}, page_size=10)\ngrid"],
            wait_for=GRID,
        )
        assert page.locator(GRID).count() == 10

        # add: the form, its messages in the row editor's message editor (roles, text, tool calls, a tool
        # call's id, raw JSON for the rest), saved once, shown where orq lists it (last: page 2)
        top = page.locator(".nbw-grid table[role=grid] tbody tr").first  # the table's first row: "New datapoint"
        top.get_by_role("button", name="+ New datapoint").click()
        form = top.get_by_role("form", name="New datapoint")  # opens in that row, above the datapoints
        expect(form.get_by_label("Expected output")).to_be_focused()
        form.get_by_label("Expected output").fill("A brand new answer «ü» <b>not bold</b>")
        form.get_by_label("Inputs").fill('{"q": "a new question"}')
        add_message = form.get_by_role("button", name="+ Add message")
        add_message.click()
        form.get_by_label("Text of message 1").fill("Où est ma facture ?")
        add_message.click()
        form.get_by_label("Role of message 2").select_option("assistant")
        form.get_by_label("Text of message 2").fill("Je regarde.")
        calls = [{"id": "call_1", "type": "function", "function": {"name": "find_invoice", "arguments": "{}"}}]
        form.get_by_label("Tool calls (JSON)").fill(json.dumps(calls))
        add_message.click()
        form.get_by_label("Role of message 3").select_option("tool")
        form.get_by_label("Text of message 3").fill("Facture 42 : payée.")
        form.get_by_role("button", name="Add datapoint").click()  # the tool message lacks its call's id
        form.get_by_text("Message 3: A tool message needs the id of the tool call it answers").first.wait_for()
        assert len(texts(other, dataset_id)) == 15  # nothing sent
        form.get_by_label("Tool call id").fill("call_1")
        screenshot(page, "curate-new-datapoint-light-1400", page.locator(".nbw-grid"))
        form.get_by_label("Messages as raw JSON").check()  # raw JSON: a message's name, as in the row editor
        raw = form.get_by_label("Messages (JSON)")
        written = json.loads(raw.input_value())
        assert [m["role"] for m in written] == ["user", "assistant", "tool"] and written[2]["tool_call_id"] == "call_1"
        written[0]["name"] = "client"
        raw.fill(json.dumps(written, ensure_ascii=False))
        form.get_by_label("Messages as raw JSON").uncheck()  # back to messages: nothing lost
        assert form.get_by_label("Text of message 1").input_value() == "Où est ma facture ?"
        form.get_by_role("button", name="Add datapoint").click()
        page.get_by_text("Added a datapoint").wait_for()
        expect(top.get_by_role("button", name="+ New datapoint")).to_be_visible()  # the row closes to its button
        assert page.evaluate("() => !!document.activeElement.closest('.nbw-grid table[role=grid]')")  # focus: the table
        new_row = page.locator(f"{GRID}", has_text="A brand new answer «ü» <b>not bold</b>")
        new_row.wait_for()
        expect(new_row).to_have_attribute("aria-selected", "true")  # gone to, selected, in view, saved
        expect(new_row).to_be_in_viewport()
        expect(new_row).to_contain_text("Saved")
        assert "found" not in page.locator(".nbw-grid").inner_text()  # not by Find: its bar says nothing
        assert page.locator(".nbw-grid b").count() == 0  # text, never HTML
        assert texts(other, dataset_id)[-1] == "A brand new answer «ü» <b>not bold</b>"
        *_, newest = other.iter_datapoints(dataset_id)
        held = newest.to_wire()["messages"]
        assert [(m["role"], m["content"]) for m in held] == [
            ("user", "Où est ma facture ?"),
            ("assistant", "Je regarde."),
            ("tool", "Facture 42 : payée."),
        ]
        assert held[0]["name"] == "client" and held[1]["tool_calls"] == calls and held[2]["tool_call_id"] == "call_1"
        assert newest.inputs == {"q": "a new question"}
        assert len(texts(other, dataset_id)) == 16

        # back to page 1; tick three rows with the keyboard: Shift+Space, then Shift+↓ twice
        page.get_by_role("button", name="Previous page").click()
        page.locator(f"{GRID}").first.wait_for()
        page.wait_for_function(
            "() => document.querySelector('.nbw-grid tbody tr[role=row] td.nbw-col-expected_output')"
            "?.textContent.includes('(0)')"
        )
        first_ids = [page.locator(GRID).nth(i).get_attribute("data-id") for i in range(3)]
        page.locator(f"{GRID}").first.locator("td.nbw-col-expected_output").click()
        page.keyboard.press("Shift+ArrowDown")
        page.keyboard.press("Shift+ArrowDown")
        page.get_by_text("3 rows selected").wait_for()
        ticked = page.locator(f"{GRID}.nbw-ticked")
        assert [ticked.nth(i).get_attribute("data-id") for i in range(ticked.count())] == first_ids
        assert page.locator(f"{GRID} input.nbw-tick:checked").count() == 3
        assert page.evaluate("() => !!document.activeElement.closest('.nbw-grid table')")  # focus stays in the grid
        assert run_cell(page, "print(len(grid.selected_ids))").strip() == "3"
        for theme in ("JupyterLab Light", "JupyterLab Dark"):
            set_theme(page, theme)
            screenshot(page, f"curate-selection-{theme.split()[-1].lower()}-1400", page.locator(".nbw-grid"))

        # Delete asks first, naming the count
        page.locator(f"{GRID}").first.locator("td.nbw-col-expected_output").click()
        page.keyboard.press("Delete")
        confirm = page.get_by_role("alertdialog")
        confirm.wait_for()
        assert "Delete 3 datapoints?" in confirm.inner_text() and "new datapoints" in confirm.inner_text()
        screenshot(page, "curate-confirm-dark-1400", page.locator(".nbw-grid"))
        set_theme(page, "JupyterLab Light")
        screenshot(page, "curate-confirm-light-1400", page.locator(".nbw-grid"))
        assert page.evaluate("() => document.activeElement.textContent") == "Delete 3"
        page.keyboard.press("Enter")
        page.get_by_text("Deleted 3 datapoints").wait_for()
        page.wait_for_function(
            "(ids) => ids.every((id) => !document.querySelector(`.nbw-grid tr[data-id='${id}']`))", arg=first_ids
        )
        assert len(texts(other, dataset_id)) == 13
        assert not {dp.id for dp in other.iter_datapoints(dataset_id)} & set(first_ids)
        assert on_screen(page)[0] == "The colour is red (3)"

        # Undo (Ctrl+Z in the table) brings them back, as new datapoints (said so)
        page.locator(f"{GRID}").first.locator("td.nbw-col-expected_output").click()
        page.keyboard.press("Control+z")
        page.get_by_text("Brought back 3 deleted datapoints as new datapoints").wait_for()
        held = texts(other, dataset_id)
        assert len(held) == 16 and held[-3:] == [f"The colour is red ({i})" for i in range(3)]

        # replace a word across the page, with a preview first
        page.get_by_role("button", name="Replace…").click()
        panel = page.get_by_role("form", name="Find and replace")
        panel.get_by_label("Find").fill("red")
        panel.get_by_label("Replace with").fill("blue")
        panel.get_by_label("Across").select_option("page")
        panel.get_by_role("button", name="Preview").click()
        page.get_by_text("10 datapoints will change:").wait_for()
        assert page.locator(".nbw-preview del").first.inner_text() == "red"
        assert page.locator(".nbw-preview ins").first.inner_text() == "blue"
        assert texts(other, dataset_id)[:10] == [f"The colour is red ({i})" for i in range(3, 13)]  # nothing sent
        screenshot(page, "curate-preview-light-1400", page.locator(".nbw-grid"))
        set_theme(page, "JupyterLab Dark")
        screenshot(page, "curate-preview-dark-1400", page.locator(".nbw-grid"))
        page.get_by_role("button", name="Replace in 10 datapoints").click()
        page.wait_for_function(
            "() => [...document.querySelectorAll('.nbw-grid tbody tr[role=row] td.nbw-col-expected_output')]"
            ".every((td) => td.textContent.includes('blue'))"
        )
        assert run_cell(page, "print(grid.client.outbox.flush(60))").strip() == "True"
        held = texts(other, dataset_id)
        assert held[:10] == [f"The colour is blue ({i})" for i in range(3, 13)]

        # one Undo takes the whole replace back, and says how many it reverted
        page.get_by_role("button", name="Undo", exact=True).click()
        page.get_by_text("Undid the replace: reverted 10 datapoints.").wait_for()
        page.wait_for_function(
            "() => [...document.querySelectorAll('.nbw-grid tbody tr[role=row] td.nbw-col-expected_output')]"
            ".every((td) => td.textContent.includes('red'))"
        )
        held = texts(other, dataset_id)
        assert held[:10] == [f"The colour is red ({i})" for i in range(3, 13)]
        assert held[10:] == [
            "The colour is red (13)",
            "The colour is red (14)",
            "A brand new answer «ü» <b>not bold</b>",
            *(f"The colour is red ({i})" for i in range(3)),
        ]
        assert not page.errors


def test_the_selection_confirm_and_preview_at_800_px(browser, request, lab, dataset):
    other, dataset_id = dataset
    with browser_page(browser, request, width=800) as page:
        open_and_run(
            page,
            lab,
            "grid_curate_800.ipynb",
            [SETUP, f"grid = DatasetGrid(Client.sandbox(), {dataset_id!r}, page_size=10)\ngrid"],
            wait_for=GRID,
        )
        page.locator(GRID).first.locator("input.nbw-tick").click()
        page.locator(GRID).nth(2).locator("input.nbw-tick").click(modifiers=["Shift"])
        page.get_by_text("3 rows selected").wait_for()
        page.get_by_role("button", name="Delete 3…").click()
        page.get_by_role("alertdialog").wait_for()
        for theme in ("JupyterLab Light", "JupyterLab Dark"):
            set_theme(page, theme)
            screenshot(page, f"curate-confirm-{theme.split()[-1].lower()}-800", page.locator(".nbw-grid"))
        page.get_by_role("alertdialog").get_by_role("button", name="Cancel").click()
        assert page.get_by_role("alertdialog").count() == 0 and len(texts(other, dataset_id)) == 15
        page.get_by_role("button", name="Replace…").click()
        panel = page.get_by_role("form", name="Find and replace")
        panel.get_by_label("Find").fill("colour")
        panel.get_by_label("Replace with").fill("color")
        panel.get_by_role("button", name="Preview").click()
        page.get_by_text("3 datapoints will change:").wait_for()  # the selection: the default scope
        for theme in ("JupyterLab Light", "JupyterLab Dark"):
            set_theme(page, theme)
            screenshot(page, f"curate-preview-{theme.split()[-1].lower()}-800", page.locator(".nbw-grid"))
        page.keyboard.press("Escape")
        assert page.locator(".nbw-preview").count() == 0
        assert texts(other, dataset_id)[0] == "The colour is red (0)"
        assert not page.errors


def test_a_review_row_added_to_another_dataset(browser, request, lab, dataset):
    """ExperimentReview's row action "Add to dataset…": the row's input with its output, on the service
    and said on the row."""
    other, dataset_id = dataset
    target = other.create_dataset("regressions from the review")
    try:
        with browser_page(browser, request) as page:
            open_and_run(
                page,
                lab,
                "review_add.ipynb",
                [
                    "from nbwidgets import Client, ExperimentReview",
                    "def generate(datapoint):\n    return 'generated for ' + datapoint.inputs['q']",
                    f"review = ExperimentReview(Client.sandbox(), {dataset_id!r}, generate=generate, page_size=5)\n"
                    "review",
                ],
                wait_for=".nbw-experiment button:has-text('Add to dataset…')",
            )
            page.get_by_role("button", name="Add to dataset…").first.click()
            form = page.get_by_role("form", name="Add to dataset")
            choice = form.get_by_label("Dataset to add the row to")
            page.wait_for_function(
                "(name) => [...document.querySelectorAll('.nbw-addto option')].some((o) => o.textContent === name)",
                arg=target.display_name,
            )
            choice.select_option(label=target.display_name)
            form.get_by_role("button", name="Add").click()
            page.get_by_text(f"Added to {target.display_name} ✓").wait_for()
            [copy] = list(other.iter_datapoints(target.id))
            assert copy.expected_output == "generated for question 0" and copy.inputs == {"q": "question 0"}
            assert not page.errors
    finally:
        other.delete_dataset(target.id)


def test_overmind_removals_and_pasted_rows_stage_into_one_new_version(browser, request, lab, overmind, own_version):
    """On a versioned dataset the confirm says nothing is sent until Save; removed rows are struck through;
    rows pasted on the table (a spreadsheet's tab-separated cells, with a header) are previewed, then staged;
    one Save makes one version holding all of it."""
    with browser_page(browser, request) as page:
        open_and_run(
            page,
            lab,
            "grid_curate_overmind.ipynb",
            [SETUP, f"grid = DatasetGrid(Client.sandbox('overmind'), {own_version.id!r}, page_size=10)\ngrid"],
            wait_for=GRID,
        )
        removed = [page.locator(GRID).nth(i).get_attribute("data-id") for i in (0, 1)]
        page.locator(GRID).first.locator("input.nbw-tick").click()
        page.locator(GRID).nth(1).locator("input.nbw-tick").click(modifiers=["Shift"])
        page.get_by_text("2 rows selected").wait_for()
        page.keyboard.press("Delete")
        confirm = page.get_by_role("alertdialog")
        assert "Remove 2 datapoints from the next version? Nothing is sent" in confirm.inner_text()
        page.keyboard.press("Enter")
        page.get_by_text("2 removals").wait_for()
        assert page.locator(f"{GRID}.nbw-removed").count() == 2
        # a paste on the table: the clipboard's text, as a spreadsheet puts it there
        page.locator(GRID).nth(3).locator("td.nbw-col-expected_output").click()
        page.evaluate(
            """(text) => {
                const data = new DataTransfer();
                data.setData('text/plain', text);
                document.activeElement.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true}));
            }""",
            'input\texpected_output\n{"question": "pasted ü"}\tA pasted answer\n',
        )
        page.get_by_text("1 new datapoint will be added:").wait_for()
        assert "A pasted answer" in page.locator(".nbw-preview").inner_text()
        page.get_by_role("button", name="Add 1 datapoint").click()
        page.get_by_text("1 new datapoint, 2 removals").wait_for()
        assert overmind.get_dataset(own_version.id).num_datapoints == 40  # nothing sent before Save
        page.get_by_role("button", name="Save as new version").click()
        page.get_by_text("Saved as version").wait_for()
        made = run_cell(page, "print(grid.dataset_id, grid.total)").split()
        version = overmind.get_dataset(made[0])
        assert made[1] == "39" and version.num_datapoints == 39
        assert version.datapoints[-1].expected_output == "A pasted answer"
        assert version.datapoints[-1].input == {"question": "pasted ü"}
        original = overmind.get_dataset(own_version.id).datapoints  # in order: the first two were removed
        assert [dp.id for dp in original[:2]] == removed
        assert [dp.expected_output for dp in version.datapoints[:-1]] == [dp.expected_output for dp in original[2:]]
        assert not page.errors
