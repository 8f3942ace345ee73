"""orq.ai v2 routes: the services' shapes, validation, status codes and `{"message": ...}` error bodies.

The response shapes satisfy both orq-ai-sdk 4.17.13 (by-ids and `output_type` required) and 4.14.20.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..models import Evaluator, evaluator_problems, new_ulid
from ..models.feedback import BUILTIN_FEEDBACK_PROPERTIES, FeedbackProperty
from ..models.orq import EVALUATOR_WRITABLE_FIELDS
from . import judge
from . import orq_rules as rules
from .orq_rules import OrqError, details, error_response
from .responder import RESPONDERS, token_count
from .store import Store, now_iso

WORKSPACE_ID = "01JBX0WS0000000000000000WS"
PROJECT_ID = "01JBX0PR0000000000000000PR"
USER_ID = "01JBX0US0000000000000000US"


Handler = Callable[[Request], Awaitable[Response]]


class OrqRoutes:
    def __init__(self, store: Store) -> None:
        self.store = store

    def routes(self) -> list[Route]:
        r = self._wrap
        return [
            Route("/v2/datasets", r(self.list_datasets), methods=["GET"]),
            Route("/v2/datasets", r(self.create_dataset), methods=["POST"]),
            Route("/v2/datasets/{dataset_id}", r(self.get_dataset), methods=["GET"]),
            Route("/v2/datasets/{dataset_id}", r(self.delete_dataset), methods=["DELETE"]),
            Route("/v2/datasets/{dataset_id}/datapoints", r(self.list_datapoints), methods=["GET"]),
            Route("/v2/datasets/{dataset_id}/datapoints", r(self.create_datapoints), methods=["POST"]),
            Route("/v2/datasets/{dataset_id}/datapoints/bulk", r(self.bulk_create_datapoints), methods=["POST"]),
            Route("/v2/datasets/{dataset_id}/datapoints-bulk-delete", r(self.bulk_delete_datapoints), methods=["POST"]),
            Route("/v2/datasets/{dataset_id}/datapoints/{datapoint_id}", r(self.get_datapoint), methods=["GET"]),
            Route("/v2/datasets/{dataset_id}/datapoints/{datapoint_id}", r(self.update_datapoint), methods=["PATCH"]),
            Route("/v2/datasets/{dataset_id}/datapoints/{datapoint_id}", r(self.delete_datapoint), methods=["DELETE"]),
            Route("/v2/evaluators", r(self.list_evaluators), methods=["GET"]),
            Route("/v2/evaluators", r(self.create_evaluator), methods=["POST"]),
            Route("/v2/evaluators/{evaluator_id}", r(self.get_evaluator), methods=["GET"]),
            Route("/v2/evaluators/{evaluator_id}", r(self.update_evaluator), methods=["PATCH"]),
            Route("/v2/evaluators/{evaluator_id}", r(self.delete_evaluator), methods=["DELETE"]),
            Route("/v3/evaluators/{evaluator_id}/invoke", r(self.invoke_evaluator), methods=["POST"]),
            Route("/v2/deployments", r(self.list_deployments), methods=["GET"]),
            Route("/v2/deployments/invoke", r(self.invoke_deployment), methods=["POST"]),
            Route("/v2/feedback", r(self.create_feedback), methods=["POST"]),
            Route("/v2/feedback/remove", r(self.remove_feedback), methods=["POST"]),
        ]

    @staticmethod
    def _wrap(handler: Handler) -> Handler:
        async def endpoint(request: Request) -> Response:
            try:
                return await handler(request)
            except OrqError as error:
                return error_response(error)

        return endpoint

    # --- datasets -------------------------------------------------------------------------------

    def new_dataset(self, display_name: str, path: str = "Default", dataset_id: str | None = None) -> dict[str, Any]:
        stamp = now_iso()
        body: dict[str, Any] = {
            "_id": dataset_id or new_ulid(),
            "display_name": display_name,
            "project_id": PROJECT_ID,
            "workspace_id": WORKSPACE_ID,
            "metadata": {"total_versions": 1, "datapoints_count": 0},
            "created_by_id": USER_ID,
            "updated_by_id": USER_ID,
            "created": stamp,
            "updated": stamp,
            "path": path,
        }
        self.store.put_dataset(body)
        return self.store.get_dataset(body["_id"]) or body

    def _dataset(self, dataset_id: str) -> dict[str, Any]:
        dataset = self.store.get_dataset(dataset_id)
        if dataset is None:
            raise OrqError(404, "Dataset not found")
        return dataset

    async def list_datasets(self, request: Request) -> Response:
        limit = rules.limit(request)
        ids = self.store.dataset_ids(request.query_params.get("search"))
        page = rules.cursor_page([{"_id": i} for i in ids], request, limit)
        page["data"] = [self.store.get_dataset(item["_id"]) for item in page["data"]]
        return JSONResponse(page)

    async def create_dataset(self, request: Request) -> Response:
        body = rules.require_object(await rules.body_json(request))
        name = body.get("display_name")
        if not isinstance(name, str) or not 1 <= len(name) <= 128:
            raise OrqError(
                400,
                "display_name must be 1 to 128 characters",
                [{"path": ["display_name"], "message": "must be 1 to 128 characters"}],
            )
        return JSONResponse(self.new_dataset(name, str(body.get("path") or "Default")))

    async def get_dataset(self, request: Request) -> Response:
        return JSONResponse(self._dataset(request.path_params["dataset_id"]))

    async def delete_dataset(self, request: Request) -> Response:
        if not self.store.delete_dataset(request.path_params["dataset_id"]):
            raise OrqError(404, "Dataset not found")
        return Response(status_code=204)

    # --- datapoints -----------------------------------------------------------------------------

    async def list_datapoints(self, request: Request) -> Response:
        dataset_id = request.path_params["dataset_id"]
        limit = rules.limit(request)
        after, before = rules.cursors(request)
        self._dataset(dataset_id)
        rows, has_more = self.store.datapoints_page(dataset_id, limit, after, before)
        return JSONResponse({"object": "list", "data": rows, "has_more": has_more})

    def new_datapoint(self, dataset_id: str, fields: dict[str, Any], datapoint_id: str | None = None) -> dict[str, Any]:
        stamp = now_iso()
        return {
            "_id": datapoint_id or new_ulid(),
            "workspace_id": WORKSPACE_ID,
            "dataset_id": dataset_id,
            "inputs": fields.get("inputs") or {},
            "messages": fields.get("messages") or [],
            "expected_output": fields.get("expected_output"),
            "evaluations": fields.get("evaluations") or [],
            "snapshot_version": "1",
            "created_by_id": USER_ID,
            "updated_by_id": USER_ID,
            "created": stamp,
            "updated": stamp,
        }

    async def create_datapoints(self, request: Request) -> Response:
        dataset_id = request.path_params["dataset_id"]
        self._dataset(dataset_id)
        body = await rules.body_json(request)
        if not isinstance(body, list):
            raise OrqError(400, "Body must be an array of datapoints")
        created = []
        for index, item in enumerate(body):
            fields = rules.datapoint_fields(item, prefix=(str(index),))
            created.append(self.new_datapoint(dataset_id, fields))
        self.store.put_datapoints(dataset_id, created)
        return JSONResponse(created)

    async def bulk_create_datapoints(self, request: Request) -> Response:
        """`{"items": [...]}`, 1 to 5000 datapoints, all valid or none made; 200 with them, in order."""
        dataset_id = request.path_params["dataset_id"]
        self._dataset(dataset_id)
        body = rules.require_object(await rules.body_json(request))
        items = body.get("items")
        if not isinstance(items, list):
            raise rules.field_error("items", "must be an array of datapoints")
        if not 1 <= len(items) <= rules.MAX_BULK_ITEMS:
            raise rules.field_error("items", f"must contain 1 to {rules.MAX_BULK_ITEMS} datapoints, got {len(items)}")
        fields = [rules.datapoint_fields(item, prefix=("items", str(index))) for index, item in enumerate(items)]
        created = [self.new_datapoint(dataset_id, item) for item in fields]
        self.store.put_datapoints(dataset_id, created)
        return JSONResponse(created)

    async def bulk_delete_datapoints(self, request: Request) -> Response:
        """`{"item_ids": [...]}`, at least one id; 204. Ids the dataset does not hold are passed over."""
        dataset_id = request.path_params["dataset_id"]
        self._dataset(dataset_id)
        body = rules.require_object(await rules.body_json(request))
        ids = body.get("item_ids")
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise rules.field_error("item_ids", "must be an array of datapoint ids")
        if not ids:
            raise rules.field_error("item_ids", "must contain at least 1 datapoint id")
        self.store.delete_datapoints(dataset_id, ids)
        return Response(status_code=204)

    def _datapoint(self, request: Request) -> dict[str, Any]:
        dataset_id, datapoint_id = request.path_params["dataset_id"], request.path_params["datapoint_id"]
        datapoint = self.store.get_datapoint(dataset_id, datapoint_id)
        if datapoint is None:
            raise OrqError(404, "Datapoint not found")
        return datapoint

    async def get_datapoint(self, request: Request) -> Response:
        return JSONResponse(self._datapoint(request))

    async def update_datapoint(self, request: Request) -> Response:
        try:
            datapoint = self._datapoint(request)
        except OrqError:
            raise OrqError(404, "Dataset item not found") from None
        body = await rules.body_json(request)
        # The spec's body is optional and all its fields too: no body, {} or only unknown fields change
        # nothing, so the datapoint is answered as it is, `updated` untouched.
        fields = rules.datapoint_fields({} if body is None else body)
        if not fields:
            return JSONResponse(datapoint)
        datapoint.update(fields)
        datapoint["updated"] = now_iso()
        datapoint["updated_by_id"] = USER_ID
        self.store.put_datapoints(datapoint["dataset_id"], [datapoint])
        return JSONResponse(datapoint)

    async def delete_datapoint(self, request: Request) -> Response:
        if not self.store.delete_datapoint(request.path_params["dataset_id"], request.path_params["datapoint_id"]):
            raise OrqError(404, "Datapoint not found")
        return Response(status_code=204)

    # --- evaluators -----------------------------------------------------------------------------

    def _evaluator(self, evaluator_id: str) -> dict[str, Any]:
        body = self.store.get_evaluator(evaluator_id)
        if body is None:
            raise OrqError(404, "Evaluator not found")
        return body

    async def list_evaluators(self, request: Request) -> Response:
        limit = rules.limit(request)
        items = self.store.evaluators()
        search = (request.query_params.get("search") or "").lower()
        if search:
            items = [e for e in items if search in e["key"].lower() or search in e.get("description", "").lower()]
        page = rules.cursor_page(items, request, limit)
        if request.query_params.get("sort") == "desc":
            page["data"].reverse()
        return JSONResponse(page)

    async def get_evaluator(self, request: Request) -> Response:
        return JSONResponse(get_shape(self._evaluator(request.path_params["evaluator_id"])))

    def save_evaluator(
        self, fields: dict[str, Any], evaluator_id: str | None = None, existing: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Validate the merged evaluator as the service would, then store it in list shape."""
        merged = {**(existing or {}), **fields}
        if existing is None:
            # orq answers every evaluator with an output_type (SDK 4.17.13 requires it): boolean when not given
            merged.setdefault("output_type", "boolean")
        if merged.get("mode") == "single":
            merged["jury"] = None
        problems = evaluator_problems(merged, creating=existing is None)
        if problems:
            raise OrqError(
                400,
                "Invalid evaluator: " + "; ".join(f"{k}: {v}" for k, v in problems.items()),
                [{"path": path.split("."), "message": message} for path, message in problems.items()],
            )
        model = Evaluator.model_validate({k: v for k, v in merged.items() if not k.startswith("version")})
        owner = self.store.evaluator_key_owner(model.key)
        if owner is not None and owner != evaluator_id:
            raise OrqError(
                409,
                f"An evaluator with key '{model.key}' already exists",
                [{"path": ["key"], "message": f"'{model.key}' is already used by another evaluator"}],
            )
        stamp = now_iso()
        # absent is omitted, never null: the spec types these fields without null (`jury`, `model`, ...)
        body = model.model_dump(
            mode="json", by_alias=True, exclude_none=True, exclude={"created", "updated", "display_name", "id"}
        )
        body = {
            "_id": evaluator_id or new_ulid(),
            **body,
            "project_id": PROJECT_ID,
            "updated_by_id": USER_ID,
            "created": (existing or {}).get("created", stamp),
            "updated": stamp,
            "version": _bump((existing or {}).get("version", "1.0.0"), fields.get("versionIncrement")),
        }
        self.store.put_evaluator(body)
        return body

    async def create_evaluator(self, request: Request) -> Response:
        body = rules.require_object(await rules.body_json(request))
        rules.check_evaluator_target(body)
        return JSONResponse(self.save_evaluator(_writable(body)))

    async def update_evaluator(self, request: Request) -> Response:
        evaluator_id = request.path_params["evaluator_id"]
        existing = self._evaluator(evaluator_id)
        body = rules.require_object(await rules.body_json(request))
        rules.check_evaluator_target(body)
        increment = rules.check_version_increment(body)
        fields = _writable(body)
        if increment:
            fields["versionIncrement"] = increment
        return JSONResponse(self.save_evaluator(fields, evaluator_id, existing))

    async def delete_evaluator(self, request: Request) -> Response:
        if not self.store.delete_evaluator(request.path_params["evaluator_id"]):
            raise OrqError(404, "Evaluator not found")
        return Response(status_code=204)

    async def invoke_evaluator(self, request: Request) -> Response:
        """Run a stored evaluator on what the body gives to grade (see judge.py for the sandbox's judge)."""
        evaluator_id, version, environment = judge.split_id(request.path_params["evaluator_id"])
        current = self._evaluator(evaluator_id)
        if version is not None and version != current.get("version"):
            stored = self.store.get_evaluator_version(evaluator_id, version)
            if stored is None:
                raise OrqError(404, f"Evaluator version {version} not found")
            current = stored
        elif environment is not None and environment not in judge.ENVIRONMENTS:
            raise OrqError(404, f"Environment {environment} not found")
        context = judge.graded_context(await rules.body_json(request))
        return JSONResponse(judge.judge(current, context))

    # --- deployments and traces ----------------------------------------------------------------

    def new_deployment(
        self, key: str, description: str, system_prompt: str, *, model: str = "gpt-4o-mini", deployment_id: str
    ) -> dict[str, Any]:
        """A deployment in the list shape of orq-ai-sdk 4.17.13 (`deployments.list`)."""
        stamp = now_iso()
        body = {
            "id": deployment_id,
            "created": stamp,
            "updated": stamp,
            "key": key,
            "description": description,
            "prompt_config": {
                "tools": [],
                "model": model,
                "model_type": "chat",
                "model_parameters": {"temperature": 0.2, "maxTokens": 512},
                "provider": "openai",
                "messages": [{"role": "system", "content": system_prompt}],
            },
            "version": "1.0",
        }
        self.store.put_deployment(body)
        return body

    async def list_deployments(self, request: Request) -> Response:
        limit = rules.limit(request, maximum=50)  # the SDK's docs: "Limit can range between 1 and 50"
        return JSONResponse(rules.cursor_page(self.store.deployments(), request, limit, id_field="id"))

    def invoke(
        self,
        key: str,
        inputs: dict[str, Any] | None = None,
        messages: list[dict[str, Any]] | None = None,
        *,
        trace_id: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Run a deployment's responder, remember the trace, and answer in the SDK's invoke shape."""
        deployment = self.store.get_deployment(key)
        if deployment is None:
            raise OrqError(404, f"Deployment {key} not found")
        responder = RESPONDERS.get(deployment["key"])
        inputs, messages = inputs or {}, messages or []
        output = responder(inputs, messages) if responder else json.dumps({"inputs": inputs}, sort_keys=True)
        created = now_iso()
        trace = trace_id or secrets.token_hex(16)  # an OpenTelemetry trace id: 32 hex digits
        prompt_text = json.dumps([inputs, messages], ensure_ascii=False)
        usage = {
            "prompt_tokens": token_count(prompt_text),
            "completion_tokens": token_count(output),
        }
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        self.store.put_trace(
            {
                "trace_id": trace,
                "deployment": deployment["key"],
                "inputs": inputs,
                "messages": messages,
                "metadata": metadata or {},
                "output": output,
                "created": created,
            }
        )
        return {
            "id": new_ulid(),
            "created": created,
            "object": "chat",
            "model": deployment["prompt_config"]["model"],
            "provider": deployment["prompt_config"]["provider"],
            "is_final": True,
            "telemetry": {"trace_id": trace, "span_id": secrets.token_hex(8)},
            "choices": [
                {
                    "index": 0,
                    "message": {"type": "content", "role": "assistant", "content": output},
                    "finish_reason": "stop",
                }
            ],
            "finalized": now_iso(),
            "usage": usage,
        }

    async def invoke_deployment(self, request: Request) -> Response:
        body = await rules.body_json(request)
        rules.check_invoke(body)
        return JSONResponse(
            self.invoke(body["key"], body.get("inputs"), body.get("messages"), metadata=body.get("metadata"))
        )

    def register_trace(self, trace_id: str, **details: Any) -> dict[str, Any]:
        """A trace that feedback may be given on, made outside invoke (the control route, demo data)."""
        body = {"trace_id": trace_id, "deployment": None, "output": None, "created": now_iso(), **details}
        self.store.put_trace(body)
        return body

    # --- feedback properties and feedback ------------------------------------------------------

    def feedback_properties(self) -> dict[str, FeedbackProperty]:
        """The built-in properties and the workspace's own, by key."""
        found = {p.key: p for p in BUILTIN_FEEDBACK_PROPERTIES}
        for body in self.store.feedback_properties():
            found.setdefault(body["key"], FeedbackProperty.model_validate(body))
        return found

    def add_feedback_property(self, fields: Any) -> dict[str, Any]:
        """Define a workspace property (what orq's UI does); a built-in key cannot be redefined."""
        if not isinstance(fields, dict):
            raise OrqError(400, "A feedback property is an object")
        try:
            prop = FeedbackProperty.model_validate({**fields, "builtin": False})
        except ValidationError as exc:
            raise OrqError(400, "Invalid feedback property: " + exc.errors()[0]["msg"], details(exc)) from None
        if any(p.key == prop.key for p in BUILTIN_FEEDBACK_PROPERTIES):
            raise OrqError(409, f"{prop.key} is a built-in feedback property")
        body = prop.model_dump(mode="json", exclude_none=True)
        self.store.put_feedback_property(body)
        return body

    async def create_feedback(self, request: Request) -> Response:
        body = await rules.body_json(request)
        feedback = rules.check_feedback(body, self.feedback_properties(), self.store.get_trace)
        self.store.upsert_feedback(feedback)
        return JSONResponse(feedback)

    async def remove_feedback(self, request: Request) -> Response:
        body = await rules.body_json(request)
        rules.check_feedback_removal(body)
        if not self.store.remove_feedback(body["id"], body["trace_id"]):
            raise OrqError(404, rules.FEEDBACK_NOT_FOUND)
        return JSONResponse({"id": body["id"], "trace_id": body["trace_id"], "product": body["product"]})


def _writable(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k in EVALUATOR_WRITABLE_FIELDS or k == "type"}


def _bump(version: str, increment: str | None) -> str:
    major, minor, patch = (int(p) for p in version.split("."))
    if increment == "major":
        return f"{major + 1}.0.0"
    if increment == "minor":
        return f"{major}.{minor + 1}.0"
    if increment == "patch":
        return f"{major}.{minor}.{patch + 1}"
    return version


def _model_object(model_id: str) -> dict[str, Any]:
    return {"id": model_id, "model_parameters": {}}


def get_shape(body: dict[str, Any]) -> dict[str, Any]:
    """GET /v2/evaluators/{id} answers a richer shape than list/update: models as objects, and more."""
    shaped = {
        **body,
        "display_name": body["key"],
        "owner": USER_ID,
        "domain_id": WORKSPACE_ID,
        "metadata": {"required_expected_output": "{{expected_output}}" in body.get("prompt", "")},
        "enabled": True,
    }
    if body.get("model"):
        shaped["model"] = _model_object(body["model"])
    if body.get("jury"):
        jury = dict(body["jury"])
        for part in ("judges", "replacement_judges"):
            jury[part] = [_judge_objects(judge) for judge in jury.get(part) or []]
        shaped["jury"] = jury
    return shaped


def _judge_objects(judge: dict[str, Any]) -> dict[str, Any]:
    fallbacks = [{**fallback, "model": _model_object(fallback["model"])} for fallback in judge.get("fallbacks") or []]
    return {**judge, "model": _model_object(judge["model"]), "fallbacks": fallbacks}
