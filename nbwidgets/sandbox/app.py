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
from collections import Counter, deque
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import orq_rules
from .orq_routes import OrqRoutes
from .overmind_routes import OvermindRoutes
from .store import Store

MAX_BODY_BYTES = 4 * 1024 * 1024  # bigger bodies are refused with 413 before they are read in full
MAX_JSON_DEPTH = 64  # deeper JSON is refused with 400 (a parser's recursion must never become a 500)
RECORDED_REQUESTS = 2000  # the ring buffer behind GET /_sandbox/requests
# Bounds of the fault switches: anything outside is a 400, never a stored absurdity (1e308 ms of latency).
FAULT_BOUNDS = {
    "latency_ms": (0.0, 60_000.0),
    "fault_rate": (0.0, 1.0),
    "drop_rate": (0.0, 1.0),
    "rate_limit_rate": (0.0, 1.0),
    "retry_after_ms": (0.0, 600_000.0),
}


@dataclass
class Faults:
    latency_ms: float = 0.0
    fault_rate: float = 0.0  # share of requests answered 500 or dropped mid-connection
    drop_rate: float = 0.0  # share of requests whose work is done and whose answer is then lost (only that)
    rate_limit_rate: float = 0.0  # share of requests answered 429 with Retry-After
    retry_after_ms: int = 100

    def update(self, values: Any) -> None:
        """Apply `{setting: number}`; all or nothing, with a ValueError naming the setting at fault."""
        if not isinstance(values, dict):
            raise ValueError("the body is an object of settings: " + ", ".join(FAULT_BOUNDS))
        checked: dict[str, float] = {}
        for name, value in values.items():
            if name not in FAULT_BOUNDS:
                raise ValueError(f"unknown fault setting {name!r} (known: {', '.join(FAULT_BOUNDS)})")
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ValueError(f"{name} must be a number")
            low, high = FAULT_BOUNDS[name]
            if not low <= value <= high:
                raise ValueError(f"{name} must be between {low:g} and {high:g}")
            checked[name] = float(value)
        for name, value in checked.items():
            setattr(self, name, int(value) if name == "retry_after_ms" else value)


