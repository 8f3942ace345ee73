"""orq.ai's writes: what each one sends (checked before anything is queued or sent), and its kinds.

The bodies (`datapoint_changes`, `evaluator_changes`, `evaluator_creation`, `feedback`, ...) are built and
checked here for both ways a write goes: sent now by a direct call of `OrqClient` (`update_datapoint`,
`create_feedback`, ...) or queued through the outbox (`queue_datapoint_update`, ...). The write kinds (one
small class each, `kinds(client)`) tell the outbox how each queued write is sent, read back and verified:
see `writes.py` for the life of a write.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticValidationError

from ..models import Datapoint, DatapointUpdate, Evaluator, Feedback, new_ulid
from ..models.orq import EVALUATOR_NOT_NULLABLE, EVALUATOR_WRITABLE_FIELDS
from . import checks, curate
from .checks import segment
from .cursor import every_item
from .writes import WriteKind

if TYPE_CHECKING:
    from .orq import OrqClient

# --- the bodies ---------------------------------------------------------------------------------------------


def datapoint_route(dataset_id: str, datapoint_id: str) -> str:
    return f"/v2/datasets/{segment('dataset_id', dataset_id)}/datapoints/{segment('datapoint_id', datapoint_id)}"


def evaluator_route(evaluator_id: str) -> str:
    return f"/v2/evaluators/{segment('evaluator_id', evaluator_id)}"


def datapoint_ids(given: Any) -> list[str]:
    if isinstance(given, str) or not isinstance(given, (list, tuple, set, frozenset)):
        raise TypeError(f"ids must be a list of datapoint ids, not {type(given).__name__}")
    ids: list[str] = list(dict.fromkeys(given))
    if not ids:
        raise ValueError("no datapoints to delete: ids is empty")
    for datapoint_id in ids:
        segment("datapoint id", datapoint_id)
    return ids


def datapoint_changes(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(fields) - {"inputs", "messages", "expected_output"})
    if unknown:
        raise TypeError(f"a datapoint has no field {', '.join(unknown)}: pass inputs, messages or expected_output")
    for name, value in fields.items():
        checks.text(name, value)
    if "expected_output" in fields and not isinstance(fields["expected_output"], str):
        value = fields["expected_output"]
        raise TypeError(f"expected_output must be a str, not {type(value).__name__} ({value!r:.40})")
    try:
        body = DatapointUpdate.model_validate(fields).to_wire()
    except PydanticValidationError as error:
        raise checks.pydantic_words(error, "the datapoint's fields") from None
    if not body:
        raise ValueError("nothing to update: pass inputs, messages or expected_output")
    return body


def datapoint_holds(payload: dict[str, Any], current: Datapoint) -> bool:
    held = current.to_wire()
    sent = payload["fields"]
    return bool(DatapointUpdate.model_validate({k: held.get(k) for k in sent}).to_wire() == sent)


def version_token(updated: Any) -> str:
    """`updated` as one canonical string, whatever form it came in (str or datetime)."""
    return _instant.validate_python(updated).isoformat()


_instant = TypeAdapter(datetime)
_field_adapters: dict[str, TypeAdapter[Any] | None] = {}


def _evaluator_field(wire_name: str) -> TypeAdapter[Any] | None:
    """A validator for one evaluator field, by its wire name (None for one the model does not type)."""
    if wire_name not in _field_adapters:
        found = None
        for name, field in Evaluator.model_fields.items():
            if wire_name in (name, field.alias) and field.annotation is not None:
                found = TypeAdapter(field.annotation)
        _field_adapters[wire_name] = found
    return _field_adapters[wire_name]


def evaluator_changes(
    changes: dict[str, Any], version_increment: str | None, version_description: str | None, path: str | None
) -> dict[str, Any]:
    """The PATCH body: `type` and `path` always (the seed requires them), the changes, the version bump."""
    if not isinstance(changes, dict):
        raise TypeError(f"changes must be a dict of evaluator fields, not {type(changes).__name__}")
    unknown = set(changes) - set(EVALUATOR_WRITABLE_FIELDS) - {"type"}
    if unknown:
        raise ValueError(f"not evaluator fields: {', '.join(sorted(unknown))}")
    nulls = [name for name in EVALUATOR_NOT_NULLABLE if name in changes and changes[name] is None]
    if nulls:
        raise ValueError(f"{', '.join(nulls)}: cannot be null (omit a field to leave it as it is)")
    if changes.get("path") and changes.get("project_id"):
        raise ValueError("path and project_id are mutually exclusive: give one")
    for name, value in changes.items():  # each change of the type its field takes, before anything is sent
        adapter = _evaluator_field(name)
        if adapter is not None and value is not None:
            try:
                adapter.validate_python(value)
            except PydanticValidationError as error:  # a wrong type here; a rule across fields is the service's
                if any(e["type"].endswith("_type") or e["type"] == "literal_error" for e in error.errors()):
                    raise checks.pydantic_words(error, f"changes[{name!r}]") from None
    body = {"type": "llm_eval", **changes}
    if "project_id" not in body and not body.get("path") and path:
        body["path"] = checks.optional_str("path", path)
    if version_increment is not None:
        checks.choice("version_increment", version_increment, ("major", "minor", "patch"))
        body["versionIncrement"] = version_increment
    if version_description:
        body["versionDescription"] = checks.optional_str("version_description", version_description)
    checks.text("changes", body)
    return body


def evaluator_holds(payload: dict[str, Any], current: Evaluator) -> bool:
    """The service holds these changes (and, for a versioned save, its version has moved on)."""
    changes = payload["changes"]
    held = current.model_dump(mode="json", by_alias=True)
    try:
        wanted = Evaluator.model_validate({**held, **changes}).model_dump(mode="json", by_alias=True)
    except Exception:
        return False
    if any(wanted.get(k) != held.get(k) for k in changes):
        return False
    if "versionIncrement" in payload["body"] and payload.get("version") is not None:
        return bool(getattr(current, "version", None) != payload["version"])
    return True


def evaluator_creation(evaluator: Evaluator | dict[str, Any], path: str) -> dict[str, Any]:
    model = Evaluator.model_validate(evaluator)
    # on create an absent field and a null one mean the same: nulls are left out (the spec types most fields
    # without null)
    body = {
        k: v for k, v in model.to_wire().items() if (k in EVALUATOR_WRITABLE_FIELDS or k == "type") and v is not None
    }
    body.setdefault("type", "llm_eval")
    if "project_id" not in body:
        body.setdefault("path", path)
    checks.text("evaluator", body)
    return body


def feedback(trace_id: str, property: str, value: Any, product: str, id: str | None) -> dict[str, Any]:
    checks.optional_str("trace_id", trace_id)
    checks.optional_str("property", property)
    checks.text("value", value)
    if isinstance(value, bool) or not (
        isinstance(value, (str, int, float)) or (isinstance(value, list) and all(isinstance(v, str) for v in value))
    ):
        raise ValueError(f"value must be a str, a number or a list of str, not {type(value).__name__} ({value!r:.40})")
    checks.optional_str("product", product)
    if id is not None:
        checks.segment("id", id)
    fields = {"trace_id": trace_id, "property": property, "value": value, "product": product, "id": id or new_ulid()}
    try:
        return Feedback.model_validate(fields).model_dump(mode="json")
    except PydanticValidationError as error:
        raise checks.pydantic_words(error, "the feedback") from None


def feedback_removal(id: str, trace_id: str, product: str) -> dict[str, Any]:
    checks.segment("id", id)
    checks.segment("trace_id", trace_id)
    checks.segment("product", product)
    return {"id": id, "trace_id": trace_id, "product": product}


# --- the kinds ----------------------------------------------------------------------------------------------


class OrqWrite(WriteKind):
    """A write kind of orq: sends through the client's requests, one attempt each (`once`)."""

    def __init__(self, client: OrqClient) -> None:
        self.client = client


