"""ExperimentReview's "Add to dataset": a row's input copied into another dataset (a regressions set, say)
with a chosen text as its expected output, through the dataset source's write path (made exactly once;
a versioned dataset's next version holds it), and the write's state shown on the row.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from ..client.datasets import DatasetSource
from ..client.writes import WriteHandle
from ._base import describe
from ._review_rows import Row


class Adding:
    """Copies of rows into other datasets. `on_change()` after a row's `added` status changed (under the
    lock), `on_notice(words)` once a copy is saved."""

    def __init__(
        self,
        source: DatasetSource,
        lock: threading.RLock,
        origin: str,
        *,
        on_change: Callable[[], None],
        on_notice: Callable[[str], None],
    ) -> None:
        self.source, self._lock, self._origin = source, lock, origin
        self._on_change, self._on_notice = on_change, on_notice
        self.targets: list[dict[str, Any]] = []  # the datasets a row may be added to: [{id, name}]

    def list_targets(self, open_dataset: str) -> list[dict[str, Any]]:
        """Every dataset but the open one, newest first."""
        self.targets = [t for t in self.source.every_dataset() if t["id"] != open_dataset]
        return self.targets

    def target_name(self, dataset_id: str) -> str:
        return next((t["name"] for t in self.targets if t["id"] == dataset_id), dataset_id)

    def add(self, row: Row, name: str, dataset_id: str, text: str, use: str) -> Any:
        """Queue the copy of `row` (called `name` in messages) with `text` as its expected output; the handle."""
        source = self.source
        with self._lock:
            body = {k: v for k, v in source.item_of(row.datapoint).items() if k != "expected_output"}
            item = source.new_item({**body, "expected_output": text}, name)
            row.added = {"state": "pending", "dataset": dataset_id, "use": use}
            self._on_change()
        if source.save_mode == "version":
            handle = source.queue_version(dataset_id, {}, make_active=False, added=[item])
            chunks = [handle]
        else:
            handle = source.queue_create(dataset_id, [item], origin=self._origin)
            chunks = handle.chunks

        def changed(_: WriteHandle) -> None:
            states = {h.state for h in chunks}
            failed = next((h for h in chunks if h.state in ("failed", "conflict")), None)
            with self._lock:
                if failed is not None:
                    row.added = {**row.added, "state": "failed", **describe(failed.error or RuntimeError("failed"))}
                elif states == {"saved"}:
                    row.added = {"state": "saved", "dataset": dataset_id, "use": use}
                    self._on_notice(f"{name} added to dataset {self.target_name(dataset_id)}")
                else:
                    retrying = next((h for h in chunks if h.error is not None), None)
                    shown: dict[str, Any] = {
                        "state": "retrying" if retrying else "pending",
                        "dataset": dataset_id,
                        "use": use,
                    }
                    if retrying is not None and retrying.error is not None:
                        shown.update(describe(retrying.error))
                    row.added = shown
                self._on_change()

        for chunk in chunks:
            chunk.on_change(changed)
        return handle
