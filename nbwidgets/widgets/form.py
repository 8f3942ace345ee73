"""EvaluatorForm: open, validate and save an orq LLM evaluator (a single judge or a jury).

The form's values live in one trait, `draft` (the evaluator in the API's shape), which the front end
edits; the kernel answers each change with `problems` (the API's constraints, checked here before any
request) and `dirty`. Save sends only the fields that changed; the server's refusals land on the
fields they name, anything else in a banner; the draft is never lost.
"""

from __future__ import annotations

import concurrent.futures
import copy
import re
from collections.abc import Callable
from typing import Any, cast

import traitlets
from pydantic import ValidationError as PydanticValidationError

from ..client import ApiError, OrqClient, checks
from ..client.writes import WriteHandle
from ..models import Evaluator, evaluator_problems, template_variables
from ._base import STATIC, Widget, WriteStatuses, describe, segment_id
from ._contract import Target, TryOptions, TryStatus, Wire, plain
from ._trying import Trial
from ._waiting import outcome, run_in_background, wait_for_load
from ._words import SUGGESTED_MODELS, EvaluatorVocabulary, evaluator_vocabulary

FORM_FIELDS = (
    "key",
    "description",
    "path",
    "output_type",
    "mode",
    "model",
    "prompt",
    "repetitions",
    "guardrail_config",
    "categorical_labels",
    "jury",
)


# How the form names each field in a sentence (paths as in `evaluator_problems`; N is a 0-based index).
FIELD_NAMES = {
    "key": "The key",
    "path": "The path",
    "description": "The description",
    "output_type": "The output type",
    "repetitions": "Repetitions",
    "model": "The model",
    "prompt": "The prompt",
    "jury.judges": "The jury",
    "jury.min_successful_judges": "Min successful judges",
    "jury.tie_value": "The tie value",
    "guardrail_config.value": "The guardrail's value",
    "guardrail_config.operator": "The guardrail's operator",
    "guardrail_config.values": "The passing labels",
    "categorical_labels": "The labels",
}
_GROUP_NAMES = {"judges": "Judge", "replacement_judges": "Replacement judge"}
_JUDGE_PARTS = {
    "model": "model",
    "retry.count": "retries",
    "retry.on_codes": "retry status codes",
    "fallbacks": "fallbacks",
}
_KEY_FORM = "The key can hold letters, digits, _ and -, and starts and ends with a letter or digit"
# pydantic's words -> the form's (checked in order; {name} is the field's name, {0}... the numbers)
_WORDS = [
    (r"Input should be less than or equal to (\S+)", "{name} can be at most {0}"),
    (r"Input should be greater than or equal to (\S+)", "{name} must be at least {0}"),
    (r"Input should be less than (\S+)", "{name} must be less than {0}"),
    (r"Input should be greater than (\S+)", "{name} must be more than {0}"),
    (r"Input should be a valid integer, got a number with a fractional part", "{name} must be a whole number"),
    (r"Input should be a valid integer.*", "{name} must be a whole number"),
    (r"Input should be a valid number.*", "{name} must be a number"),
    (r"Input should be a valid string.*", "{name} must be text"),
    (r"Input should be a valid boolean.*", "{name} must be true or false"),
    (r"Input should be a valid list.*", "{name} must be a list"),
    (r"Field required", "{name} is required"),
    (r"String should have at least 1 character", "{name} is required"),
    (r"String should have at least (\d+) characters", "{name} needs at least {0} characters"),
    (r"String should have at most (\d+) characters", "{name} can have at most {0} characters"),
    (r"List should have at least (\d+) items?.*", "{name} needs at least {0}"),
    (r"Input should be (.+)", "{name} must be {0}"),
]


