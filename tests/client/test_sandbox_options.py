"""What the sandbox's command-line options do (their help and bad values: tests/cli, by the hosts work):
each option started for real and checked over HTTP."""

from __future__ import annotations

import httpx
import pytest
from servers import start_sandbox

from nbwidgets import Client


@pytest.fixture
def started():
    servers = []

    def start(*args: str, **kwargs):
        server = start_sandbox(*args, **kwargs)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def test_no_demo_and_generated_datasets(started):
    server = started("--no-demo", "--datapoints", "30", "--datapoints", "5")
    with Client.orq(server.api_key, server.url) as client:
        datasets = {d.display_name: d for d in client.list_datasets().items}
        assert set(datasets) == {"generated_30", "generated_5"}
        assert [sum(1 for _ in client.iter_datapoints(datasets[n].id)) for n in ("generated_30", "generated_5")] == [
            30,
            5,
        ]
    with Client.overmind(server.api_key, server.url) as overmind:
        assert overmind.list_agents().items == []


def test_the_api_key_option_is_the_only_key_taken(started):
    server = started(api_key="a-key-of-this-test-0123")
    assert server.api_key == "a-key-of-this-test-0123"
    wrong = httpx.get(server.url + "/v2/datasets", headers={"Authorization": "Bearer sandbox"}, timeout=30)
    right = httpx.get(server.url + "/v2/datasets", headers={"Authorization": f"Bearer {server.api_key}"}, timeout=30)
    assert (wrong.status_code, right.status_code) == (401, 200)


def test_a_db_file_keeps_the_data_across_restarts(started, tmp_path):
    db = tmp_path / "sandbox.sqlite3"
    first = started("--db", str(db))
    with Client.orq(first.api_key, first.url) as client:
        created = client.create_dataset("kept across restarts")
        client.create_datapoints(created.id, [{"expected_output": "still here"}])
    first.stop()
    second = started("--db", str(db))
    with Client.orq(second.api_key, second.url) as client:
        [kept] = client.datapoints_page(created.id).items
        assert kept.expected_output == "still here"
        assert [d.display_name for d in client.list_datasets().items].count("support_quality_eval") == 1  # no twin


def outcomes(server, count=30):
    """What `count` plain reads get: a status, or 'dropped' (the answer lost)."""
    seen = []
    with httpx.Client(headers={"Authorization": f"Bearer {server.api_key}"}, timeout=30) as http:
        for _ in range(count):
            try:
                seen.append(http.get(server.url + "/v2/datasets").status_code)
            except httpx.HTTPError:
                seen.append("dropped")
    return seen


def test_fault_options_with_a_seed_are_repeatable(started):
    one = outcomes(started("--fault-rate", "0.4", "--rate-limit-rate", "0.2", "--seed", "7"))
    two = outcomes(started("--fault-rate", "0.4", "--rate-limit-rate", "0.2", "--seed", "7"))
    assert one == two  # the same dice
    assert {200, 500, 429, "dropped"} <= set(one)
    assert set(outcomes(started("--fault-rate", "1"), count=10)) <= {500, "dropped"}
