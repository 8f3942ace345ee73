"""ExperimentReview's row state: what it knows of each datapoint (`Row`, the feedback `Given` on it), the
review's page loader (widgets/_pages.py) wired to its traits and rows, and what is published from the rows:
each row's generation as JSON, the summary line, a row's result, the earlier feedback in words, the frame.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .._extras import require
from ..client import Client
from ..client.datasets import DatasetInfo
from ..models import FeedbackControl, Page
from ..models.orq import FEEDBACK_PRODUCTS
from ._base import describe
from ._contract import GenerationState, GivenFeedback
from ._generation import Generation
from ._judging import Judging, graded_fields
from ._pages import PageLoader
from ._variant_engine import check_variants

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

    def to_json(self) -> GivenFeedback:
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


def check_arguments(
    deployment: Any, generate: Any, variants: Any, feedback: Any, page_size: Any, product: Any
) -> dict[str, Any] | None:
    """ExperimentReview's arguments checked before anything is built; `variants` as checked."""
    if variants is not None:
        if deployment is not None or generate is not None:
            raise ValueError("pass variants= (two to four variants) or deployment=/generate= (one), not both")
        variants = check_variants(variants)
    elif (deployment is None) == (generate is None):
        raise ValueError("pass either deployment= (an orq deployment key) or generate= (a function), not both")
    if generate is not None and not callable(generate):
        raise TypeError("generate must be a function taking a datapoint")
    if deployment is not None and (not isinstance(deployment, str) or not deployment):
        raise TypeError(f"deployment must be an orq deployment key (a str), not {deployment!r:.40}")
    if isinstance(feedback, (str, bytes, Mapping)) or not hasattr(feedback, "__iter__"):
        raise TypeError(
            f"feedback must be a list of feedback properties (e.g. ('rating', 'correction')), not {feedback!r:.40}"
        )
    if isinstance(page_size, bool) or not isinstance(page_size, int) or not 1 <= page_size <= 200:
        raise ValueError(f"page_size must be between 1 and 200, not {page_size!r}")
    if product is not None and product not in FEEDBACK_PRODUCTS:
        raise ValueError(f"product must be one of {', '.join(FEEDBACK_PRODUCTS)}, not {product!r}")
    return variants  # type: ignore[no-any-return]


def generation_changed(review: ExperimentReview, key: str, generation: Generation | None) -> None:
    """A row's generation changed: the row takes it (a new trace leaves the old feedback on the old trace,
    said in words), the page is published, and the output is judged (or its old verdicts forgotten)."""
    with review._lock:
        row = review._rows_by_id.get(key)
        if row is None:
            return
        previous = row.generation
        judge = (
            review._judging is not None
            and generation is not None
            and (generation.state == "done" and (previous is None or previous.state != "done"))
        )
        # a re-run (or a failure): the old output's verdicts go with it
        forget = (
            generation is not None and generation.state != "done" and previous is not None and previous.state == "done"
        )
        if (
            generation is not None
            and previous is not None
            and generation.state in ("done", "error")
            and generation.trace_id != previous.trace_id
        ):
            if row.feedback:  # said on the row: the old output was rated (its feedback stays on its trace)
                row.earlier = earlier_words(row.feedback, review._kinds)
            row.feedback = {}  # a re-run is a new trace: the old feedback stays on the old trace
        row.generation = generation
        review._publish()
    if forget and review._judging is not None:  # outside our lock: it calls back
        review._judging.forget(key)
    if judge and review._judging is not None and generation is not None:
        review._judging.judge(key, generation.runs, graded_fields(row.datapoint, generation.output))


def publish(review: ExperimentReview) -> None:
    """Copy what the page on show needs into the review's traits (one sync message), under its lock (a verdict
    or a write's state calls from its own thread)."""
    with review._lock:
        page = review.pages.page
        rows = [review._rows_by_id[dp.id] for dp in page.items] if page else []
        counts = {"queued": 0, "running": 0, "done": 0, "error": 0, "rows": len(rows)}
        for row in rows:
            if row.generation is not None:
                counts[row.generation.state] += 1
        with review.hold_sync():
            review._rows = [review.pages.source.example(row.datapoint) for row in rows]
            review._generations = {r.datapoint.id: generation_json(r.generation) for r in rows if r.generation}
            review._feedback = {
                r.datapoint.id: {p: g.to_json() for p, g in r.feedback.items()} for r in rows if r.feedback
            }
            review._expected = {r.datapoint.id: r.expected for r in rows if r.expected}
            review._earlier = {r.datapoint.id: r.earlier for r in rows if r.earlier}
            review._added = {r.datapoint.id: r.added for r in rows if r.added}
            review.progress = counts
            review.running = review._engine.busy
            review.summary = review._summary()
            if review._judging is not None:
                review._judging.publish(review, rows, list(review._rows_by_id.values()), review._kinds)
            if review._variants is not None:
                review._publish_variants(rows)


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


def generation_json(generation: Generation) -> GenerationState:
    data = generation.to_json()
    if generation.state == "done" and generation.trace_id is None:
        data["feedback_off"] = NO_TRACE  # said on the row, where the controls would be
    return data
