"""ExperimentReview's row state: what it knows of each datapoint (`Row`, the feedback `Given` on it), the
review's page loader (widgets/_pages.py) wired to its traits and rows, and what is published from the rows:
each row's generation as JSON, the summary line, a row's result, the earlier feedback in words, the frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .._extras import require
from ..client import Client
from ..client.datasets import DatasetInfo
from ..models import FeedbackControl, Page
from ._base import describe
from ._generation import Generation
from ._judging import Judging
from ._pages import PageLoader

if TYPE_CHECKING:
    from .experiment import ExperimentReview

NO_TRACE = "No trace id: the generation returned none, so feedback has nothing to attach to."
PAGE_CACHE = 8


@dataclass
class Given:
    """The feedback given on one row for one property, and its write's state."""

    value: Any
    id: str
    trace_id: str
    state: str = "pending"  # pending | retrying | sent | failed
    message: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, "state": self.state, "message": self.message}


@dataclass
class Row:
    """Everything known about one datapoint of the experiment."""

    datapoint: Any
    page: int
    generation: Generation | None = None
    feedback: dict[str, Given] = field(default_factory=dict)
    expected: dict[str, Any] = field(default_factory=dict)  # the expected-output write's status
    earlier: str = ""  # the feedback an earlier output of this row had (before a re-run), in words
    added: dict[str, Any] = field(default_factory=dict)  # "Add to dataset": {state, message, dataset}


def pick_dataset(client: Client, dataset_id: str | None) -> str:
    if dataset_id:
        return dataset_id
    if not client.is_sandbox:
        raise ValueError("dataset_id is required (the sandbox alone picks its demo dataset)")
    listed = client.datasets().pick("")
    if listed["kind"] != "datasets":  # Overmind lists agents, each with versions: which one is for the caller
        raise ValueError("dataset_id is required for an Overmind dataset (a version's id)")
    for dataset in listed["items"]:
        if dataset["count"]:
            return str(dataset["id"])
    raise ValueError("dataset_id is required: the sandbox has no dataset with datapoints")


def review_pages(review: ExperimentReview) -> PageLoader:
    """The review's pages (one ahead when prefetching, its outputs generated ahead too), shown in its traits;
    every page fetched adds its datapoints to the review's rows."""

    def loading(number: int) -> None:
        review.loading = True
        review._page_ready.clear()

    def shown(page: Page[Any], number: int, select: str | None) -> None:
        with review.hold_sync():
            if number != review.page_number:
                review.notice = ""  # a notice speaks of the page it was given on
            review.page_number = number
            review.has_next = page.has_next
            review.has_previous = number > 1
            review.loading, review.error = False, ""
            review._publish()
        review._page_ready.set()

    def failed(error: BaseException, number: int) -> None:
        review.loading = False
        review.error = f"Loading page {number} failed: " + describe(error)["message"]
        review._page_ready.set()

    def fetched(page: Page[Any], number: int) -> None:
        for dp in page.items:
            if dp.id is not None and dp.id not in review._rows_by_id:
                review._rows_by_id[dp.id] = Row(dp, number)
                review._order.append(dp.id)

    def described(info: DatasetInfo) -> None:
        review.dataset_name = info.name if info.version is None else f"{info.name} v{info.version}"
        review.total = info.total

    def describe_failed(error: Exception) -> None:
        review.error = "Opening the dataset failed: " + describe(error)["message"]

    return PageLoader(
        review.client.datasets(),
        review._lock,
        page_size=review.page_size,
        cache_pages=PAGE_CACHE,
        neighbours=(1,),  # at most one page ahead, and only when asked
        prefetch=lambda: review.prefetch,
        on_loading=loading,
        on_shown=shown,
        on_failed=failed,
        on_ready=lambda page, number: review._engine.submit(page.items),
        on_fetched=fetched,
        on_ahead=lambda page, number: review._engine.submit(page.items, ahead=True),
        on_described=described,
        on_describe_failed=describe_failed,
    )


