"""A subset of the client tests against the real services, for maintainers before a release.

Opt in: `NBWIDGETS_LIVE=1 ORQ_API_KEY=... .venv/bin/pytest -m live` (and/or OVERMIND_API_KEY). Without that
every test here is skipped with one line saying so (see conftest.py); CI never needs it. Each test works on a
dataset it creates and deletes itself. Optional: NBWIDGETS_LIVE_DEPLOYMENT (an orq deployment key to invoke
and give feedback on), NBWIDGETS_LIVE_AGENT (an Overmind agent id to add, then delete, a dataset version).
"""

from __future__ import annotations

import os
import uuid

import pytest

from nbwidgets import Client
from nbwidgets.client import NotFoundError, ValidationError


@pytest.fixture
def live_orq():
    with Client.orq() as client:
        yield client


@pytest.fixture
def live_dataset(live_orq):
    dataset = live_orq.create_dataset(f"nbwidgets-live-{uuid.uuid4().hex[:8]}")
    yield dataset
    live_orq.delete_dataset(dataset.id)


@pytest.mark.live("orq")
def test_live_orq_datapoints_round_trip(live_orq, live_dataset):
    assert live_orq.get_dataset(live_dataset.id).display_name == live_dataset.display_name
    created = live_orq.create_datapoints(
        live_dataset.id,
        [
            {
                "inputs": {"question": f"q{i}", "n": i},
                "messages": [{"role": "user", "content": f"q{i}"}],
                "expected_output": f"a{i}",
            }
            for i in range(7)
        ],
    )
    assert len(created) == 7
    first = live_orq.datapoints_page(live_dataset.id, limit=3)
    assert len(first.items) == 3 and first.has_next
    second = live_orq.datapoints_page(live_dataset.id, limit=3, starting_after=first.next_cursor)
    assert not {p.id for p in first.items} & {p.id for p in second.items}
    assert len(list(live_orq.iter_datapoints(live_dataset.id, page_size=2))) == 7
    point = created[0]
    updated = live_orq.update_datapoint(live_dataset.id, point.id, expected_output="edited live")
    assert updated.expected_output == "edited live"
    assert live_orq.get_datapoint(live_dataset.id, point.id).expected_output == "edited live"
    live_orq.delete_datapoint(live_dataset.id, point.id)
    with pytest.raises(NotFoundError):
        live_orq.get_datapoint(live_dataset.id, point.id)


@pytest.mark.live("orq")
def test_live_orq_refuses_what_the_sandbox_refuses(live_orq, live_dataset):
    with pytest.raises(ValidationError):  # past the client's own check: what the service says to limit=201
        live_orq._get(f"/v2/datasets/{live_dataset.id}/datapoints", limit=201)
    with pytest.raises(NotFoundError):
        live_orq.get_dataset("01JJ1HDHN79XAS7A01WB3HYSDC")


@pytest.mark.live("orq")
def test_live_orq_invoke_and_feedback(live_orq):
    key = os.environ.get("NBWIDGETS_LIVE_DEPLOYMENT")
    if not key:
        pytest.skip("set NBWIDGETS_LIVE_DEPLOYMENT to a deployment key to invoke it and give feedback")
    result = live_orq.invoke_deployment(key, inputs={}, messages=[{"role": "user", "content": "Say hello."}])
    assert result.trace_id and result.output
    feedback = live_orq.create_feedback(result.trace_id, "rating", "good")
    with pytest.raises(NotFoundError):
        live_orq.create_feedback(result.trace_id, "nbwidgets_not_a_property", "good")
    live_orq.remove_feedback(feedback.id, result.trace_id)


@pytest.mark.live("overmind")
def test_live_overmind_reads_and_a_version_it_adds_and_deletes():
    with Client.overmind() as client:
        agents = client.list_agents()
        assert agents.total is not None
        agent = os.environ.get("NBWIDGETS_LIVE_AGENT")
        if not agent:
            pytest.skip("set NBWIDGETS_LIVE_AGENT to an agent id to add (then delete) a dataset version")
        version = client.create_dataset_version(
            agent, [{"input": {"q": "live"}, "expected_output": {"a": 1}, "order": 0}], name="nbwidgets live test"
        )
        try:
            page = client.datapoints_page(version.id, page=1, page_size=10)
            assert page.total == 1 and page.items[0].expected_output == {"a": 1}
        finally:
            client.delete_dataset(version.id)
