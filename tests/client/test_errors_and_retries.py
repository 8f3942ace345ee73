"""Every error type, and retries under the sandbox's faults: nothing lost, nothing created twice."""

from __future__ import annotations

import concurrent.futures
from collections import Counter

import pytest

from nbwidgets import Client
from nbwidgets.client import (
    RateLimitedError,
    RetryPolicy,
    ServerError,
    ServiceTimeoutError,
    TransportError,
)
from nbwidgets.client.transport import parse_retry_after

NO_RETRY = RetryPolicy(max_retries=0)
FAST_RETRY = RetryPolicy(max_retries=12, initial_delay=0.01, max_delay=0.1, max_elapsed=60)


def test_server_errors_and_dropped_connections_without_retries(sandbox):
    sandbox.set_faults(fault_rate=1.0)
    seen = Counter()
    with Client.orq(sandbox.api_key, sandbox.url, retry=NO_RETRY) as client:
        for _ in range(24):
            with pytest.raises((ServerError, TransportError)) as info:
                client.list_datasets()
            seen[type(info.value)] += 1
            assert info.value.method == "GET" and info.value.route == "/v2/datasets"
    sandbox.clear_faults()
    assert seen[ServerError] and seen[TransportError]  # both kinds of fault were met


def test_rate_limited_after_retries_run_out_carries_retry_after(sandbox):
    sandbox.set_faults(rate_limit_rate=1.0, retry_after_ms=50)
    with (
        Client.orq(sandbox.api_key, sandbox.url, retry=RetryPolicy(max_retries=2)) as client,
        pytest.raises(RateLimitedError) as info,
    ):
        client.list_datasets()
    sandbox.clear_faults()
    assert info.value.status == 429 and info.value.retry_after == pytest.approx(0.05)


def test_retry_after_is_honoured(sandbox):
    slept = []
    sandbox.set_faults(rate_limit_rate=1.0, retry_after_ms=70)
    client = Client.orq(sandbox.api_key, sandbox.url, retry=RetryPolicy(max_retries=3))
    client._transport._sleep = slept.append
    with pytest.raises(RateLimitedError):
        client.list_datasets()
    sandbox.clear_faults()
    client.close()
    assert slept == [0.07, 0.07, 0.07]


def test_parse_retry_after_forms():
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after(None) is None
    assert 0 <= parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") <= 0.0 + 1


def test_reads_succeed_through_faults_with_retries(sandbox):
    sandbox.set_faults(fault_rate=0.3, rate_limit_rate=0.1, retry_after_ms=5)
    with Client.orq(sandbox.api_key, sandbox.url, retry=FAST_RETRY) as client:
        ids = [dp.id for dp in client.iter_datapoints(sandbox.ids["support"], page_size=10)]
    sandbox.clear_faults()
    assert len(ids) == 120 == len(set(ids))


def test_timeout(sandbox):
    sandbox.set_faults(latency_ms=600)
    with (
        Client.orq(sandbox.api_key, sandbox.url, timeout=0.2, retry=NO_RETRY) as client,
        pytest.raises(ServiceTimeoutError) as info,
    ):
        client.get_dataset(sandbox.ids["support"])
    sandbox.clear_faults()
    assert info.value.status is None and "timed out" in str(info.value)


def test_no_server_is_a_transport_error():
    from servers import free_port

    with (
        Client.orq("k", f"http://127.0.0.1:{free_port()}", retry=RetryPolicy(max_retries=1, initial_delay=0.01)) as c,
        pytest.raises(TransportError, match="could not connect"),
    ):
        c.list_datasets()


def test_a_post_without_client_id_is_not_retried(sandbox):
    sandbox.set_faults(fault_rate=1.0)
    before = sandbox.control("GET", "/_sandbox/stats").get("POST orq", 0)
    with (
        Client.orq(sandbox.api_key, sandbox.url, retry=FAST_RETRY) as client,
        pytest.raises((ServerError, TransportError)),
    ):
        client.create_dataset("never-twice")
    sandbox.clear_faults()
    assert sandbox.control("GET", "/_sandbox/stats")["POST orq"] == before + 1


def test_feedback_under_faults_ends_with_none_lost_and_none_duplicated(sandbox):
    """300 writes from 8 threads with 30% faults (half of them dropped after the write) and 10% 429s."""
    sandbox.set_faults(fault_rate=0.3, rate_limit_rate=0.1, retry_after_ms=5)
    [trace] = sandbox.add_traces("trace-under-faults")
    with Client.orq(sandbox.api_key, sandbox.url, retry=FAST_RETRY) as client:

        def send(i: int) -> str:
            return client.create_feedback(trace, "correction", f"value {i}").id

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            sent = list(pool.map(send, range(300)))
    stats = sandbox.control("GET", "/_sandbox/stats")
    sandbox.clear_faults()
    stored = sandbox.feedback(trace)
    assert len(stored) == 300 and {f["id"] for f in stored} == set(sent)
    assert stats.get("fault drop", 0) > 0 and stats.get("fault 429", 0) > 0
    assert any(f["_writes"] > 1 for f in stored)  # some writes did land twice: the id kept them one record
