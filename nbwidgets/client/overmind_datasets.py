"""Overmind datasets as a browser sees them: numbered pages with a count, server search and ordering,
immutable versions (edits are staged, then saved as the agent's next version)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

from ..models import OvermindDataset, Page
from .datasets import Column, DatasetInfo, DatasetSource, Position, Query
from .writes import WriteHandle

if TYPE_CHECKING:
    from .overmind import OvermindClient


class OvermindDatasets(DatasetSource):
    service = "overmind"
    paging = "number"
    save_mode = "version"
    max_page_size = 100
    server_search = True
    orderings = (("order", "Order ↑"), ("-order", "Order ↓"))
    field_aliases: ClassVar[dict[str, str]] = {"inputs": "input"}
    columns = (
        Column("expected_output", "Expected output", "json", editable=True),
        Column("input", "Input", "json", editable=True),
        Column("persona", "Persona", "text"),
        Column("tags", "Tags", "tags"),
    )

    def __init__(self, client: OvermindClient) -> None:
        self.client = client

    def describe(self, dataset_id: str) -> DatasetInfo:
        """The version, and where it stands among its agent's: the newest? the active one? (Editing an
        old version makes a new one from it, without what the versions after it changed.)"""
        summary = self.client.dataset_summary(dataset_id)
        newest = self.client.list_datasets(agent=summary.agent, ordering="-version").items
        active = self.client.get_agent(summary.agent).active_dataset == summary.id
        info = self.version_of(summary)
        return replace(info, newest_version=max([summary.version, *(d.version for d in newest[:1])]), active=active)

    def version_of(self, saved: OvermindDataset) -> DatasetInfo:
        return DatasetInfo(saved.name or "dataset", saved.num_datapoints, saved.version, saved.agent)

    def fetch(self, dataset_id: str, number: int, position: Position, page_size: int, query: Query) -> Page[Any]:
        return self.client.datapoints_page(
            dataset_id,
            page=number,
            page_size=page_size,
            ordering=query.ordering or "order",
            search=query.search or None,
        )

    def row(self, datapoint: Any) -> dict[str, Any]:
        return {**datapoint.to_wire(), "id": datapoint.id}

    def example(self, datapoint: Any) -> dict[str, Any]:
        """Its `input` as the inputs (a dict, or {"input": value}), its expected output as text."""
        wire = datapoint.to_wire()
        given, expected = wire.get("input"), wire.get("expected_output")
        return {
            "id": datapoint.id,
            "inputs": given if isinstance(given, dict) else {"input": given},
            "messages": [],
            "expected_output": None if expected is None else text(expected),
        }

    def every_dataset(self) -> list[dict[str, Any]]:
        listed = self.client.list_datasets(ordering="-version").items
        return [{"id": d.id, "name": f"{d.name or 'dataset'} v{d.version}"} for d in listed]

    def record(self, datapoint: Any) -> dict[str, Any]:
        return dict(datapoint.model_dump(mode="json"))

    def pick(self, search: str) -> dict[str, Any]:
        page = self.client.list_agents(search=search or None)
        items = [{"id": a.id, "name": a.display_name or a.name, "count": a.dataset_size} for a in page.items]
        return {"kind": "agents", "search": search, "items": items, "more": page.has_next}

    def choose(self, item_id: str) -> dict[str, Any]:
        agent = self.client.get_agent(item_id)
        versions = self.client.list_datasets(agent=item_id, ordering="-version")
        return {
            "kind": "versions",
            "agent": agent.display_name or agent.name,
            "agent_id": item_id,
            "items": [
                {
                    "id": d.id,
                    "name": f"v{d.version} · {d.name or ''}".strip(" ·"),
                    "count": d.num_datapoints,
                    "active": d.id == agent.active_dataset,
                }
                for d in versions.items
            ],
            "more": versions.has_next,
        }

    def queue_version(
        self,
        dataset_id: str,
        edits: dict[str, dict[str, Any]],
        *,
        make_active: bool,
        added: list[dict[str, Any]] | None = None,
        removed: list[str] | None = None,
    ) -> WriteHandle:
        return self.client.queue_dataset_version(
            dataset_id, edits, make_active=make_active, added=added, removed=removed
        )

    def new_item(self, fields: dict[str, Any], where: str = "the new datapoint") -> dict[str, Any]:
        from ..models import OvermindDatapoint

        fields = {k: v for k, v in self.fields(fields).items() if v is not None}
        if not fields:
            raise ValueError(f"{where} is empty: give it an input or an expected output")
        try:
            OvermindDatapoint.model_validate(fields)
        except Exception as error:
            raise ValueError(f"{where}: {error}") from None
        return fields


def text(value: Any) -> str:
    """A value as text (a structured one as its JSON)."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)
