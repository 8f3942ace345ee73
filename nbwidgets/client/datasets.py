"""What a dataset browser needs from a service, implemented once per service.

A `DatasetSource` says how its pages step (by cursor or by number), how a dataset is described and
picked, which columns it has (their kinds, which are editable) and how edits are saved (a PATCH per
datapoint, or a new version of the whole dataset). Widgets ask a source, never which service it is.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, ClassVar, Literal

from ..models import Page
from . import checks

# How to fetch one page besides its number: {} (the first page, or any page of a numbered listing),
# or a cursor such as {"starting_after": "<id>"}.
Position = dict[str, Any]
Kind = Literal["text", "json", "inputs", "messages", "evaluations", "time", "number", "tags"]


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    kind: Kind
    editable: bool = False


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    total: int | None
    version: int | None = None
    agent_id: str | None = None
    newest_version: int | None = None  # versioned datasets: the agent's newest version (edits are made from this one)
    active: bool | None = None  # versioned datasets: is this the agent's active version?


@dataclass(frozen=True)
class Query:
    """What narrows or orders a listing: a server-side search and an ordering, where the service has them."""

    ordering: str | None = None
    search: str = ""


class DatasetSource(ABC):
    """One service's datasets, as a browser sees them."""

    service: str
    paging: Literal["cursor", "number"]
    columns: tuple[Column, ...]
    max_page_size: int
    # (value, label) pairs the listing can be ordered by; empty when the service cannot order it
    orderings: tuple[tuple[str, str], ...] = ()
    # True: the service searches datapoints itself; False: a browser scans pages to find text
    server_search: bool = False
    # "patch": each edit is saved at once; "version": edits are staged and saved as a new version
    save_mode: Literal["patch", "version"]
    # names a caller may use for an editable field (the Python API's `inputs=` on Overmind's `input`)
    field_aliases: ClassVar[dict[str, str]] = {}

    @property
    def editable(self) -> tuple[str, ...]:
        return tuple(column.key for column in self.columns if column.editable)

    def schema(self) -> dict[str, Any]:
        """Everything the front end renders from: columns, editable fields, kinds, what the listing can do."""
        return {
            "columns": [asdict(column) for column in self.columns],
            "editable": list(self.editable),
            "paging": self.paging,
            "orderings": [{"value": value, "label": label} for value, label in self.orderings],
            "find": "server" if self.server_search else "scan",
            "save": self.save_mode,
            "max_page_size": self.max_page_size,
        }

    def check_page_size(self, size: int) -> int:
        return checks.integer("page_size", size, 1, self.max_page_size)

    def fields(self, given: dict[str, Any]) -> dict[str, Any]:
        """Edited fields under their own names; a field that cannot be edited is refused, by name."""
        fields = {self.field_aliases.get(name, name): value for name, value in given.items()}
        unknown = sorted(set(fields) - set(self.editable))
        if unknown:
            raise ValueError(f"cannot edit {', '.join(unknown)} here (editable: {', '.join(self.editable)})")
        return fields

    def page_count(self, total: int | None, page_size: int) -> int | None:
        """How many pages there are, where the service says how many datapoints there are."""
        if total is None:
            return None
        return max(1, math.ceil(total / page_size))

    # --- reading --------------------------------------------------------------------------------

    @abstractmethod
    def describe(self, dataset_id: str) -> DatasetInfo: ...

    @abstractmethod
    def fetch(self, dataset_id: str, number: int, position: Position, page_size: int, query: Query) -> Page[Any]:
        """Page `number` (1-based), reached through `position`."""

    def next_position(self, page: Page[Any]) -> Position | None:
        """How to fetch the page after `page` (None: it cannot be reached from here)."""
        return {}

    def previous_position(self, page: Page[Any]) -> Position | None:
        return {}

    def position_after(self, datapoint: Any) -> Position | None:
        """How to fetch the rows that follow `datapoint` (a page starting right after it); {} where
        pages are fetched by number."""
        return {}

    @abstractmethod
    def row(self, datapoint: Any) -> dict[str, Any]:
        """A datapoint as plain JSON for the front end, with its `id`."""

    def example(self, datapoint: Any) -> dict[str, Any]:
        """A datapoint as a review shows it beside its output: {id, inputs (a dict), messages, expected_output,
        updated} (a service whose datapoints hold other fields says how they map)."""
        row = self.row(datapoint)
        return {
            "id": row["id"],
            "inputs": row.get("inputs", {}),
            "messages": row.get("messages", []),
            "expected_output": row.get("expected_output"),
            "updated": row.get("updated"),
        }

    def searchable(self, datapoint: Any) -> dict[str, Any]:
        """What a find looks in: the datapoint's columns as the front end shows them, with its `id`
        (a source may leave out the rest, to be quick over a whole dataset)."""
        return self.row(datapoint)

    @abstractmethod
    def record(self, datapoint: Any) -> dict[str, Any]:
        """A datapoint as one row of a DataFrame."""

    # --- picking a dataset ----------------------------------------------------------------------

    @abstractmethod
    def pick(self, search: str) -> dict[str, Any]:
        """The picker's first list: {"kind", "search", "items": [{"id", "name", "count"}], "more"}."""

    def choose(self, item_id: str) -> dict[str, Any]:
        """What choosing an item of a picker list that is not a dataset opens (Overmind: an agent's versions)."""
        raise ValueError("this picker lists datasets: open one")

    @abstractmethod
    def every_dataset(self) -> list[dict[str, Any]]:
        """The datasets a datapoint may be copied into, newest first: [{"id", "name"}]."""

    # --- saving ---------------------------------------------------------------------------------

    def validate(self, fields: dict[str, Any]) -> dict[str, Any]:
        """Fields ready to send; raises ValueError naming the field the service would refuse."""
        return self.fields(fields)

    def get_datapoint(self, dataset_id: str, datapoint_id: str) -> Any:
        raise NotImplementedError(f"{self.service} datapoints are not fetched one by one")

    def queue_update(
        self, dataset_id: str, datapoint_id: str, fields: dict[str, Any], *, expected_updated: Any, origin: str = ""
    ) -> Any:
        """save_mode "patch": queue one datapoint's change; returns the write's handle (client/writes.py).
        `origin`: who edits (a widget's own id): its quick edits of a row chain, anyone else's change is a conflict."""
        raise NotImplementedError(f"{self.service} saves edits as a new version")

    def queue_version(
        self,
        dataset_id: str,
        edits: dict[str, dict[str, Any]],
        *,
        make_active: bool,
        added: list[dict[str, Any]] | None = None,
        removed: list[str] | None = None,
    ) -> Any:
        """save_mode "version": queue every staged edit, addition (`added`) and removal (`removed`, ids)
        as the dataset's next version; returns the write's handle (client/writes.py), whose result is the
        new version."""
        raise NotImplementedError(f"{self.service} saves each edit at once")

    def version_of(self, saved: Any) -> DatasetInfo:
        raise NotImplementedError

    # --- growing and pruning --------------------------------------------------------------------

    def new_item(self, fields: dict[str, Any], where: str = "the new datapoint") -> dict[str, Any]:
        """A new datapoint's body from editable fields (aliases allowed), checked as the service checks
        it: a ValueError naming `where` and the field otherwise."""
        return self.fields(fields)

    def item_of(self, datapoint: Any) -> dict[str, Any]:
        """The body that makes a copy of `datapoint` (undo of a delete, paste, copy into another dataset)."""
        row = self.row(datapoint)
        return {key: row[key] for key in self.editable if row.get(key) not in (None, {}, [])}

    def queue_create(self, dataset_id: str, items: list[dict[str, Any]], *, origin: str = "") -> Any:
        """save_mode "patch": queue new datapoints (in order, exactly once); returns a handle whose
        `result()` is the datapoints made (client/curate.py: ImportHandle)."""
        raise NotImplementedError(f"{self.service} stages new datapoints into the next version")

    def queue_delete(self, dataset_id: str, ids: list[str], *, origin: str = "") -> list[Any]:
        """save_mode "patch": queue a delete of these datapoints; the writes' handles."""
        raise NotImplementedError(f"{self.service} stages removals into the next version")

    def all_datapoints(self, dataset_id: str, query: Query) -> Any:
        """Every datapoint of the listing, page by page (an iterator)."""
        number, position = 1, Position()
        while True:
            page = self.fetch(dataset_id, number, position, self.max_page_size, query)
            yield from page.items
            following = self.next_position(page)
            if not page.has_next or not page.items or following is None:
                return
            number, position = number + 1, following


