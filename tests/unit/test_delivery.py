"""The delivery decision table (client/delivery.py), with fake write kinds and no HTTP server.

Each outcome of one attempt, the state it comes to, and what happens next: first `Delivery.attempt` alone
on an in-memory store, then through an in-memory `Outbox` built from a scope, a retry policy and the kinds.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from nbwidgets.client.delivery import Delivery, DeliveryError
from nbwidgets.client.errors import ConflictError, NotFoundError, RateLimitedError, ServerError, ValidationError
from nbwidgets.client.outbox import Outbox, Scope
from nbwidgets.client.outbox_store import Entry, OutboxStore
from nbwidgets.client.transport import RetryPolicy, Secret
from nbwidgets.client.writes import StaleBaseConflict, Write, WriteHandle, WriteKind

KEY = "sk-test-delivery-0123456789"
SCOPE = "fake http://fake fingerprint"
POLICY = RetryPolicy(initial_delay=0.05, max_delay=0.05, max_retry_after=30)


class Service:
    """What a fake service holds: one value per key, with a version token that moves on each write."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.tokens: dict[str, str] = {}
        self.sent: list[dict[str, Any]] = []
        self.reads = 0


class Fake(WriteKind):
    """A write kind whose send and read play a scripted list of outcomes (an exception to raise, or None
    to do the real thing), over a `Service`."""

    name = "fake.set"
    reads = True

    def __init__(self, service: Service, *, sends: list[Any] | None = None, idempotent: bool = True) -> None:
        self.service = service
        self.script = list(sends or [])
        self._idempotent = idempotent

    def send(self, payload: dict[str, Any]) -> Any:
        planned = self.script.pop(0) if self.script else None
        lands = not (isinstance(planned, tuple) and planned[0] == "before")  # ("before", error): refused unsent
        error = planned[1] if isinstance(planned, tuple) else planned
        if lands:
            self.service.sent.append(payload)
            key = payload["key"]
            self.service.values[key] = payload["value"]
            self.service.tokens[key] = f"v{len(self.service.sent) + 1}"
        if error is not None:
            raise error  # landed (or not) and the answer is an error: a lost answer, a refusal, a bug
        return {"value": payload["value"], "token": self.service.tokens[payload["key"]]}

    def read(self, payload: dict[str, Any]) -> Any:
        self.service.reads += 1
        key = payload["key"]
        return {"value": self.service.values.get(key), "token": self.service.tokens.get(key, "v1")}

    def holds(self, payload: dict[str, Any], current: Any) -> bool:
        return bool(current["value"] == payload["value"])

    def token(self, current: Any) -> str | None:
        return None if current is None else current.get("token")

    def idempotent(self, payload: dict[str, Any]) -> bool:
        return self._idempotent

    def describe(self, payload: dict[str, Any]) -> tuple[str, str]:
        return "PUT", f"/things/{payload['key']}"


class Blind(Fake):
    """A kind that cannot read (feedback, a bulk delete): sent again blind."""

    name = "fake.blind"
    reads = False


class Removal(Fake):
    """A removal: a 404 after an earlier attempt means that attempt removed it."""

    name = "fake.remove"
    reads = False
    gone_means_landed = True


def server_error(status: int = 503) -> ServerError:
    return ServerError("the service had an error", method="PUT", route="/things/a", status=status)


def rate_limited(retry_after: float | None) -> RateLimitedError:
    error = RateLimitedError("slow down", method="PUT", route="/things/a", status=429)
    error.retry_after = retry_after
    return error


def claimed(store: OutboxStore, kind: str = "fake.set", *, expects: str | None = None, origin: str = "") -> Entry:
    """Store a write and claim it (its first attempt), as the dispatcher does."""
    store.add(SCOPE, kind, "thing a", {"key": "a", "value": "new"}, expects, origin)
    [entry] = store.claim(SCOPE, 1)
    return entry


def again(store: OutboxStore, entry: Entry) -> Entry:
    """The same entry's next attempt (after a retry's delay)."""
    store.later(entry.seq, 0, "retry")
    [entry] = store.claim(SCOPE, 1)
    return entry


@pytest.fixture
def store():
    made = OutboxStore(None)
    yield made
    made.close()


@pytest.fixture
def delivery(store):
    return Delivery(store, SCOPE, POLICY, Secret(KEY))


def handle_for(entry: Entry) -> WriteHandle:
    return WriteHandle(Write(entry.kind, entry.key, entry.payload, entry.expects, entry.origin), entry.seq)


# --- one attempt: Delivery.attempt ------------------------------------------------------------------------


def test_the_send_answers_saved_with_the_answer(store, delivery):
    service = Service()
    outcome = delivery.attempt(Fake(service), claimed(store), None)
    assert (outcome.state, outcome.answer, outcome.error) == ("saved", {"value": "new", "token": "v2"}, None)
    assert len(service.sent) == 1


