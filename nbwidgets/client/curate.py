"""Growing and pruning orq datasets from Python: rows read from a DataFrame, a CSV or JSONL file or dicts,
checked before anything is sent, cut into bulk chunks, and followed as one import; exports that an import
reads back unchanged.

An import is one write per chunk on the write path (client/writes.py): stored before it is sent, sent in
the background in file order (one key per dataset), resumed by the next process after a kernel restart.
A bulk create is not idempotent, so a chunk prepares itself before its first send by noting the dataset's
newest datapoint; an attempt after one whose answer was lost first reads what came after that datapoint
and, when the chunk's rows are there (same content, in order), takes them as its answer instead of
sending them again. So every row is created exactly once, whatever the network does.
"""

from __future__ import annotations

import csv
import json
import math
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ..models import Datapoint, DatapointCreate
from . import checks

if TYPE_CHECKING:
    from .writes import WriteHandle

MAX_BULK_ITEMS = 5000  # datapoints per bulk create (orq: 1 to 5000)
MAX_CHUNK_BYTES = 3 * 1024 * 1024  # a chunk's JSON stays well under request body limits
DELETE_CHUNK = 1000  # ids per bulk delete
FIELDS = ("inputs", "messages", "expected_output")
# columns an import never takes as inputs by default: the fields themselves and what an export or a
# DataFrame of datapoints carries besides them
NOT_INPUTS = {*FIELDS, "id", "_id", "evaluations", "updated", "created", "dataset_id", "workspace_id"}
LAST_ID = "7ZZZZZZZZZZZZZZZZZZZZZZZZZ"  # the greatest ULID: `ending_before` it is the newest datapoint


# --- reading a source -----------------------------------------------------------------------------


def read_source(source: Any) -> tuple[list[dict[str, Any]], list[str], str]:
    """The rows of a DataFrame, a .csv / .jsonl path or an iterable of dicts, its columns, and the
    file's name ("" for what is not a file): errors name "row 3 of x.csv"."""
    if isinstance(source, (str, Path)):
        return _read_file(Path(source))
    if hasattr(source, "to_dict") and hasattr(source, "columns"):  # a pandas DataFrame
        columns = [str(c) for c in source.columns]
        records = source.to_dict(orient="records")
        return [{str(k): _missing_to_none(v) for k, v in r.items()} for r in records], columns, ""
    if isinstance(source, dict) or not isinstance(source, Iterable):
        raise TypeError(
            "source must be a pandas DataFrame, a path to a .csv or .jsonl file, or a list of dicts, "
            f"not {type(source).__name__}"
        )
    rows: list[dict[str, Any]] = []
    names: dict[str, None] = {}
    for index, row in enumerate(source, start=1):
        if not isinstance(row, dict):
            raise TypeError(f"row {index} is a {type(row).__name__}, not a dict of column values")
        rows.append({str(k): v for k, v in row.items()})
        names.update(dict.fromkeys(str(k) for k in row))
    return rows, list(names), ""


def _read_file(path: Path) -> tuple[list[dict[str, Any]], list[str], str]:
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".jsonl"):
        raise ValueError(
            f"{path.name}: import reads .csv and .jsonl files; this one is {suffix or 'without an extension'}"
        )
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file")
    if suffix == ".csv":
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            try:
                rows = [dict(row) for row in reader]
            except csv.Error as error:
                raise ValueError(f"{path.name} is not a readable CSV file: {error}") from None
            columns = list(reader.fieldnames or [])
        for number, row in enumerate(rows, start=2):
            if None in row:
                raise ValueError(f"line {number} of {path.name} has more cells than the header has columns")
        return rows, columns, path.name
    rows, seen = [], {}
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError:
                raise ValueError(
                    f"line {number} of {path.name} is not JSON (a .jsonl file has one object a line)"
                ) from None
            if not isinstance(row, dict):
                raise ValueError(f"line {number} of {path.name} is a JSON {type(row).__name__}, not an object")
            rows.append(row)
            seen.update(dict.fromkeys(row))
    return rows, list(seen), path.name


