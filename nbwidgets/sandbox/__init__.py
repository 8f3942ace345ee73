"""The local sandbox: a server speaking orq's `/v2/...` and Overmind's `/api/...` routes over SQLite.

Knows no client and no widget. `embedded()` starts one in this process (once) for `Client.sandbox()`.
"""

from __future__ import annotations

import threading

from .app import Faults, Sandbox
from .server import BackgroundServer, build

__all__ = ["BackgroundServer", "Faults", "Sandbox", "build", "embedded"]

_embedded: BackgroundServer | None = None
_lock = threading.Lock()


def embedded() -> tuple[str, str]:
    """The URL and key of this process's sandbox, started with demo data on first call."""
    global _embedded
    with _lock:
        if _embedded is None:
            sandbox, _ = build(":memory:")
            _embedded = BackgroundServer(sandbox)
        return _embedded.url, _embedded.sandbox.api_key
