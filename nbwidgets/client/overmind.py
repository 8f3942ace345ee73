"""Overmind (agent-era API): routes to models. Datapoints are immutable; edits are new dataset versions."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from ..models import Agent, OvermindDatapoint, OvermindDataset, Page, new_uuid
from . import checks, overmind_writes
from .base import Client
from .checks import segment
from .writes import Write, WriteHandle, WriteKind

if TYPE_CHECKING:
    from .overmind_datasets import OvermindDatasets


def _page(payload: dict[str, Any], model: Any, *, number: int, page_size: int | None) -> Page[Any]:
    items = [model.model_validate(item) for item in payload["results"]]
    return Page(
        items=items,
        has_next=payload.get("next") is not None,
        has_previous=payload.get("previous") is not None,
        scheme="number",
        number=number,
        total=payload.get("count"),
        page_size=page_size or len(items) or None,
    )


def _flatten_drf_errors(value: Any, path: list[str], into: dict[str, list[str]]) -> None:
    name = ".".join(path) or "non_field_errors"
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten_drf_errors(inner, [*path, str(key)] if key != "non_field_errors" or not path else path, into)
    elif isinstance(value, list) and value and all(isinstance(item, str) for item in value):
        into.setdefault(name, []).extend(value)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _flatten_drf_errors(item, [*path, str(index)], into)
    elif value not in (None, ""):
        into.setdefault(name, []).append(str(value))


class OvermindClient(Client):
    """Overmind's REST API. Auth is `Authorization: Bearer <key>`, as its docs say (authentication.mdx);
    the base class's HeaderAuth sends exactly that."""

    service = "overmind"
    default_base_url = "https://api.overmindlab.ai"
    key_env = "OVERMIND_API_KEY"
    url_env = "OVERMIND_API_URL"

    @staticmethod
    def _parse_error(body: dict[str, Any]) -> tuple[str, dict[str, list[str]]]:
        # DRF: {"detail": ..., "code": ...}, or validation errors keyed by field and nested as DRF nests
        # them ({"datapoints": [{}, {"order": ["..."]}]}): mapped to dotted paths ("datapoints.1.order").
        if "detail" in body:
            return str(body["detail"]), {}
        fields: dict[str, list[str]] = {}
        _flatten_drf_errors(body, [], fields)
        summary = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in list(fields.items())[:3])
        return f"invalid data ({summary})" if summary else "invalid data", fields

    def datasets(self) -> OvermindDatasets:
        from .overmind_datasets import OvermindDatasets

        return OvermindDatasets(self)

    def list_agents(self, *, search: str | None = None, page: int = 1, ordering: str | None = None) -> Page[Agent]:
        payload = self._get(
            "/api/agents/",
            search=checks.optional_str("search", search),
            page=checks.integer("page", page, 1, 10**9),
            ordering=checks.optional_str("ordering", ordering),
        )
        return _page(payload, Agent, number=page, page_size=None)

    def get_agent(self, agent_id: str) -> Agent:
        return Agent.model_validate(self._get(f"/api/agents/{segment('agent_id', agent_id)}/"))

    def list_datasets(
        self,
        *,
        agent: str | None = None,
        source: str | None = None,
        version: int | None = None,
        version_min: int | None = None,
        version_max: int | None = None,
        generator_model: str | None = None,
        ordering: str | None = "-version",
        search: str | None = None,
        page: int = 1,
    ) -> Page[OvermindDataset]:
        for name, text in (("agent", agent), ("source", source), ("generator_model", generator_model)):
            checks.optional_str(name, text)
        checks.optional_str("ordering", ordering)
        checks.optional_str("search", search)
        for name, whole in (("version", version), ("version_min", version_min), ("version_max", version_max)):
            checks.optional_int(name, whole, 0)
        checks.integer("page", page, 1, 10**9)
        payload = self._get(
            "/api/datasets/",
            agent=agent,
            source=source,
            version=version,
            version_min=version_min,
            version_max=version_max,
            generator_model=generator_model,
            ordering=ordering,
            search=search,
            page=page,
        )
        return _page(payload, OvermindDataset, number=page, page_size=None)

    def dataset_summary(self, dataset_id: str) -> OvermindDataset:
        """A version's summary (no datapoints): found in the listing, which is small, not by GET,
        which carries every datapoint inline."""
        number = 1
        while True:
            page = self.list_datasets(ordering=None, page=number)
            for dataset in page.items:
                if dataset.id == dataset_id:
                    return dataset
            if not page.has_next:
                break
            number += 1
        return self.get_dataset(dataset_id).model_copy(update={"datapoints": None})

    def get_dataset(self, dataset_id: str) -> OvermindDataset:
        """A dataset version with all its datapoints inline."""
        return OvermindDataset.model_validate(self._get(f"/api/datasets/{segment('dataset_id', dataset_id)}/"))

    def datapoints_page(
        self,
        dataset_id: str,
        *,
        page: int = 1,
        page_size: int = 25,
        ordering: str | None = None,
        search: str | None = None,
    ) -> Page[OvermindDatapoint]:
        payload = self._get(
            f"/api/datasets/{segment('dataset_id', dataset_id)}/datapoints/",
            page=checks.integer("page", page, 1, 10**9),
            page_size=checks.integer("page_size", page_size, 1, 100),
            ordering=ordering,
            search=search or None,
        )
        return _page(payload, OvermindDatapoint, number=page, page_size=page_size)

    def iter_datapoints(self, dataset_id: str, *, page_size: int = 100) -> Iterator[OvermindDatapoint]:
        number = 1
        while True:
            page = self.datapoints_page(dataset_id, page=number, page_size=page_size)
            yield from page.items
            if not page.has_next:
                return
            number += 1

    def create_dataset_version(
        self,
        agent: str,
        datapoints: Sequence[OvermindDatapoint | dict[str, Any]],
        *,
        name: str | None = None,
        source: str | None = None,
        make_active: bool = False,
        metadata: dict[str, Any] | None = None,
        generator_model: str | None = None,
    ) -> OvermindDataset:
        """POST a new version of the agent's dataset (the server assigns the version number)."""
        body: dict[str, Any] = {
            "agent": agent,
            "datapoints": [OvermindDatapoint.model_validate(dp).as_new() for dp in datapoints],
            "make_active": make_active,
        }
        for field, value in (
            ("name", name),
            ("source", source),
            ("metadata", metadata),
            ("generator_model", generator_model),
        ):
            if value is not None:
                body[field] = value
        return OvermindDataset.model_validate(self._send("POST", "/api/datasets/", body))

    def new_version_with_edits(
        self, dataset_id: str, edits: dict[str, dict[str, Any]], *, make_active: bool = False, name: str | None = None
    ) -> OvermindDataset:
        """Copy a version with `edits` ({datapoint_id: {field: value}}) applied, as the agent's next version,
        now (one attempt with the transport's retries). The widgets use `queue_dataset_version`."""
        return overmind_writes.post_version(self, overmind_writes.version_payload(dataset_id, edits, make_active, name))

    def queue_dataset_version(
        self,
        dataset_id: str,
        edits: dict[str, dict[str, Any]],
        *,
        make_active: bool = False,
        name: str | None = None,
        added: list[dict[str, Any]] | None = None,
        removed: list[str] | None = None,
    ) -> WriteHandle:
        """Queue `edits` ({datapoint_id: {field: value}}) as the agent's next version of this dataset, through
        the outbox (kept on disk, retried). A new version is not idempotent: the write carries an id in the
        version's `metadata` and, before any re-send, looks for a version holding it among the agent's
        newest, so one save makes at most one version whatever the network does."""
        payload = overmind_writes.version_payload(dataset_id, edits, make_active, name, added, removed)
        return self.submit(Write("dataset.version", f"dataset {dataset_id}", {**payload, "write_id": new_uuid()}))

    def import_datapoints(
        self,
        dataset_id: str,
        source: Any,
        *,
        inputs: str | list[str] | None = None,
        expected_output: str | None = None,
        make_active: bool = False,
        wait: bool = True,
        timeout: float | None = None,
    ) -> Any:
        """Add the rows of `source` (a DataFrame, a .csv / .jsonl path, or dicts) to a dataset version: the
        agent's next version holds them after the version's datapoints (Overmind never changes a version in
        place). `inputs` names one column holding each row's input or the columns making an input object
        (default: an `input` or `inputs` column, else every other column); `expected_output` its column
        (default `expected_output`). Checked before anything is sent; one write on the write path, made
        at most once. Returns the new version (`wait=False`: the write's handle)."""
        from .curate import overmind_items

        items = overmind_items(source, inputs=inputs, expected_output=expected_output)
        handle = self.queue_dataset_version(dataset_id, {}, make_active=make_active, added=items)
        return handle.result(timeout) if wait else handle

    def delete_datapoints(
        self, dataset_id: str, ids: Sequence[str], *, make_active: bool = False, wait: bool = True
    ) -> Any:
        """The agent's next version: this version without these datapoints (one write, made at most once).
        Returns the new version (`wait=False`: the write's handle)."""
        if isinstance(ids, str) or not ids:
            raise ValueError("no datapoints to delete: ids is empty" if not ids else "ids must be a list of ids")
        handle = self.queue_dataset_version(dataset_id, {}, make_active=make_active, removed=list(dict.fromkeys(ids)))
        return handle.result() if wait else handle

    def _write_kinds(self) -> dict[str, WriteKind]:
        return overmind_writes.kinds(self)

    def activate_dataset(self, dataset_id: str) -> OvermindDataset:
        return OvermindDataset.model_validate(
            self._send("POST", f"/api/datasets/{segment('dataset_id', dataset_id)}/activate/")
        )

    def delete_dataset(self, dataset_id: str) -> None:
        self._send("DELETE", f"/api/datasets/{segment('dataset_id', dataset_id)}/")
