"""Every rule the sandbox applies to orq requests, in one place: what orq refuses, with its status and body.

Sources: the seeds (../shared/seeds), the OpenAPI subset and orq-ai-sdk 4.17.13's models. Error bodies
are `{"message": ...}` (plus `details: [{path, message}]` where a field is to blame): the shape both
SDK versions parse. The HTTP-level limits (body size, content type, JSON depth) are in app.py's gate.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse

from ..models import DatapointUpdate, is_ulid, new_ulid
from ..models.feedback import FeedbackProperty
from ..models.orq import EVALUATOR_NOT_NULLABLE, FEEDBACK_PRODUCTS

FEEDBACK_NOT_FOUND = "Workspace, trace, or feedback property was not found"
MAX_LIMIT = 200  # the spec (and SDK 4.x): 1..200, default 10
_INTEGER = re.compile(r"^[0-9]{1,9}$")


class OrqError(Exception):
    def __init__(self, status: int, message: str, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.details = status, message, details


def error_response(error: OrqError) -> JSONResponse:
    body: dict[str, Any] = {"message": error.message}
    if error.details:
        body["details"] = error.details
    return JSONResponse(body, status_code=error.status)


def field_error(field: str, message: str, status: int = 400) -> OrqError:
    return OrqError(status, f"{field}: {message}", [{"path": field.split("."), "message": message}])


def details(exc: ValidationError, prefix: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    return [{"path": [*prefix, *(str(p) for p in e["loc"])], "message": e["msg"]} for e in exc.errors()]


async def body_json(request: Request) -> Any:
    """The request's JSON (None when there is no body). app.py's gate has checked size, type and depth."""
    raw = await request.body()
    if not raw:
        return None
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise OrqError(400, "Request body is not valid JSON") from None


def require_object(body: Any, what: str = "Body") -> dict[str, Any]:
    if not isinstance(body, dict):
        raise OrqError(400, f"{what} must be a JSON object")
    return body


# --- listing --------------------------------------------------------------------------------------


def limit(request: Request, maximum: int = MAX_LIMIT) -> int:
    """`limit` is an integer from 1 to `maximum`; anything else (`1e400`, `-1`, `abc`) is a 400."""
    raw = request.query_params.get("limit")
    if raw is None:
        return 10
    if not _INTEGER.match(raw) or not 1 <= int(raw) <= maximum:
        raise field_error("limit", f"must be an integer between 1 and {maximum}, got {raw[:40]!r}")
    return int(raw)


def cursors(request: Request) -> tuple[str | None, str | None]:
    """`starting_after` / `ending_before`: at most one of them, and an id.

    Which reading of an unknown cursor: orq's docs call the cursor "an object ID that defines your place
    in the list", and its store is ordered by `_id`, so a well-formed id that names no item (one just
    deleted, say) is still a place: the page starts after it, as a `_id > cursor` range would. A value
    that is not an id at all cannot be a place and is a 400 naming the parameter.
    """
    after, before = request.query_params.get("starting_after"), request.query_params.get("ending_before")
    if after is not None and before is not None:
        raise OrqError(
            400,
            "starting_after and ending_before cannot be used together",
            [{"path": ["starting_after"], "message": "not with ending_before"}],
        )
    for name, value in (("starting_after", after), ("ending_before", before)):
        if value is not None and not is_ulid(value):
            raise field_error(name, f"must be an object id, got {value[:40]!r}")
    return after, before


def cursor_page(items: list[dict[str, Any]], request: Request, size: int, id_field: str = "_id") -> dict[str, Any]:
    """Cursor paging over a small in-memory list sorted by id."""
    after, before = cursors(request)
    if before:
        earlier = [i for i in items if i[id_field] < before]
        return {"object": "list", "data": earlier[-size:], "has_more": len(earlier) > size}
    later = [i for i in items if i[id_field] > after] if after else items
    return {"object": "list", "data": later[:size], "has_more": len(later) > size}


# --- datapoints -----------------------------------------------------------------------------------

DATAPOINT_FIELDS = ("inputs", "messages", "expected_output")
MAX_BULK_ITEMS = 5000  # datapoints per bulk create (orq's docs: min 1, max 5000)


def datapoint_fields(item: Any, prefix: tuple[str, ...] = ()) -> dict[str, Any]:
    """The known fields of a datapoint body, validated as the spec's request schema says.

    Unknown fields are ignored (the schema does not forbid them); `expected_output` is a string (null is
    refused); messages are the strict union: system/developer content is a string or a non-empty array of
    text parts, and every content part has a known type.
    """
    if not isinstance(item, dict):
        raise OrqError(400, "Each datapoint must be a JSON object")
    known = {k: v for k, v in item.items() if k in DATAPOINT_FIELDS}
    if "expected_output" in known and not isinstance(known["expected_output"], str):
        raise OrqError(
            400,
            "Invalid datapoint: expected_output must be a string",
            [{"path": [*prefix, "expected_output"], "message": "must be a string"}],
        )
    try:
        update = DatapointUpdate.model_validate(known)
    except ValidationError as exc:
        raise OrqError(400, "Invalid datapoint: " + exc.errors()[0]["msg"], details(exc, prefix)) from None
    return update.model_dump(mode="json", exclude_unset=True)


# --- evaluators -----------------------------------------------------------------------------------


def check_evaluator_target(body: dict[str, Any]) -> None:
    """`path` and `project_id` place an evaluator; on create and on update only one may be given. Fields
    the spec does not make nullable cannot be null (null would silently drop them)."""
    for name in EVALUATOR_NOT_NULLABLE:
        if name in body and body[name] is None:
            raise field_error(name, "must not be null")
    if body.get("jury") is not None and not isinstance(body["jury"], dict):  # `{"jury": 5}`: refused in any mode
        raise field_error("jury", "must be an object (the jury's judges and rules)")
    if "jury" in body and body["jury"] is None and body.get("mode") != "single":  # null jury: single judges only
        raise field_error("jury", "must not be null (switch mode to single to drop the jury)")
    if body.get("path") and body.get("project_id"):
        raise OrqError(
            400,
            "path and project_id are mutually exclusive",
            [{"path": ["path"], "message": "not with project_id"}],
        )
    if body.get("type", "llm_eval") != "llm_eval":
        raise field_error("type", "the sandbox stores llm_eval evaluators only")


def check_version_increment(body: dict[str, Any]) -> str | None:
    increment = body.get("versionIncrement")
    if increment is not None and increment not in ("major", "minor", "patch"):
        raise field_error("versionIncrement", "major, minor or patch")
    return increment


# --- deployments ----------------------------------------------------------------------------------


MESSAGE_ROLES = ("system", "developer", "user", "assistant", "tool")  # the SDK's request message union


def check_invoke(raw: Any) -> dict[str, Any]:
    """POST /v2/deployments/invoke: `key` required; inputs/context/metadata objects; messages an array."""
    body = require_object(raw)
    if not isinstance(body.get("key"), str) or not body["key"]:
        raise field_error("key", "the deployment key is required")
    for name in ("inputs", "context", "metadata", "extra_params"):
        if body.get(name) is not None and not isinstance(body[name], dict):
            raise field_error(name, "must be an object")
    for name in ("messages", "prefix_messages"):
        value = body.get(name)
        if value is None:
            continue
        if not isinstance(value, list) or not all(
            isinstance(m, dict) and m.get("role") in MESSAGE_ROLES for m in value
        ):
            raise field_error(name, "must be an array of messages, each with a role: " + ", ".join(MESSAGE_ROLES))
    if body.get("stream"):
        raise field_error("stream", "the sandbox answers in one piece; use stream: false")
    return body


# --- feedback -------------------------------------------------------------------------------------


def check_feedback(
    body: Any, properties: dict[str, FeedbackProperty], trace: Callable[[str], dict[str, Any] | None]
) -> dict[str, Any]:
    """POST /v2/feedback, as orq answers it: 400 for a malformed body or a value the property does not
    take, 404 for an unknown property or trace. Returns the stored (and echoed) feedback."""
    if not isinstance(body, dict):
        raise OrqError(400, "Bad Request")
    missing = [f for f in ("property", "value", "trace_id") if body.get(f) is None]
    if missing:
        raise OrqError(400, "Bad Request", [{"path": [f], "message": "Required"} for f in missing])
    prop_key, value, trace_id = body["property"], body["value"], body["trace_id"]
    if not isinstance(prop_key, str) or not isinstance(trace_id, str):
        raise OrqError(400, "Bad Request", [{"path": ["property"], "message": "property and trace_id are strings"}])
    if isinstance(value, bool) or not (
        isinstance(value, (str, int, float)) or (isinstance(value, list) and all(isinstance(v, str) for v in value))
    ):
        raise OrqError(400, "Bad Request", [{"path": ["value"], "message": "a string, a number or strings"}])
    product = body.get("product", "deployments")
    if product not in FEEDBACK_PRODUCTS:
        raise OrqError(400, "Bad Request", [{"path": ["product"], "message": "not a known product"}])
    feedback_id = body.get("id")
    if feedback_id is not None and (not isinstance(feedback_id, str) or not is_ulid(feedback_id)):
        raise OrqError(400, "Bad Request", [{"path": ["id"], "message": "must be a ULID"}])
    prop = properties.get(prop_key)
    if prop is None or trace(trace_id) is None:
        raise OrqError(404, FEEDBACK_NOT_FOUND)
    problem = prop.value_problem(value)
    if problem:
        raise OrqError(400, "Bad Request", [{"path": ["value"], "message": problem}])
    return {
        "property": prop_key,
        "value": value,
        "trace_id": trace_id,
        "id": feedback_id or new_ulid(),
        "product": product,
    }


def check_feedback_removal(raw: Any) -> dict[str, Any]:
    """POST /v2/feedback/remove: id, trace_id and product are all required."""
    if not isinstance(raw, dict):
        raise OrqError(400, "Bad Request", [{"path": ["id"], "message": "Required"}])
    body: dict[str, Any] = raw
    missing = [f for f in ("id", "trace_id", "product") if not body.get(f)]
    if missing:
        raise OrqError(400, "Bad Request", [{"path": [f], "message": "Required"} for f in missing])
    if (
        not all(isinstance(body[f], str) for f in ("id", "trace_id", "product"))
        or body["product"] not in FEEDBACK_PRODUCTS
    ):
        raise OrqError(400, "Bad Request", [{"path": ["product"], "message": "strings; product a known product"}])
    return body


# --- the control routes' checks -------------------------------------------------------------------


def check_trace_ids(body: Any) -> list[str]:
    """POST /_sandbox/traces: {"trace_ids": [...]} of non-empty strings up to 128 characters."""
    ids = body.get("trace_ids") if isinstance(body, dict) else None
    if not isinstance(ids, list) or not ids or len(ids) > 10_000:
        raise field_error("trace_ids", "a non-empty array (up to 10,000) of trace ids")
    if not all(isinstance(i, str) and 0 < len(i) <= 128 and i.isprintable() for i in ids):
        raise field_error("trace_ids", "each trace id is a printable string of 1 to 128 characters")
    return ids
