"""HTTP for both services: one httpx connection pool, auth, timeouts, retries, typed errors.

The key lives in a `Secret` and is added to each request by an httpx auth hook, so it sits in no
header dict, repr, log line, error or pickle.
"""

from __future__ import annotations

import email.utils
import logging
import random
import re
import threading
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any, NoReturn

import httpx

from . import checks
from .checks import text
from .errors import (
    ApiError,
    ClientClosedError,
    RateLimitedError,
    RequestNotSentError,
    ServerError,
    ServiceTimeoutError,
    TransportError,
    error_class_for,
)

log = logging.getLogger("nbwidgets.client")

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "PATCH", "DELETE"})


class Secret:
    """A value that never shows itself: not in repr, str, logs or pickles."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:
        raise TypeError("an API key cannot be pickled or serialised")


class HeaderAuth(httpx.Auth):
    """Adds the key at send time; `header` and `prefix` fit each service's scheme."""

    def __init__(self, secret: Secret, header: str = "Authorization", prefix: str = "Bearer ") -> None:
        self._secret = secret
        self._header = header
        self._prefix = prefix

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._secret:
            request.headers[self._header] = self._prefix + self._secret.reveal()
        yield request


@dataclass(frozen=True)
class RetryPolicy:
    """When to try again: one backoff formula for a call's retries and for the outbox's deliveries.

    A direct call (a page read, `client.update_datapoint`) retries up to `max_retries` times within
    `max_elapsed`; a queued write (the outbox) retries for as long as it takes, with the same delays.
    """

    max_retries: int = 5
    initial_delay: float = 0.2  # seconds, doubled each attempt
    max_delay: float = 10.0
    max_elapsed: float = 60.0  # total budget for one call, sleeps included
    max_retry_after: float = 60.0  # a longer Retry-After is not waited for

    def __post_init__(self) -> None:  # a wrong policy is refused here, not met as an odd wait later
        checks.number("max_retries", self.max_retries, 0, 1000, whole=True)
        for name in ("initial_delay", "max_delay", "max_elapsed", "max_retry_after"):
            checks.number(name, getattr(self, name), 0, 86400)

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number `attempt + 1` (the server's Retry-After wins)."""
        if retry_after is not None:
            return min(retry_after, self.max_retry_after)
        ceiling = min(self.max_delay, self.initial_delay * (2 ** min(attempt, 32)))
        return random.uniform(ceiling / 2, ceiling)  # jitter, so many clients do not retry in step

    def queued_delay(self, attempt: int, retry_after: float | None, answering: bool) -> float:
        """Seconds before a queued write's next try. While the service answers other requests (`answering`),
        its failure was this request's bad luck, not an outage: the backoff grows no further than
        STEADY_STEPS doublings (at 30% faults a write's tenth try came 5-10 s after its ninth, and a wait
        of 120 s for one edit could run out). While it answers nothing, it grows as `delay` does."""
        return self.delay(min(attempt, STEADY_STEPS) if answering else attempt, retry_after)


STEADY_STEPS = 4  # a queued write's backoff while its service answers others: at most initial_delay * 16
ANSWERING_WINDOW = 30.0  # seconds: a service that gave no answer for this long may be down


DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
DEFAULT_RETRY = RetryPolicy()


def parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value)
        return max(0.0, parsed.timestamp() - time.time()) if parsed else None


class RateGate:
    """One per service (base URL) in this process, shared by every client of it: a 429 pauses every read
    and write to that service until its Retry-After has passed; then one request at a time goes as a probe
    until one is answered with anything but a 429, as a good client does for a shared rate limit. It also
    knows when the service last gave an answer that was no fault (`answered_since`): whether it is up."""

    PROBE_WAIT = 0.25  # how often a request waiting behind a probe looks again

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._until = 0.0  # monotonic time the pause ends
        self._probing = False  # after a pause: one request at a time until one is not a 429
        self._probe_out = False
        self._answered_at = 0.0  # monotonic time of the last answer that was not a 429 or 5xx

    def answered_since(self, moment: float) -> bool:
        """Did the service give any answer that was no fault (not a 429 or 5xx) after `moment` (monotonic)?"""
        return self._answered_at > moment

    def answering(self) -> bool:
        """Is the service up, as far as this process saw: an answer that was no fault in the last
        ANSWERING_WINDOW seconds."""
        return self.answered_since(time.monotonic() - ANSWERING_WINDOW)

    def paused_for(self) -> float:
        """Seconds left of the current pause (0 when open)."""
        with self._cond:
            return max(0.0, self._until - time.monotonic())

    def enter(self, budget: float) -> bool | float:
        """Wait (at most `budget` seconds) until a request may go: True when it goes as the probe, False
        when freely; a float (the seconds still to wait) when the budget does not reach that far."""
        deadline = time.monotonic() + budget
        with self._cond:
            while True:
                now = time.monotonic()
                wait = self._until - now
                if wait <= 0 and not (self._probing and self._probe_out):
                    if self._probing:
                        self._probe_out = True
                        return True
                    return False
                wait = wait if wait > 0 else self.PROBE_WAIT
                if now + wait > deadline:
                    return max(wait, 0.01)
                self._cond.wait(wait)

    def leave(self, probe: bool, paused_for: float | None, answered: bool = False) -> None:
        """A request came back: `paused_for` seconds of pause when it was a 429 (None otherwise);
        `answered` when it was an answer that was no fault."""
        with self._cond:
            if answered:
                self._answered_at = time.monotonic()
            if paused_for is not None:
                self._until = max(self._until, time.monotonic() + paused_for)
                self._probing = True
            if probe:
                self._probe_out = False
                if paused_for is None:
                    self._probing = False
            self._cond.notify_all()


