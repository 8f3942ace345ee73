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
    RequestFailedError,
    RequestNotSentError,
    ServerError,
    ServiceTimeoutError,
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
    "RequestFailedError",
    "RequestNotSentError",
    "RetryPolicy",
    "ServerError",
    "ServiceTimeoutError",
    "TransportError",
    "ValidationError",
]
