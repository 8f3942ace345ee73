"""The Python/JS contract of the widgets, declared once: the shapes of the synced dict traits.

Each synced `Dict` / `List(Dict)` trait names its shape in its declaration (`.tag(sync=True, shape=...)`); the
Python that builds a value is typed with it (mypy checks it); tests/unit/test_contract.py holds that every such
trait has one, and each JS file of a bundle against its class. The words and enums the views are sent instead
of typing them again are in _words.py.

A mapping keyed by datapoint id (or by dataset, property, evaluator) is `dict[str, Shape]`; a key the front end
may lack is in a `total=False` part. What the front end sends back (a draft, a layout) is typed where Python
reads it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict, cast

# --- every widget ----------------------------------------------------------------------------------


class _PendingItem(TypedDict):
    seq: int
    kind: str
    what: str  # the kind in words
    state: str
    message: str


class PendingItem(_PendingItem, total=False):
    """One of the client's open writes, as the pending-writes list shows it (`pending_item`)."""

    mine: bool  # written by this widget
    attempts: int
    dataset_id: str
    datapoint_id: str
    trace_id: str
    evaluator_id: str
    fields: list[str]
    count: int
    page: int  # the grid's: where the row is
    row: int
    here: bool  # the grid's: a row of the dataset on show (the grid can go to it)


class PendingWrites(TypedDict, total=False):
    """`Widget.pending_writes`: the client's open writes, from every widget on it ({} before the first)."""

    count: int
    items: list[PendingItem]


# --- the grid --------------------------------------------------------------------------------------


class Described(TypedDict):
    """An error as plain data (`describe`): spread into the states that failed."""

    message: str  # in a person's words
    detail: str  # the technical line
    status: int | None
    fields: dict[str, Any]
    reason: str  # the service's own words


class _State(TypedDict):
    state: str


class WriteStatus(_State, total=False):
    """A write's state as a widget shows it (`write_status`): a row's, a form's, a version's; with
    `Described` when it failed or is retried."""

    message: str
    detail: str
    status: int | None
    fields: dict[str, Any]
    reason: str
    attempts: int  # retrying: the tries so far


class RowStatus(WriteStatus, total=False):
    """`DatasetGrid.row_status[datapoint id]`: a row's edit."""

    draft: dict[str, Any]  # the fields as typed, not saved yet
    newer: str | None  # another widget saved a newer value meanwhile (its time)
    server: dict[str, Any]  # a conflict: the service's values of the fields edited
    server_updated: str | None  # a conflict: when the service's values were saved
    updated: str | None  # saved or updated: when


class Schema(TypedDict):
    """`DatasetGrid.schema`: what the dataset source says its rows are (`DatasetSource.schema()`)."""

    columns: list[dict[str, Any]]  # client/datasets.py Column: key, title, kind, editable
    editable: list[str]
    paging: str  # "cursor" | "number"
    orderings: list[dict[str, str]]  # {value, label}
    find: str  # "server" (the service searches) | "scan" (the grid reads pages)
    save: str  # "patch" (each edit saved) | "version" (edits staged, saved as a new version)
    max_page_size: int


class VersionStanding(TypedDict, total=False):
    """`DatasetGrid.version_standing`: the agent's newest version, and whether the one shown is active."""

    newest: int | None
    active: bool | None


class ColumnLayout(TypedDict, total=False):
    """`DatasetGrid.column_layout[dataset id]`: set by the front end (the kernel keeps it per dataset)."""

    widths: dict[str, int]
    hidden: list[str]
    order: list[str]


class Find(TypedDict, total=False):
    """`DatasetGrid.find`: a look-up across pages (the Find bar)."""

    query: str
    by_id: bool  # a datapoint id: the first hit is opened
    running: bool
    complete: bool
    cancelled: bool
    rows: int  # read so far
    total: int | None
    start_page: int
    hits: list[dict[str, Any]]  # {page, row, id, field, before, match, after}
    error: str


class Selecting(TypedDict, total=False):
    """`DatasetGrid.selecting`: "Select all" across pages."""

    running: bool
    all: bool
    count: int
    error: str


class Bulk(TypedDict, total=False):
    """`DatasetGrid.bulk`: a delete, replace or paste of many rows, while it is written (and `Described`)."""

    action: str
    count: int
    state: str
    message: str
    detail: str
    status: int | None
    fields: dict[str, Any]
    reason: str


class VersionChanges(TypedDict, total=False):
    """`DatasetGrid.version_changes`: new datapoints and removals staged for the next version."""

    added: int
    removed: list[str]


class ReplacePreview(TypedDict, total=False):
    """`DatasetGrid.replace_preview`: what Replace would change, before it does."""

    find: str
    replace: str
    field: str | None
    scope: str
    count: int
    changes: list[dict[str, Any]]  # {id, before, after}, the first few


class PastePreview(TypedDict, total=False):
    """`DatasetGrid.paste_preview`: what a paste would add or change, before it does."""

    mode: str
    count: int
    rows: list[dict[str, Any]]  # {fields, id?, before?}, the first few


