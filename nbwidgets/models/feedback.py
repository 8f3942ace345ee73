"""orq feedback properties: what a `property` of POST /v2/feedback may be, and which values it takes.

orq documents no route that lists a workspace's feedback properties, so the built-in ones live here,
in one place, as orq's docs define them ("Feedback types": rating, defects, interactions, correction).
Workspace-defined properties (a score, a category, ...) are made in orq's UI; the sandbox holds a few
in its demo data and lists them on its control route `GET /_sandbox/feedback-properties`.
"""

from __future__ import annotations

import math
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

PROPERTY_KEY_PATTERN = re.compile(r"^[a-zA-Z0-9]([a-zA-Z0-9_-]*[a-zA-Z0-9])?$")

# How a property's value travels:
#   label            one of `values`, as a string (the built-in rating: "good")
#   single_choice    one of `values`, as an array of one string (the seed: "For single selection of
#                    multiple choice, the value should be an array of strings")
#   multiple_choice  a non-empty array of distinct strings among `values` (defects, interactions)
#   number           a number between `min` and `max`
#   string           a non-empty string (correction)
FeedbackPropertyType = Literal["label", "single_choice", "multiple_choice", "number", "string"]


class FeedbackProperty(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=1, max_length=64, pattern=PROPERTY_KEY_PATTERN.pattern)
    type: FeedbackPropertyType
    values: list[str] | None = None
    min: float | None = None
    max: float | None = None
    description: str = ""
    builtin: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> FeedbackProperty:
        if self.type in ("label", "single_choice", "multiple_choice"):
            if not self.values or len(set(self.values)) != len(self.values) or not all(v.strip() for v in self.values):
                raise ValueError(f"a {self.type} property needs distinct, non-empty values")
        elif self.values is not None:
            raise ValueError(f"a {self.type} property has no values")
        if self.type == "number":
            if self.min is None or self.max is None or not (math.isfinite(self.min) and math.isfinite(self.max)):
                raise ValueError("a number property needs a finite min and max")
            if self.min >= self.max:
                raise ValueError("min must be below max")
        elif self.min is not None or self.max is not None:
            raise ValueError(f"a {self.type} property has no min or max")
        return self

    def value_problem(self, value: Any) -> str | None:
        """Why orq would refuse `value` for this property, or None when it takes it."""
        if self.type == "label":
            if not isinstance(value, str) or value not in (self.values or []):
                return f"{self.key} is one of {', '.join(self.values or [])}, sent as a string"
        elif self.type == "single_choice":
            if (
                not isinstance(value, list)
                or len(value) != 1
                or not isinstance(value[0], str)
                or value[0] not in (self.values or [])
            ):
                return f"{self.key} is an array of one of {', '.join(self.values or [])}"
        elif self.type == "multiple_choice":
            if not isinstance(value, list) or not value:
                return f"{self.key} is a non-empty array of {', '.join(self.values or [])}"
            unknown = [v for v in value if not isinstance(v, str) or v not in (self.values or [])]
            if unknown:
                return f"{self.key} takes only {', '.join(self.values or [])}"
            if len(set(value)) != len(value):
                return f"{self.key} values must be distinct"
        elif self.type == "number":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                return f"{self.key} is a number"
            if not (self.min or 0) <= value <= (self.max or 0):
                return f"{self.key} is between {self.min:g} and {self.max:g}"
        elif self.type == "string" and (not isinstance(value, str) or not value.strip()):
            return f"{self.key} is a non-empty string"
        return None


DEFECTS = (
    "grammatical",
    "spelling",
    "hallucination",
    "repetition",
    "inappropriate",
    "off_topic",
    "incompleteness",
    "ambiguity",
)
INTERACTIONS = ("saved", "selected", "deleted", "shared", "copied", "reported")

BUILTIN_FEEDBACK_PROPERTIES: tuple[FeedbackProperty, ...] = (
    FeedbackProperty(
        key="rating", type="label", values=["good", "bad"], builtin=True, description="Was the response good?"
    ),
    FeedbackProperty(
        key="defects", type="multiple_choice", values=list(DEFECTS), builtin=True, description="What was wrong."
    ),
    FeedbackProperty(
        key="interactions",
        type="multiple_choice",
        values=list(INTERACTIONS),
        builtin=True,
        description="What the user did with the response.",
    ),
    FeedbackProperty(key="correction", type="string", builtin=True, description="The response as it should be."),
)
