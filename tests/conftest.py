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

from servers import SandboxProcess, start_sandbox

from nbwidgets import Client


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


@pytest.fixture(autouse=True)
def _quiet_logs():
    logging.getLogger("httpx").setLevel(logging.WARNING)
