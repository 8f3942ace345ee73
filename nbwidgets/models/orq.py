"""orq.ai v2 objects, as the API pages and the OpenAPI contract describe them.

Models accept unknown fields (the service adds fields over time) and keep them, so nothing a user
loads is dropped when it is written back.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

EVALUATOR_KEY_PATTERN = re.compile(r"^[a-zA-Z0-9]([a-zA-Z0-9_-]*[a-zA-Z0-9])?$")
TEMPLATE_VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][\w.]*)\s*\}\}")

FeedbackProduct = Literal[
    "remoteconfigs",
    "deployments",
    "experiments",
    "playgrounds",
    "spreadsheets",
    "spreadsheet_run",
    "llm_evaluator",
    "knowledge",
    "router",
    "workflows",
    "external_events",
    "agents",
    "memory-stores",
    "generic",
    "evaluators",
    "otel",
    "ai-chat",
    "mcp_gateway",
]
FEEDBACK_PRODUCTS: tuple[str, ...] = FeedbackProduct.__args__  # type: ignore[attr-defined]

OutputType = Literal["boolean", "categorical", "number", "string"]
NumberOperator = Literal["eq", "ne", "gt", "gte", "lt", "lte"]
VersionIncrement = Literal["major", "minor", "patch"]
EvaluatorMode = Literal["single", "jury"]
# the same words as tuples: the evaluator form is sent these (widgets/_contract.py), its front end types none
OUTPUT_TYPES: tuple[str, ...] = get_args(OutputType)
NUMBER_OPERATORS: tuple[str, ...] = get_args(NumberOperator)
VERSION_INCREMENTS: tuple[str, ...] = get_args(VersionIncrement)
EVALUATOR_MODES: tuple[str, ...] = get_args(EvaluatorMode)


class OrqModel(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="allow")

    def to_wire(self) -> dict[str, Any]:
        """The JSON the service expects: aliases (`_id`), no unset fields."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)


# --- datasets ------------------------------------------------------------------------------------


class DatasetMetadata(OrqModel):
    total_versions: int = 1
    datapoints_count: int = 0


class Dataset(OrqModel):
    id: str = Field(alias="_id")
    display_name: str
    project_id: str | None = None
    workspace_id: str | None = None
    metadata: DatasetMetadata = Field(default_factory=DatasetMetadata)
    created_by_id: str | None = None
    updated_by_id: str | None = None
    created: datetime | None = None
    updated: datetime | None = None


# --- chat messages (a union on `role`) -----------------------------------------------------------


def _content_parts(allowed: tuple[str, ...]) -> Any:
    """A validator for `content`: a string, or a non-empty array of parts whose types are `allowed`
    (the spec's request schemas: system and developer take text parts only, and `minItems: 1`)."""

    def check(value: Any) -> Any:
        if value is None or isinstance(value, str):
            return value
        if not value:
            raise ValueError("content is a string or a non-empty array of parts")
        for index, part in enumerate(value):
            kind = part.get("type")
            if kind not in allowed:
                raise ValueError(f"content part {index} has type {kind!r}; this role takes {', '.join(allowed)}")
            if kind == "text" and not isinstance(part.get("text"), str):
                raise ValueError(f"content part {index} is a text part without a text string")
        return value

    return field_validator("content")(lambda cls, value: check(value))


class _Message(OrqModel):
    name: str | None = None


class SystemMessage(_Message):
    role: Literal["system"] = "system"
    content: str | list[dict[str, Any]]

    _parts = _content_parts(("text",))


class DeveloperMessage(_Message):
    role: Literal["developer"] = "developer"
    content: str | list[dict[str, Any]]

    _parts = _content_parts(("text",))


class UserMessage(_Message):
    role: Literal["user"] = "user"
    content: str | list[dict[str, Any]]

    _parts = _content_parts(("text", "image_url", "input_audio", "file"))


class AssistantMessage(_Message):
    role: Literal["assistant"] = "assistant"
    content: str | list[dict[str, Any]] | None = None
    refusal: str | None = None
    reasoning_content: str | None = None
    audio: dict[str, Any] | None = None
    tool_calls: list[dict[str, Any]] | None = None

    _parts = _content_parts(("text", "refusal", "reasoning", "redacted_reasoning"))


