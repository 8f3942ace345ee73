"""orq datasets as a browser sees them: cursor pages, a PATCH per edit (through the outbox)."""

from __future__ import annotations

from itertools import islice
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError as ModelValidationError

from ..models import Datapoint, DatapointUpdate, Page
from .cursor import every_item
from .datasets import Column, DatasetInfo, DatasetSource, Position, Query

if TYPE_CHECKING:
    from .orq import OrqClient


class OrqDatasets(DatasetSource):
    service = "orq"
    paging = "cursor"
    save_mode = "patch"
    max_page_size = 200
    # the edited column first: it gets the width and stays in view on a narrow screen
    columns = (
        Column("expected_output", "Expected output", "text", editable=True),
        Column("inputs", "Inputs", "inputs", editable=True),
        Column("messages", "Messages", "messages", editable=True),
        Column("evaluations", "Reviews", "evaluations"),
        Column("updated", "Updated", "time"),
    )

    def __init__(self, client: OrqClient) -> None:
        self.client = client

    def describe(self, dataset_id: str) -> DatasetInfo:
        dataset = self.client.get_dataset(dataset_id)
        return DatasetInfo(dataset.display_name, dataset.metadata.datapoints_count)

    def fetch(self, dataset_id: str, number: int, position: Position, page_size: int, query: Query) -> Page[Any]:
        return self.client.datapoints_page(dataset_id, limit=page_size, **position)

    def next_position(self, page: Page[Any]) -> Position | None:
        return {"starting_after": page.next_cursor} if page.next_cursor else None

    def position_after(self, datapoint: Any) -> Position | None:
        return {"starting_after": datapoint.id}

    def previous_position(self, page: Page[Any]) -> Position | None:
        return {"ending_before": page.previous_cursor} if page.previous_cursor else None

    def row(self, datapoint: Any) -> dict[str, Any]:
        return {**datapoint.to_wire(), "id": datapoint.id}

    def searchable(self, datapoint: Any) -> dict[str, Any]:
        shown = datapoint.model_dump(mode="json", by_alias=True, exclude_unset=True, include=_COLUMN_KEYS)
        return {**shown, "id": datapoint.id}

    def record(self, datapoint: Any) -> dict[str, Any]:
        from .orq import datapoint_record

        return datapoint_record(datapoint)

    def pick(self, search: str) -> dict[str, Any]:
        page = self.client.list_datasets(search=search or None, limit=50)
        items = [{"id": d.id, "name": d.display_name, "count": d.metadata.datapoints_count} for d in page.items]
        return {"kind": "datasets", "search": search, "items": items, "more": page.has_next}

    def every_dataset(self) -> list[dict[str, Any]]:
        # every dataset (up to 1000), so a regressions set made a moment ago is there
        listed = islice(every_item(lambda after: self.client.list_datasets(limit=50, starting_after=after)), 1000)
        return [{"id": d.id, "name": d.display_name} for d in listed][::-1]  # newest first: the likely pick

    def validate(self, fields: dict[str, Any]) -> dict[str, Any]:
        fields = self.fields(fields)
        try:
            DatapointUpdate.model_validate(fields)
        except ModelValidationError as error:
            first = error.errors()[0]
            message = first["msg"].removeprefix("Value error, ")  # pydantic's words for a validator's refusal
            raise ValueError(f"{'.'.join(map(str, first['loc']))}: {message}") from None
        return fields

    def get_datapoint(self, dataset_id: str, datapoint_id: str) -> Datapoint:
        return self.client.get_datapoint(dataset_id, datapoint_id)

    def queue_update(
        self, dataset_id: str, datapoint_id: str, fields: dict[str, Any], *, expected_updated: Any, origin: str = ""
    ) -> Any:
        return self.client.queue_datapoint_update(
            dataset_id, datapoint_id, fields, expected_updated=expected_updated, origin=origin
        )

    def new_item(self, fields: dict[str, Any], where: str = "the new datapoint") -> dict[str, Any]:
        from .curate import checked_item

        return checked_item(self.fields(fields), where)

    def item_of(self, datapoint: Any) -> dict[str, Any]:
        from .curate import datapoint_body

        return datapoint_body(datapoint)

    def queue_create(self, dataset_id: str, items: list[dict[str, Any]], *, origin: str = "") -> Any:
        return self.client.queue_datapoints_create(dataset_id, items, origin=origin)

    def queue_delete(self, dataset_id: str, ids: list[str], *, origin: str = "") -> list[Any]:
        from .curate import DELETE_CHUNK

        return [
            self.client.queue_datapoints_delete(dataset_id, ids[start : start + DELETE_CHUNK], origin=origin)
            for start in range(0, len(ids), DELETE_CHUNK)
        ]


_COLUMN_KEYS = {column.key for column in OrqDatasets.columns}
