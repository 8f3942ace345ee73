"""The review's judges: each output run through each evaluator as soon as it is generated, a few at a time.

Knows no widget: ExperimentReview hands it outputs (`judge`) and hears of every verdict's change through one
callback. Verdicts come from the client (`invoke_evaluator`), which remembers each answer: a second review
over the same outputs asks the service for nothing. Judging runs on threads of its own, so it never holds up
generation; a failure to judge is kept on the row as an error, retried on request.

How a verdict is set beside people's feedback (`people_label`, `judge_label`): thumbs against `passed`; a score
against a number verdict (rounded), or against `passed` when the verdict is not a number (the upper half of
the score's range is a pass); a choice against the verdict's label. A multiple choice and a correction are not
comparable.
"""

from __future__ import annotations

import concurrent.futures
import json
import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..agreement import Agreement, agreement
from ..client import Client
from ..client.errors import NotFoundError
from ..models import Evaluator, EvaluatorResult, FeedbackControl, message_text
from . import _capabilities as capabilities
from ._base import describe
from ._contract import EvaluatorInfo, JudgeSummary, VerdictState

JUDGES_AT_ONCE = 8  # verdicts asked for at once by one review (the client bounds them too)
COMPARABLE_KINDS = ("thumbs", "score", "choice")
# the toolbar's row filter: every row, rows failing any evaluator, rows where a judge and the people disagree,
# rows not judged yet
ROW_FILTERS = ("all", "failing", "disagree", "unjudged")


@dataclass(frozen=True)
class Verdict:
    """One evaluator's verdict on one row (or what it is doing)."""

    state: str  # queued | running | done | error
    value: Any = None
    passed: bool | None = None
    status: str | None = None
    explanation: str | None = None
    trace_id: str | None = None
    error: str | None = None
    run: int = 0  # the generation run it judges (a re-run's verdict replaces an older one's)

    @classmethod
    def of(cls, result: EvaluatorResult, run: int) -> Verdict:
        return cls("done", result.value, result.passed, result.status, result.explanation, result.trace_id, None, run)

    def to_json(self) -> VerdictState:
        return {
            "value": self.value,
            "passed": self.passed,
            "status": self.status,
            "explanation": self.explanation,
            "trace_id": self.trace_id,
            "state": self.state,
            "error": self.error,
        }


def resolve_evaluators(client: Client, specs: Sequence[Any]) -> list[Evaluator]:
    """The `evaluators=` argument as stored evaluators (read once: the version they run at), or a clear error."""
    if isinstance(specs, (str, Evaluator)):
        specs = [specs]
    if not isinstance(specs, (list, tuple)):
        raise TypeError(f"evaluators must be a list of evaluator ids or keys, not {type(specs).__name__}")
    if not specs:
        return []
    judges = capabilities.evaluators(client)
    if judges is None:
        raise ValueError("evaluators= runs orq evaluators: this review's client is not an orq client")
    for spec in specs:
        if not isinstance(spec, (str, Evaluator)):
            raise TypeError(f"evaluators: each item is an evaluator id or key (a str), not {type(spec).__name__}")

    def resolve(spec: Any) -> Evaluator:
        try:
            return judges.resolve_evaluator(spec)
        except NotFoundError:
            raise ValueError(f"evaluators: no evaluator with the id or key {spec!r} in {judges.label}") from None

    with concurrent.futures.ThreadPoolExecutor(min(len(specs), JUDGES_AT_ONCE)) as pool:  # read side by side
        resolved = list(pool.map(resolve, specs))
    found: list[Evaluator] = []
    for evaluator in resolved:
        if any(e.id == evaluator.id for e in found):
            raise ValueError(f"evaluators: {evaluator.key!r} is named twice")
        found.append(evaluator)
    return found


