"""Finding datapoints where the service cannot search them (orq): the kernel scans the whole listing.

A find starts at the page on show and goes on to the end, then wraps round from the first row back to
where it started, so a match anywhere is found. It reads the listing in the largest pages the service
gives (the way the client iterates a dataset), fetching the next page while it matches the one it has,
and reports its progress as rows scanned of the dataset's total (where the service gives one). It can
be cancelled, and stops after MAX_HITS hits ("find further" goes on from there). Each hit names its row
number, its page (of the grid's page size), the field it is in and the match with words around it; the
way to each hit's page is remembered, so it opens directly. "Go to datapoint id" is the same scan from
the first row, stopped at the first match. Where the service searches (Overmind), find is its search.
"""

from __future__ import annotations

import concurrent.futures
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from ...client.datasets import DatasetSource, Position, Query
from .._base import describe
from .._pages import PageLoader

MAX_HITS = 200  # a scan stops after this many hits (at the end of that page); "find further" goes on
REPORT_EVERY = 0.25  # seconds between progress updates of the `find` trait (the last one is always sent)

# a row as plain JSON -> (the field's title, the snippet's parts), or None where it does not match
Matcher = Callable[[dict[str, Any]], "tuple[str, dict[str, str]] | None"]


def texts(value: Any) -> Iterator[str]:
    """Every string in a JSON value (keys excluded): what a find looks in."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from texts(item)
    elif value is not None:
        yield str(value)


def snippet_parts(text: str, at: int, length: int, before: int = 30, after: int = 50) -> dict[str, str]:
    """The match at `at` with some words around it, cut between words, "…" where text is left out:
    {"before", "match", "after"}, so the front end marks the match (as text, never as HTML)."""
    text = text.replace("\n", " ")  # one line; the indices stay the same
    start, end = max(0, at - before), min(len(text), at + length + after)
    if start > 0:
        space = text.find(" ", start, at)  # start at the next word: never inside one
        start = space + 1 if space >= 0 else start
    if end < len(text):
        space = text.rfind(" ", at + length, end + 1)  # end at the last whole word
        end = space if space >= 0 else end
    head, tail = text[start:at].lstrip(), text[at + length : end].rstrip()
    return {
        "before": ("…" if start > 0 else "") + head,
        "match": text[at : at + length],
        "after": tail + ("…" if end < len(text) else ""),
    }


def snippet(text: str, at: int, length: int, before: int = 30, after: int = 50) -> str:
    """The snippet as one line of text."""
    parts = snippet_parts(text, at, length, before, after)
    return parts["before"] + parts["match"] + parts["after"]


@dataclass(frozen=True)
class Where:
    """Where a scan is: the next row to read (0-based in the listing) and how to fetch from it.

    `start` is the row the scan began at (the first row of the page then on show); `wrapped`: the scan
    reached the end and goes on from the first row back to `start`. `before`: the last rows read (as
    models), from which the way to a hit's page is found on cursor listings."""

    row: int
    start: int
    position: Position
    wrapped: bool = False
    before: tuple[Any, ...] = field(default=())


