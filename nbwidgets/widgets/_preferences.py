"""The preferences given in a review of variants: which variant is better on a row, recorded as feedback on
each variant's trace (`better` for the winner, `worse` for the others, `tie`, `both_bad`) on a feedback
property of the workspace, through the client's write path; the writes' states, and the undo list.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..client.writes import WriteHandle
from ..models import FeedbackControl, new_ulid
from ..models.feedback import FeedbackProperty, feedback_controls
from ._base import WriteStatuses
from ._capabilities import Feedback
from ._comparison import PREFERENCE_VALUES, told
from ._contract import GivenFeedback
from ._variant_engine import SEP

HOW_TO_DEFINE = (
    "define it in orq.ai (Feedback, add a property: key {key!r}, type single choice, values better, worse, tie, "
    "both_bad), or pass preference_property= the key of one you have"
)


@dataclass
class Preference:
    """The person's preference on one row and its writes (one feedback per variant's trace)."""

    choice: str
    ids: dict[str, tuple[str, str]] = field(default_factory=dict)  # variant -> (feedback id, trace id)
    states: dict[str, dict[str, Any]] = field(default_factory=dict)  # variant -> {state, message}

    def to_json(self) -> GivenFeedback:
        states = [s.get("state", "pending") for s in self.states.values()]
        state = next((s for s in ("failed", "retrying", "pending") if s in states), "sent")
        message = next((s.get("message", "") for s in self.states.values() if s.get("message")), "")
        return {"value": self.choice, "state": state, "message": message}


def preference_control(service: Feedback | None, key: str, dataset_service: str) -> tuple[FeedbackControl | None, str]:
    """The control of the preference property `key`, or None and why no preference can be given."""
    if not isinstance(key, str) or not key:
        raise ValueError(f"preference_property must be a feedback property's key, not {key!r}")
    if service is None:
        return None, (
            f"Preferences are orq.ai feedback: this is an {dataset_service.capitalize()} dataset, so none can be given."
        )
    prop = service.feedback_properties().get(key)
    if prop is None and service.is_sandbox:
        return None, (
            f"This workspace has no feedback property {key!r} to record preferences on: "
            + HOW_TO_DEFINE.format(key=key)
            + "."
        )
    if prop is None:  # orq lists no workspace properties: assume it, and say how to define it if refused
        prop = FeedbackProperty(key=key, type="single_choice", values=list(PREFERENCE_VALUES))
    if prop.type not in ("single_choice", "multiple_choice") or not set(PREFERENCE_VALUES) <= set(prop.values or ()):
        return None, (
            f"The feedback property {key!r} cannot record preferences: it must be a single choice with the values "
            "better, worse, tie and both_bad."
        )
    [control] = feedback_controls([key], {key: prop})
    return control, ""


class Preferences:
    """The preferences given on rows (`given`), the undo list (`undo`: (datapoint id, the choice replaced)),
    and their writes. `on_change()` after a write's state changed (under `lock`)."""

    def __init__(
        self,
        service: Feedback | None,
        control: FeedbackControl | None,
        *,
        product: str,
        lock: threading.RLock,
        on_change: Callable[[], None],
    ) -> None:
        self.service, self.control, self.product = service, control, product
        self._lock, self._on_change = lock, on_change
        self.given: dict[str, Preference] = {}
        self.undo: list[tuple[str, str | None]] = []
        self._statuses = WriteStatuses(self._show)

    def set(self, datapoint_id: str, choice: str, traces: dict[str, str]) -> list[tuple[str, str, str, str]]:
        """Record the choice (the caller holds the lock); returns the writes to queue: (variant, id, trace, value)."""
        current = self.given.get(datapoint_id)
        preference = Preference(choice)
        sends = []
        for name, trace_id in traces.items():
            known = current.ids.get(name) if current else None
            # one id per row, variant and trace: a change of mind replaces the value, a retry cannot add one
            feedback_id = known[0] if known and known[1] == trace_id else new_ulid()
            preference.ids[name] = (feedback_id, trace_id)
            preference.states[name] = {"state": "pending", "message": ""}
            sends.append((name, feedback_id, trace_id, told(choice, name)))
        self.given[datapoint_id] = preference
        return sends

    def send(self, datapoint_id: str, sends: list[tuple[str, str, str, str]]) -> None:
        control = self.control
        assert control is not None and self.service is not None  # else preference_off refused it
        for name, feedback_id, trace_id, value in sends:
            handle = self.service.queue_feedback(
                trace_id,
                control.property,
                control.wire(value),
                product=self.product,
                id=feedback_id,
            )
            self._statuses.follow(f"{datapoint_id}{SEP}{name}", handle)

    def remove(self, datapoint_id: str, removals: list[tuple[str, tuple[str, str]]]) -> None:
        """Take each variant's preference feedback back: (variant, (feedback id, trace id))."""
        assert self.service is not None  # else preference_off refused it
        for variant, (feedback_id, trace_id) in removals:
            handle = self.service.queue_feedback_removal(feedback_id, trace_id, product=self.product)
            self._statuses.follow(f"{datapoint_id}{SEP}{variant}{SEP}removal", handle)

    def _show(self, slot: str, status: dict[str, Any], handle: WriteHandle) -> None:
        parts = slot.split(SEP)
        datapoint_id, name = parts[0], parts[1]
        with self._lock:
            preference = self.given.get(datapoint_id)
            if preference is None or preference.ids.get(name, ("",))[0] != handle.write.key or len(parts) > 2:
                return  # an earlier trace's feedback, or a removal
            state = "sent" if status["state"] == "saved" else status["state"]
            message = status.get("message", "") if state != "pending" else ""
            assert self.service is not None and self.control is not None
            if state == "failed" and not self.service.is_sandbox and status.get("status") in (400, 404, 422):
                key = self.control.property
                message += f" If the workspace has no {key!r} property, " + HOW_TO_DEFINE.format(key=key) + "."
            preference.states[name] = {"state": state, "message": message}
            self._on_change()