def earlier_words(feedback: dict[str, Given], controls: dict[str, FeedbackControl]) -> str:
    """'The previous output was rated Good (Rating), 4 (Quality) and corrected; ...' from its feedback."""
    parts = []
    for prop, given in feedback.items():
        if given.state == "failed":
            continue
        kind = controls.get(prop)
        label = kind.to_json()["label"] if kind else prop
        if kind is not None and kind.kind == "correction":
            parts.append("corrected")
        elif isinstance(given.value, list):
            parts.append(f"{', '.join(map(str, given.value))} ({label})")
        else:
            value = str(given.value)
            parts.append(f"{value.capitalize() if kind and kind.kind == 'thumbs' else value} ({label})")
    if not parts:
        return ""
    said = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    rated = said if said.startswith("corrected") else f"rated {said}"
    return f"The previous output was {rated}; that feedback stays on its own trace."


def summary(rows: list[Row], judging: Judging | None) -> str:
    """The review's summary line over every row loaded (one output per row)."""
    generated = judged = failed = compared = agreed = 0
    for row in rows:
        generation = row.generation
        if generation is None:
            continue
        if generation.state == "done":
            generated += 1
            expected = row.datapoint.expected_output
            if isinstance(expected, str) and isinstance(generation.output, str):
                compared += 1
                agreed += expected.strip() == generation.output.strip()
        elif generation.state == "error":
            failed += 1
        judged += bool(row.feedback)
    # with evaluators, "judged" would read as their verdicts: people's part is said as feedback
    parts = [f"{generated} generated", f"{judged} {'with feedback' if judging else 'judged'}"]
    if compared:
        parts.append(f"{agreed}/{compared} match expected ({agreed / compared:.0%})")
    parts.append(f"{failed} failed")
    if judging is not None:
        parts += judging.summary_parts([row.datapoint.id for row in rows])
    return " · ".join(parts)


def result(row: Row, judging: Judging | None) -> dict[str, Any]:
    """One row of `results` (one output per row)."""
    generation = row.generation
    state = generation.state if generation else "not generated"
    return {
        "datapoint_id": row.datapoint.id,
        "page": row.page,
        "state": state,
        "output": generation.output if generation else None,
        "trace_id": generation.trace_id if generation else None,
        "metadata": dict(generation.metadata) if generation else {},
        "error": generation.error if generation else None,
        "runs": generation.runs if generation else 0,
        "expected_output": row.datapoint.expected_output,
        "feedback": {p: g.to_json() for p, g in row.feedback.items()},
        "expected_write": dict(row.expected) or None,
        "evaluations": judging.evaluations(row.datapoint.id) if judging else {},
    }


def frame(results: list[dict[str, Any]]) -> Any:
    """`results` as a DataFrame: one row per datapoint, evaluations, metadata and feedback flattened."""
    pd = require("pandas", "ExperimentReview.to_pandas()")  # the `pandas` extra

    records = []
    for found in results:
        record = {k: v for k, v in found.items() if k not in ("feedback", "metadata", "evaluations")}
        for key, verdict in found["evaluations"].items():
            record[f"eval.{key}"] = verdict["value"]
            record[f"eval.{key}.passed"] = verdict["passed"]
            record[f"eval.{key}.state"] = verdict["state"]
        for key, value in (found["metadata"] or {}).items():
            record[f"metadata.{key}"] = value
        for prop, given in found["feedback"].items():
            record[f"feedback.{prop}"] = given["value"]
            record[f"feedback.{prop}.state"] = given["state"]
        records.append(record)
    return pd.DataFrame.from_records(records)


def generation_json(generation: Generation) -> dict[str, Any]:
    data = generation.to_json()
    if generation.state == "done" and generation.trace_id is None:
        data["feedback_off"] = NO_TRACE  # said on the row, where the controls would be
    return data
