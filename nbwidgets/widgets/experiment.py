"""ExperimentReview: run a deployment (or any function) over a dataset and review every output.

The page on show is generated as soon as it is shown, a few datapoints at a time (the engine in
_generation.py, on threads of its own); each row then shows the datapoint, its expected output, the
actual output, their difference and feedback controls for the row's trace. Feedback and "use as
expected output" go through the client's durable write path, so a kernel restart loses neither.

State lives in traits scoped to the page on show (it survives a re-display); Python keeps every
result for `results` and `to_pandas()`. Composed parts: the row state, its page loader and what is published
(_review_rows.py), feedback (_review_feedback.py), "use as expected" (_expected.py), "Add to dataset"
(_adding.py), judges (_judging.py), variants (_variants.py).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import traitlets

from ..client import Client
from ..models import (
    Evaluator,
)
from . import _capabilities as capabilities
from . import _contract as shapes
from ._adding import Adding
from ._base import STATIC, Widget
from ._comparison import side_name
from ._expected import ExpectedOutputs, _text
from ._generation import Generation, GenerationEngine
from ._judging import ROW_FILTERS, Judging, resolve_evaluators
from ._review_feedback import RowFeedback
from ._review_rows import (
    Row,
    check_arguments,
    frame,
    generation_changed,
    pick_dataset,
    publish,
    result,
    review_pages,
    summary,
)
from ._variants import VariantsMixin
from ._words import write_states_trait


class ExperimentReview(Widget, VariantsMixin):
    """Run a deployment or a function over a dataset, page by page, and review each output.

    review = ExperimentReview(client, dataset_id, deployment="support-reply")
    review = ExperimentReview(client, dataset_id, generate=my_function)   # plain or async
    review.results; review.to_pandas(); review.summary
    review.feedback(datapoint_id, "rating", "good"); review.use_as_expected(datapoint_id); review.undo()
    review.next_page(); review.rerun(datapoint_id); review.cancel()

    `generate(datapoint)` returns the output text, `(output, trace_id)`, or a dict with `output`,
    `trace_id` and optional metadata (latency_ms, tokens, cost are shown).

    `evaluators=["tone_check", ...]` (orq evaluator keys, ids or `Evaluator`s) judges each output as it is
    generated: `results[i]["evaluations"]`, `review.agreement(evaluator, property="rating")`,
    `review.row_filter` (all, failing, disagree, unjudged), `review.sort_by` (an evaluator key).

    `variants={"A": "support-reply", "B": my_function}` (two to four deployment keys or functions, instead of
    deployment=/generate=) generates every variant on each row, side by side, blind by default for two
    (`blind=`, `seed=`): `review.sides`, `review.prefer(datapoint_id, "A" | "B" | "tie" | "neither")` (feedback
    on each variant's trace, on `preference_property=`), `review.undo_preference()`, `review.reveal()`,
    `review.comparison()`; `results[i]["variants"]`; `to_pandas(wide=True)`. See _variants.py.
    """

    _esm = STATIC / "experiment.js"
    _css = STATIC / "experiment.css"

    # what runs over what
    dataset_id = traitlets.Unicode("")  # Python's: the view shows the name
    dataset_name = traitlets.Unicode("").tag(sync=True)
    generator_label = traitlets.Unicode("").tag(sync=True)
    feedback_kinds = traitlets.List(traitlets.Dict()).tag(sync=True, shape=list[shapes.FeedbackKind])
    feedback_off = traitlets.Unicode("").tag(sync=True)  # why no row takes feedback (e.g. Overmind)
    concurrency = traitlets.Int(4).tag(sync=True)
    prefetch = traitlets.Bool(False).tag(sync=True)
    # the page on show
    page_size = traitlets.Int(10).tag(sync=True)
    page_number = traitlets.Int(1).tag(sync=True)
    total = traitlets.Int(None, allow_none=True).tag(sync=True)
    has_next = traitlets.Bool(False).tag(sync=True)
    has_previous = traitlets.Bool(False).tag(sync=True)
    loading = traitlets.Bool(False).tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)
    notice = traitlets.Unicode("").tag(sync=True)
    _rows = traitlets.List(traitlets.Dict()).tag(sync=True, shape=list[shapes.ReviewRow])
    _generations = traitlets.Dict().tag(sync=True, shape=dict[str, shapes.GenerationState])  # this page
    _feedback = traitlets.Dict().tag(sync=True, shape=dict[str, dict[str, shapes.GivenFeedback]])
    _earlier = traitlets.Dict().tag(sync=True, shape=dict[str, str])  # the feedback an earlier output had, in words
    _expected = traitlets.Dict().tag(sync=True, shape=dict[str, shapes.ExpectedState])
    _added = traitlets.Dict().tag(sync=True, shape=dict[str, shapes.AddedState])  # "Add to dataset"
    add_targets = traitlets.List(traitlets.Dict()).tag(sync=True, shape=list[shapes.Target])  # "Add to" offers
    # the run
    progress = traitlets.Dict().tag(sync=True, shape=shapes.Progress)  # this page's generations
    running = traitlets.Bool(False).tag(sync=True)
    summary = traitlets.Unicode("").tag(sync=True)
    staged_count = traitlets.Int(0).tag(sync=True)  # Overmind: expected outputs staged for a new version
    version_save = traitlets.Dict().tag(sync=True, shape=shapes.VersionSave)  # a new version's write while not saved
    write_states = write_states_trait()  # the states' words
    can_undo = traitlets.Bool(False).tag(sync=True)  # a "use as expected" to undo (z, or the Undo button)
    undo_label = traitlets.Unicode("").tag(sync=True)  # what Undo would undo, in words
    # the judges (evaluators=): see _judging.py
    evaluators_info = traitlets.List(traitlets.Dict()).tag(sync=True, shape=list[shapes.EvaluatorInfo])
    _verdicts = traitlets.Dict().tag(sync=True, shape=dict[str, dict[str, shapes.VerdictState]])  # this page
    _disagree = traitlets.Dict().tag(sync=True, shape=dict[str, list[str]])  # evaluator keys disagreeing with people
    judge_summary = traitlets.List(traitlets.Dict()).tag(sync=True, shape=list[shapes.JudgeSummary])
    agreements = traitlets.List(traitlets.Dict()).tag(sync=True, shape=list[shapes.Wire])  # per evaluator and property
    row_filter = traitlets.Enum(ROW_FILTERS, "all").tag(sync=True)  # all | failing | disagree | unjudged
    sort_by = traitlets.Unicode("").tag(sync=True)  # "" (dataset order) or an evaluator key: by its score

    def __init__(
        self,
        client: Client | None = None,
        dataset_id: str | None = None,
        *,
        deployment: str | None = None,
        generate: Callable[[Any], Any] | None = None,
        page_size: int = 10,
        feedback: Sequence[str | Mapping[str, Any]] = ("rating", "correction"),
        concurrency: int = 4,
        prefetch: bool = False,
        product: str | None = None,
        evaluators: Sequence[str | Evaluator] = (),
        variants: Mapping[str, str | Callable[[Any], Any]] | None = None,
        blind: bool | None = None,
        seed: Any = None,
        preference_property: str = "preference",
    ) -> None:
        variants = check_arguments(deployment, generate, variants, feedback, page_size, product)
        super().__init__(client, flavour=getattr(client, "service", "orq"), page_size=page_size)
        if deployment is not None:
            generate = capabilities.deployment_function(self.client, deployment)
            self.generator_label = f"deployment {deployment}"
        elif generate is not None:
            self.generator_label = f"function {getattr(generate, '__qualname__', type(generate).__name__)}"
        deployed = deployment is not None or any(isinstance(v, str) for v in (variants or {}).values())
        self.product = product or ("deployments" if deployed else "experiments")
        self._row_feedback = RowFeedback(  # the controls, and feedback given on rows: _review_feedback.py
            self.client,
            feedback,
            product=self.product,
            lock=self._lock,
            row=self._row,
            rows=lambda key: self._rows_by_id.get(key),
            on_change=self._publish,
        )
        self._feedback_service = self._row_feedback.service  # the preferences' writes too (_variants.py)
        self._kinds = self._row_feedback.controls
        self.feedback_kinds = [control.to_json() for control in self._kinds.values()]
        self.feedback_off = self._row_feedback.off
        # each output judged by each evaluator as it arrives (read once here: an unknown one is refused now)
        found = resolve_evaluators(self.client, evaluators)
        judges = capabilities.evaluators(self.client)
        self._judging = Judging(judges, found, on_change=lambda _: self._publish()) if found and judges else None
        self.evaluators_info = [shapes.plain(info) for info in self._judging.info()] if self._judging else []
        self.observe(self._sort_changed, names="sort_by")
        self._engine: GenerationEngine | Any
        if variants is not None:  # every variant on each row, each output judged: see _variants.py
            if self._judging is not None:
                self._judging.close()  # the variants judge their outputs with their own
            self._judging = None
            self._setup_variants(
                variants,
                blind=blind,
                seed=seed,
                preference_property=preference_property,
                evaluators=found,
                concurrency=concurrency,
            )
            self._engine = self._variants
        else:
            assert generate is not None
            self._engine = GenerationEngine(
                generate, concurrency=concurrency, on_change=self._generation_changed, key=lambda dp: dp.id
            )
        self.concurrency = concurrency
        self.prefetch = prefetch
        self._rows_by_id: dict[str, Row] = {}
        self._order: list[str] = []  # datapoint ids in the order their pages were first loaded
        self._expected_outputs = ExpectedOutputs(self, self.client.datasets())  # "use as expected": _expected.py
        self._page_ready = threading.Event()
        self.observe(self._prefetch_toggled, names="prefetch")
        self.dataset_id = pick_dataset(self.client, dataset_id)
        self.pages = review_pages(self)  # the page on show, the cache, prefetch: _pages.py, _review_rows.py
        self._adding = Adding(  # "Add to dataset": _adding.py
            self.pages.source,
            self._lock,
            self._origin,
            on_change=self._publish,
            on_notice=lambda said: setattr(self, "notice", said),
        )
        self.pages.open(self.dataset_id)
        # the first page and the dataset's description load side by side: the first outputs come sooner
        self._go(1, wait=False)
        self.pages.describe()

    # --- Python API -----------------------------------------------------------------------------

    @property
    def rows(self) -> list[Any]:
        """The datapoints of the page on show."""
        page = self.pages.page
        return list(page.items) if page else []

    @property
    def results(self) -> list[dict[str, Any]]:
        """Per datapoint loaded so far, in dataset order: its output, trace id, metadata, error, the
        feedback given (with each write's state) and the expected-output write's state."""
        with self._lock:
            return [self._result(self._rows_by_id[key]) for key in self._order]

    def to_pandas(self, wide: bool = False) -> Any:
        """One row per datapoint (with variants=: per datapoint and variant, or per datapoint when `wide`)."""
        if self._variants is not None:
            return self._variants_frame(wide)
        return frame(self.results)

    def wait(self, timeout: float | None = 60) -> bool:
        """Wait until the page on show is loaded and generated. False on timeout."""
        if not self._page_ready.wait(timeout):
            return False
        page = self.pages.page
        keys = [dp.id for dp in page.items] if page else []
        if not self._engine.wait(keys, timeout):
            return False
        return self._judging.wait(keys, timeout) if self._judging is not None else True

    def flush(self, timeout: float | None = 30) -> bool:
        """Wait until every feedback and expected-output write is delivered (or refused)."""
        return bool(self.client.outbox.flush(timeout))

    def next_page(self, wait: bool = False) -> None:
        if not self.has_next:
            raise ValueError("this is the last page")
        self._go(self.page_number + 1, wait)

    def prev_page(self, wait: bool = False) -> None:
        if self.page_number <= 1:
            raise ValueError("this is the first page")
        self._go(self.page_number - 1, wait)

    def run_page(self) -> int:
        """Generate what the page on show has not generated yet (after a cancel). Returns how many."""
        page = self.pages.page
        return self._engine.submit(page.items) if page else 0

    def rerun(self, datapoint_id: str | None = None) -> None:
        """Generate one datapoint again, or (no id) every row of the page on show."""
        if datapoint_id is None:
            page = self.pages.page
            for dp in page.items if page else []:
                generation = self._engine.result(dp.id)
                if generation is None or generation.state not in ("queued", "running"):
                    self._engine.rerun(dp)
            return
        self._engine.rerun(self._row(datapoint_id).datapoint)

    def cancel(self) -> int:
        """Stop generating: nothing queued starts. Returns how many datapoints were left ungenerated."""
        dropped = self._engine.cancel()
        self.notice = f"Cancelled: {len(dropped)} not generated" if dropped else "Nothing left to cancel"
        return len(dropped)

    def feedback(self, datapoint_id: str, property: str, value: Any) -> None:
        """Give (or change) feedback on a row's trace. The same value again sends nothing."""
        self._one_output("feedback")
        self._row_feedback.give(datapoint_id, property, value)

    def use_as_expected(self, datapoint_id: str, *, force: bool = False, undoable: bool = True) -> None:
        """Write the row's actual output into the datapoint's expected output. Undoable: `undo()` (or z,
        or the Undo button) writes back the expected output it replaced, which the row shows meanwhile.

        orq: a PATCH through the durable write path, refused as a conflict if the datapoint changed
        since it was loaded (`force=True` or resolve(..., "mine") overwrites). Overmind: staged, then
        `save_version()` saves every staged row as a new dataset version. Using the same output again
        on a row sends nothing and says so."""
        self._one_output("use_as_expected")
        self._expected_outputs.use(datapoint_id, force=force, undoable=undoable)

    def add_to_dataset(
        self, datapoint_id: str, dataset_id: str, *, use: str = "output", wait: bool = True, timeout: float = 120
    ) -> Any:
        """Copy a row into another dataset (a regressions set, say): its input (inputs and messages) with
        the chosen text as the expected output: the row's output (`use="output"`) or the correction given
        on it (`use="correction"`). Through the write path (made exactly once); returns the new datapoint
        (`wait=False`: the write's handle). Overmind: the other dataset's next version holds it."""
        if use not in ("output", "correction"):
            raise ValueError(f"use must be 'output' or 'correction', not {use!r}")
        self._one_output("add_to_dataset")
        if not isinstance(dataset_id, str) or not dataset_id:
            raise ValueError("dataset_id: the dataset to add the row to is required")
        with self._lock:
            row = self._row(datapoint_id)
            name = self._row_name(datapoint_id)
            if use == "output":
                if row.generation is None or row.generation.state != "done":
                    raise ValueError(f"{name} has no output to add yet")
                text = _text(row.generation.output)
            else:
                given = row.feedback.get("correction")
                if given is None or given.state == "failed" or not isinstance(given.value, str) or not given.value:
                    raise ValueError(f"{name} has no correction to add: give one first")
                text = given.value
        handle = self._adding.add(row, name, dataset_id, text, use)
        if not wait:
            return handle
        made = handle.result(timeout)
        return made[0] if isinstance(made, list) else made

    def _list_targets(self) -> None:
        """The datasets a row may be added to (the open one excluded), for the row action's list."""
        self.add_targets = self._adding.list_targets(self.dataset_id)

    def undo(self, datapoint_id: str | None = None) -> None:
        """Undo the last "use as expected" (of that row, given its id): the expected output it replaced goes
        back through the same write path (orq: a PATCH; Overmind: the staged edit is taken back, or the old
        value staged)."""
        self._expected_outputs.undo(datapoint_id)

    def _row_name(self, datapoint_id: str) -> str:
        """'Row 3' (its place in the dataset as paged here), or 'Datapoint <id>' off the loaded pages."""
        row = self._rows_by_id.get(datapoint_id)
        page = self.pages.cached(row.page) if row is not None else None
        if row is not None and page is not None:
            for index, dp in enumerate(page.items):
                if dp.id == datapoint_id:
                    return f"Row {(row.page - 1) * self.page_size + index + 1}"
        return f"Datapoint {datapoint_id}"

    def resolve(self, datapoint_id: str, keep: str) -> None:
        """After a conflict on "use as expected": keep "mine" (overwrite) or "theirs" (take the server's)."""
        self._expected_outputs.resolve(datapoint_id, keep)

    def save_version(self, make_active: bool = False, wait: bool = True, timeout: float = 300) -> Any:
        """Overmind: save the staged expected outputs as a new version of the dataset. A write on the
        write path (kept, retried, never posted twice); returns the new version (`wait=False`: the
        write's handle). Each version is the dataset this review opened plus every output used as
        expected so far, so the newest version holds them all."""
        return self._expected_outputs.save_version(make_active, wait, timeout)

    def agreement(self, evaluator: str, property: str = "rating") -> Any:
        """How far an evaluator of this review agrees with the feedback people gave on the same rows.

        Thumbs are compared with `passed`, a score with a number verdict (or `passed`), a choice with the
        verdict's label. Returns an `Agreement`: `n`, `agreement` (0..1), Cohen's `kappa`, the `confusion`
        table and the `disagreements` (datapoint ids); the toolbar's "disagree" filter shows those rows."""
        if self._judging is None:
            raise ValueError("agreement: this review runs no evaluators (pass evaluators=[...])")
        with self._lock:
            return self._judging.agreement(evaluator, property, [self._rows_by_id[k] for k in self._order], self._kinds)

    def retry_judge(self, datapoint_id: str, evaluator: str) -> None:
        """Ask an evaluator again for its verdict on a row (after a failure to judge)."""
        if self._judging is None:
            raise ValueError("retry_judge: this review runs no evaluators")
        self._row(datapoint_id)
        self._judging.retry(datapoint_id, self._judging.key_for(evaluator))

    def _sort_changed(self, change: dict[str, Any]) -> None:
        if change["new"] and (self._judging is None or change["new"] not in self._judging.keys):
            self.sort_by = ""  # only an evaluator of this review sorts (a stale name from the front end does not)

    def close(self) -> None:
        for judging in (getattr(self, "_judging", None), getattr(self, "_variant_judging", None)):
            if judging is not None:
                judging.close()
        engine = getattr(self, "_engine", None)  # absent when __init__ refused its arguments
        if engine is not None:
            engine.close()
        super().close()

    # --- intents --------------------------------------------------------------------------------

    def handle(self, message: dict[str, Any]) -> None:
        # a notice answers the last action: the next one replaces it (or clears it), never leaves it stale
        self.notice = ""
        super().handle(message)

    def intents(self) -> dict[str, Callable[[dict[str, Any]], Any]]:
        return {
            "page": lambda m: self._go(self.page_number + (1 if m["to"] == "next" else -1), False),
            "rerun": lambda m: self.rerun(m.get("datapoint_id")),
            "run": lambda m: {"queued": self.run_page()},
            "cancel": lambda m: {"dropped": self.cancel()},
            "feedback": lambda m: self.feedback(m["datapoint_id"], m["property"], m["value"]),
            "use_expected": lambda m: self.use_as_expected(m["datapoint_id"]),
            "add_to_dataset": lambda m: (
                self.add_to_dataset(m["datapoint_id"], m["dataset_id"], use=m.get("use", "output"), wait=False) and None
            ),
            "list_targets": lambda m: self._list_targets(),
            "undo": lambda m: self.undo(m.get("datapoint_id")),
            "resolve": lambda m: self.resolve(m["datapoint_id"], m["keep"]),
            "save_version": lambda m: self.save_version(bool(m.get("make_active")), wait=False) and None,
            "retry": lambda m: self.client.outbox.retry_now(),
            "retry_judge": lambda m: self.retry_judge(m["datapoint_id"], m["evaluator"]),
            "prefer": lambda m: self.prefer(
                m["datapoint_id"], side_name(self._order_of(m["datapoint_id"]), m["choice"])
            ),
            "undo_preference": lambda m: self.undo_preference(m.get("datapoint_id")),
            "reveal": lambda m: self.reveal(m.get("datapoint_id")),
            "hide": lambda m: self.hide(m.get("datapoint_id")),
            "retry_variant_judge": lambda m: self._variant_judging.retry(  # type: ignore[union-attr]
                f"{m['datapoint_id']}\x1f{m['variant']}", m["evaluator"]
            ),
        }

    # --- loading pages --------------------------------------------------------------------------

    def _go(self, number: int, wait: bool) -> None:
        if number < 1:
            raise ValueError("this is the first page")
        self.pages.go(number, wait, quiet=True)  # a failure is said in `error`

    def _prefetch_toggled(self, change: dict[str, Any]) -> None:
        if change["new"] and self.pages.page is not None:
            self.pages.send_ahead()

    # --- state ----------------------------------------------------------------------------------

    def _row(self, datapoint_id: str) -> Row:
        row = self._rows_by_id.get(datapoint_id)
        if row is None:
            raise ValueError(f"datapoint_id: {datapoint_id!r} is not a datapoint of this review's loaded pages")
        return row

    def _replace(self, datapoint: Any) -> None:
        row = self._rows_by_id.get(datapoint.id)
        if row is not None:
            row.datapoint = datapoint
        for page in self.pages.loaded():
            for index, dp in enumerate(page.items):
                if dp.id == datapoint.id:
                    page.items[index] = datapoint

    def _generation_changed(self, key: str, generation: Generation | None) -> None:
        generation_changed(self, key, generation)

    def _publish(self) -> None:
        """Copy what the page on show needs into the traits (one sync message)."""
        publish(self)

    def _summary(self) -> str:
        if self._variants is not None:
            return self._variants_summary()
        return summary(list(self._rows_by_id.values()), self._judging)

    def _result(self, row: Row) -> dict[str, Any]:
        return {
            **result(row, self._judging),
            **(self._variant_result(row.datapoint.id) if self._variants is not None else {}),
        }