def judge_label(verdict: Verdict, control: FeedbackControl) -> str | None:
    """The verdict as a label comparable with this feedback (None: not comparable, or no verdict)."""
    if verdict.state != "done" or verdict.status in ("failed", "timed_out"):
        return None
    value = verdict.value
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if control.kind == "score" and number and math.isfinite(value):
        return str(round(value))
    if control.kind == "choice" and isinstance(value, str):
        return value
    if verdict.passed is None:
        return None
    return "good" if verdict.passed else "bad"


def people_label(value: Any, control: FeedbackControl, verdict: Verdict) -> str | None:
    """People's feedback as a label, on the scale the verdict is compared on (see `judge_label`)."""
    if control.kind == "thumbs":
        return value if value in ("good", "bad") else None
    if control.kind == "score" and isinstance(value, (int, float)):
        number = isinstance(verdict.value, (int, float)) and not isinstance(verdict.value, bool)
        if number:
            return str(round(value))
        middle = (control.score_min + control.score_max) / 2
        return "good" if value > middle else "bad"
    if control.kind == "choice":
        if isinstance(value, list):
            value = value[0] if len(value) == 1 else None
        if not isinstance(value, str):
            return None
        if isinstance(verdict.value, str):
            return value
        return None
    return None


def graded_fields(datapoint: Any, output: Any) -> dict[str, Any]:
    """What an evaluator grades for a row: the output (as text), the question (the last user message, else
    the first text input), the expected output as the reference, the conversation, and the inputs as variables."""
    wire = datapoint.to_wire()
    inputs = wire.get("inputs") if isinstance(wire.get("inputs"), dict) else {}
    messages = [m for m in wire.get("messages") or [] if isinstance(m, dict) and isinstance(m.get("role"), str)]
    question = next((message_text(m) for m in reversed(messages) if m.get("role") == "user"), None)
    if not question:
        question = next((v for v in inputs.values() if isinstance(v, str) and v.strip()), None)
    expected = getattr(datapoint, "expected_output", None)
    graded: dict[str, Any] = {
        "output": output if isinstance(output, str) else json.dumps(output, ensure_ascii=False, default=str),
        "input": question or None,
        "expected_output": expected if isinstance(expected, str) else None,
        "messages": messages or None,
        "variables": {k: v for k, v in inputs.items() if isinstance(v, (str, int, float, bool))} or None,
    }
    return graded