class ListSource(DatasetSource):
    """Datapoints given by the caller (a list shown as a grid), paged in memory, saved through `inner`."""

    paging = "number"

    def __init__(self, inner: DatasetSource, rows: Sequence[Any], name: str) -> None:
        self.inner, self.rows, self.name = inner, list(rows), name
        self.service, self.columns, self.save_mode = inner.service, inner.columns, inner.save_mode
        self.max_page_size = inner.max_page_size

    # the rest it asks of `inner` as it is (checks and saves), forwarded by the loop below this class
    ASKS_INNER = (
        *("fields", "searchable", "example", "validate", "get_datapoint", "version_of", "new_item", "item_of"),
        *("queue_update", "queue_version", "queue_create", "queue_delete"),
    )

    # the source's abstract methods, written out so a type checker sees them defined
    def row(self, datapoint: Any) -> dict[str, Any]:
        return self.inner.row(datapoint)

    def record(self, datapoint: Any) -> dict[str, Any]:
        return self.inner.record(datapoint)

    def pick(self, search: str) -> dict[str, Any]:
        return self.inner.pick(search)

    def every_dataset(self) -> list[dict[str, Any]]:
        return self.inner.every_dataset()

    def describe(self, dataset_id: str) -> DatasetInfo:
        try:  # the dataset's own name reads better than its id
            name = self.inner.describe(dataset_id).name
        except Exception:
            return DatasetInfo(self.name, len(self.rows))
        return DatasetInfo(f"{len(self.rows)} datapoints of {name}", len(self.rows))

    def fetch(self, dataset_id: str, number: int, position: Position, page_size: int, query: Query) -> Page[Any]:
        start = (number - 1) * page_size
        return Page(
            items=self.rows[start : start + page_size],
            scheme="number",
            number=number,
            has_next=start + page_size < len(self.rows),
            has_previous=number > 1,
            total=len(self.rows),
            page_size=page_size,
        )


def _asks_inner(name: str) -> Callable[..., Any]:
    def asked(self: ListSource, *args: Any, **options: Any) -> Any:
        return getattr(self.inner, name)(*args, **options)

    asked.__name__ = asked.__qualname__ = name
    asked.__doc__ = getattr(DatasetSource, name).__doc__
    return asked


for _name in ListSource.ASKS_INNER:  # typed as DatasetSource declares them
    setattr(ListSource, _name, _asks_inner(_name))
