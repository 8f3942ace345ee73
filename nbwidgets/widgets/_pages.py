"""The page loader shared by DatasetGrid and ExperimentReview: which page of a dataset is on show, a
small LRU cache of pages, prefetch of the neighbours, the dataset's description, and the way to every
page visited (cursor listings can only step, so each page's cursor is remembered).

It asks the `DatasetSource` for pages and tells its widget what happened through the callbacks it was
built with (`on_shown`, `on_failed`, ...); the widget turns that into traits. A page that arrives after
the user moved on is cached but not shown (counted in `stale_dropped`). Concurrent asks for one page
share one request.

    pages = PageLoader(source, lock, page_size=25, on_shown=..., on_failed=...)
    pages.open(dataset_id); pages.describe(); pages.go("first")   # "next", "previous", "last", "refresh", 3
    pages.page, pages.number, pages.cached(2), pages.loaded(), pages.known
"""

from __future__ import annotations

import concurrent.futures
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

from ..client.datasets import DatasetInfo, DatasetSource, Position, Query
from ..client.errors import ServiceTimeoutError
from ..models import Page
from ._waiting import LOAD_TIMEOUT, run_in_background

PageKey = tuple[Any, ...]


def _nothing(*_: Any) -> None:
    pass


class PageLoader:
    """Pages of one dataset listing, fetched through `source`, shown one at a time.

    Callbacks: `on_loading(number)` a fetch of the page to show started; `on_shown(page, number, select)`
    it is on show; `on_failed(error, number)` it could not be fetched (all three under `lock`, which the
    widget shares, so a widget sets its traits in them at once); `on_ready(page, number)` after a page is
    shown, outside the lock; `on_fetched(page, number)` any page of the listing landed (under the lock);
    `on_ahead(page, number)` a neighbour of the page on show is at hand (prefetched; outside the lock);
    `on_known(numbers)` the pages one can go back to changed; `on_described(info)` and
    `on_describe_failed(error)` the dataset's description (name, size, version) read, or not.
    `query()` orders and narrows the listing; `page_count()` is the number of pages where known;
    `prefetch()` says whether to fetch the `neighbours` (offsets from the page on show) ahead."""

    def __init__(
        self,
        source: DatasetSource,
        lock: threading.RLock,
        *,
        page_size: int,
        cache_pages: int = 8,
        neighbours: Sequence[int] = (1, -1),
        query: Callable[[], Query] = Query,
        page_count: Callable[[], int | None] = lambda: None,
        prefetch: Callable[[], bool] = lambda: False,
        on_shown: Callable[[Page[Any], int, str | None], None],
        on_failed: Callable[[BaseException, int], None],
        on_loading: Callable[[int], None] = _nothing,
        on_ready: Callable[[Page[Any], int], object] = _nothing,
        on_fetched: Callable[[Page[Any], int], None] = _nothing,
        on_ahead: Callable[[Page[Any], int], object] = _nothing,
        on_known: Callable[[list[int]], None] = _nothing,
        on_described: Callable[[DatasetInfo], None] = _nothing,
        on_describe_failed: Callable[[Exception], None] = _nothing,
    ) -> None:
        self.source = source
        self.dataset_id: str | None = None
        self.page_size = page_size
        self.cache_pages = cache_pages
        self.neighbours = tuple(neighbours)
        self.query, self.page_count, self.prefetch = query, page_count, prefetch
        self._on_shown, self._on_failed, self._on_loading, self._on_ready = on_shown, on_failed, on_loading, on_ready
        self._on_fetched, self._on_ahead, self._on_known = on_fetched, on_ahead, on_known
        self._on_described, self._on_describe_failed = on_described, on_describe_failed
        self.page: Page[Any] | None = None  # the page on show
        self.number = 1  # its number
        self.loading = False
        self.last_error: BaseException | None = None
        self.stale_dropped = 0  # responses that arrived after the user had moved on
        self._lock = lock
        self._shown = threading.Condition(lock)
        self._cache: OrderedDict[PageKey, Page[Any]] = OrderedDict()  # least recently used first
        self._positions: dict[int, Position] = {1: {}}  # page number -> how to fetch it
        self._inflight: dict[PageKey, concurrent.futures.Future[Page[Any]]] = {}
        self._generation = 0
        self._failed = -1  # the navigation whose page could not be fetched
        self._describing: concurrent.futures.Future[Any] | None = None

    # --- where pages are ------------------------------------------------------------------------

    def listing(self) -> PageKey:
        query = self.query()
        return (self.dataset_id, self.page_size, query.ordering or "", query.search)

    def key(self, number: int) -> PageKey:
        return (*self.listing(), number)

    @property
    def known(self) -> list[int]:
        """The pages one can go to again (on a cursor listing, those whose way is remembered)."""
        return sorted(self._positions)

    def open(self, dataset_id: str | None) -> None:
        """Another dataset (or another version of it): nothing of the last one is on show."""
        with self._lock:
            self.forget()
            self.dataset_id = dataset_id
            self.page, self.number = None, 1

    def resize(self, page_size: int) -> None:
        with self._lock:
            self.page_size = page_size
            self.forget()

    def forget(self) -> None:
        """The listing changed (dataset, size, order, search, refresh): nothing cached or remembered holds."""
        with self._lock:
            self._cache.clear()
            self._positions = {1: {}}
            self._on_known(self.known)

    def drop_cache(self) -> None:
        """Pages fetched before miss rows added since (the ways to them stay: cursors are ids)."""
        with self._lock:
            self._cache.clear()

    def position_of(self, number: int) -> Position | None:
        if self.source.paging == "number":
            return {}
        return self._positions.get(number)

    def remember(self, number: int, position: Position | None) -> None:
        if position is not None and number not in self._positions:
            self._positions[number] = position
            self._on_known(self.known)

    def cached(self, number: int) -> Page[Any] | None:
        """Page `number` if it is on show or cached (its place in the cache unchanged)."""
        if self.page is not None and number == self.number:
            return self.page
        return self._cache.get(self.key(number))

    def loaded(self) -> list[Page[Any]]:
        """The page on show and the cached ones: where a datapoint's loaded copies are."""
        return [page for page in [self.page, *self._cache.values()] if page is not None]

    # --- the dataset's description --------------------------------------------------------------

    def describe(self, wait: bool = False) -> None:
        """Read the dataset's name and size (in the background unless `wait`: a read never holds the kernel)."""
        dataset_id = self.dataset_id
        if dataset_id is None:
            return

        def read() -> None:
            try:
                info = self.source.describe(dataset_id)
            except Exception as error:
                if self.dataset_id == dataset_id:
                    self._on_describe_failed(error)
                return
            with self._lock:
                if self.dataset_id == dataset_id:  # else another dataset was opened meanwhile
                    self._on_described(info)

        if wait:
            read()
        else:
            self._describing = run_in_background(read)

    def await_described(self) -> None:
        """Wait (bounded) for the description read in the background."""
        if self._describing is not None:
            try:
                self._describing.result(LOAD_TIMEOUT)
            except Exception:  # its failure is shown by the widget; a wait for it is not the place to raise it
                pass

    def await_first(self) -> None:
        """Right after a dataset opens: wait (bounded) for its first page, or raise why it did not come."""
        if self.page is not None or not self.dataset_id:
            self.await_described()
            return
        with self._shown:
            self._shown.wait_for(
                lambda: self.page is not None or (not self.loading and self.last_error is not None),
                timeout=LOAD_TIMEOUT,
            )
        if self.page is None:
            error = self.last_error
            if isinstance(error, ServiceTimeoutError):  # say what was being waited for
                raise type(error)(
                    f"{error.message}, while loading page 1 of dataset {self.dataset_id}",
                    method=error.method,
                    route=error.route,
                    status=error.status,
                ) from None
            if error is not None:
                raise error
            raise TimeoutError(f"the first page of dataset {self.dataset_id} did not load within {LOAD_TIMEOUT:g} s")
        self.await_described()

    # --- fetching -------------------------------------------------------------------------------

    def _fetch(self, number: int, position: Position) -> Page[Any]:
        assert self.dataset_id is not None
        return self.source.fetch(self.dataset_id, number, position, self.page_size, self.query())

    def _request(self, number: int, position: Position) -> concurrent.futures.Future[Page[Any]]:
        """Fetch a page once: concurrent asks for the same page share one request."""
        key = self.key(number)
        with self._lock:
            if key in self._inflight:
                return self._inflight[key]
            future = run_in_background(self._fetch, number, position)
            self._inflight[key] = future

        def landed(done: concurrent.futures.Future[Page[Any]]) -> None:
            ahead = None
            with self._lock:
                self._inflight.pop(key, None)
                if done.exception() is None and key[:-1] == self.listing():
                    self._cache_put(key, done.result())
                    self._on_fetched(done.result(), number)
                    if number - self.number in self.neighbours:
                        ahead = done.result()
            if ahead is not None:
                self._on_ahead(ahead, number)

        future.add_done_callback(landed)
        return future

    def _cache_put(self, key: PageKey, page: Page[Any]) -> None:
        self._cache[key] = page
        self._cache.move_to_end(key)
        while len(self._cache) > self.cache_pages:
            self._cache.popitem(last=False)

    def _target(self, how: str | int) -> int | None:
        current = self.number if self.page is not None else 1
        if isinstance(how, int):
            return how
        if how == "next":
            return current + 1 if self.page is None or self.page.has_next else None
        if how == "last":
            count = self.page_count()
            if count is None or self.source.paging != "number":
                raise ValueError("this listing pages by cursor: the last page is reached by stepping")
            return count
        return {"previous": current - 1, "first": 1, "refresh": current}[how]

    def go(self, how: str | int, wait: bool = False, select: str | None = None, *, quiet: bool = False) -> None:
        """Show a page: "next", "previous", "first", "last", "refresh", or a page number. With `wait`,
        return once it is on show, raising why it could not be fetched (`quiet`: only `on_failed` says it)."""
        if not self.dataset_id:
            raise ValueError("no dataset is open")
        if wait and how in ("next", "previous"):
            self.await_first()  # "next" right after construction is page 2, not page 1 again
        with self._lock:
            number = self._target(how)
            if number is None or number < 1:
                return
            count = self.page_count()
            if count is not None and number > count and how != "refresh":
                raise ValueError(f"page {number} is past the last page ({count})")
            if how == "refresh":
                self.forget()
            self._generation += 1
            generation = self._generation
            cached = self._cache.get(self.key(number))
            if cached is None:
                position = self.position_of(number)
                if position is None and self.page is not None and number == self.number - 1:
                    position = self.source.previous_position(self.page)
                if position is None:
                    if how == "refresh":
                        number, position = 1, {}
                    else:
                        raise ValueError(f"page {number} has not been visited yet: this listing pages by cursor")
                self.loading = True
                self._on_loading(number)
                future = self._request(number, position)
            else:
                self._cache.move_to_end(self.key(number))
        if cached is not None:
            self._show(cached, number, generation, select)
            return
        future.add_done_callback(lambda done: self._arrived(done, number, generation, select))
        if wait:
            with self._shown:
                self._shown.wait_for(lambda: self._generation != generation or not self.loading, timeout=120)
                error = self.last_error if self._failed == generation == self._generation else None
            if error is not None and not quiet:
                raise error
            self.await_described()

    def _arrived(
        self, done: concurrent.futures.Future[Page[Any]], number: int, generation: int, select: str | None
    ) -> None:
        error = done.exception()
        if error is None:
            self._show(done.result(), number, generation, select)
            return
        with self._lock:
            if generation != self._generation:
                self.stale_dropped += 1
                return
            self.last_error = error
            self._failed = generation
            self.loading = False
            self._on_failed(error, number)
            self._shown.notify_all()

    def _show(self, page: Page[Any], number: int, generation: int, select: str | None = None) -> None:
        with self._lock:
            if generation != self._generation:
                self.stale_dropped += 1  # the user moved on meanwhile
                return
            self.page, self.number = page, number
            if page.has_next:
                self.remember(number + 1, self.source.next_position(page))
            self.loading = False
            self._on_shown(page, number, select)
            self._shown.notify_all()
        self._on_ready(page, number)
        if self.prefetch():
            self.send_ahead()

    def send_ahead(self) -> None:
        """The neighbours of the page on show: cached ones told again (`on_ahead`), missing ones fetched."""
        ready = []
        with self._lock:
            page, number = self.page, self.number
            if page is None:
                return
            for offset in self.neighbours:
                neighbour = number + offset
                if neighbour < 1 or (offset > 0 and not page.has_next):
                    continue
                cached = self._cache.get(self.key(neighbour))
                if cached is not None:
                    ready.append((cached, neighbour))
                elif self.key(neighbour) not in self._inflight:
                    position = self.position_of(neighbour)
                    if position is not None:
                        self._request(neighbour, position)
        for cached, neighbour in ready:
            self._on_ahead(cached, neighbour)
