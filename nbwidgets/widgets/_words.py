"""The words and enums the views are sent instead of typing them again: each is a trait whose default is the
value, so it reaches the view with the widget's first state (as the grid's `schema` does).

- `write_states` (the grid, the review): the write states' words and icons, which show a row's draft in its
  cells, which say why in a row of their own (js/shared/format.js reads them).
- `vocabulary` (the evaluator form): the evaluator's enums and defaults, from models/orq.py (js/form/draft.js);
  `suggested_models` the models its model fields suggest.
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

import traitlets

from ..models.orq import (
    EVALUATOR_MODES,
    NUMBER_OPERATORS,
    OUTPUT_TYPES,
    VERSION_INCREMENTS,
    JudgeRetry,
    Jury,
    NumberGuardrail,
)
from ._contract import plain

# --- the write states ------------------------------------------------------------------------------

WriteState = Literal["pending", "retrying", "saved", "failed", "conflict", "staged", "updated"]


class StateWord(TypedDict):
    icon: str  # decoration: the word is what is read
    word: str


class WriteStates(TypedDict):
    words: dict[str, StateWord]  # every state a row, a bar or a cell shows
    draft: list[str]  # a row in one of these shows its draft in its cells, not the stale original
    detail: list[str]  # a row in one of these says why (and what to do) in a row of its own under it


WRITE_STATES: WriteStates = {
    "words": {
        "pending": {"icon": "⟳", "word": "Saving"},
        "retrying": {"icon": "↻", "word": "Retrying"},
        "saved": {"icon": "✓", "word": "Saved"},
        "failed": {"icon": "✕", "word": "Not saved"},
        "conflict": {"icon": "⚠", "word": "Conflict"},
        "staged": {"icon": "●", "word": "Staged"},
        "updated": {"icon": "↓", "word": "Updated"},
    },
    "draft": ["pending", "retrying", "failed", "conflict"],
    "detail": ["retrying", "failed", "conflict"],
}
# Python's side of the same: a staged row keeps its draft too (its cells show it from `staged`)
DRAFT_STATES: tuple[str, ...] = (*WRITE_STATES["draft"], "staged")


def write_states_trait() -> traitlets.Dict[str, Any]:
    """The `write_states` trait of a widget whose view shows write states (the grid, the review)."""
    return traitlets.Dict(plain(WRITE_STATES)).tag(sync=True, shape=WriteStates)


# --- the evaluator form's enums and defaults -------------------------------------------------------


class JudgeDefaults(TypedDict):
    retry: dict[str, Any]  # JudgeRetry's defaults
    fallbacks: list[Any]


class JuryDefaults(TypedDict):
    min_successful_judges: int
    tie_value: str | None


class EvaluatorVocabulary(TypedDict):
    """`EvaluatorForm.vocabulary`: the choices the form offers and what a new part starts as."""

    output_types: list[str]
    operators: list[str]
    modes: list[str]
    version_increments: list[str]  # "none" first: save without a new version
    judge: JudgeDefaults  # a judge added to a jury
    jury: JuryDefaults  # a jury switched to
    categorical_labels: list[str]  # a categorical output's labels, when it has none
    guardrail: dict[str, Any]  # every guardrail's fields
    guardrails: dict[str, dict[str, Any]]  # per output type: its own fields (a string output has none)


def evaluator_vocabulary() -> EvaluatorVocabulary:
    fields = NumberGuardrail.model_fields
    return {
        "output_types": list(OUTPUT_TYPES),
        "operators": list(NUMBER_OPERATORS),
        "modes": list(EVALUATOR_MODES),
        "version_increments": ["none", *reversed(VERSION_INCREMENTS)],
        "judge": {"retry": JudgeRetry().model_dump(mode="json"), "fallbacks": []},
        "jury": {
            "min_successful_judges": Jury.model_fields["min_successful_judges"].default,
            "tie_value": Jury.model_fields["tie_value"].default,
        },
        "categorical_labels": ["pass", "fail"],
        "guardrail": {"enabled": fields["enabled"].default, "alert_on_failure": fields["alert_on_failure"].default},
        "guardrails": {"boolean": {"value": True}, "number": {"value": 0, "operator": "gte"}},
    }


# the models the form's model fields suggest (any other may be typed)
SUGGESTED_MODELS = [
    "openai/gpt-4o",
    "openai/gpt-4o-mini",
    "openai/gpt-4.1",
    "openai/o3-mini",
    "anthropic/claude-sonnet-4-5",
    "anthropic/claude-haiku-4-5",
    "google/gemini-2.5-pro",
    "google/gemini-2.5-flash",
    "mistral/mistral-large-latest",
]
