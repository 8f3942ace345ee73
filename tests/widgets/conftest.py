"""The widget tests' own fixture: `shapes_held` checks every value a widget sends to its view against the shape
its trait declares (widgets/_contract.py): no key the shape lacks, none it requires missing."""

from __future__ import annotations

import types
import typing
from typing import Any

import pytest

from nbwidgets.widgets._base import Widget


def _mismatches(shape: Any, value: Any, where: str) -> list[str]:
    origin, args = typing.get_origin(shape), typing.get_args(shape)
    if origin in (typing.Union, types.UnionType):  # X | None: the value is None or an X
        return [m for arm in args if arm is not type(None) for m in _mismatches(arm, value, where)]
    if origin is dict and isinstance(value, dict):
        return [m for v in value.values() for m in _mismatches(args[1], v, where)]
    if origin is list and isinstance(value, list):
        return [m for v in value for m in _mismatches(args[0], v, where)]
    if not (isinstance(shape, type) and hasattr(shape, "__required_keys__")) or not isinstance(value, dict):
        return []
    hints = typing.get_type_hints(shape)
    found = [f"{where}: {key!r} is not in {shape.__name__}" for key in set(value) - set(hints)]
    if value:  # {} is "none": a shaped trait starts and is cleared empty
        found += [f"{where}: {shape.__name__} requires {key!r}" for key in shape.__required_keys__ - set(value)]
    for key in set(value) & set(hints):
        found += _mismatches(hints[key], value[key], f"{where}.{key}")
    return found


@pytest.fixture
def shapes_held(monkeypatch: pytest.MonkeyPatch) -> Any:
    found: set[str] = set()
    notify = Widget.notify_change

    def notify_change(self: Widget, change: Any) -> None:
        trait = self.traits().get(change["name"]) if change.get("type") == "change" else None
        shape = trait.metadata.get("shape") if trait is not None else None
        if shape is not None:
            found.update(_mismatches(shape, change["new"], f"{type(self).__name__}.{change['name']}"))
        notify(self, change)

    monkeypatch.setattr(Widget, "notify_change", notify_change)
    yield found
    assert sorted(found) == [], "values sent that their trait's shape does not describe"
