"""FeedbackButtons: thumbs, a score, a choice, several choices or a written correction on a generation.

A click shows at once as pending; the write goes to the client's outbox (stored first, delivered in
the background for every widget) and is retried until delivered; the status shown is the write's state.
Each widget's feedback carries one client-made id, so a retry or a change of mind replaces the value
instead of adding a record; Undo goes back to the value given before (Good after Bad), and removes the
first one given.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any, cast

import traitlets

from ..client import OrqClient
from ..client.writes import WriteHandle
from ..models import BUILTIN_FEEDBACK_PROPERTIES, FEEDBACK_PRODUCTS, FeedbackControl, FeedbackProperty, new_ulid
from ..models.feedback import FEEDBACK_KINDS
from ._base import STATIC, Widget, WriteStatuses


class FeedbackButtons(Widget):
    """Feedback on one generation (a trace), sent to orq's /v2/feedback.

    FeedbackButtons(trace_id=trace, kind="thumbs")
    FeedbackButtons(trace_id=trace, property="quality", kind="score", score_range=(1, 5))
    FeedbackButtons(trace_id=trace, property="issues", kind="choices", options=["too long", "wrong"])
    FeedbackButtons(trace_id=trace, property="correction", kind="correction", output=generated_text)

    The control and the value's shape on the wire follow the property (`FeedbackControl`): a property the
    client knows (orq's built-in ones; on the sandbox, its workspace's too) gives the kind, options and
    range when they are not passed, and refuses a control it cannot take; for one it cannot know, the
    control describes it (a choice is a single choice, sent as an array of one string).
    """

    _esm = STATIC / "feedback.js"
    _css = STATIC / "feedback.css"

    # configuration
    trace_id = traitlets.Unicode().tag(sync=True)
    feedback_property = traitlets.Unicode("rating").tag(sync=True)
    kind = traitlets.Enum(FEEDBACK_KINDS, default_value="thumbs").tag(sync=True)
    product = traitlets.Enum(FEEDBACK_PRODUCTS, default_value="deployments")  # Python's: where feedback goes
    options = traitlets.List(traitlets.Unicode()).tag(sync=True)
    score_min = traitlets.Float(1).tag(sync=True)
    score_max = traitlets.Float(5).tag(sync=True)
    score_step = traitlets.Float(1).tag(sync=True)
    output = traitlets.Unicode(None, allow_none=True).tag(sync=True)  # the generation; a correction starts from it
    input = traitlets.Unicode(None, allow_none=True).tag(sync=True)
    show_generation = traitlets.Bool(False).tag(sync=True)
    # state
    value = traitlets.Any(None).tag(sync=True)  # what the widget shows, and what the service will hold
    status = traitlets.Unicode("idle").tag(sync=True)  # idle | pending | sent | retrying | failed | removed
    message = traitlets.Unicode("").tag(sync=True)
    feedback_id = traitlets.Unicode(None, allow_none=True).tag(sync=True)
    can_undo = traitlets.Bool(False).tag(sync=True)  # an earlier value to go back to, or a feedback to remove

    def __init__(
        self,
        client: OrqClient | None = None,
        trace_id: str = "",
        property: str = "rating",
        kind: str | None = None,
        product: str = "deployments",
        options: Sequence[str] | None = None,
        output: str | None = None,
        *,
        input: str | None = None,
        score_range: tuple[float, float] | None = None,
        score_step: float | None = None,
        show_generation: bool | None = None,
    ) -> None:
        if not trace_id:
            raise ValueError("trace_id is required: the id returned by orq's invoke or get_config")
        for name, given in (("trace_id", trace_id), ("property", property), ("product", product)):
            if not isinstance(given, str):
                raise TypeError(f"{name} must be a str, not {type(given).__name__} ({given!r:.40})")
        for name, text in (("output", output), ("input", input)):
            if text is not None and not isinstance(text, str):
                raise TypeError(f"{name} must be a str (the text shown), not {type(text).__name__} ({text!r:.40})")
        super().__init__(
            client,
            flavour="orq",
            trace_id=trace_id,
            feedback_property=property,
            product=product,
            output=output,
            input=input,
            show_generation=bool(output or input) if show_generation is None else show_generation,
        )
        if "feedback" not in self._client.capabilities:  # what the client offers, not its class
            raise TypeError("feedback is an orq.ai API: pass an orq client (Client.orq() or Client.sandbox())")
        self.control = FeedbackControl.of(
            property,
            _defined(self.client, property),
            kind=kind,
            options=options,
            score_range=score_range,
            score_step=score_step,
        )
        self.kind, self.options = self.control.kind, list(self.control.options)
        self.score_min, self.score_max, self.score_step = (
            self.control.score_min,
            self.control.score_max,
            self.control.score_step,
        )
        self._guard = threading.RLock()
        self._statuses = WriteStatuses(self._show)
        self._earlier: list[Any] = []  # the values given before this one, newest last: what undo goes back to

    @property
    def client(self) -> OrqClient:
        return cast(OrqClient, self._client)  # checked in __init__

    # --- Python API -----------------------------------------------------------------------------

    def submit(self, value: Any) -> WriteHandle | None:
        """Give (or change) the feedback; returns the write's handle. The same value again sends nothing.
        A change of mind (Good, then Bad) is undone back to the earlier value."""
        try:
            value = self.validate(value)
        except (TypeError, ValueError) as error:  # the control's words, said of the argument
            raise type(error)(f"value {value!r:.40} is refused: {error}") from None
        with self._guard:
            if value == self.value and self.status in ("pending", "sent", "retrying"):
                return None  # a double click sends one feedback
            if self.value is not None:
                self._earlier.append(self.value)
            return self._give(value)

    def remove(self) -> WriteHandle | None:
        """Remove the feedback from the service (undo gives it back)."""
        with self._guard:
            if self.feedback_id is None:
                return None
            if self.value is not None:
                self._earlier.append(self.value)
            return self._take_back()

    def undo(self) -> WriteHandle | None:
        """Go back one step: the value given before this one (sent again, replacing it), or, for the first
        value given, its removal from the service."""
        with self._guard:
            if self._earlier:
                return self._give(self._earlier.pop())
            if self.feedback_id is None:
                return None
            return self._take_back()

    def _give(self, value: Any) -> WriteHandle:
        if self.feedback_id is None:
            self.feedback_id = new_ulid()
        self.value, self.status, self.message = value, "pending", ""
        self.can_undo = True
        wire = self.control.wire(value)
        handle = self.client.queue_feedback(
            self.trace_id, self.feedback_property, wire, product=self.product, id=self.feedback_id
        )
        return self._statuses.follow("feedback", handle)

    def _take_back(self) -> WriteHandle:
        assert self.feedback_id is not None
        handle = self.client.queue_feedback_removal(self.feedback_id, self.trace_id, product=self.product)
        # a later click starts a new feedback: the removed id is not reused
        self.feedback_id, self.value, self.status, self.message = None, None, "pending", "Removing…"
        self.can_undo = bool(self._earlier)
        return self._statuses.follow("feedback", handle)

    def flush(self, timeout: float | None = 30) -> bool:
        """Wait until this client's queued writes are delivered."""
        return self.client.outbox.flush(timeout)

    def validate(self, value: Any) -> Any:
        """The value as this control shows it, or a ValueError saying why the property does not take it."""
        return self.control.validate(value)

    # --- intents --------------------------------------------------------------------------------

    def intents(self) -> dict[str, Callable[[dict[str, Any]], Any]]:
        return {
            "submit": lambda m: self.submit(m["value"]) and None,
            "undo": lambda m: self.undo() and None,
            "remove": lambda m: self.remove() and None,
            "retry": lambda m: self.client.outbox.retry_now(),
        }

    def _show(self, slot: str, status: dict[str, Any], handle: WriteHandle) -> None:
        state = status["state"]
        label = {"saved": "sent" if handle.write.kind == "feedback.create" else "removed"}.get(state, state)
        if state == "pending":
            return  # already shown at the click, with its own words ("Removing…")
        self.status, self.message = label, status.get("message", "")


def review(
    client: OrqClient | None = None,
    trace_id: str = "",
    *,
    output: str,
    input: str | None = None,
    kind: str | None = None,
    property: str = "rating",
    **options: Any,
) -> FeedbackButtons:
    """A generation with its feedback buttons, for experiment loops: `display(review(client, trace, output=text))`.

    Every review shares the client's one outbox and one worker, so a hundred of them stay light."""
    return FeedbackButtons(
        client, trace_id, property=property, kind=kind, output=output, input=input, show_generation=True, **options
    )


def _defined(client: OrqClient, key: str) -> FeedbackProperty | None:
    """The property as the service defines it, when the client can know it (built-in first: no request)."""
    for prop in BUILTIN_FEEDBACK_PROPERTIES:
        if prop.key == key:
            return prop
    return client.feedback_properties().get(key) if client.is_sandbox else None
