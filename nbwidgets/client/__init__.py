"""The one client: transport, one module per service, the durable outbox. Knows no widget."""

from .base import Client
from .errors import (
    ApiError,
    AuthenticationError,
    ClientClosedError,
    ConflictError,
    NbwidgetsError,
    NotFoundError,
    RateLimitedError,
    RequestNotSentError,
    ServerError,
    TimeoutError,
    TransportError,
    ValidationError,
)
from .orq import OrqClient
from .outbox import OutboxUnavailableError
from .overmind import OvermindClient
from .transport import RetryPolicy

__all__ = [
    "ApiError",
    "AuthenticationError",
    "Client",
    "ClientClosedError",
    "ConflictError",
    "NbwidgetsError",
    "NotFoundError",
    "OrqClient",
    "OutboxUnavailableError",
    "OvermindClient",
    "RateLimitedError",
    "RequestNotSentError",
    "RetryPolicy",
    "ServerError",
    "TimeoutError",
    "TransportError",
    "ValidationError",
]