def test_already_held_after_a_lost_answer_is_saved_and_not_sent_again(store, delivery):
    service = Service()
    kind = Fake(service, sends=[server_error(502)], idempotent=False)  # it lands; the answer is a 502
    first = delivery.attempt(kind, entry := claimed(store), None)
    assert first.state == "queued" and isinstance(first.error, ServerError)
    second = delivery.attempt(kind, again(store, entry), None)  # attempt 2: read first, it holds the value
    assert (second.state, second.answer) == ("saved", {"value": "new", "token": "v2"})
    assert len(service.sent) == 1 and service.reads == 1  # verified, never sent twice


def test_a_first_attempt_of_an_idempotent_kind_is_sent_without_a_read(store, delivery):
    service = Service()
    assert delivery.attempt(Fake(service), claimed(store), None).state == "saved"
    assert service.reads == 0


def test_a_stale_base_is_a_conflict_with_what_the_service_holds_and_nothing_is_sent(store, delivery):
    service = Service()
    service.values["a"], service.tokens["a"] = "someone else's", "v7"
    entry = claimed(store, expects="v1")
    handle = handle_for(entry)
    outcome = delivery.attempt(Fake(service), entry, handle)
    assert outcome.state == "conflict"
    assert isinstance(outcome.error, StaleBaseConflict) and isinstance(outcome.error, ConflictError)
    assert outcome.error.status is None and outcome.error.body == {"value": "someone else's", "token": "v7"}
    assert "changed on the service since it was loaded" in str(outcome.error)
    assert handle.current == {"value": "someone else's", "token": "v7"} and handle.before == handle.current
    assert service.sent == []


def test_a_token_left_by_writes_of_the_same_origin_is_not_a_conflict(store, delivery):
    service = Service()
    service.values["a"], service.tokens["a"] = "my earlier edit", "v7"
    store.done(0, SCOPE, "thing a", "v7", "grid-1")  # an earlier write of this origin left v7
    outcome = delivery.attempt(Fake(service), claimed(store, expects="v1", origin="grid-1"), None)
    assert outcome.state == "saved" and len(service.sent) == 1


def test_another_origins_token_is_still_a_conflict(store, delivery):
    service = Service()
    service.values["a"], service.tokens["a"] = "the other grid's edit", "v7"
    store.done(0, SCOPE, "thing a", "v7", "grid-2")
    outcome = delivery.attempt(Fake(service), claimed(store, expects="v1", origin="grid-1"), None)
    assert outcome.state == "conflict" and service.sent == []


def test_a_409_from_the_service_is_a_refusal_not_a_stale_base(store, delivery):
    answered = ConflictError("taken", method="PUT", route="/things/a", status=409)
    outcome = delivery.attempt(Blind(Service(), sends=[("before", answered)]), claimed(store, "fake.blind"), None)
    assert outcome.state == "failed" and outcome.error is answered


def test_a_refusal_is_failed_with_the_services_reason(store, delivery):
    refused = ValidationError("value is too long", method="PUT", route="/things/a", status=400)
    outcome = delivery.attempt(Blind(Service(), sends=[("before", refused)]), claimed(store, "fake.blind"), None)
    assert outcome.state == "failed" and outcome.error is refused


def test_a_retryable_error_is_queued_with_the_policys_delay(store, delivery):
    outcome = delivery.attempt(Blind(Service(), sends=[("before", server_error())]), claimed(store, "fake.blind"), None)
    assert outcome.state == "queued" and isinstance(outcome.error, ServerError)
    assert POLICY.initial_delay / 2 <= outcome.delay <= POLICY.initial_delay


def test_a_retry_after_wins_over_the_backoff_and_is_capped_by_the_policy(store, delivery):
    kind = Blind(Service(), sends=[("before", rate_limited(7)), ("before", rate_limited(3600))])
    first = delivery.attempt(kind, entry := claimed(store, "fake.blind"), None)
    assert (first.state, first.delay) == ("queued", 7)
    second = delivery.attempt(kind, again(store, entry), None)
    assert (second.state, second.delay) == ("queued", POLICY.max_retry_after)


def test_a_removals_404_after_an_earlier_attempt_is_saved_but_on_the_first_is_failed(store, delivery):
    gone = NotFoundError("no such feedback", method="POST", route="/remove", status=404)
    kind = Removal(Service(), sends=[("before", gone), ("before", gone)])
    first = delivery.attempt(kind, entry := claimed(store, "fake.remove"), None)
    assert first.state == "failed" and first.error is gone
    second = delivery.attempt(kind, again(store, entry), None)
    assert (second.state, second.answer) == ("saved", None)


def test_a_lost_lease_sends_nothing_and_settles_nothing(store, delivery):
    service = Service()
    entry = claimed(store)
    store._db.execute("UPDATE entry SET owner = 'another-host:1:abcd' WHERE seq = ?", (entry.seq,))
    outcome = delivery.attempt(Fake(service), entry, None)
    assert outcome.state is None and service.sent == []
    assert store.states([entry.seq]) == {entry.seq: ("queued", None)}  # still there, for its owner


