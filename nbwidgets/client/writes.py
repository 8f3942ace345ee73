"""The one write path: every change the widgets make (datapoint edits, feedback, evaluator saves).

The life of a write
-------------------
1. **queued.** `client.outbox.submit(Write(kind, key, payload, expects))` stores the write (on disk,
   or in memory for a sandbox that dies with the process) and returns a `WriteHandle` at once: a
   `concurrent.futures.Future` with a `state` and `on_change` callbacks. Nobody blocks on it: widgets
   follow it through callbacks; a caller who wants the answer calls `handle.result(timeout)`.
2. **sending.** The outbox's dispatcher leases due writes (at most `concurrency` at once, one per key;
   writes with the same key go in the order they were queued) and hands each to a delivery thread.
   The lease is renewed while the delivery is in flight and checked right before the request, so two
   processes never send one entry.
3. **An attempt** is at most one read and one send, each a single request (the outbox does the
   retrying, with the transport's `RetryPolicy.delay`, so there is one backoff formula and no retry
   loop inside another):
   - a kind that reads first (a datapoint edit), or a write that expects something (its conflict
     base), or a non-idempotent write after an earlier attempt that may have landed (an evaluator
     save with a version bump), first reads what the service holds now;
   - when the service already holds what the write sends, the write has landed (its own earlier
     attempt, whose answer was lost): **saved**, nothing is sent again. So one Save makes at most one
     new version, whatever the network does;
   - when it expects a version token and finds another, that is a **conflict** unless the token is one
     that earlier writes of the same origin (the widget that made it) left on that key: so quick edits
     of one row in one grid chain (each edit's base is the previous edit's result, and none is refused
     as a conflict with the one before it), while a second grid showing that row as it was before is
     told of the change (a conflict), not allowed to overwrite it;
   - otherwise the write is sent.
4. **saved | conflict | failed.** A 5xx, a 429 or a dropped connection: back to *queued* with the error
   on the handle (widgets show "retrying"), tried again after the policy's delay, for as long as it
   takes. A refusal (4xx) is *failed*, final, with the service's reason; a conflict ends with the
   service's value on the handle (`handle.current`) and a `ConflictError`. Success is *saved*, with
   the service's answer as the handle's result.

Callbacks run before the Future resolves, so when `result()` returns, every widget already shows it.
A process that exits leaves its pending writes in the outbox; the next client for the same service
(URL and key) delivers them.

The outbox's threads run only while it has work: a few seconds after the last write settles they
stop, and the next write starts them again. So a client left behind (a re-run cell made a new one)
holds no threads and polls nothing, and is freed with its widgets.
"""

from __future__ import annotations

import atexit
import concurrent.futures
import hashlib
import logging
import queue
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from . import checks
from .errors import ConflictError, NbwidgetsError, NotFoundError, RateLimitedError, ServerError, TransportError
from .outbox import OutboxStore, default_path, max_age_days, unavailable

if TYPE_CHECKING:
    from .base import Client

log = logging.getLogger("nbwidgets.client")

State = Literal["queued", "sending", "saved", "conflict", "failed"]
DEFAULT_CONCURRENCY = 8  # deliveries in flight at once, each on its own key
IDLE_SECONDS = 3.0  # an outbox with nothing queued or in flight for this long stops its threads
RETRYABLE = (ServerError, TransportError, RateLimitedError)


@dataclass(frozen=True)
class Write:
    """One change, as a value: what kind, on which key (order is kept per key), what it sends, what
    it expects to find on the service (a version token: its conflict base), if anything, and who makes
    it (`origin`: writes of one origin on one key chain; see the life of a write above)."""

    kind: str
    key: str
    payload: dict[str, Any]
    expects: str | None = None
    origin: str = ""


