"""Issue 22, item 0, in a real JupyterLab: two clients of one service in one kernel (a `Client.orq()` cell run
again while the older client still writes). Edits made on screen in the newer client's grid, under faults, are
delivered by whichever client gets to them first; each row must end up showing "saved" and the text the
service holds, never "Retrying" for good (it did, when the older client delivered them)."""

from __future__ import annotations

import pytest
from conftest import open_and_run, run_cell

from nbwidgets import Client

pytestmark = pytest.mark.e2e
ROWS = ".nbw-grid table[role=grid] tbody tr[role=row][data-id]"


def test_edits_delivered_by_the_other_client_show_saved_on_screen(page, lab, sandbox, tmp_path):
    with Client.orq(sandbox.api_key, sandbox.url) as client:
        dataset = client.create_dataset("two-clients-on-screen")
        rows = client.create_datapoints(dataset.id, [{"expected_output": f"Answer {i}"} for i in range(4)])
    key, url = sandbox.api_key, sandbox.url
    cells = [
        "import os\nfrom nbwidgets import Client, DatasetGrid\n"
        f"os.environ['NBWIDGETS_CACHE_DIR'] = {str(tmp_path)!r}  # one outbox file on disk, as for a real service",
        f"old = Client.orq({key!r}, {url!r})\nold_grid = DatasetGrid(old, {dataset.id!r}, page_size=10)",
        f"client = Client.orq({key!r}, {url!r})  # the cell run again\n"
        f"grid = DatasetGrid(client, {dataset.id!r}, page_size=10)\ngrid",
    ]
    open_and_run(page, lab, "two_clients.ipynb", cells, wait_for=ROWS)
    # every request refused with a 429 and a long Retry-After: the edits wait, showing "Retrying"
    sandbox.set_faults(rate_limit_rate=1.0, retry_after_ms=30_000)
    try:
        for n, dp in enumerate(rows):
            cell = page.locator(f"{ROWS}[data-id='{dp.id}'] td.nbw-col-expected_output")
            cell.dblclick()
            editor = page.locator(".nbw-editor textarea")
            editor.fill(f"Edited on screen {n}")
            editor.press("Control+Enter")
        for dp in rows:
            page.locator(f"{ROWS}[data-id='{dp.id}'] .nbw-state-retrying").wait_for(timeout=30_000)
    finally:
        sandbox.set_faults(rate_limit_rate=0.0, retry_after_ms=0, fault_rate=0.3)  # still failing now and then
    try:
        # the older client, busy with a write of its own, takes up the queued edits at once (the newer one
        # waits out the 30 s Retry-After): it delivers them
        assert "True" in run_cell(
            page,
            f"old_grid.edit({rows[0].id!r}, expected_output='Edited on screen 0', wait=False)\n"
            "old.outbox.retry_now()\nprint(old.outbox.flush(60))",
        )
        for n, dp in enumerate(rows):
            row = page.locator(f"{ROWS}[data-id='{dp.id}']")
            row.locator(".nbw-state-saved").wait_for(timeout=20_000)
            assert row.locator("td.nbw-col-expected_output").inner_text() == f"Edited on screen {n}"
    finally:
        sandbox.clear_faults()
    with Client.orq(sandbox.api_key, sandbox.url) as check:
        held = {dp.id: dp.expected_output for dp in check.iter_datapoints(dataset.id)}
    assert held == {dp.id: f"Edited on screen {n}" for n, dp in enumerate(rows)}
    assert "saved" in run_cell(page, "print({s['state'] for s in grid.row_status.values()})")
