"""The one write path: every change the widgets make (datapoint edits, feedback, evaluator saves).

Where each part lives: this module holds what a write is (`Write`, the `WriteKind` a service defines for
it, the `WriteHandle` a widget follows); `outbox.py` the `Outbox` (storing, leasing, the delivery threads);
`delivery.py` one delivery attempt and what each outcome means (the decision table); `outbox_store.py` the
SQLite file; `orq_writes.py` and `overmind_writes.py` each service's kinds, one small class per kind.

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
   - when it expects a version token and finds another, that is a **conflict** (a stale base) unless
     the token is one that earlier writes of the same origin (the widget that made it) left on that
     key: so quick edits of one row in one grid chain (each edit's base is the previous edit's result,
     and none is refused as a conflict with the one before it), while a second grid showing that row as
     it was before is told of the change (a conflict), not allowed to overwrite it;
   - otherwise the write is sent.
4. **saved | conflict | failed.** A 5xx, a 429 or a dropped connection: back to *queued* with the error
   on the handle (widgets show "retrying"), tried again after the policy's delay, for as long as it
   takes. A refusal (4xx, a 409 included) is *failed*, final, with the service's reason; a conflict
   ends with the service's value on the handle (`handle.current`) and a `StaleBaseConflict` (a
   `ConflictError`). An exception nobody expected (a bug) is logged with its traceback and is *failed*
   with a sentence saying so. Success is *saved*, with the service's answer as the handle's result.

Callbacks run before the Future resolves, so when `result()` returns, every widget already shows it.
A process that exits leaves its pending writes in the outbox; the next client for the same service
(URL and key) delivers them.

The outbox's threads run only while it has work: a few seconds after the last write settles they
stop, and the next write starts them again. So a client left behind (a re-run cell made a new one)
holds no threads and polls nothing, and is freed with its widgets.
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from . import checks
from .errors import ConflictError, NbwidgetsError

log = logging.getLogger("nbwidgets.client")

State = Literal["queued", "sending", "saved", "conflict", "failed"]


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


class SettledElsewhere(NbwidgetsError):
    """A write that another client or process delivered, and the service refused (its reason is in the text)."""


class StaleBaseConflict(ConflictError):
    """The write's base is stale: what the service holds changed since the caller loaded it (by someone
    else), so the write was not sent. Nothing was refused (`status` is None); what the service holds now
    is the error's `body` and the handle's `current`. A 409 the service answers is a `ConflictError`."""