class Picker(TypedDict, total=False):
    """`DatasetGrid.picker`: the datasets (orq), agents or an agent's versions (Overmind) to open one from."""

    kind: str  # "datasets" | "agents" | "versions"
    search: str
    items: list[dict[str, Any]]  # {id, name, count, active?}
    more: bool
    agent: str
    agent_id: str
    error: str


# --- the review --------------------------------------------------------------------------------------


class FeedbackKind(TypedDict):
    """`ExperimentReview.feedback_kinds[i]`: one property's control (`FeedbackControl.to_json`)."""

    property: str
    kind: str  # models/feedback.py FEEDBACK_KINDS
    options: list[str]
    score_min: float
    score_max: float
    score_step: float
    label: str


class GivenFeedback(TypedDict):
    """`ExperimentReview._feedback[datapoint id][property]`, `_preferences[datapoint id]`."""

    value: Any
    state: str  # pending | retrying | sent | failed
    message: str


class _ReviewRow(TypedDict):
    id: str | None  # a stored datapoint's: always set
    inputs: dict[str, Any]
    messages: list[Any]
    expected_output: str | None


class ReviewRow(_ReviewRow, total=False):
    """`ExperimentReview._rows[i]`: a datapoint as the review shows it."""

    updated: str | None  # orq's: when it was saved


class _Generation(TypedDict):
    state: str  # queued | running | done | error
    output: Any
    trace_id: str | None
    metadata: Any
    error: str | None
    runs: int


class GenerationState(_Generation, total=False):
    """A generation (`Generation.to_json`): `ExperimentReview._generations[datapoint id]`, a compare column's."""

    feedback_off: str  # the review's: done without a trace id, why the row takes no feedback


class Progress(TypedDict):
    """`ExperimentReview.progress`: this page's generations by state."""

    queued: int
    running: int
    done: int
    error: int
    rows: int


class Target(TypedDict):
    """`ExperimentReview.add_targets[i]`: a dataset a row may be added to."""

    id: str
    name: str


class EvaluatorInfo(TypedDict):
    """`ExperimentReview.evaluators_info[i]`."""

    key: str
    id: str | None
    version: Any
    output_type: str
    labels: list[str]
    tie_value: str | None  # a jury's verdict on an even split (shown as a tie), else None


class JudgeSummary(TypedDict):
    """`ExperimentReview.judge_summary[i]`: one evaluator over the page."""

    key: str
    judged: int
    passed: int
    errors: int
    pass_rate: float | None
    mean: float | None


class ExpectedState(TypedDict, total=False):
    """`ExperimentReview._expected[datapoint id]`: a "use as expected" and its write (and `Described`)."""

    state: str  # pending | retrying | saved | staged | conflict | failed
    value: str  # the expected output written (or staged)
    message: str
    undo: bool  # an undo's own write
    replaced: str | None  # the expected output it replaced (what an undo puts back)
    server_value: Any  # a conflict: the service's value now


class AddedState(TypedDict, total=False):
    """`ExperimentReview._added[datapoint id]`: an "Add to dataset…" and its write (and `Described`)."""

    state: str
    dataset: str
    use: str  # what became the new datapoint's expected output
    message: str


class VersionSave(WriteStatus, total=False):
    """`version_save` (grid and review): a new version's write while it is not saved."""

    make_active: bool  # the grid's: the version becomes active
    edits: int  # the grid's: how many datapoints it holds changed


class VerdictState(TypedDict):
    """`ExperimentReview._verdicts[datapoint id][evaluator key]`: one evaluator's verdict on a row."""

    value: Any
    passed: bool | None
    status: str | None
    explanation: str | None
    trace_id: str | None
    state: str  # queued | running | done | error
    error: str | None


class CompareColumn(TypedDict):
    """`ExperimentReview._columns[datapoint id][i]`: one variant's output on a row, as its column shows it."""

    label: str  # "Left" | "Right" | "Column n" while blind, else the variant's name
    name: str | None  # None while hidden
    generation: GenerationState | None
    verdicts: dict[str, VerdictState]  # by evaluator key


class CompareFlags(TypedDict):
    """`ExperimentReview._compare_flags[datapoint id]`: what the compare filter selects by."""

    differ: bool
    differ_text: bool
    disagree: bool


class TryStatus(TypedDict, total=False):
    """`EvaluatorForm.try_status`: a "Try it" run on a dataset or a deployment's outputs."""

    state: str  # idle | running | done | error
    version: str | None
    changed: Any
    failed: int
    message: str
    dataset_id: str  # and the rest of what it runs on (its setup)
    deployment: str | None
    limit: int
    page: int


class TryOptions(TypedDict, total=False):
    """`EvaluatorForm.try_options`: what "Try it" can run on."""

    datasets: list[Target]
    deployments: list[str]


# The shapes named by trait declarations whose keys are the service's or a user's (a datapoint's wire form,
# an evaluator draft, an agreement's figures, a comparison table): their keys are read where they are made.
Wire = dict[str, Any]


def plain(value: Mapping[str, Any]) -> dict[str, Any]:
    """A shaped value where a plain dict is taken (a synced trait, a status callback): its keys were checked
    where it was built. No copy."""
    return cast("dict[str, Any]", value)
