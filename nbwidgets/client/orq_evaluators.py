"""orq.ai's evaluators: listing, reading and saving them (`/v2/evaluators`), and running them
(`/v3/evaluators/{id}/invoke`, answers remembered in judging.py). A part of `OrqClient` (orq.py)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

from ..models import Evaluator, EvaluatorResult, Page, is_ulid
from ..models.orq import EVALUATOR_KEY_PATTERN
from . import checks, orq_writes
from .base import Client
from .checks import segment
from .cursor import AsGiven, check_limit, every_item, read_page
from .errors import NotFoundError
from .judging import EvaluationMemory, memory_path, question_key
from .writes import Write, WriteHandle


class OrqEvaluators(Client):
    """The evaluator routes of `OrqClient`: `list_evaluators`, `get_evaluator`, `invoke_evaluator`, ..."""

    def __init__(self, *args: Any, **options: Any) -> None:
        self._evaluations: EvaluationMemory | None = None
        self._evaluations_lock = threading.Lock()
        super().__init__(*args, **options)

    def close(self) -> None:
        super().close()
        with self._evaluations_lock:
            if self._evaluations is not None:
                self._evaluations.close()

    # --- evaluators -----------------------------------------------------------------------------

    def list_evaluators(
        self,
        *,
        search: str | None = None,
        limit: int = 50,
        starting_after: str | None = None,
        ending_before: str | None = None,
    ) -> Page[dict[str, Any]]:
        """Evaluators of every type; llm_eval items come as `Evaluator`, the others as plain dicts."""
        where = {"starting_after": starting_after, "ending_before": ending_before}
        return read_page(
            self._get, "/v2/evaluators", _EvaluatorOrDict, limit=check_limit(limit), search=search, **where
        )

    def iter_evaluators(self, *, search: str | None = None) -> Iterator[Evaluator | dict[str, Any]]:
        """Every evaluator of the workspace, page after page (llm_eval ones as `Evaluator`)."""
        return every_item(lambda cursor: self.list_evaluators(search=search, limit=50, starting_after=cursor))

    def evaluator_keys(self) -> set[str]:
        """The keys every evaluator of the workspace has: a key names one evaluator, so a new one needs
        another (a save with a taken key is refused, 409)."""
        return {
            str(item.get("key")) if isinstance(item, dict) else item.key
            for item in self.iter_evaluators()
            if (item.get("key") if isinstance(item, dict) else item.key)
        }

    def get_evaluator(self, evaluator_id: str) -> Evaluator:
        return Evaluator.model_validate(self._get(f"/v2/evaluators/{segment('evaluator_id', evaluator_id)}"))

    def create_evaluator(self, evaluator: Evaluator | dict[str, Any], *, path: str = "Default") -> Evaluator:
        return Evaluator.model_validate(
            self._send("POST", "/v2/evaluators", orq_writes.evaluator_creation(evaluator, path))
        )

    def update_evaluator(
        self,
        evaluator_id: str,
        changes: dict[str, Any],
        *,
        version_increment: str | None = None,
        version_description: str | None = None,
        path: str | None = None,
    ) -> Evaluator:
        """PATCH only `changes` (wire names), with an optional version bump.

        The seed marks `type` and `path` required on update (the spec makes them optional), so both are
        sent every time: `type` is llm_eval, `path` the evaluator's own (given, or read first) unless the
        change places it by `project_id`, which orq refuses together with `path`."""
        route = f"/v2/evaluators/{segment('evaluator_id', evaluator_id)}"
        body = orq_writes.evaluator_changes(changes, version_increment, version_description, path)
        if "project_id" not in body and not body.get("path"):
            known = self.get_evaluator(evaluator_id).path
            if known:
                body["path"] = known
        return Evaluator.model_validate(self._send("PATCH", route, body))

    def delete_evaluator(self, evaluator_id: str) -> None:
        self._send("DELETE", f"/v2/evaluators/{segment('evaluator_id', evaluator_id)}")

    # --- running evaluators (see judging.py) ----------------------------------------------------

    @property
    def evaluations(self) -> EvaluationMemory:
        """The answers of evaluators run through this client (and the bound on how many run at once)."""
        with self._evaluations_lock:
            if self._evaluations is None:
                disk = None if self._outbox_in_memory() else memory_path()
                self._evaluations = EvaluationMemory(
                    scope=f"{self.service} {self.base_url} {self._key.reveal()}", disk_path=disk
                )
            return self._evaluations

    def forget_evaluations(self) -> int:
        """Forget every remembered evaluator answer (on disk too), so the next invoke asks the service again.
        Returns how many answers were forgotten."""
        return self.evaluations.clear()

    def resolve_evaluator(self, evaluator: str | Evaluator) -> Evaluator:
        """The stored evaluator named by an id, a key or an `Evaluator` (read again: its current version)."""
        if isinstance(evaluator, Evaluator):
            if not evaluator.id:
                raise ValueError("evaluator: this Evaluator has no id yet (create it first, then run it)")
            name = evaluator.id
        elif isinstance(evaluator, str):
            if not evaluator.strip():
                raise ValueError("evaluator: give an evaluator id or key, not an empty string")
            name = evaluator
        else:
            raise TypeError(
                f"evaluator must be an evaluator id or key (a str) or an Evaluator, not {type(evaluator).__name__}"
            )
        route = f"/v2/evaluators/{segment('evaluator', name)}"
        if not is_ulid(name) and EVALUATOR_KEY_PATTERN.match(name):  # a key: one search, not a 404 first
            found = self._evaluator_by_key(name)
            if found is not None and found.id:
                if _version_of(found):  # the list's item carries what invoking needs
                    return found
                return Evaluator.model_validate(self._get(f"/v2/evaluators/{segment('evaluator', found.id)}"))
        try:
            return Evaluator.model_validate(self._get(route))
        except NotFoundError:
            raise NotFoundError(
                f"evaluator: no evaluator with the id or key {name!r} in {self.label}",
                method="GET",
                route=route,
                status=404,
            ) from None

    def invoke_evaluator(
        self,
        evaluator: str | Evaluator,
        *,
        output: str,
        input: str | None = None,
        expected_output: str | None = None,
        messages: list[dict[str, Any]] | None = None,
        variables: dict[str, Any] | None = None,
        version: str | None = None,
    ) -> EvaluatorResult:
        """Run a stored evaluator on an output (`POST /v3/evaluators/{id}/invoke`) and return its verdict.

        `evaluator` is an id, a key or an `Evaluator`; an `Evaluator` read from the service (`get_evaluator`,
        `resolve_evaluator`) is run at the version it was read at, without reading it again. `input` is the
        question, `expected_output` the reference, `messages` the conversation, `variables` the prompt's
        other variables; `version` picks a version (default: the current one).

        Answers are remembered by (evaluator, version, what was graded) for this client's lifetime (on disk
        too, against a real service): the same question is never sent twice, even when asked twice at once;
        `forget_evaluations()` clears them. At most `evaluations.concurrency` run at once.
        """
        if not isinstance(output, str):
            raise TypeError(f"output must be the text to grade (a str), not {type(output).__name__}")
        for name, value in (("input", input), ("expected_output", expected_output), ("version", version)):
            checks.optional_str(name, value)
        if messages is not None and not (
            isinstance(messages, list) and all(isinstance(m, dict) and isinstance(m.get("role"), str) for m in messages)
        ):
            raise TypeError("messages must be a list of messages, each a dict with a role")
        if variables is not None and not isinstance(variables, dict):
            raise TypeError(f"variables must be a dict, not {type(variables).__name__}")
        if version is not None and not version.strip():
            raise ValueError("version: give a version such as '1.0.0', or leave it out for the current one")
        known = evaluator if isinstance(evaluator, Evaluator) and evaluator.id and _version_of(evaluator) else None
        stored = known or self.resolve_evaluator(evaluator)
        assert stored.id is not None
        fingerprint = None
        if version is None:
            version = _version_of(stored)
            fingerprint = stored.updated.isoformat() if stored.updated else None
        context = _graded(output, input, expected_output, messages, variables)
        checks.text("the graded text", context)
        evaluator_id = stored.id
        target = f"{evaluator_id}@{version}" if version else evaluator_id
        route = f"/v3/evaluators/{segment('evaluator', target)}/invoke"

        def ask() -> EvaluatorResult:
            try:
                # a read that writes nothing: safe to send again after a 5xx or a lost answer
                return EvaluatorResult.model_validate(self._send("POST", route, {"context": context}, idempotent=True))
            except NotFoundError as error:
                what = (
                    f"version {version!r} of evaluator {evaluator_id!r}" if version else f"evaluator {evaluator_id!r}"
                )
                raise NotFoundError(
                    f"{'version' if version else 'evaluator'}: {self.label} has no {what}",
                    method="POST",
                    route=route,
                    status=404,
                    body=error.body,
                ) from None

        return self.evaluations.answer(question_key(evaluator_id, version, fingerprint, context), ask)

    # --- writes through the outbox (see writes.py) ----------------------------------------------

    def queue_evaluator_update(
        self,
        evaluator_id: str,
        changes: dict[str, Any],
        *,
        version_increment: str | None = None,
        version_description: str | None = None,
        expected_version: str | None = None,
        path: str | None = None,
    ) -> WriteHandle:
        """Queue an evaluator PATCH. With a version bump it is not idempotent: before any re-send it
        is verified (read back: do the changes hold and has the version moved past `expected_version`?),
        so one save makes at most one new version. `path`: the evaluator's own (else read before sending)."""
        segment("evaluator_id", evaluator_id)
        body = orq_writes.evaluator_changes(changes, version_increment, version_description, path)
        payload = {"evaluator_id": evaluator_id, "changes": changes, "body": body, "version": expected_version}
        return self.submit(Write("evaluator.update", f"evaluator {evaluator_id}", payload))

    def queue_evaluator_creation(self, evaluator: Evaluator | dict[str, Any], *, path: str = "Default") -> WriteHandle:
        """Queue a new evaluator. Before any re-send, its key is looked up: one save creates one."""
        body = orq_writes.evaluator_creation(evaluator, path)
        return self.submit(Write("evaluator.create", f"evaluator key {body['key']}", {"body": body}))

    def _evaluator_by_key(self, key: str) -> Evaluator | None:
        def page_after(cursor: str | None) -> Page[Any]:
            return read_page(
                self._get, "/v2/evaluators", AsGiven, limit=200, starting_after=cursor, once=True, search=key
            )

        for item in every_item(page_after):
            if isinstance(item, dict) and item.get("key") == key and item.get("type") == "llm_eval":
                return Evaluator.model_validate(item)
        return None