class WriteKind:
    """How one kind of write talks to its service: a small class per kind, made by the service's client
    (`orq_writes.py`, `overmind_writes.py`) around what sends its requests. The outbox asks it only these
    questions (see the life of a write above); each `send` and `read` is a single request."""

    name: ClassVar[str] = ""  # the kind's name in the outbox ("datapoint.update"): stored with each entry
    reads: ClassVar[bool] = False  # it can read what the service holds now (`read`)
    read_first: ClassVar[bool] = False  # read before every attempt (the previous value is worth knowing)
    gone_means_landed: ClassVar[bool] = False  # a 404 after an earlier attempt: that attempt landed (a removal)
    # a non-idempotent write that needs to know something before its first send (a bulk create: the
    # dataset's newest datapoint, so a lost answer can be verified): `prepare` returns the payload with it
    # and `"prepared": True`; stored before the send, so every later attempt verifies against it
    prepares: ClassVar[bool] = False

    def send(self, payload: dict[str, Any]) -> Any:
        """One request: the write itself; returns the service's answer."""
        raise NotImplementedError

    def read(self, payload: dict[str, Any]) -> Any:
        """One request: what the service holds now (only for a kind that `reads`)."""
        raise NotImplementedError

    def holds(self, payload: dict[str, Any], current: Any) -> bool:
        """Does the service already hold what this write sends (`current`: what `read` found)?"""
        return False

    def token(self, current: Any) -> str | None:
        """The version token of what was read or answered (None: the kind keeps no version)."""
        return None

    def idempotent(self, payload: dict[str, Any]) -> bool:
        """May it be sent again blind (after an attempt that may have landed)?"""
        return True

    def describe(self, payload: dict[str, Any]) -> tuple[str, str]:
        """The method and route it sends (for the words of a conflict)."""
        return "POST", ""

    def prepare(self, payload: dict[str, Any]) -> dict[str, Any]:
        """The payload with what must be known before the first send (only for a kind that `prepares`)."""
        return payload


class WriteHandle(concurrent.futures.Future):  # type: ignore[type-arg]
    """A queued write's progress: `state`, `attempts`, the last `error` (while retrying), the value
    the service held before it (`before`, when read) or on a conflict (`current`), and its result."""

    def __init__(self, write: Write, seq: int) -> None:
        super().__init__()
        self.write = write
        self.seq = seq
        self.opened_at = time.monotonic()  # when it was queued: a write open a moment is not news yet
        self.state: State = "queued"
        self.attempts = 0
        self.error: BaseException | None = None
        self.before: Any = None
        self.current: Any = None
        self.value: Any = None  # the service's answer once saved (listeners read it before result() returns)
        self._listeners: list[Callable[[WriteHandle], None]] = []
        self._listen_lock = threading.Lock()
        self._scope = ""  # the outbox scope it was stored in (set by the outbox)
        self._delivering = 0  # deliveries of it in flight in this process (any outbox on its file)

    def on_change(self, listener: Callable[[WriteHandle], None]) -> WriteHandle:
        """Call `listener(handle)` now and on every change of state (also for a write already settled)."""
        checks.callable_("listener", listener)
        with self._listen_lock:
            self._listeners.append(listener)
        _call(listener, self)
        return self

    def _changed(self, state: State, error: BaseException | None = None) -> None:
        with self._listen_lock:
            self.state, self.error = state, error
            listeners = list(self._listeners)
        for listener in listeners:
            _call(listener, self)

    def _settle(self, state: State, result: Any = None, error: BaseException | None = None) -> None:
        with self._listen_lock:
            if self._settling:  # settled already (another outbox of this process learned it first)
                return
            self._settling = True
        self.value = result
        self._changed(state, error)  # the widgets first: when result() returns, the screen shows it
        if error is not None:
            self.set_exception(error)
        else:
            self.set_result(result)

    _settling = False

    def result(self, timeout: float | None = None) -> Any:
        """The service's answer once saved; the write's error if it failed or met a conflict. A
        `WriteTimeoutError` (a TimeoutError) saying what it waited for when `timeout` passes first: the
        write stays queued and is delivered when the service answers."""
        checks.timeout("timeout", timeout)
        try:
            return super().result(timeout)
        except concurrent.futures.TimeoutError as error:
            if self.done():
                if self.exception(0) is error:  # the write's own error (a TimeoutError of its own)
                    raise
                return super().result(0)  # settled just as the wait ran out: what it gave, not the wait's bare error
            last = f"; the last try: {self.error}" if self.error is not None else ""
            raise WriteTimeoutError(
                f"The write ({self.write.kind} of {self.write.key}) was not settled within {timeout:g} s: it is "
                f"still {self.state} after {self.attempts} attempt(s){last}. It stays in the outbox and is "
                "delivered when the service answers."
            ) from None

    def __repr__(self) -> str:
        return f"<WriteHandle {self.write.kind} {self.write.key} {self.state}>"


