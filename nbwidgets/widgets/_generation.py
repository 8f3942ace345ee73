"""The generation engine behind ExperimentReview: run a function over datapoints, a few at a time.

It knows no widget and no service: it takes a `generate(datapoint)` callable (plain or async) and
calls it at most `concurrency` at a time, on its own threads (never the widgets' shared pool, whose
four threads serve every widget's page loads and saves). Each datapoint is generated once; only an
explicit re-run generates it again. The owner hears of every change through one callback.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import inspect
import json
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from ._contract import GenerationState

State = Literal["queued", "running", "done", "error"]
# what an answer object (a deployment invocation) may carry; latency is measured here, as the user waited it
METADATA_KEYS = ("tokens", "input_tokens", "output_tokens", "cost", "model", "provider")


@dataclass(frozen=True)
class Generation:
    """What one datapoint's generation gave (or is doing)."""

    state: State
    output: Any = None
    trace_id: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    runs: int = 0  # how many times it was started (1 unless re-run)

    def to_json(self) -> GenerationState:
        return {
            "state": self.state,
            "output": _jsonable(self.output),
            "trace_id": self.trace_id,
            "metadata": _jsonable(self.metadata),
            "error": self.error,
            "runs": self.runs,
        }


def normalise(answer: Any, latency_ms: float) -> tuple[Any, str | None, dict[str, Any]]:
    """A generate() answer as (output, trace_id, metadata).

    Takes the output text; `(output, trace_id)`; a mapping with `output`, `trace_id` and optional
    `metadata` (other keys such as latency_ms, tokens or cost count as metadata too); or an object
    with `output` and `trace_id` attributes (a deployment invocation)."""
    metadata: dict[str, Any] = {}
    if isinstance(answer, tuple):
        if len(answer) != 2:
            raise TypeError("generate() returned a tuple: it must be (output, trace_id)")
        output, trace_id = answer
    elif isinstance(answer, Mapping):
        if "output" not in answer:
            raise TypeError("generate() returned a dict without an 'output' key")
        output, trace_id = answer["output"], answer.get("trace_id")
        metadata.update(answer.get("metadata") or {})
        metadata.update({k: v for k, v in answer.items() if k not in ("output", "trace_id", "metadata")})
    elif hasattr(answer, "output") and not isinstance(answer, str):
        output, trace_id = answer.output, getattr(answer, "trace_id", None)
        for key in METADATA_KEYS:
            value = getattr(answer, key, None)
            if value is not None:
                metadata[key] = value
        extra = getattr(answer, "metadata", None)
        if isinstance(extra, Mapping):
            metadata.update(extra)
        usage = getattr(answer, "usage", None)  # a deployment invocation's token counts
        if isinstance(usage, Mapping) and usage.get("total_tokens") is not None:
            metadata.setdefault("tokens", usage["total_tokens"])
    else:
        output, trace_id = answer, None
    if trace_id is not None and not isinstance(trace_id, str):
        raise TypeError(f"generate() returned a trace id that is not a string: {trace_id!r}")
    metadata.setdefault("latency_ms", round(latency_ms, 1))
    return output, trace_id or None, metadata


def describe_error(error: BaseException) -> str:
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