class CreateFeedback(OrqWrite):
    """Feedback on a trace, with a client-made id: sent again, it replaces itself."""

    name = "feedback.create"

    def send(self, payload: dict[str, Any]) -> Feedback:
        return Feedback.model_validate(self.client._send("POST", "/v2/feedback", payload, once=True))

    def describe(self, payload: dict[str, Any]) -> tuple[str, str]:
        return "POST", "/v2/feedback"


class RemoveFeedback(OrqWrite):
    """A removal of feedback: a 404 after an earlier attempt means that attempt removed it."""

    name = "feedback.remove"
    gone_means_landed = True

    def send(self, payload: dict[str, Any]) -> Any:
        return self.client._send("POST", "/v2/feedback/remove", payload, once=True)

    def describe(self, payload: dict[str, Any]) -> tuple[str, str]:
        return "POST", "/v2/feedback/remove"


class UpdateDatapoint(OrqWrite):
    """A PATCH of some fields of a datapoint, read first: its `updated` is the version token."""

    name = "datapoint.update"
    reads = True
    read_first = True

    def send(self, payload: dict[str, Any]) -> Datapoint:
        route = self.describe(payload)[1]
        return Datapoint.model_validate(self.client._send("PATCH", route, payload["fields"], once=True))

    def read(self, payload: dict[str, Any]) -> Datapoint:
        return self.client.get_datapoint(payload["dataset_id"], payload["datapoint_id"], once=True)

    def holds(self, payload: dict[str, Any], current: Any) -> bool:
        return datapoint_holds(payload, current)

    def token(self, current: Any) -> str | None:
        return version_token(current.updated) if current is not None and current.updated else None

    def describe(self, payload: dict[str, Any]) -> tuple[str, str]:
        return "PATCH", datapoint_route(payload["dataset_id"], payload["datapoint_id"])


