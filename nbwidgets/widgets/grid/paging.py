"""The grid's page loader (widgets/_pages.py, shared with ExperimentReview), wired to the grid's traits:
what the loader tells (a page on show, a failure, a neighbour prefetched, the dataset described) becomes
the page on show, where it is, loading/error, the pages one can go back to, and the dataset's name.

Prefetched pages are also sent to the front end (a custom message, not a trait), so a flip to them
renders without a round trip.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...client import RequestFailedError
from ...client.datasets import DatasetInfo, Query
from ...models import Page
from .._base import describe
from .._contract import VersionStanding, plain
from .._pages import PageLoader

if TYPE_CHECKING:
    from .widget import DatasetGrid


def grid_pages(grid: DatasetGrid, cache_pages: int) -> PageLoader:
    """The grid's loader over its source, its lock and its listing's traits (ordering, search)."""

    def shown(page: Page[Any], number: int, select: str | None) -> None:
        with grid.hold_sync():
            found = grid.find
            if number != grid.page_number and found.get("by_id") and found.get("error"):
                grid.find = {}  # "no datapoint X" answered the look-up, not this page
            grid.page_number = number
            grid._page_rows = [grid.source.row(dp) for dp in page.items]
            grid._row_patches = {}
            grid.has_next = page.has_next
            grid.has_previous = page.has_previous or number > 1
            if page.total is not None:
                grid.total = page.total
            grid.page_count = grid.source.page_count(grid.total, grid.page_size)
            grid.loading = False
            grid.error = ""
            on_page = {dp.id for dp in page.items}
            if select in on_page:
                grid.selected_id = select
            elif grid.selected_id not in on_page:
                grid.selected_id = page.items[0].id if page.items else None
            # a saved (or updated elsewhere) tick is for the page on show; failures and conflicts stay until resolved
            grid.row_status = {
                k: v for k, v in grid.row_status.items() if k in on_page or v["state"] not in ("saved", "updated")
            }

    def failed(error: BaseException, number: int) -> None:
        grid.loading = False
        grid.error = describe(error)["message"]

    def loading(number: int) -> None:
        grid.loading = True
        grid.error = ""

    def ahead(page: Page[Any], number: int) -> None:
        """A neighbour page for the front end to show at once on a flip (the kernel then confirms it)."""
        grid.send(
            {
                "type": "prefetched",
                "listing": list(grid.pages.listing()),
                "number": number,
                "rows": [grid.source.row(dp) for dp in page.items],
                "has_next": page.has_next,
                "has_previous": page.has_previous or number > 1,
            }
        )

    def known(numbers: list[int]) -> None:
        grid.known_pages = numbers

    def described(info: DatasetInfo) -> None:
        grid.dataset_name, grid.version = info.name, info.version
        if info.total is not None:  # else a total the first page brought stays
            grid.total = info.total
        # the first page may have been shown before the total was known: count its pages now
        grid.page_count = grid.source.page_count(grid.total, grid.page_size)
        grid.agent_id = info.agent_id
        grid.version_standing = plain(standing(info))

    def describe_failed(error: Exception) -> None:
        if not isinstance(error, RequestFailedError):  # an answer or none: shown
            raise error
        if not grid.error:
            grid.error = describe(error)["message"]

    return PageLoader(
        grid.source,
        grid._lock,
        page_size=grid.page_size,
        cache_pages=cache_pages,
        query=lambda: Query(grid.ordering or None, grid.search),
        page_count=lambda: grid.page_count,
        prefetch=lambda: grid.prefetch,
        on_shown=shown,
        on_failed=failed,
        on_loading=loading,
        on_ahead=ahead,
        on_known=known,
        on_described=described,
        on_describe_failed=describe_failed,
    )


def standing(info: DatasetInfo) -> VersionStanding:
    """Where a version stands among its agent's (shown beside its number); {} for unversioned datasets."""
    if info.newest_version is None and info.active is None:
        return {}
    return {"newest": info.newest_version, "active": info.active}
