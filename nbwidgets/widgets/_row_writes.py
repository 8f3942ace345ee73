"""One dataset's row writes, shared by DatasetGrid and ExperimentReview: a row's fields saved at once
(save_mode "patch", orq) with conflicts, resolve and undo, or staged and saved as a new version
(save_mode "version", Overmind).

`RowWrites` asks the widget's `DatasetSource` (validate, queue_update, queue_version, save_mode) and
never the client's class; the widget keeps what is on screen and is told through a few callbacks: a
row's write state (`on_status`), the version write's (`on_version`), the service's row to show
(`on_replaced`), and that the undo list or the staged edits changed.

A saved edit is a write (client/writes.py): queued at once, followed through its handle, never waited
on by a pool thread. Its conflict base is what the widget last held of the row; the outbox knows its
own writes, so quick edits of one row chain instead of conflicting. A write carries its widget's origin,
so other widgets on the client can tell their own saves from this one's.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any

from ..client.datasets import DatasetSource
from ..client.writes import WriteHandle
from ._base import WriteStatuses

_UNSET: Any = object()
VERSION = "new version"  # the slot of the staged edits' version write (rows are slotted by datapoint id)


def _nothing(*_: Any) -> None:
    pass


@dataclass(frozen=True)
class Edit:
    """One saved (or staged) edit, for its undo: what the row held before, and against what to revert it."""

    datapoint_id: str
    previous: dict[str, Any]  # the fields as they were
    updated: Any = _UNSET  # the row's version once saved (the revert's conflict base); unset: as held then
    staged_before: dict[str, Any] | None = None  # save_mode "version": the row's staged edit before this one


@dataclass(eq=False)
class EditGroup:
    """The edits of one action (a replace, a paste into cells): one Undo takes all of them back.

    Each edit adds its undo entry once it is saved; once every edit has settled (saved, conflict or
    failed) and no more are coming (`sealed`), the group goes on the undo list it was started with
    (the dataset's, even if another one is open by then) as one step."""

    what: str  # "the replace", "the paste": what Undo says it took back
    undo: list[Any]
    entries: list[Edit] = field(default_factory=list)
    queued: int = 0
    settled: set[int] = field(default_factory=set)  # ids of the handles that have settled
    sealed: bool = False
    pushed: bool = False


class RowWrites:
    """The writes of one widget's rows. `dataset_id()` says which dataset is open now; `held(id)` is the
    row as the widget holds it (None: not loaded). The undo list may be swapped (`undo`), as the grid
    does to keep a dataset's history across grids."""

    def __init__(
        self,
        source: DatasetSource,
        dataset_id: Callable[[], str | None],
        origin: str,
        *,
        lock: threading.RLock,
        held: Callable[[str], Any],
        on_status: Callable[[str, dict[str, Any], WriteHandle | None], None],
        on_version: Callable[[dict[str, Any], WriteHandle], None],
        on_replaced: Callable[[Any], None],
        on_undo: Callable[[], None] = _nothing,
        on_staged: Callable[[], None] = _nothing,
        on_notice: Callable[[str], None] = _nothing,
        on_queued: Callable[[str], None] = _nothing,
        restore: Callable[[Any], Any] | None = None,
        batch: Callable[[], AbstractContextManager[Any]] = nullcontext,
    ) -> None:
        self.source = source
        self.dataset_id = dataset_id
        self.origin = origin
        self._lock = lock
        self._held = held
        self._on_status, self._on_version, self._on_replaced = on_status, on_version, on_replaced
        self._on_undo, self._on_staged, self._on_notice, self._on_queued = on_undo, on_staged, on_notice, on_queued
        self._restore = restore  # an undo entry of another kind (the grid's deletes)
        self._batch = batch  # one sync message for what a settled write changes
        self.undo: list[Any] = []  # Edits, EditGroups, and the host's own entries (restored by `restore`)
        self.conflicts: dict[str, Any] = {}  # datapoint id -> the service's row, after a conflict
        self.staged: dict[str, dict[str, Any]] = {}  # save_mode "version": datapoint id -> fields
        self.saved_edits: dict[str, dict[str, Any]] = {}  # staged edits in the versions saved so far
        self.saved_callbacks: list[Callable[[Any, Any], None]] = []  # (before, after) of each saved edit
        self.statuses = WriteStatuses(self._show)

    def _show(self, slot: str, status: dict[str, Any], handle: WriteHandle) -> None:
        if slot == VERSION:
            self._on_version(status, handle)
        else:
            self._on_status(slot, status, handle)

    # --- saved at once --------------------------------------------------------------------------

    def save(
        self,
        datapoint_id: str,
        fields: dict[str, Any],
        *,
        base: Any = _UNSET,
        force: bool = False,
        undoable: bool = True,
        group: EditGroup | None = None,
    ) -> WriteHandle:
        """Queue one edit of a row; its status follows the write. `base`: the version (`updated`) of the
        row the edit was started from (unset: the row as held now); `force`: no conflict check. A field
        the service would refuse is refused here (status "failed", ValueError)."""
        try:
            self.source.validate(fields)
        except ValueError as error:
            reason = str(error)
            refused = {"state": "failed", "message": reason, "reason": reason, "draft": fields, "fields": {}}
            self._on_status(datapoint_id, refused, None)
            raise
        dataset_id = self.dataset_id()
        assert dataset_id is not None
        self._on_queued(datapoint_id)
        if base is _UNSET:
            loaded = self._held(datapoint_id)  # not loaded (off the page): nothing seen to conflict with
            base = loaded.to_wire().get("updated") if loaded is not None else None
        handle: WriteHandle = self.source.queue_update(
            dataset_id, datapoint_id, fields, expected_updated=None if force else base, origin=self.origin
        )
        if group is not None:
            with self._lock:
                group.queued += 1
        handle.on_change(lambda h: self._settled(h, fields, undoable, group))
        return self.statuses.follow(datapoint_id, handle)

    def _settled(self, handle: WriteHandle, fields: dict[str, Any], undoable: bool, group: EditGroup | None) -> None:
        """What a finished edit changes besides its status: the row on screen, Undo, the callbacks."""
        datapoint_id = handle.write.payload["datapoint_id"]
        if handle.state == "conflict" and handle.current is not None:
            self.conflicts[datapoint_id] = handle.current
        if group is not None and handle.state in ("conflict", "failed"):
            with self._lock:
                group.settled.add(id(handle))
                self._group_settled(group)
        if handle.state != "saved":
            return
        saved, before = handle.value, handle.before  # before: the row as the write found it
        with self._lock, self._batch():  # one sync message: row and Undo
            self._on_replaced(saved)
            if undoable and before is not None:
                previous = {k: before.to_wire().get(k) for k in fields}
                entry = Edit(datapoint_id, previous, saved.to_wire().get("updated"))
                if group is None:
                    self.undo.append(entry)
                elif id(handle) not in group.settled:
                    group.entries.append(entry)
            if group is not None:
                group.settled.add(id(handle))
                self._group_settled(group)
            self._on_undo()
        for callback in self.saved_callbacks:
            callback(before, saved)

    def group(self, what: str) -> EditGroup:
        return EditGroup(what, self.undo)

    def seal(self, group: EditGroup) -> None:
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
        if group.undo is self.undo:
            self._on_undo()

    def resolve(self, datapoint_id: str, keep: str, draft: Any, *, conflicted: bool, undoable: bool = True) -> Any:
        """After a conflict (`conflicted`: the row shows one): keep "mine" (the draft saved over the
        service's row; its handle) or "theirs" (the service's row shown; None)."""
        server = self.conflicts.pop(datapoint_id, None)
        if not conflicted or server is None:
            raise ValueError(f"datapoint {datapoint_id} has no conflict to resolve")
        if keep == "mine":
            return self.save(datapoint_id, draft, force=True, undoable=undoable)
        if keep != "theirs":
            raise ValueError("keep must be 'mine' or 'theirs'")
        with self._lock:
            self._on_replaced(server)
        return None

    def retry(self, datapoint_id: str, status: dict[str, Any] | None) -> None:
        """A failed (or still retrying) edit of a row, shown with its draft, sent again."""
        if not status or "draft" not in status:
            raise ValueError("nothing to retry for this datapoint")
        if status["state"] == "retrying":  # still queued: try now rather than queue it twice
            self.source.client.outbox.retry_now()  # type: ignore[attr-defined]
        else:
            self.save(datapoint_id, status["draft"])

    # --- undo -----------------------------------------------------------------------------------

    def push_undo(self, entry: Any) -> None:
        with self._lock:
            self.undo.append(entry)
            self._on_undo()

    def take_undo(self, datapoint_id: str | None = None) -> Any:
        """The last undo entry (of that row, given its id), taken off the list; None when there is none."""
        with self._lock:
            found = [i for i, e in enumerate(self.undo) if datapoint_id in (None, getattr(e, "datapoint_id", None))]
            if not found:
                return None
            entry = self.undo.pop(found[-1])
            self._on_undo()
            return entry

    def forget_undo(self, datapoint_id: str) -> None:
        """A row's edits that never landed (theirs kept after a conflict): nothing of them to undo."""
        with self._lock:
            self.undo[:] = [e for e in self.undo if getattr(e, "datapoint_id", None) != datapoint_id]
            self._on_undo()

    def undo_last(self) -> Any:
        """The last step undone: an edit (its handle), a group (their handles), or the host's own entry."""
        last = self.take_undo()
        if last is None:
            raise ValueError("nothing to undo")
        if isinstance(last, EditGroup):
            return self._undo_group(last)
        if isinstance(last, Edit):
            return self.revert(last)
        assert self._restore is not None
        return self._restore(last)

    def revert(self, edit: Edit) -> WriteHandle | None:
        """An edit taken back through the same path: saved (a row changed since is a conflict, as for any
        edit), or, staged, its staged value put back (a value already in a saved version staged again)."""
        if self.source.save_mode != "version":
            return self.save(edit.datapoint_id, edit.previous, base=edit.updated, undoable=False)
        with self._lock:
            if edit.staged_before is not None:
                self.staged[edit.datapoint_id] = edit.staged_before
            elif edit.datapoint_id in self.saved_edits:
                self.staged[edit.datapoint_id] = edit.previous
            else:
                self.staged.pop(edit.datapoint_id, None)
            self._on_staged()
        return None

    def _undo_group(self, group: EditGroup) -> list[WriteHandle]:
        """Undo of a replace or a paste: every edit it made reverted, each through the write path (a row
        changed since is a conflict, as for any edit); the notice says how many were reverted."""
        n = len(group.entries)
        rows = f"{n} datapoint{'s' if n != 1 else ''}"
        self._on_notice(f"Undoing {group.what}: reverting {rows}…")
        handles = [self.save(e.datapoint_id, e.previous, base=e.updated, undoable=False) for e in group.entries]
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
                self._on_notice(said + ".")

        for handle in handles:
            handle.on_change(changed)
        return handles

    # --- staged, then saved as a new version ----------------------------------------------------

    def stage(self, datapoint_id: str, fields: dict[str, Any]) -> dict[str, Any]:
        """The fields staged on the row (with what was staged on it before); the row's whole staged edit."""
        with self._lock:
            self.staged[datapoint_id] = {**self.staged.get(datapoint_id, {}), **fields}
            self._on_staged()
            return self.staged[datapoint_id]

    def clear_staged(self) -> None:
        with self._lock:
            self.staged = {}
            self._on_staged()

    def saving_version(self) -> bool:
        handle = self.statuses.latest(VERSION)
        return handle is not None and not handle.done()

    def refuse_while_saving_version(self, what: str) -> None:
        if self.saving_version():
            raise ValueError(f"a new version is being saved; {what} once it is saved (or has failed)")

    def queue_version(
        self,
        make_active: bool,
        *,
        added: list[dict[str, Any]] | None = None,
        removed: list[str] | None = None,
        cumulative: bool = False,
    ) -> WriteHandle:
        """The staged edits queued as the dataset's next version (a write on the write path: kept, retried,
        made at most once); its state goes to `on_version`. `cumulative`: the versions saved before from
        this same dataset hold their edits too (a review that stays on the dataset it opened)."""
        with self._lock:
            self.refuse_while_saving_version("save again")
            dataset_id = self.dataset_id()
            assert dataset_id is not None
            edits = {**self.saved_edits, **self.staged} if cumulative else dict(self.staged)
            handle: WriteHandle = self.source.queue_version(
                dataset_id, edits, make_active=make_active, added=list(added or []), removed=list(removed or [])
            )
        return self.statuses.follow(VERSION, handle)  # outside our lock: it calls back

    def still_staged(self, payload: dict[str, Any]) -> list[str]:
        """The rows a version write saves that are still staged as it was queued (not edited since)."""
        return [key for key, fields in payload["edits"].items() if self.staged.get(key) == fields]

    def version_saved(self, payload: dict[str, Any]) -> list[str]:
        """The version is saved: the rows still staged as it was queued move to the saved edits."""
        with self._lock:
            rows = self.still_staged(payload)
            for key in rows:
                self.saved_edits[key] = self.staged.pop(key)
            self._on_staged()
            return rows