class Sandbox:
    """The state behind one sandbox server: its store, key, fault switches, counters and request log."""

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
        self.requests: deque[dict[str, Any]] = deque(maxlen=RECORDED_REQUESTS)
        self._request_seq = 0

    def count(self, what: str) -> None:
        with self._stats_lock:
            self.stats[what] += 1

    def record(self, method: str, path: str, query: str, body: Any) -> dict[str, Any]:
        """Keep what a service route received (never its headers, so never the key) for tests to read."""
        with self._stats_lock:
            self._request_seq += 1
            entry = {
                "seq": self._request_seq,
                "method": method,
                "path": path,
                "query": {k: v[0] if len(v) == 1 else v for k, v in parse_qs(query, keep_blank_values=True).items()},
                "body": body,
                "status": None,
            }
            self.requests.append(entry)
        return entry

    def app(self) -> ASGIApp:
        control = [
            Route("/_sandbox/health", self._health, methods=["GET"]),
            Route("/_sandbox/faults", self._get_faults, methods=["GET"]),
            Route("/_sandbox/faults", self._set_faults, methods=["POST"]),
            Route("/_sandbox/stats", self._stats, methods=["GET"]),
            Route("/_sandbox/feedback", self._feedback, methods=["GET"]),
            Route("/_sandbox/requests", self._requests, methods=["GET"]),
            Route("/_sandbox/requests", self._clear_requests, methods=["DELETE"]),
            Route("/_sandbox/traces", self._traces, methods=["GET"]),
            Route("/_sandbox/traces", self._add_traces, methods=["POST"]),
            Route("/_sandbox/feedback-properties", self._feedback_properties, methods=["GET"]),
            Route("/_sandbox/feedback-properties", self._add_feedback_property, methods=["POST"]),
            Route("/_sandbox/datapoints", self._put_raw_datapoints, methods=["POST"]),
            Route("/_sandbox/evaluators", self._put_raw_evaluators, methods=["POST"]),
        ]
        handlers = {404: _not_found, 405: _not_allowed}
        inner = Starlette(
            routes=control + self.orq.routes() + self.overmind.routes(),
            exception_handlers=handlers,
        )
        return _Gate(inner, self)

    async def _health(self, request: Request) -> JSONResponse:
        # durable: the store is a file, so writes queued for this sandbox can be delivered after a restart
        return JSONResponse({"ok": True, "durable": self.store.path != ":memory:"})

    async def _get_faults(self, request: Request) -> JSONResponse:
        return JSONResponse(asdict(self.faults))

    async def _set_faults(self, request: Request) -> JSONResponse:
        try:
            self.faults.update(json.loads(await request.body() or b"{}"))
        except ValueError as exc:
            return JSONResponse({"message": str(exc)}, status_code=400)
        return JSONResponse(asdict(self.faults))

    async def _stats(self, request: Request) -> JSONResponse:
        with self._stats_lock:
            return JSONResponse(dict(self.stats))

    async def _feedback(self, request: Request) -> JSONResponse:
        return JSONResponse(self.store.feedback(request.query_params.get("trace_id")))

    async def _requests(self, request: Request) -> Response:
        """What the service routes received, oldest first: `?since=SEQ` (exclusive), `?path=PREFIX`, `?limit=N`."""
        try:
            since = int(request.query_params.get("since", "0"))
            limit = int(request.query_params.get("limit", str(RECORDED_REQUESTS)))
        except ValueError:
            return JSONResponse({"message": "since and limit are integers"}, status_code=400)
        prefix = request.query_params.get("path", "")
        with self._stats_lock:
            found = [dict(e) for e in self.requests if e["seq"] > since and e["path"].startswith(prefix)]
        # ASCII-escaped: whatever a request held (a path with a lone surrogate), the log can always be read
        payload = json.dumps(found[-max(0, limit) :] if limit else [], ensure_ascii=True, default=str)
        return Response(payload, media_type="application/json")

    async def _clear_requests(self, request: Request) -> JSONResponse:
        with self._stats_lock:
            self.requests.clear()
            return JSONResponse({"seq": self._request_seq})

    async def _traces(self, request: Request) -> JSONResponse:
        limit = request.query_params.get("limit", "100")
        if not limit.isdigit():
            return JSONResponse({"message": "limit is an integer"}, status_code=400)
        return JSONResponse(self.store.traces(min(int(limit), 10_000)))

    async def _add_traces(self, request: Request) -> Response:
        try:
            ids = orq_rules.check_trace_ids(await orq_rules.body_json(request))
        except orq_rules.OrqError as error:
            return orq_rules.error_response(error)
        for trace_id in ids:
            self.orq.register_trace(trace_id, source="control route")
        return JSONResponse({"trace_ids": ids})

    async def _feedback_properties(self, request: Request) -> JSONResponse:
        return JSONResponse(
            [p.model_dump(mode="json", exclude_none=True) for p in self.orq.feedback_properties().values()]
        )

    async def _add_feedback_property(self, request: Request) -> Response:
        try:
            return JSONResponse(self.orq.add_feedback_property(await orq_rules.body_json(request)))
        except orq_rules.OrqError as error:
            return orq_rules.error_response(error)

    async def _put_raw_datapoints(self, request: Request) -> Response:
        """Store datapoints exactly as given (over the defaults), unchecked: how tests put items the models
        do not know (a new message role, an unknown evaluation type) where a real service might have them."""
        body = await orq_rules.body_json(request)
        if not isinstance(body, dict) or not isinstance(body.get("datapoints"), list):
            return JSONResponse({"message": "{dataset_id, datapoints: [...]}"}, status_code=400)
        dataset_id = body.get("dataset_id")
        if not isinstance(dataset_id, str) or self.store.get_dataset(dataset_id) is None:
            return JSONResponse({"message": "dataset_id: no such dataset"}, status_code=404)
        if not all(isinstance(item, dict) for item in body["datapoints"]):
            return JSONResponse({"message": "datapoints are objects"}, status_code=400)
        stored = [
            {**self.orq.new_datapoint(dataset_id, {}), **item, "dataset_id": dataset_id} for item in body["datapoints"]
        ]
        self.store.put_datapoints(dataset_id, stored)
        return JSONResponse(stored)

    async def _put_raw_evaluators(self, request: Request) -> Response:
        """Store evaluators exactly as given (each needs `_id` and `key`), unchecked: answers in shapes the
        sandbox itself would not make (the seed's, without `output_type`), for the client to read."""
        body = await orq_rules.body_json(request)
        items = body.get("evaluators") if isinstance(body, dict) else None
        if not isinstance(items, list) or not all(
            isinstance(i, dict) and isinstance(i.get("_id"), str) and isinstance(i.get("key"), str) for i in items
        ):
            return JSONResponse({"message": "{evaluators: [{_id, key, ...}]}"}, status_code=400)
        for item in items:
            self.store.put_evaluator(item)
        return JSONResponse(items)