def _missing_to_none(value: Any) -> Any:
    """pandas' empty cells (NaN, NaT, None) as None; numpy scalars as Python ones."""
    if hasattr(value, "item") and not isinstance(value, (list, dict, str)):
        try:
            value = value.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def datapoint_items(
    source: Any,
    *,
    inputs: str | list[str] | None = None,
    expected_output: str | None = None,
    messages: str | None = None,
) -> list[dict[str, Any]]:
    """Every row of `source` as the body of a new datapoint, checked as orq checks it; a ValueError or
    TypeError naming the row and the field otherwise (nothing is sent)."""
    rows, columns, file_name = read_source(source)
    from_csv = file_name.lower().endswith(".csv")  # every cell is text there, and an empty one means nothing
    if not rows:
        raise ValueError("nothing to import: the source has no rows")
    chosen = _Columns.of(columns, inputs, expected_output, messages)
    items = []
    for index, row in enumerate(rows, start=1):
        where = f"row {index}" + (f" of {file_name}" if file_name else "")
        items.append(_checked(chosen.item(row, where, from_csv), where))
    return items


@dataclass(frozen=True)
class _Columns:
    """Which columns of a source become a datapoint's fields: one column of input objects or several
    columns that become inputs, the messages column and the expected output's."""

    one_inputs: str | None
    inputs: list[str]
    messages: str | None
    output: str | None

    @classmethod
    def of(
        cls, columns: list[str], inputs: str | list[str] | None, expected_output: str | None, messages: str | None
    ) -> _Columns:
        present = set(columns)

        def column(name: str, option: str) -> str:
            if not isinstance(name, str):
                raise TypeError(f"{option}= names a column (a str), not {type(name).__name__}")
            if name not in present:
                raise ValueError(
                    f"column {name!r} ({option}=) is not in the source; its columns are {', '.join(columns)}"
                )
            return name

        def named_or_default(name: str | None, option: str) -> str | None:
            if name is not None:
                return column(name, option)
            return option if option in present else None

        output = named_or_default(expected_output, "expected_output")
        messages_column = named_or_default(messages, "messages")
        if isinstance(inputs, str):
            return cls(column(inputs, "inputs"), [], messages_column, output)
        if inputs is not None:
            if isinstance(inputs, dict) or not isinstance(inputs, Iterable):
                raise TypeError(
                    "inputs= names a column of input objects (a str) or the columns that become inputs (a list)"
                )
            return cls(None, [column(name, "inputs") for name in inputs], messages_column, output)
        if "inputs" in present:
            return cls("inputs", [], messages_column, output)
        taken = {output, messages_column}
        return cls(None, [c for c in columns if c not in NOT_INPUTS and c not in taken], messages_column, output)

    def item(self, row: dict[str, Any], where: str, from_csv: bool) -> dict[str, Any]:
        item: dict[str, Any] = {}
        if self.one_inputs is not None:
            value = _json_of(row, self.one_inputs, where, dict, "an object of inputs")
            if value is not None:
                item["inputs"] = value
        elif self.inputs:
            item["inputs"] = {name: row.get(name) for name in self.inputs}
        if self.messages is not None:
            value = _json_of(row, self.messages, where, list, "a list of messages")
            if value is not None:
                item["messages"] = value
        value = row.get(self.output) if self.output is not None else None
        if value is not None and not (from_csv and value == ""):
            if not isinstance(value, str):
                shown = repr(value)[:40]
                raise ValueError(
                    f"{where}: {self.output} (the expected output) must be text, not {_kind(value)} ({shown})"
                )
            item["expected_output"] = value
        return item