def field_name(path: str) -> str:
    """A field as a sentence names it: "Repetitions", "Judge 2's retries", "Label 1"."""
    if path in FIELD_NAMES:
        return FIELD_NAMES[path]
    parts = path.split(".")
    if len(parts) >= 4 and parts[0] == "jury" and parts[1] in _GROUP_NAMES and parts[2].isdigit():
        judge = f"{_GROUP_NAMES[parts[1]]} {int(parts[2]) + 1}"
        return f"{judge}'s {_JUDGE_PARTS.get('.'.join(parts[3:]), parts[-1].replace('_', ' '))}"
    if len(parts) >= 2 and parts[0] == "categorical_labels" and parts[1].isdigit():
        return f"Label {int(parts[1]) + 1}"
    return parts[-1].replace("_", " ").capitalize()


def in_form_words(path: str, message: str, draft: dict[str, Any]) -> str:
    """A problem in the form's own sentence: pydantic's "Input should be less than or equal to 3" on
    repetitions says "Repetitions can be at most 3"; an empty key says "A key is required"."""
    if path == "key":
        if not str(draft.get("key") or "").strip():
            return "A key is required"
        if message.startswith("String should match pattern"):
            return _KEY_FORM
    name = field_name(path)
    for pattern, words in _WORDS:
        found = re.fullmatch(pattern, message)
        if found:
            return words.format(*found.groups(), name=name)
    return message[:1].upper() + message[1:]  # the form's own rules already speak in sentences


def blank(path: str) -> dict[str, Any]:
    return {
        "key": "",
        "description": "",
        "path": path,
        "output_type": "boolean",
        "mode": "single",
        "model": "openai/gpt-4o",
        "prompt": "",
        "repetitions": 1,
        "guardrail_config": None,
        "categorical_labels": None,
        "jury": None,
    }


def as_draft(evaluator: Evaluator, path: str) -> dict[str, Any]:
    wire = evaluator.model_dump(mode="json", by_alias=True)
    draft = {field: wire.get(field) for field in FORM_FIELDS}
    draft["path"] = draft.get("path") or path
    draft["repetitions"] = draft.get("repetitions") or 1
    return draft


def changed_fields(original: dict[str, Any], draft: dict[str, Any]) -> dict[str, Any]:
    """The top-level fields whose value differs (what a PATCH must carry)."""
    changes = {k: draft.get(k) for k in FORM_FIELDS if draft.get(k) != original.get(k)}
    if draft.get("mode") == "single":
        changes.pop("jury", None)  # the jury is kept in the draft for switching back, not sent
        if "mode" in changes:
            changes["model"] = draft.get("model")
    elif "mode" in changes:
        changes["jury"] = draft.get("jury")
    return changes