class Judging:
    """Verdicts of several evaluators over a review's outputs."""

    def __init__(
        self,
        client: capabilities.Evaluators,
        evaluators: list[Evaluator],
        *,
        on_change: Callable[[str], None],
        concurrency: int = JUDGES_AT_ONCE,
    ) -> None:
        self.client = client
        self.evaluators = evaluators
        self.keys = [e.key for e in evaluators]
        self._by_key = {e.key: e for e in evaluators}
        self._on_change = on_change
        self._lock = threading.Lock()
        self._verdicts: dict[str, dict[str, Verdict]] = {}
        self._graded: dict[str, tuple[int, dict[str, Any]]] = {}  # datapoint id -> (run, what was graded)
        self._executor = concurrent.futures.ThreadPoolExecutor(concurrency, thread_name_prefix="nbwidgets-judge")
        self._closed = False
        self.calls = 0

    def info(self) -> list[EvaluatorInfo]:
        return [
            {
                "key": e.key,
                "id": e.id,
                "version": (e.model_extra or {}).get("version"),
                "output_type": e.output_type or "boolean",
                "labels": [label.value for label in e.categorical_labels or []],
                # a jury's verdict on an even split: shown as a tie, not as the failure the service counts it
                "tie_value": e.jury.tie_value if e.mode == "jury" and e.jury is not None else None,
            }
            for e in self.evaluators
        ]

    def key_for(self, name: str) -> str:
        """An evaluator of this review by key or id, as its key; a ValueError naming the parameter otherwise."""
        for evaluator in self.evaluators:
            if name in (evaluator.key, evaluator.id):
                return evaluator.key
        raise ValueError(
            f"evaluator: {name!r} is not one of this review's evaluators ({', '.join(self.keys) or 'none'})"
        )

    def judge(self, datapoint_id: str, run: int, graded: dict[str, Any], *, only: str | None = None) -> None:
        """Queue the verdicts on this output (of generation run `run`); older runs' answers are dropped."""
        with self._lock:
            if self._closed:
                return
            self._graded[datapoint_id] = (run, graded)
            row = self._verdicts.setdefault(datapoint_id, {})
            keys = [only] if only else self.keys
            for key in keys:
                row[key] = Verdict("queued", run=run)
        self._on_change(datapoint_id)
        for key in keys:
            self._executor.submit(self._run, datapoint_id, key, run, graded)

    def retry(self, datapoint_id: str, key: str) -> None:
        with self._lock:
            verdict = self._verdicts.get(datapoint_id, {}).get(key)
            known = self._graded.get(datapoint_id)
            if verdict is None or known is None:
                raise ValueError(f"datapoint {datapoint_id} has no output judged by {key} yet")
            if verdict.state in ("queued", "running"):
                return
        self.judge(datapoint_id, known[0], known[1], only=key)

    def forget(self, datapoint_id: str) -> None:
        """The row's output is gone (a re-run started): its verdicts go too, until the new output is judged."""
        with self._lock:
            self._verdicts.pop(datapoint_id, None)
            self._graded.pop(datapoint_id, None)
        self._on_change(datapoint_id)

    def verdicts(self, datapoint_id: str) -> dict[str, Verdict]:
        with self._lock:
            return dict(self._verdicts.get(datapoint_id, {}))

    def busy(self) -> bool:
        with self._lock:
            return any(v.state in ("queued", "running") for row in self._verdicts.values() for v in row.values())

    def _run(self, datapoint_id: str, key: str, run: int, graded: dict[str, Any]) -> None:
        if not self._set(datapoint_id, key, run, lambda v: replace(v, state="running")):
            return
        with self._lock:
            self.calls += 1
        try:
            result = self.client.invoke_evaluator(self._by_key[key], **graded)
            verdict = Verdict.of(result, run)
        except Exception as error:  # shown on the row, retried on request; the other rows go on
            verdict = Verdict("error", error=describe(error)["message"], run=run)
        self._set(datapoint_id, key, run, lambda _: verdict)

    def _set(self, datapoint_id: str, key: str, run: int, change: Callable[[Verdict], Verdict]) -> bool:
        with self._lock:
            current = self._verdicts.get(datapoint_id, {}).get(key)
            if current is None or current.run != run or self._closed:
                return False  # a newer run took over, or the row was re-run
            self._verdicts[datapoint_id][key] = change(current)
        self._on_change(datapoint_id)
        return True

    def wait(self, keys: Sequence[str], timeout: float | None) -> bool:
        """Wait until these rows' verdicts are in (or failed). False on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with self._lock:
                pending = any(
                    v.state in ("queued", "running") for k in keys for v in self._verdicts.get(k, {}).values()
                )
            if not pending:
                return True
            if deadline is not None and time.monotonic() > deadline:
                return False
            time.sleep(0.02)

    def evaluations(self, datapoint_id: str) -> dict[str, VerdictState]:
        """`results[i]["evaluations"]`: {evaluator key: {value, passed, explanation, trace_id, state, error}}."""
        return {key: verdict.to_json() for key, verdict in self.verdicts(datapoint_id).items()}

    # --- against people -------------------------------------------------------------------------

    def _pairs(self, key: str, control: FeedbackControl, rows: Sequence[Any]) -> tuple[int, list[tuple[str, str, str]]]:
        """(rows with people's feedback on this property, the (id, judge label, people label) of those judged)."""
        given, pairs = 0, []
        for row in rows:
            feedback = row.feedback.get(control.property)
            if feedback is None or feedback.state == "failed":
                continue
            given += 1
            verdict = self.verdicts(row.datapoint.id).get(key)
            if verdict is None:
                continue
            judge, people = judge_label(verdict, control), people_label(feedback.value, control, verdict)
            if judge is not None and people is not None:
                pairs.append((row.datapoint.id, judge, people))
        return given, pairs

    def agreement(
        self, evaluator: str, prop: str, rows: Sequence[Any], controls: dict[str, FeedbackControl]
    ) -> Agreement:
        key = self.key_for(evaluator)
        control = controls.get(prop)
        if control is None:
            raise ValueError(f"property: {prop!r} is not one of this review's feedback ({', '.join(controls)})")
        if control.kind not in COMPARABLE_KINDS:
            raise ValueError(
                f"property: {prop!r} takes {control.kind} feedback, which cannot be set against a verdict; "
                "compare with thumbs, a score or a choice"
            )
        given, pairs = self._pairs(key, control, rows)
        if not given:
            raise ValueError(
                f"property: no feedback on {prop!r} yet: give some on the rows (review.feedback(...) or the row's "
                "controls), then ask again"
            )
        return agreement(pairs)

    # --- what the front end shows ---------------------------------------------------------------

    def publish(self, widget: Any, page_rows: Sequence[Any], all_rows: Sequence[Any], controls: dict[str, Any]) -> None:
        """Copy the verdicts of the page on show, its disagreements, the summary and the agreements into the
        widget's traits (the caller holds its lock and a hold_sync)."""
        comparable = [c for c in controls.values() if c.kind in COMPARABLE_KINDS]
        verdicts, disagree = {}, {}
        for row in page_rows:
            found = self.verdicts(row.datapoint.id)
            if found:
                verdicts[row.datapoint.id] = {key: v.to_json() for key, v in found.items()}
            keys = [
                key
                for key in self.keys
                for control in comparable
                if any(pair[1] != pair[2] for pair in self._pairs(key, control, [row])[1])
            ]
            if keys:
                disagree[row.datapoint.id] = sorted(set(keys), key=self.keys.index)
        widget._verdicts = verdicts
        widget._disagree = disagree
        widget.judge_summary = self.summary([row.datapoint.id for row in all_rows])
        found_agreements = []
        for key in self.keys:
            for control in comparable:
                _, pairs = self._pairs(key, control, all_rows)
                if pairs:
                    result = agreement(pairs).to_json()
                    found_agreements.append({"evaluator": key, "property": control.property, **result})
        widget.agreements = found_agreements

    def summary(self, datapoint_ids: Sequence[str]) -> list[JudgeSummary]:
        """Per evaluator: rows judged, passed, failed to judge, the pass rate and the mean of number verdicts."""
        found: list[JudgeSummary] = []
        for key in self.keys:
            verdicts = [self.verdicts(i).get(key) for i in datapoint_ids]
            done = [v for v in verdicts if v is not None and v.state == "done"]
            passed = sum(1 for v in done if v.passed)
            numbers = [
                float(v.value) for v in done if isinstance(v.value, (int, float)) and not isinstance(v.value, bool)
            ]
            found.append(
                {
                    "key": key,
                    "judged": len(done),
                    "passed": passed,
                    "errors": sum(1 for v in verdicts if v is not None and v.state == "error"),
                    "pass_rate": passed / len(done) if done else None,
                    "mean": sum(numbers) / len(numbers) if numbers else None,
                }
            )
        return found

    def summary_parts(self, datapoint_ids: Sequence[str]) -> list[str]:
        parts = []
        for item in self.summary(datapoint_ids):
            if not item["judged"]:
                continue
            text = f"{item['key']}: {item['passed']}/{item['judged']} pass ({item['pass_rate']:.0%})"
            if item["mean"] is not None:
                text += f", mean {item['mean']:.2f}"
            parts.append(text)
        return parts

    def close(self) -> None:
        with self._lock:
            self._closed = True
        self._executor.shutdown(wait=False, cancel_futures=True)
