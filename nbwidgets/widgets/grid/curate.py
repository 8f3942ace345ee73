"""The grid's growing and pruning: a selection (ticked rows, a page, the whole dataset), new datapoints,
deletes with undo, find and replace with a preview, rows pasted from a spreadsheet.

Every change goes through the write path, as an edit does: a new datapoint or a delete is a queued write
(orq: bulk create / bulk delete, exactly once), a replacement is one edit per datapoint (conflict rules
as for any edit). On a versioned dataset (Overmind) additions, removals and replacements are staged and
the next Save makes them one new version. An undone delete brings the datapoints back as new ones: orq
cannot restore a deleted datapoint, so they get new ids (and list last).

`Curation` is a part of the grid (`grid.curation`), not a mixin: it keeps its own state and reads and sets
what `Grid` names of the grid (the traits it shows its work in, the page loader, the row writes).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from ...client.datasets import DatasetSource
from ...client.writes import WriteHandle
from .._base import describe
from .._pages import PageLoader
from .._row_writes import _UNSET, RowWrites
from .._waiting import run_in_background
from .edits import void
from .text import as_text, plan_paste, replaced

SCOPES = ("selection", "page", "dataset")
PREVIEW_SHOWN = 100  # changes listed in a preview on screen (the count is of all of them)


@dataclass
class Removal:
    """A delete that Undo can bring back: the datapoints' bodies (made anew on orq)."""

    dataset_id: str
    ids: list[str]
    items: list[dict[str, Any]]


class Grid(Protocol):
    """What of the grid its curating reads and sets: the traits it shows its work in, the page loader, the
    row writes, and three of the grid's own steps."""

    source: DatasetSource
    dataset_id: str | None
    selection: list[str]
    bulk: dict[str, Any]
    selecting: dict[str, Any]
    replace_preview: dict[str, Any]
    paste_preview: dict[str, Any]
    version_changes: dict[str, Any]
    staged: dict[str, Any]
    row_status: dict[str, Any]
    total: int | None
    page_count: int | None
    page_size: int
    notice: str
    error: str
    can_undo: bool
    selected_id: str | None
    _lock: threading.RLock
    pages: PageLoader
    _origin: str
    _writes: RowWrites

    def _find(self, datapoint_id: str) -> Any: ...
    def _show_row(self, datapoint_id: str) -> None: ...
    def _edit_rows(self, what: str, edits: list[tuple[str, dict[str, Any], Any]]) -> list[WriteHandle]: ...