class GenerationEngine:
    """Calls `generate` over datapoints within a concurrency bound, each one once unless re-run.

    `on_change(key, generation)` is called from the engine's threads whenever a datapoint's state
    changes (None: not generated, after a cancel). `key(datapoint)` names a datapoint (its id)."""

    def __init__(
        self,
        generate: Callable[[Any], Any],
        *,
        concurrency: int,
        on_change: Callable[[str, Generation | None], None],
        key: Callable[[Any], str],
    ) -> None:
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
            raise ValueError(f"concurrency must be a whole number of at least 1, not {concurrency!r}")
        self.concurrency = concurrency
        self._generate = generate
        self._is_async = inspect.iscoroutinefunction(generate) or inspect.iscoroutinefunction(
            getattr(generate, "__call__", None)  # noqa: B004 - an object whose __call__ is async
        )
        self._on_change = on_change
        self._key = key
        self._lock = threading.Lock()
        self._results: dict[str, Generation] = {}
        self._urgent: deque[tuple[str, Any]] = deque()  # the page on show and re-runs
        self._ahead: deque[tuple[str, Any]] = deque()  # prefetched pages
        self._running: dict[str, concurrent.futures.Future[Any]] = {}
        self._idle = threading.Condition(self._lock)
        # Changes are told in order: one delivery at a time, each telling the state current at that moment
        # (a fast call's "done" can never be overtaken by its own "running"); `wait` also waits for them.
        self._delivering = threading.Lock()
        self._untold = 0
        self.max_in_flight = 0  # the highest number of generate() calls running at once (measured)
        self.calls = 0  # every generate() call started
        self._closed = False
        self._executor: concurrent.futures.ThreadPoolExecutor | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: threading.Thread | None = None

    # --- scheduling -----------------------------------------------------------------------------

    def submit(self, datapoints: Iterable[Any], *, ahead: bool = False) -> int:
        """Queue the datapoints not generated, queued or running yet. Returns how many were queued.

        Urgent work (the page on show) goes before anything queued ahead."""
        queued: list[str] = []
        with self._lock:
            if self._closed:
                raise RuntimeError("this experiment was closed")
            fresh = [(self._key(dp), dp) for dp in datapoints]
            fresh = [(k, dp) for k, dp in fresh if k not in self._results]
            if not ahead:  # shown now: take them out of the prefetch queue, to the front
                wanted = {k for k, _ in fresh}
                promoted = [(k, dp) for k, dp in self._ahead if k in wanted]
                self._ahead = deque((k, dp) for k, dp in self._ahead if k not in wanted)
                self._urgent.extend(promoted)
            for key, datapoint in fresh:
                self._set(key, Generation("queued"))
                (self._ahead if ahead else self._urgent).append((key, datapoint))
                queued.append(key)
        for key in queued:
            self._tell(key)
        self._pump()
        return len(queued)

    def rerun(self, datapoint: Any) -> None:
        """Generate this datapoint again (its previous result is replaced when the new one lands)."""
        key = self._key(datapoint)
        with self._lock:
            current = self._results.get(key)
            if current is not None and current.state in ("queued", "running"):
                raise ValueError(f"datapoint {key} is already being generated")
            self._set(key, replace(current, state="queued") if current else Generation("queued"))
            self._urgent.append((key, datapoint))
        self._tell(key)
        self._pump()

    def cancel(self) -> list[str]:
        """Stop: nothing queued starts; running async calls are cancelled, running plain calls finish
        (a thread cannot be interrupted) and their results are kept. Returns the keys dropped."""
        with self._lock:
            dropped = [key for key, _ in [*self._urgent, *self._ahead]]
            self._urgent.clear()
            self._ahead.clear()
            for key in dropped:
                earlier = self._results[key]
                # a re-run that never started: the earlier result stands; else back to "not generated"
                restored = replace(earlier, state="error" if earlier.error else "done") if earlier.runs else None
                self._set(key, restored)
            running = list(self._running.items()) if self._is_async else []
        for key in dropped:
            self._tell(key)
        for _, future in running:
            future.cancel()
        return dropped

    def result(self, key: str) -> Generation | None:
        with self._lock:
            return self._results.get(key)

    def results(self) -> dict[str, Generation]:
        with self._lock:
            return dict(self._results)

    @property
    def busy(self) -> bool:
        with self._lock:
            return bool(self._urgent or self._ahead or self._running)

    def in_flight(self) -> int:
        with self._lock:
            return len(self._running)

    def wait(self, keys: Iterable[str] | None = None, timeout: float | None = None) -> bool:
        """Wait until these datapoints (default: everything queued) are generated. False on timeout."""
        wanted = None if keys is None else set(keys)
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._idle:
            while True:
                if wanted is None:
                    pending = bool(self._urgent or self._ahead or self._running)
                else:
                    pending = any(
                        (g := self._results.get(k)) is not None and g.state in ("queued", "running") for k in wanted
                    )
                pending = pending or self._untold > 0
                if not pending:
                    return True
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._idle.wait(remaining)

    def close(self) -> None:
        self.cancel()
        with self._lock:
            self._closed = True
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)

    # --- running --------------------------------------------------------------------------------

    def _pump(self) -> None:
        """Start queued work while fewer than `concurrency` calls run."""
        while True:
            with self._lock:
                if self._closed or len(self._running) >= self.concurrency:
                    return
                queue = self._urgent or self._ahead
                if not queue:
                    return
                key, datapoint = queue.popleft()
                previous = self._results.get(key) or Generation("queued")
                self._set(key, replace(previous, state="running", runs=previous.runs + 1))
                self.calls += 1
                future = self._start(datapoint)
                self._running[key] = future
                self.max_in_flight = max(self.max_in_flight, len(self._running))
            self._tell(key)
            future.add_done_callback(functools.partial(self._finished, key))

    def _start(self, datapoint: Any) -> concurrent.futures.Future[Any]:
        started = time.perf_counter()
        if self._is_async:
            loop = self._event_loop()

            async def timed() -> tuple[Any, float]:
                answer = await self._generate(datapoint)
                return answer, (time.perf_counter() - started) * 1000

            return asyncio.run_coroutine_threadsafe(timed(), loop)

        def timed_call() -> tuple[Any, float]:
            answer = self._generate(datapoint)
            return answer, (time.perf_counter() - started) * 1000

        if self._executor is None:
            self._executor = concurrent.futures.ThreadPoolExecutor(
                max_workers=self.concurrency, thread_name_prefix="nbwidgets-experiment"
            )
        return self._executor.submit(timed_call)

    def _event_loop(self) -> asyncio.AbstractEventLoop:
        """One event loop on its own thread for async generate functions (the kernel's loop is busy)."""
        if self._loop is None:
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_forever, name="nbwidgets-experiment-loop", daemon=True)
            thread.start()
            self._loop, self._loop_thread = loop, thread
        return self._loop

    def _finished(self, key: str, done: concurrent.futures.Future[Any]) -> None:
        with self._lock:
            if self._running.get(key) is not done:
                return
            del self._running[key]
            previous = self._results.get(key) or Generation("running")
        if done.cancelled():
            generation = replace(previous, state="error", error="cancelled")
        else:
            try:
                answer, latency_ms = done.result()
                output, trace_id, metadata = normalise(answer, latency_ms)
                generation = Generation("done", output, trace_id, metadata, None, previous.runs)
            except Exception as error:  # the row shows it; the other rows go on
                generation = Generation("error", None, None, {}, describe_error(error), previous.runs)
        with self._lock:
            self._set(key, generation)
        self._tell(key)
        self._pump()
        with self._idle:
            self._idle.notify_all()

    def _set(self, key: str, generation: Generation | None) -> None:
        """Change a datapoint's state (the caller holds the lock); `_tell` it afterwards, outside the lock."""
        if generation is None:
            self._results.pop(key, None)
        else:
            self._results[key] = generation
        self._untold += 1

    def _tell(self, key: str) -> None:
        with self._delivering:
            with self._lock:
                current = self._results.get(key)
            try:
                self._on_change(key, current)
            finally:
                with self._idle:
                    self._untold -= 1
                    self._idle.notify_all()


def _jsonable(value: Any) -> Any:
    """The value as plain JSON data (the front end gets traits as JSON)."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return _jsonable(dump(mode="json"))
    try:
        return json.loads(json.dumps(value, default=str))
    except (TypeError, ValueError):
        return str(value)
