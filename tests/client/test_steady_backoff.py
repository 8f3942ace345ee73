"""Issue 23: a queued write's backoff grows with its failures only while the service answers nothing. While
it answers other requests, a failed try was this request's bad luck (a 500, a dropped answer), not an
outage: at 30% faults a write's tenth try came 5-10 s after its ninth, and a 120 s wait on one edit ran out.
"""

from __future__ import annotations

import time

import pytest

from nbwidgets import Client
from nbwidgets.client import RetryPolicy, ServerError, TransportError
from nbwidgets.client.transport import STEADY_STEPS, gate_for

POLICY = RetryPolicy(initial_delay=0.2, max_delay=10.0)


def test_a_queued_write_backs_off_no_further_than_the_steady_steps_while_the_service_answers():
    steady_ceiling = 0.2 * 2**STEADY_STEPS
    assert steady_ceiling <= 4  # seconds: a write waits seconds, not tens of seconds, behind bad luck
    assert all(POLICY.queued_delay(n, None, answering=True) <= steady_ceiling for n in range(30))
    assert POLICY.queued_delay(12, None, answering=False) >= 5  # an outage: the long backoff, as before
    assert POLICY.queued_delay(12, 0.07, answering=True) == 0.07  # the server's Retry-After still wins


def test_the_gate_knows_whether_the_service_answered(sandbox):
    with Client.orq(sandbox.api_key, sandbox.url, retry=RetryPolicy(max_retries=0)) as client:
        gate = gate_for(client.base_url)
        before = time.monotonic()
        client.list_datasets()
        assert gate.answered_since(before)
        sandbox.set_faults(fault_rate=1.0)
        failed = time.monotonic()
        try:
            for _ in range(8):  # half are 500s, half dropped answers: neither is an answer
                with pytest.raises((ServerError, TransportError)):
                    client.list_datasets()
        finally:
            sandbox.clear_faults()
        assert not gate.answered_since(failed)  # a 500 or a dropped answer is no answer