class ToolMessage(OrqModel):
    role: Literal["tool"] = "tool"
    content: str | list[dict[str, Any]]
    tool_call_id: str
    cache_control: dict[str, Any] | None = None

    _parts = _content_parts(("text",))


Message = Annotated[
    SystemMessage | DeveloperMessage | UserMessage | AssistantMessage | ToolMessage,
    Field(discriminator="role"),
]


def message_text(message: BaseModel | dict[str, Any]) -> str:
    """The readable text of a message, whatever its content shape; one the models do not know (kept raw)
    is shown as its JSON."""
    if isinstance(message, dict):
        return json.dumps(message, ensure_ascii=False)
    content = getattr(message, "content", None)
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    parts = []
    for part in content:
        if part.get("type") == "text":
            parts.append(str(part.get("text", "")))
        else:
            parts.append(f"[{part.get('type', 'part')}]")
    return "\n".join(parts)


# --- human-review evaluations (a union on `type`) ------------------------------------------------


class _Evaluation(OrqModel):
    id: str
    evaluation_type: Literal["human_review"] = "human_review"
    human_review_id: str | None = None
    source: Literal["orq", "external"] = "orq"
    reviewed_by_id: str
    reviewed_at: datetime | None = None
    annotator: dict[str, Any] | None = None
    explanation: str | None = None


class StringEvaluation(_Evaluation):
    type: Literal["string"] = "string"
    value: str


class NumberEvaluation(_Evaluation):
    type: Literal["number"] = "number"
    value: float


class BooleanEvaluation(_Evaluation):
    type: Literal["boolean"] = "boolean"
    value: bool


class StringArrayEvaluation(_Evaluation):
    type: Literal["string_array"] = "string_array"
    values: list[str]


Evaluation = Annotated[
    StringEvaluation | NumberEvaluation | BooleanEvaluation | StringArrayEvaluation,
    Field(discriminator="type"),
]


# --- datapoints ----------------------------------------------------------------------------------


def check_flat_inputs(inputs: dict[str, Any]) -> dict[str, Any]:
    """orq inputs are a flat map of scalars: nested objects and arrays are refused by the API."""
    for key, value in inputs.items():
        if not isinstance(value, (str, int, float, bool)) and value is not None:
            raise ValueError(f"input {key!r} must be a string, number, boolean or null, not {type(value).__name__}")
    return inputs


# Reading is tolerant: a message or an evaluation the models do not know (a new role, an unknown content
# part, a new evaluation type, a missing field) is kept as the raw JSON it came as, so one unexpected
# item never breaks a page, and it is written back unchanged. Writing (DatapointUpdate) stays strict.
RawItem = dict[str, Any]
ReadMessage = Annotated[Message | RawItem, Field(union_mode="left_to_right")]
ReadEvaluation = Annotated[Evaluation | RawItem, Field(union_mode="left_to_right")]


class Datapoint(OrqModel):
    id: str = Field(alias="_id")
    workspace_id: str | None = None
    dataset_id: str
    inputs: dict[str, Any] = Field(default_factory=dict)
    messages: list[ReadMessage] = Field(default_factory=list)
    expected_output: str | None = None
    evaluations: list[ReadEvaluation] = Field(default_factory=list)
    snapshot_version: str | None = None
    created_by_id: str | None = None
    updated_by_id: str | None = None
    created: datetime | None = None
    updated: datetime | None = None


class DatapointUpdate(OrqModel):
    """The body of PATCH .../datapoints/{id}: only the fields that are set are sent."""

    model_config = ConfigDict(extra="forbid")

    inputs: dict[str, Any] | None = None
    messages: list[Message] | None = None
    expected_output: str | None = None

    _flat = field_validator("inputs")(lambda cls, v: v if v is None else check_flat_inputs(v))


class DatapointCreate(DatapointUpdate):
    pass


# --- evaluators ----------------------------------------------------------------------------------


class _Guardrail(OrqModel):
    enabled: bool = True
    alert_on_failure: bool = False


class BooleanGuardrail(_Guardrail):
    type: Literal["boolean"] = "boolean"
    value: bool


class CategoricalGuardrail(_Guardrail):
    type: Literal["categorical"] = "categorical"
    values: list[str]


class NumberGuardrail(_Guardrail):
    type: Literal["number"] = "number"
    value: float
    operator: NumberOperator


