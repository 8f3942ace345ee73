"""EvaluatorForm: open, validate and save an orq LLM evaluator (a single judge or a jury).

The form's values live in one trait, `draft` (the evaluator in the API's shape), which the front end
edits; the kernel answers each change with `problems` (the API's constraints, checked here before any
request) and `dirty`. Save sends only the fields that changed; the server's refusals land on the
fields they name, anything else in a banner; the draft is never lost.
"""

from __future__ import annotations

import concurrent.futures
import copy
from collections.abc import Callable
from typing import Any

import traitlets

from ..client import ApiError, OrqClient
from ..models import Evaluator, evaluator_problems, template_variables
from ._base import STATIC, Widget, describe, run_in_background

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
SUGGESTED_MODELS = [
    "openai/gpt-4o",
    "openai/gpt-4o-mini",
    "openai/gpt-4.1",
    "openai/o3-mini",
    "anthropic/claude-sonnet-4-5",
    "anthropic/claude-haiku-4-5",
    "google/gemini-2.5-pro",
    "google/gemini-2.5-flash",
    "mistral/mistral-large-latest",
]


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
    draft = traitlets.Dict().tag(sync=True)  # the user's values (survive a re-display)
    original = traitlets.Dict().tag(sync=True)  # the server's values
    problems = traitlets.Dict().tag(sync=True)  # {field path: message}, checked before any request
    server_problems = traitlets.Dict().tag(sync=True)  # the server's refusals, on the fields they name
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

    def __init__(self, client: OrqClient | None = None, evaluator_id: str | None = None, path: str = "Default") -> None:
        super().__init__(client, flavour="orq")
        if not isinstance(self.client, OrqClient):
            raise TypeError("evaluators are an orq.ai API: pass an orq client (Client.orq() or Client.sandbox())")
        self._path = path
        self._save_callbacks: list[Callable[[Evaluator], None]] = []
        self._rejected: dict[str, Any] = {}  # the draft the server last refused
        self.observe(self._on_draft, ["draft", "original"])
        if evaluator_id:
            self.evaluator_id = evaluator_id
            self.reload(wait=False)
        else:
            self.original = {}
            self.draft = blank(path)

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
        """The evaluator with the user's edits (raises a pydantic ValidationError while they are invalid)."""
        body = dict(self.draft)
        if body.get("mode") == "single":
            body["jury"] = None
        return Evaluator.model_validate({**body, "_id": self.evaluator_id})

    @value.setter
    def value(self, evaluator: Evaluator | dict[str, Any]) -> None:
        self.draft = as_draft(Evaluator.model_validate(evaluator), self._path)

    def save(self, wait: bool = True, timeout: float = 120):
        """Send the changed fields (or create the evaluator); returns the saved Evaluator."""
        if self.problems:
            raise ValueError("the form has problems: " + "; ".join(f"{k}: {v}" for k, v in self.problems.items()))
        if self.saving:
            raise RuntimeError("a save is already in progress")
        self.saving, self.banner, self.notice, self.server_problems = True, "", "", {}
        future = run_in_background(self._save_worker, copy.deepcopy(self.draft))
        return future.result(timeout) if wait else future

    def reset(self) -> None:
        """Back to the server's values."""
        self.draft = copy.deepcopy(self.original) if self.original else blank(self._path)
        self.server_problems, self.banner = {}, ""

    def reload(self, wait: bool = True) -> concurrent.futures.Future | None:
        """Load the evaluator again from the service (drops unsaved edits)."""
        if not self.evaluator_id:
            raise ValueError("a new evaluator has nothing to reload")
        self.loading = True

        def load() -> None:
            try:
                evaluator = self.client.get_evaluator(self.evaluator_id)
                fresh = as_draft(evaluator, self._path)
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
            future.result(60)
            return None
        return future

    def on_save(self, callback: Callable[[Evaluator], None]) -> None:
        self._save_callbacks.append(callback)

    # --- intents and reactions ----------------------------------------------------------------------

    def intents(self):
        return {
            "save": self._intent_save,
            "reset": lambda m: self.reset(),
            "reload": self._intent_reload,
        }

    def _intent_save(self, message: dict[str, Any]) -> None:
        self.save(wait=False)

    def _intent_reload(self, message: dict[str, Any]) -> None:
        self.reload(wait=False)

    def _on_draft(self, change: dict[str, Any]) -> None:
        draft = self.draft
        with self.hold_sync():
            self.problems = evaluator_problems(draft, creating=self.evaluator_id is None)
            self.dirty = not self.original or bool(changed_fields(self.original, draft))
            self.variables = template_variables(str(draft.get("prompt") or ""))
            # a field the user changed no longer carries the server's old complaint about it
            self.server_problems = (
                {k: v for k, v in self.server_problems.items() if _value_at(draft, k) == _value_at(self._rejected, k)}
                if self.server_problems
                else {}
            )

    def _save_worker(self, draft: dict[str, Any]) -> Evaluator:
        try:
            if self.evaluator_id is None:
                body = {k: v for k, v in draft.items() if not (k == "jury" and draft.get("mode") == "single")}
                saved = self.client.create_evaluator(body, path=draft.get("path") or self._path)
            else:
                changes = changed_fields(self.original, draft)
                increment = self.version_increment if self.version_increment != "none" else None
                saved = self.client.update_evaluator(
                    self.evaluator_id,
                    changes,
                    version_increment=increment,
                    version_description=self.version_description or None,
                )
        except ApiError as error:
            self._rejected = copy.deepcopy(draft)
            fields = {path: " ".join(messages) for path, messages in error.field_errors.items()}
            with self.hold_sync():
                self.server_problems = fields
                self.banner = "" if fields else f"Not saved: {error}"
                self.saving = False
            raise
        except Exception as error:
            self.banner, self.saving = f"Not saved: {describe(error)['message']}", False
            raise
        fresh = as_draft(saved, self._path)
        with self.hold_sync():
            self.evaluator_id = saved.id
            self.original = fresh
            # a single judge's form keeps the jury it had, so switching back finds it
            self.draft = {**copy.deepcopy(fresh), "jury": fresh["jury"] or draft.get("jury")}
            self.version = getattr(saved, "version", None)
            self.version_description = ""
            self.notice = "Saved" + (f" as version {self.version}" if self.version else "")
            self.saving = False
        for callback in self._save_callbacks:
            callback(saved)
        return saved


def _value_at(data: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data
