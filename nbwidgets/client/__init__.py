"""The one client: transport, one module per service, the durable outbox. Knows no widget.

base.py the `Client` base class (transport, outbox, open writes); factories.py how one is made
(`Client.orq()`, `.overmind()`, `.sandbox()`, `.default()`), bound onto `Client` here; errors.py the errors
(answers apart from no answer); transport.py HTTP and retries; cursor.py the one cursor-paging loop.
orq.py `OrqClient` (datasets, datapoints) made of its parts orq_evaluators.py and orq_traces.py;
overmind.py `OvermindClient`; each service's `DatasetSource` (*_datasets.py) and write kinds (*_writes.py).
"""

from . import factories
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

factories.bind(Client)  # Client.orq(), Client.sandbox(), ...: made in factories.py, so base.py imports no subclass

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
