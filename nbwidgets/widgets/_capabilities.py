"""What a widget asks of its client beyond datasets (those it asks of `client.datasets()`), by capability:
running deployments, feedback on traces, evaluators. A client says which it offers (`Client.capabilities`);
these return the client as the small interface a widget uses, or None where the service has no such thing,
so no widget tests the client's class. A third service offers what its client lists.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, cast

from ..client import Client
from ..client.writes import WriteHandle
from ..models import Evaluator, EvaluatorResult, FeedbackProperty


class Deployments(Protocol):
    def invoke_deployment(
        self, key: str, *, inputs: dict[str, Any] | None = None, messages: list[dict[str, Any]] | None = None
    ) -> Any: ...


class Feedback(Protocol):
    is_sandbox: bool

    def feedback_properties(self) -> dict[str, FeedbackProperty]: ...

    def queue_feedback(
        self, trace_id: str, property: str, value: Any, *, product: str = "deployments", id: str | None = None
    ) -> WriteHandle: ...

    def queue_feedback_removal(self, id: str, trace_id: str, *, product: str = "deployments") -> WriteHandle: ...


class Evaluators(Protocol):
    label: str

    def resolve_evaluator(self, evaluator: str | Evaluator) -> Evaluator: ...

    def invoke_evaluator(self, evaluator: str | Evaluator, *, output: str, **graded: Any) -> EvaluatorResult: ...


def deployments(client: Client) -> Deployments | None:
    return cast(Deployments, client) if "deployments" in client.capabilities else None


def feedback(client: Client) -> Feedback | None:
    return cast(Feedback, client) if "feedback" in client.capabilities else None


def evaluators(client: Client) -> Evaluators | None:
    return cast(Evaluators, client) if "evaluators" in client.capabilities else None


def deployment_function(client: Client, key: str) -> Callable[[Any], Any]:
    """A generate function running the deployment `key` on a datapoint (its inputs and messages)."""
    service = deployments(client)
    if service is None:
        raise ValueError("deployment= runs an orq deployment: pass an orq client (or none, for the sandbox)")
    invoke = service.invoke_deployment

    def generate(datapoint: Any) -> Any:
        example = client.datasets().example(datapoint)
        return invoke(key, inputs=example["inputs"] or None, messages=example["messages"] or None)

    generate.__qualname__ = f"deployment {key}"
    return generate