ONCE_GATE_WAIT = 5.0  # seconds a single try (`once`) waits at a paused service's gate before giving up
_gates: dict[str, RateGate] = {}
_gates_lock = threading.Lock()


def gate_for(base_url: str) -> RateGate:
    with _gates_lock:
        return _gates.setdefault(base_url.rstrip("/"), RateGate())


ErrorParser = Callable[[dict[str, Any]], "tuple[str, dict[str, list[str]]]"]


class Transport:
    def __init__(
        self,
        base_url: str,
        auth: httpx.Auth,
        parse_error: ErrorParser,
        *,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        retry: RetryPolicy = DEFAULT_RETRY,
        user_agent: str = "nbwidgets",
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.retry = retry
        self._secret = auth._secret if isinstance(auth, HeaderAuth) else None  # scrubbed from error texts
        self._gate = gate_for(self.base_url)
        self._parse_error = parse_error
        self._sleep = sleep
        self._http = httpx.Client(
            base_url=self.base_url,
            auth=auth,
            timeout=timeout,
            headers={"Accept": "application/json", "User-Agent": user_agent},
            limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
        )

    def close(self) -> None:
        self._http.close()

    def _may_send(self, method: str, path: str, once: bool, started: float) -> bool:
        """Whether this try is the gate's probe, once the client is known open and the service's pause
        (a 429 pauses every request to it: RateGate) is over within this call's budget; a single try (the
        outbox's) waits a short while, then hands the wait back to its own schedule. Raises when not sent."""
        if self._http.is_closed:
            raise ClientClosedError(
                f"This client was closed (its `with` block ended, or close() was called): {method} {path} was "
                "not sent. Make a new client (e.g. client = Client.orq())."
            )
        budget = ONCE_GATE_WAIT if once else max(0.0, self.retry.max_elapsed - (time.monotonic() - started))
        probe = self._gate.enter(budget)
        if not isinstance(probe, bool):  # paused for longer than this call may wait: not sent
            paused = RateLimitedError(
                f"not sent: the service asked for a pause (429) that has {probe:.1f} s to go",
                method=method,
                route=path,
                status=None,
            )
            paused.retry_after = probe
            raise paused
        return probe

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        idempotent: bool | None = None,
        once: bool = False,
    ) -> httpx.Response:
        """Send one request, retrying what is safe to retry.

        GET/PATCH/DELETE are retried on 429, 5xx and connection faults. A POST is retried only when
        the caller says it is idempotent (it carries a client-chosen id), except that a connection
        that never opened is always safe to retry: nothing was sent. `once`: no retry here at all
        (the outbox's deliveries: the outbox retries them itself, after checking what landed).
        """
        method = method.upper()
        text("the request body", json)  # a lone surrogate: a clear ValueError here, not an encoder's
        retryable = method in IDEMPOTENT_METHODS if idempotent is None else idempotent
        params = {k: v for k, v in (params or {}).items() if v is not None}
        started = time.monotonic()
        attempt = silences = 0
        while True:
            error: ApiError | TransportError
            retry_after: float | None = None
            may_retry = retryable
            probe = self._may_send(method, path, once, started)
            paused_for: float | None = None
            answered = False
            try:
                try:
                    response = self._http.request(method, path, params=params or None, json=json)
                except httpx.ConnectTimeout:
                    error = ServiceTimeoutError(
                        f"timed out: could not connect to {self.base_url} within {self._waited('connect')}",
                        method=method,
                        route=path,
                        status=None,
                    )
                    may_retry = True  # nothing was sent
                except httpx.TimeoutException as exc:
                    phase = {"WriteTimeout": "write", "PoolTimeout": "pool"}.get(type(exc).__name__, "read")
                    what = {"write": "finished taking the request", "pool": "had a free connection"}.get(
                        phase, "answered"
                    )
                    error = ServiceTimeoutError(
                        f"timed out: {self.base_url} had not {what} within {self._waited(phase)}",
                        method=method,
                        route=path,
                        status=None,
                    )
                    silences += 1
                    may_retry = may_retry and silences < 2  # silent twice: asking a third time rarely helps
                except httpx.ConnectError as exc:
                    error = TransportError(
                        f"could not connect ({self._reason(exc)})", method=method, route=path, status=None
                    )
                    may_retry = True
                except httpx.LocalProtocolError as exc:  # refused before sending (a header HTTP does not allow)
                    raise RequestNotSentError(
                        f"the request could not be sent as built ({self._reason(exc)})",
                        method=method,
                        route=path,
                        status=None,
                    ) from None
                except httpx.TransportError as exc:
                    error = TransportError(
                        f"the connection failed ({self._reason(exc)})", method=method, route=path, status=None
                    )
                else:
                    log.debug("%s %s -> %s (attempt %d)", method, path, response.status_code, attempt + 1)
                    answered = response.status_code not in RETRY_STATUSES
                    if response.status_code < 300:
                        return response
                    if response.status_code < 400:  # a redirect is not followed: the key goes nowhere else
                        location = response.headers.get("location", "")
                        raise ApiError(
                            f"the service answered with a redirect ({response.status_code}"
                            + (f" to {scrub(location[:200])}" if location else "")
                            + "), which nbwidgets does not follow so that the key is sent nowhere else; "
                            "check the base URL (e.g. https:// rather than http://, or a missing path)",
                            method=method,
                            route=path,
                            status=response.status_code,
                        )
                    error = self._error(response, method, path)
                    if response.status_code not in RETRY_STATUSES:
                        raise error
                    retry_after = _retry_after(response)
                    if response.status_code == 429:  # the whole service pauses, not this request alone
                        paused_for = self.retry.delay(attempt, retry_after)  # Retry-After, capped
                    if isinstance(error, (RateLimitedError, ServerError)):
                        error.retry_after = retry_after
            finally:
                self._gate.leave(probe, paused_for, answered)
            delay = self.retry.delay(attempt, retry_after)
            out_of_budget = time.monotonic() - started + delay > self.retry.max_elapsed
            if once or not may_retry or attempt >= self.retry.max_retries or out_of_budget:
                raise error
            log.info("retrying %s %s in %.2fs after: %s", method, path, delay, error.message)
            self._sleep(delay)
            attempt += 1

    def _waited(self, phase: str) -> str:
        seconds = getattr(self._http.timeout, phase, None)
        return f"{seconds:g} s" if isinstance(seconds, (int, float)) else "its timeout"

    def _reason(self, exc: Exception) -> str:
        """An httpx exception in words that never carry a header: the one place transport errors become
        ours, so no error, log line, outbox entry or widget status built from them can show the key."""
        return scrub(type(exc).__name__ + (f": {exc}" if str(exc) else ""), self._secret)

    def _error(self, response: httpx.Response, method: str, path: str) -> ApiError:
        try:
            body = response.json()
        except ValueError:
            body = response.text[:500]
        # an answer that is not a JSON object is its own message; an object is read the service's way
        message, field_errors = self._parse_error(body) if isinstance(body, dict) else (str(body or ""), {})
        cls = error_class_for(response.status_code)
        return cls(
            message or response.reason_phrase or "error",
            method=method,
            route=path,
            status=response.status_code,
            field_errors=field_errors,
            body=body,
        )


