"""One page of a listing, over both pagination schemes.

orq pages by cursor (`starting_after` / `ending_before` an `_id`, `has_more`, no total);
Overmind by page number (`page`, `count`, `next`, `previous`). A Page says where it is and how to
move from it, whichever scheme produced it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    has_next: bool
    has_previous: bool
    scheme: Literal["cursor", "number"]
    # cursor scheme: the ids to pass as starting_after (next) / ending_before (previous)
    next_cursor: str | None = None
    previous_cursor: str | None = None
    # number scheme: this page's number (1-based) and the total count of items
    number: int | None = None
    total: int | None = None
    page_size: int | None = None

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[T]:  # type: ignore[override]
        return iter(self.items)

    @property
    def page_count(self) -> int | None:
        if self.total is None or not self.page_size:
            return None
        return max(1, -(-self.total // self.page_size))