def _service(path: str) -> str:
    return "orq" if path.startswith(("/v2/", "/v3/")) else "overmind" if path.startswith("/api/") else "control"


def _error_body(service: str, status: int, message: str, code: str) -> dict[str, Any]:
    """An error in the shape of the service the path belongs to: orq `{message}`, DRF `{detail, code}`."""
    if service == "overmind":
        return {"detail": message, "code": code}
    return {"message": message}


async def _not_found(request: Request, exc: Exception) -> Response:
    service = _service(request.url.path)
    text = "Not found." if service == "overmind" else "Not Found"
    return JSONResponse(_error_body(service, 404, text, "not_found"), status_code=404)


async def _not_allowed(request: Request, exc: Exception) -> Response:
    service = _service(request.url.path)
    headers = getattr(exc, "headers", None) or {}
    return JSONResponse(
        _error_body(service, 405, f'Method "{request.method}" not allowed.', "method_not_allowed"),
        status_code=405,
        headers=headers,
    )


def _too_deep(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return False


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


class _Gate:
    """Pure ASGI middleware: auth, the body's limits (size, type, JSON depth), the request log, latency,
    the injected faults, then the routes."""

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
        service = _service(path)
        if not self._authorised(scope):
            sandbox.count("unauthorised")
            await _json(send, 401, _unauthorised_body(service, scope))
            return
        body, refusal = await _read_body(scope, receive)
        if refusal is not None:
            status, message, code = refusal
            sandbox.count(f"refused {status}")
            await _json(send, status, _error_body(service, status, message, code))
            return
        receive = _replay(body)
        if service == "control":
            await self.app(scope, receive, send)
            return
        parsed = json.loads(body) if body else None
        entry = sandbox.record(scope["method"], path, scope.get("query_string", b"").decode("latin-1"), parsed)
        send = _noting_status(send, entry)
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
            body429 = (
                {"message": "Too many requests"}
                if service == "orq"
                else {"detail": "Request was throttled.", "code": "throttled"}
            )
            await _json(send, 429, body429, headers)
            return
        if roll < faults.rate_limit_rate + faults.fault_rate + faults.drop_rate:
            if roll < faults.rate_limit_rate + faults.fault_rate and sandbox._random.random() < 0.5:
                sandbox.count("fault 500")
                body500 = (
                    {"message": "Internal server error (injected by the sandbox)"}
                    if service == "orq"
                    else {
                        "detail": "The server hit an unexpected error (ref sandbox)",
                        "code": "internal_error",
                        "error_id": "sandbox",
                    }
                )
                await _json(send, 500, body500)
            else:
                # The worst case for a client: the work is done, then the answer is lost.
                sandbox.count("fault drop")
                entry["dropped"] = True
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

    def _authorised(self, scope: Scope) -> bool:
        """Both services (and the control routes) take `Authorization: Bearer <key>` and only that.

        Headers are bytes: compared as bytes, so a non-ASCII header is a 401, not a decoding error."""
        given = [value for name, value in scope["headers"] if name.lower() == b"authorization"]
        if len(given) != 1:  # none, or two (a wrong one and a right one): which counts is no guess to make
            return False
        auth = given[0]
        scheme, _, token = auth.partition(b" ")
        if scheme.lower() != b"bearer" or not token.strip():
            return False
        return secrets.compare_digest(token.strip(), self.sandbox.api_key.encode())


async def _read_body(scope: Scope, receive: Receive) -> tuple[bytes, tuple[int, str, str] | None]:
    """The whole body, or why it is refused: (status, message, DRF code)."""
    headers = {k.lower(): v for k, v in scope["headers"]}
    declared = headers.get(b"content-length", b"")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return b"", (413, f"Request body larger than {MAX_BODY_BYTES} bytes", "request_too_large")
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return b"", (413, f"Request body larger than {MAX_BODY_BYTES} bytes", "request_too_large")
        chunks.append(chunk)
        if not message.get("more_body"):
            break
    body = b"".join(chunks)
    if not body:
        return body, None
    content_type = headers.get(b"content-type", b"").decode("latin-1")
    if not _is_json(content_type):
        shown = content_type.split(";", 1)[0].strip() or "none"
        return body, (
            415,
            f'Unsupported media type "{shown}" in request: send application/json',
            "unsupported_media_type",
        )
    try:
        # strictly UTF-8, as the services read JSON: a byte-order mark or UTF-16 is not JSON to them
        text = body.decode("utf-8")
        parsed = json.loads(text, parse_float=_finite, parse_int=_bounded_int, parse_constant=_no_constant)
    except RecursionError:
        return body, (400, f"JSON nested deeper than {MAX_JSON_DEPTH} levels", "parse_error")
    except ValueError:
        return body, (400, "Request body is not valid JSON", "parse_error")
    if _too_deep(parsed, MAX_JSON_DEPTH):
        return body, (400, f"JSON nested deeper than {MAX_JSON_DEPTH} levels", "parse_error")
    if _has_lone_surrogate(parsed):  # "\udcff": not a character; no store or answer can hold it
        return body, (400, "Request body is not valid JSON: a string holds a lone surrogate", "parse_error")
    return body, None


def _bounded_int(text: str) -> int:
    # a number beyond any double (a 4000-digit one) is no number the services can hold: a 400, not a 500
    if len(text.lstrip("-")) > 308:
        raise ValueError(f"number out of range: {text[:40]}")
    return int(text)


def _has_lone_surrogate(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _finite(text: str) -> float:
    # 1e400 parses to inf, which no JSON answer can hold: a 400 here, never a 500 when it is echoed
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number out of range: {text[:40]}")
    return value


def _no_constant(text: str) -> Any:
    raise ValueError(f"{text} is not JSON")


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def _noting_status(send: Send, entry: dict[str, Any]) -> Send:
    async def noting(message: Message) -> None:
        if message["type"] == "http.response.start":
            entry["status"] = message["status"]
        await send(message)

    return noting


class _Dropped(Exception):
    """Raised to make the server cut the connection mid-response."""


async def _swallow(message: Message) -> None:
    pass


def _unauthorised_body(service: str, scope: Scope) -> dict[str, Any]:
    if service == "orq" or service == "control":
        return {"message": "Unauthorized: invalid or missing API key"}
    if any(k.lower() == b"authorization" and v[:7].lower() == b"bearer " for k, v in scope["headers"]):
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
