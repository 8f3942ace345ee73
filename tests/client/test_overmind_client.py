"""The Overmind client against the sandbox: agents, versioned datasets, page-number pagination."""

from __future__ import annotations

import httpx
import pytest

from nbwidgets.client import AuthenticationError, NotFoundError, ValidationError
from nbwidgets.models import is_uuid


def test_agents_and_their_dataset_versions(overmind, sandbox):
    agents = overmind.list_agents()
    assert agents.scheme == "number" and agents.total == 1 and not agents.has_next
    agent = agents.items[0]
    assert is_uuid(agent.id) and agent.name == "Support Triage Agent" and agent.dataset_size == 40
    versions = overmind.list_datasets(agent=agent.id)
    assert [d.version for d in versions][:2] == sorted([d.version for d in versions], reverse=True)[:2]
    assert {d.id for d in versions} >= {sandbox.ids["agent_v1"], sandbox.ids["agent_v2"]}
    assert overmind.list_datasets(agent=agent.id, version=1).items[0].id == sandbox.ids["agent_v1"]
    assert overmind.list_datasets(agent=agent.id, version_min=99).items == []


def test_datapoint_pages_first_middle_last_and_out_of_range(overmind, sandbox):
    dataset_id = sandbox.ids["agent_v1"]  # 40 datapoints
    first = overmind.datapoints_page(dataset_id, page=1, page_size=15)
    assert first.total == 40 and first.page_count == 3 and first.has_next and not first.has_previous
    assert [dp.order for dp in first] == list(range(15))
    last = overmind.datapoints_page(dataset_id, page=3, page_size=15)
    assert len(last) == 10 and not last.has_next and last.has_previous
    with pytest.raises(NotFoundError, match="Invalid page"):
        overmind.datapoints_page(dataset_id, page=4, page_size=15)
    reverse = overmind.datapoints_page(dataset_id, page=1, page_size=5, ordering="-order")
    assert [dp.order for dp in reverse] == [39, 38, 37, 36, 35]
    found = overmind.datapoints_page(dataset_id, search="iOS 17")
    assert found.total == 4 and all("iOS 17" in dp.input["ticket_text"] for dp in found)


def test_iterate_all_and_get_with_datapoints_inline(overmind, sandbox):
    dataset = overmind.get_dataset(sandbox.ids["agent_v1"])
    assert dataset.num_datapoints == 40 == len(dataset.datapoints)
    assert [dp.id for dp in overmind.iter_datapoints(dataset.id, page_size=7)] == [dp.id for dp in dataset.datapoints]


def test_an_edit_is_a_new_version(overmind, sandbox):
    base = overmind.get_dataset(sandbox.ids["agent_v1"])
    target = base.datapoints[3]
    new = overmind.new_version_with_edits(
        base.id, {target.id: {"expected_output": {"team": "legal"}}}, make_active=True
    )
    assert new.version > base.version and new.num_datapoints == 40 and new.metadata["edited_from"] == base.id
    assert new.datapoints[3].expected_output == {"team": "legal"} and new.datapoints[3].id != target.id
    assert overmind.get_dataset(base.id).datapoints[3].expected_output == target.expected_output  # old kept
    assert overmind.get_agent(base.agent).active_dataset == new.id
    overmind.activate_dataset(sandbox.ids["agent_v2"])
    overmind.delete_dataset(new.id)
    with pytest.raises(NotFoundError):
        overmind.get_dataset(new.id)


def test_validation_errors_are_field_keyed(overmind):
    with pytest.raises(ValidationError) as info:
        overmind.create_dataset_version("00000000-0000-4000-8000-000000000000", [{"order": 1}], source="made-up")
    assert set(info.value.field_errors) == {"agent", "source"}
    with pytest.raises(ValueError):
        overmind.create_dataset_version("00000000-0000-4000-8000-000000000000", [{"order": -1}])


def test_auth_is_bearer_as_the_docs_say_and_only_that(sandbox, overmind):
    url = sandbox.url + "/api/agents/"
    assert httpx.get(url, headers={"Authorization": f"Bearer {sandbox.api_key}"}).status_code == 200
    for headers in ({"X-Api-Key": sandbox.api_key}, {"Authorization": f"Api-Key {sandbox.api_key}"}, {}):
        refused = httpx.get(url, headers=headers)
        assert refused.status_code == 401 and refused.json()["code"] == "not_authenticated"
    wrong = httpx.get(url, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.json()["code"] == "authentication_failed"
    since = sandbox.mark_requests()
    overmind.list_agents()  # the client sends the Bearer scheme (the sandbox would refuse anything else)
    assert sandbox.requests_received("/api/agents/", since=since)[0]["status"] == 200


def test_wrong_key_raises_authentication_error(sandbox):
    from nbwidgets import Client

    with Client.overmind("wrong", sandbox.url) as client, pytest.raises(AuthenticationError) as info:
        client.list_agents()
    assert info.value.status == 401 and "Invalid API key" in info.value.message
