"""The sandbox's judge: `POST /v3/evaluators/{id}/invoke` graded locally and deterministically.

No model is called. The same request to the same evaluator version always gets the same verdict (only the
answer's own `trace_id` and `span_id` are new each time, as a real evaluator span's are).

How a text is graded, as a score from 0 to 1:

- **With a reference** (`context.input.expected_output`, flat `reference`) that the prompt asks for (it uses
  `{{expected_output}}`, as orq's `required_expected_output` says): agreement with it. An output equal to the
  reference, case and spacing aside, scores 1; one sharing no word with it scores 0; partial overlap scores
  in between: the mean of how much of the reference the output covers (recall) and the F1 of their words,
  so a longer answer that holds the whole reference lands in the middle, not at the bottom.
- **Otherwise**, the sandbox's own rule: the mean of (a) length: 1 for 3 to 150 words, less the further
  outside; (b) politeness: 1 when the output has a courtesy word (thanks, thank you, please, sorry, glad,
  happy to help, regards, welcome), else 0.5; (c) when the evaluator's prompt puts words in quotes
  (`'refund'`, `"24 hours"`): the share of them the output contains. A prompt about tone (it says polite,
  courteous, friendly or tone) makes politeness decide: without a courtesy word the score is at most 0.2.

A judge's score is turned into the evaluator's `output_type`: `boolean` is score >= 0.5; `number` is the score
spread over the range the prompt states ("from 1 to 5", "0-10"; 1 to 5 when it states none); `categorical`
picks a label: a label the output itself names, else one by score, the first label for the best score
(labels are read best first, as "correct, partially_correct, wrong"); `string` is a one-sentence verdict.

A jury asks each judge. Judges differ: each shifts a partial score by up to 0.15, seeded by its model name
(an exact match or a complete miss stays as it is). A judge whose model id contains "offline" fails, as an
unavailable provider would; its fallbacks, then the replacement judges, stand in. With fewer than
`min_successful_judges` verdicts the run `failed`. Votes are combined by majority (numbers by their mean); a
tie gives `tie_value` (when it is null, the mean score decides). `repetitions` repeats each judge (each
repetition seeded apart) and combines the same way. A guardrail, when enabled, decides `passed`; otherwise
`passed` is the grader's own judgement (score >= 0.5).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections import Counter
from dataclasses import dataclass
from typing import Any

from .orq_rules import MESSAGE_ROLES, OrqError, field_error
from .responder import message_text

NOTHING_TO_GRADE = (
    "Nothing to grade: give the output (output, or context.output.response) or a conversation "
    "(messages) with an assistant turn"
)
COURTESY = ("thanks", "thank you", "please", "sorry", "glad", "happy to help", "regards", "welcome")
SEMVER = re.compile(r"^\d+\.\d+\.\d+$")
# The environments of the sandbox's workspace: each serves an evaluator's current version.
ENVIRONMENTS = ("production", "staging", "development")
_WORD = re.compile(r"[\w']+")
_QUOTED = re.compile(r"""(?:'([^'\n]{1,40})'|"([^"\n]{1,40})"|“([^”\n]{1,40})”)""")
_RANGE = re.compile(r"(-?\d+(?:\.\d+)?)\s*(?:to|-|–|and)\s*(-?\d+(?:\.\d+)?)")
_TONE = re.compile(r"\b(polite|politeness|courteous|friendly|tone)\b", re.IGNORECASE)
_FLAT = ("query", "output", "reference", "retrievals", "messages", "variables")


def split_id(raw: str) -> tuple[str, str | None, str | None]:
    """`id`, `id@version` or `id@environment` as (id, version, environment)."""
    evaluator_id, at, suffix = raw.partition("@")
    if not at:
        return raw, None, None
    if not suffix:
        raise OrqError(404, "Evaluator not found")
    return (evaluator_id, suffix, None) if SEMVER.match(suffix) else (evaluator_id, None, suffix)


