"""Pending writes in every widget's header, in a real JupyterLab: a retrying edit stays in view after its page
is left (the count, a list naming its row and field, its state and reason, Go to row), the other widgets on
the client count it too, and once the service is back it is delivered and the row on screen shows it."""

from __future__ import annotations

import pytest
from conftest import open_and_run, run_cell, screenshot

from nbwidgets import Client

pytestmark = pytest.mark.e2e
ROWS = ".nbw-grid table[role=grid] tbody tr[role=row][data-id]"


def test_a_retrying_edit_is_listed_in_every_widgets_header_until_it_is_delivered(page, lab, sandbox):
    with Client.orq(sandbox.api_key, sandbox.url) as client:
        dataset = client.create_dataset("pending-writes-e2e")
        client.create_datapoints(dataset.id, [{"expected_output": f"answer {i}"} for i in range(30)])
        listed = list(client.iter_datapoints(dataset.id))
    target = listed[12]  # row 13: the third on page 2
    trace = sandbox.new_trace("trace-e2e-pending")
    cells = [
        "from nbwidgets import Client, DatasetGrid, FeedbackButtons\nclient = Client.sandbox()",
        f"grid = DatasetGrid(client, {dataset.id!r}, page_size=10)\ngrid",
        f"FeedbackButtons(client, {trace!r})",
    ]
    open_and_run(page, lab, "pending_writes.ipynb", cells, wait_for=ROWS)
    grid, feedback = page.locator(".nbw-grid"), page.locator(".nbw-feedback")
    feedback.wait_for()
    assert grid.locator(".nbw-pending").is_hidden() and feedback.locator(".nbw-pending").is_hidden()
    grid.get_by_role("button", name="Next page").click()
    grid.get_by_text("Page 2 of 3").wait_for()
    run_cell(page, "client.set_sandbox_faults(fault_rate=1.0); print('faults on')")
    try:
        cell = grid.locator(f"tbody tr[data-id='{target.id}'] td.nbw-col-expected_output")
        cell.dblclick()
        grid.locator(".nbw-editor textarea").fill("Saved once the service is back.")
        grid.locator(".nbw-editor textarea").press("Control+Enter")
        grid.locator(f"tbody tr[data-id='{target.id}'] td.nbw-state-retrying").wait_for(timeout=30_000)
        grid.get_by_role("button", name="Previous page").click()
        grid.get_by_text("Page 1 of 3").wait_for()
        # off its page, the edit is still in view: the header counts it, in the grid and in the feedback widget
        toggle = grid.locator(".nbw-pending-toggle")
        toggle.wait_for()
        assert toggle.inner_text().strip().endswith("1 write pending (retrying)")
        assert toggle.get_attribute("aria-expanded") == "false"
        feedback.locator(".nbw-pending-toggle", has_text="1 write pending").wait_for()
        toggle.click()
        item = grid.locator(".nbw-pending-list li").first
        item.wait_for()
        assert item.locator(".nbw-pending-what").inner_text() == "Row 13 · Expected output"
        assert "Retrying (attempt" in item.inner_text() and "The service" in item.inner_text()
        assert toggle.get_attribute("aria-expanded") == "true"
        feedback.locator(".nbw-pending-toggle").click()
        assert "(another widget)" in feedback.locator(".nbw-pending-list li").first.inner_text()
        screenshot(page, "pending-writes-open")
        item.get_by_role("button", name="Go to row").click()
        grid.get_by_text("Page 2 of 3").wait_for()
        selected = grid.locator("tbody tr[aria-selected=true]")
        selected.wait_for()
        assert selected.get_attribute("data-id") == target.id
    finally:
        run_cell(page, "client.set_sandbox_faults(fault_rate=0); print('faults off')")
    grid.locator(".nbw-pending").get_by_role("button", name="Retry now").click()
    grid.locator(f"tbody tr[data-id='{target.id}'] td.nbw-state-saved").wait_for(timeout=60_000)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.nbw-pending')].every(box => box.hidden)", timeout=30_000
    )
    assert cell.inner_text() == "Saved once the service is back."
    with Client.orq(sandbox.api_key, sandbox.url) as client:
        assert client.get_datapoint(dataset.id, target.id).expected_output == "Saved once the service is back."