def overmind_items(
    source: Any, *, inputs: str | list[str] | None = None, expected_output: str | None = None
) -> list[dict[str, Any]]:
    """Every row of `source` as a new Overmind datapoint ({"input", "expected_output"}, any JSON); CSV
    cells that hold a JSON object or list are read as JSON."""
    rows, columns, file_name = read_source(source)
    if not rows:
        raise ValueError("nothing to import: the source has no rows")
    present = set(columns)
    for name, option in ((expected_output, "expected_output"), *((c, "inputs") for c in _as_list(inputs))):
        if name is not None and name not in present:
            raise ValueError(f"column {name!r} ({option}=) is not in the source; its columns are {', '.join(columns)}")
    output_column = expected_output or ("expected_output" if "expected_output" in present else None)
    one = inputs if isinstance(inputs, str) else None
    several = list(inputs) if inputs is not None and not isinstance(inputs, str) else []
    if inputs is None:
        one = next((c for c in ("input", "inputs") if c in present), None)
        if one is None:
            several = [c for c in columns if c not in NOT_INPUTS | {"input", output_column}]
    items = []
    for index, row in enumerate(rows, start=1):
        where = f"row {index}" + (f" of {file_name}" if file_name else "")
        item: dict[str, Any] = {}
        if one is not None:
            item["input"] = _loose_json(row.get(one))
        elif several:
            item["input"] = {name: _loose_json(row.get(name)) for name in several}
        if output_column is not None and row.get(output_column) not in (None, ""):
            item["expected_output"] = _loose_json(row.get(output_column))
        if not item:
            raise ValueError(f"{where} is empty: it has no input and no expected output")
        checks.text(where, item)
        items.append(item)
    return items


def _as_list(names: str | list[str] | None) -> list[str]:
    return [] if names is None else [names] if isinstance(names, str) else list(names)


def _loose_json(value: Any) -> Any:
    """A cell as JSON when it holds an object or a list written as text, else as it is."""
    if isinstance(value, str) and value.strip()[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _json_of(row: dict[str, Any], column: str, where: str, kind: type, what: str) -> Any:
    """A cell holding JSON of one `kind` (an object, a list): its value (None when empty), or a ValueError
    naming the row and saying `what` it must be."""
    value = _json_cell(row.get(column), where, column)
    if value is not None and not isinstance(value, kind):
        raise ValueError(f"{where}: {column} must be {what}, not {_kind(value)}")
    return value


def _json_cell(value: Any, where: str, name: str) -> Any:
    """A cell holding an object or a list: as is, or JSON text (a CSV cell); empty is None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise ValueError(f"{where}: {name} is text that is not JSON ({value[:40]!r})") from None
    return value


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "text", bool: "true/false", int: "a number", float: "a number"}
    return names.get(type(value), f"a {type(value).__name__}")


def checked_item(item: dict[str, Any], where: str) -> dict[str, Any]:
    """One new datapoint's body, checked as orq checks it (flat inputs, text expected output)."""
    value = item.get("expected_output")
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{where}: the expected output must be text, not {_kind(value)}")
    if item.get("inputs") is not None and not isinstance(item["inputs"], dict):
        raise ValueError(f"{where}: inputs must be an object of named inputs, not {_kind(item['inputs'])}")
    if item.get("messages") is not None and not isinstance(item["messages"], list):
        raise ValueError(f"{where}: messages must be a list of messages, not {_kind(item['messages'])}")
    return _checked({k: v for k, v in item.items() if v is not None}, where)


def _checked(item: dict[str, Any], where: str) -> dict[str, Any]:
    for key, value in (item.get("inputs") or {}).items():
        if isinstance(value, (dict, list)):
            raise ValueError(
                f"{where}: input {key!r} is {_kind(value)}; orq inputs are flat (text, a number, true/false or "
                "empty), nested objects and lists are not supported"
            )
        if not isinstance(value, (str, int, float, bool)) and value is not None:
            raise ValueError(f"{where}: input {key!r} is {_kind(value)}, not text, a number or true/false")
    checks.text(where, item)
    try:
        return DatapointCreate.model_validate(item).to_wire()
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise ValueError(f"{where}: {field}: {first['msg']}") from None


def chunks(items: list[dict[str, Any]], size: int | None = None) -> Iterator[list[dict[str, Any]]]:
    """Runs of at most `size` (MAX_BULK_ITEMS) items and MAX_CHUNK_BYTES of JSON, in order."""
    size = size or MAX_BULK_ITEMS
    chunk: list[dict[str, Any]] = []
    used = 0
    for item in items:
        weight = len(json.dumps(item, ensure_ascii=False).encode()) + 1
        if chunk and (len(chunk) >= size or used + weight > MAX_CHUNK_BYTES):
            yield chunk
            chunk, used = [], 0
        chunk.append(item)
        used += weight
    if chunk:
        yield chunk


def datapoint_body(datapoint: Any) -> dict[str, Any]:
    """The body that creates a copy of a datapoint (what it holds, not its reviews or ids)."""
    wire = datapoint.to_wire()
    return DatapointCreate.model_validate({k: wire[k] for k in FIELDS if wire.get(k) not in (None, {}, [])}).to_wire()


def content(item: Any) -> str:
    """What a datapoint holds (inputs, messages, expected output), as one comparable string."""
    wire = item.to_wire() if hasattr(item, "to_wire") else dict(item)
    fields = {k: wire.get(k) for k in FIELDS if wire.get(k) not in (None, {}, [])}
    return json.dumps(DatapointCreate.model_validate(fields).to_wire(), sort_keys=True, ensure_ascii=False)


def find_run(found: list[Datapoint], items: list[dict[str, Any]]) -> list[Datapoint] | None:
    """The datapoints of `found` holding exactly `items`, one after another (first where they should be:
    right at the start), or None."""
    wanted = [content(i) for i in items]
    held = [content(dp) for dp in found]
    n = len(wanted)
    starts = [0, *range(1, len(held) - n + 1)]
    for start in starts:
        if held[start : start + n] == wanted:
            return found[start : start + n]
    return None


# --- exporting ------------------------------------------------------------------------------------


def write_export(path: Path, datapoints: Iterable[Any], on_row: Callable[[], None]) -> int:
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".jsonl"):
        raise ValueError(f"{path.name}: export writes .csv or .jsonl files, not {suffix or 'a file without extension'}")
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle) if suffix == ".csv" else None
        if writer is not None:
            writer.writerow(FIELDS)
        for dp in datapoints:
            wire = dp.to_wire()
            row = {"inputs": wire.get("inputs") or {}, "messages": wire.get("messages") or []}
            row["expected_output"] = wire.get("expected_output")
            if writer is not None:
                writer.writerow(
                    [
                        json.dumps(row["inputs"], ensure_ascii=False),
                        json.dumps(row["messages"], ensure_ascii=False),
                        "" if row["expected_output"] is None else row["expected_output"],
                    ]
                )
            else:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
            on_row()
    return count


