"""Overmind's writes: a new dataset version (datapoints are immutable: an edit is a new version).

`version_payload` checks a version's write before anything is queued or sent; `post_version` sends it (a
direct `new_version_with_edits` and the queued write alike); `NewDatasetVersion` tells the outbox how a
queued one is sent and verified, so one save makes at most one version (see `writes.py`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import ValidationError as PydanticValidationError

from ..models import OvermindDatapoint, OvermindDataset
from . import checks
from .checks import segment
from .writes import WriteKind

if TYPE_CHECKING:
    from .overmind import OvermindClient

WRITE_ID = "nbwidgets_write_id"  # in a version's metadata: which queued write made it
EDITABLE = frozenset({"input", "expected_output", "persona", "tags"})  # a datapoint's fields (its id is new)


def version_payload(
    dataset_id: str,
    edits: dict[str, dict[str, Any]],
    make_active: bool,
    name: str | None,
    added: list[dict[str, Any]] | None = None,
    removed: list[str] | None = None,
) -> dict[str, Any]:
    """A new version's write, checked before anything is queued or sent: edits of datapoints, new
    datapoints (`added`, after the others) and datapoints left out (`removed`, by id)."""
    segment("dataset_id", dataset_id)
    checks.boolean("make_active", make_active)
    checks.optional_str("name", name)
    added, removed = list(added or []), list(removed or [])
    if not isinstance(edits, dict) or not (edits or added or removed):
        raise ValueError("edits must be a non-empty dict {datapoint_id: {field: value}}")
    for index, fields in enumerate(added):
        if not isinstance(fields, dict) or set(fields) - EDITABLE:
            raise ValueError(f"added[{index}] must be a dict of {', '.join(sorted(EDITABLE))}")
        checks.text(f"added[{index}]", fields)
        try:
            OvermindDatapoint.model_validate(fields)
        except PydanticValidationError as error:
            first = error.errors()[0]
            raise ValueError(f"added[{index}].{'.'.join(map(str, first['loc']))}: {first['msg']}") from None
    for datapoint_id in removed:
        segment("datapoint_id", datapoint_id)
    for datapoint_id, fields in edits.items():
        segment("datapoint_id", datapoint_id)
        if not isinstance(fields, dict) or not fields:
            raise ValueError(f"edits[{datapoint_id!r}] must be a non-empty dict of fields")
        unknown = set(fields) - EDITABLE
        if unknown:
            raise ValueError(f"edits[{datapoint_id!r}]: unknown field(s) {', '.join(sorted(unknown))}")
        checks.text(f"edits[{datapoint_id!r}]", fields)
        try:  # write strictly: what the service would refuse is refused here, naming the field
            OvermindDatapoint.model_validate(fields)
        except PydanticValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise ValueError(f"edits[{datapoint_id!r}].{where}: {first['msg']}") from None
    if not isinstance(make_active, bool):
        raise TypeError(f"make_active must be a bool, not {type(make_active).__name__}")
    name = checks.optional_str("name", name)
    payload = {"dataset_id": dataset_id, "edits": edits, "make_active": make_active, "name": name}
    if added or removed:
        payload.update(added=added, removed=removed)
    return payload


def post_version(client: OvermindClient, p: dict[str, Any], *, once: bool = False) -> OvermindDataset:
    """POST the version a write describes: the base version read now, with the write's edits, additions and
    removals (a direct `new_version_with_edits` and the queued write both send it)."""
    dataset_id, edits = p["dataset_id"], p["edits"]
    route = f"/api/datasets/{segment('dataset_id', dataset_id)}/"
    base = OvermindDataset.model_validate(client._get(route, once=once))
    removed = set(p.get("removed") or [])
    missing = (set(edits) | removed) - {dp.id for dp in base.datapoints or []}
    if missing:
        raise ValueError(f"datapoints not in dataset {dataset_id}: {', '.join(sorted(missing))}")
    kept = [dp for dp in base.datapoints or [] if dp.id not in removed]
    datapoints = [dp.model_copy(update=edits.get(dp.id or "", {})) for dp in kept]
    last = max([dp.order or 0 for dp in datapoints], default=-1)
    for index, fields in enumerate(p.get("added") or []):
        datapoints.append(OvermindDatapoint.model_validate({**fields, "order": last + 1 + index}))
    metadata = {**base.metadata, "edited_from": base.id}
    if p.get("write_id"):
        metadata[WRITE_ID] = p["write_id"]
    body: dict[str, Any] = {
        "agent": base.agent,
        "datapoints": [dp.as_new() for dp in datapoints],
        "make_active": bool(p["make_active"]),
        "metadata": metadata,
    }
    for field, value in (("name", p.get("name") or base.name), ("source", base.source)):
        if value is not None:
            body[field] = value
    return OvermindDataset.model_validate(client._send("POST", "/api/datasets/", body, once=once))


class NewDatasetVersion(WriteKind):
    """A new version of a dataset: not idempotent, so the write carries an id in the version's metadata
    and, before any re-send, looks for a version holding it among the agent's newest."""

    name = "dataset.version"
    reads = True

    def __init__(self, client: OvermindClient) -> None:
        self.client = client

    def send(self, payload: dict[str, Any]) -> OvermindDataset:
        return post_version(self.client, payload, once=True)

    def read(self, payload: dict[str, Any]) -> OvermindDataset | None:
        """The version a queued write made, if an earlier attempt landed: among the agent's versions
        newer than the base, newest first, the one whose metadata holds the write's id."""
        route = f"/api/datasets/{segment('dataset_id', payload['dataset_id'])}/"
        base = OvermindDataset.model_validate(self.client._get(route, once=True))
        number = 1
        while True:
            page = self.client._get("/api/datasets/", once=True, agent=base.agent, ordering="-version", page=number)
            for item in page.get("results") or []:
                found = OvermindDataset.model_validate(item)
                if found.metadata.get(WRITE_ID) == payload["write_id"]:
                    return found
                if found.version <= base.version:
                    return None  # older than the base: the write's version, if any, would be above
            if not page.get("next"):
                return None
            number += 1

    def holds(self, payload: dict[str, Any], current: Any) -> bool:
        return current is not None

    def idempotent(self, payload: dict[str, Any]) -> bool:
        return False

    def describe(self, payload: dict[str, Any]) -> tuple[str, str]:
        return "POST", "/api/datasets/"


def kinds(client: OvermindClient) -> dict[str, WriteKind]:
    """The kinds of write Overmind takes through the outbox, by name, sending through `client`."""
    return {NewDatasetVersion.name: NewDatasetVersion(client)}
