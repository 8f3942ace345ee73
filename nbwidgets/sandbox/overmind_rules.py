"""Every rule the sandbox applies to Overmind requests, in one place, as Django REST Framework answers them.

Errors: `{"detail", "code"}` for 401/403/404/405/409; validation errors keyed by field and nested as DRF
nests them (`{"datapoints": [{}, {"order": ["..."]}]}`: one entry per item of a list, `{}` for a valid one).
Pagination is DRF's PageNumberPagination with `page_size` 25, a `page_size` query parameter up to 100.
The HTTP-level limits (body size, content type, JSON depth) are in app.py's gate.
"""

from __future__ import annotations

import json
import math
from typing import Any

from pydantic import ValidationError
from starlette.requests import Request

from ..models import OvermindDatapoint, is_uuid
from ..models.overmind import DatasetSource

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
SOURCES: tuple[str, ...] = DatasetSource.__args__  # type: ignore[attr-defined]


class DrfError(Exception):
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(body)
        self.status, self.body = status, body


def not_found() -> DrfError:
    return DrfError(404, {"detail": "Not found.", "code": "not_found"})


def invalid_page() -> DrfError:
    return DrfError(404, {"detail": "Invalid page.", "code": "not_found"})


def _positive_int(raw: str, cutoff: int | None = None) -> int:
    """DRF's `_positive_int(strict=True)`: a positive integer, capped at `cutoff`; ValueError otherwise."""
    number = int(raw)
    if number <= 0:
        raise ValueError(raw)
    return min(number, cutoff) if cutoff else number


def page_size(request: Request) -> int:
    """DRF's `get_page_size`: a bad or non-positive `page_size` falls back to the default, a big one is capped."""
    raw = request.query_params.get("page_size")
    if raw is None:
        return DEFAULT_PAGE_SIZE
    try:
        return _positive_int(raw, cutoff=MAX_PAGE_SIZE)
    except ValueError:
        return DEFAULT_PAGE_SIZE


def page_number(request: Request, count: int, size: int) -> int:
    """Django's Paginator.validate_number as DRF calls it: an integer from 1 to the last page ("last" is the
    last page); anything else, however large, is 404 "Invalid page." before any query runs."""
    raw = request.query_params.get("page", "1")
    pages = max(1, math.ceil(count / size))
    if raw == "last":
        return pages
    if len(raw) > 18:  # more digits than any page count: out of range, without big-number arithmetic
        raise invalid_page()
    try:
        number = int(raw)
    except ValueError:
        try:
            as_float = float(raw)
        except ValueError:
            raise invalid_page() from None
        if not as_float.is_integer():
            raise invalid_page() from None
        number = int(as_float)
    if not 1 <= number <= pages:
        raise invalid_page()
    return number


def body_json(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise DrfError(400, {"detail": "JSON parse error.", "code": "parse_error"}) from None


def integer_filter(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if not raw:
        return None
    if not raw.lstrip("-").isdigit() or len(raw) > 18:
        raise DrfError(400, {name: ["Enter a number."]})
    return int(raw)


MAX_ORDER = 2147483647  # Django's PositiveIntegerField, which DRF bounds with this message


def _datapoint_errors(item: Any) -> dict[str, list[str]]:
    if not isinstance(item, dict):
        return {"non_field_errors": [f"Invalid data. Expected a dictionary, but got {type(item).__name__}."]}
    errors: dict[str, list[str]] = {}
    order = item.get("order")
    if isinstance(order, int) and not isinstance(order, bool) and order > MAX_ORDER:  # a PositiveIntegerField
        errors["order"] = [f"Ensure this value is less than or equal to {MAX_ORDER}."]
        item = {k: v for k, v in item.items() if k != "order"}
    try:
        OvermindDatapoint.model_validate(item)
    except ValidationError as exc:
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "non_field_errors"
            errors.setdefault(field, []).append(error["msg"])
    return errors


def check_new_version(body: Any, agent_exists: Any) -> dict[str, Any]:
    """POST /api/datasets/: `agent` (an existing agent's uuid) and `datapoints` (a list) are required."""
    if not isinstance(body, dict):
        raise DrfError(400, {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]})
    errors: dict[str, Any] = {}
    agent_id = body.get("agent")
    if not agent_id:
        errors["agent"] = ["This field is required."]
    elif not isinstance(agent_id, str) or not is_uuid(agent_id) or not agent_exists(agent_id):
        errors["agent"] = [f'Invalid pk "{str(agent_id)[:64]}" - object does not exist.']
    datapoints = body.get("datapoints")
    if datapoints is None:
        errors["datapoints"] = ["This field is required."]
    elif not isinstance(datapoints, list):
        errors["datapoints"] = {
            "non_field_errors": [f'Expected a list of items but got type "{type(datapoints).__name__}".']
        }
    else:
        item_errors = [_datapoint_errors(item) for item in datapoints]
        if any(item_errors):
            errors["datapoints"] = item_errors  # DRF's ListSerializer: one entry per item, {} when valid
    if body.get("source") is not None and body["source"] not in SOURCES:
        errors["source"] = [f'"{str(body["source"])[:64]}" is not a valid choice.']
    for field, limit in (("name", 255), ("generator_model", 128), ("policy_hash", 64)):
        value = body.get(field)
        if value is not None and not isinstance(value, str):
            errors[field] = ["Not a valid string."]
        elif value is not None and len(value) > limit:
            errors[field] = [f"Ensure this field has no more than {limit} characters."]
    if body.get("metadata") is not None and not isinstance(body["metadata"], dict):
        errors["metadata"] = ["Expected a dictionary of items."]
    if body.get("make_active") is not None and not isinstance(body["make_active"], bool):
        errors["make_active"] = ["Must be a valid boolean."]
    if errors:
        raise DrfError(400, errors)
    return body
