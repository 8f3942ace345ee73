"""The grid's paging: the page on show, a small LRU cache of pages, prefetch of the neighbours, and
the way to every page visited (cursor listings can only step, so each page's cursor is remembered).

A page that arrives after the user moved on is cached but not shown. Prefetched pages are also sent
to the front end (a custom message, not a trait), so a flip to them renders without a round trip.
"""

from __future__ import annotations

import concurrent.futures
import threading
from collections import OrderedDict
from typing import Any

from ...client.datasets import DatasetSource, Position, Query
from ...client.errors import TimeoutError as ApiTimeout
from ...models import Page
from .._base import LOAD_TIMEOUT, describe, run_in_background

PageKey = tuple[Any, ...]


class Paging:
    """Mixed into DatasetGrid, whose traits (page_number, loading, ...) it sets."""

    source: DatasetSource
    dataset_id: str | None
    page_size: int
    page_number: int
    page_count: int | None
    total: int | None
    has_next: bool
    has_previous: bool
    loading: bool
    error: str
    ordering: str
    search: str
    selected_id: str | None
    row_status: dict[str, Any]
    known_pages: list[int]
    _page_rows: list[dict[str, Any]]
    _row_patches: dict[str, Any]
    _lock: threading.RLock
    prefetch: bool
    find: dict[str, Any]  # Find's state (find.py)
    cache_pages: int

    def _init_paging(self) -> None:
        self._page: Page[Any] | None = None
        self._cache: OrderedDict[PageKey, Page[Any]] = OrderedDict()  # least recently used first
        self._positions: dict[int, Position] = {1: {}}  # page number -> how to fetch it
        self._inflight: dict[PageKey, concurrent.futures.Future[Page[Any]]] = {}
        self._generation = 0
        self._shown = threading.Condition(self._lock)
        self.stale_dropped = 0  # responses that arrived after the user had moved on
        self._last_error: BaseException | None = None

    # --- where pages are ------------------------------------------------------------------------

    def _query(self) -> Query:
        return Query(self.ordering or None, self.search)

    def _listing(self) -> PageKey:
        return (self.dataset_id, self.page_size, self.ordering, self.search)

    def _key(self, number: int) -> PageKey:
        return (*self._listing(), number)

    def _forget_pages(self) -> None:
        """The listing changed (dataset, size, order, search, refresh): nothing cached or remembered holds."""
        self._cache.clear()
        self._positions = {1: {}}
        self.known_pages = [1]

    def _position_of(self, number: int) -> Position | None:
        if self.source.paging == "number":
            return {}
        return self._positions.get(number)

    def _remember(self, number: int, position: Position | None) -> None:
        if position is not None and number not in self._positions:
            self._positions[number] = position
            self.known_pages = sorted(self._positions)

    def _fetch(self, number: int, position: Position) -> Page[Any]:
        assert self.dataset_id is not None
        return self.source.fetch(self.dataset_id, number, position, self.page_size, self._query())

    def _loaded_pages(self) -> list[Page[Any]]:
        """The page on show and the cached ones: where a datapoint's loaded copies are."""
        return [page for page in [self._page, *self._cache.values()] if page is not None]

    # --- fetching -------------------------------------------------------------------------------

    def _request(self, number: int, position: Position) -> concurrent.futures.Future[Page[Any]]:
        """Fetch a page once: concurrent asks for the same page share one request."""
        key = self._key(number)
        with self._lock:
            if key in self._inflight:
                return self._inflight[key]
            future = run_in_background(self._fetch, number, position)
            self._inflight[key] = future

        def landed(done: concurrent.futures.Future[Page[Any]]) -> None:
            with self._lock:
                self._inflight.pop(key, None)
                if done.exception() is None and key[:-1] == self._listing():
                    self._cache_put(key, done.result())
                    if abs(number - self.page_number) == 1:
                        self._send_prefetched(number, done.result())

        future.add_done_callback(landed)
        return future

    def _cache_put(self, key: PageKey, page: Page[Any]) -> None:
        self._cache[key] = page
        self._cache.move_to_end(key)
        while len(self._cache) > self.cache_pages:
            self._cache.popitem(last=False)

    def _target(self, how: str | int) -> int | None:
        current = self.page_number if self._page is not None else 1
        if isinstance(how, int):
            return how
        if how == "next":
            return current + 1 if self._page is None or self._page.has_next else None
        if how == "last":
            if self.page_count is None or self.source.paging != "number":
                raise ValueError("this listing pages by cursor: the last page is reached by stepping")
            return self.page_count
        return {"previous": current - 1, "first": 1, "refresh": current}[how]

    def _await_described(self) -> None:
        """Wait (bounded) for the dataset's description (name, size, version) read in the background."""
        describing = getattr(self, "_describing", None)
        if describing is not None:
            try:
                describing.result(LOAD_TIMEOUT)
            except Exception:  # its failure is shown by the grid; a wait for it is not the place to raise it
                pass

    def _await_first_page(self) -> None:
        """Right after a dataset opens: wait (bounded) for its first page, or raise why it did not come."""
        if self._page is not None or not self.dataset_id:
            self._await_described()
            return
        with self._shown:
            self._shown.wait_for(
                lambda: self._page is not None or (not self.loading and self._last_error is not None),
                timeout=LOAD_TIMEOUT,
            )
        if self._page is None:
            error = self._last_error
            if isinstance(error, ApiTimeout):  # say what was being waited for, in the grid's words
                raise type(error)(
                    f"{error.message}, while loading page 1 of dataset {self.dataset_id}",
                    method=error.method,
                    route=error.route,
                    status=error.status,
                ) from None
            if error is not None:
                raise error
            raise TimeoutError(f"the first page of dataset {self.dataset_id} did not load within {LOAD_TIMEOUT:g} s")
        self._await_described()

    def _navigate(self, how: str | int, wait: bool, select: str | None = None) -> None:
        """Show a page: "next", "previous", "first", "last", "refresh", or a page number."""
        if not self.dataset_id:
            raise ValueError("no dataset is open")
        if wait and how in ("next", "previous"):
            self._await_first_page()  # "next" right after construction is page 2, not page 1 again
        with self._lock:
            number = self._target(how)
            if number is None or number < 1:
                return
            if self.page_count is not None and number > self.page_count and how != "refresh":
                raise ValueError(f"page {number} is past the last page ({self.page_count})")
            if how == "refresh":
                self._forget_pages()
            self._generation += 1
            generation = self._generation
            cached = self._cache.get(self._key(number))
            if cached is not None:
                self._cache.move_to_end(self._key(number))
                self._show(cached, number, select)
                return
            position = self._position_of(number)
            if position is None and self._page is not None and number == self.page_number - 1:
                position = self.source.previous_position(self._page)
            if position is None:
                if how == "refresh":
                    number, position = 1, {}
                else:
                    raise ValueError(f"page {number} has not been visited yet: this listing pages by cursor")
            self.loading = True
            self.error = ""
            future = self._request(number, position)
        future.add_done_callback(lambda done: self._arrived(done, number, generation, select))
        if wait:
            with self._shown:
                self._shown.wait_for(lambda: self._generation != generation or not self.loading, timeout=120)
            if self.error and self._generation == generation and self._last_error is not None:
                raise self._last_error
            self._await_described()

    def _arrived(
        self, done: concurrent.futures.Future[Page[Any]], number: int, generation: int, select: str | None
    ) -> None:
        with self._lock:
            if generation != self._generation:
                self.stale_dropped += 1
                return
            error = done.exception()
            if error is not None:
                self._last_error = error
                self.loading = False
                self.error = describe(error)["message"]
                self._shown.notify_all()
                return
            self._show(done.result(), number, select)

    def _show(self, page: Page[Any], number: int, select: str | None = None) -> None:
        with self._lock, self.hold_sync():  # type: ignore[attr-defined]
            found = self.find
            if number != self.page_number and found.get("by_id") and found.get("error"):
                self.find = {}  # "no datapoint X" answered the look-up, not this page
            self._page = page
            self.page_number = number
            if page.has_next:
                self._remember(number + 1, self.source.next_position(page))
            self._page_rows = [self.source.row(dp) for dp in page.items]
            self._row_patches = {}
            self.has_next = page.has_next
            self.has_previous = page.has_previous or number > 1
            if page.total is not None:
                self.total = page.total
            self.page_count = self.source.page_count(self.total, self.page_size)
            self.loading = False
            self.error = ""
            on_page = {dp.id for dp in page.items}
            if select in on_page:
                self.selected_id = select
            elif self.selected_id not in on_page:
                self.selected_id = page.items[0].id if page.items else None
            # a saved (or updated elsewhere) tick is for the page on show; failures and conflicts stay until resolved
            self.row_status = {
                k: v for k, v in self.row_status.items() if k in on_page or v["state"] not in ("saved", "updated")
            }
            self._shown.notify_all()
        if self.prefetch:
            self._prefetch(page, number)

    def _prefetch(self, page: Page[Any], number: int) -> None:
        for neighbour, wanted in ((number + 1, page.has_next), (number - 1, number > 1)):
            if not wanted:
                continue
            cached = self._cache.get(self._key(neighbour))
            if cached is not None:
                self._send_prefetched(neighbour, cached)
            elif self._key(neighbour) not in self._inflight:
                position = self._position_of(neighbour)
                if position is not None:
                    self._request(neighbour, position)

    def _send_prefetched(self, number: int, page: Page[Any]) -> None:
        """A neighbour page for the front end to show at once on a flip (the kernel then confirms it)."""
        self.send(  # type: ignore[attr-defined]
            {
                "type": "prefetched",
                "listing": list(self._listing()),
                "number": number,
                "rows": [self.source.row(dp) for dp in page.items],
                "has_next": page.has_next,
                "has_previous": page.has_previous or number > 1,
            }
        )
