"""Issue 22, item 4: a 429 pauses every read and write to that service (every client of it in this process)
until its Retry-After has passed, then one probe at a time; counted from the sandbox's own request log."""

from __future__ import annotations

import threading
import time

from nbwidgets import Client
from nbwidgets.client import NbwidgetsError, RetryPolicy

POLICY = RetryPolicy(max_retries=5, initial_delay=0.05, max_delay=0.5, max_elapsed=30)


def test_a_429_storm_pauses_every_write_and_read_to_the_service(sandbox, tmp_path, monkeypatch):
    monkeypatch.setenv("NBWIDGETS_CACHE_DIR", str(tmp_path))
    traces = sandbox.add_traces(*[f"trace-storm-{i}" for i in range(50)])
    writer = Client.orq(sandbox.api_key, sandbox.url, retry=POLICY)
    reader = Client.orq(sandbox.api_key, sandbox.url, retry=POLICY)  # another client of the same service
    mark = sandbox.mark_requests()
    sandbox.set_faults(rate_limit_rate=1.0, retry_after_ms=2000)
    storm = 6.0
    try:
        handles = [writer.queue_feedback(trace, "rating", "good") for trace in traces]
        stop = time.monotonic() + storm
        read_errors: list[str] = []

        def keep_reading() -> None:
            while time.monotonic() < stop:
                try:
                    reader.list_datasets()
                except NbwidgetsError as error:
                    read_errors.append(str(error))

        readers = [threading.Thread(target=keep_reading) for _ in range(3)]
        for thread in readers:
            thread.start()
        time.sleep(storm)
        sent_in_storm = sandbox.requests_received(since=mark)
    finally:
        sandbox.clear_faults()
    for thread in readers:
        thread.join(60)
    # before the first 429 came back, up to the outbox's 8 deliveries and the 3 readers may have gone;
    # after that one probe per Retry-After (2 s): about 3 in 6 s
    assert len(sent_in_storm) <= 8 + 3 + 5, [(r["method"], r["path"], r["status"]) for r in sent_in_storm]
    assert all(r["status"] == 429 for r in sent_in_storm)
    assert writer.outbox.flush(60)
    assert all(h.result(5) is not None for h in handles)
    landed = [f for trace in traces for f in sandbox.feedback(trace)]
    assert len(landed) == 50  # each exactly once
    writer.close()
    reader.close()


def test_after_the_pause_requests_go_again_at_full_speed(sandbox):
    with Client.orq(sandbox.api_key, sandbox.url, retry=POLICY) as client:
        sandbox.set_faults(rate_limit_rate=1.0, retry_after_ms=300)
        try:
            mark = sandbox.mark_requests()
            worker = threading.Thread(target=client.list_datasets)
            worker.start()
            time.sleep(0.5)
        finally:
            sandbox.clear_faults()
        worker.join(30)
        first = sandbox.requests_received(since=mark)
        assert 1 <= len(first) <= 4  # one every 300 ms, then the answer
        assert first[-1]["status"] == 200
        mark = sandbox.mark_requests()
        started = time.monotonic()
        threads = [threading.Thread(target=client.list_datasets) for _ in range(10)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert len(sandbox.requests_received(since=mark)) == 10 and time.monotonic() - started < 10
