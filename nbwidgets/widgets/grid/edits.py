"""The grid's side of its row writes: the writes themselves (saved at once with undo and conflicts, or
staged and saved as a new version) are the shared `RowWrites` (widgets/_row_writes.py); here is what
the grid shows of them: each row's status, the row on screen recomputed from the service's answer,
another widget's save of a row on show, and the move to a new version once it is saved.

The row on screen is the service's answer: its patch is recomputed whole against the page as sent, so an
undo or an edit back to the original reaches the screen.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from ...client.datasets import DatasetSource
from ...client.writes import WriteHandle
from .._contract import PendingItem
from .._pages import PageLoader
from .._row_writes import _UNSET, RowWrites
from .._waiting import outcome
from .._words import DRAFT_STATES


def void(_: Any) -> None:
    """An intent that starts work answers at once; the work's outcome arrives in traits."""


def _version_summary(payload: dict[str, Any]) -> dict[str, Any]:
    return {"make_active": payload["make_active"], "edits": len(payload["edits"])}


class Edits:
    """Mixed into DatasetGrid, whose traits (row_status, staged, can_undo, ...) it sets from its RowWrites."""

    source: DatasetSource
    dataset_id: str | None
    row_status: dict[str, Any]
    staged: dict[str, Any]
    can_undo: bool
    error: str
    notice: str
    version: int | None
    version_save: dict[str, Any]
    version_standing: dict[str, Any]
    total: int | None
    page_number: int
    page_size: int
    _page_rows: list[dict[str, Any]]
    _row_patches: dict[str, Any]
    _lock: threading.RLock
    pages: PageLoader
    _origin: str

    def _init_edits(self) -> None:
        self._places: dict[str, tuple[Any, int, int]] = {}  # datapoint id -> (listing, page, row number) at its edit
        self._writes = RowWrites(
            self.source,
            lambda: self.dataset_id,
            self._origin,
            lock=self._lock,
            held=self._find,
            on_status=self._show_write,
            on_version=self._show_version_write,
            on_replaced=self._replace_row,
            on_undo=lambda: setattr(self, "can_undo", bool(self._writes.undo)),
            on_staged=lambda: setattr(self, "staged", dict(self._writes.staged)),
            on_notice=lambda said: setattr(self, "notice", said),
            on_queued=self._note_place,
            restore=lambda removal: self.curation.restore(removal),  # type: ignore[attr-defined]  # an undone delete
            batch=self.hold_sync,  # type: ignore[attr-defined]
        )

    def _edit_intents(self) -> dict[str, Callable[[dict[str, Any]], Any]]:
        return {
            "edit": lambda m: void(self._edit_fields(m["datapoint_id"], {m["field"]: m["value"]}, base=m.get("base"))),
            "retry": lambda m: self._writes.retry(m["datapoint_id"], self.row_status.get(m["datapoint_id"])),
            "resolve": lambda m: self._resolve(m["datapoint_id"], m["keep"]),
            "undo": lambda m: void(self._writes.undo_last()),
            "save_version": lambda m: self._save_version(bool(m.get("make_active"))) and None,
            "retry_version": lambda m: self.client.outbox.retry_now(),  # type: ignore[attr-defined]
            "discard": lambda m: self._discard_staged(),
            "go_to_write": lambda m: self._go_to_write(str(m["datapoint_id"])),
        }

    def _edit_fields(self, datapoint_id: str, fields: dict[str, Any], base: Any = None) -> WriteHandle | None:
        """One edit from the Python API or the front end: staged, or saved at once. `base`: the version
        (`updated`) of the row the edit was started from, where the front end knows it (its editor opened
        on it): a change saved since, by anyone else, is then a conflict rather than overwritten."""
        fields = self.source.fields(fields)
        if self.source.save_mode == "version":
            self._stage(datapoint_id, fields)
            return None
        return self._writes.save(datapoint_id, fields, base=_UNSET if base is None else base)

    def _find(self, datapoint_id: str) -> Any:
        for page in self.pages.loaded():
            for dp in page.items:
                if dp.id == datapoint_id:
                    return dp
        return None

    def _set_status(self, datapoint_id: str, **status: Any) -> None:
        with self._lock:
            self.row_status = {**self.row_status, datapoint_id: status}

    def _note_place(self, datapoint_id: str) -> None:
        """Where an edited row is (its page and row number), to name it in the pending writes and go back."""
        with self._lock:
            on_page = [dp.id for dp in self.pages.page.items] if self.pages.page is not None else []
            if datapoint_id in on_page:
                number = (self.page_number - 1) * self.page_size + on_page.index(datapoint_id) + 1
                self._places[datapoint_id] = (self.pages.listing(), self.page_number, number)

    def _heard_write(self, handle: WriteHandle) -> None:
        """A write of this client settled: another widget's save of a row of the dataset on show is shown."""
        write = handle.write
        if (
            handle.state == "saved"
            and write.kind == "datapoint.update"
            and write.origin != self._origin
            and write.payload.get("dataset_id") == self.dataset_id
            and handle.value is not None
            and getattr(handle.value, "id", None) == write.payload.get("datapoint_id")
        ):
            self._newer_elsewhere(handle.value)

    def _placed(self, item: PendingItem) -> PendingItem:
        """A pending write as the grid names it: the page and row where it was edited, the fields' titles."""
        places = getattr(self, "_places", {})  # (the base class lists pending writes before the grid is set up)
        place = places.get(item.get("datapoint_id", "")) if item.get("dataset_id") == self.dataset_id else None
        if place is not None:
            item["page"], item["row"] = place[1], place[2]
        if item.get("dataset_id") == self.dataset_id and "datapoint_id" in item:
            item["here"] = True  # a row of the dataset on show: the grid can go to it
        source = getattr(self, "source", None)
        titles = {column.key: column.title for column in source.columns} if source is not None else {}
        if "fields" in item and item["kind"] == "datapoint.update":
            item["fields"] = [titles.get(name, name) for name in item["fields"]]
        return item

    def _go_to_write(self, datapoint_id: str) -> None:
        """Show the row a pending write changes: its page where this grid edited it, else found by id."""
        with self._lock:
            place = self._places.get(datapoint_id)
            known = (
                place is not None and place[0] == self.pages.listing() and self.pages.position_of(place[1]) is not None
            )
        if place is not None and known:
            self.pages.go(place[1], False, select=datapoint_id)
        else:
            self._go_to_datapoint(datapoint_id)  # type: ignore[attr-defined]

    def _newer_elsewhere(self, saved: Any) -> None:
        """Another widget on this client saved a row this grid holds: show the saved value, or, where this
        grid has a draft of that row (an edit not saved yet, failed or in conflict), keep the draft and
        mark the row: its base is no longer what the service holds."""
        with self._lock:
            loaded = self._find(saved.id)
            if loaded is None or loaded.to_wire().get("updated") == saved.to_wire().get("updated"):
                return
            status = self.row_status.get(saved.id) or {}
            if status.get("state") in DRAFT_STATES:
                if not status.get("newer"):
                    self._set_status(saved.id, **status, newer=saved.to_wire().get("updated"))
                return
            with self.hold_sync():  # type: ignore[attr-defined]
                self._replace_row(saved)
                self._set_status(saved.id, state="updated", updated=saved.to_wire().get("updated"))

    def _show_write(self, datapoint_id: str, status: dict[str, Any], handle: WriteHandle | None) -> None:
        """The row's status trait, from the write's state (the shared mapping) and the row's values."""
        if handle is None:  # refused before it was queued
            self._set_status(datapoint_id, **status)
            return
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
        for page in self.pages.loaded():
            for index, dp in enumerate(page.items):
                if dp.id == datapoint.id:
                    page.items[index] = datapoint
        if self.pages.page is not None and any(dp.id == datapoint.id for dp in self.pages.page.items):
            # The row's patch is the service's value against the page as sent, recomputed whole (never
            # merged into the last patch): a field back at its original drops out, and the screen shows it.
            wire = self.source.row(datapoint)
            shown = next((r for r in self._page_rows if r.get("id") == datapoint.id), {})
            delta = {k: v for k, v in wire.items() if shown.get(k) != v}
            delta.update({k: None for k in shown if k not in wire})
            patches = {k: v for k, v in self._row_patches.items() if k != datapoint.id}
            self._row_patches = {**patches, datapoint.id: delta} if delta else patches

    def _resolve(self, datapoint_id: str, keep: str) -> None:
        status = self.row_status.get(datapoint_id) or {}
        conflicted = status.get("state") == "conflict"
        if self._writes.resolve(datapoint_id, keep, status.get("draft"), conflicted=conflicted) is None:
            with self._lock:  # theirs: on screen now, the draft dropped
                self.row_status = {k: v for k, v in self.row_status.items() if k != datapoint_id}

    def _edit_rows(self, what: str, edits: list[tuple[str, dict[str, Any], Any]]) -> list[WriteHandle]:
        """The edits of one action (a replace, a paste into cells): (datapoint id, fields, base) each, staged
        or saved; saved, one Undo takes back all of them ("Undid the replace")."""
        handles = []
        group = self._writes.group(what)
        try:
            for datapoint_id, fields, base in edits:
                if self.source.save_mode == "version":
                    self._stage(datapoint_id, fields)
                else:
                    handles.append(self._writes.save(datapoint_id, fields, base=base, group=group))
        finally:
            self._writes.seal(group)
        return handles

    # --- staged, then saved as a new version ----------------------------------------------------

    def _stage(self, datapoint_id: str, fields: dict[str, Any]) -> None:
        with self._lock:
            self._writes.refuse_while_saving_version("edit")
            self._set_status(datapoint_id, state="staged", draft=self._writes.stage(datapoint_id, fields))
            if self.notice.startswith("Saved as version"):
                self.notice = ""  # new edits are staged: that version is no longer what the grid holds

    def _discard_staged(self) -> None:
        with self._lock:
            self._writes.refuse_while_saving_version("discard the staged edits")
            self.row_status = {k: v for k, v in self.row_status.items() if k not in self.staged}
            self._writes.clear_staged()
            self.curation.clear_version_changes()  # type: ignore[attr-defined]

    def _save_version(self, make_active: bool) -> WriteHandle:
        """Queue the staged edits as the dataset's next version (a write on the write path: kept,
        retried, made at most once). The staged edits stay on screen until the version is saved."""
        with self._lock:
            added, removed = self.curation.staged_added, self.curation.staged_removed  # type: ignore[attr-defined]
            if not self.staged and not added and not removed:
                raise ValueError("no staged edits to save")
            self._writes.refuse_while_saving_version("save again")
            self.error = self.notice = ""  # an earlier "Saved as version N" no longer speaks of what is on show
        return self._writes.queue_version(make_active, added=added, removed=removed)

    def _show_version_write(self, status: dict[str, Any], handle: WriteHandle) -> None:
        """The version write's state on screen (`version_save`); once saved, the grid moves to it."""
        payload = handle.write.payload
        if status["state"] == "saved":
            self._moved_to_version(handle.value, payload)
            return
        with self._lock:
            here = self.dataset_id == payload["dataset_id"]  # else the user opened another dataset meanwhile
            if here:
                self.version_save = {} if status["state"] == "failed" else {**status, **_version_summary(payload)}
            if status["state"] == "failed":
                kept = " (your edits are still staged)" if here else f" (dataset {payload['dataset_id']})"
                self.error = "Saving the new version failed: " + status["message"] + kept

    def _moved_to_version(self, created: Any, payload: dict[str, Any]) -> None:
        info = self.source.version_of(created)
        notice = f"Saved as version {info.version}" + (" (active)" if payload["make_active"] else "")
        with self._lock, self.hold_sync():  # type: ignore[attr-defined]
            self.version_save = {}
            if self.dataset_id != payload["dataset_id"]:  # the user opened another dataset meanwhile
                self.notice = notice
                return
            self._writes.clear_staged()
            self.row_status = {}
            self.curation.clear_version_changes()  # type: ignore[attr-defined]
            self.pages.open(created.id)
            self.dataset_id = created.id
            self.version = info.version
            self.total = info.total
            # just made, so the newest; active if it was made so (else the agent's active one stays)
            self.version_standing = {"newest": info.version, "active": payload["make_active"]}
            if self.page_number > 1:
                notice += "; showing page 1 of the new version"
            self.notice = notice
            self.page_number = 1
        self.pages.go("first", wait=False)

    def _await_version(self, handle: WriteHandle, timeout: float) -> Any:
        created = outcome(handle, timeout, "Saving the new version")
        self.pages.await_first()
        return created
