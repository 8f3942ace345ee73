"""The one cursor-paging loop (client/cursor.py) and the page it reads: a page's cursor is its last item's
id, a model's or a plain item's (`_id`, as orq sends evaluators of other types than llm_eval)."""

from __future__ import annotations

from nbwidgets.client.cursor import AsGiven, every_item, page_of
from nbwidgets.models import Page

ITEMS = [{"_id": f"0{n}", "type": "python_eval"} for n in range(7)]


def pages(size):
    """A listing of ITEMS, `size` a page, read by cursor: the page after an id."""
    asked = []

    def page_after(cursor):
        asked.append(cursor)
        start = 0 if cursor is None else next(i for i, item in enumerate(ITEMS) if item["_id"] == cursor) + 1
        payload = {"data": ITEMS[start : start + size], "has_more": start + size < len(ITEMS)}
        return page_of(payload, AsGiven, limit=size, starting_after=cursor, ending_before=None)

    return page_after, asked


def test_a_page_of_plain_items_has_their_ids_as_cursors():
    page = page_of({"data": ITEMS[:3], "has_more": True}, AsGiven, limit=3, starting_after=None, ending_before=None)
    assert (page.next_cursor, page.previous_cursor, page.has_next, page.has_previous) == ("02", "00", True, False)


def test_every_item_follows_the_cursors_to_the_end():
    page_after, asked = pages(3)
    assert list(every_item(page_after)) == ITEMS
    assert asked == [None, "02", "05"]
    page_after, asked = pages(3)
    assert [item["_id"] for item in every_item(page_after, start="03")] == ["04", "05", "06"]
    assert asked == ["03"]


def test_every_item_stops_at_an_empty_page_or_one_without_a_cursor():
    assert list(every_item(lambda cursor: Page(items=[], has_next=True, has_previous=False, scheme="cursor"))) == []
    nameless = Page(items=[{"no": "id"}], has_next=True, has_previous=False, scheme="cursor")
    assert list(every_item(lambda cursor: nameless)) == [{"no": "id"}]
