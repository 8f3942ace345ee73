"""orq.ai v2: routes to models. `OrqClient` is made of parts, one module each: datasets and datapoints
(here), evaluators and running them (orq_evaluators.py), deployments and feedback (orq_traces.py); the
kinds of write it queues are in orq_writes.py, its dataset source for the widgets in orq_datasets.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from .._extras import require
from ..models import Datapoint, DatapointCreate, Dataset, Page
from . import checks, curate, orq_writes
from .checks import segment
from .cursor import AsGiven, check_limit, every_item, page_of, read_page
from .orq_evaluators import OrqEvaluators
from .orq_traces import OrqTraces
from .writes import Write, WriteHandle, WriteKind

if TYPE_CHECKING:
    from .orq_datasets import OrqDatasets


class OrqClient(OrqEvaluators, OrqTraces):
    """orq.ai (or the sandbox speaking as it): datasets and datapoints here, the rest in its parts."""

    service = "orq"
    capabilities = frozenset({"deployments", "feedback", "evaluators"})
    default_base_url = "https://api.orq.ai"
    key_env = "ORQ_API_KEY"
    url_env = "ORQ_BASE_URL"

    @staticmethod
    def _parse_error(body: dict[str, Any]) -> tuple[str, dict[str, list[str]]]:
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
        where = {"starting_after": starting_after, "ending_before": ending_before}
        return read_page(self._get, "/v2/datasets", Dataset, limit=check_limit(limit), search=search, **where)

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
                "limit": check_limit(limit),
                "starting_after": checks.optional_str("starting_after", starting_after),
                "ending_before": checks.optional_str("ending_before", ending_before),
            },
        )
        # the hot path of browsing and iterating: parse and validate the bytes in one pass (pydantic-core)
        listing = _DatapointList.model_validate_json(response.content)
        payload = {"data": listing.data, "has_more": listing.has_more}
        return page_of(payload, AsGiven, limit=limit, starting_after=starting_after, ending_before=ending_before)

    def iter_datapoints(self, dataset_id: str, *, page_size: int = 200) -> Iterator[Datapoint]:
        """Every datapoint of a dataset, one page in memory at a time (arguments checked at the call)."""
        checks.integer("page_size", page_size, 1, 200)
        segment("dataset_id", dataset_id)
        return self._iter_datapoints(dataset_id, page_size)

    def _iter_datapoints(self, dataset_id: str, page_size: int) -> Iterator[Datapoint]:
        return every_item(lambda cursor: self.datapoints_page(dataset_id, limit=page_size, starting_after=cursor))

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

    # --- writes through the outbox (see writes.py) ----------------------------------------------

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

    def datasets(self) -> OrqDatasets:
        from .orq_datasets import OrqDatasets

        return OrqDatasets(self)

    def _write_kinds(self) -> dict[str, WriteKind]:
        return orq_writes.kinds(self)


class _DatapointList(BaseModel):
    data: list[Datapoint]
    has_more: bool = False


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
