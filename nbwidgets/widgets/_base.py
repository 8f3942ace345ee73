"""What every widget shares: the front end's request/response protocol, background reads, and
how a write's state is shown.

The front end sends intents as custom messages `{"type": ..., "id": ...}`; each is answered with the
same id, `{"id", "ok": true, ...}` or `{"id", "ok": false, "error": ...}`, so the front end can tie a
result to its request. Slow reads (HTTP) run on one small shared pool, never on the kernel's thread,
so the kernel stays responsive and the widget shows a loading state meanwhile. Writes never occupy
that pool: they go to the client's outbox (client/writes.py), and `WriteStatuses` turns each write's
state into the status a widget shows, the same way for every widget.
"""

from __future__ import annotations

import logging
import pathlib
import threading
import time
import uuid
import weakref
from collections.abc import Callable
from typing import Any

import anywidget
import traitlets

from ..client import Client, RequestFailedError
from ..client import errors as api
from ..client.base import SETTLED, Service
from ..client.checks import segment
from ..client.writes import WriteHandle
from ._contract import Described, PendingItem, PendingWrites, WriteStatus, plain

log = logging.getLogger("nbwidgets.widgets")
STATIC = pathlib.Path(__file__).resolve().parent.parent / "static"


MAX_PENDING_SHOWN = 50  # a widget lists at most this many of its client's pending writes (the count is whole)
# A write that settles within a moment (a quick save) is not announced at all: one still on its first try
# is listed once it has been open this long (the front end waits the rest of the 0.8 s before showing the
# count, js/shared/pending.js SHOW_AFTER_MS). A quick edit so sends no pending list over the comm.
ANNOUNCE_AFTER_S = 0.3


class _Later:
    """Calls made a moment later, for every widget on one thread (not a timer thread per widget): the pending
    lists' announcements. The thread starts with the first call and ends when nothing is due for a while."""

    def __init__(self) -> None:
        self._due: dict[Callable[[], None], float] = {}
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def call(self, fn: Callable[[], None], delay: float) -> None:
        at = time.monotonic() + delay
        with self._wake:
            self._due[fn] = min(at, self._due.get(fn, at))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="nbwidgets-later", daemon=True)
                self._thread.start()
            self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                if not self._due:
                    self._wake.wait(5.0)
                    if not self._due:
                        self._thread = None
                        return
                    continue
                fn, at = min(self._due.items(), key=lambda item: item[1])
                wait = at - time.monotonic()
                if wait > 0:
                    self._wake.wait(wait)
                    continue
                del self._due[fn]
            try:
                fn()
            except Exception:
                log.exception("a widget's delayed update failed")


_later = _Later()
PENDING_COALESCE_S = 0.1  # a widget's pending list follows its client's writes this long after a change


_pending_views: weakref.WeakKeyDictionary[Client, tuple[int, float, list[WriteHandle], float | None]] = (
    weakref.WeakKeyDictionary()
)
_pending_views_lock = threading.Lock()


def _pending_on(client: Client) -> tuple[list[WriteHandle], float | None]:
    """The client's open writes worth listing (retrying, or open longer than ANNOUNCE_AFTER_S), oldest first,
    and the seconds until the next young one is; made once per change and moment for every widget on the
    client (a thousand widgets do not each sort a thousand writes on every change of one)."""
    now = time.monotonic()
    changes = client.write_changes
    with _pending_views_lock:
        cached = _pending_views.get(client)
        if cached is not None and cached[0] == changes and now - cached[1] < PENDING_COALESCE_S / 2:
            return cached[2], cached[3]
    shown: list[WriteHandle] = []
    wait: float | None = None
    for handle in client.open_writes():
        if handle.state in SETTLED:
            continue
        young = ANNOUNCE_AFTER_S - (now - handle.opened_at)
        if handle.error is None and young > 0:
            wait = young if wait is None else min(wait, young)
        else:
            shown.append(handle)
    with _pending_views_lock:
        _pending_views[client] = (changes, now, shown, wait)
    return shown, wait


def segment_id(name: str, value: object) -> str:
    """An id given to a widget: checked like the client checks it (a TypeError/ValueError naming it)."""
    segment(name, value)
    return str(value)


def write_status(handle: WriteHandle) -> WriteStatus:
    """A write's state as a widget shows it: pending | retrying | saved | conflict | failed, with why."""
    if handle.state == "saved":
        return {"state": "saved"}
    if handle.error is None and handle.state not in ("conflict", "failed"):
        return {"state": "pending"}
    why = describe(handle.error or RuntimeError(handle.state))
    status: WriteStatus = {
        "state": handle.state if handle.state in ("conflict", "failed") else "retrying",
        "message": why["message"],
        "detail": why["detail"],
        "status": why["status"],
        "fields": why["fields"],
        "reason": why["reason"],
    }
    if status["state"] == "retrying":
        status["attempts"] = handle.attempts
    return status


