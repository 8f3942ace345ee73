"""DatasetGrid: one page of a dataset's datapoints at a time, with inline edits.

State lives in traits (one page of plain JSON, position, loading/error, each edited row's status);
the front end renders it and sends intents. Pages come through the client on a background thread,
land in a small LRU cache, and the neighbours are prefetched; a page that arrives after the user
moved on is cached but not shown.
"""

from __future__ import annotations

import concurrent.futures
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

import traitlets
from pydantic import ValidationError as ModelValidationError

from ..client import ApiError, OrqClient, OvermindClient, checks
from ..client.orq import datapoint_record
from ..client.writes import WriteHandle
from ..models import Datapoint, DatapointUpdate, OvermindDatapoint, Page
from ._base import LOAD_TIMEOUT, STATIC, Widget, WriteStatuses, describe, run_in_background, segment_id

ORQ_COLUMNS = ["inputs", "messages", "expected_output", "evaluations", "updated"]
OVERMIND_COLUMNS = ["order", "input", "expected_output", "persona", "tags"]
EDITABLE = {"orq": ("expected_output", "inputs", "messages"), "overmind": ("expected_output", "input")}
_UNSET: Any = object()


class DatasetGrid(Widget):
    """Browse a dataset page by page and edit expected outputs (and inputs, messages) in place.

    grid = DatasetGrid()                       # the sandbox, with a dataset picker
    grid = DatasetGrid(client, "01J...")       # an orq dataset
    grid.next_page(); grid.rows; grid.edit(grid.rows[0].id, expected_output="...")
    """

    _esm = STATIC / "grid.js"
    _css = STATIC / "grid.css"

    # what is open
    service = traitlets.Unicode("orq").tag(sync=True)
    dataset_id = traitlets.Unicode(None, allow_none=True).tag(sync=True)
    dataset_name = traitlets.Unicode("").tag(sync=True)
    columns = traitlets.List(traitlets.Unicode()).tag(sync=True)
    # the current page, and where it is
    _page_rows = traitlets.List(traitlets.Dict()).tag(sync=True)
    # rows of this page changed since it was shown (saved edits): sent alone, not with the whole page
    _row_patches = traitlets.Dict().tag(sync=True)
    page_size = traitlets.Int(25).tag(sync=True)
    page_number = traitlets.Int(1).tag(sync=True)
    total = traitlets.Int(None, allow_none=True).tag(sync=True)
    has_next = traitlets.Bool(False).tag(sync=True)
    has_previous = traitlets.Bool(False).tag(sync=True)
    loading = traitlets.Bool(False).tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)
    selected_id = traitlets.Unicode(None, allow_none=True).tag(sync=True)  # set by the front end too
    # edits: {datapoint_id: {"state": pending|retrying|saved|failed|conflict|staged, ...}}
    row_status = traitlets.Dict().tag(sync=True)
    can_undo = traitlets.Bool(False).tag(sync=True)
    # Overmind: versions are immutable, edits are staged then saved as a new version
    agent_id = traitlets.Unicode(None, allow_none=True).tag(sync=True)
    version = traitlets.Int(None, allow_none=True).tag(sync=True)
    ordering = traitlets.Unicode("order").tag(sync=True)
    search = traitlets.Unicode("").tag(sync=True)
    staged = traitlets.Dict().tag(sync=True)
    notice = traitlets.Unicode("").tag(sync=True)
    # the dataset picker, shown while no dataset is open
    picker = traitlets.Dict().tag(sync=True)

    def __init__(
        self,
        client=None,
        dataset_id: str | None = None,
        page_size: int = 25,
        *,
        flavour: str = "orq",
        prefetch: bool = True,
        cache_pages: int = 8,
        rows: Sequence[Datapoint] | None = None,
    ) -> None:
        checks.integer("page_size", page_size, 1, 200)
        if dataset_id is not None:
            segment_id("dataset_id", dataset_id)
        super().__init__(client, flavour=getattr(client, "service", flavour), page_size=page_size)
        self.service = self.client.service
        self.columns = ORQ_COLUMNS if self.service == "orq" else OVERMIND_COLUMNS
        self.prefetch = prefetch
        self.cache_pages = cache_pages
        self._page: Page | None = None
        # key -> (page, the cursor it was fetched with), least recently used first
        self._cache: OrderedDict[tuple, tuple[Page, dict[str, Any]]] = OrderedDict()
        self._current_cursor: dict[str, Any] = {}
        self._inflight: dict[tuple, concurrent.futures.Future] = {}
        self._generation = 0
        self._shown = threading.Condition(self._lock)
        self.stale_dropped = 0  # responses that arrived after the user had moved on
        self._last_error: BaseException | None = None
        self._undo: list[tuple[str, dict[str, Any], Any]] = []
        self._conflicts: dict[str, Any] = {}
        self._statuses = WriteStatuses(self._show_write)
        self._edit_callbacks: list[Callable[[Any, Any], None]] = []
        # rows given by the caller (a list of datapoints displayed as a grid): paged here, not fetched
        self._static: list[Any] | None = list(rows) if rows is not None else None
        if self._static is not None:
            dataset_id = dataset_id or (self._static[0].dataset_id if self._static else None)
            if not dataset_id:
                raise ValueError("an empty list of datapoints has no dataset to show")
            self.dataset_id, self.total = dataset_id, len(self._static)
            self.dataset_name = f"{len(self._static)} datapoints of dataset {dataset_id}"
            self._navigate("first", wait=True)
        elif dataset_id:
            self.open_dataset(dataset_id, wait=False)
        else:
            self._open_picker()

    # --- Python API -----------------------------------------------------------------------------

    @property
    def rows(self) -> list[Datapoint] | list[OvermindDatapoint]:
        """The datapoints of the page on show, as models. Right after construction it waits for the
        first page (bounded; the load's error if it failed), so the next line of a script sees it."""
        self._await_first_page()
        return list(self._page.items) if self._page else []

    def _await_first_page(self) -> None:
        if self._page is not None or not self.dataset_id:
            return
        with self._shown:
            self._shown.wait_for(
                lambda: self._page is not None or (not self.loading and self._last_error is not None),
                timeout=LOAD_TIMEOUT,
            )
        if self._page is None:
            if self._last_error is not None:
                raise self._last_error
            raise TimeoutError(f"the first page of dataset {self.dataset_id} did not load within {LOAD_TIMEOUT:g} s")

    @property
    def selected(self) -> Datapoint | OvermindDatapoint | None:
        return next((dp for dp in self.rows if dp.id == self.selected_id), None)

    def next_page(self, wait: bool = True) -> None:
        self._navigate("next", wait)

    def prev_page(self, wait: bool = True) -> None:
        self._navigate("previous", wait)

    def first_page(self, wait: bool = True) -> None:
        self._navigate("first", wait)

    def refresh(self, wait: bool = True) -> None:
        self._navigate("refresh", wait)

    def set_page_size(self, size: int, wait: bool = True) -> None:
        checks.integer("size", size, 1, 200 if self.service == "orq" else 100)
        self.page_size = size
        self._navigate("first", wait)

    def open_dataset(self, dataset_id: str, wait: bool = True) -> None:
        segment_id("dataset_id", dataset_id)
        self._static = None
        self._cache.clear()
        self.dataset_id = dataset_id
        self.picker = {}
        self.staged = {}
        self.row_status = {}
        self._undo.clear()
        self.can_undo = False
        self._describe_dataset(dataset_id)
        self._navigate("first", wait)

    def edit(
        self,
        datapoint_id: str,
        *,
        expected_output: Any = _UNSET,
        inputs: Any = _UNSET,
        messages: Any = _UNSET,
        wait: bool = True,
        timeout: float = 120,
    ):
        """Change fields of a datapoint. orq: saved at once (PATCH of only these fields); the saved
        datapoint is returned (`wait=False`: the write's handle), a `ConflictError` if someone else
        changed it since this grid loaded it. Overmind: staged for `save_version()`."""
        fields = {
            k: v
            for k, v in (("expected_output", expected_output), ("inputs", inputs), ("messages", messages))
            if v is not _UNSET
        }
        if self.service == "overmind":
            fields = {"input" if k == "inputs" else k: v for k, v in fields.items()}
            self._stage(datapoint_id, fields)
            return None
        handle = self._save(datapoint_id, fields)
        return handle.result(timeout=timeout) if wait else handle

    def undo(self, wait: bool = True, timeout: float = 120) -> Datapoint | WriteHandle:
        """Revert the last saved edit (a PATCH of the previous value)."""
        with self._lock:
            if not self._undo:
                raise ValueError("nothing to undo")
            datapoint_id, previous, updated = self._undo.pop()
            self.can_undo = bool(self._undo)
        handle = self._save(datapoint_id, previous, base=updated, undoable=False)
        return handle.result(timeout=timeout) if wait else handle

    def on_edit(self, callback: Callable[[Any, Any], None]) -> None:
        """Call `callback(before, after)` with the datapoint models after each saved edit."""
        self._edit_callbacks.append(callback)

    def save_version(self, make_active: bool = False, wait: bool = True):
        """Overmind: post the staged edits as the agent's next dataset version and move to it."""
        future = run_in_background(self._save_version_worker, make_active)
        return future.result(timeout=300) if wait else future

    def to_pandas(self):
        """This page as a DataFrame (the whole dataset: `client.datapoints_frame(dataset_id)`)."""
        import pandas as pd

        if self.service == "orq":
            return pd.DataFrame.from_records([datapoint_record(dp) for dp in self.rows])
        return pd.DataFrame.from_records([dp.model_dump(mode="json") for dp in self.rows])

    # --- intents from the front end -------------------------------------------------------------

    def intents(self):
        return {
            "next": lambda m: self._navigate("next", False),
            "previous": lambda m: self._navigate("previous", False),
            "first": lambda m: self._navigate("first", False),
            "refresh": lambda m: self._navigate("refresh", False),
            "page_size": lambda m: self.set_page_size(int(m["size"]), wait=False),
            "open_dataset": lambda m: self.open_dataset(m["dataset_id"], wait=False),
            "pick": lambda m: self._open_picker(m.get("search", "")),
            "choose_agent": lambda m: self._open_versions(m["agent_id"]),
            "edit": self._intent_edit,
            "retry": lambda m: self._retry(m["datapoint_id"]),
            "resolve": lambda m: self._resolve(m["datapoint_id"], m["keep"]),
            "undo": lambda m: self.undo(wait=False) and None,
            "query": self._intent_query,
            "save_version": lambda m: self._start_save_version(bool(m.get("make_active"))),
            "discard": lambda m: self._discard_staged(),
        }

    def _intent_edit(self, message: dict[str, Any]) -> None:
        field, value, datapoint_id = message["field"], message["value"], message["datapoint_id"]
        if field not in EDITABLE[self.service]:
            raise ValueError(f"{field} cannot be edited here")
        if self.service == "overmind":
            self._stage(datapoint_id, {field: value})
        else:
            self._save(datapoint_id, {field: value})

    def _intent_query(self, message: dict[str, Any]) -> None:
        self.ordering = message.get("ordering") or "order"
        self.search = message.get("search") or ""
        self._navigate("first", False)

    # --- paging ---------------------------------------------------------------------------------

    def _key(self, number: int) -> tuple:
        return (self.dataset_id, self.page_size, self.ordering, self.search, number)

    def _fetch(self, number: int, cursor: dict[str, str | None]) -> Page:
        if self._static is not None:
            start = (number - 1) * self.page_size
            return Page(
                items=self._static[start : start + self.page_size],
                scheme="number",
                number=number,
                has_next=start + self.page_size < len(self._static),
                has_previous=number > 1,
                total=len(self._static),
                page_size=self.page_size,
            )
        if isinstance(self.client, OrqClient):
            return self.client.datapoints_page(self.dataset_id, limit=self.page_size, **cursor)
        assert isinstance(self.client, OvermindClient)
        return self.client.datapoints_page(
            self.dataset_id, page=number, page_size=self.page_size, ordering=self.ordering, search=self.search or None
        )

    def _cursor_to(self, number: int, origin: Page | None, origin_number: int) -> dict[str, str | None] | None:
        """How to fetch page `number` from the page on show (cursor pages can only step)."""
        if number == 1 or self._static is not None:
            return {}
        if origin is None:
            return None
        if number == origin_number + 1 and origin.next_cursor:
            return {"starting_after": origin.next_cursor}
        if number == origin_number - 1 and origin.previous_cursor:
            return {"ending_before": origin.previous_cursor}
        if number == origin_number:
            return self._current_cursor
        return None

    def _request(self, number: int, cursor: dict[str, str | None]) -> concurrent.futures.Future:
        """Fetch a page once: concurrent asks for the same page share one request."""
        key = self._key(number)
        with self._lock:
            if key in self._inflight:
                return self._inflight[key]
            future = run_in_background(self._fetch, number, cursor)
            self._inflight[key] = future

        def landed(done: concurrent.futures.Future) -> None:
            with self._lock:
                self._inflight.pop(key, None)
                if done.exception() is None:
                    self._cache_put(key, (done.result(), cursor))

        future.add_done_callback(landed)
        return future

    def _cache_put(self, key: tuple, entry: tuple[Page, dict[str, Any]]) -> None:
        self._cache[key] = entry
        self._cache.move_to_end(key)
        while len(self._cache) > self.cache_pages:
            self._cache.popitem(last=False)

    def _navigate(self, how: str, wait: bool) -> None:
        if not self.dataset_id:
            raise ValueError("no dataset is open")
        if wait and how in ("next", "previous"):
            self._await_first_page()  # "next" right after construction is page 2, not page 1 again
        with self._lock:
            current = self.page_number if self._page is not None else 1
            number = {"next": current + 1, "previous": current - 1, "first": 1, "refresh": current}[how]
            if how == "next" and self._page is not None and not self._page.has_next:
                return
            if number < 1:
                return
            if how == "refresh":
                self._cache.clear()
            self._generation += 1
            generation = self._generation
            key = self._key(number)
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                self._show(*cached, number)
                return
            cursor = self._cursor_to(number, self._page, current)
            if cursor is None:
                number, cursor = 1, {}
            self.loading = True
            self.error = ""
            future = self._request(number, cursor)
        future.add_done_callback(lambda done: self._arrived(done, number, generation))
        if wait:
            with self._shown:
                self._shown.wait_for(lambda: self._generation != generation or not self.loading, timeout=120)
            if self.error and self._generation == generation and self._last_error is not None:
                raise self._last_error

    def _arrived(self, done: concurrent.futures.Future, number: int, generation: int) -> None:
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
            self._show(done.result(), self._cache_cursor(number), number)

    def _cache_cursor(self, number: int) -> dict[str, Any]:
        entry = self._cache.get(self._key(number))
        return entry[1] if entry else {}

    def _show(self, page: Page, cursor: dict[str, Any], number: int) -> None:
        with self._lock, self.hold_sync():
            self._page = page
            self._current_cursor = cursor
            self.page_number = number
            self._page_rows = [self._row_json(dp) for dp in page.items]
            self._row_patches = {}
            self.has_next = page.has_next
            self.has_previous = page.has_previous or number > 1
            if page.total is not None:
                self.total = page.total
            self.loading = False
            self.error = ""
            on_page = {dp.id for dp in page.items}
            if self.selected_id not in on_page:
                self.selected_id = page.items[0].id if page.items else None
            # a saved tick is for the page on show; failures and conflicts stay until resolved
            self.row_status = {k: v for k, v in self.row_status.items() if k in on_page or v["state"] != "saved"}
            self._shown.notify_all()
        if self.prefetch:
            self._prefetch(page, number)

    def _prefetch(self, page: Page, number: int) -> None:
        for neighbour, wanted in ((number + 1, page.has_next), (number - 1, number > 1)):
            if wanted and self._key(neighbour) not in self._cache and self._key(neighbour) not in self._inflight:
                cursor = self._cursor_to(neighbour, page, number)
                if cursor is not None:
                    self._request(neighbour, cursor)

    @staticmethod
    def _row_json(datapoint: Any) -> dict[str, Any]:
        return {**datapoint.to_wire(), "id": datapoint.id}

    def _describe_dataset(self, dataset_id: str) -> None:
        try:
            if isinstance(self.client, OrqClient):
                dataset = self.client.get_dataset(dataset_id)
                self.dataset_name = dataset.display_name
                self.total = dataset.metadata.datapoints_count
            else:
                assert isinstance(self.client, OvermindClient)
                match = self.client.dataset_summary(dataset_id)
                self.dataset_name = match.name or "dataset"
                self.version = match.version
                self.agent_id = match.agent
                self.total = match.num_datapoints
        except ApiError as error:
            self.error = describe(error)["message"]

    # --- the picker -----------------------------------------------------------------------------

    def _open_picker(self, search: str = "") -> None:
        def load() -> None:
            try:
                if isinstance(self.client, OrqClient):
                    page = self.client.list_datasets(search=search or None, limit=50)
                    items = [
                        {"id": d.id, "name": d.display_name, "count": d.metadata.datapoints_count} for d in page.items
                    ]
                    self.picker = {"kind": "datasets", "search": search, "items": items, "more": page.has_next}
                else:
                    assert isinstance(self.client, OvermindClient)
                    page = self.client.list_agents(search=search or None)
                    items = [
                        {"id": a.id, "name": a.display_name or a.name, "count": a.dataset_size} for a in page.items
                    ]
                    self.picker = {"kind": "agents", "search": search, "items": items, "more": page.has_next}
                self.error = ""
            except ApiError as error:
                self.error = describe(error)["message"]
            finally:
                self.loading = False

        self.loading = True
        self.picker = {**self.picker, "kind": self.picker.get("kind") or "datasets", "search": search}
        run_in_background(load)

    def _open_versions(self, agent_id: str) -> None:
        assert isinstance(self.client, OvermindClient)
        agent = self.client.get_agent(agent_id)
        versions = self.client.list_datasets(agent=agent_id, ordering="-version")
        self.agent_id = agent_id
        self.picker = {
            "kind": "versions",
            "agent": agent.display_name or agent.name,
            "items": [
                {
                    "id": d.id,
                    "name": f"v{d.version} · {d.name or ''}".strip(" ·"),
                    "count": d.num_datapoints,
                    "active": d.id == agent.active_dataset,
                }
                for d in versions.items
            ],
            "more": versions.has_next,
        }

    # --- orq saves ------------------------------------------------------------------------------

    def _loaded_pages(self) -> list[Page]:
        """The page on show and the cached ones: where a datapoint's loaded copies are."""
        return [page for page in [self._page, *(entry[0] for entry in self._cache.values())] if page is not None]

    def _find(self, datapoint_id: str) -> Any:
        for page in self._loaded_pages():
            for dp in page.items:
                if dp.id == datapoint_id:
                    return dp
        return None

    def _set_status(self, datapoint_id: str, **status: Any) -> None:
        with self._lock:
            self.row_status = {**self.row_status, datapoint_id: status}

    def _save(
        self,
        datapoint_id: str,
        fields: dict[str, Any],
        *,
        base: Any = _UNSET,
        force: bool = False,
        undoable: bool = True,
    ) -> WriteHandle:
        """Queue one edit of a row. Its conflict base is what this grid last saw of the row (a quick
        second edit's base is the first's result: the outbox knows its own writes)."""
        try:
            DatapointUpdate.model_validate(fields)
        except ModelValidationError as error:
            first = error.errors()[0]
            reason = f"{'.'.join(map(str, first['loc']))}: {first['msg']}"
            self._set_status(datapoint_id, state="failed", message=reason, reason=reason, draft=fields, fields={})
            raise ValueError(reason) from None
        assert isinstance(self.client, OrqClient)
        if base is _UNSET:
            loaded = self._find(datapoint_id)
            base = loaded.updated if loaded is not None else None  # not loaded: nothing seen to conflict with
        handle = self.client.queue_datapoint_update(
            self.dataset_id, datapoint_id, fields, expected_updated=None if force else base
        )
        handle.on_change(lambda h: self._settled(h, fields, undoable))
        return self._statuses.follow(datapoint_id, handle)

    def _settled(self, handle: WriteHandle, fields: dict[str, Any], undoable: bool) -> None:
        """What a finished edit changes besides its status: the row on screen, Undo, the callbacks."""
        datapoint_id = handle.write.payload["datapoint_id"]
        if handle.state == "conflict" and handle.current is not None:
            self._conflicts[datapoint_id] = handle.current
        if handle.state != "saved":
            return
        saved: Datapoint = handle.value
        before = handle.before
        with self._lock, self.hold_sync():  # one sync message for the row and Undo
            self._replace_row(saved)
            if undoable and before is not None:
                previous = {k: before.to_wire().get(k) for k in fields}
                self._undo.append((datapoint_id, previous, saved.updated))
            self.can_undo = bool(self._undo)
        for callback in self._edit_callbacks:
            callback(before, saved)

    def _show_write(self, datapoint_id: str, status: dict[str, Any], handle: WriteHandle) -> None:
        fields = handle.write.payload["fields"]
        if status["state"] == "saved":
            status = {**status, "updated": handle.value.to_wire().get("updated")}
        elif status["state"] == "conflict" and handle.current is not None:
            server = handle.current.to_wire()
            status = {**status, "draft": fields, "server": {k: server.get(k) for k in fields}}
            status["server_updated"] = server.get("updated")
        else:
            status = {**status, "draft": fields}
        self._set_status(datapoint_id, **status)

    def _replace_row(self, datapoint: Any) -> None:
        for page in self._loaded_pages():
            for index, dp in enumerate(page.items):
                if dp.id == datapoint.id:
                    page.items[index] = datapoint
        if self._page is not None and any(dp.id == datapoint.id for dp in self._page.items):
            # The row's patch is the service's value against the page as first sent, recomputed whole:
            # a field that returns to its original drops out, and the front end shows the original.
            wire = self._row_json(datapoint)
            shown = next((r for r in self._page_rows if r.get("id") == datapoint.id), {})
            delta = {k: v for k, v in wire.items() if shown.get(k) != v}
            delta.update({k: None for k in shown if k not in wire})
            patches = {k: v for k, v in self._row_patches.items() if k != datapoint.id}
            self._row_patches = {**patches, datapoint.id: delta} if delta else patches

    def _retry(self, datapoint_id: str) -> None:
        status = self.row_status.get(datapoint_id)
        if not status or "draft" not in status:
            raise ValueError("nothing to retry for this datapoint")
        if status["state"] == "retrying":  # still queued: try now rather than queue it twice
            self.client.outbox.retry_now()
        else:
            self._save(datapoint_id, status["draft"])

    def _resolve(self, datapoint_id: str, keep: str) -> None:
        status = self.row_status.get(datapoint_id) or {}
        server = self._conflicts.pop(datapoint_id, None)
        if status.get("state") != "conflict" or server is None:
            raise ValueError("no conflict to resolve for this datapoint")
        if keep == "mine":
            self._save(datapoint_id, status["draft"], force=True)
        elif keep == "theirs":
            with self._lock:
                self._replace_row(server)
                self.row_status = {k: v for k, v in self.row_status.items() if k != datapoint_id}
        else:
            raise ValueError("keep must be 'mine' or 'theirs'")

    # --- Overmind staging -----------------------------------------------------------------------

    def _stage(self, datapoint_id: str, fields: dict[str, Any]) -> None:
        unknown = set(fields) - set(EDITABLE["overmind"])
        if unknown:
            raise ValueError(f"cannot edit {', '.join(sorted(unknown))} of an Overmind datapoint")
        with self._lock:
            self.staged = {**self.staged, datapoint_id: {**self.staged.get(datapoint_id, {}), **fields}}
            self._set_status(datapoint_id, state="staged", draft=self.staged[datapoint_id])

    def _discard_staged(self) -> None:
        with self._lock:
            self.row_status = {k: v for k, v in self.row_status.items() if k not in self.staged}
            self.staged = {}

    def _start_save_version(self, make_active: bool) -> None:
        if not self.staged:
            raise ValueError("no staged edits to save")
        run_in_background(self._save_version_worker, make_active)

    def _save_version_worker(self, make_active: bool):
        assert isinstance(self.client, OvermindClient)
        if not self.staged:
            raise ValueError("no staged edits to save")
        self.loading = True
        try:
            created = self.client.new_version_with_edits(self.dataset_id, dict(self.staged), make_active=make_active)
        except Exception as error:
            self.loading = False
            self.error = "Saving the new version failed: " + describe(error)["message"]
            raise
        number = self.page_number
        with self._lock, self.hold_sync():
            self.staged = {}
            self.row_status = {}
            self._cache.clear()
            self.dataset_id = created.id
            self.version = created.version
            self.total = created.num_datapoints
            self.notice = f"Saved as version {created.version}" + (" (active)" if make_active else "")
            self._page = None
        self.page_number = 1
        self._navigate("first", wait=True)
        if number > 1:
            self.notice += "; showing page 1 of the new version"
        return created
