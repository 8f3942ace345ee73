"""The grid's edits: saved at once through the outbox (save_mode "patch", orq) with undo and conflict
resolution, or staged and saved as a new version (save_mode "version", Overmind).

Moved here as it was in the single-module grid; the write path (issue 10) rebuilds it.
"""

from __future__ import annotations

import concurrent.futures
import threading
from collections.abc import Callable
from typing import Any

from ...client import ConflictError
from ...client.datasets import DatasetSource
from ...models import Datapoint, Page
from .._base import describe, run_in_background

_UNSET: Any = object()


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
    total: int | None
    page_number: int
    _page: Page[Any] | None
    _page_rows: list[dict[str, Any]]
    _row_patches: dict[str, Any]
    _lock: threading.RLock
    _loaded_pages: Callable[[], list[Page[Any]]]

    def _init_edits(self) -> None:
        self._undo: list[tuple[str, dict[str, Any], Any]] = []
        self._conflicts: dict[str, Any] = {}
        self._edit_callbacks: list[Callable[[Any, Any], None]] = []

    def _edit_fields(self, datapoint_id: str, fields: dict[str, Any]) -> concurrent.futures.Future[Any] | None:
        """One edit from the Python API or the front end: staged, or saved at once."""
        fields = self.source.fields(fields)
        if self.source.save_mode == "version":
            self._stage(datapoint_id, fields)
            return None
        return self._save(datapoint_id, fields)

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
        base_updated: Any = _UNSET,
        force: bool = False,
        undoable: bool = True,
    ) -> concurrent.futures.Future[Any]:
        try:
            self.source.validate(fields)
        except ValueError as error:
            reason = str(error)
            self._set_status(datapoint_id, state="failed", message=reason, reason=reason, draft=fields, fields={})
            raise
        self._set_status(datapoint_id, state="pending", draft=fields)
        return run_in_background(self._save_worker, datapoint_id, fields, base_updated, force, undoable)

    def _save_worker(
        self, datapoint_id: str, fields: dict[str, Any], base_updated: Any, force: bool, undoable: bool
    ) -> Datapoint | None:
        """Send one save through the client's outbox (durable, retried until delivered) and track it."""
        assert self.dataset_id is not None
        try:
            before = self._find(datapoint_id) or self.source.get_datapoint(self.dataset_id, datapoint_id)
            expected = before.to_wire().get("updated") if base_updated is _UNSET else base_updated
            ticket = self.source.queue_update(
                self.dataset_id, datapoint_id, fields, expected_updated=None if force else expected
            )
        except Exception as error:
            self._set_status(datapoint_id, state="failed", draft=fields, **describe(error))
            raise

        def on_event(event: str, data: dict[str, Any]) -> None:
            if event == "retrying":  # not lost: shown, and tried again in the background
                self._set_status(
                    datapoint_id, state="retrying", draft=fields, attempts=data["attempts"], **describe(data["error"])
                )

        ticket.on_event(on_event)
        try:
            saved: Datapoint = ticket.result()
        except ConflictError as error:
            server = Datapoint.model_validate(error.body)
            self._conflicts[datapoint_id] = server
            self._set_status(
                datapoint_id,
                state="conflict",
                draft=fields,
                message=error.message,
                server={k: server.to_wire().get(k) for k in fields},
                server_updated=server.to_wire().get("updated"),
            )
            return None
        except Exception as error:  # refused by the service: final, the draft stays for the user
            self._set_status(datapoint_id, state="failed", draft=fields, **describe(error))
            raise
        with self._lock, self.hold_sync():  # type: ignore[attr-defined]  # one sync message: row, status, Undo
            self._replace_row(saved)
            if undoable:
                self._undo.append(
                    (datapoint_id, {k: before.to_wire().get(k) for k in fields}, saved.to_wire().get("updated"))
                )
            self.can_undo = bool(self._undo)
            self._set_status(datapoint_id, state="saved", updated=saved.to_wire().get("updated"))
        for callback in self._edit_callbacks:
            callback(before, saved)
        return saved

    def _replace_row(self, datapoint: Any) -> None:
        for page in self._loaded_pages():
            for index, dp in enumerate(page.items):
                if dp.id == datapoint.id:
                    page.items[index] = datapoint
        if self._page is not None and any(dp.id == datapoint.id for dp in self._page.items):
            # only what changed: the fields written and the server's bookkeeping
            wire = self.source.row(datapoint)
            shown = next((r for r in self._page_rows if r.get("id") == datapoint.id), {})
            delta = {k: v for k, v in wire.items() if shown.get(k) != v}
            self._row_patches = {
                **self._row_patches,
                datapoint.id: {**self._row_patches.get(datapoint.id, {}), **delta},
            }

    def _undo_last(self) -> concurrent.futures.Future[Any]:
        with self._lock:
            if not self._undo:
                raise ValueError("nothing to undo")
            datapoint_id, previous, updated = self._undo.pop()
            self.can_undo = bool(self._undo)
        return self._save(datapoint_id, previous, base_updated=updated, undoable=False)

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

    def _save_version_worker(self, make_active: bool) -> Any:
        if not self.staged:
            raise ValueError("no staged edits to save")
        assert self.dataset_id is not None
        self.loading = True
        try:
            created = self.source.save_version(self.dataset_id, dict(self.staged), make_active=make_active)
        except Exception as error:
            self.loading = False
            self.error = "Saving the new version failed: " + describe(error)["message"]
            raise
        info = self.source.version_of(created)
        number = self.page_number
        with self._lock, self.hold_sync():  # type: ignore[attr-defined]
            self.staged = {}
            self.row_status = {}
            self._forget_pages()  # type: ignore[attr-defined]
            self.dataset_id = created.id
            self.version = info.version
            self.total = info.total
            self.notice = f"Saved as version {info.version}" + (" (active)" if make_active else "")
            self._page = None
        self.page_number = 1
        self._navigate("first", wait=True)  # type: ignore[attr-defined]
        if number > 1:
            self.notice += "; showing page 1 of the new version"
        return created