def graded_context(body: Any) -> dict[str, Any]:
    """The request's `context`, the flat fields folded into it when it is absent; checked as the SDK types it."""
    if not isinstance(body, dict):
        raise OrqError(400, "Body must be a JSON object")
    for name in ("query", "output", "reference", "model"):
        if body.get(name) is not None and not isinstance(body[name], str):
            raise field_error(name, "must be a string")
    for name in ("context", "variables", "retry", "timeout"):
        if body.get(name) is not None and not isinstance(body[name], dict):
            raise field_error(name, "must be an object")
    _check_list(body.get("retrievals"), "retrievals")
    _check_messages(body.get("messages"), "messages")
    context: dict[str, Any] | None = body.get("context")
    if context is None:
        return _folded_context({k: body[k] for k in _FLAT if body.get(k) is not None})
    for name in ("input", "output", "variables"):
        if context.get(name) is not None and not isinstance(context[name], dict):
            raise field_error(f"context.{name}", "must be an object")
    _check_messages(context.get("messages"), "context.messages")
    structured = context.get("input") or {}
    for name in ("system_instructions", "user_query", "expected_output"):
        if structured.get(name) is not None and not isinstance(structured[name], str):
            raise field_error(f"context.input.{name}", "must be a string")
    _check_list(structured.get("retrievals"), "context.input.retrievals")
    response = (context.get("output") or {}).get("response")
    if response is not None and not isinstance(response, str):
        raise field_error("context.output.response", "must be a string")
    return context


def _folded_context(given: dict[str, Any]) -> dict[str, Any]:
    """The flat fields (`query`, `output`, `reference`, ...) as the `context` they stand for."""
    context: dict[str, Any] = {}
    structured = {
        k: v
        for k, v in (
            ("user_query", given.get("query")),
            ("expected_output", given.get("reference")),
            ("retrievals", given.get("retrievals")),
        )
        if v is not None
    }
    if structured:
        context["input"] = structured
    if "output" in given:
        context["output"] = {"response": given["output"]}
    for name in ("messages", "variables"):
        if name in given:
            context[name] = given[name]
    return context


def _check_list(value: Any, name: str) -> None:
    if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        raise field_error(name, "must be an array of strings")


def _check_messages(value: Any, name: str) -> None:
    if value is None:
        return
    if not isinstance(value, list) or not all(isinstance(m, dict) and m.get("role") in MESSAGE_ROLES for m in value):
        raise field_error(name, "must be an array of messages, each with a role: " + ", ".join(MESSAGE_ROLES))


def response_text(context: dict[str, Any]) -> str | None:
    """What is graded: the conversation's last assistant turn, else `output.response`."""
    for message in reversed(context.get("messages") or []):
        if message.get("role") == "assistant":
            text = message_text(message.get("content"))
            if text.strip():
                return text
    response = (context.get("output") or {}).get("response")
    return response if isinstance(response, str) and response.strip() else None


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def _normal(text: str) -> str:
    return " ".join(text.casefold().split())