def _retry_after(response: httpx.Response) -> float | None:
    if "retry-after-ms" in response.headers:
        try:
            return float(response.headers["retry-after-ms"]) / 1000
        except ValueError:
            pass
    return parse_retry_after(response.headers.get("retry-after"))


_HEADER_VALUE = re.compile(r"(?i)(header (?:value|name)s?)\s*(?:b?(['\"]).*?\2|\S+)", re.DOTALL)
_CREDENTIAL = re.compile(r"(?i)\b(bearer|basic|token)\s+\S+")


class _ScrubHeaders(logging.Filter):
    """httpx and httpcore log a failed send with its exception, whose text may quote a header value (the
    key): their records pass through `scrub` first."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            return True
        cleaned = scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


for _name in ("httpx", "httpcore", "httpcore.http11", "httpcore.http2", "httpcore.connection", "httpcore.proxy"):
    logging.getLogger(_name).addFilter(_ScrubHeaders())


def scrub(text: str, secret: Secret | None = None) -> str:
    """`text` with any header value and the key itself (in any quoting) taken out."""
    if secret:
        key = secret.reveal()
        for form in {key, repr(key)[1:-1], repr(key.encode("utf-8", "backslashreplace"))[2:-1]}:
            if len(form) >= 4:
                text = text.replace(form, "***")
    text = _HEADER_VALUE.sub(r"\1 (not shown)", text)
    return _CREDENTIAL.sub(r"\1 ***", text)
