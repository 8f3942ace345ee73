"""orq.ai's deployments and the feedback given on their traces (`/v2/deployments`, `/v2/feedback`). A part
of `OrqClient` (orq.py)."""

from __future__ import annotations

from typing import Any

from ..models import Deployment, DeploymentInvocation, Feedback, FeedbackProperty, Page
from ..models.feedback import BUILTIN_FEEDBACK_PROPERTIES
from . import orq_writes
from .base import Client
from .cursor import read_page
from .writes import Write, WriteHandle


class OrqTraces(Client):
    """The deployment and feedback routes of `OrqClient`: `invoke_deployment`, `create_feedback`, ..."""

    # --- feedback -------------------------------------------------------------------------------

    def create_feedback(
        self, trace_id: str, property: str, value: Any, *, product: str = "deployments", id: str | None = None
    ) -> Feedback:
        """Send feedback. It carries a client-made ULID, so a retry cannot create it twice."""
        feedback = orq_writes.feedback(trace_id, property, value, product, id)
        answer = self._send("POST", "/v2/feedback", feedback, idempotent=True)
        return Feedback.model_validate(answer)

    def remove_feedback(self, id: str, trace_id: str, *, product: str = "deployments") -> None:
        self._send("POST", "/v2/feedback/remove", orq_writes.feedback_removal(id, trace_id, product), idempotent=True)

    # --- deployments ------------------------------------------------------------------------------

    def list_deployments(
        self, *, limit: int = 50, starting_after: str | None = None, ending_before: str | None = None
    ) -> Page[Deployment]:
        """The workspace's deployments (`GET /v2/deployments`; orq pages them 1..50 at a time)."""
        if not 1 <= limit <= 50:
            raise ValueError(f"limit must be between 1 and 50, not {limit}")
        where = {"starting_after": starting_after, "ending_before": ending_before}
        return read_page(self._get, "/v2/deployments", Deployment, limit=limit, **where)

    def invoke_deployment(
        self,
        key: str,
        *,
        inputs: dict[str, Any] | None = None,
        messages: list[dict[str, Any]] | None = None,
        context: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
        **options: Any,
    ) -> DeploymentInvocation:
        """Invoke a deployment (`POST /v2/deployments/invoke`): the output text and the trace id that
        feedback on this generation is given on. `options` are passed as is (`prefix_messages`,
        `identity`, `documents`, `extra_params`, ...); streaming is not offered here."""
        if not isinstance(key, str) or not key:
            raise ValueError("key: the deployment key is a non-empty string")
        if options.get("stream"):
            raise ValueError("stream: invoke_deployment returns the whole answer; streaming is not supported")
        body: dict[str, Any] = {"key": key}
        for name, value, kind in (
            ("inputs", inputs, dict),
            ("messages", messages, list),
            ("context", context, dict),
            ("metadata", metadata, dict),
        ):
            if value is None:
                continue
            if not isinstance(value, kind):
                raise TypeError(f"{name} must be a {kind.__name__}, not {type(value).__name__}")
            body[name] = value
        body.update({k: v for k, v in options.items() if v is not None})
        # An invoke is a generation: never sent twice blind (a retry would make a second trace).
        answer = self._send("POST", "/v2/deployments/invoke", body, idempotent=False)
        return DeploymentInvocation.from_response(answer)

    def feedback_properties(self) -> dict[str, FeedbackProperty]:
        """The feedback properties this workspace takes, by key.

        orq documents no route listing them: the built-in ones (rating, defects, interactions,
        correction) come from `nbwidgets.models.feedback`; against the sandbox its workspace-defined ones
        are added from its control route."""
        found = {p.key: p for p in BUILTIN_FEEDBACK_PROPERTIES}
        if self.is_sandbox:
            for item in self._get("/_sandbox/feedback-properties"):
                found.setdefault(item["key"], FeedbackProperty.model_validate(item))
        return found

    # --- writes through the outbox (see writes.py) ----------------------------------------------

    def queue_feedback(
        self, trace_id: str, property: str, value: Any, *, product: str = "deployments", id: str | None = None
    ) -> WriteHandle:
        """Queue feedback and send it in the background; returns the write's handle at once.
        The same `id` again replaces the value."""
        feedback = orq_writes.feedback(trace_id, property, value, product, id)
        return self.submit(Write("feedback.create", feedback["id"], feedback))

    def queue_feedback_removal(self, id: str, trace_id: str, *, product: str = "deployments") -> WriteHandle:
        return self.submit(Write("feedback.remove", id, orq_writes.feedback_removal(id, trace_id, product)))
