"""The grid's edits: saved at once through the client's write path (save_mode "patch", orq) with undo
and conflict resolution, or staged and saved as a new version (save_mode "version", Overmind).

A saved edit is a write (client/writes.py): queued at once, followed through its handle, never waited
on by a pool thread. Its conflict base is what this grid last saw of the row; the outbox knows its
own writes, so quick edits of one row chain instead of conflicting. The row on screen is the service's
answer: its patch is recomputed whole against the page as sent, so an undo or an edit back to the
original reaches the screen.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ...client.datasets import DatasetSource
from ...client.writes import WriteHandle
from ...models import Page
from .._base import WriteStatuses, outcome

_UNSET: Any = object()
DRAFT_STATES = ("pending", "retrying", "failed", "conflict", "staged")  # a row whose cells show a draft
VERSION = "new version"  # the slot of the staged edits' version write (rows are slotted by datapoint id)


def _version_summary(payload: dict[str, Any]) -> dict[str, Any]:
    return {"make_active": payload["make_active"], "edits": len(payload["edits"])}


@dataclass(eq=False)
class EditGroup:
    """The edits of one action (a replace, a paste into cells): one Undo takes all of them back.

    Each edit adds its undo entry once it is saved; once every edit has settled (saved, conflict or
    failed) and no more are coming (`sealed`), the group goes on the undo list it was started with
    (the dataset's, even if another one is open by then) as one step."""

    what: str  # "the replace", "the paste": what Undo says it took back
    undo: list[Any]
    entries: list[tuple[str, dict[str, Any], Any]] = field(default_factory=list)
    queued: int = 0
    settled: set[int] = field(default_factory=set)  # ids of the handles that have settled
    sealed: bool = False
    pushed: bool = False


class Edits:
    """Mixed into DatasetGrid, whose traits (row_status, staged, can_undo, ...) it sets."""

    source: DatasetSource
    dataset_id: str | None
    row_status: dict[str, Any]
    staged: dict[str, Any]
    can_undo: bool
    loading: bool
    error: str
    notice: str
    version: int | None
    version_save: dict[str, Any]
    version_standing: dict[str, Any]
    total: int | None
    page_number: int
    page_size: int
    _listing: Callable[[], Any]
    _page: Page[Any] | None
    _page_rows: list[dict[str, Any]]
    _row_patches: dict[str, Any]
    _lock: threading.RLock
    _origin: str
    _loaded_pages: Callable[[], list[Page[Any]]]

    def _init_edits(self) -> None:
        self._places: dict[str, tuple[Any, int, int]] = {}  # datapoint id -> (listing, page, row number) at its edit
        self._undo: list[Any] = []  # (datapoint_id, previous fields, updated) of an edit, or a Removal
        self._conflicts: dict[str, Any] = {}
        self._edit_callbacks: list[Callable[[Any, Any], None]] = []
        self._statuses = WriteStatuses(self._show_write)

    def _edit_fields(self, datapoint_id: str, fields: dict[str, Any], base: Any = None) -> WriteHandle | None:
        """One edit from the Python API or the front end: staged, or saved at once. `base`: the version
        (`updated`) of the row the edit was started from, where the front end knows it (its editor opened
        on it): a change saved since, by anyone else, is then a conflict rather than overwritten."""
        fields = self.source.fields(fields)
        if self.source.save_mode == "version":
            self._stage(datapoint_id, fields)
            return None
        return self._save(datapoint_id, fields, base=_UNSET if base is None else base)

    def _find(self, datapoint_id: str) -> Any:
        for page in self._loaded_pages():
            for dp in page.items:
                if dp.id == datapoint_id:
                    return dp
        return None

    def _set_status(self, datapoint_id: str, **status: Any) -> None:
        with self._lock:
            self.row_status = {**self.row_status, datapoint_id: status}

    # --- saved at once --------------------------------------------------------------------------

    def _save(
        self,
        datapoint_id: str,
        fields: dict[str, Any],
        *,
        base: Any = _UNSET,
        force: bool = False,
        undoable: bool = True,
        group: EditGroup | None = None,
    ) -> WriteHandle:
        """Queue one edit of a row; its status follows the write. Returns the write's handle."""
        try:
            self.source.validate(fields)
        except ValueError as error:
            reason = str(error)
            self._set_status(datapoint_id, state="failed", message=reason, reason=reason, draft=fields, fields={})
            raise
        assert self.dataset_id is not None
        self._note_place(datapoint_id)
        if base is _UNSET:
            loaded = self._find(datapoint_id)  # not loaded (off the page): nothing seen to conflict with
            base = loaded.to_wire().get("updated") if loaded is not None else None
        handle: WriteHandle = self.source.queue_update(
            self.dataset_id, datapoint_id, fields, expected_updated=None if force else base, origin=self._origin
        )
        if group is not None:
            with self._lock:
                group.queued += 1
        handle.on_change(lambda h: self._settled(h, fields, undoable, group))
        return self._statuses.follow(datapoint_id, handle)

    def _edit_group(self, what: str) -> EditGroup:
        return EditGroup(what, self._undo)

    def _seal(self, group: EditGroup) -> None:
        """Every edit of the group is queued: once they have all settled, it is one Undo step."""
        with self._lock:
            group.sealed = True
            self._group_settled(group)

    def _group_settled(self, group: EditGroup) -> None:
        if group.pushed or not group.sealed or len(group.settled) < group.queued or not group.entries:
            return
        group.pushed = True
        group.entries.reverse()  # undone last first
        group.undo.append(group)
        if group.undo is self._undo:
            self.can_undo = True

    def _note_place(self, datapoint_id: str) -> None:
        """Where an edited row is (its page and row number), to name it in the pending writes and go back."""
        with self._lock:
            on_page = [dp.id for dp in self._page.items] if self._page is not None else []
            if datapoint_id in on_page:
                number = (self.page_number - 1) * self.page_size + on_page.index(datapoint_id) + 1
                self._places[datapoint_id] = (self._listing(), self.page_number, number)

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

    def _settled(
        self, handle: WriteHandle, fields: dict[str, Any], undoable: bool, group: EditGroup | None = None
    ) -> None:
        """What a finished edit changes besides its status: the row on screen, Undo, the callbacks."""
        datapoint_id = handle.write.payload["datapoint_id"]
        if handle.state == "conflict" and handle.current is not None:
            self._conflicts[datapoint_id] = handle.current
        if group is not None and handle.state in ("conflict", "failed"):
            with self._lock:
                group.settled.add(id(handle))
                self._group_settled(group)
        if handle.state != "saved":
            return
        saved, before = handle.value, handle.before  # before: the row as the write found it
        with self._lock, self.hold_sync():  # type: ignore[attr-defined]  # one sync message: row and Undo
            self._replace_row(saved)
            if undoable and before is not None:
                previous = {k: before.to_wire().get(k) for k in fields}
                entry = (datapoint_id, previous, saved.to_wire().get("updated"))
                if group is None:
                    self._undo.append(entry)
                elif id(handle) not in group.settled:
                    group.entries.append(entry)
            if group is not None:
                group.settled.add(id(handle))
                self._group_settled(group)
            self.can_undo = bool(self._undo)
        for callback in self._edit_callbacks:
            callback(before, saved)

    def _show_write(self, datapoint_id: str, status: dict[str, Any], handle: WriteHandle) -> None:
        """The row's status trait, from the write's state (the shared mapping) and the row's values."""
        if datapoint_id == VERSION:
            self._show_version_write(status, handle)
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
        for page in self._loaded_pages():
            for index, dp in enumerate(page.items):
                if dp.id == datapoint.id:
                    page.items[index] = datapoint
        if self._page is not None and any(dp.id == datapoint.id for dp in self._page.items):
            # The row's patch is the service's value against the page as sent, recomputed whole (never
            # merged into the last patch): a field back at its original drops out, and the screen shows it.
            wire = self.source.row(datapoint)
            shown = next((r for r in self._page_rows if r.get("id") == datapoint.id), {})
            delta = {k: v for k, v in wire.items() if shown.get(k) != v}
            delta.update({k: None for k in shown if k not in wire})
            patches = {k: v for k, v in self._row_patches.items() if k != datapoint.id}
            self._row_patches = {**patches, datapoint.id: delta} if delta else patches

    def _undo_last(self) -> Any:
        with self._lock:
            if not self._undo:
                raise ValueError("nothing to undo")
            last = self._undo.pop()
            self.can_undo = bool(self._undo)
        if isinstance(last, EditGroup):
            return self._undo_group(last)
        if not isinstance(last, tuple):  # a delete (curate.py): the datapoints made again
            return self._restore(last)  # type: ignore[attr-defined]
        datapoint_id, previous, updated = last
        return self._save(datapoint_id, previous, base=updated, undoable=False)

    def _undo_group(self, group: EditGroup) -> list[WriteHandle]:
        """Undo of a replace or a paste: every edit it made reverted, each through the write path (a row
        changed since is a conflict, as for any edit); the notice says how many were reverted."""
        n = len(group.entries)
        rows = f"{n} datapoint{'s' if n != 1 else ''}"
        self.notice = f"Undoing {group.what}: reverting {rows}…"
        handles = [self._save(i, previous, base=updated, undoable=False) for i, previous, updated in group.entries]
        settled: set[int] = set()

        def changed(handle: WriteHandle) -> None:
            if handle.state not in ("saved", "conflict", "failed"):
                return
            with self._lock:
                settled.add(id(handle))
                if len(settled) < len(handles):
                    return
                reverted = sum(h.state == "saved" for h in handles)
                said = (
                    f"Undid {group.what}: reverted {reverted} of {rows}"
                    if reverted < n
                    else f"Undid {group.what}: reverted {rows}"
                )
                if reverted < n:
                    said += f"; {n - reverted} could not be (see their rows)"
                self.notice = said + "."

        for handle in handles:
            handle.on_change(changed)
        return handles

    def _retry(self, datapoint_id: str) -> None:
        status = self.row_status.get(datapoint_id)
        if not status or "draft" not in status:
            raise ValueError("nothing to retry for this datapoint")
        if status["state"] == "retrying":  # still queued: try now rather than queue it twice
            self.source.client.outbox.retry_now()  # type: ignore[attr-defined]
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

    # --- staged, then saved as a new version ----------------------------------------------------

    def _stage(self, datapoint_id: str, fields: dict[str, Any]) -> None:
        with self._lock:
            self._refuse_while_saving_version("edit")
            self.staged = {**self.staged, datapoint_id: {**self.staged.get(datapoint_id, {}), **fields}}
            self._set_status(datapoint_id, state="staged", draft=self.staged[datapoint_id])
            if self.notice.startswith("Saved as version"):
                self.notice = ""  # new edits are staged: that version is no longer what the grid holds

    def _discard_staged(self) -> None:
        with self._lock:
            self._refuse_while_saving_version("discard the staged edits")
            self.row_status = {k: v for k, v in self.row_status.items() if k not in self.staged}
            self.staged = {}
            self._clear_version_changes()  # type: ignore[attr-defined]

    def _refuse_while_saving_version(self, what: str) -> None:
        handle = self._statuses.latest(VERSION)
        if handle is not None and not handle.done():
            raise ValueError(f"a new version is being saved; {what} once it is saved (or has failed)")

    def _save_version(self, make_active: bool) -> WriteHandle:
        """Queue the staged edits as the dataset's next version (a write on the write path: kept,
        retried, made at most once). The staged edits stay on screen until the version is saved."""
        with self._lock:
            added, removed = self._staged_added, self._staged_removed  # type: ignore[attr-defined]
            if not self.staged and not added and not removed:
                raise ValueError("no staged edits to save")
            self._refuse_while_saving_version("save again")
            assert self.dataset_id is not None
            handle: WriteHandle = self.source.queue_version(
                self.dataset_id, dict(self.staged), make_active=make_active, added=list(added), removed=list(removed)
            )
            self.error = self.notice = ""  # an earlier "Saved as version N" no longer speaks of what is on show
        return self._statuses.follow(VERSION, handle)

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
            self.staged = {}
            self.row_status = {}
            self._clear_version_changes()  # type: ignore[attr-defined]
            self._forget_pages()  # type: ignore[attr-defined]
            self.dataset_id = created.id
            self.version = info.version
            self.total = info.total
            # just made, so the newest; active if it was made so (else the agent's active one stays)
            self.version_standing = {"newest": info.version, "active": payload["make_active"]}
            if self.page_number > 1:
                notice += "; showing page 1 of the new version"
            self.notice = notice
            self._page = None
            self.page_number = 1
        self._navigate("first", wait=False)  # type: ignore[attr-defined]

    def _await_version(self, handle: WriteHandle, timeout: float) -> Any:
        created = outcome(handle, timeout, "Saving the new version")
        self._await_first_page()  # type: ignore[attr-defined]
        return created