def _seed(*parts: str) -> float:
    """A number in [0, 1) fixed by the parts."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


@dataclass(frozen=True)
class Grade:
    score: float
    reason: str


def base_grade(response: str, reference: str | None, prompt: str) -> Grade:
    asks_reference = bool(re.search(r"\{\{\s*expected_output\s*\}\}", prompt))
    if reference is not None and reference.strip() and asks_reference:
        if _normal(response) == _normal(reference):
            return Grade(1.0, "The output matches the reference (case and spacing aside).")
        out, ref = Counter(_words(response)), Counter(_words(reference))
        common = sum((out & ref).values())
        if not common:
            return Grade(0.0, "The output shares no word with the reference.")
        precision, recall = common / sum(out.values()), common / sum(ref.values())
        f1 = 2 * precision * recall / (precision + recall)
        return Grade(
            (recall + f1) / 2,
            f"The output has {common} of the reference's {sum(ref.values())} words, in {sum(out.values())} "
            f"words of its own: it covers {recall:.0%} of the reference (word overlap F1 {f1:.2f}).",
        )
    words = _words(response)
    count = len(words)
    if 3 <= count <= 150:
        length = 1.0
    elif count < 3:
        length = count / 3
    else:
        length = max(0.0, 1 - (count - 150) / 150)
    lowered = " ".join(words)
    polite = [w for w in COURTESY if re.search(rf"\b{re.escape(w)}\b", lowered)]
    parts = [length, 1.0 if polite else 0.5]
    notes = [f"{count} words ({'within' if length == 1 else 'outside'} 3 to 150)"]
    notes.append(f"courtesy: {polite[0]!r}" if polite else "no courtesy word")
    asked = [next(g for g in match.groups() if g) for match in _QUOTED.finditer(prompt)]
    if asked:
        present = [w for w in asked if _normal(w) in _normal(response)]
        parts.append(len(present) / len(asked))
        notes.append(f"{len(present)} of {len(asked)} words the prompt asks for")
    score = sum(parts) / len(parts)
    if _TONE.search(prompt) and not polite:
        score = min(score, 0.2)
        notes.append("the prompt asks about tone")
    why = "No reference given" if not (reference and reference.strip()) else "The prompt does not use the reference"
    return Grade(score, why + ", graded by the sandbox's rule: " + "; ".join(notes) + ".")


def _judge_score(grade: Grade, model: str, repetition: int) -> float:
    """One judge's (one repetition's) score: the grade shifted by up to 0.15 by its model, when partial."""
    if grade.score in (0.0, 1.0):
        return grade.score
    shift = (_seed(model, str(repetition), f"{grade.score:.6f}") - 0.5) * 0.3
    return min(1.0, max(0.0, grade.score + shift))


def number_range(prompt: str) -> tuple[float, float]:
    for low, high in _RANGE.findall(prompt):
        a, b = float(low), float(high)
        if a < b:
            return a, b
    return 1.0, 5.0


def _labels(evaluator: dict[str, Any]) -> list[str]:
    return [label["value"] for label in evaluator.get("categorical_labels") or [] if label.get("value")]


def verdict(evaluator: dict[str, Any], score: float, response: str) -> Any:
    """A score as the evaluator's output type."""
    kind = evaluator.get("output_type") or "boolean"
    if kind == "number":
        low, high = number_range(evaluator.get("prompt", ""))
        value = low + score * (high - low)
        return round(value) if low.is_integer() and high.is_integer() and high - low >= 2 else round(value, 2)
    if kind == "categorical":
        labels = _labels(evaluator)
        if not labels:
            return "pass" if score >= 0.5 else "fail"
        named = [label for label in labels if re.search(rf"\b{re.escape(label.casefold())}\b", response.casefold())]
        if len(named) == 1:
            return named[0]
        return labels[min(len(labels) - 1, int((1 - score) * len(labels)))]
    if kind == "string":
        if score >= 0.8:
            return "Good answer."
        if score >= 0.5:
            return "Acceptable, with gaps."
        return "Poor answer."
    return score >= 0.5


def _combine(evaluator: dict[str, Any], votes: list[tuple[Any, float]], tie_value: str | None) -> tuple[Any, float]:
    """Several verdicts (with their scores) as one, and the share of votes that agree with it."""
    kind = evaluator.get("output_type") or "boolean"
    mean = sum(score for _, score in votes) / len(votes)
    if kind == "number":
        values = [value for value, _ in votes]
        combined = sum(values) / len(values)
        return (round(combined, 2) if not float(combined).is_integer() else int(combined)), 1.0
    if kind == "string":
        value = verdict(evaluator, mean, "")
        return value, sum(v == value for v, _ in votes) / len(votes)
    tally = Counter(value for value, _ in votes).most_common()
    top = [value for value, count in tally if count == tally[0][1]]
    if len(top) == 1:
        return top[0], tally[0][1] / len(votes)
    if tie_value is not None:
        return tie_value, tally[0][1] / len(votes)
    best = max(top, key=lambda v: sum(s for value, s in votes if value == v))
    return best, tally[0][1] / len(votes)


