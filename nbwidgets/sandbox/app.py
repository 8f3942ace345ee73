"""The sandbox's ASGI app: both services' routes behind auth, latency and fault injection.

Faults are switched at start (`Faults`) or while running through `POST /_sandbox/faults`, so tests
can turn them on and off. Control routes (`/_sandbox/...`) need the key and never fault.
"""

from __future__ import annotations

import asyncio
import json
import math
import random
import secrets
import threading
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .orq_routes import OrqRoutes
from .overmind_routes import OvermindRoutes
from .store import Store


@dataclass
class Faults:
    latency_ms: float = 0.0
    fault_rate: float = 0.0  # share of requests answered 500 or dropped mid-connection
    rate_limit_rate: float = 0.0  # share of requests answered 429 with Retry-After
    retry_after_ms: int = 100

    def update(self, values: dict[str, Any]) -> None:
        for name, value in values.items():
            if name not in self.__dataclass_fields__:
                raise ValueError(f"unknown fault setting {name!r}")
            value = float(value)
            if name.endswith("_rate") and not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")
            if value < 0:
                raise ValueError(f"{name} must not be negative")
            setattr(self, name, int(value) if name == "retry_after_ms" else value)


class Sandbox:
    """The state behind one sandbox server: its store, key, fault switches and counters."""

    def __init__(
        self, store: Store, api_key: str | None = None, faults: Faults | None = None, seed: int | None = None
    ) -> None:
        self.store = store
        self.api_key = api_key or secrets.token_urlsafe(24)
        self.faults = faults or Faults()
        self.orq = OrqRoutes(store)
        self.overmind = OvermindRoutes(store)
        self.stats: Counter[str] = Counter()
        self._stats_lock = threading.Lock()
        self._random = random.Random(seed)

    def count(self, what: str) -> None:
        with self._stats_lock:
            self.stats[what] += 1

    def app(self) -> ASGIApp:
        control = [
            Route("/_sandbox/health", self._health, methods=["GET"]),
            Route("/_sandbox/faults", self._get_faults, methods=["GET"]),
            Route("/_sandbox/faults", self._set_faults, methods=["POST"]),
            Route("/_sandbox/stats", self._stats, methods=["GET"]),
            Route("/_sandbox/feedback", self._feedback, methods=["GET"]),
        ]
        inner = Starlette(routes=control + self.orq.routes() + self.overmind.routes())
        return _Gate(inner, self)

    async def _health(self, request: Request) -> JSONResponse:
        # durable: the store is a file, so writes queued for this sandbox can be delivered after a restart
        return JSONResponse({"ok": True, "durable": self.store.path != ":memory:"})

    async def _get_faults(self, request: Request) -> JSONResponse:
        return JSONResponse(asdict(self.faults))

    async def _set_faults(self, request: Request) -> JSONResponse:
        try:
            self.faults.update(json.loads(await request.body() or b"{}"))
        except (ValueError, TypeError) as exc:
            return JSONResponse({"message": str(exc)}, status_code=400)
        return JSONResponse(asdict(self.faults))

    async def _stats(self, request: Request) -> JSONResponse:
        with self._stats_lock:
            return JSONResponse(dict(self.stats))

    async def _feedback(self, request: Request) -> JSONResponse:
        return JSONResponse(self.store.feedback(request.query_params.get("trace_id")))


class _Gate:
    """Pure ASGI middleware: latency, auth, then the injected faults, then the routes."""

    def __init__(self, app: ASGIApp, sandbox: Sandbox) -> None:
        self.app, self.sandbox = app, sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        sandbox, faults = self.sandbox, self.sandbox.faults
        if path == "/_sandbox/health":
            await self.app(scope, receive, send)
            return
        service = "orq" if path.startswith("/v2/") else "overmind" if path.startswith("/api/") else "control"
        if not self._authorised(scope, service):
            sandbox.count("unauthorised")
            await _json(send, 401, _unauthorised_body(service, scope))
            return
        if service == "control":
            await self.app(scope, receive, send)
            return
        sandbox.count(f"{scope['method']} {service}")
        if faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000)
        roll = sandbox._random.random()
        if roll < faults.rate_limit_rate:
            sandbox.count("fault 429")
            headers = [
                (b"retry-after", str(math.ceil(faults.retry_after_ms / 1000)).encode()),
                (b"retry-after-ms", str(faults.retry_after_ms).encode()),
            ]
            body = (
                {"message": "Too many requests"}
                if service == "orq"
                else {"detail": "Request was throttled.", "code": "throttled"}
            )
            await _json(send, 429, body, headers)
            return
        if roll < faults.rate_limit_rate + faults.fault_rate:
            if sandbox._random.random() < 0.5:
                sandbox.count("fault 500")
                body = (
                    {"message": "Internal server error (injected by the sandbox)"}
                    if service == "orq"
                    else {
                        "detail": "The server hit an unexpected error (ref sandbox)",
                        "code": "internal_error",
                        "error_id": "sandbox",
                    }
                )
                await _json(send, 500, body)
            else:
                # The worst case for a client: the work is done, then the answer is lost.
                sandbox.count("fault drop")
                await self.app(scope, receive, _swallow)
                await send(
                    {
                        "type": "http.response.start",
                        "status": 200,
                        "headers": [(b"content-type", b"application/json"), (b"content-length", b"1000")],
                    }
                )
                await send({"type": "http.response.body", "body": b'{"partial":', "more_body": True})
                raise _Dropped()
            return
        await self.app(scope, receive, send)

    def _authorised(self, scope: Scope, service: str) -> bool:
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        key = self.sandbox.api_key
        auth = headers.get("authorization", "")
        candidates = {auth.removeprefix("Bearer ").strip()}
        if service != "orq":  # Overmind also takes X-Api-Key and "Api-Key <key>"
            candidates |= {headers.get("x-api-key", ""), auth.removeprefix("Api-Key ").strip()}
        return any(secrets.compare_digest(c, key) for c in candidates if c)


class _Dropped(Exception):
    """Raised to make the server cut the connection mid-response."""


async def _swallow(message: Message) -> None:
    pass


def _unauthorised_body(service: str, scope: Scope) -> dict[str, Any]:
    if service == "orq" or service == "control":
        return {"message": "Unauthorized: invalid or missing API key"}
    has_credentials = any(k.lower() in (b"authorization", b"x-api-key") for k, _ in scope["headers"])
    if has_credentials:
        return {"detail": "Invalid API key.", "code": "authentication_failed"}
    return {"detail": "Authentication credentials were not provided.", "code": "not_authenticated"}


async def _json(send: Send, status: int, body: Any, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
