"""Finding datapoints where the service cannot search them (orq): scan forward page by page.

The scan reports its progress in the `find` trait, can be cancelled, and remembers the way to each
page it passes, so the page of every hit opens directly. "Go to datapoint id" is the same scan,
stopped at the first match. Where the service searches (Overmind), find is its server-side search.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

from ...client.datasets import DatasetSource, Position
from ...models import Page
from .._base import describe, run_in_background

MAX_HITS = 200  # a scan stops after this many hits (at the end of that page); "find further" goes on


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


def snippet(text: str, at: int, length: int, before: int = 30, after: int = 50) -> str:
    """The match at `at` with some words around it, cut between words, "…" where text is left out."""
    text = text.replace("\n", " ")  # one line; the indices stay the same
    start, end = max(0, at - before), min(len(text), at + length + after)
    if start > 0:
        space = text.find(" ", start, at)  # start at the next word: never inside one
        start = space + 1 if space >= 0 else start
    if end < len(text):
        space = text.rfind(" ", at + length, end + 1)  # end at the last whole word
        end = space if space >= 0 else end
    shown = text[start:end].strip()
    return ("…" if start > 0 else "") + shown + ("…" if end < len(text) else "")


class Finding:
    """Mixed into DatasetGrid, whose `find` trait it sets."""

    source: DatasetSource
    dataset_id: str | None
    page_number: int
    find: dict[str, Any]
    _lock: threading.RLock
    _positions: dict[int, Position]
    _page: Page[Any] | None
    _fetch: Callable[[int, Position], Page[Any]]
    _remember: Callable[[int, Position | None], None]
    _navigate: Callable[..., None]
    _intent_query: Callable[[dict[str, Any]], None]

    def _init_find(self) -> None:
        self._scan = 0  # the scan running; a new scan or a cancel bumps it and the old one stops

    def _find_text(self, text: str) -> None:
        if self.source.server_search:
            self._intent_query({"search": text, "ordering": getattr(self, "ordering", "")})
            return
        if not text.casefold():
            self._cancel_find(clear=True)
            return
        self._start_scan(text, self._matcher(text), start=self.page_number, first_only=False)

    def _matcher(self, text: str) -> Callable[[dict[str, Any]], str | None]:
        needle = text.casefold()

        def match(row: dict[str, Any]) -> str | None:
            for value in (row.get(column.key) for column in self.source.columns):
                for piece in texts(value):
                    at = piece.casefold().find(needle)
                    if at >= 0:
                        return snippet(piece, at, len(needle))
            return None

        return match

    def _find_further(self) -> None:
        """Go on with a find that stopped at MAX_HITS: from the page after the last one scanned, the next
        MAX_HITS hits (the ones found so far are kept)."""
        with self._lock:
            found = dict(self.find)
        if not found.get("query") or found.get("by_id") or found.get("running") or found.get("complete"):
            raise ValueError("no find to go on with: it ran to the end of the dataset, or none is open")
        if found.get("page") is None:
            raise ValueError("no find to go on with: nothing was scanned yet")
        self._start_scan(
            found["query"],
            self._matcher(found["query"]),
            start=found["page"] + 1,
            first_only=False,
            keep=found,
        )

    def _go_to_datapoint(self, datapoint_id: str) -> None:
        datapoint_id = datapoint_id.strip()
        if not datapoint_id:
            raise ValueError("datapoint_id is empty")
        self._start_scan(
            datapoint_id, lambda row: "" if row.get("id") == datapoint_id else None, start=1, first_only=True
        )

    def _cancel_find(self, clear: bool = False) -> None:
        with self._lock:
            self._scan += 1
            self.find = {} if clear else {**self.find, "running": False, "cancelled": True}

    def _start_scan(
        self,
        query: str,
        match: Callable[[dict[str, Any]], str | None],
        start: int,
        first_only: bool,
        keep: dict[str, Any] | None = None,
    ) -> None:
        """Scan from page `start`; `keep` is a find to go on with (its hits and counts carry over)."""
        if not self.dataset_id:
            raise ValueError("no dataset is open")
        before = keep or {}
        with self._lock:
            self._scan += 1
            scan = self._scan
            self.find = {
                "query": query,
                "by_id": first_only,
                "running": True,
                "pages": before.get("pages", 0),
                "rows": before.get("rows", 0),
                "hits": list(before.get("hits", [])),
            }
        run_in_background(self._scan_worker, scan, match, start, first_only)

    def _scan_worker(
        self, scan: int, match: Callable[[dict[str, Any]], str | None], number: int, first_only: bool
    ) -> None:
        with self._lock:
            hits: list[dict[str, Any]] = list(self.find.get("hits", []))
            pages, rows = int(self.find.get("pages", 0)), int(self.find.get("rows", 0))
        limit = len(hits) + MAX_HITS  # a scan goes on to at most MAX_HITS new hits
        try:
            while True:
                position = self._positions.get(number)
                if position is None:
                    raise ValueError(f"page {number} cannot be reached")
                page = self._fetch(number, position)
                if self._scan != scan:
                    return
                pages, rows = pages + 1, rows + len(page.items)
                for datapoint in page.items:
                    found = match(self.source.row(datapoint))
                    if found is not None:
                        hits.append({"page": number, "id": datapoint.id, "text": found})
                done = not page.has_next or len(hits) >= limit or (first_only and bool(hits))
                if page.has_next:
                    self._remember(number + 1, self.source.next_position(page))
                with self._lock:
                    if self._scan != scan:
                        return
                    self.find = {
                        **self.find,
                        "pages": pages,
                        "rows": rows,
                        "hits": list(hits),  # whole pages: going on starts at the next page
                        "page": number,
                        "running": not done,
                        "complete": not page.has_next,
                    }
                if done:
                    break
                number += 1
        except Exception as error:
            with self._lock:
                if self._scan == scan:
                    self.find = {**self.find, "running": False, "error": describe(error)["message"]}
            return
        if first_only:
            if hits:
                self._navigate(hits[0]["page"], False, select=hits[0]["id"])
            else:
                with self._lock:
                    self.find = {**self.find, "error": f"no datapoint {self.find['query']} in this dataset"}
