from __future__ import annotations

import logging
import os
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
# The outbox of every client in this session (and in the kernels of the e2e tests) lives here.
os.environ["NBWIDGETS_CACHE_DIR"] = tempfile.mkdtemp(prefix="nbw-cache-")

from servers import SandboxProcess, start_sandbox, versions_made_from

from nbwidgets import Client

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
