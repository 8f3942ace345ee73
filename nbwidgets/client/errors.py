"""The client's errors: one small hierarchy, each saying method, route, status and the server's words.

    NbwidgetsError
    ├── RequestFailedError        a request to a service failed (method, route, message)
    │   ├── ApiError              the service answered, with an error (status, field errors, body)
    │   │   └── AuthenticationError, NotFoundError, ValidationError, ConflictError, RateLimitedError, ServerError
    │   ├── TransportError        no usable answer: connection failed or dropped (status is None)
    │   │   └── ServiceTimeoutError   ... or the service did not answer in time (also a builtin TimeoutError)
    │   └── RequestNotSentError   refused before sending (sending again would fail the same way)
    └── ClientClosedError, ...

As httpx keeps `RequestError` apart from `HTTPStatusError`: `except ApiError` catches what the service
said, `except TransportError` what never came back, `except RequestFailedError` both.
No error ever carries a request's headers, so the API key cannot leak through one.
"""

from __future__ import annotations

from typing import Any


class NbwidgetsError(Exception):
    """Base of every error nbwidgets raises."""


class RequestFailedError(NbwidgetsError):
    """A request to a service failed: it answered with an error (`ApiError`) or gave no usable answer
    (`TransportError`). Says the method, the route, the status when there was one, and why."""

    def __init__(
        self,
        message: str,
        *,
        method: str,
        route: str,
        status: int | None = None,
        field_errors: dict[str, list[str]] | None = None,
        body: Any = None,
    ) -> None:
        self.message = message
        self.method = method
        self.route = route
        self.status = status
        self.field_errors = field_errors or {}
        self.body = body
        super().__init__(str(self))

    def __str__(self) -> str:
        status = f" -> {self.status}" if self.status is not None else ""
        text = f"{self.method} {self.route}{status}: {self.message}"
        if self.field_errors:
            fields = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in self.field_errors.items())
            text += f" ({fields})"
        return text

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (_rebuild, (type(self), self.message, self.method, self.route, self.status, self.field_errors))


def _rebuild(
    cls: type[RequestFailedError],
    message: str,
    method: str,
    route: str,
    status: int | None,
    field_errors: dict[str, list[str]],
) -> RequestFailedError:
    return cls(message, method=method, route=route, status=status, field_errors=field_errors)


class ApiError(RequestFailedError):
    """The service answered, and the answer was an error (`status`, the service's `message`, `field_errors`).

    `status` is None only where no answer of this request was needed to know it: a stale-base conflict
    found by reading first, or a request not sent because the service asked for a pause (429)."""


class AuthenticationError(ApiError):
    """401 or 403: the key is missing, wrong, or cannot see this resource."""


class NotFoundError(ApiError):
    """404."""


class ValidationError(ApiError):
    """400 or 422: the service refused the values; `field_errors` maps field paths to its messages."""


class ConflictError(ApiError):
    """409, or a write that found the resource changed since it was read."""


class RateLimitedError(ApiError):
    """429, after the retries ran out. `retry_after` is the server's advice in seconds."""

    retry_after: float | None = None


class ServerError(ApiError):
    """5xx, after the retries ran out."""

    retry_after: float | None = None


class TransportError(RequestFailedError):
    """No usable answer: the connection failed, was dropped, or timed out (status is None)."""


class ServiceTimeoutError(TransportError, TimeoutError):
    """The service did not answer (or take the request, or give a connection) within the client's timeout;
    its message says what was waited for and how long. Also a builtin `TimeoutError`."""


class ClientClosedError(NbwidgetsError):
    """The client was closed (its `with` block ended, or `close()` was called): it reads and writes nothing more."""


class RequestNotSentError(RequestFailedError):
    """The request could not be sent as built (e.g. a header value HTTP does not allow): nothing was
    sent, and sending it again would fail the same way (status is None)."""


def error_class_for(status: int) -> type[ApiError]:
    if status in (401, 403):
        return AuthenticationError
    if status == 404:
        return NotFoundError
    if status in (400, 422):
        return ValidationError
    if status == 409:
        return ConflictError
    if status == 429:
        return RateLimitedError
    if status >= 500:
        return ServerError
    return ApiError