Guardrail = Annotated[BooleanGuardrail | CategoricalGuardrail | NumberGuardrail, Field(discriminator="type")]


class JudgeRetry(OrqModel):
    count: int = Field(default=2, ge=1, le=5)
    on_codes: list[int] = Field(default_factory=lambda: [429, 500, 502, 503, 504])


def _model_id(value: Any) -> Any:
    # GET /v2/evaluators/{id} returns models as objects {id, integration_id, model_parameters};
    # list/create/update use plain strings. Users see the string.
    if isinstance(value, dict) and "id" in value:
        return value["id"]
    return value


class Fallback(OrqModel):
    model: str

    _flatten = field_validator("model", mode="before")(lambda cls, v: _model_id(v))


class Judge(OrqModel):
    model: str
    retry: JudgeRetry | None = None
    fallbacks: list[Fallback] = Field(default_factory=list)

    _flatten = field_validator("model", mode="before")(lambda cls, v: _model_id(v))


class Jury(OrqModel):
    judges: list[Judge] = Field(min_length=2)
    replacement_judges: list[Judge] = Field(default_factory=list)
    min_successful_judges: int = Field(default=2, ge=2)
    tie_value: str | None = "Tie"

    @model_validator(mode="after")
    def _enough_judges(self) -> Jury:
        if self.min_successful_judges > len(self.judges):
            raise ValueError(
                f"min_successful_judges ({self.min_successful_judges}) exceeds "
                f"the number of judges ({len(self.judges)})"
            )
        return self


class CategoricalLabel(OrqModel):
    value: str
    description: str | None = None


class Evaluator(OrqModel):
    """An LLM evaluator. One model for the user whatever route it came from (see `from_wire`)."""

    id: str | None = Field(default=None, alias="_id")
    type: Literal["llm_eval"] = "llm_eval"
    key: str
    description: str = ""
    prompt: str = ""
    mode: EvaluatorMode = "single"
    model: str | None = None
    output_type: OutputType | None = None  # absent in the seed's answer shape: unknown, not boolean
    repetitions: int | None = Field(default=None, ge=1, le=3)
    guardrail_config: Guardrail | None = None
    categorical_labels: list[CategoricalLabel] | None = None
    categories: list[str] | None = None
    jury: Jury | None = None
    path: str | None = None
    project_id: str | None = None
    dataset_id: str | None = None
    display_name: str | None = None
    created: datetime | None = None
    updated: datetime | None = None

    _flatten = field_validator("model", mode="before")(lambda cls, v: _model_id(v))

    @field_validator("key")
    @classmethod
    def _key_pattern(cls, value: str) -> str:
        if not EVALUATOR_KEY_PATTERN.match(value):
            raise ValueError(
                "key must start and end with a letter or digit and contain only letters, digits, '_' and '-'"
            )
        return value

    @model_validator(mode="after")
    def _mode_parts(self) -> Evaluator:
        if self.mode == "jury" and self.jury is None:
            raise ValueError("a jury evaluator needs a jury with at least two judges")
        if self.mode == "single" and not self.model:
            raise ValueError("a single-judge evaluator needs a model")
        return self

    @property
    def variables(self) -> list[str]:
        """The `{{variables}}` the prompt uses, in order of first use."""
        return template_variables(self.prompt)


def template_variables(prompt: str) -> list[str]:
    """The `{{variables}}` a prompt uses, in order of first use."""
    return list(dict.fromkeys(TEMPLATE_VARIABLE.findall(prompt)))


# Evaluator fields the spec types without null (categories, categorical_labels, dataset_id and guardrail_config
# are nullable): null would silently drop them, so it is refused.
EVALUATOR_NOT_NULLABLE = (
    "type",
    "path",
    "project_id",
    "key",
    "description",
    "prompt",
    "output_type",
    "repetitions",
    "mode",
    "model",
)

EVALUATOR_WRITABLE_FIELDS = (
    "key",
    "description",
    "prompt",
    "mode",
    "model",
    "output_type",
    "repetitions",
    "guardrail_config",
    "categorical_labels",
    "categories",
    "jury",
    "path",
    "project_id",
    "dataset_id",
)


# --- feedback ------------------------------------------------------------------------------------

FeedbackValue = str | float | list[str]


