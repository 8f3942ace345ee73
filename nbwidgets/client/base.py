"""`Client`: one object per connection to a service, shared by every widget."""

from __future__ import annotations

import logging
import os
import threading
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, Literal, NoReturn

import httpx

from . import checks
from .cache import OutboxUnavailableError
from .errors import ApiError, ClientClosedError
from .outbox import Outbox, Scope
from .transport import DEFAULT_RETRY, DEFAULT_TIMEOUT, HeaderAuth, RetryPolicy, Secret, Transport
from .writes import Write, WriteHandle, WriteKind

if TYPE_CHECKING:
    from typing_extensions import Self

    from . import factories
    from .datasets import DatasetSource

Service = Literal["orq", "overmind"]
WriteListener = Callable[[WriteHandle], None]
SETTLED = ("saved", "conflict", "failed")  # a write in one of these states is no longer pending
log = logging.getLogger("nbwidgets.client")

# The current client of this process: the last one made, or chosen with `use()` (`%nbw connect` does).
# Widgets given no client, the display formatters and `%nbw status` all ask `Client.current()`.
_current: Client | None = None
_current_lock = threading.Lock()


class Client:
    """A connection to orq.ai or Overmind (or the local sandbox speaking as one of them).

    Build one with `Client.orq()`, `Client.overmind()` or `Client.sandbox()`; every widget given
    the same client shares its connection pool and its outbox.
    """

    service: ClassVar[Service]
    # what the service offers beyond datasets ("deployments", "feedback", "evaluators"): widgets ask this
    # (widgets/_capabilities.py), never the client's class
    capabilities: ClassVar[frozenset[str]] = frozenset()
    default_base_url: ClassVar[str]
    key_env: ClassVar[str]
    url_env: ClassVar[str]

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        *,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy = DEFAULT_RETRY,
        sandbox: bool = False,
    ) -> None:
        if api_key is not None and not isinstance(api_key, str):
            raise TypeError(f"api_key must be a str, not {type(api_key).__name__}")
        if base_url is not None and not isinstance(base_url, str):
            raise TypeError(f"base_url must be a str (e.g. 'https://api.orq.ai'), not {type(base_url).__name__}")
        if not isinstance(retry, RetryPolicy):
            raise TypeError(f"retry must be a RetryPolicy, not {type(retry).__name__}")
        if not isinstance(timeout, httpx.Timeout):
            checks.number("timeout", timeout, 0.001, 86400)  # seconds (or an httpx.Timeout)
        source = "the api_key argument" if api_key is not None else f"the environment variable {self.key_env}"
        key = checks.api_key(api_key if api_key is not None else os.environ.get(self.key_env, ""), source)
        self.base_url = (base_url or os.environ.get(self.url_env) or self.default_base_url).rstrip("/")
        if not self.base_url.startswith(("http://", "https://")) or not httpx.URL(self.base_url).host:
            raise ValueError(f"base_url must be an http:// or https:// address with a host, not {self.base_url!r}")
        self.is_sandbox = sandbox
        self._key = Secret(key)
        self._transport = Transport(
            self.base_url,
            self._auth(self._key),
            self._parse_error,
            timeout=timeout,
            retry=retry,
            user_agent=f"nbwidgets ({self.service})",
        )
        self._outbox: Outbox | None = None
        self._outbox_lock = threading.Lock()  # a widget thread and the kernel may ask for it at once
        # writes submitted through this client and not settled yet, and who wants to hear of every change
        self._open_writes: dict[int, WriteHandle] = {}
        self._open_sorted: list[WriteHandle] | None = None  # open_writes(), kept until the set changes
        self._write_changes = 0  # counts every change of every write: what a cached view of them compares
        self._watchers: list[Callable[[], WriteListener | None]] = []
        self._watch_lock = threading.Lock()
        self._closed = False
        self.use()

    # --- construction: Client.orq(), .overmind(), .sandbox(), .default(), .current_or_default() are made
    # in client/factories.py and bound onto this class when the package loads, so this module knows none
    # of its subclasses nor the sandbox. Declared here for the type checker only.
    if TYPE_CHECKING:
        orq = factories.orq
        overmind = factories.overmind
        sandbox = factories.sandbox
        default = factories.default
        current_or_default = factories.current_or_default

    @staticmethod
    def current(flavour: Service | None = None) -> Client | None:
        """The client made or chosen last in this process (of that service, when `flavour` is given),
        or None when there is none yet or it was closed."""
        client = _current
        if client is None or client._closed or (flavour is not None and client.service != flavour):
            return None
        return client

    def use(self) -> Client:
        """Make this the current client (the one widgets given no client, the display and `%nbw` use)."""
        global _current
        with _current_lock:
            _current = self
        return self

    @property
    def description(self) -> str:
        """Which service this is, where, and whether it is the sandbox, in one sentence."""
        if self.is_sandbox:
            return f"{self.service} sandbox at {self.base_url} (the local sandbox: demo data, no account needed)"
        return f"{self.service} at {self.base_url} (the real service, not the sandbox)"

    # --- service specifics (overridden) ---------------------------------------------------------

    @staticmethod
    def _auth(secret: Secret) -> httpx.Auth:
        return HeaderAuth(secret)

    @staticmethod
    def _parse_error(body: dict[str, Any]) -> tuple[str, dict[str, list[str]]]:
        """An error answer's JSON object: the service's message and its field errors by dotted path."""
        raise NotImplementedError

    # --- plumbing -------------------------------------------------------------------------------

    def _get(self, path: str, *, once: bool = False, **params: Any) -> Any:
        return _json(self._transport.request("GET", path, params=params, once=once), "GET", path)

    def _send(
        self, method: str, path: str, body: Any = None, *, idempotent: bool | None = None, once: bool = False
    ) -> Any:
        response = self._transport.request(method, path, json=body, idempotent=idempotent, once=once)
        return _json(response, method, path) if response.content else None

    def datasets(self) -> DatasetSource:
        """This service's datasets as a browser sees them (what a grid asks instead of which service it is)."""
        raise NotImplementedError

    def _write_kinds(self) -> dict[str, WriteKind]:
        """The kinds of write this service takes through the outbox (see writes.py)."""
        return {}

    def _outbox_in_memory(self) -> bool:
        """A sandbox whose store dies with it: its writes need no disk (nobody could deliver them later)."""
        if not self.is_sandbox:
            return False
        try:
            health = self._transport.request("GET", "/_sandbox/health", once=True).json()
        except Exception:
            return True
        return not (isinstance(health, dict) and health.get("durable") is True)

    @property
    def outbox(self) -> Outbox:
        """The queue of this client's writes, stored before they are sent (created on first use).

        An `OutboxUnavailableError` when its file cannot be opened (saying where, and what to do); a
        `ClientClosedError` when the client was closed before its first write."""
        with self._outbox_lock:
            if self._outbox is None:
                if self._closed:
                    raise ClientClosedError(self._closed_words())
                scope = Scope(self.service, self.base_url, self._key)
                policy = self._transport.retry
                self._outbox = Outbox(scope, policy, self._write_kinds(), in_memory=self._outbox_in_memory())
        return self._outbox

    def submit(self, write: Write) -> WriteHandle:
        """Queue a write (see writes.py): returns its handle at once.

        A write that cannot be kept (the client is closed, the outbox cannot be opened) is not queued: its
        handle is settled as failed at once, with a sentence saying why and what to do, so a widget shows
        the value as not saved and `handle.result()` raises that error."""
        try:
            if self._closed:
                raise ClientClosedError(self._closed_words())
            handle = self.outbox.submit(write)
        except (ClientClosedError, OutboxUnavailableError) as error:
            handle = WriteHandle(write, -1)
            handle._settle("failed", error=error)
            return handle
        with self._watch_lock:
            self._open_writes[id(handle)] = handle
            self._open_sorted = None
        return handle.on_change(self._tell_watchers)

    def _closed_words(self) -> str:
        return (
            f"This client ({self.label}) was closed (its `with` block ended, or close() was called), so this write "
            "was not saved. Make a new client (e.g. client = Client.orq()) and the widget again with it; a widget "
            "that writes should be made outside a `with Client...` block."
        )

    def open_writes(self) -> list[WriteHandle]:
        """The writes submitted through this client (by any widget or call) that are not settled yet:
        queued, being sent or waiting to be retried, oldest first."""
        with self._watch_lock:
            if self._open_sorted is None:
                self._open_sorted = sorted(self._open_writes.values(), key=lambda handle: handle.seq)
            return list(self._open_sorted)

    @property
    def write_changes(self) -> int:
        """How many changes of its writes this client has seen: a view of `open_writes()` made at one count
        is still right while the count stays the same."""
        return self._write_changes

    def watch_writes(self, listener: WriteListener) -> Callable[[], None]:
        """Call `listener(handle)` on every change of every write submitted through this client (the
        widgets show pending writes, and learn each other's saves). A bound method is held weakly: a widget
        that is gone stops hearing. Returns a function that stops it."""
        ref: Callable[[], WriteListener | None]
        if hasattr(listener, "__self__") and hasattr(listener, "__func__"):
            ref = weakref.WeakMethod(listener)
        else:
            ref = lambda: listener  # noqa: E731
        with self._watch_lock:
            self._watchers.append(ref)

        def unwatch() -> None:
            with self._watch_lock:
                if ref in self._watchers:
                    self._watchers.remove(ref)

        return unwatch

    def _tell_watchers(self, handle: WriteHandle) -> None:
        with self._watch_lock:
            self._write_changes += 1
            if handle.state in SETTLED and self._open_writes.pop(id(handle), None) is not None:
                self._open_sorted = None
            self._watchers = [ref for ref in self._watchers if ref() is not None]
            listeners = [ref() for ref in self._watchers]
        for listener in listeners:
            if listener is None:
                continue
            try:
                listener(handle)
            except Exception:  # a widget's listener must not stop a delivery
                log.exception("a write watcher failed")

    def set_sandbox_faults(self, **switches: float) -> dict[str, Any]:
        """The sandbox only: make it misbehave, to see what the widgets do when the service does.

        `fault_rate` (500s, and answers lost after the work is done), `drop_rate` (only lost answers),
        `rate_limit_rate` (429s), `latency_ms`, `retry_after_ms`; 0 puts each right again. Returns every
        switch as it now stands. A real service has no such switches: this refuses with a RuntimeError.
        """
        if not self.is_sandbox:
            raise RuntimeError(f"set_sandbox_faults is for the sandbox; this client talks to {self.label}")
        return dict(self._send("POST", "/_sandbox/faults", switches, once=True))

    @property
    def label(self) -> str:
        """Where this client talks to, in words a user reads."""
        return f"{self.service} sandbox at {self.base_url}" if self.is_sandbox else f"{self.service} at {self.base_url}"

    def close(self) -> None:
        self._closed = True
        if self._outbox is not None:
            self._outbox.close()
        self._transport.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        key = "set" if self._key else "unset"
        return f"{type(self).__name__}(base_url={self.base_url!r}, key={key}, sandbox={self.is_sandbox})"

    def __reduce__(self) -> NoReturn:
        raise TypeError(f"{type(self).__name__} cannot be pickled: it holds a connection and an API key")


def _json(response: httpx.Response, method: str, path: str) -> Any:
    """A successful answer's JSON, or an ApiError saying the answer was not JSON (never a raw decoder error)."""
    try:
        return response.json()
    except ValueError:
        kind = response.headers.get("content-type", "no content type")
        raise ApiError(
            f"the service answered {response.status_code} with something that is not JSON ({kind}); "
            "is the base URL that of the API?",
            method=method,
            route=path,
            status=response.status_code,
        ) from None