class WriteStatuses:
    """Shows the latest write of each slot (a grid row, a form, a feedback widget) through
    `show(slot, status, handle)`; a slower, older write of the same slot no longer changes what is shown."""

    def __init__(self, show: Callable[[str, dict[str, Any], WriteHandle], None]) -> None:
        self._show = show
        self._latest: dict[str, WriteHandle] = {}
        self._lock = threading.RLock()

    def follow(self, slot: str, handle: WriteHandle) -> WriteHandle:
        with self._lock:
            self._latest[slot] = handle

        def changed(h: WriteHandle) -> None:
            with self._lock:
                if self._latest.get(slot) is h:
                    self._show(slot, plain(write_status(h)), h)

        return handle.on_change(changed)

    def latest(self, slot: str) -> WriteHandle | None:
        return self._latest.get(slot)


def describe(error: BaseException) -> Described:
    """An error as plain data for the front end (never the key: errors do not hold it): `message` in a
    person's words, `detail` the technical line (method, route, status), `reason` the service's own words."""
    if isinstance(error, RequestFailedError):  # an answer's error or a request that got none
        words, reason = in_words(error), error.message
        return Described(
            message=words, detail=str(error), status=error.status, fields=error.field_errors, reason=reason
        )
    text = str(error) or type(error).__name__
    return {"message": text, "detail": text, "status": None, "fields": {}, "reason": str(error)}


def _refusal(message: str) -> Described:
    return {"message": message, "detail": message, "status": None, "fields": {}, "reason": message}


def _reads_as_a_sentence(text: str) -> bool:
    """Words a person can read, not an interpreter's (a bare 'datapoint_id', "'int' object has no ...")."""
    raw = ("object has no attribute", "object is not", "unhashable type", "index out of range", "unsupported operand")
    return len(text) >= 12 and " " in text.strip() and not any(r in text for r in raw)


def in_words(error: RequestFailedError) -> str:
    """What went wrong, said to the person at the notebook rather than to a developer reading a log."""
    said = error.message.strip().rstrip(".")
    if isinstance(error, api.ServiceTimeoutError):
        return "The service did not answer in time"
    if isinstance(error, api.TransportError):
        return "The service could not be reached (the connection failed)"
    if isinstance(error, api.RateLimitedError):
        return "The service is busy (too many requests)"
    if isinstance(error, api.ServerError):
        return (
            f"The service had an error ({error.status}: {said})"
            if said
            else f"The service had an error ({error.status})"
        )
    if isinstance(error, api.AuthenticationError):
        return f"The API key was refused ({error.status}: {said})" if said else "The API key was refused"
    if isinstance(error, api.NotFoundError):
        return "Not found on the service: it may have been deleted"
    fields = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in error.field_errors.items())
    if said and fields:
        return f"{said} ({fields})"
    return said or fields or str(error)


WRITE_WORDS = {
    "datapoint.update": "Datapoint edit",
    "datapoints.create": "New datapoints",
    "datapoints.delete": "Datapoint deletion",
    "feedback.create": "Feedback",
    "feedback.remove": "Feedback removal",
    "evaluator.update": "Evaluator save",
    "evaluator.create": "New evaluator",
    "dataset.version": "New dataset version",
}


FIELD_WORDS = {"expected_output": "Expected output", "inputs": "Inputs", "messages": "Messages", "input": "Input"}


def pending_item(handle: WriteHandle) -> PendingItem:
    """One write not settled yet, as a widget lists it: what it is, on what, its state and why."""
    payload, status = handle.write.payload, write_status(handle)
    item: PendingItem = {
        "seq": handle.seq,
        "kind": handle.write.kind,
        "what": WRITE_WORDS.get(handle.write.kind, handle.write.kind),
        "state": status["state"],
        "message": status.get("message", ""),
    }
    if status["state"] == "retrying":  # shown only then ("Retrying (attempt 3)"): a first try starting is no news
        item["attempts"] = handle.attempts
    for name in ("dataset_id", "datapoint_id", "trace_id", "evaluator_id"):
        if isinstance(payload.get(name), str):
            item[name] = payload[name]
    if isinstance(payload.get("fields"), dict):
        item["fields"] = [FIELD_WORDS.get(name, name) for name in payload["fields"]]
    if isinstance(payload.get("property"), str):
        item["fields"] = [payload["property"]]
    if isinstance(payload.get("items"), list):
        item["count"] = len(payload["items"])
    return item


