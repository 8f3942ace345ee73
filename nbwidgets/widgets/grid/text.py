"""The text side of the grid's curating, apart from any widget state: a value with text replaced inside
it (find and replace), a value as the text a preview shows, and rows pasted from a spreadsheet read into
the fields of new datapoints or of the selected rows."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from typing import Any

from ...client.datasets import Column, DatasetSource

SKIPPED_KEYS = {"role", "type", "tool_call_id", "id", "name"}  # never replaced inside: they are not text


def replaced(value: Any, find: str, replacement: str) -> Any:
    """`value` with `find` replaced in its text: a string, the values of an object (inputs), the content
    of messages (never their roles or types)."""
    if isinstance(value, str):
        return value.replace(find, replacement)
    if isinstance(value, list):
        return [replaced(item, find, replacement) for item in value]
    if isinstance(value, dict):
        return {k: v if k in SKIPPED_KEYS else replaced(v, find, replacement) for k, v in value.items()}
    return value


def as_text(value: Any) -> str:
    """A field's value as the text a diff shows."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, indent=1)


def plan_paste(source: DatasetSource, text: str, header: bool | None, selected: list[str]) -> dict[str, Any]:
    """Tab-separated rows (a header row naming fields, or not) as new datapoints, or, with rows
    selected, as values for the selected rows' cells. {"mode": "new"|"fill", "rows": [...]}."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str of tab-separated rows, not {type(text).__name__}")
    rows = [row for row in csv.reader(io.StringIO(text.strip("\r\n")), delimiter="\t") if any(c.strip() for c in row)]
    if not rows:
        raise ValueError("nothing to paste: no rows (copy cells from a spreadsheet: tab-separated rows)")
    editable = [c for c in source.columns if c.editable]
    targets, rows = _targets(source, editable, rows, header)
    kinds = {c.key: c.kind for c in editable}
    planned = [_pasted_fields(row, targets, kinds, number) for number, row in enumerate(rows, start=1)]
    if selected:
        return {"mode": "fill", "rows": _fills(source, planned, selected)}
    items = [source.new_item(made, f"pasted row {n}") for n, made in enumerate(planned, start=1)]
    return {"mode": "new", "rows": [{"fields": item} for item in items]}


def _targets(
    source: DatasetSource, editable: list[Column], rows: list[list[str]], header: bool | None
) -> tuple[list[tuple[str, str | None]], list[list[str]]]:
    """The (field, input name) each pasted column goes to, and the rows without the header row."""
    names = {c.key.casefold(): c.key for c in editable}
    names.update({c.title.casefold(): c.key for c in editable})
    names.update({alias.casefold(): key for alias, key in source.field_aliases.items()})
    takes_inputs = "inputs" in names.values()
    known = ", ".join(c.title for c in editable)
    first = [cell.strip() for cell in rows[0]]
    if header is None:
        header = any(cell.casefold() in names for cell in first)
    if not header:
        width = max(len(row) for row in rows)
        if width > len(editable):
            raise ValueError(
                f"{width} columns pasted without a header row, but this dataset has {len(editable)} editable "
                f"fields ({known}): add a header row naming them"
            )
        return [(c.key, None) for c in editable[:width]], rows
    targets: list[tuple[str, str | None]] = []
    for cell in first:
        if cell.casefold() in names:
            targets.append((names[cell.casefold()], None))
        elif takes_inputs and cell:
            targets.append(("inputs", cell))  # a column named otherwise is an input of that name
        else:
            raise ValueError(f"pasted column {cell!r} is not a field of this dataset ({known})")
    if len(rows) == 1:
        raise ValueError("nothing to paste: only a header row")
    return targets, rows[1:]


def _pasted_fields(
    row: list[str], targets: list[tuple[str, str | None]], kinds: Mapping[str, str], number: int
) -> dict[str, Any]:
    """One pasted row's cells as fields: inputs and messages (and JSON-looking json cells) read as JSON."""
    fields: dict[str, Any] = {}
    for cell, (key, name) in zip(row, targets, strict=False):
        if name is not None:
            fields.setdefault("inputs", {})[name] = cell
        elif kinds[key] in ("inputs", "messages") or (kinds[key] == "json" and cell.strip()[:1] in "[{"):
            try:
                fields[key] = json.loads(cell) if cell.strip() else None
            except ValueError:
                raise ValueError(f"pasted row {number}: {key} is not JSON ({cell[:40]!r})") from None
        else:
            fields[key] = cell
    return {k: v for k, v in fields.items() if v is not None}


def _fills(source: DatasetSource, planned: list[dict[str, Any]], selected: list[str]) -> list[dict[str, Any]]:
    """Pasted rows as values for the selected rows, in order, each checked as the source checks an edit."""
    if len(planned) > len(selected):
        raise ValueError(
            f"{len(planned)} rows pasted into {len(selected)} selected rows: select {len(planned)} rows, "
            "or clear the selection to add them as new datapoints"
        )
    for number, filled in enumerate(planned, start=1):
        if not filled:
            raise ValueError(f"pasted row {number} is empty")
        try:
            source.validate(filled)
        except ValueError as error:
            raise ValueError(f"pasted row {number}: {error}") from None
    return [{"id": i, "fields": f} for i, f in zip(selected, planned, strict=False)]