def _passed(evaluator: dict[str, Any], value: Any, score: float) -> bool:
    guardrail = evaluator.get("guardrail_config")
    if not guardrail or not guardrail.get("enabled", True):
        return score >= 0.5
    kind = guardrail.get("type")
    if kind == "boolean":
        return value is guardrail.get("value")
    if kind == "categorical":
        return value in (guardrail.get("values") or [])
    if kind == "number" and isinstance(value, (int, float)) and not isinstance(value, bool):
        target, operator = float(guardrail.get("value", 0)), guardrail.get("operator")
        return {
            "eq": value == target,
            "ne": value != target,
            "gt": value > target,
            "gte": value >= target,
            "lt": value < target,
            "lte": value <= target,
        }.get(operator, False)
    return False


def _answers(model: str) -> bool:
    return "offline" not in model.casefold()


def _seated(jury: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The models that answer (a judge's first answering model: its own, else a fallback; replacement judges
    stand in for judges that found none), and the judges that could not."""
    answering, failed, spare = [], [], [j.get("model", "") for j in jury.get("replacement_judges") or []]
    for judge in jury.get("judges") or []:
        models = [judge.get("model", ""), *(f.get("model", "") for f in judge.get("fallbacks") or [])]
        chosen = next((m for m in models if m and _answers(m)), None)
        while chosen is None and spare:
            candidate = spare.pop(0)
            chosen = candidate if candidate and _answers(candidate) else None
        if chosen is None:
            failed.append(judge.get("model", "?"))
        else:
            answering.append(chosen)
    return answering, failed


def judge(evaluator: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
    """The EvaluationResult for this evaluator (a stored body, of the version asked for) on this context."""
    response = response_text(context)
    if response is None:
        raise OrqError(400, NOTHING_TO_GRADE, [{"path": ["context", "output", "response"], "message": "Required"}])
    structured = context.get("input") or {}
    reference = structured.get("expected_output")
    grade = base_grade(response, reference, evaluator.get("prompt", ""))
    repetitions = int(evaluator.get("repetitions") or 1)
    kind = evaluator.get("output_type") or "boolean"
    answer: dict[str, Any] = {
        "type": "string" if kind == "categorical" else kind,
        "evaluator_id": evaluator["_id"],
        "trace_id": secrets.token_hex(16),
        "span_id": secrets.token_hex(8),
    }
    jury = evaluator.get("jury") if evaluator.get("mode") == "jury" else None
    if jury:
        models, failed = _seated(jury)
        needed = int(jury.get("min_successful_judges") or 2)
        if len(models) < needed:
            return {
                **answer,
                "value": None,
                "passed": False,
                "status": "failed",
                "explanation": f"Only {len(models)} of the jury's judges answered ({', '.join(failed)} did not); "
                f"{needed} are needed.",
            }
        tie_value = jury.get("tie_value")
    else:
        models, tie_value = [evaluator.get("model") or "judge"], None
    votes = []
    for model in models:
        for repetition in range(repetitions):
            score = grade.score if len(models) * repetitions == 1 else _judge_score(grade, model, repetition)
            votes.append((verdict(evaluator, score, response), score))
    if len(votes) == 1:
        value, agreeing = votes[0][0], 1.0
    else:
        value, agreeing = _combine(evaluator, votes, tie_value)
    mean = sum(score for _, score in votes) / len(votes)
    passed = False if jury and value == tie_value and tie_value is not None else _passed(evaluator, value, mean)
    explanation = grade.reason
    if len(votes) > 1:
        times = "once" if repetitions == 1 else "twice" if repetitions == 2 else f"{repetitions} times"
        who = f"{len(models)} judges, {times} each" if jury else f"The judge, {times}"
        explanation += f" {who}: {_tally(votes)}."
    confidence = agreeing if len(votes) > 1 else round(0.5 + abs(mean - 0.5), 2)
    return {
        **answer,
        "value": value,
        "passed": passed,
        "status": "passed" if passed else "condition_failed",
        "explanation": explanation,
        "confidence": round(confidence, 2),
    }


def _tally(votes: list[tuple[Any, float]]) -> str:
    counts = Counter(str(value).lower() if isinstance(value, bool) else str(value) for value, _ in votes)
    return ", ".join(f"{value} x{count}" for value, count in counts.most_common())
