"""ExperimentReview's "use as expected": a row's output written into its datapoint's expected output,
with undo, conflicts (keep mine or theirs) and, on a versioned dataset, staging and a new version.

The writes are the shared `RowWrites` (widgets/_row_writes.py, as the grid's edits): asked of the
dataset source, never of the client's class. Here is what the review shows of them: each row's
`expected` status ({state, value, message, replaced, undo, server_value}), the Undo button's label, the
staged count and the version write's state. Each version is the dataset the review opened plus every
output used as expected so far, so the newest version holds them all.
"""

from __future__ import annotations

import json
import threading
from typing import Any, Protocol

from ..client.datasets import DatasetSource
from ..client.writes import WriteHandle
from ._row_writes import Edit, RowWrites
from ._waiting import outcome


def _text(value: Any) -> str:
    """An output as text (a structured output as its JSON)."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)


def _kept(expected: dict[str, Any]) -> dict[str, Any]:
    """What a row's expected-output status carries from one state of its write to the next."""
    return {k: expected[k] for k in ("replaced", "undo") if k in expected}


class Review(Protocol):
    """What of the review the expected-output writes read and set."""

    dataset_id: str
    notice: str
    error: str
    staged_count: int
    version_save: dict[str, Any]
    can_undo: bool
    undo_label: str
    _lock: threading.RLock
    _origin: str
    _rows_by_id: dict[str, Any]

    def _row(self, datapoint_id: str) -> Any: ...
    def _row_name(self, datapoint_id: str) -> str: ...
    def _publish(self) -> None: ...
    def _replace(self, datapoint: Any) -> None: ...