class WriteTimeoutError(NbwidgetsError, TimeoutError):
    """A wait for a write ran out (the write itself goes on)."""


def _call(listener: Callable[[WriteHandle], None], handle: WriteHandle) -> None:
    try:
        listener(handle)
    except Exception:  # a widget's listener must not stop a delivery
        log.exception("a write listener failed")


class _Landed(Exception):
    """The service already holds what the write sends."""

    def __init__(self, current: Any) -> None:
        self.current = current


class _LeaseLost(Exception):
    """Another process took the entry over: it is theirs to send."""


class SettledElsewhere(NbwidgetsError):
    """A write that another client or process delivered, and the service refused (its reason is in the text)."""


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
    """Stores and delivers one client's writes. `client.outbox`; widgets submit through the client."""

    def __init__(
        self,
        client: Client,
        kinds: dict[str, WriteKind],
        path: str | Path | None = None,
        *,
        in_memory: bool = False,
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> None:
        self._client = client
        self._kinds = kinds
        self.path = None if in_memory else Path(path) if path else default_path()
        self._store = OutboxStore(self.path)  # an OutboxUnavailableError saying where and what to do
        self._store.kinds = tuple(kinds)  # entries of other kinds (another version's) are left to their version
        try:
            salt = self._store.salt()
        except sqlite3.Error as error:
            self._store.close()
            raise unavailable(self.path, error) from None
        fingerprint = hashlib.sha256((salt + client._key.reveal()).encode()).hexdigest()[:16]
        self.scope = f"{client.service} {client.base_url} {fingerprint}"
        self.policy = client._transport.retry
        self.concurrency = max(1, concurrency)
        self._handles = _waiting_on(self.path)  # shared with the other outboxes of this process on this file
        self._inflight: set[int] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._settled = threading.Condition()
        self._closed = False
        self.idle_seconds = IDLE_SECONDS
        self._running = False  # the dispatcher and its delivery threads are up (guarded by _lock)
        self._jobs: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        with self._lock:
            self._start()  # delivers what an earlier process left, then stops when idle
        _open_outboxes.add(self)
        self._report_stale()
        self._report_unknown()

    # --- submitting and inspecting --------------------------------------------------------------

    def submit(self, write: Write) -> WriteHandle:
        """Store the write, wake the dispatcher, return its handle. Never waits on the network."""
        if self._closed:
            raise RuntimeError("the outbox is closed")
        if write.kind not in self._kinds:
            raise ValueError(f"{self._client.service} has no write of kind {write.kind!r}")
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

    def pending(self) -> list[dict[str, Any]]:
        """Writes of this service still to be delivered, oldest first (`stale`: older than the bound).
        An entry whose stored payload is damaged is left out (and said in the log): `failed()` lists it
        once the dispatcher has set it aside."""
        found = self._store.entries(self.scope, "queued", known=True)
        damaged = [e for e in found if e["payload"] is None]
        if damaged:
            log.warning("nbwidgets: %d outbox entr(ies) hold a damaged payload and are skipped", len(damaged))
        return [e for e in found if e["payload"] is not None]

    def unknown(self) -> list[dict[str, Any]]:
        """Writes of this service of a kind this version of nbwidgets does not know (another version sharing
        the cache folder left them): left for that version to deliver; flush() and the threads ignore them."""
        return self._store.entries(self.scope, "queued", known=False)

    def failed(self) -> list[dict[str, Any]]:
        """Writes the service refused, or that met a conflict (kept for inspection: `discard_failed()`)."""
        return self._store.entries(self.scope, "failed")

    def discard_failed(self) -> int:
        return self._store.discard(self.scope, "failed")

    def stale(self) -> list[dict[str, Any]]:
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

    def _report_unknown(self) -> None:
        try:
            unknown = self.unknown()
        except Exception:
            return
        if unknown:
            kinds = ", ".join(sorted({e["kind"] for e in unknown}))
            log.warning(
                "nbwidgets: the outbox %s holds %d write(s) of a kind this version does not know (%s), left for the "
                "nbwidgets version that made them; see client.outbox.unknown()",
                self.path or "in memory",
                len(unknown),
                kinds,
            )

    def _report_stale(self) -> None:
        old = self.stale()
        if old:
            count = sum(item["count"] for item in old)
            services = ", ".join(sorted({item["service"] for item in old}))
            log.warning(
                "nbwidgets: the outbox %s holds %d write(s) older than %g days that no process delivers "
                "(%s); see client.outbox.stale()",
                self.path or "in memory",
                count,
                max_age_days(),
                services,
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

    def _stop_if_idle(self, jobs: queue.SimpleQueue[Any], idle_since: float) -> bool:
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

    def _dispatch(self, jobs: queue.SimpleQueue[Any]) -> None:
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
            if outcome == "failed":
                reason = (self._store.states([handle.seq]).get(handle.seq) or ("failed", ""))[1] or "refused"
                error = SettledElsewhere(
                    f"Another nbwidgets client delivered this write and the service refused it: {reason}"
                )
                handle._settle("failed", error=error)
            else:
                kind = self._kinds.get(handle.write.kind)
                current = None
                if kind is not None and kind.reads:
                    try:
                        current = kind.read(handle.write.payload)
                    except RETRYABLE:
                        return  # asked again at the next look
                    except Exception:
                        current = None
                handle._settle("saved", current)
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

    def _work(self, jobs: queue.SimpleQueue[Any]) -> None:
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

    def _deliver(self, entry: Any) -> None:
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

    def _deliver_one(self, entry: Any, handle: WriteHandle | None) -> None:
        kind = self._kinds.get(entry.kind)
        if kind is None:  # not claimed by this version (store.kinds); should one get here, leave it be
            self._store.later(entry.seq, 0, entry.kind)
            return
        if handle is not None:
            handle.attempts = entry.attempts
            handle._changed("sending", handle.error)
        try:
            answer = self._attempt(kind, entry, handle)
        except _Landed as landed:
            answer = landed.current
        except _LeaseLost:
            return
        except ConflictError as error:
            if error.status is not None:  # the service said 409: a refusal like any other
                self._final(entry, handle, "failed", error)
                return
            self._final(entry, handle, "conflict", error)
            return
        except RETRYABLE as error:
            if self._closed:
                return
            delay = self.policy.delay(entry.attempts - 1, getattr(error, "retry_after", None))
            self._store.later(entry.seq, delay, str(error))
            if handle is not None:
                handle._changed("queued", error)
            return
        except Exception as error:  # refused by the service, or by our own checks: final
            self._final(entry, handle, "failed", error)
            return
        self._store.done(entry.seq, self.scope, entry.key, kind.token(answer), entry.origin)
        if handle is not None:
            handle._settle("saved", answer)
        self._forget(entry.seq)
        self._wake.set()

    def _attempt(self, kind: WriteKind, entry: Any, handle: WriteHandle | None) -> Any:
        payload = entry.payload
        may_have_landed = entry.attempts > 1
        if kind.prepares and not payload.get("prepared"):
            # nothing of it was sent yet (the prepared payload is stored before any send): prepare, store, send
            payload = entry.payload = kind.prepare(payload)
            self._store.rewrite(entry.seq, payload)
            may_have_landed = False
        if kind.reads and (
            kind.read_first or entry.expects is not None or (may_have_landed and not kind.idempotent(payload))
        ):
            current = kind.read(payload)
            if handle is not None and handle.before is None:
                handle.before = current
            if kind.holds(payload, current):
                raise _Landed(current)
            found = kind.token(current)
            changed = entry.expects is not None and found != entry.expects
            if changed and found not in self._store.own_tokens(self.scope, entry.key, entry.origin):
                if handle is not None:
                    handle.current = current
                method, route = kind.describe(payload)
                raise ConflictError(
                    "This changed on the service since it was loaded (by someone else).",
                    method=method,
                    route=route,
                    status=None,
                    body=current.to_wire() if hasattr(current, "to_wire") else current,
                )
        if self._store.renew([entry.seq]) != {entry.seq}:
            raise _LeaseLost()
        try:
            return kind.send(payload)
        except NotFoundError:
            if kind.gone_means_landed and may_have_landed:
                return None
            raise

    def _final(self, entry: Any, handle: WriteHandle | None, state: State, error: BaseException) -> None:
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