# --- following an import --------------------------------------------------------------------------


class ImportHandle:
    """An import in progress: one write per chunk. `state` (queued, sending, saved, failed), `created`
    (datapoints made so far), `total`, `progress` (0..1), `result(timeout)` (every datapoint made, in
    file order; raises what stopped a chunk), `wait(timeout)`."""

    def __init__(self, dataset_id: str, total: int, chunks: list[WriteHandle], bar: Any = None) -> None:
        self.dataset_id, self.total, self.chunks = dataset_id, total, chunks
        self._bar = bar
        self._counted: set[int] = set()
        self._lock = threading.Lock()
        for handle in chunks:
            handle.on_change(self._changed)

    def _changed(self, handle: WriteHandle) -> None:
        if handle.state != "saved" or self._bar is None:
            return
        with self._lock:
            if handle.seq in self._counted:
                return
            self._counted.add(handle.seq)
            self._bar.update(len(handle.write.payload["items"]))
            if len(self._counted) == len(self.chunks):
                self._bar.close()

    @property
    def created(self) -> int:
        return sum(len(h.write.payload["items"]) for h in self.chunks if h.state == "saved")

    @property
    def progress(self) -> float:
        return self.created / self.total if self.total else 1.0

    @property
    def state(self) -> str:
        states = [h.state for h in self.chunks]
        for state in ("failed", "conflict", "sending", "queued"):
            if state in states:
                return "failed" if state == "conflict" else state
        return "saved"

    @property
    def error(self) -> BaseException | None:
        return next((h.error for h in self.chunks if h.error is not None), None)

    def done(self) -> bool:
        return all(h.done() for h in self.chunks)

    def result(self, timeout: float | None = None) -> list[Datapoint]:
        made: list[Datapoint] = []
        for handle in self.chunks:
            made.extend(handle.result(timeout))
        return made

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until every chunk is saved or has failed; False on timeout (they stay queued)."""
        import concurrent.futures

        finished, _ = concurrent.futures.wait(self.chunks, timeout)
        return len(finished) == len(self.chunks)

    def __repr__(self) -> str:
        return f"<ImportHandle {self.created}/{self.total} datapoints into {self.dataset_id}: {self.state}>"