class Finding:
    """Mixed into DatasetGrid, whose `find` trait it sets."""

    source: DatasetSource
    dataset_id: str | None
    page_number: int
    page_size: int
    total: int | None
    find: dict[str, Any]
    error: str
    _lock: threading.RLock
    pages: PageLoader
    _intent_query: Callable[[dict[str, Any]], None]

    def _init_find(self) -> None:
        self._scan = 0  # the scan running; a new scan or a cancel bumps it and the old one stops
        self._resume: Where | None = None  # where a find stopped at MAX_HITS goes on
        self._hit_positions: dict[str, tuple[int, Position]] = {}  # datapoint id -> (page, the way to it)

    def _find_text(self, text: str) -> None:
        if self.source.server_search:
            self._intent_query({"search": text, "ordering": getattr(self, "ordering", "")})
            return
        if not text.casefold():
            self._cancel_find(clear=True)
            return
        with self._lock:
            number = self.page_number if self.pages.page is not None else 1
            position = self.pages.position_of(number)
            if position is None:  # not reachable again (cannot happen for the page on show): from the start
                number, position = 1, {}
            start = (number - 1) * self.page_size
        self._start_scan(text, self._matcher(text), Where(start, start, position), first_only=False)

    def _matcher(self, text: str) -> Matcher:
        needle = text.casefold()
        columns = [(column.key, column.title) for column in self.source.columns]

        def match(row: dict[str, Any]) -> tuple[str, dict[str, str]] | None:
            for key, title in columns:
                for piece in texts(row.get(key)):
                    at = piece.casefold().find(needle)
                    if at >= 0:
                        # casefold can change a text's length (ß -> ss): then mark from the same index
                        length = len(needle) if len(piece.casefold()) == len(piece) else len(text)
                        return title, snippet_parts(piece, at, length)
            return None

        return match

    def _find_further(self) -> None:
        """Go on with a find that stopped at MAX_HITS: from the row after the last one scanned, the next
        MAX_HITS hits (the ones found so far are kept)."""
        with self._lock:
            found, resume = dict(self.find), self._resume
        if not found.get("query") or found.get("by_id") or found.get("running") or found.get("complete"):
            raise ValueError("no find to go on with: it went through the whole dataset, or none is open")
        if resume is None:
            raise ValueError("no find to go on with: nothing was scanned yet")
        self._start_scan(found["query"], self._matcher(found["query"]), resume, first_only=False, keep=found)

    def _go_to_datapoint(self, datapoint_id: str) -> None:
        datapoint_id = datapoint_id.strip()
        if not datapoint_id:
            raise ValueError("datapoint_id is empty")
        self._start_scan(
            datapoint_id,
            lambda row: (
                ("id", {"before": "", "match": datapoint_id, "after": ""}) if row.get("id") == datapoint_id else None
            ),
            Where(0, 0, {}),
            first_only=True,
        )

    def _show_row(self, datapoint_id: str) -> None:
        """Open the page a datapoint is listed on and select its row, as "go to datapoint" does but
        without touching Find (its query, hits and counts stay as the user left them): a datapoint just
        added is shown where the service lists it. Read in the background; a listing changed meanwhile
        (another dataset, order or search) drops it."""
        if not self.dataset_id:
            return
        listing = (self.dataset_id, self.page_size, self.pages.query())

        def locate() -> None:
            size, page_size, where = self.source.max_page_size, listing[1], Where(0, 0, {})
            try:
                while True:
                    items, following = self._read(listing, size, where)
                    if (self.dataset_id, self.page_size, self.pages.query()) != listing:
                        return
                    for index, datapoint in enumerate(items):
                        if datapoint.id == datapoint_id:
                            page = (where.row + index) // page_size + 1
                            self._note_hit_position(datapoint_id, page, page_size, where.row, items, where.before)
                            self._open_hit(page, datapoint_id)
                            return
                    if following is None:
                        return  # not listed (deleted meanwhile, or filtered out): the page stays
                    where = following
            except Exception as error:
                with self._lock:
                    self.error = f"Could not show the new datapoint: {describe(error)['message']}"

        threading.Thread(target=locate, name="nbwidgets-show-row", daemon=True).start()

    def _open_hit(self, page: int, datapoint_id: str | None) -> None:
        """Open a hit's page (the way to it was found by the scan) and select its row."""
        with self._lock:
            known = self._hit_positions.get(datapoint_id or "")
            if known is not None and known[0] == page:
                self.pages.remember(page, known[1])
        self.pages.go(page, False, select=datapoint_id)

    def _cancel_find(self, clear: bool = False) -> None:
        with self._lock:
            self._scan += 1
            if clear:
                self._resume = None
                self._hit_positions = {}
            self.find = {} if clear else {**self.find, "running": False, "cancelled": True}

    def _start_scan(
        self, query: str, match: Matcher, where: Where, first_only: bool, keep: dict[str, Any] | None = None
    ) -> None:
        """Scan from `where`; `keep` is a find to go on with (its hits and counts carry over)."""
        if not self.dataset_id:
            raise ValueError("no dataset is open")
        before = keep or {}
        with self._lock:
            self._scan += 1
            scan = self._scan
            if keep is None:
                self._hit_positions = {}
            self._resume = None
            self.find = {
                "query": query,
                "by_id": first_only,
                "running": True,
                "rows": before.get("rows", 0),
                "total": self.total,
                "start_page": before.get("start_page", where.start // self.page_size + 1),
                "hits": list(before.get("hits", [])),
            }
        listing = (self.dataset_id, self.page_size, self.pages.query())
        # its own thread, not the shared pool: the scan waits on its own fetches, which must not queue behind it
        threading.Thread(
            target=self._scan_worker, args=(scan, listing, match, where, first_only), name="nbwidgets-find", daemon=True
        ).start()

    def _read(self, listing: tuple[str, int, Query], size: int, where: Where) -> tuple[list[Any], Where | None]:
        """The rows from `where` on (one page of `size`), and where the scan goes after them (None: done)."""
        dataset_id, _, query = listing
        if self.source.paging == "number":
            page = self.source.fetch(dataset_id, where.row // size + 1, {}, size, query)
            items = list(page.items[where.row % size :])
        else:
            page = self.source.fetch(dataset_id, 0, where.position, size, query)
            items = list(page.items)
        if where.wrapped:
            items = items[: max(0, where.start - where.row)]  # back where the scan began: stop there
        row = where.row + len(items)
        tail = (*where.before, *items)[-listing[1] :]
        position = self.source.next_position(page) if page.has_next and items else None
        following: Where | None
        if where.wrapped:
            following = (
                None
                if row >= where.start or position is None
                else replace(where, row=row, position=position, before=tail)
            )
        elif position is not None:
            following = replace(where, row=row, position=position, before=tail)
        elif where.start > 0:  # the end of the listing: round to the first row, back to where the scan began
            following = Where(0, where.start, {}, wrapped=True)
        else:
            following = None
        return items, following

    def _scan_worker(
        self, scan: int, listing: tuple[str, int, Query], match: Matcher, where: Where, first_only: bool
    ) -> None:
        size, page_size = self.source.max_page_size, listing[1]
        with self._lock:
            hits: list[dict[str, Any]] = list(self.find.get("hits", []))
            rows = int(self.find.get("rows", 0))
        limit = len(hits) + MAX_HITS  # a scan goes on to at most MAX_HITS new hits
        reported = 0.0
        ahead: concurrent.futures.Future[tuple[list[Any], Where | None]] = _in_thread(self._read, listing, size, where)
        try:
            while True:
                items, following = ahead.result()
                if self._scan != scan:
                    return
                if following is not None and len(hits) < limit and not (first_only and hits):
                    ahead = _in_thread(self._read, listing, size, following)  # the next page, while this one is matched
                earlier = where.before
                for index, datapoint in enumerate(items):
                    found = match(self.source.searchable(datapoint))
                    if found is None:
                        continue
                    row = where.row + index  # 0-based in the listing
                    page = row // page_size + 1
                    self._note_hit_position(datapoint.id, page, page_size, where.row, items, earlier)
                    title, parts = found
                    hits.append({"page": page, "row": row + 1, "id": datapoint.id, "field": title, **parts})
                rows += len(items)
                done = following is None or len(hits) >= limit or (first_only and bool(hits))
                now = time.monotonic()
                if done or now - reported >= REPORT_EVERY:
                    reported = now
                    with self._lock:
                        if self._scan != scan:
                            return
                        self._resume = None if following is None else following
                        self.find = {
                            **self.find,
                            "rows": rows,
                            "hits": list(hits),  # whole pages: going on starts after the last one read
                            "running": not done,
                            "complete": following is None,
                        }
                if done:
                    break
                assert following is not None
                where = following
        except Exception as error:
            with self._lock:
                if self._scan == scan:
                    self.find = {**self.find, "running": False, "error": describe(error)["message"]}
            return
        if first_only:
            if hits:
                self._open_hit(hits[0]["page"], hits[0]["id"])
            else:
                with self._lock:
                    self.find = {**self.find, "error": f"no datapoint {self.find['query']} in this dataset"}

    def _note_hit_position(
        self, datapoint_id: str, page: int, page_size: int, first: int, items: list[Any], earlier: tuple[Any, ...]
    ) -> None:
        """Remember how to fetch a hit's page: the way to its first row (on a cursor listing, the row
        before it, read in this page or among the last ones read before)."""
        if self.source.paging == "number":
            self._hit_positions[datapoint_id] = (page, {})
            return
        before = (page - 1) * page_size - 1  # the row before the page, 0-based; -1: the first page
        if before < 0:
            position: Position | None = {}
        elif before >= first:
            position = self.source.position_after(items[before - first])
        elif first - before <= len(earlier):
            position = self.source.position_after(earlier[before - first])
        else:
            position = self.pages.position_of(page)  # the page the scan started on: its way is known
        if position is not None:
            with self._lock:
                self._hit_positions[datapoint_id] = (page, position)


def _in_thread(fn: Callable[..., Any], *args: Any) -> concurrent.futures.Future[Any]:
    """Run `fn` in a daemon thread of its own (at exit nobody waits for it)."""
    future: concurrent.futures.Future[Any] = concurrent.futures.Future()

    def run() -> None:
        try:
            future.set_result(fn(*args))
        except BaseException as error:
            future.set_exception(error)

    threading.Thread(target=run, name="nbwidgets-find-read", daemon=True).start()
    return future
