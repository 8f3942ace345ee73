"""Running the sandbox: in the foreground (the command line) or on a background thread (embedded)."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from typing import Any

import uvicorn

from .app import Faults, Sandbox
from .demo import add_generated_dataset, seed_demo
from .store import Store


def build(
    db: str = ":memory:",
    api_key: str | None = None,
    *,
    demo: bool = True,
    datapoints: int | list[int] = 0,
    faults: Faults | None = None,
    seed: int | None = None,
) -> tuple[Sandbox, dict[str, str]]:
    """A sandbox with the demo data and one generated dataset per size in `datapoints`
    (ids: `generated_<size>`, and `generated` for the first)."""
    sandbox = Sandbox(Store(db), api_key=api_key, faults=faults, seed=seed)
    ids = seed_demo(sandbox) if demo else {}
    for size in [datapoints] if isinstance(datapoints, int) else datapoints:
        if size:
            ids[f"generated_{size}"] = add_generated_dataset(sandbox, size)
            ids.setdefault("generated", ids[f"generated_{size}"])
    return sandbox, ids


class _QuietDrops(logging.Filter):
    # The injected mid-connection drops are on purpose; their tracebacks are noise.
    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return type(exc).__name__ != "_Dropped"


def _config(sandbox: Sandbox, host: str, port: int, log_level: str) -> uvicorn.Config:
    logging.getLogger("uvicorn.error").addFilter(_QuietDrops())
    return uvicorn.Config(
        sandbox.app(),
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=2,
    )


class BackgroundServer:
    """A sandbox served by uvicorn on a daemon thread of this process."""

    def __init__(self, sandbox: Sandbox, host: str = "127.0.0.1", port: int = 0) -> None:
        self.sandbox = sandbox
        self._server = uvicorn.Server(_config(sandbox, host, port, "warning"))
        self._server.install_signal_handlers = lambda: None  # type: ignore[attr-defined]  # not the main thread
        self._thread = threading.Thread(target=self._run, name="nbwidgets-sandbox", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the sandbox server did not start")
            time.sleep(0.01)
        sock = self._server.servers[0].sockets[0]
        self.host, self.port = sock.getsockname()[:2]

    def _run(self) -> None:
        asyncio.run(self._server.serve())

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=5)


def serve_forever(sandbox: Sandbox, host: str, port: int, announce: Any, sock: socket.socket | None = None) -> None:
    """Serve in the foreground until Ctrl+C/SIGTERM; `announce(url)` runs once the port is bound.

    `sock`: a socket already bound by the caller (the command line binds first, to report a taken port)."""
    server = uvicorn.Server(_config(sandbox, host, port, "warning"))

    async def main() -> None:
        task = asyncio.create_task(server.serve(sockets=[sock] if sock is not None else None))
        while not server.started:
            if task.done():
                await task
                return
            await asyncio.sleep(0.01)
        bound_host, bound_port = server.servers[0].sockets[0].getsockname()[:2]
        announce(f"http://{bound_host}:{bound_port}")
        await task

    asyncio.run(main())
