"""Cursor-paged listings (orq's `limit` / `starting_after` / `ending_before`): one page read from a list
answer, and every item of a listing, page after page.

`every_item` is the one loop over pages: `iter_datapoints`, `iter_evaluators` and the experiment review's
dataset listing each give it the read of one page and get the items.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from ..models import Page
from . import checks

T = TypeVar("T")


def every_item(page_after: Callable[[str | None], Page[T]], start: str | None = None) -> Iterator[T]:
    """Every item of a cursor-paged listing after `start` (None: from the first), one page in memory at a
    time: `page_after(cursor)` reads the page after `cursor` (None: the first)."""
    cursor = start
    while True:
        page = page_after(cursor)
        yield from page.items
        if not page.has_next or not page.items or page.next_cursor is None:
            return
        cursor = page.next_cursor


def read_page(
    get: Callable[..., Any],
    route: str,
    model: Any,
    *,
    limit: int,
    starting_after: str | None = None,
    ending_before: str | None = None,
    **params: Any,
) -> Page[Any]:
    """One page of an orq list route, read with `get` (a client's `_get`): its cursors, and the route's own
    `params` (a search)."""
    payload = get(route, limit=limit, starting_after=starting_after, ending_before=ending_before, **params)
    return page_of(payload, model, limit=limit, starting_after=starting_after, ending_before=ending_before)


def page_of(
    payload: dict[str, Any], model: Any, *, limit: int, starting_after: str | None, ending_before: str | None
) -> Page[Any]:
    """A `Page` of a list answer (`data`, `has_more`), its items made by `model.model_validate`."""
    items = [model.model_validate(item) for item in payload["data"]]
    has_more = bool(payload.get("has_more"))
    if ending_before:  # moving backwards: has_more speaks of what lies before
        has_next, has_previous = True, has_more
    else:
        has_next, has_previous = has_more, starting_after is not None
    return Page(
        items=items,
        has_next=has_next,
        has_previous=has_previous,
        scheme="cursor",
        next_cursor=item_id(items[-1]) if items else None,
        previous_cursor=item_id(items[0]) if items else None,
        page_size=limit,
    )


def item_id(item: Any) -> str | None:
    """The id a cursor names an item by: a model's `id`, or a plain item's (`_id` on the wire, as orq
    sends its evaluators of other types than llm_eval)."""
    if isinstance(item, dict):
        found = item.get("_id", item.get("id"))
        return None if found is None else str(found)
    found = getattr(item, "id", None)
    return None if found is None else str(found)


class AsGiven:
    """The `model` of a page whose items are made already (or kept as the service sent them)."""

    @staticmethod
    def model_validate(item: Any) -> Any:
        return item


def check_limit(limit: int) -> int:
    return checks.integer("limit", limit, 1, 200)
