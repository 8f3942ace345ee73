"""One delivery of one outbox entry, and what its outcome means: the write path's decision table.

`Delivery.attempt(kind, entry, handle)` makes one attempt (at most one read and one send: see the life of
a write in `writes.py`) and returns an `Outcome`; the outbox acts on it (stores it, settles the handle,
schedules the next try). It starts no thread and knows no client: tests give it fake kinds and an
in-memory store (tests/unit/test_delivery.py).

    what the attempt met                                   state      what happens next
    the send answered                                      saved      entry gone, its token kept, handle settled
    the read found the write already held (answer lost)    saved      nothing is sent again
    a removal's 404 after an earlier attempt               saved      that attempt removed it
    the read found a token it did not expect, not one      conflict   a StaleBaseConflict; handle.current is
      that writes of its origin left (a stale base)                   what the service holds; nothing sent
    a refusal (4xx, a 409 too) or our own checks           failed     kept for inspection (outbox.failed())
    a 5xx, a 429 or a dropped connection                   queued     tried again after the policy's delay
                                                                      (the service's Retry-After wins)
    the lease was lost before the send                     (none)     another process delivers it; nothing sent
    an exception nobody expected (a bug)                   failed     its traceback logged (the key scrubbed),
                                                                      a sentence on the handle
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError as PydanticValidationError

from .errors import NbwidgetsError, NotFoundError, RateLimitedError, ServerError, TransportError
from .outbox_store import Entry, OutboxStore
from .transport import RetryPolicy, Secret, scrub
from .writes import SettledElsewhere, StaleBaseConflict, State, WriteHandle, WriteKind

log = logging.getLogger(__name__)

RETRYABLE = (ServerError, TransportError, RateLimitedError)


@dataclass(frozen=True)
class Outcome:
    """What one attempt came to. `state` None: not this attempt's to settle (the lease was lost)."""

    state: State | None
    answer: Any = None  # saved: the service's answer (or what it held, for a write that had landed)
    error: BaseException | None = None  # conflict, failed, queued: why
    delay: float = 0.0  # queued: seconds before the next attempt


class DeliveryError(NbwidgetsError):
    """A delivery met an exception nobody expected (a bug in nbwidgets): the write is failed, kept for
    inspection in `outbox.failed()`, and the traceback is in the log (logger `nbwidgets.client.delivery`)."""


class _Landed(Exception):
    """The service already holds what the write sends."""

    def __init__(self, current: Any) -> None:
        self.current = current


class _LeaseLost(Exception):
    """Another process took the entry over: it is theirs to send."""


class Delivery:
    """Attempts the entries of one outbox scope (`scope`, as stored) against `store`, with `policy`'s
    delays; `secret` (the key) is scrubbed from what it logs. `answering()`: is the service answering other
    requests (then a failed try was bad luck, and its backoff stays short: `RetryPolicy.queued_delay`)?"""

    def __init__(
        self,
        store: OutboxStore,
        scope: str,
        policy: RetryPolicy,
        secret: Secret | None = None,
        answering: Callable[[], bool] = lambda: False,
    ) -> None:
        self.store = store
        self.scope = scope
        self.policy = policy
        self.secret = secret
        self.answering = answering

    def attempt(self, kind: WriteKind, entry: Entry, handle: WriteHandle | None) -> Outcome:
        """One attempt of `entry` (its `attempts` counts this one), told as an Outcome; never raises for
        what the service or the kind does."""
        try:
            answer = self._attempt(kind, entry, handle)
        except _Landed as landed:
            answer = landed.current
        except _LeaseLost:
            return Outcome(None)
        except StaleBaseConflict as error:
            return Outcome("conflict", error=error)
        except RETRYABLE as error:
            retry_after = getattr(error, "retry_after", None)
            delay = self.policy.queued_delay(entry.attempts - 1, retry_after, self.answering())
            return Outcome("queued", error=error, delay=delay)
        except PydanticValidationError as error:  # an answer we cannot read: not a refusal, a surprise
            return Outcome("failed", error=self._unexpected(kind, entry, error))
        except (NbwidgetsError, ValueError, TypeError) as error:  # refused by the service (a 409 too), or by our checks
            return Outcome("failed", error=error)
        except Exception as error:
            return Outcome("failed", error=self._unexpected(kind, entry, error))
        return Outcome("saved", answer=answer)

    def learned(self, outcome: str, kind: WriteKind | None, handle: WriteHandle) -> Outcome | None:
        """How another process settled a write waited on here: failed (with the reason it stored) or saved
        (with what the service holds now, read once). None: the read met a retryable error; ask again."""
        if outcome == "failed":
            reason = (self.store.states([handle.seq]).get(handle.seq) or ("failed", ""))[1] or "refused"
            error = SettledElsewhere(
                f"Another nbwidgets client delivered this write and the service refused it: {reason}"
            )
            return Outcome("failed", error=error)
        current = None
        if kind is not None and kind.reads:
            try:
                current = kind.read(handle.write.payload)
            except RETRYABLE:
                return None
            except Exception:
                current = None
        return Outcome("saved", answer=current)

    def _attempt(self, kind: WriteKind, entry: Entry, handle: WriteHandle | None) -> Any:
        payload = entry.payload
        may_have_landed = entry.attempts > 1
        if kind.prepares and not payload.get("prepared"):
            # nothing of it was sent yet (the prepared payload is stored before any send): prepare, store, send
            payload = entry.payload = kind.prepare(payload)
            self.store.rewrite(entry.seq, payload)
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
            if changed and found not in self.store.own_tokens(self.scope, entry.key, entry.origin):
                if handle is not None:
                    handle.current = current
                method, route = kind.describe(payload)
                raise StaleBaseConflict(
                    "This changed on the service since it was loaded (by someone else).",
                    method=method,
                    route=route,
                    status=None,
                    body=current.to_wire() if hasattr(current, "to_wire") else current,
                )
        if self.store.renew([entry.seq]) != {entry.seq}:
            raise _LeaseLost()
        try:
            return kind.send(payload)
        except NotFoundError:
            if kind.gone_means_landed and may_have_landed:
                return None
            raise

    def _unexpected(self, kind: WriteKind, entry: Entry, error: Exception) -> DeliveryError:
        """Log the traceback (the key scrubbed) and say it in a sentence."""
        text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        log.error(
            "nbwidgets: delivering a write (%s of %s, attempt %d) failed unexpectedly:\n%s",
            entry.kind,
            entry.key,
            entry.attempts,
            scrub(text, self.secret),
        )
        said = scrub(f"{type(error).__name__}: {error}" if str(error) else type(error).__name__, self.secret)
        failure = DeliveryError(
            f"The write ({kind.name or entry.kind} of {entry.key}) could not be delivered: an unexpected {said} "
            "(a bug in nbwidgets; the traceback is in the log). It is kept in client.outbox.failed()."
        )
        failure.__cause__ = error
        return failure
