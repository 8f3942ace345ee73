"""The outbox: stores one scope's writes and delivers them on threads that run only while it has work.

`Outbox(scope, policy, kinds)`: whose writes (a service, URL and key: `Scope`), how long to wait before
trying again (the transport's `RetryPolicy`), and how each kind of write is sent (`WriteKind`s, which hold
their service's requests: the outbox itself sends nothing). `Client.outbox` builds it. It leases due
entries from the store (`outbox_store.py`), hands each to a delivery thread, and acts on what one attempt
came to (`delivery.py`: the decision table); the life of a write is told in `writes.py`.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import queue
import sqlite3
import threading
import time
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from . import checks
from .cache import default_path, unavailable
from .delivery import Delivery
from .outbox_store import Entry, ListedEntry, OutboxStore, StaleWrites, max_age_days
from .transport import RetryPolicy, Secret, gate_for
from .writes import State, Write, WriteHandle, WriteKind

log = logging.getLogger("nbwidgets.client")

DEFAULT_CONCURRENCY = 8  # deliveries in flight at once, each on its own key
IDLE_SECONDS = 3.0  # an outbox with nothing queued or in flight for this long stops its threads
# a delivery thread's work: an entry to deliver, a handle to tell how another process settled it, or stop
Jobs = queue.SimpleQueue[Entry | tuple[str, WriteHandle] | None]


@dataclass(frozen=True)
class Scope:
    """Whose writes an outbox holds: one service at one URL with one key. The key is never stored: the
    store keeps a salted fingerprint of it, so two clients with the same key share their writes."""

    service: str
    base_url: str
    key: Secret

    def stored(self, salt: str) -> str:
        fingerprint = hashlib.sha256((salt + self.key.reveal()).encode()).hexdigest()[:16]
        return f"{self.service} {self.base_url} {fingerprint}"


# The handles waiting on the entries of one outbox file, shared by every outbox of this process on that
# file: two clients of one service (a re-run `Client.orq()` cell) share the file, so either may deliver a
# write the other queued, and the widget waiting on it must learn the outcome whichever delivered it.
_waiting: dict[str, dict[int, WriteHandle]] = {}
_waiting_lock = threading.Lock()
LEARN_EVERY = 1.0  # seconds between looks at what other processes settled of the writes waited on here


def _waiting_on(path: Path | None) -> dict[int, WriteHandle]:
    if path is None:  # in memory: this outbox's alone
        return {}
    try:
        name = str(path.resolve())
    except OSError:
        name = str(path)
    with _waiting_lock:
        return _waiting.setdefault(name, {})


class Outbox:
    """Stores and delivers the writes of one scope (a service, URL and key): `client.outbox` (the client
    builds it from its scope, retry policy and write kinds); widgets submit through the client."""

    def __init__(
        self,
        scope: Scope,
        policy: RetryPolicy,
        kinds: Mapping[str, WriteKind],
        path: str | Path | None = None,
        *,
        in_memory: bool = False,
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> None:
        """Deliver the writes of `scope` (one service, URL and key), of these `kinds` (each sends through
        its service's requests), retried with `policy`'s delays; stored in `path` (default: the user's
        cache folder) or, `in_memory`, nowhere that outlives the process."""
        self.service = scope.service
        self._kinds = dict(kinds)
        self.path = None if in_memory else Path(path) if path else default_path()
        self._store = OutboxStore(self.path)  # an OutboxUnavailableError saying where and what to do
        self._store.kinds = tuple(kinds)  # entries of other kinds (another version's) are left to their version
        try:
            salt = self._store.salt()
        except sqlite3.Error as error:
            self._store.close()
            raise unavailable(self.path, error) from None
        self.scope = scope.stored(salt)
        self.policy = policy
        # the service's gate knows whether it answers: a write that failed by bad luck is not held back long
        self._delivery = Delivery(self._store, self.scope, policy, scope.key, gate_for(scope.base_url).answering)
        self.concurrency = max(1, concurrency)
        self._handles = _waiting_on(self.path)  # shared with the other outboxes of this process on this file
        self._inflight: set[int] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._settled = threading.Condition()
        self._closed = False
        self.idle_seconds = IDLE_SECONDS
        self._running = False  # the dispatcher and its delivery threads are up (guarded by _lock)
        self._jobs: Jobs = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        with self._lock:
            self._start()  # delivers what an earlier process left, then stops when idle
        _open_outboxes.add(self)
        self._report_leftovers()

    # --- submitting and inspecting --------------------------------------------------------------

    def submit(self, write: Write) -> WriteHandle:
        """Store the write, wake the dispatcher, return its handle. Never waits on the network."""
        if self._closed:
            raise RuntimeError("the outbox is closed")
        if write.kind not in self._kinds:
            raise ValueError(f"{self.service} has no write of kind {write.kind!r}")
        checks.text(write.kind, write.payload)
        with self._lock:
            try:
                seq = self._store.add(self.scope, write.kind, write.key, write.payload, write.expects, write.origin)
            except sqlite3.Error as error:  # a file gone read-only, a full disk, a file damaged since it was opened
                raise unavailable(self.path, error) from None
            handle = self._handles[seq] = WriteHandle(write, seq)
            handle._scope = self.scope
            self._start()
        self._wake.set()
        return handle

    def pending(self) -> list[ListedEntry]:
        """Writes of this service still to be delivered, oldest first (`stale`: older than the bound).
        An entry whose stored payload is damaged is left out (and said in the log): `failed()` lists it
        once the dispatcher has set it aside."""
        found = self._store.entries(self.scope, "queued", known=True)
        damaged = [e for e in found if e["payload"] is None]
        if damaged:
            log.warning("nbwidgets: %d outbox entr(ies) hold a damaged payload and are skipped", len(damaged))
        return [e for e in found if e["payload"] is not None]

    def unknown(self) -> list[ListedEntry]:
        """Writes of this service of a kind this version of nbwidgets does not know (another version sharing
        the cache folder left them): left for that version to deliver; flush() and the threads ignore them."""
        return self._store.entries(self.scope, "queued", known=False)

    def failed(self) -> list[ListedEntry]:
        """Writes the service refused, or that met a conflict (kept for inspection: `discard_failed()`)."""
        return self._store.entries(self.scope, "failed")

    def discard_failed(self) -> int:
        return self._store.discard(self.scope, "failed")

    def stale(self) -> list[StaleWrites]:
        """Writes of any service in this outbox, older than NBWIDGETS_OUTBOX_MAX_AGE_DAYS (default 7)
        and claimed by no process: most likely nobody will deliver them (a service or key gone)."""
        return self._store.stale(max_age_days() * 86400)

    def retry_now(self) -> None:
        """Try every write that is waiting out a backoff again at once."""
        self._store.retry_now(self.scope)
        with self._lock:
            self._start()
        self._wake.set()

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every queued write of this service is delivered, refused or in conflict, and
        its widgets show it. False on timeout (they stay queued)."""
        checks.timeout("timeout", timeout)
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            if self._store.count_queued(self.scope):
                self._start()  # writes another process left while this one was idle are ours too
        self._wake.set()
        with self._settled:
            while self._store.count_queued(self.scope) or self._delivering():
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._settled.wait(0.05 if remaining is None else min(0.05, remaining))
        return True

    def _delivering(self) -> bool:
        with self._lock:
            return bool(self._inflight)

    def close(self, timeout: float = 5.0) -> None:
        """Stop delivering. What is still queued stays for the next client of this service."""
        if self._closed:
            return
        with self._lock:
            self._closed = True
            threads, self._running = self._threads, False
            for _ in range(self.concurrency):
                self._jobs.put(None)
        self._wake.set()
        deadline = time.monotonic() + timeout
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        with self._lock:
            self._store.release()
            self._store.close()
        _open_outboxes.discard(self)

    def _report_leftovers(self) -> None:
        """Say in the log what this outbox holds that nobody here delivers: writes of a kind this version
        does not know (another version's), and writes older than the bound that no process delivers."""
        where = self.path or "in memory"
        try:
            unknown = self.unknown()
        except Exception:
            unknown = []
        if unknown:
            kinds = ", ".join(sorted({e["kind"] for e in unknown}))
            log.warning(
                "nbwidgets: the outbox %s holds %d write(s) of a kind this version does not know (%s), left for the "
                "nbwidgets version that made them; see client.outbox.unknown()",
                *(where, len(unknown), kinds),
            )
        old = self.stale()
        if old:
            services = ", ".join(sorted({item["service"] for item in old}))
            log.warning(
                "nbwidgets: the outbox %s holds %d write(s) older than %g days that no process delivers "
                "(%s); see client.outbox.stale()",
                *(where, sum(item["count"] for item in old), max_age_days(), services),
            )

    # --- the dispatcher and the delivery threads ------------------------------------------------

    def _start(self) -> None:
        """Start the dispatcher and its delivery threads unless they run. Called with `_lock` held, as is
        the dispatcher's decision to stop: a write stored meanwhile is either seen by it or starts it."""
        if self._running or self._closed:
            return
        self._running = True
        # a fresh queue per start: delivery threads of a stopped round take their stop signal from theirs
        jobs = self._jobs = queue.SimpleQueue()
        # daemon threads: a script never waits for a delivery at exit; what is left stays in the outbox
        self._threads = [threading.Thread(target=self._dispatch, args=(jobs,), name="nbwidgets-outbox", daemon=True)]
        self._threads += [
            threading.Thread(target=self._work, args=(jobs,), name=f"nbwidgets-outbox-{i}", daemon=True)
            for i in range(self.concurrency)
        ]
        for thread in self._threads:
            thread.start()

    def _stop_if_idle(self, jobs: Jobs, idle_since: float) -> bool:
        """Stop the threads when nothing of this service is queued or in flight and has not been for
        `idle_seconds`: True when stopped. `idle_since` is when the dispatcher last saw nothing to do."""
        with self._lock:
            if self._inflight or time.monotonic() - idle_since < self.idle_seconds:
                return False
            try:
                if self._store.count_queued(self.scope) or self._waited_on():
                    return False
            except Exception:  # a locked database: keep going, look again later
                return False
            self._running = False
            for _ in range(self.concurrency):
                jobs.put(None)
            return True

    def _dispatch(self, jobs: Jobs) -> None:
        reaped = renewed = learned = 0.0
        idle_since: float | None = None
        while not self._closed:
            now = time.monotonic()
            try:
                if now - reaped > 5:
                    self._store.reap_dead_owners(self.scope)
                    reaped = now
                if now - learned > LEARN_EVERY:
                    learned = now
                    for job in self._settled_elsewhere():
                        jobs.put(job)
                with self._lock:
                    inflight = list(self._inflight)
                if inflight and now - renewed > self._store.lease_seconds / 4:
                    self._store.renew(inflight)
                    renewed = now
                free = self.concurrency - len(inflight)
                claimed = self._store.claim(self.scope, free) if free > 0 else []
            except Exception:  # a locked or closed database: try again shortly
                if self._closed:
                    return
                log.debug("outbox dispatch failed", exc_info=True)
                claimed = []
            for entry in claimed:
                with self._lock:
                    self._inflight.add(entry.seq)
                jobs.put(entry)
            if claimed:
                idle_since = None
                continue
            with self._settled:
                self._settled.notify_all()
            try:
                busy = bool(inflight) or self._store.count_queued(self.scope) > 0 or bool(self._waited_on())
            except Exception:
                busy = True
            if busy:
                idle_since = None
            elif idle_since is None:
                idle_since = now
            elif self._stop_if_idle(jobs, idle_since):
                return
            self._wake.wait(self._wait_time() if busy else min(self._wait_time(), self.idle_seconds))
            self._wake.clear()

    def _waited_on(self) -> list[WriteHandle]:
        """Handles of this scope that this process waits on and delivers nowhere now."""
        return [
            h for h in list(self._handles.values()) if h._scope == self.scope and not h._delivering and not h.done()
        ]

    def _settled_elsewhere(self) -> list[tuple[str, WriteHandle]]:
        """Writes waited on here that another process settled (their entry is gone or failed): jobs that
        tell their handles. Deliveries in this process settle their handles themselves (shared registry)."""
        waiting = self._waited_on()
        if not waiting:
            return []
        found = self._store.states([h.seq for h in waiting])
        jobs: list[tuple[str, WriteHandle]] = []
        for handle in waiting:
            if handle._delivering or handle.done():  # a delivery of this process got to it meanwhile
                continue
            state = found.get(handle.seq)
            if state is None:
                jobs.append(("saved", handle))
            elif state[0] == "failed":
                jobs.append(("failed", handle))
        return jobs

    def _learn(self, outcome: str, handle: WriteHandle) -> None:
        """Tell a handle how another process settled its write: saved (with what the service holds now,
        read once) or failed (with the reason that process stored)."""
        with _waiting_lock:
            if handle._delivering or handle.done():
                return
            handle._delivering += 1
        try:
            learned = self._delivery.learned(outcome, self._kinds.get(handle.write.kind), handle)
            if learned is not None and learned.state is not None:  # None: asked again at the next look
                handle._settle(learned.state, learned.answer, learned.error)
                self._forget(handle.seq)
        finally:
            with _waiting_lock:
                handle._delivering -= 1

    def _wait_time(self) -> float:
        try:
            due = self._store.next_due(self.scope)
        except Exception:
            return 0.5
        wait = 1.0 if due is None else max(0.01, min(1.0, due - time.time()))
        if self._waited_on():
            wait = min(wait, LEARN_EVERY)
        with self._lock:
            if self._inflight:  # wake in time to renew the leases of what is being delivered
                wait = min(wait, self._store.lease_seconds / 4)
        return wait

    def _work(self, jobs: Jobs) -> None:
        while True:
            entry = jobs.get()
            if entry is None or self._closed:
                return
            if isinstance(entry, tuple):  # ("saved" | "failed", handle): settled by another process
                try:
                    self._learn(*entry)
                except Exception:
                    log.debug("learning a write's outcome failed", exc_info=True)
                continue
            try:
                self._deliver(entry)
            except Exception:  # never lose the thread; the entry's lease runs out and it is tried again
                if not self._closed:
                    log.exception("outbox delivery failed")
            finally:
                with self._lock:
                    self._inflight.discard(entry.seq)
                self._wake.set()

    def _deliver(self, entry: Entry) -> None:
        handle = self._handles.get(entry.seq)
        if handle is not None:
            with _waiting_lock:
                handle._delivering += 1
        try:
            self._deliver_one(entry, handle)
        finally:
            if handle is not None:
                with _waiting_lock:
                    handle._delivering -= 1

    def _deliver_one(self, entry: Entry, handle: WriteHandle | None) -> None:
        kind = self._kinds.get(entry.kind)
        if kind is None:  # not claimed by this version (store.kinds); should one get here, leave it be
            self._store.later(entry.seq, 0, entry.kind)
            return
        if handle is not None:
            handle.attempts = entry.attempts
            handle._changed("sending", handle.error)
        outcome = self._delivery.attempt(kind, entry, handle)
        if outcome.state is None:  # the lease was lost: another process delivers it
            return
        if outcome.state == "queued":
            if self._closed:
                return
            self._store.later(entry.seq, outcome.delay, str(outcome.error))
            if handle is not None:
                handle._changed("queued", outcome.error)
            return
        if outcome.state != "saved":  # conflict or failed: final
            self._final(entry, handle, outcome.state, outcome.error or RuntimeError(outcome.state))
            return
        self._store.done(entry.seq, self.scope, entry.key, kind.token(outcome.answer), entry.origin)
        if handle is not None:
            handle._settle("saved", outcome.answer)
        self._forget(entry.seq)
        self._wake.set()

    def _final(self, entry: Entry, handle: WriteHandle | None, state: State, error: BaseException) -> None:
        self._store.fail(entry.seq, str(error))
        if handle is not None:
            handle._settle(state, error=error)
        self._forget(entry.seq)

    def _forget(self, seq: int) -> None:
        with self._lock:
            self._handles.pop(seq, None)
        with self._settled:
            self._settled.notify_all()


_open_outboxes: weakref.WeakSet[Outbox] = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    # give the leases back so the next process can deliver at once; never wait long for the network
    for outbox in list(_open_outboxes):
        try:
            outbox.close(timeout=1.0)
        except Exception:
            pass
