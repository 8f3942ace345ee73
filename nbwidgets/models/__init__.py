"""Pydantic models of the services' objects. Imports nothing else of nbwidgets."""

from .ids import is_ulid, is_uuid, new_ulid, new_uuid
from .orq import (
    EVALUATOR_KEY_PATTERN, FEEDBACK_PRODUCTS, TEMPLATE_VARIABLE, AssistantMessage, BooleanEvaluation, BooleanGuardrail,
    CategoricalGuardrail, CategoricalLabel, Dataset, DatasetMetadata, Datapoint, DatapointCreate,
    DatapointUpdate, DeveloperMessage, Evaluation, Evaluator, Fallback, Feedback, Guardrail, Judge, JudgeRetry,
    Jury, Message, NumberEvaluation, NumberGuardrail, StringArrayEvaluation, StringEvaluation, SystemMessage,
    ToolMessage, UserMessage, check_flat_inputs, evaluator_problems, message_text, template_variables,
)
from .overmind import Agent, OvermindDatapoint, OvermindDataset
from .page import Page

__all__ = [name for name in dir() if not name.startswith("_")]
