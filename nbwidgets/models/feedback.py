"""orq feedback properties: what a `property` of POST /v2/feedback may be, and which values it takes.

orq documents no route that lists a workspace's feedback properties, so the built-in ones live here,
in one place, as orq's docs define them ("Feedback types": rating, defects, interactions, correction).
Workspace-defined properties (a score, a category, ...) are made in orq's UI; the sandbox holds a few
in its demo data and lists them on its control route `GET /_sandbox/feedback-properties`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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


# --- the control a property gets, and the one validator of a value ------------------------------------

FEEDBACK_KINDS = ("thumbs", "score", "choice", "choices", "correction")
THUMBS = ("good", "bad")
# the property types a control can stand for (a choice shows a label or a single choice)
_TYPES_OF_KIND: dict[str, tuple[str, ...]] = {
    "thumbs": ("label",),
    "choice": ("label", "single_choice"),
    "choices": ("multiple_choice",),
    "score": ("number",),
    "correction": ("string",),
}


def kind_of(prop: FeedbackProperty) -> str:
    """The control a property gets when none is asked for."""
    if prop.type == "label":
        return "thumbs" if set(prop.values or ()) == set(THUMBS) else "choice"
    return {"single_choice": "choice", "multiple_choice": "choices", "number": "score"}.get(prop.type, "correction")


@dataclass(frozen=True)
class FeedbackControl:
    """A feedback property and the control it gets: the one place where a value is checked, shown and shaped
    for the wire. FeedbackButtons, `review()` and ExperimentReview all build one with `FeedbackControl.of`.

    The value shown is what the user picked ("good", 4, ["rude", "wrong"]); the value sent is shaped by the
    property's type, not by the control: orq takes a single choice as an array of one string, a label (the
    built-in rating) as a string, whichever control shows it."""

    prop: FeedbackProperty
    kind: str
    options: tuple[str, ...] = ()
    score_min: float = 1
    score_max: float = 5
    score_step: float = 1
    label: str = ""

    @property
    def property(self) -> str:
        return self.prop.key

    @classmethod
    def of(
        cls,
        key: str,
        prop: FeedbackProperty | None,
        *,
        kind: str | None = None,
        options: Sequence[str] | None = None,
        score_range: tuple[float, float] | None = None,
        score_step: float | None = None,
        label: str = "",
    ) -> FeedbackControl:
        """The control for property `key`. `prop` is the property as the service defines it, or None when
        the client cannot know it (orq lists no workspace properties): the property is then the one the
        control describes (a choice is a single choice, several choices a multiple choice, a score a number
        in its range). A ValueError, in a sentence, for a control the property cannot take."""
        if kind is not None and kind not in FEEDBACK_KINDS:
            raise ValueError(f"{key}: kind must be one of {', '.join(FEEDBACK_KINDS)}, not {kind!r}")
        picked = tuple(str(o) for o in options) if options else ()
        if score_step is not None and (isinstance(score_step, bool) or not score_step > 0):
            raise ValueError(f"{key}: the score's step must be above 0, not {score_step!r}")
        if score_range is not None and not (len(score_range) == 2 and score_range[0] < score_range[1]):
            raise ValueError(f"{key}: the score's range must be (low, high) with low < high, not {score_range!r}")
        if prop is None:
            prop = cls._described(key, kind or "thumbs", picked, score_range)
        elif prop.key != key:
            raise ValueError(f"{key}: the property given is {prop.key!r}")
        kind = kind or kind_of(prop)
        if prop.type not in _TYPES_OF_KIND[kind] or (kind == "thumbs" and set(prop.values or ()) != set(THUMBS)):
            raise ValueError(
                f"{key} is a {prop.type.replace('_', ' ')} property: its control is {kind_of(prop)}, not {kind}"
            )
        values = tuple(prop.values or ())
        unknown = [o for o in picked if o not in values]
        if unknown:
            raise ValueError(f"{key} takes {', '.join(values)}; {', '.join(map(repr, unknown))} is not among them")
        low, high = score_range or (prop.min, prop.max)
        if prop.type == "number" and not ((prop.min or 0) <= float(low or 0) < float(high or 0) <= (prop.max or 0)):
            raise ValueError(f"{key} is between {prop.min:g} and {prop.max:g}: the score's range must lie within")
        return cls(
            prop,
            kind,
            picked or values,
            float(low if low is not None else 1),
            float(high if high is not None else 5),
            float(score_step or 1),
            label,
        )

    @staticmethod
    def _described(
        key: str, kind: str, options: tuple[str, ...], score_range: tuple[float, float] | None
    ) -> FeedbackProperty:
        if kind in ("choice", "choices") and not options:
            raise ValueError(f"{key} is a {kind} feedback and needs options")
        if kind == "thumbs":
            return FeedbackProperty(key=key, type="label", values=list(THUMBS))
        if kind == "choice":
            return FeedbackProperty(key=key, type="single_choice", values=list(options))
        if kind == "choices":
            return FeedbackProperty(key=key, type="multiple_choice", values=list(options))
        if kind == "score":
            low, high = score_range or (1, 5)
            return FeedbackProperty(key=key, type="number", min=low, max=high)
        return FeedbackProperty(key=key, type="string")

    def to_json(self) -> dict[str, Any]:
        """The control as the front end draws it."""
        return {
            "property": self.property,
            "kind": self.kind,
            "options": list(self.options),
            "score_min": self.score_min,
            "score_max": self.score_max,
            "score_step": self.score_step,
            "label": self.label or self.property.replace("_", " ").capitalize(),
        }

    def validate(self, value: Any) -> Any:
        """The value as the control shows it (thumbs' aliases resolved, choices in the options' order), or
        a ValueError saying why it cannot be sent; what is returned, sent as `wire(value)`, the service takes."""
        key = self.property
        if self.kind == "thumbs":
            value = {True: "good", "up": "good", "👍": "good", False: "bad", "down": "bad", "👎": "bad"}.get(
                value if isinstance(value, (str, bool)) else None, value
            )
            if value not in THUMBS:
                raise ValueError(f"{key}: thumbs feedback is 'good' or 'bad'")
        elif self.kind == "score":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ValueError(f"{key}: a score is a number")
            steps = (value - self.score_min) / self.score_step
            if not self.score_min <= value <= self.score_max or abs(steps - round(steps)) > 1e-9:
                raise ValueError(
                    f"{key}: a score is between {self.score_min:g} and {self.score_max:g} "
                    f"in steps of {self.score_step:g}"
                )
            value = int(value) if float(value).is_integer() else float(value)
        elif self.kind == "choice":
            if not isinstance(value, str) or value not in self.options:
                raise ValueError(f"{key}: choose one of {', '.join(self.options)}")
        elif self.kind == "choices":
            if isinstance(value, str) or not isinstance(value, (list, tuple, set)):
                raise ValueError(f"{key}: choose one or more of {', '.join(self.options)}")
            if not all(isinstance(v, str) and v in self.options for v in value):
                raise ValueError(f"{key}: choose one or more of {', '.join(self.options)}")
            value = [option for option in self.options if option in set(value)]  # the options' order
            if not value:
                raise ValueError(f"{key}: choose at least one option (Undo removes the feedback)")
        elif not isinstance(value, str) or not value.strip():
            raise ValueError(f"{key}: a correction is a non-empty text")
        problem = self.prop.value_problem(self.wire(value))
        if problem:  # the service's own rule, as the sandbox applies it
            raise ValueError(f"{problem}.")
        return value

    def wire(self, value: Any) -> Any:
        """A validated value as orq takes it: a single choice as an array of one string (the seed: "For
        single selection of multiple choice, the value should be an array of strings"), else as is."""
        return [value] if self.prop.type == "single_choice" else value


def feedback_controls(
    spec: Sequence[str | Mapping[str, Any]] | str | Mapping[str, Any], defined: Mapping[str, FeedbackProperty]
) -> list[FeedbackControl]:
    """The `feedback=` argument of ExperimentReview as controls: keys of properties the service defines
    (orq's built-in rating, defects, interactions, correction and the workspace's own), dicts describing a
    property as orq does (`{"property": "verdict", "type": "single_choice", "values": [...]}`, for
    workspace properties the client cannot list), or `{"property", "kind", "options", "range", "step",
    "label"}`."""
    items: Sequence[str | Mapping[str, Any]] = [spec] if isinstance(spec, (str, Mapping)) else spec
    controls: list[FeedbackControl] = []
    for item in items:
        if isinstance(item, str):
            if item not in defined:
                raise ValueError(
                    f"feedback: unknown property {item!r}; the service defines {', '.join(sorted(defined))}"
                )
            controls.append(FeedbackControl.of(item, defined[item]))
            continue
        if not isinstance(item, Mapping) or not item.get("property"):
            raise ValueError(f"feedback: each item is a property key or a dict with 'property', not {item!r}")
        key = str(item["property"])
        try:
            if "type" in item:  # described as orq describes a property: {"property", "type", "values", "min", "max"}
                fields = {k: item[k] for k in ("type", "values", "min", "max") if k in item}
                prop: FeedbackProperty | None = FeedbackProperty(key=key, **fields)
            else:
                prop = defined.get(key)
            score_range = item.get("range")
            if score_range is None and ("score_min" in item or "score_max" in item):
                score_range = (item.get("score_min", 1), item.get("score_max", 5))
            controls.append(
                FeedbackControl.of(
                    key,
                    prop,
                    kind=item.get("kind"),
                    options=item.get("options"),
                    score_range=tuple(score_range) if score_range is not None else None,
                    score_step=item.get("step", item.get("score_step")),
                    label=str(item.get("label", "")),
                )
            )
        except ValueError as error:
            if hasattr(error, "errors"):  # pydantic's: the property described does not hold together
                raise ValueError(f"feedback: {key}: {error.errors()[0]['msg'].removeprefix('Value error, ')}") from None
            raise ValueError(f"feedback: {error}") from None
    if len({c.property for c in controls}) != len(controls):
        raise ValueError("feedback: each property once")
    return controls