def test_an_unexpected_exception_is_failed_with_a_sentence_and_its_traceback_logged_without_the_key(
    store, delivery, caplog
):
    bug = KeyError(f"dataset_id (key {KEY})")
    caplog.set_level(logging.ERROR, logger="nbwidgets.client.delivery")
    outcome = delivery.attempt(Blind(Service(), sends=[("before", bug)]), claimed(store, "fake.blind"), None)
    assert outcome.state == "failed" and isinstance(outcome.error, DeliveryError)
    words = str(outcome.error)
    assert "could not be delivered" in words and "KeyError" in words and "a bug in nbwidgets" in words
    assert outcome.error.__cause__ is bug and KEY not in words
    [record] = [r for r in caplog.records if r.name == "nbwidgets.client.delivery"]
    logged = record.getMessage()
    assert "Traceback" in logged and "KeyError" in logged and "fake.blind" in logged
    assert KEY not in logged and "***" in logged


# --- what happens next: through an Outbox built from a scope, a policy and the kinds --------------------


@pytest.fixture
def service():
    return Service()


def make_outbox(*kinds: WriteKind) -> Outbox:
    return Outbox(Scope("fake", "http://fake", Secret(KEY)), POLICY, {k.name: k for k in kinds}, in_memory=True)


def test_an_outbox_saves_keeps_the_token_and_forgets_the_entry(service):
    outbox = make_outbox(Fake(service))
    try:
        handle = outbox.submit(Write("fake.set", "thing a", {"key": "a", "value": "new"}, origin="grid-1"))
        assert handle.result(5) == {"value": "new", "token": "v2"}
        assert handle.state == "saved" and outbox.pending() == [] and outbox.failed() == []
        assert outbox._store.own_tokens(outbox.scope, "thing a", "grid-1") == {"v2"}
        assert outbox.scope.startswith("fake http://fake ") and KEY not in outbox.scope
    finally:
        outbox.close()


def test_an_outbox_retries_after_the_delay_with_the_error_on_the_handle(service):
    outbox = make_outbox(Blind(service, sends=[("before", server_error()), ("before", server_error())]))
    try:
        states: list[tuple[str, str]] = []
        handle = outbox.submit(Write("fake.blind", "thing a", {"key": "a", "value": "new"}))
        handle.on_change(lambda h: states.append((h.state, type(h.error).__name__)))
        assert handle.result(5)["value"] == "new"
        assert ("queued", "ServerError") in states and handle.attempts == 3 and len(service.sent) == 1
    finally:
        outbox.close()


def test_an_outbox_ends_a_stale_base_as_a_conflict_kept_for_inspection(service):
    service.values["a"], service.tokens["a"] = "someone else's", "v7"
    outbox = make_outbox(Fake(service))
    try:
        handle = outbox.submit(Write("fake.set", "thing a", {"key": "a", "value": "new"}, expects="v1"))
        with pytest.raises(StaleBaseConflict):
            handle.result(5)
        assert handle.state == "conflict" and handle.current["token"] == "v7"
        [kept] = outbox.failed()
        assert kept["kind"] == "fake.set" and "changed on the service" in (kept["last_error"] or "")
    finally:
        outbox.close()


def test_an_outbox_turns_an_unexpected_exception_into_failed(service):
    outbox = make_outbox(Blind(service, sends=[("before", ZeroDivisionError("division by zero"))]))
    try:
        handle = outbox.submit(Write("fake.blind", "thing a", {"key": "a", "value": "new"}))
        with pytest.raises(DeliveryError, match="unexpected ZeroDivisionError"):
            handle.result(5)
        assert handle.state == "failed" and len(outbox.failed()) == 1
    finally:
        outbox.close()


def test_an_unknown_kind_is_refused_at_submit_and_one_stored_by_another_version_is_left_queued(service):
    outbox = make_outbox(Fake(service))
    try:
        with pytest.raises(ValueError, match=r"has no write of kind 'fake\.other'"):
            outbox.submit(Write("fake.other", "thing a", {"key": "a", "value": "new"}))
        outbox._store.add(outbox.scope, "fake.future", "thing b", {"key": "b"}, None)  # a newer version's
        handle = outbox.submit(Write("fake.set", "thing b", {"key": "b", "value": "new"}))
        assert handle.result(5)["value"] == "new"  # not held up by the unknown entry on its key
        assert [e["kind"] for e in outbox.unknown()] == ["fake.future"] and outbox.pending() == []
        assert outbox._store.claim(outbox.scope, 10) == []  # never claimed by this version
    finally:
        outbox.close()


def test_a_kind_that_prepares_stores_its_prepared_payload_before_the_first_send(service):
    class Prepared(Blind):
        name = "fake.prepared"
        prepares = True

        def prepare(self, payload: dict[str, Any]) -> dict[str, Any]:
            return {**payload, "after": "newest-before", "prepared": True}

    outbox = make_outbox(Prepared(service, sends=[server_error()]))
    try:
        handle = outbox.submit(Write("fake.prepared", "thing a", {"key": "a", "value": "new"}))
        handle.result(5)
        assert [p.get("after") for p in service.sent] == ["newest-before", "newest-before"]
    finally:
        outbox.close()


def test_a_closed_outbox_takes_no_write(service):
    outbox = make_outbox(Fake(service))
    outbox.close()
    with pytest.raises(RuntimeError, match="closed"):
        outbox.submit(Write("fake.set", "thing a", {"key": "a", "value": "new"}))
