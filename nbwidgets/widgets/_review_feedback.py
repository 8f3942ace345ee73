"""ExperimentReview's feedback on rows: the controls of the feedback properties asked for (the one feedback
model, models/feedback.py: `feedback_controls`, each control's validator and wire shape), why rows take
none where the service has no feedback on traces, and each value given on a row's trace sent through the
client's write path, its write's state shown on the row.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..client import Client
from ..client.writes import WriteHandle
from ..models import BUILTIN_FEEDBACK_PROPERTIES, new_ulid
from ..models.feedback import feedback_controls
from . import _capabilities as capabilities
from ._base import WriteStatuses
from ._review_rows import NO_TRACE, Given, Row


class RowFeedback:
    """Feedback given on the rows' traces. `row(datapoint_id)` finds a row (or raises), `on_change()` after a
    row's feedback changed (under `lock`)."""

    def __init__(
        self,
        client: Client,
        spec: Sequence[str | Mapping[str, Any]],
        *,
        product: str,
        lock: threading.RLock,
        row: Callable[[str], Row],
        rows: Callable[[str], Row | None],
        on_change: Callable[[], None],
    ) -> None:
        self.service = capabilities.feedback(client)
        # without feedback on traces (Overmind) the built-in properties describe the controls, which stay off
        defined = (
            self.service.feedback_properties() if self.service else {p.key: p for p in BUILTIN_FEEDBACK_PROPERTIES}
        )
        self.controls = {control.property: control for control in feedback_controls(spec, defined)}
        self.off = (
            ""
            if self.service is not None
            else f"Feedback is an orq.ai API: this is an {client.datasets().service.capitalize()} dataset, "
            "so rows take no feedback."
        )
        self.product = product
        self._lock, self._row, self._rows, self._on_change = lock, row, rows, on_change
        self._statuses = WriteStatuses(self._show)  # each row's latest feedback write per property

    def give(self, datapoint_id: str, property: str, value: Any) -> None:
        """Give (or change) feedback on a row's trace. The same value again sends nothing."""
        if self.off:
            raise ValueError(self.off)
        kind = self.controls.get(property)
        if kind is None:
            raise ValueError(f"property: {property!r} is not one of this review's ({', '.join(self.controls)})")
        value = kind.validate(value)
        with self._lock:
            row = self._row(datapoint_id)
            trace_id = row.generation.trace_id if row.generation and row.generation.state == "done" else None
            if trace_id is None:
                raise ValueError(f"datapoint {datapoint_id}: {NO_TRACE}")
            given = row.feedback.get(property)
            if given is not None and given.value == value and given.state != "failed":
                return  # a double press sends one feedback
            # one id per row, property and trace: a change of mind replaces the value, a retry cannot add one
            if given is None or given.trace_id != trace_id:
                given = Given(value, new_ulid(), trace_id)
            given.value, given.state, given.message = value, "pending", ""
            row.feedback[property] = given
            self._on_change()
        assert self.service is not None  # else `off` refused it
        handle = self.service.queue_feedback(trace_id, property, kind.wire(value), product=self.product, id=given.id)
        self._statuses.follow(f"{datapoint_id} feedback:{property}", handle)  # outside our lock: it calls back

    def _show(self, slot: str, status: dict[str, Any], handle: WriteHandle) -> None:
        """A feedback write's state onto its row ("<datapoint id> feedback:<property>")."""
        datapoint_id, what = slot.split(" ", 1)
        with self._lock:
            row = self._rows(datapoint_id)
            given = row.feedback.get(what.removeprefix("feedback:")) if row is not None else None
            if given is None or given.id != handle.write.key:
                return  # feedback on an earlier trace of this row (before a re-run)
            given.state = "sent" if status["state"] == "saved" else status["state"]
            given.message = status.get("message", "") if status["state"] != "pending" else ""
            self._on_change()