class Widget(anywidget.AnyWidget):
    """Base of the nbwidgets widgets: a client (kept in Python only) and the intent dispatcher."""

    # Where the data comes from, in words, shown in the widget (e.g. "orq sandbox at http://...").
    source_label = traitlets.Unicode("").tag(sync=True)
    is_sandbox = traitlets.Bool(False).tag(sync=True)
    # the client's writes not settled yet, from every widget on it: {"count", "items": [pending_item]}
    pending_writes = traitlets.Dict().tag(sync=True, shape=PendingWrites)

    def __init__(self, client: Client | None, flavour: Service = "orq", **kwargs: Any) -> None:
        if client is not None and not isinstance(client, Client):
            raise TypeError(
                f"client must be a nbwidgets Client (Client.orq(), Client.overmind(), Client.sandbox()) or None, "
                f"not {type(client).__name__}"
            )
        self._client = client or Client.current_or_default(flavour)
        self._lock = threading.RLock()
        # This widget as a writer: its own quick edits of a row chain; a change by anyone else, another
        # widget showing the same row included, is a conflict (client/writes.py).
        self._origin = f"{type(self).__name__} {uuid.uuid4().hex}"
        super().__init__(**kwargs)
        self.source_label = self._client.label
        self.is_sandbox = self._client.is_sandbox
        self.on_msg(self._on_custom_msg)
        self._unwatch = self._client.watch_writes(self._client_write_changed)
        self._show_pending_writes()

    # --- the client's writes, from every widget on it -------------------------------------------------

    def _client_write_changed(self, handle: WriteHandle) -> None:
        """A write of this client changed state (any widget's, or a call's): the pending list follows, a
        moment later, so that a burst of changes (a thousand feedback clicks) is one update, not one each."""
        _later.call(self._announce_pending, PENDING_COALESCE_S)

    def _pending_item(self, handle: WriteHandle) -> PendingItem:
        item = pending_item(handle)
        item["mine"] = handle.write.origin == self._origin
        return item

    def _show_pending_writes(self) -> None:
        shown, wait = _pending_on(self._client)
        if wait is not None:  # a write on its first try, open less than a moment, becomes news then
            _later.call(self._announce_pending, wait + 0.01)
        with self._lock:
            items = [self._pending_item(handle) for handle in shown[:MAX_PENDING_SHOWN]]
            listed: PendingWrites = {"count": len(shown), "items": items}
            if listed != self.pending_writes:
                self.pending_writes = plain(listed)

    def _announce_pending(self) -> None:
        if getattr(self, "comm", None) is not None:  # not once the widget is closed
            self._show_pending_writes()

    def _retry_writes(self) -> None:
        """Try every write that waits out a backoff again now."""
        self._client.outbox.retry_now()

    @property
    def client(self) -> Client:
        return self._client

    @traitlets.observe("comm")
    def _follow_the_host_closing_the_comm(self, change: dict[str, Any]) -> None:
        # marimo closes a widget's comm when its cell re-runs or is deleted, without calling close():
        # ipywidgets' registry would then keep every re-run's widget (and its page cache) alive, and
        # late background results would still be sent. Release the widget when its comm closes.
        comm = change["new"]
        if comm is None or getattr(comm, "_nbw_followed", False):
            return
        close = comm.close

        def close_and_release(*args: Any, **kwargs: Any) -> None:
            close(*args, **kwargs)
            self._release(comm)

        comm.close = close_and_release
        comm._nbw_followed = True

    def _release(self, comm: Any) -> None:
        if getattr(self, "comm", None) is not comm:  # anywidget is untyped: comm is unknown to mypy
            return
        from ipywidgets.widgets.widget import _instances

        _instances.pop(getattr(comm, "comm_id", None), None)
        self._unwatch()  # a released widget no longer follows its client's writes
        self.comm = None  # what finishes later changes traits in Python only

    def intents(self) -> dict[str, Callable[[dict[str, Any]], Any]]:
        """The intent handlers: type -> callable(message) returning extra reply fields or None."""
        raise NotImplementedError

    def _on_custom_msg(self, _widget: Any, message: Any, buffers: list[Any]) -> None:
        if not isinstance(message, dict):
            log.debug("a front-end message that is not an object was dropped: %.80r", message)
            return
        self.handle(message)

    def handle(self, message: dict[str, Any]) -> None:
        """Dispatch one intent and answer it by its id: always once, with a sentence when it is refused,
        never an exception out of here (a malformed message, from a bug or an older front end, included)."""
        request_id = message.get("id")
        kind = message.get("type")
        intents = {"retry_writes": lambda m: self._retry_writes(), **self.intents()}
        handler = intents.get(kind) if isinstance(kind, str) else None
        if handler is None:
            said = f"unknown intent {kind!r}" if isinstance(kind, str) else "a message without a type (a str)"
            self._reply(request_id, ok=False, error=_refusal(f"This widget has no such request: {said}."))
            return
        try:
            extra = handler(message) or {}
            if not isinstance(extra, dict):
                extra = {}
        except KeyError as error:  # a field the intent needs is missing
            log.debug("intent %s failed", kind, exc_info=True)
            missing = error.args[0] if error.args else "?"
            said = f"The {kind!r} request lacks its {missing!r} field; nothing was done."
            self._reply(request_id, ok=False, error=_refusal(said))
            return
        except Exception as error:  # answered as data: an intent never raises into the void
            log.debug("intent %s failed", kind, exc_info=True)
            described = describe(error)
            if not isinstance(error, RequestFailedError) and not _reads_as_a_sentence(described["message"]):
                said = f"The {kind!r} request could not be done with what it holds ({described['message']})."
                described = _refusal(said)
            self._reply(request_id, ok=False, error=described)
            return
        self._reply(request_id, ok=True, **extra)

    def _reply(self, request_id: Any, **fields: Any) -> None:
        if request_id is None:
            return
        try:
            self.send({"id": request_id, **fields})
        except Exception:  # an id no message can carry (not JSON): nobody can be answered
            log.debug("an answer could not be sent", exc_info=True)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._client!r})"
