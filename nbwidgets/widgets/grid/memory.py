"""What follows a dataset from one grid to the next in this kernel (a re-run cell makes a new grid): its
column layout and its undo history, by (service, base URL, dataset id)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Key = tuple[str, str, str]


class _Remembered:
    def __init__(self) -> None:
        self.layouts: dict[Key, dict[str, Any]] = {}
        self.undo: dict[Key, list[Any]] = {}  # edits and removals, as the grid's RowWrites keeps them


REMEMBERED = _Remembered()


def remember_layouts(key: Callable[[str], Key], layouts: dict[str, Any] | None) -> None:
    """The column layouts of a grid ({dataset_id: layout}), for the next grid on the same dataset."""
    for dataset_id, layout in (layouts or {}).items():
        REMEMBERED.layouts[key(dataset_id)] = layout