class Feedback(OrqModel):
    property: str = Field(min_length=1)
    value: FeedbackValue
    trace_id: str = Field(min_length=1)
    id: str | None = None
    product: FeedbackProduct = "deployments"

    @field_validator("value", mode="before")
    @classmethod
    def _no_bool(cls, value: Any) -> Any:
        # bool is an int in Python; the API takes strings, numbers or lists of strings only.
        if isinstance(value, bool):
            raise ValueError("feedback value must be a string, a number or a list of strings")
        return value


def evaluator_problems(data: dict[str, Any], *, creating: bool = False) -> dict[str, str]:
    """Everything the API would refuse in an evaluator, as {field path: message} (empty when valid).

    Paths are dotted (`jury.judges.1.retry.count`), so each problem can be shown on its own field.
    The sandbox answers with the same rules, so the form and the "server" agree.
    """
    problems: dict[str, str] = {}
    body = {k: v for k, v in data.items() if not k.startswith("version")}
    single = body.get("mode", "single") == "single"
    if single:
        body.pop("jury", None)  # kept by the form for switching back; not part of a single judge
    if creating and not body.get("path") and not body.get("project_id"):
        problems["path"] = "a path is required (project/folder/...)"
    if not str(body.get("prompt") or "").strip():
        problems["prompt"] = "the prompt is empty"
    jury = body.get("jury")
    judges = jury.get("judges") if isinstance(jury, dict) and not single else None
    if not single and (not isinstance(judges, list) or len(judges) < 2):
        problems["jury.judges"] = "a jury needs at least two judges"
    if single and not str(body.get("model") or "").strip():  # said even when another field is refused
        problems["model"] = "a model is required"
    try:
        evaluator = Evaluator.model_validate(body)
    except Exception as error:  # pydantic's ValidationError: one entry per refused field
        for item in getattr(error, "errors", lambda: [])():
            loc = [str(p) for p in item["loc"] if not str(p).startswith(("function-", "tagged-union"))]
            path = ".".join(loc[:1] + [p for p in loc[1:] if p not in ("boolean", "categorical", "number")])
            message = item["msg"].removeprefix("Value error, ")
            if "min_successful_judges" in message:  # a model-level rule: say it on its field
                path = "jury.min_successful_judges"
            elif not path:
                path = "model" if "needs a model" in message else "jury.judges" if "jury" in message else "form"
            problems.setdefault(path, message)
        return problems
    problems.update(_label_problems(evaluator))
    if evaluator.jury is not None and not single:
        problems.update(_jury_problems(evaluator.jury))
    return problems


def _label_problems(evaluator: Evaluator) -> dict[str, str]:
    """What is wrong with a valid evaluator's labels and guardrail, by field path."""
    problems: dict[str, str] = {}
    labels = [label.value for label in evaluator.categorical_labels or []]
    if evaluator.output_type == "categorical":
        if len(labels) < 2:
            problems["categorical_labels"] = "a categorical evaluator needs at least two labels"
        elif len(set(labels)) != len(labels) or not all(label.strip() for label in labels):
            problems["categorical_labels"] = "labels must be non-empty and different"
    guardrail = evaluator.guardrail_config
    if guardrail is None:
        return problems
    if evaluator.output_type == "string":
        problems["guardrail_config.type"] = "a string output cannot have a guardrail"
    elif evaluator.output_type is not None and guardrail.type != evaluator.output_type:
        problems["guardrail_config.type"] = (
            f"a {guardrail.type} guardrail does not fit a {evaluator.output_type} output"
        )
    elif guardrail.type == "categorical":
        if not guardrail.values:
            problems["guardrail_config.values"] = "choose at least one passing label"
        elif labels and not set(guardrail.values) <= set(labels):
            problems["guardrail_config.values"] = "passing values must be among the labels"
    return problems


def _jury_problems(jury: Jury) -> dict[str, str]:
    """What is wrong with a valid jury's judges (and replacement judges), by field path."""
    problems: dict[str, str] = {}
    for group in ("judges", "replacement_judges"):
        for index, judge in enumerate(getattr(jury, group)):
            if not judge.model.strip():
                problems[f"jury.{group}.{index}.model"] = "a model is required"
            codes = judge.retry.on_codes if judge.retry else []
            if any(not 400 <= code <= 599 for code in codes):
                problems[f"jury.{group}.{index}.retry.on_codes"] = "status codes are between 400 and 599"
    return problems