class Curation:
    """The grid's growing and pruning, a part of the grid (`grid.curation`): its own state (what is staged
    for the next version besides edits, the plans previewed, the rows "select all" read) here, what it
    shows in the grid's traits."""

    def __init__(self, grid: Grid) -> None:
        self.grid = grid
        self.staged_added: list[dict[str, Any]] = []  # a versioned dataset's next version: new datapoints
        self.staged_removed: list[str] = []  # and the ids it leaves out
        self._collected: dict[str, Any] = {}  # datapoints read by "select all", by id
        self._replace_plan: dict[str, Any] | None = None
        self._paste_plan: dict[str, Any] | None = None
        self._selecting = 0  # the "select all" running; a new one or a clear bumps it

    def reset(self) -> None:
        """Another dataset: nothing selected, staged or previewed stays."""
        self.staged_added, self.staged_removed, self._collected = [], [], {}
        self._replace_plan = self._paste_plan = None
        self._selecting += 1
        self.grid.selection, self.grid.selecting, self.grid.bulk = [], {}, {}
        self.grid.replace_preview, self.grid.paste_preview, self.grid.version_changes = {}, {}, {}

    # --- the selection --------------------------------------------------------------------------

    def select(self, ids: Iterable[str], how: str = "set") -> None:
        if isinstance(ids, str):
            raise TypeError("ids must be a list of datapoint ids, not one str")
        given = [str(i) for i in ids]
        with self.grid._lock:
            if how == "set":
                chosen = given
            elif how == "add":
                chosen = [*self.grid.selection, *given]
            elif how == "remove":
                gone = set(given)
                chosen = [i for i in self.grid.selection if i not in gone]
            else:
                raise ValueError("how must be set, add or remove")
            self._selecting += 1
            self.grid.selecting = {}
            self.grid.selection = list(dict.fromkeys(chosen))

    def select_page(self) -> None:
        self.select([dp.id for dp in (self.grid.pages.page.items if self.grid.pages.page else [])], "add")

    def select_all(self) -> threading.Event:
        """Select every datapoint of the dataset, read page by page in the background (`selecting`
        shows how far it is); the event is set once done."""
        if not self.grid.dataset_id:
            raise ValueError("no dataset is open")
        done = threading.Event()
        with self.grid._lock:
            self._selecting += 1
            run = self._selecting
            self.grid.selecting = {"running": True, "count": 0}
        dataset_id, query = self.grid.dataset_id, self.grid.pages.query()

        def collect() -> None:
            found: dict[str, Any] = {}
            try:
                for datapoint in self.grid.source.all_datapoints(dataset_id, query):
                    found[datapoint.id] = datapoint
                    if len(found) % 200 == 0:
                        with self.grid._lock:
                            if run != self._selecting:
                                return
                            self.grid.selecting = {"running": True, "count": len(found)}
                with self.grid._lock:
                    if run != self._selecting:
                        return
                    self._collected = found
                    self.grid.selection = list(found)
                    self.grid.selecting = {"all": True, "count": len(found)}
            except Exception as error:
                with self.grid._lock:
                    if run == self._selecting:
                        self.grid.selecting = {"error": describe(error)["message"]}
            finally:
                done.set()

        run_in_background(collect)
        return done

    def _datapoint(self, datapoint_id: str) -> Any:
        """A datapoint as loaded (a page on show or cached, or read by "select all"), else read."""
        found = self.grid._find(datapoint_id) or self._collected.get(datapoint_id)
        if found is not None:
            return found
        assert self.grid.dataset_id is not None
        return self.grid.source.get_datapoint(self.grid.dataset_id, datapoint_id)

    # --- adding ---------------------------------------------------------------------------------

    def add(self, fields: dict[str, Any]) -> Any:
        """One new datapoint: queued (its handle) or staged for the next version (None)."""
        return self._add_items([self.grid.source.new_item(fields)], "Added a datapoint")

    def _add_items(self, items: list[dict[str, Any]], said: str) -> Any:
        if not self.grid.dataset_id:
            raise ValueError("no dataset is open")
        if self.grid.source.save_mode == "version":
            with self.grid._lock:
                self.grid._writes.refuse_while_saving_version("add datapoints")
                self.staged_added.extend(items)
                self._show_version_changes()
            return None
        handle = self.grid.source.queue_create(self.grid.dataset_id, items, origin=self.grid._origin)
        self._follow_bulk("add", len(items), handle.chunks, lambda: self._added(handle, said))
        return handle

    def _added(self, handle: Any, said: str) -> None:
        made = [dp for chunk in handle.chunks for dp in chunk.value]  # listeners run before the result is set
        with self.grid._lock:
            self.grid.pages.drop_cache()  # pages fetched before miss the new rows (cursors stay: they are ids)
            self._count_changed(len(made))
            count = f"{len(made)} datapoints" if len(made) > 1 else "a datapoint"
            self.grid.notice = said.replace("a datapoint", count) + " (orq lists new datapoints last)"
            self.grid.row_status = {**self.grid.row_status, **{dp.id: {"state": "saved"} for dp in made}}
        self.grid._show_row(made[0].id)  # not by Find: its bar keeps what the user had in it

    # --- deleting -------------------------------------------------------------------------------

    def delete(self, ids: Iterable[str] | None) -> list[WriteHandle] | None:
        chosen = list(dict.fromkeys(self.grid.selection if ids is None else ids))
        if isinstance(ids, str):
            raise TypeError("ids must be a list of datapoint ids, not one str")
        if not chosen:
            raise ValueError("nothing to delete: no datapoint is selected (tick rows, or pass ids=)")
        if not self.grid.dataset_id:
            raise ValueError("no dataset is open")
        if self.grid.source.save_mode == "version":
            with self.grid._lock:
                self.grid._writes.refuse_while_saving_version("delete datapoints")
                self.staged_removed = list(dict.fromkeys([*self.staged_removed, *chosen]))
                self.grid.selection = [i for i in self.grid.selection if i not in set(chosen)]
                self._show_version_changes()
            return None
        items = [self.grid.source.item_of(self._datapoint(i)) for i in chosen]  # what Undo makes again
        handles: list[WriteHandle] = self.grid.source.queue_delete(
            self.grid.dataset_id, chosen, origin=self.grid._origin
        )
        removal = Removal(self.grid.dataset_id, chosen, items)
        self._follow_bulk("delete", len(chosen), handles, lambda: self._deleted(removal))
        return handles

    def _deleted(self, removal: Removal) -> None:
        gone = set(removal.ids)
        with self.grid._lock:
            self.grid._writes.push_undo(removal)
            self.grid.selection = [i for i in self.grid.selection if i not in gone]
            self._count_changed(-len(gone))
            n = len(gone)
            what = f"{n} datapoints" if n > 1 else "1 datapoint"
            back = "them" if n > 1 else "it"
            self.grid.notice = f"Deleted {what}. Undo brings {back} back as new datapoints (new ids, listed last)."
        self.grid.pages.go("refresh", False)

    def restore(self, removal: Removal) -> Any:
        """Undo of a delete: the datapoints made again, as new ones."""
        handle = self.grid.source.queue_create(removal.dataset_id, removal.items, origin=self.grid._origin)
        n = len(removal.items)
        said = f"Brought back {n} deleted datapoint{'s' if n > 1 else ''} as new datapoints (orq gives them new ids)"

        def restored() -> None:
            with self.grid._lock:
                if self.grid.dataset_id == removal.dataset_id:
                    self._count_changed(n)
                self.grid.notice = said + "."
            if self.grid.dataset_id == removal.dataset_id:
                self.grid.pages.go("refresh", False)

        self._follow_bulk("restore", n, handle.chunks, restored)
        return handle

    def _count_changed(self, by: int) -> None:
        """Datapoints were made or deleted: the count, and the pages it makes, where the service counts."""
        if self.grid.total is not None:
            self.grid.total = max(0, self.grid.total + by)
            self.grid.page_count = self.grid.source.page_count(self.grid.total, self.grid.page_size)

    # --- following bulk writes ------------------------------------------------------------------

    def _follow_bulk(self, action: str, count: int, handles: list[WriteHandle], done: Callable[[], None]) -> None:
        """`bulk` shows the writes' progress (pending, retrying with why, failed with why); `done` runs
        once every one is saved."""
        finished = threading.Event()

        def changed(_: WriteHandle) -> None:
            states = [h.state for h in handles]
            failed = next((h for h in handles if h.state in ("failed", "conflict")), None)
            with self.grid._lock:
                if failed is not None:
                    why = describe(failed.error or RuntimeError(failed.state))
                    self.grid.bulk = {"action": action, "count": count, "state": "failed", **why}
                    self.grid.error = f"Could not {action} {count} datapoint(s): {why['message']}"
                    return
                if all(state == "saved" for state in states):
                    if finished.is_set():
                        return
                    finished.set()
                    self.grid.bulk = {}
                else:
                    retrying = next((h for h in handles if h.error is not None and h.state == "queued"), None)
                    state = "retrying" if retrying is not None else "pending"
                    shown = {"action": action, "count": count, "state": state}
                    if retrying is not None and retrying.error is not None:
                        shown.update(describe(retrying.error))
                    self.grid.bulk = shown
                    return
            done()

        for handle in handles:
            handle.on_change(changed)

    # --- staged on a versioned dataset ----------------------------------------------------------

    def _show_version_changes(self) -> None:
        self.grid.version_changes = (
            {"added": len(self.staged_added), "removed": list(self.staged_removed)}
            if self.staged_added or self.staged_removed
            else {}
        )

    def clear_version_changes(self) -> None:
        self.staged_added, self.staged_removed = [], []
        self.grid.version_changes = {}

    # --- find and replace -----------------------------------------------------------------------

    def replacements(self, find: str, replacement: str, field: str, scope: str) -> dict[str, Any]:
        """What a replace would change: {"find", "replace", "field", "scope", "changes": [...]}."""
        if not isinstance(find, str) or not find:
            raise ValueError("find is empty: give the text to replace")
        if not isinstance(replacement, str):
            raise TypeError(f"replace must be text, not {type(replacement).__name__}")
        [key] = self.grid.source.fields({field: None})
        if scope not in SCOPES:
            raise ValueError(f"scope must be one of {', '.join(SCOPES)}, not {scope!r}")
        if not self.grid.dataset_id:
            raise ValueError("no dataset is open")
        if scope == "selection":
            if not self.grid.selection:
                raise ValueError("nothing is selected: tick rows, or replace across the page or the whole dataset")
            datapoints = [self._datapoint(i) for i in self.grid.selection]
        elif scope == "page":
            datapoints = list(self.grid.pages.page.items if self.grid.pages.page else [])
        else:
            datapoints = list(self.grid.source.all_datapoints(self.grid.dataset_id, self.grid.pages.query()))
        changes = []
        for datapoint in datapoints:
            row = self.grid.source.row(datapoint)
            before = self.grid.staged.get(datapoint.id, {}).get(key, row.get(key))
            after = replaced(before, find, replacement)
            if after != before:
                changes.append(
                    {"id": datapoint.id, "field": key, "before": before, "after": after, "updated": row.get("updated")}
                )
        return {"find": find, "replace": replacement, "field": key, "scope": scope, "changes": changes}

    def preview_replace(self, find: str, replacement: str, field: str, scope: str) -> dict[str, Any]:
        plan = self.replacements(find, replacement, field, scope)
        with self.grid._lock:
            self._replace_plan = plan
            self.grid.replace_preview = {
                **{k: plan[k] for k in ("find", "replace", "field", "scope")},
                "count": len(plan["changes"]),
                "changes": [
                    {"id": c["id"], "before": as_text(c["before"]), "after": as_text(c["after"])}
                    for c in plan["changes"][:PREVIEW_SHOWN]
                ],
            }
        return plan

    def apply_replace(self, plan: dict[str, Any] | None = None) -> list[Any]:
        """Each change of a previewed replace as an edit (staged on a versioned dataset)."""
        with self.grid._lock:
            plan = plan or self._replace_plan
            self._replace_plan = None
            self.grid.replace_preview = {}
        if not plan:
            raise ValueError("nothing to replace: preview a replacement first")
        edits = [(c["id"], {c["field"]: c["after"]}, c["updated"]) for c in plan["changes"]]
        handles = self.grid._edit_rows("the replace", edits)  # one Undo takes back every edit of it
        n = len(plan["changes"])
        self.grid.notice = f"Replacing in {n} datapoint{'s' if n != 1 else ''}" if n else "Nothing to replace"
        return handles

    def cancel_previews(self) -> None:
        with self.grid._lock:
            self._replace_plan = self._paste_plan = None
            self.grid.replace_preview, self.grid.paste_preview = {}, {}

    # --- pasting rows from a spreadsheet --------------------------------------------------------

    def paste_plan(self, text: str, header: bool | None = None) -> dict[str, Any]:
        return plan_paste(self.grid.source, text, header, list(self.grid.selection))

    def preview_paste(self, text: str, header: bool | None = None) -> dict[str, Any]:
        plan = self.paste_plan(text, header)
        with self.grid._lock:
            self._paste_plan = plan
            shown = []
            for row in plan["rows"][:PREVIEW_SHOWN]:
                entry: dict[str, Any] = {"fields": {k: as_text(v) for k, v in row["fields"].items()}}
                if "id" in row:
                    current = self.grid.source.row(self._datapoint(row["id"]))
                    entry.update(id=row["id"], before={k: as_text(current.get(k)) for k in row["fields"]})
                shown.append(entry)
            self.grid.paste_preview = {"mode": plan["mode"], "count": len(plan["rows"]), "rows": shown}
        return plan

    def apply_paste(self, plan: dict[str, Any] | None = None) -> Any:
        with self.grid._lock:
            plan = plan or self._paste_plan
            self._paste_plan = None
            self.grid.paste_preview = {}
        if not plan:
            raise ValueError("nothing to paste: preview the pasted rows first")
        if plan["mode"] == "new":
            return self._add_items([row["fields"] for row in plan["rows"]], "Pasted a datapoint")
        # one Undo takes back every cell it filled
        return self.grid._edit_rows("the paste", [(row["id"], row["fields"], _UNSET) for row in plan["rows"]])

    # --- waiting, for the Python API ------------------------------------------------------------

    def wait_for(self, condition: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError(f"the grid did not show {what} within {timeout:g} s")
            time.sleep(0.02)


def curate_intents(part: Callable[[], Curation]) -> dict[str, Callable[[dict[str, Any]], Any]]:
    """The front end's intents of curating, each asking the grid's part when it arrives (`part()`)."""
    return {
        "select": lambda m: part().select(m.get("ids") or [], m.get("how", "set")),
        "select_page": lambda m: part().select_page(),
        "select_all": lambda m: void(part().select_all()),
        "add": lambda m: void(part().add(dict(m.get("fields") or {}))),
        "delete": lambda m: void(part().delete(m.get("ids"))),
        "replace_preview": lambda m: void(
            part().preview_replace(str(m.get("find", "")), str(m.get("replace", "")), m["field"], m["scope"])
        ),
        "replace_apply": lambda m: void(part().apply_replace()),
        "paste_preview": lambda m: void(part().preview_paste(str(m.get("text", "")))),
        "paste_apply": lambda m: void(part().apply_paste()),
        "cancel_preview": lambda m: part().cancel_previews(),
    }
