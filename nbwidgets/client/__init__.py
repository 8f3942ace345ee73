"""The one client: transport, one module per service, the durable outbox. Knows no widget.

base.py the `Client` base class (transport, outbox, open writes); factories.py how one is made
(`Client.orq()`, `.overmind()`, `.sandbox()`, `.default()`), bound onto `Client` here; errors.py the errors
(answers apart from no answer); transport.py HTTP and retries; cursor.py the one cursor-paging loop.
orq.py `OrqClient` (datasets, datapoints) made of its parts orq_evaluators.py and orq_traces.py;
overmind.py `OvermindClient`; each service's `DatasetSource` (*_datasets.py) and its writes (*_writes.py: what
each write sends, one small `WriteKind` class per kind). The write path: writes.py what a write is (its handle,
the life of a write), outbox.py the `Outbox` (built from a scope, a retry policy and the kinds), delivery.py
one attempt and what its outcome means, outbox_store.py the SQLite file, cache.py the private cache folder.
"""

from . import factories
from .base import Client
from .cache import OutboxUnavailableError
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
from .overmind import OvermindClient
from .transport import RetryPolicy
from .writes import StaleBaseConflict, WriteHandle

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
    "StaleBaseConflict",
    "TransportError",
    "ValidationError",
    "WriteHandle",
]