def _version_of(evaluator: Evaluator) -> str | None:
    version = (evaluator.model_extra or {}).get("version")
    return version if isinstance(version, str) and version else None


def _graded(
    output: str,
    question: str | None,
    reference: str | None,
    messages: list[dict[str, Any]] | None,
    variables: dict[str, Any] | None,
) -> dict[str, Any]:
    """The invoke body's `context` (orq's EvaluationContext): only what is given."""
    context: dict[str, Any] = {"output": {"response": output}}
    structured = {k: v for k, v in (("user_query", question), ("expected_output", reference)) if v is not None}
    if structured:
        context["input"] = structured
    if messages:
        # orq grades a conversation's last assistant turn and appends `output` only to a conversation without
        # one: the output is made that last turn, so it is what is graded whatever turns came before
        last = messages[-1]
        if last.get("role") != "assistant" or last.get("content") != output:
            messages = [*messages, {"role": "assistant", "content": output}]
        context["messages"] = messages
    if variables:
        context["variables"] = variables
    return context


class _EvaluatorOrDict:
    """A listed evaluator: an llm_eval as `Evaluator`, one of another type as the dict the service sent."""

    @staticmethod
    def model_validate(item: dict[str, Any]) -> Any:
        return Evaluator.model_validate(item) if item.get("type") == "llm_eval" else item
