"""DatasetGrid: one page of a dataset's datapoints at a time, with inline edits.

State lives in traits (one page of plain JSON, where it is, loading/error, each edited row's status,
the schema the front end renders from, the column layout per dataset); the front end renders it and
sends intents. What differs between services is asked of the client's `DatasetSource`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import traitlets

from ..._extras import require
from ...client import Client, RequestFailedError, checks
from ...client.base import Service
from ...client.datasets import ListSource
from ...client.writes import WriteHandle
from ...models import Datapoint, OvermindDatapoint
from .. import _contract as shapes
from .._base import STATIC, Widget, describe, segment_id
from .._row_writes import _UNSET
from .._waiting import outcome, run_in_background
from .._words import write_states_trait
from .curate import Curation, curate_intents
from .edits import Edits
from .find import Finding
from .memory import REMEMBERED, remember_layouts
from .paging import grid_pages

Intent = Callable[[dict[str, Any]], Any]


class DatasetGrid(Edits, Finding, Widget):
    """Browse a dataset page by page and edit expected outputs (and inputs, messages) in place.

    grid = DatasetGrid()                       # the sandbox, with a dataset picker
    grid = DatasetGrid(client, "01J...")       # an orq dataset
    grid.next_page(); grid.rows; grid.edit(grid.rows[0].id, expected_output="...")
    """

    _esm = STATIC / "grid.js"
    _css = STATIC / "grid.css"

    # what is open, and what the front end renders it with
    schema = traitlets.Dict().tag(sync=True, shape=shapes.Schema)
    dataset_id = traitlets.Unicode(None, allow_none=True).tag(sync=True)
    dataset_name = traitlets.Unicode("").tag(sync=True)
    # the current page, and where it is
    _page_rows = traitlets.List(traitlets.Dict()).tag(sync=True, shape=list[shapes.Wire])
    # rows of this page changed since it was shown (saved edits): sent alone, not with the whole page
    _row_patches = traitlets.Dict().tag(sync=True, shape=dict[str, shapes.Wire])
    page_size = traitlets.Int(25).tag(sync=True)
    page_number = traitlets.Int(1).tag(sync=True)
    page_count = traitlets.Int(None, allow_none=True).tag(sync=True)  # where the service gives a count
    known_pages = traitlets.List(traitlets.Int(), [1]).tag(sync=True)  # cursor listings: pages one can go back to
    total = traitlets.Int(None, allow_none=True).tag(sync=True)
    has_next = traitlets.Bool(False).tag(sync=True)
    has_previous = traitlets.Bool(False).tag(sync=True)
    loading = traitlets.Bool(False).tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)
    selected_id = traitlets.Unicode(None, allow_none=True).tag(sync=True)  # set by the front end too
    row_status = traitlets.Dict().tag(sync=True, shape=dict[str, shapes.RowStatus])  # edits, by datapoint id
    write_states = write_states_trait()  # the states' words, and which show a draft or a detail row
    can_undo = traitlets.Bool(False).tag(sync=True)
    # versioned datasets (Overmind): edits are staged then saved as a new version
    agent_id = traitlets.Unicode(None, allow_none=True)  # Python's: the view shows the version
    version = traitlets.Int(None, allow_none=True).tag(sync=True)
    version_standing = traitlets.Dict().tag(sync=True, shape=shapes.VersionStanding)  # versioned datasets
    ordering = traitlets.Unicode("").tag(sync=True)
    search = traitlets.Unicode("").tag(sync=True)
    staged = traitlets.Dict().tag(sync=True, shape=dict[str, shapes.Wire])
    version_save = traitlets.Dict().tag(sync=True, shape=shapes.VersionSave)  # a new version's write while not saved
    notice = traitlets.Unicode("").tag(sync=True)
    find = traitlets.Dict().tag(sync=True, shape=shapes.Find)  # finding by scanning the dataset
    # growing and pruning (curate.py): the ticked rows (set by the front end too), "select all" reading
    # pages, a bulk write's progress, previews of a replace and a paste, a version's staged additions
    selection = traitlets.List(traitlets.Unicode()).tag(sync=True)
    selecting = traitlets.Dict().tag(sync=True, shape=shapes.Selecting)
    bulk = traitlets.Dict().tag(sync=True, shape=shapes.Bulk)
    replace_preview = traitlets.Dict().tag(sync=True, shape=shapes.ReplacePreview)
    paste_preview = traitlets.Dict().tag(sync=True, shape=shapes.PastePreview)
    version_changes = traitlets.Dict().tag(sync=True, shape=shapes.VersionChanges)
    # the dataset picker, shown while no dataset is open
    picker = traitlets.Dict().tag(sync=True, shape=shapes.Picker)
    # view settings, set by the front end: kept in the widget's state, so they survive a re-display
    density = traitlets.Enum(["compact", "comfortable"], "compact").tag(sync=True)
    column_layout = traitlets.Dict().tag(sync=True, shape=dict[str, shapes.ColumnLayout])  # per dataset

    def __init__(
        self,
        client: Client | None = None,
        dataset_id: str | None = None,
        page_size: int = 25,
        *,
        flavour: Service = "orq",
        prefetch: bool = True,
        cache_pages: int = 8,
        rows: Sequence[Datapoint] | None = None,
    ) -> None:
        if dataset_id is not None:
            segment_id("dataset_id", dataset_id)
        checks.boolean("prefetch", prefetch)
        checks.integer("cache_pages", cache_pages, 1, 10_000)
        if rows is not None:
            if isinstance(rows, (str, bytes, dict)) or not hasattr(rows, "__iter__"):
                raise TypeError(f"rows must be a list of datapoints (models), not {type(rows).__name__}")
            rows = list(rows)
            wrong = [row for row in rows if not isinstance(row, (Datapoint, OvermindDatapoint))]
            if wrong:
                raise TypeError(
                    f"rows must be datapoints (as client.datapoints_page(...).items gives them), not "
                    f"{type(wrong[0]).__name__} ({wrong[0]!r:.40})"
                )
        super().__init__(client, flavour=getattr(client, "service", flavour))
        self.source = self.client.datasets()
        self.page_size = self.source.check_page_size(page_size)
        self.prefetch = prefetch
        if rows is not None:  # a list of datapoints displayed as a grid: paged here, not fetched
            dataset_id = dataset_id or (rows[0].dataset_id if rows else None)
            if not dataset_id:
                raise ValueError("an empty list of datapoints has no dataset to show")
            self.source = ListSource(self.source, rows, f"{len(rows)} datapoints of dataset {dataset_id}")
        self.pages = grid_pages(self, cache_pages)  # the page on show, the cache, prefetch: _pages.py
        self._init_edits()
        self.curation = Curation(self)  # growing and pruning: curate.py
        self._init_find()
        # a layout changed in this grid is remembered for the next grid on the same dataset
        self.observe(lambda change: remember_layouts(self._memory_key, change["new"]), ["column_layout"])
        if rows is not None:
            self.open_dataset(dataset_id, wait=True)  # type: ignore[arg-type]
        elif dataset_id:
            self.open_dataset(dataset_id, wait=False)
        else:
            self._open_picker()
        self.schema = self.source.schema()

    # --- Python API -----------------------------------------------------------------------------

    @property
    def service(self) -> str:
        """The service the grid edits ("orq" or "overmind"): Python's, nothing in the view branches on it."""
        return self.source.service

    @property
    def rows(self) -> list[Datapoint] | list[OvermindDatapoint]:
        """The datapoints of the page on show, as models. Right after construction it waits for the
        first page (bounded; the load's error if it failed), so the next line of a script sees it."""
        self.pages.await_first()
        return list(self.pages.page.items) if self.pages.page else []

    @property
    def selected(self) -> Datapoint | OvermindDatapoint | None:
        return next((dp for dp in self.rows if dp.id == self.selected_id), None)

    def next_page(self, wait: bool = True) -> None:
        self.pages.go("next", wait)

    def prev_page(self, wait: bool = True) -> None:
        self.pages.go("previous", wait)

    def first_page(self, wait: bool = True) -> None:
        self.pages.go("first", wait)

    def last_page(self, wait: bool = True) -> None:
        """The last page, where the service gives a count (Overmind)."""
        self.pages.go("last", wait)

    def go_to_page(self, number: int, wait: bool = True) -> None:
        """Page `number` (1-based): any page where the service gives a count, else a page visited before."""
        if isinstance(number, bool) or not isinstance(number, int):
            raise ValueError(f"number must be a page number, not {number!r}")
        self.pages.go(number, wait)

    def go_to_datapoint(self, datapoint_id: str) -> None:
        """Open the page holding `datapoint_id` and select it (scanning pages from the first)."""
        segment_id("datapoint_id", datapoint_id)
        self._go_to_datapoint(datapoint_id)

    def find_text(self, text: str) -> None:
        """shapes.Find datapoints holding `text`: the service's search, or a scan of the whole dataset from the page
        on show, wrapping round (progress and hits in `find`)."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, not {type(text).__name__} ({text!r:.40})")
        self._find_text(text)

    def refresh(self, wait: bool = True) -> None:
        self.pages.go("refresh", wait)

    def set_page_size(self, size: int, wait: bool = True) -> None:
        self.page_size = self.source.check_page_size(size)
        self._cancel_find(clear=True)  # its hits name pages of the old size
        self.pages.resize(self.page_size)
        self.pages.go("first", wait)

    def open_dataset(self, dataset_id: str, wait: bool = True) -> None:
        segment_id("dataset_id", dataset_id)
        with self.hold_sync():
            self.pages.open(dataset_id)
            self.dataset_id = dataset_id
            self.picker = {}
            self._writes.clear_staged()
            self.version_save = {}
            self.version_standing = {}
            self.row_status = {}
            self._cancel_find(clear=True)
            self.curation.reset()
            # the dataset's undo history in this kernel (a re-run grid can undo the last one's edits)
            self._writes.undo = REMEMBERED.undo.setdefault(self._memory_key(dataset_id), [])
            self.can_undo = bool(self._writes.undo)
            layout = REMEMBERED.layouts.get(self._memory_key(dataset_id))  # and its column layout
            if layout is not None and dataset_id not in self.column_layout:
                self.column_layout = {**self.column_layout, dataset_id: layout}
        # the dataset's name and size: a read, so in the background unless waited for (a service that never
        # answers does not hold the kernel; `rows` and waits wait for it too)
        self.pages.describe(wait)
        self.pages.go("first", wait)

    def edit(
        self,
        datapoint_id: str,
        *,
        expected_output: Any = _UNSET,
        inputs: Any = _UNSET,
        messages: Any = _UNSET,
        wait: bool = True,
        timeout: float = 120,
    ) -> Any:
        """Change fields of a datapoint. orq: saved at once (PATCH of only these fields); the saved
        datapoint is returned (`wait=False`: the write's handle), a `ConflictError` if someone else
        changed it since this grid loaded it. Overmind: staged for `save_version()`."""
        checks.timeout("timeout", timeout)
        segment_id("datapoint_id", datapoint_id)
        given = {"expected_output": expected_output, "inputs": inputs, "messages": messages}
        handle = self._edit_fields(datapoint_id, {k: v for k, v in given.items() if v is not _UNSET})
        return outcome(handle, timeout, "The edit") if wait and handle is not None else handle

    def undo(self, wait: bool = True, timeout: float = 120) -> Any:
        """Revert the last saved edit (a PATCH of the previous value); after a replace or a paste into
        cells, all of its edits (their saved datapoints are returned, a list)."""
        handle = self._writes.undo_last()
        if not wait:
            return handle
        if isinstance(handle, list):
            return [outcome(h, timeout, "The undo") for h in handle]
        return outcome(handle, timeout, "The undo")

    def on_edit(self, callback: Callable[[Any, Any], None]) -> None:
        """Call `callback(before, after)` with the datapoint models after each saved edit."""
        self._writes.saved_callbacks.append(checks.callable_("callback", callback))

    def save_version(self, make_active: bool = False, wait: bool = True, timeout: float = 300) -> Any:
        """Overmind: save the staged edits as the agent's next dataset version, then show it. Returns the
        new version once the grid shows it (`wait=False`: the write's handle). The write is kept and
        retried like every other (a service that is down delays it; it is never posted twice)."""
        handle = self._save_version(make_active)
        return self._await_version(handle, timeout) if wait else handle

    # --- growing and pruning --------------------------------------------------------------------

    @property
    def selected_ids(self) -> list[str]:
        """The ids of the ticked rows (on any page), in the order they were ticked."""
        return list(self.selection)

    def select(self, ids: Any = None, *, page: bool = False, all: bool = False, wait: bool = True) -> list[str]:
        """Tick datapoints: `ids` (replacing the selection), the page on show (`page=True`, added), or
        every datapoint of the dataset (`all=True`, read page by page). `select([])` clears it."""
        if all:
            done = self.curation.select_all()
            if wait and not done.wait(300):
                raise TimeoutError("selecting every datapoint did not finish within 300 s")
            if self.selecting.get("error"):
                raise RuntimeError(self.selecting["error"])
        elif page:
            self.curation.select_page()
        else:
            self.curation.select([] if ids is None else ids)
        return self.selected_ids

    def add_datapoint(
        self,
        *,
        inputs: Any = None,
        messages: Any = None,
        expected_output: Any = None,
        wait: bool = True,
        timeout: float = 120,
    ) -> Any:
        """A new datapoint, saved through the write path (exactly once) and shown where the service lists
        it; returns it once the grid shows it (`wait=False`: the write's handle). Overmind: staged for
        the next `save_version()` (returns None)."""
        given = {"inputs": inputs, "messages": messages, "expected_output": expected_output}
        handle = self.curation.add({k: v for k, v in given.items() if v is not None})
        if handle is None or not wait:
            return handle
        [made] = outcome(handle, timeout, "Adding the datapoint")
        self.curation.wait_for(
            lambda: self.selected_id == made.id and not self.loading, timeout, f"the new datapoint {made.id}"
        )
        return made

    def delete_datapoints(self, ids: Any = None, *, wait: bool = True, timeout: float = 120) -> Any:
        """Delete datapoints (None: the selection). Undo (`undo()`, Ctrl+Z) brings them back, as new
        datapoints on orq (new ids, listed last). Overmind: staged for the next `save_version()`.
        Returns the ids deleted (`wait=False`: the writes' handles)."""
        chosen = list(self.selection if ids is None else ids)
        handles = self.curation.delete(ids)
        if handles is None or not wait:
            return handles
        for handle in handles:
            outcome(handle, timeout, "Deleting")
        self.curation.wait_for(lambda: not self.bulk and not self.loading, timeout, "the rows left after deleting")
        return chosen

    def replace(
        self,
        find: str,
        replace: str,
        *,
        field: str = "expected_output",
        scope: str = "selection",
        preview: bool = False,
        wait: bool = True,
        timeout: float = 300,
    ) -> list[dict[str, Any]]:
        """Replace `find` by `replace` in `field` of the selection, the page or the whole dataset
        (`scope`). Returns the changes ({id, field, before, after}); with `preview=True` nothing is sent
        (and the grid shows the preview). Each change is an edit on the write path (conflicts as for any
        edit); Overmind: staged."""
        if preview:
            return [_change(c) for c in self.curation.preview_replace(find, replace, field, scope)["changes"]]
        plan = self.curation.replacements(find, replace, field, scope)
        handles = self.curation.apply_replace(plan)
        if wait:
            for handle in handles:
                outcome(handle, timeout, "Replacing")
        return [_change(c) for c in plan["changes"]]

    def paste(self, text: str, *, header: bool | None = None, preview: bool = False, wait: bool = True) -> Any:
        """Rows copied from a spreadsheet (tab-separated; a first row naming fields is a header, or say
        `header=`): new datapoints, or, with rows selected, values for the selected rows' cells. With
        `preview=True` nothing is sent: the plan is returned (and shown). Returns what was made or saved."""
        if preview:
            return self.curation.preview_paste(text, header)
        done = self.curation.apply_paste(self.curation.paste_plan(text, header))
        if not wait or done is None:
            return done
        if isinstance(done, list):
            return [outcome(handle, 120, "Pasting") for handle in done]
        return outcome(done, 120, "Pasting")

    def to_pandas(self) -> Any:
        """This page as a DataFrame (the whole dataset: `client.datapoints_frame(dataset_id)`); pandas is
        the `pandas` extra: `pip install "nbwidgets[pandas]"`."""
        pd = require("pandas", "DatasetGrid.to_pandas()")

        return pd.DataFrame.from_records([self.source.record(dp) for dp in self.rows])

    # --- intents from the front end -------------------------------------------------------------

    def intents(self) -> dict[str, Intent]:
        return {
            "next": lambda m: self.pages.go("next", False),
            "previous": lambda m: self.pages.go("previous", False),
            "first": lambda m: self.pages.go("first", False),
            "last": lambda m: self.pages.go("last", False),
            "go_to_page": lambda m: self.go_to_page(int(m["number"]), wait=False),
            "go_to_datapoint": lambda m: self._go_to_datapoint(str(m["datapoint_id"])),
            "open_hit": lambda m: self._open_hit(int(m["page"]), m.get("datapoint_id")),
            "find": lambda m: self._find_text(str(m.get("text", ""))),
            "cancel_find": lambda m: self._cancel_find(clear=bool(m.get("clear"))),
            "find_further": lambda m: self._find_further(),
            "refresh": lambda m: self.pages.go("refresh", False),
            "page_size": lambda m: self.set_page_size(int(m["size"]), wait=False),
            "open_dataset": lambda m: self.open_dataset(m["dataset_id"], wait=False),
            "pick": lambda m: self._open_picker(m.get("search", "")),
            "choose_agent": lambda m: self._choose(m["agent_id"]),
            "query": self._intent_query,
            **self._edit_intents(),  # edits.py
            **curate_intents(lambda: self.curation),  # curate.py
            "send_ahead": lambda m: self._send_ahead_again(),
        }

    # --- the client's writes: pending ones named by row, and other widgets' saves of rows shown ---------

    def _client_write_changed(self, handle: WriteHandle) -> None:
        super()._client_write_changed(handle)
        self._heard_write(handle)  # another widget's save of a row on show (edits.py)

    def _pending_item(self, handle: WriteHandle) -> shapes.PendingItem:
        return self._placed(super()._pending_item(handle))  # named by the grid's row (edits.py)

    def _send_ahead_again(self) -> None:
        """A new view asks for the pages sent ahead before it listened (cached ones are sent, missing fetched)."""
        if self.prefetch:
            self.pages.send_ahead()

    def _memory_key(self, dataset_id: str) -> tuple[str, str, str]:
        return (self.source.service, str(getattr(self.client, "base_url", "")), dataset_id)

    def _intent_query(self, message: dict[str, Any]) -> None:
        ordering = message.get("ordering") or ""
        known = [value for value, _ in self.source.orderings]
        if ordering and ordering not in known:
            raise ValueError(f"ordering must be one of {', '.join(known) or 'nothing (this listing has no order)'}")
        if message.get("search") and not self.source.server_search:
            raise ValueError("this service cannot search datapoints: use find, which scans the pages")
        self.ordering = ordering
        self.search = message.get("search") or ""
        self.pages.forget()
        self.pages.go("first", False)

    # --- the picker -----------------------------------------------------------------------------

    def _open_picker(self, search: str = "") -> None:
        def load() -> None:
            try:
                self.picker = self.source.pick(search)
                self.error = ""
            except RequestFailedError as error:
                self.error = describe(error)["message"]
            finally:
                self.loading = False

        self.loading = True
        self.picker = {**self.picker, "kind": self.picker.get("kind") or "datasets", "search": search}
        run_in_background(load)

    def _choose(self, item_id: str) -> None:
        self.picker = self.source.choose(item_id)
        self.agent_id = self.picker.get("agent_id", self.agent_id)


def _change(change: dict[str, Any]) -> dict[str, Any]:
    return {k: change[k] for k in ("id", "field", "before", "after")}
