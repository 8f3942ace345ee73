"""orq.ai v2: routes to models."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from .._extras import require
from ..models import (
    Datapoint,
    DatapointCreate,
    Dataset,
    Deployment,
    DeploymentInvocation,
    Evaluator,
    EvaluatorResult,
    Feedback,
    FeedbackProperty,
    Page,
    is_ulid,
)
from ..models.feedback import BUILTIN_FEEDBACK_PROPERTIES
from ..models.orq import EVALUATOR_KEY_PATTERN
from . import checks, curate, orq_writes
from .base import Client
from .checks import segment
from .errors import NotFoundError
from .judging import EvaluationMemory, memory_path, question_key
from .writes import Write, WriteHandle, WriteKind

if TYPE_CHECKING:
    from .orq_datasets import OrqDatasets


def _page(
    payload: dict[str, Any], model: Any, *, limit: int, starting_after: str | None, ending_before: str | None
) -> Page[Any]:
    items = [model.model_validate(item) for item in payload["data"]]
    has_more = bool(payload.get("has_more"))
    if ending_before:  # moving backwards: has_more speaks of what lies before
        has_next, has_previous = True, has_more
    else:
        has_next, has_previous = has_more, starting_after is not None
    return Page(
        items=items,
        has_next=has_next,
        has_previous=has_previous,
        scheme="cursor",
        next_cursor=items[-1].id if items else None,
        previous_cursor=items[0].id if items else None,
        page_size=limit,
    )


def _check_limit(limit: int) -> int:
    return checks.integer("limit", limit, 1, 200)


class OrqClient(Client):
    service = "orq"
    capabilities = frozenset({"deployments", "feedback", "evaluators"})
    default_base_url = "https://api.orq.ai"
    key_env = "ORQ_API_KEY"
    url_env = "ORQ_BASE_URL"

    def __init__(self, *args: Any, **options: Any) -> None:
        self._evaluations: EvaluationMemory | None = None
        self._evaluations_lock = threading.Lock()
        super().__init__(*args, **options)

    def close(self) -> None:
        super().close()
        with self._evaluations_lock:
            if self._evaluations is not None:
                self._evaluations.close()

    @staticmethod
    def _parse_error(body: Any) -> tuple[str, dict[str, list[str]]]:
        if not isinstance(body, dict):
            return str(body or ""), {}
        fields: dict[str, list[str]] = {}
        for detail in body.get("details") or []:
            if isinstance(detail, dict) and "message" in detail:
                path = detail.get("path")
                name = ".".join(str(p) for p in path) if isinstance(path, list) else str(path or "")
                fields.setdefault(name, []).append(str(detail["message"]))
        return str(body.get("message") or body.get("error") or ""), fields

    # --- datasets -------------------------------------------------------------------------------

    def list_datasets(
        self,
        *,
        search: str | None = None,
        limit: int = 50,
        starting_after: str | None = None,
        ending_before: str | None = None,
    ) -> Page[Dataset]:
        payload = self._get(
            "/v2/datasets",
            limit=_check_limit(limit),
            starting_after=starting_after,
            ending_before=ending_before,
            search=search,
        )
        return _page(payload, Dataset, limit=limit, starting_after=starting_after, ending_before=ending_before)

    def get_dataset(self, dataset_id: str) -> Dataset:
        return Dataset.model_validate(self._get(f"/v2/datasets/{segment('dataset_id', dataset_id)}"))

    def create_dataset(self, display_name: str, path: str = "Default") -> Dataset:
        checks.optional_str("display_name", display_name)
        checks.optional_str("path", path)
        return Dataset.model_validate(self._send("POST", "/v2/datasets", {"display_name": display_name, "path": path}))

    def delete_dataset(self, dataset_id: str) -> None:
        self._send("DELETE", f"/v2/datasets/{segment('dataset_id', dataset_id)}")

    # --- datapoints -----------------------------------------------------------------------------

    def datapoints_page(
        self, dataset_id: str, *, limit: int = 25, starting_after: str | None = None, ending_before: str | None = None
    ) -> Page[Datapoint]:
        response = self._transport.request(
            "GET",
            f"/v2/datasets/{segment('dataset_id', dataset_id)}/datapoints",
            params={
                "limit": _check_limit(limit),
                "starting_after": checks.optional_str("starting_after", starting_after),
                "ending_before": checks.optional_str("ending_before", ending_before),
            },
        )
        # the hot path of browsing and iterating: parse and validate the bytes in one pass (pydantic-core)
        listing = _DatapointList.model_validate_json(response.content)
        payload = {"data": listing.data, "has_more": listing.has_more}
        return _page(payload, _Passthrough, limit=limit, starting_after=starting_after, ending_before=ending_before)

    def iter_datapoints(self, dataset_id: str, *, page_size: int = 200) -> Iterator[Datapoint]:
        """Every datapoint of a dataset, one page in memory at a time (arguments checked at the call)."""
        checks.integer("page_size", page_size, 1, 200)
        segment("dataset_id", dataset_id)
        return self._iter_datapoints(dataset_id, page_size)

    def _iter_datapoints(self, dataset_id: str, page_size: int) -> Iterator[Datapoint]:
        cursor = None
        while True:
            page = self.datapoints_page(dataset_id, limit=page_size, starting_after=cursor)
            yield from page.items
            if not page.has_next or not page.items:
                return
            cursor = page.next_cursor

    def get_datapoint(self, dataset_id: str, datapoint_id: str, *, once: bool = False) -> Datapoint:
        return Datapoint.model_validate(self._get(orq_writes.datapoint_route(dataset_id, datapoint_id), once=once))

    def create_datapoints(self, dataset_id: str, items: list[dict[str, Any] | DatapointCreate]) -> list[Datapoint]:
        """Create datapoints now, through the bulk route in chunks of at most 5000, in order (they list in
        the order given). Not kept or retried: for that, `import_datapoints` (durable, exactly once)."""
        route = f"/v2/datasets/{segment('dataset_id', dataset_id)}/datapoints/bulk"
        body = [DatapointCreate.model_validate(item).to_wire() for item in items]
        if not body:
            raise ValueError("no datapoints to create: items is empty")
        checks.text("items", body)
        made: list[Datapoint] = []
        for chunk in curate.chunks(body):
            made.extend(Datapoint.model_validate(item) for item in self._send("POST", route, {"items": chunk}))
        return made

    def delete_datapoints(self, dataset_id: str, ids: list[str]) -> None:
        """Delete these datapoints now (the bulk route, 1000 ids a request). Ids that are gone are passed
        over, so a delete sent again is harmless. For a kept and retried delete: `queue_datapoints_delete`."""
        ids = orq_writes.datapoint_ids(ids)
        route = f"/v2/datasets/{segment('dataset_id', dataset_id)}/datapoints-bulk-delete"
        for start in range(0, len(ids), curate.DELETE_CHUNK):
            self._send("POST", route, {"item_ids": ids[start : start + curate.DELETE_CHUNK]}, idempotent=True)

    def import_datapoints(
        self,
        dataset_id: str,
        source: Any,
        *,
        inputs: str | list[str] | None = None,
        expected_output: str | None = None,
        messages: str | None = None,
        wait: bool = True,
        progress: bool = True,
        timeout: float | None = None,
    ) -> Any:
        """Add the rows of `source` (a pandas DataFrame, a path to a .csv or .jsonl file, or an iterable of
        dicts) to a dataset, in order, each exactly once.

        Columns: `expected_output` and `messages` name the columns feeding those fields (default: the
        columns of those names, if any); `inputs` names one column holding input objects, or a list of
        columns that each become an input (default: an `inputs` column, else every other column). CSV
        cells of inputs and messages are JSON (as `export_datapoints` writes them). Every row is checked
        first: a missing column, nested inputs or a non-text expected output is a ValueError naming the
        row, and nothing is sent.

        The import is one write per chunk of at most 5000 rows: stored, then sent in the background (a
        progress bar), resumed by the next process after a kernel restart, never applied twice (a chunk
        whose answer was lost is looked for before it is sent again). `wait=True`: the created datapoints,
        in file order; `wait=False`: an `ImportHandle` (`state`, `created`, `progress`, `result()`)."""
        segment("dataset_id", dataset_id)
        items = curate.datapoint_items(source, inputs=inputs, expected_output=expected_output, messages=messages)
        handle = self.queue_datapoints_create(dataset_id, items, progress=progress)
        return handle.result(timeout) if wait else handle

    def queue_datapoints_create(
        self, dataset_id: str, items: list[dict[str, Any]], *, progress: bool = False, origin: str = ""
    ) -> curate.ImportHandle:
        """Queue new datapoints (checked bodies) as one write per bulk chunk; see `import_datapoints`."""
        segment("dataset_id", dataset_id)
        body = [DatapointCreate.model_validate(item).to_wire() for item in items]
        if not body:
            raise ValueError("no datapoints to create")
        bar = _progress(len(body), progress, f"importing into {dataset_id}") if progress else None
        key = f"datapoints of {dataset_id}"  # one key: chunks (and imports) into a dataset go in order
        handles = [
            self.submit(Write("datapoints.create", key, {"dataset_id": dataset_id, "items": chunk}, origin=origin))
            for chunk in curate.chunks(body)
        ]
        return curate.ImportHandle(dataset_id, len(body), handles, bar)

    def queue_datapoints_delete(self, dataset_id: str, ids: list[str], *, origin: str = "") -> WriteHandle:
        """Queue a delete of these datapoints (one bulk request; ids already gone are passed over, so it
        is safely sent again). Its result is the list of ids."""
        segment("dataset_id", dataset_id)
        ids = orq_writes.datapoint_ids(ids)
        if len(ids) > curate.DELETE_CHUNK:
            raise ValueError(f"at most {curate.DELETE_CHUNK} ids per queued delete, not {len(ids)}")
        payload = {"dataset_id": dataset_id, "item_ids": ids}
        return self.submit(Write("datapoints.delete", f"datapoints of {dataset_id}", payload, origin=origin))

    def export_datapoints(self, dataset_id: str, path: Any, *, progress: bool = True) -> int:
        """Write every datapoint of a dataset to a `.csv` or `.jsonl` file (inputs, messages, expected
        output; in CSV, inputs and messages as JSON) that `import_datapoints` reads back unchanged.
        Returns how many were written."""
        from pathlib import Path

        target = Path(path)
        total = self.get_dataset(dataset_id).metadata.datapoints_count
        bar = _progress(total, progress, f"exporting {dataset_id}")
        try:
            return curate.write_export(target, self.iter_datapoints(dataset_id), lambda: bar.update(1))
        finally:
            bar.close()

    def duplicate_dataset(
        self, dataset_id: str, display_name: str, *, path: str = "Default", progress: bool = True
    ) -> Dataset:
        """A new dataset holding a copy of every datapoint of `dataset_id` (inputs, messages, expected
        output; reviews are not copied: orq does not take them on create), made as a durable import."""
        checks.optional_str("display_name", display_name)
        items = [curate.datapoint_body(dp) for dp in self.iter_datapoints(dataset_id)]
        copy = self.create_dataset(display_name, path)
        if items:
            self.queue_datapoints_create(copy.id, items, progress=progress).result()
        return self.get_dataset(copy.id)

    def update_datapoint(self, dataset_id: str, datapoint_id: str, **fields: Any) -> Datapoint:
        """PATCH only the given fields (`inputs`, `messages`, `expected_output`)."""
        route = orq_writes.datapoint_route(dataset_id, datapoint_id)
        answer = self._send("PATCH", route, orq_writes.datapoint_changes(fields))
        return Datapoint.model_validate(answer)

    def delete_datapoint(self, dataset_id: str, datapoint_id: str) -> None:
        self._send("DELETE", orq_writes.datapoint_route(dataset_id, datapoint_id))

    def datapoints_frame(self, dataset_id: str, *, progress: bool = True, page_size: int = 200) -> Any:
        """The whole dataset as a pandas DataFrame, one row per datapoint, with a progress bar
        (pandas and tqdm are the `pandas` extra: `pip install "nbwidgets[pandas]"`)."""
        checks.integer("page_size", page_size, 1, 200)
        segment("dataset_id", dataset_id)
        pd = require("pandas", "datapoints_frame()")

        total = self.get_dataset(dataset_id).metadata.datapoints_count
        rows = []
        bar = _progress(total, progress, f"datapoints of {dataset_id}")
        for datapoint in self.iter_datapoints(dataset_id, page_size=page_size):
            rows.append(datapoint_record(datapoint))
            bar.update(1)
        bar.close()
        return pd.DataFrame.from_records(rows, columns=_FRAME_COLUMNS)

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
        payload = self._get(
            "/v2/evaluators",
            limit=_check_limit(limit),
            starting_after=starting_after,
            ending_before=ending_before,
            search=search,
        )
        payload = {**payload, "data": [_evaluator_or_dict(item) for item in payload["data"]]}
        return _page(payload, _Passthrough, limit=limit, starting_after=starting_after, ending_before=ending_before)

    def iter_evaluators(self, *, search: str | None = None) -> Iterator[Evaluator | dict[str, Any]]:
        """Every evaluator of the workspace, page after page (llm_eval ones as `Evaluator`)."""
        cursor = None
        while True:
            page = self.list_evaluators(search=search, limit=50, starting_after=cursor)
            yield from page.items
            if not page.has_next or not page.items:
                return
            cursor = page.next_cursor

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

    # --- feedback -------------------------------------------------------------------------------

    def create_feedback(
        self, trace_id: str, property: str, value: Any, *, product: str = "deployments", id: str | None = None
    ) -> Feedback:
        """Send feedback. It carries a client-made ULID, so a retry cannot create it twice."""
        feedback = orq_writes.feedback(trace_id, property, value, product, id)
        answer = self._send("POST", "/v2/feedback", feedback, idempotent=True)
        return Feedback.model_validate(answer)

    def remove_feedback(self, id: str, trace_id: str, *, product: str = "deployments") -> None:
        self._send("POST", "/v2/feedback/remove", orq_writes.feedback_removal(id, trace_id, product), idempotent=True)

    # --- deployments ------------------------------------------------------------------------------

    def list_deployments(
        self, *, limit: int = 50, starting_after: str | None = None, ending_before: str | None = None
    ) -> Page[Deployment]:
        """The workspace's deployments (`GET /v2/deployments`; orq pages them 1..50 at a time)."""
        if not 1 <= limit <= 50:
            raise ValueError(f"limit must be between 1 and 50, not {limit}")
        payload = self._get("/v2/deployments", limit=limit, starting_after=starting_after, ending_before=ending_before)
        return _page(payload, Deployment, limit=limit, starting_after=starting_after, ending_before=ending_before)

    def invoke_deployment(
        self,
        key: str,
        *,
        inputs: dict[str, Any] | None = None,
        messages: list[dict[str, Any]] | None = None,
        context: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
        **options: Any,
    ) -> DeploymentInvocation:
        """Invoke a deployment (`POST /v2/deployments/invoke`): the output text and the trace id that
        feedback on this generation is given on. `options` are passed as is (`prefix_messages`,
        `identity`, `documents`, `extra_params`, ...); streaming is not offered here."""
        if not isinstance(key, str) or not key:
            raise ValueError("key: the deployment key is a non-empty string")
        if options.get("stream"):
            raise ValueError("stream: invoke_deployment returns the whole answer; streaming is not supported")
        body: dict[str, Any] = {"key": key}
        for name, value, kind in (
            ("inputs", inputs, dict),
            ("messages", messages, list),
            ("context", context, dict),
            ("metadata", metadata, dict),
        ):
            if value is None:
                continue
            if not isinstance(value, kind):
                raise TypeError(f"{name} must be a {kind.__name__}, not {type(value).__name__}")
            body[name] = value
        body.update({k: v for k, v in options.items() if v is not None})
        # An invoke is a generation: never sent twice blind (a retry would make a second trace).
        answer = self._send("POST", "/v2/deployments/invoke", body, idempotent=False)
        return DeploymentInvocation.from_response(answer)

    def feedback_properties(self) -> dict[str, FeedbackProperty]:
        """The feedback properties this workspace takes, by key.

        orq documents no route listing them: the built-in ones (rating, defects, interactions,
        correction) come from `nbwidgets.models.feedback`; against the sandbox its workspace-defined ones
        are added from its control route."""
        found = {p.key: p for p in BUILTIN_FEEDBACK_PROPERTIES}
        if self.is_sandbox:
            for item in self._get("/_sandbox/feedback-properties"):
                found.setdefault(item["key"], FeedbackProperty.model_validate(item))
        return found

    # --- writes through the outbox (see writes.py) ----------------------------------------------

    def queue_feedback(
        self, trace_id: str, property: str, value: Any, *, product: str = "deployments", id: str | None = None
    ) -> WriteHandle:
        """Queue feedback and send it in the background; returns the write's handle at once.
        The same `id` again replaces the value."""
        feedback = orq_writes.feedback(trace_id, property, value, product, id)
        return self.submit(Write("feedback.create", feedback["id"], feedback))

    def queue_feedback_removal(self, id: str, trace_id: str, *, product: str = "deployments") -> WriteHandle:
        return self.submit(Write("feedback.remove", id, orq_writes.feedback_removal(id, trace_id, product)))

    def queue_datapoint_update(
        self,
        dataset_id: str,
        datapoint_id: str,
        fields: dict[str, Any],
        *,
        expected_updated: Any = None,
        origin: str = "",
    ) -> WriteHandle:
        """Queue a PATCH of these fields. With `expected_updated` (the `updated` the caller saw), it
        ends in a conflict when anyone else changed the datapoint since: changes left by earlier writes
        of the same `origin` (a widget passes its own; calls without one share "") are not a conflict."""
        orq_writes.datapoint_route(dataset_id, datapoint_id)  # a bad id fails here, not in the background
        payload = {
            "dataset_id": dataset_id,
            "datapoint_id": datapoint_id,
            "fields": orq_writes.datapoint_changes(fields),
        }
        base = None if expected_updated is None else orq_writes.version_token(expected_updated)
        key = f"datapoint {datapoint_id}"
        return self.submit(Write("datapoint.update", key, payload, expects=base, origin=origin))

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

    def datasets(self) -> OrqDatasets:
        from .orq_datasets import OrqDatasets

        return OrqDatasets(self)

    def _write_kinds(self) -> dict[str, WriteKind]:
        return orq_writes.kinds(self)

    def _evaluator_by_key(self, key: str) -> Evaluator | None:
        cursor = None
        while True:
            payload = self._get("/v2/evaluators", once=True, limit=200, search=key, starting_after=cursor)
            for item in payload.get("data") or []:
                if isinstance(item, dict) and item.get("key") == key and item.get("type") == "llm_eval":
                    return Evaluator.model_validate(item)
            if not payload.get("has_more") or not payload.get("data"):
                return None
            cursor = payload["data"][-1].get("_id")


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


class _DatapointList(BaseModel):
    data: list[Datapoint]
    has_more: bool = False


class _Passthrough:
    @staticmethod
    def model_validate(item: Any) -> Any:
        return item


def _evaluator_or_dict(item: dict[str, Any]) -> Any:
    return Evaluator.model_validate(item) if item.get("type") == "llm_eval" else item


_FRAME_COLUMNS = ["id", "inputs", "messages", "expected_output", "evaluations", "updated"]


def datapoint_record(datapoint: Datapoint) -> dict[str, Any]:
    wire = datapoint.to_wire()
    return {
        "id": datapoint.id,
        "inputs": wire.get("inputs", {}),
        "messages": wire.get("messages", []),
        "expected_output": datapoint.expected_output,
        "evaluations": wire.get("evaluations", []),
        "updated": datapoint.updated,
    }


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def _progress(total: int, enabled: bool, description: str) -> Any:
    if not enabled:
        return _NoBar()
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return _NoBar()
    return tqdm(total=total, desc=description, unit="dp")
