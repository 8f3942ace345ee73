"""orq deployments: the listing (GET /v2/deployments) and an invocation's result (POST /v2/deployments/invoke).

Read tolerantly: only what a user needs is typed, the rest is kept as the service sent it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Deployment(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="allow")

    id: str
    key: str
    description: str = ""
    version: str | None = None
    created: str | None = None
    updated: str | None = None
    prompt_config: dict[str, Any] = Field(default_factory=dict)

    @property
    def model(self) -> str | None:
        model = self.prompt_config.get("model")
        return model if isinstance(model, str) else None


def _choice_text(choice: dict[str, Any]) -> str:
    message = choice.get("message") if isinstance(choice, dict) else None
    if not isinstance(message, dict):
        return ""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if message.get("type") == "image":
        return str(message.get("url") or "")
    return ""


class DeploymentInvocation(BaseModel):
    """What one invoke returned: the output text and the trace id feedback is given on.

    `choices` are kept raw (the service's message union is wide); `output` is the first choice's text.
    """

    model_config = ConfigDict(extra="allow")

    id: str = ""
    trace_id: str
    output: str
    model: str | None = None
    provider: str | None = None
    created: datetime | None = None
    finalized: datetime | None = None
    usage: dict[str, Any] | None = None
    choices: list[dict[str, Any]] = Field(default_factory=list)

    @property
    def latency_ms(self) -> float | None:
        """From `created` to `finalized`, when the service sent both."""
        if self.created is None or self.finalized is None:
            return None
        return (self.finalized - self.created).total_seconds() * 1000

    @classmethod
    def from_response(cls, body: dict[str, Any]) -> DeploymentInvocation:
        """Build from an invoke answer (`telemetry.trace_id`, `choices[].message`)."""
        raw_telemetry = body.get("telemetry")
        telemetry: dict[str, Any] = raw_telemetry if isinstance(raw_telemetry, dict) else {}
        choices = [c for c in body.get("choices") or [] if isinstance(c, dict)]
        return cls.model_validate(
            {
                **{k: v for k, v in body.items() if k not in ("telemetry", "choices")},
                "trace_id": telemetry.get("trace_id") or "",
                "span_id": telemetry.get("span_id"),
                "output": _choice_text(choices[0]) if choices else "",
                "choices": choices,
            }
        )
