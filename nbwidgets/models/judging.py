"""What an evaluator answers when it is run (`POST /v3/evaluators/{id}/invoke`): orq-ai-sdk 4.17.13's
`EvaluationResult`, every field optional, unknown fields kept."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

RUN_STATUSES = ("passed", "condition_failed", "failed", "timed_out")


class EvaluatorResult(BaseModel):
    """One verdict. `value` is the evaluator's own (a bool, a score, a label, ...); `passed` is its guardrail's
    decision when it has one, else the grader's judgement; `status` says how the run ended."""

    model_config = ConfigDict(extra="allow", frozen=True)

    type: str | None = None
    value: Any = None
    passed: bool | None = None
    status: str | None = None
    explanation: str | None = None
    categories: list[str] | None = None
    confidence: float | None = None
    trace_id: str | None = None
    span_id: str | None = None
    evaluator_id: str | None = None

    @property
    def ran(self) -> bool:
        """The evaluator reached a verdict (it may still have failed the output): not failed or timed out."""
        return self.status not in ("failed", "timed_out")
