"""A grid row's problem across page changes in a real JupyterLab: a conflict made on page 1 is still on screen
(its status, your draft in the cell, theirs and yours, Keep mine) after the next page and back, and Keep mine
then lands on the service (issue 24, 1)."""

from __future__ import annotations

import pytest
from conftest import open_and_run

from nbwidgets import Client
from nbwidgets.models import new_ulid

pytestmark = pytest.mark.e2e
ROWS = ".nbw-grid table[role=grid] tbody tr[role=row][data-id]"
MINE = "My answer, typed before paging away."
THEIRS = "A colleague's answer."


def test_a_conflict_is_still_on_screen_after_the_next_page_and_back(page, lab, sandbox):
    with Client.orq(sandbox.api_key, sandbox.url) as client:
        dataset = client.create_dataset(f"conflict-across-pages-{new_ulid()}")
        client.create_datapoints(dataset.id, [{"expected_output": f"The original answer {i}."} for i in range(6)])
    cells = [
        "from nbwidgets import Client, DatasetGrid",
        f"grid = DatasetGrid(Client.sandbox(), {dataset.id!r}, page_size=3)\ngrid",
    ]
    open_and_run(page, lab, "grid_conflict_pages.ipynb", cells, wait_for=ROWS)
    target = page.locator(ROWS).nth(1).get_attribute("data-id")
    with Client.orq(sandbox.api_key, sandbox.url) as colleague:
        colleague.update_datapoint(dataset.id, target, expected_output=THEIRS)
    row = page.locator(f"{ROWS}[data-id='{target}']")
    row.locator("td.nbw-col-expected_output").dblclick()
    editor = page.locator(".nbw-editor textarea")
    editor.fill(MINE)
    editor.press("Control+Enter")
    row.locator("td.nbw-state-conflict").wait_for()

    page.get_by_role("button", name="Next page").click()
    page.get_by_text("Page 2 of 2").wait_for()
    row.wait_for(state="detached")
    page.get_by_role("button", name="Previous page").click()
    page.get_by_text("Page 1 of 2").wait_for()

    row.locator("td.nbw-state-conflict").wait_for()
    cell = row.locator("td.nbw-col-expected_output")
    assert cell.locator(".nbw-draft-mark").inner_text() == "not saved" and MINE.startswith(
        cell.locator(".nbw-draft-text").inner_text()
    )
    detail = page.locator(f"tr.nbw-detail-row[data-for='{target}'] .nbw-detail-conflict")
    assert detail.locator(".nbw-diff-before .nbw-diff").inner_text() == THEIRS
    assert detail.locator(".nbw-diff-after .nbw-diff").inner_text() == MINE
    detail.get_by_role("button", name="Keep mine").click()
    row.locator("td.nbw-state-saved").wait_for()
    with Client.orq(sandbox.api_key, sandbox.url) as client:
        assert client.get_datapoint(dataset.id, target).expected_output == MINE
    assert MINE in row.locator("td.nbw-col-expected_output").inner_text() and page.errors == []