class CreateDatapoints(OrqWrite):
    """A bulk create of one chunk: not idempotent, so it notes the dataset's newest datapoint before its
    first send, and a later attempt looks for its rows after that one before sending again."""

    name = "datapoints.create"
    reads = True
    prepares = True

    def send(self, payload: dict[str, Any]) -> list[Datapoint]:
        route = self.describe(payload)[1]
        made = self.client._send("POST", route, {"items": payload["items"]}, once=True)
        return [Datapoint.model_validate(item) for item in made]

    def prepare(self, payload: dict[str, Any]) -> dict[str, Any]:
        """With the dataset's newest datapoint (orq lists by `_id`, and ids grow with time), or None."""
        page = self.client.datapoints_page(payload["dataset_id"], limit=1, ending_before=curate.LAST_ID)
        return {**payload, "after": page.items[0].id if page.items else None, "prepared": True}

    def read(self, payload: dict[str, Any]) -> list[Datapoint] | None:
        """A bulk create whose answer may have been lost: its rows among the datapoints made after the
        dataset's newest one before it was first sent (same content, one after another), or None."""
        # reads retry on their own (idempotent): a long look-up must not fail on one 429
        pages = every_item(
            lambda cursor: self.client.datapoints_page(payload["dataset_id"], limit=200, starting_after=cursor),
            start=payload.get("after"),
        )
        return curate.find_run(list(pages), payload["items"])

    def holds(self, payload: dict[str, Any], current: Any) -> bool:
        return current is not None

    def idempotent(self, payload: dict[str, Any]) -> bool:
        return False

    def describe(self, payload: dict[str, Any]) -> tuple[str, str]:
        return "POST", f"/v2/datasets/{segment('dataset_id', payload['dataset_id'])}/datapoints/bulk"


class DeleteDatapoints(OrqWrite):
    """A bulk delete: ids already gone are passed over, so it is safely sent again. Answers the ids."""

    name = "datapoints.delete"

    def send(self, payload: dict[str, Any]) -> list[str]:
        self.client._send("POST", self.describe(payload)[1], {"item_ids": payload["item_ids"]}, once=True)
        ids: list[str] = payload["item_ids"]
        return ids

    def describe(self, payload: dict[str, Any]) -> tuple[str, str]:
        return "POST", f"/v2/datasets/{segment('dataset_id', payload['dataset_id'])}/datapoints-bulk-delete"


class UpdateEvaluator(OrqWrite):
    """An evaluator PATCH; with a version bump not idempotent (verified by reading back before a re-send)."""

    name = "evaluator.update"
    reads = True

    def send(self, payload: dict[str, Any]) -> Evaluator:
        route = self.describe(payload)[1]
        body = payload["body"]
        if "project_id" not in body and not body.get("path"):  # the seed requires it: the evaluator's own
            body = {**body, "path": Evaluator.model_validate(self.client._get(route, once=True)).path}
        return Evaluator.model_validate(self.client._send("PATCH", route, body, once=True))

    def read(self, payload: dict[str, Any]) -> Evaluator:
        return Evaluator.model_validate(self.client._get(self.describe(payload)[1], once=True))

    def holds(self, payload: dict[str, Any], current: Any) -> bool:
        return evaluator_holds(payload, current)

    def idempotent(self, payload: dict[str, Any]) -> bool:
        return "versionIncrement" not in payload["body"]

    def describe(self, payload: dict[str, Any]) -> tuple[str, str]:
        return "PATCH", evaluator_route(payload["evaluator_id"])


class CreateEvaluator(OrqWrite):
    """A new evaluator: not idempotent, so before a re-send its key is looked up (one save creates one)."""

    name = "evaluator.create"
    reads = True

    def send(self, payload: dict[str, Any]) -> Evaluator:
        return Evaluator.model_validate(self.client._send("POST", "/v2/evaluators", payload["body"], once=True))

    def read(self, payload: dict[str, Any]) -> Evaluator | None:
        return self.client._evaluator_by_key(payload["body"]["key"])

    def holds(self, payload: dict[str, Any], current: Any) -> bool:
        return current is not None and bool(current.prompt == payload["body"].get("prompt"))

    def idempotent(self, payload: dict[str, Any]) -> bool:
        return False

    def describe(self, payload: dict[str, Any]) -> tuple[str, str]:
        return "POST", "/v2/evaluators"


KINDS: tuple[type[OrqWrite], ...] = (
    CreateFeedback,
    RemoveFeedback,
    UpdateDatapoint,
    CreateDatapoints,
    DeleteDatapoints,
    UpdateEvaluator,
    CreateEvaluator,
)


def kinds(client: OrqClient) -> dict[str, WriteKind]:
    """The kinds of write orq takes through the outbox, by name, sending through `client`."""
    return {kind.name: kind(client) for kind in KINDS}