class EvaluatorForm(Widget):
    """Edit an LLM evaluator: `EvaluatorForm(client, evaluator_id)`, or a new one without an id."""

    _esm = STATIC / "form.js"
    _css = STATIC / "form.css"

    evaluator_id = traitlets.Unicode(None, allow_none=True).tag(sync=True)
    draft = traitlets.Dict().tag(sync=True, shape=Wire)  # the user's values (survive a re-display)
    original = traitlets.Dict().tag(sync=True, shape=Wire)  # the server's values
    problems = traitlets.Dict().tag(sync=True, shape=dict[str, str])  # checked before any request
    server_problems = traitlets.Dict().tag(
        sync=True, shape=dict[str, str]
    )  # the server's refusals, on the fields they name
    banner = traitlets.Unicode("").tag(sync=True)  # errors that belong to no field
    notice = traitlets.Unicode("").tag(sync=True)
    dirty = traitlets.Bool(False).tag(sync=True)
    saving = traitlets.Bool(False).tag(sync=True)
    loading = traitlets.Bool(False).tag(sync=True)
    version = traitlets.Unicode(None, allow_none=True).tag(sync=True)
    version_increment = traitlets.Unicode("patch").tag(sync=True)  # none | patch | minor | major
    version_description = traitlets.Unicode("").tag(sync=True)
    variables = traitlets.List(traitlets.Unicode()).tag(sync=True)
    suggested_models = traitlets.List(traitlets.Unicode(), default_value=SUGGESTED_MODELS).tag(sync=True)
    # "Try it" (see _trying.py): the saved version's verdicts on a page of a dataset
    try_rows = traitlets.List(traitlets.Dict()).tag(sync=True, shape=list[Wire])
    try_status = traitlets.Dict({"state": "idle"}).tag(sync=True, shape=TryStatus)
    try_options = traitlets.Dict().tag(sync=True, shape=TryOptions)
    # the evaluator's enums and defaults (models/orq.py): the view offers these, and types none of its own
    vocabulary = traitlets.Dict(plain(evaluator_vocabulary())).tag(sync=True, shape=EvaluatorVocabulary)  # to pick from

    def __init__(self, client: OrqClient | None = None, evaluator_id: str | None = None, path: str = "Default") -> None:
        super().__init__(client, flavour="orq")
        if "evaluators" not in self._client.capabilities:  # what the client offers, not its class
            raise TypeError("evaluators are an orq.ai API: pass an orq client (Client.orq() or Client.sandbox())")
        self._path = path
        self._save_callbacks: list[Callable[[Evaluator], None]] = []
        self._rejected: dict[str, Any] = {}  # the draft the server last refused
        self._statuses = WriteStatuses(self._show)
        self._trial = Trial(self.client, self._show_trial)
        self.observe(self._on_draft, ["draft", "original"])
        self._loads = 0  # a load applies only while it is the newest one asked for
        self._first_load: concurrent.futures.Future[None] | None = None
        if evaluator_id is not None:
            self.evaluator_id = segment_id("evaluator_id", evaluator_id)
            self._first_load = self.reload(wait=False)
        else:
            self.original = {}
            self.draft = blank(path)

    @property
    def client(self) -> OrqClient:
        return cast(OrqClient, self._client)  # checked in __init__

    @classmethod
    def of(cls, evaluator: Evaluator, client: OrqClient | None = None) -> EvaluatorForm:
        """A form showing an evaluator already loaded (no request), e.g. for display()."""
        form = cls(client)
        fresh = as_draft(evaluator, form._path)
        with form.hold_sync():
            form.evaluator_id = evaluator.id
            form.original, form.draft = fresh, copy.deepcopy(fresh)
            form.version = getattr(evaluator, "version", None)
        return form

    # --- Python API -----------------------------------------------------------------------------

    @property
    def value(self) -> Evaluator:
        """The evaluator with the user's edits (raises a pydantic ValidationError while they are invalid).
        Right after construction it waits for the evaluator to load (bounded; its error if it failed)."""
        if self._first_load is not None:
            wait_for_load(self._first_load, f"evaluator {self.evaluator_id}")
        body = dict(self.draft)
        if body.get("mode") == "single":
            body["jury"] = None
        return Evaluator.model_validate({**body, "_id": self.evaluator_id})

    @value.setter
    def value(self, evaluator: Evaluator | dict[str, Any]) -> None:
        if not isinstance(evaluator, (Evaluator, dict)):
            raise TypeError(f"value must be an Evaluator (or its dict), not {type(evaluator).__name__}")
        try:
            model = Evaluator.model_validate(evaluator)
        except PydanticValidationError as error:
            raise checks.pydantic_words(error, "value (the evaluator)") from None
        self.draft = as_draft(model, self._path)

    def save(self, wait: bool = True, timeout: float = 120) -> Evaluator | WriteHandle:
        """Send the changed fields (or create the evaluator); returns the saved Evaluator, or with
        `wait=False` the write's handle. Retried in the background until the service answers."""
        checks.timeout("timeout", timeout)
        if self.problems:
            raise ValueError("the form has problems: " + "; ".join(f"{k}: {v}" for k, v in self.problems.items()))
        if self.saving:
            raise RuntimeError("a save is already in progress")
        draft = copy.deepcopy(self.draft)
        self.saving, self.banner, self.notice, self.server_problems = True, "", "", {}
        try:
            if self.evaluator_id is None:
                body = {k: v for k, v in draft.items() if not (k == "jury" and draft.get("mode") == "single")}
                handle = self.client.queue_evaluator_creation(body, path=draft.get("path") or self._path)
            else:
                increment = self.version_increment if self.version_increment != "none" else None
                handle = self.client.queue_evaluator_update(
                    self.evaluator_id,
                    changed_fields(self.original, draft),
                    version_increment=increment,
                    version_description=self.version_description or None,
                    expected_version=self.version,
                    path=draft.get("path") or None,
                )
        except Exception as error:  # refused before any request (a bad value): the draft stays
            self.saving, self.banner = False, f"Not saved: {describe(error)['message']}"
            raise
        handle.on_change(lambda h: self._settled(h, draft))
        self._statuses.follow("save", handle)
        return cast(Evaluator, outcome(handle, timeout, "The save")) if wait else handle

    def reset(self) -> None:
        """Back to the server's values."""
        self.draft = copy.deepcopy(self.original) if self.original else blank(self._path)
        self.server_problems, self.banner = {}, ""

    def reload(self, wait: bool = True) -> concurrent.futures.Future[None] | None:
        """Load the evaluator again from the service (drops unsaved edits)."""
        if not self.evaluator_id:
            raise ValueError("a new evaluator has nothing to reload")
        self.loading = True
        self._loads += 1
        generation, evaluator_id = self._loads, self.evaluator_id

        def load() -> None:
            try:
                evaluator = self.client.get_evaluator(evaluator_id)
                fresh = as_draft(evaluator, self._path)
                if generation != self._loads:
                    return  # a newer reload was asked for: its answer is the one to show
                with self.hold_sync():
                    self.original, self.draft = fresh, copy.deepcopy(fresh)
                    self.version = getattr(evaluator, "version", None)
                    self.banner, self.server_problems = "", {}
            except Exception as error:
                self.banner = "Could not load the evaluator: " + describe(error)["message"]
                raise
            finally:
                self.loading = False

        future = run_in_background(load)
        if wait:
            wait_for_load(future, f"evaluator {evaluator_id}")
            return None
        return future

    def try_on(
        self, dataset_id: str, *, deployment: str | None = None, limit: int = 10, page: int = 1, wait: bool = True
    ) -> list[dict[str, Any]] | concurrent.futures.Future[list[dict[str, Any]]]:
        """Run the saved evaluator on `limit` rows (page `page`) of a dataset and return each row's verdict.

        What is graded: the datapoints' expected outputs, or with `deployment=` that deployment's answers
        (generated once per row, and graded against the expected outputs). After each save the new version
        runs on the same rows, and rows whose verdict changed are marked (`changed`, with the verdict `before`).
        Invoking runs stored evaluators: a draft with unsaved changes must be saved first."""
        Trial.check(dataset_id, deployment, limit, page)
        if self.evaluator_id is None:
            raise ValueError("try_on: this evaluator is not saved yet; save it first (Try it runs the saved version)")
        if self._first_load is not None:
            wait_for_load(self._first_load, f"evaluator {self.evaluator_id}")
        if self.dirty:
            raise ValueError(
                "try_on: the draft has unsaved changes; save it first (Try it runs the saved version, not the draft)"
            )
        setup = {"dataset_id": dataset_id, "deployment": deployment, "limit": limit, "page": page}
        self._trial.setup = setup
        evaluator_id = self.evaluator_id
        if wait:
            return self._trial.run(evaluator_id, setup, self.version)
        return run_in_background(self._trial.run, evaluator_id, setup, self.version)

    def _show_trial(self, status: dict[str, Any], rows: list[dict[str, Any]]) -> None:
        with self.hold_sync():
            self.try_rows = rows
            self.try_status = status

    def _load_try_options(self) -> None:
        try:
            datasets: list[Target] = [
                {"id": d.id, "name": d.display_name} for d in self.client.list_datasets(limit=50).items
            ]
            deployments = [d.key for d in self.client.list_deployments(limit=50).items]
        except Exception as error:
            self.try_status = {"state": "error", "message": "Could not list datasets: " + describe(error)["message"]}
            return
        options: TryOptions = {"datasets": datasets, "deployments": deployments}
        self.try_options = plain(options)

    def _intent_try(self, message: dict[str, Any]) -> None:
        deployment = message.get("deployment") or None
        self.try_on(
            str(message.get("dataset_id") or ""),
            deployment=deployment,
            limit=int(message.get("limit") or 10),
            page=int(message.get("page") or 1),
            wait=False,
        )

    def on_save(self, callback: Callable[[Evaluator], None]) -> None:
        self._save_callbacks.append(checks.callable_("callback", callback))

    # --- intents and reactions ----------------------------------------------------------------------

    def intents(self) -> dict[str, Callable[[dict[str, Any]], Any]]:
        return {
            "save": self._intent_save,
            "reset": lambda m: self.reset(),
            "reload": self._intent_reload,
            "try": self._intent_try,
            "try_options": lambda m: run_in_background(self._load_try_options) and None,
        }

    def _intent_save(self, message: dict[str, Any]) -> None:
        # Ctrl+S is sent at once, with the draft as typed (its trait update may arrive after this message,
        # in marimo): the kernel, which then has the last keystrokes, decides, not the front end's `dirty`.
        draft = message.get("typed")
        if isinstance(draft, dict) and draft != self.draft and not self.saving:
            self.draft = draft
        if self.saving:
            raise ValueError("A save is already in progress: your changes are kept, save again once it is saved")
        if self.problems:
            count = len(self.problems)
            raise ValueError(f"Not saved: {count} problem{'s' if count > 1 else ''} to fix first (shown on the fields)")
        if not self.dirty:
            self.notice = "Nothing to save: the form holds what the service holds"
            return
        self.save(wait=False)

    def _intent_reload(self, message: dict[str, Any]) -> None:
        self.reload(wait=False)

    def _on_draft(self, change: dict[str, Any]) -> None:
        draft = self.draft
        with self.hold_sync():
            self.problems = {
                path: in_form_words(path, message, draft)
                for path, message in evaluator_problems(draft, creating=self.evaluator_id is None).items()
            }
            self.dirty = not self.original or bool(changed_fields(self.original, draft))
            if self.dirty and not self.saving:
                self.notice = ""  # "Saved as version …" no longer describes what the form shows
            self.variables = template_variables(str(draft.get("prompt") or ""))
            # a field the user changed no longer carries the server's old complaint about it
            self.server_problems = (
                {k: v for k, v in self.server_problems.items() if _value_at(draft, k) == _value_at(self._rejected, k)}
                if self.server_problems
                else {}
            )

    def _settled(self, handle: WriteHandle, draft: dict[str, Any]) -> None:
        """What a finished save changes besides its status: the form's values and the callbacks."""
        if handle.state == "failed" and isinstance(handle.error, ApiError):
            self._rejected = copy.deepcopy(draft)
            self.server_problems = {path: " ".join(m) for path, m in handle.error.field_errors.items()}
        if handle.state != "saved":
            return
        saved = handle.value
        fresh = as_draft(saved, self._path)
        with self.hold_sync():
            self.evaluator_id = saved.id
            self.original = fresh
            if self.draft == draft:
                # a single judge's form keeps the jury it had, so switching back finds it
                self.draft = {**copy.deepcopy(fresh), "jury": fresh["jury"] or draft.get("jury")}
            # else: typed while it saved; those keystrokes stay (the form is dirty against the saved values)
            self.version = getattr(saved, "version", None)
            self.version_description = ""
        setup = self._trial.setup
        if setup is not None and saved.id:  # "Try it" was run: the new version runs on the same rows
            run_in_background(self._trial.run, saved.id, setup, self.version)
        for callback in self._save_callbacks:
            callback(saved)

    def _show(self, slot: str, status: dict[str, Any], handle: WriteHandle) -> None:
        state = status["state"]
        with self.hold_sync():
            self.saving = state in ("pending", "retrying")
            if state == "retrying":
                self.banner = f"Not saved yet, retrying in the background (your changes are kept): {status['message']}"
            elif state == "saved":
                self.banner = ""
                self.notice = "Saved" + (f" as version {self.version}" if self.version else "")
            elif state in ("failed", "conflict"):
                self.banner = "" if self.server_problems else f"Not saved: {status['message']}"


def _value_at(data: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data
