"""Rough edges of issue #21 seen on screen in a real JupyterLab: the pager of a short displayed page, the
grid's Reviews column, copying a cell, layout and undo across a re-run, the word diff's legend."""

from __future__ import annotations

import pytest
from conftest import open_and_run

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