class ExpectedOutputs:
    """The review's expected-output writes and what each row shows of them."""

    def __init__(self, review: Review, source: DatasetSource) -> None:
        self._review = review
        self.writes = RowWrites(
            source,
            lambda: review.dataset_id,
            review._origin,
            lock=review._lock,
            held=self._held,
            on_status=self._show,
            on_version=self._show_version,
            on_replaced=review._replace,
            on_undo=self._show_undo,
            on_staged=lambda: setattr(review, "staged_count", len(self.writes.staged)),
        )

    def _held(self, datapoint_id: str) -> Any:
        row = self._review._rows_by_id.get(datapoint_id)
        return row.datapoint if row is not None else None

    def use(self, datapoint_id: str, *, force: bool, undoable: bool) -> None:
        review, writes = self._review, self.writes
        with review._lock:
            row = review._row(datapoint_id)
            if row.generation is None or row.generation.state != "done":
                raise ValueError(f"datapoint {datapoint_id} has no output to use yet")
            output = row.generation.output
            text = _text(output)
            review.notice = ""  # an earlier notice ("Saved as version 3") no longer speaks of what is staged
            already = row.expected.get("state") in ("pending", "retrying", "saved", "staged") and not row.expected.get(
                "undo"
            )
            if not force and (
                text == _text(row.datapoint.expected_output) or (already and row.expected["value"] == text)
            ):
                review.notice = (
                    f"{review._row_name(datapoint_id)}: its output already is the expected output, nothing to save"
                    + (" (z or Undo restores the one it replaced)" if self._undo_of(datapoint_id) else "")
                )
                review._publish()
                return
            previous = row.datapoint.expected_output
            replaced = {"replaced": None if previous is None else _text(previous)}
            if writes.source.save_mode == "version":  # staged for a new version
                if undoable:
                    staged_before = writes.staged.get(datapoint_id)
                    writes.push_undo(Edit(datapoint_id, {"expected_output": previous}, staged_before=staged_before))
                row.expected = {"state": "staged", "value": text, **replaced}
                writes.stage(datapoint_id, {"expected_output": output})
                review._publish()
                return
            if undoable:
                writes.push_undo(Edit(datapoint_id, {"expected_output": previous}))
            row.expected = {"state": "pending", "value": text, **(replaced if undoable else _kept(row.expected))}
            review._publish()
        # the base: the row as loaded (a change saved since by anyone else is a conflict); `force`: none
        writes.save(datapoint_id, {"expected_output": text}, force=force, undoable=False)

    def undo(self, datapoint_id: str | None) -> None:
        review, writes = self._review, self.writes
        with review._lock:
            edit = writes.take_undo(datapoint_id)
            if edit is None:
                raise ValueError(
                    "nothing to undo: no output was used as expected"
                    + ("" if datapoint_id is None else f" on {review._row_name(datapoint_id)}")
                )
            row = review._row(edit.datapoint_id)
            name = review._row_name(edit.datapoint_id)
            previous = edit.previous["expected_output"]
            previous_text = None if previous is None else _text(previous)
            if writes.source.save_mode == "version":
                if edit.staged_before is not None:
                    row.expected = {"state": "staged", "value": _text(edit.staged_before["expected_output"])}
                elif edit.datapoint_id in writes.saved_edits:  # already in a saved version: stage the old value
                    row.expected = {"state": "staged", "value": previous_text or "", "undo": True}
                else:
                    row.expected = {}
                writes.revert(edit)
                review.notice = f"{name}: undone, the expected output is back to what it was"
                review._publish()
                return
            writes.conflicts.pop(edit.datapoint_id, None)
            row.expected = {"state": "pending", "value": previous_text, "undo": True}
            review.notice = f"{name}: restoring the expected output it had"
            review._publish()
        writes.revert(edit)  # against the row as loaded now

    def _undo_of(self, datapoint_id: str) -> bool:
        return any(edit.datapoint_id == datapoint_id for edit in self.writes.undo)

    def _show_undo(self) -> None:
        review, undo = self._review, self.writes.undo
        review.can_undo = bool(undo)
        review.undo_label = f"Undo use as expected ({review._row_name(undo[-1].datapoint_id)})" if undo else ""

    def resolve(self, datapoint_id: str, keep: str) -> None:
        review = self._review
        with review._lock:
            row = review._row(datapoint_id)
            conflicted = row.expected.get("state") == "conflict"
            draft = {"expected_output": row.expected.get("value")}
        if self.writes.resolve(datapoint_id, keep, draft, conflicted=conflicted, undoable=False) is not None:
            review.notice = ""  # mine: saved over theirs (its Undo is the use's own)
            return
        with review._lock:
            row.expected = {}
            self.writes.forget_undo(datapoint_id)  # that use never landed: nothing of it to undo
            review._publish()

    def save_version(self, make_active: bool, wait: bool, timeout: float) -> Any:
        review, writes = self._review, self.writes
        if writes.source.save_mode != "version":
            raise ValueError("save_version is for Overmind datasets; orq saves each expected output at once")
        with review._lock:
            if not writes.staged:
                raise ValueError("nothing staged: use an output as expected first")
            writes.refuse_while_saving_version("save again")
            review.error = ""
        handle = writes.queue_version(make_active, cumulative=True)
        return outcome(handle, timeout, "Saving the new version") if wait else handle

    def _show(self, datapoint_id: str, status: dict[str, Any], handle: WriteHandle | None) -> None:
        """A use's (or an undo's) write state onto its row; the saved row itself is in by now."""
        review = self._review
        message = status.get("message", "") if status["state"] != "pending" else ""
        with review._lock:
            row = review._rows_by_id.get(datapoint_id)
            if row is None:
                return
            shown: dict[str, Any] = {
                "state": status["state"],
                "value": row.expected.get("value"),
                "message": message,
                **_kept(row.expected),
            }
            if status["state"] == "conflict" and handle is not None and handle.current is not None:
                shown["server_value"] = handle.current.expected_output
            row.expected = shown
            restoring = f"{review._row_name(datapoint_id)}: restoring the expected output it had"
            if row.expected.get("undo") and review.notice == restoring and status["state"] != "pending":
                # the undo's write settled: the notice no longer says it is under way (the row says how it ended)
                review.notice = restoring.replace("restoring", "restored") if status["state"] == "saved" else ""
            review._publish()

    def _show_version(self, status: dict[str, Any], handle: WriteHandle) -> None:
        """The version write's state on the rows it saves (those still staged as it was queued)."""
        review, payload = self._review, handle.write.payload
        state, message = status["state"], status.get("message", "")
        with review._lock:
            for key in self.writes.still_staged(payload):
                value = _text(payload["edits"][key]["expected_output"])
                row = review._rows_by_id[key]
                row.expected = {
                    "state": "staged" if state == "failed" else state,
                    "value": value,
                    "message": message,
                    **_kept(row.expected),
                }
            if state == "saved":
                self.writes.version_saved(payload)
                review.notice = f"Saved as version {handle.value.version} ({handle.value.id})" + (
                    " and made active" if payload["make_active"] else ""
                )
            elif state == "failed":
                review.error = f"Saving the new version failed: {message} (the outputs stay staged)"
            review.version_save = {} if state in ("saved", "failed") else {"state": state, "message": message}
            review._publish()
