from __future__ import annotations

import logging
import os
import sys
import tempfile
import types
import typing
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
# The outbox of every client in this session (and in the kernels of the e2e tests) lives here.
os.environ["NBWIDGETS_CACHE_DIR"] = tempfile.mkdtemp(prefix="nbw-cache-")

from servers import SandboxProcess, start_sandbox, versions_made_from

from nbwidgets import Client
from nbwidgets.widgets._base import Widget

LIVE_HOW = (
    "live tests skipped: NBWIDGETS_LIVE=1 with ORQ_API_KEY (and/or OVERMIND_API_KEY) runs them against the real "
    "service (pytest -m live)"
)


def live_services() -> set[str]:
    """The real services the live tests may use: opted in with NBWIDGETS_LIVE=1, and a key for each."""
    if os.environ.get("NBWIDGETS_LIVE") != "1":
        return set()
    return {name for name, key in (("orq", "ORQ_API_KEY"), ("overmind", "OVERMIND_API_KEY")) if os.environ.get(key)}


def pytest_report_header(config):
    services = live_services()
    return f"live tests: against {', '.join(sorted(services))}" if services else LIVE_HOW


def pytest_collection_modifyitems(config, items):
    services = live_services()
    for item in items:
        marker = item.get_closest_marker("live")
        if marker is None:
            continue
        wanted = set(marker.args) or {"orq", "overmind"}
        if not wanted & services:
            item.add_marker(pytest.mark.skip(reason=LIVE_HOW))


@pytest.fixture(scope="session")
def sandbox() -> SandboxProcess:
    """One sandbox process for the session: demo data plus a 10,000-datapoint dataset."""
    server = start_sandbox("--datapoints", "10000")
    yield server
    server.stop()


@pytest.fixture
def orq(sandbox: SandboxProcess):
    sandbox.clear_faults()
    with Client.orq(sandbox.api_key, sandbox.url) as client:
        yield client


@pytest.fixture
def overmind(sandbox: SandboxProcess):
    sandbox.clear_faults()
    with Client.overmind(sandbox.api_key, sandbox.url) as client:
        yield client


@pytest.fixture
def fresh_dataset(orq):
    """An empty orq dataset of this test's own."""
    dataset = orq.create_dataset(f"test-{id(orq)}")
    yield dataset
    orq.delete_dataset(dataset.id)


@pytest.fixture
def own_version(overmind, sandbox):
    """An Overmind dataset version of this test's own (a copy of the demo agent's 40 datapoints); it and
    every version made from it are deleted after."""
    source = overmind.get_dataset(sandbox.ids["agent_v1"])
    version = overmind.create_dataset_version(source.agent, source.datapoints, name="a test's own version")
    yield version
    for made in versions_made_from(overmind, version):
        overmind.delete_dataset(made.id)
    overmind.delete_dataset(version.id)


@pytest.fixture(autouse=True)
def _quiet_logs():
    logging.getLogger("httpx").setLevel(logging.WARNING)


# --- shapes_held: the widget tests' check that every value a widget sends to its view has the shape its trait
# declares (widgets/_contract.py): no key the shape lacks, none it requires missing. Here, not in a
# tests/widgets/conftest.py: the browser tests import helpers `from conftest`, which must stay tests/e2e's.


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
