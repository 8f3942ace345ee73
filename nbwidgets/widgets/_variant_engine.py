"""The variants' generation engine (ExperimentReview(..., variants={"A": ..., "B": ...})): it stands where
the single GenerationEngine stands, generating every variant on each row (one bounded pool across all of
them, each (row, variant) once unless re-run, through the same GenerationEngine), has each output judged
by the review's evaluators, and tells the review of a row's combined state. `check_variants` reads the
`variants=` argument.
"""

from __future__ import annotations

import asyncio
import inspect
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ._comparison import NEITHER, TIE
from ._generation import Generation, GenerationEngine
from ._judging import Judging, graded_fields

SEP = "\x1f"  # between a datapoint id and a variant name in the engine's and the judges' keys


def check_variants(variants: Any) -> dict[str, Any]:
    """`variants=` as {name: deployment key or function}, or a clear error naming the parameter."""
    if not isinstance(variants, Mapping):
        raise TypeError(f"variants must be a dict of name: deployment key or function, not {type(variants).__name__}")
    if not 2 <= len(variants) <= 4:
        raise ValueError(f"variants: compare two to four variants, not {len(variants)}")
    for name, spec in variants.items():
        if not isinstance(name, str) or not name.strip() or SEP in name or name in (TIE, NEITHER):
            raise ValueError(f"variants: each name is a short text (not 'tie' or 'neither'), not {name!r}")
        if not (isinstance(spec, str) and spec) and not callable(spec):
            raise TypeError(
                f"variants: {name!r} must be a deployment key (a str) or a function taking a datapoint, "
                f"not {type(spec).__name__}"
            )
    return dict(variants)


def _is_async(function: Any) -> bool:
    return inspect.iscoroutinefunction(function) or inspect.iscoroutinefunction(getattr(function, "__call__", None))  # noqa: B004


def _dispatcher(functions: dict[str, Callable[[Any], Any]]) -> Callable[[Any], Any]:
    """One generate function over (name, datapoint) pairs (async when every variant is)."""
    if all(_is_async(f) for f in functions.values()):

        async def run_async(pair: tuple[str, Any]) -> Any:
            return await functions[pair[0]](pair[1])

        return run_async

    def run(pair: tuple[str, Any]) -> Any:
        answer = functions[pair[0]](pair[1])
        if inspect.isawaitable(answer):  # an async variant beside plain ones: run on this pool thread

            async def awaited() -> Any:
                return await answer

            return asyncio.run(awaited())
        return answer

    return run


def _combined(generations: list[Generation | None]) -> Generation | None:
    """A row's state over its variants: busy while any is, failed when any failed, done when all are."""
    found = [g for g in generations if g is not None]
    if not found:
        return None
    states = {g.state for g in found}
    runs = max(g.runs for g in found)
    if "running" in states:
        return Generation("running", runs=runs)
    if "queued" in states:
        return Generation("queued", runs=runs)
    if "error" in states:
        errors = "; ".join(g.error or "failed" for g in found if g.state == "error")
        return Generation("error", error=errors, runs=runs)
    if len(found) < len(generations):
        return Generation("queued", runs=runs)
    return Generation("done", runs=runs)


class VariantEngine:
    """The GenerationEngine's interface over every variant of each datapoint (keys: datapoint ids)."""

    def __init__(
        self,
        functions: dict[str, Callable[[Any], Any]],
        *,
        concurrency: int,
        on_change: Callable[[str, Generation | None], None],
        key: Callable[[Any], str],
        judging: Judging | None,
    ) -> None:
        self.names = list(functions)
        self._key = key
        self._on_change = on_change
        self._judging = judging
        self._lock = threading.Lock()
        self._datapoints: dict[str, Any] = {}
        self._seen: dict[str, Generation | None] = {}
        self._inner = GenerationEngine(
            _dispatcher(functions),
            concurrency=concurrency,
            on_change=self._changed,
            key=lambda pair: f"{key(pair[1])}{SEP}{pair[0]}",
        )

    @property
    def concurrency(self) -> int:
        return self._inner.concurrency

    @property
    def calls(self) -> int:
        return self._inner.calls

    @property
    def max_in_flight(self) -> int:
        return self._inner.max_in_flight

    def _keys(self, datapoint_id: str) -> list[str]:
        return [f"{datapoint_id}{SEP}{name}" for name in self.names]

    def submit(self, datapoints: Iterable[Any], *, ahead: bool = False) -> int:
        points = list(datapoints)
        with self._lock:
            for dp in points:
                self._datapoints[self._key(dp)] = dp
        # row by row, each row's variants side by side: the first rows are complete first
        queued = self._inner.submit([(name, dp) for dp in points for name in self.names], ahead=ahead)
        return queued

    def rerun(self, datapoint: Any) -> None:
        key = self._key(datapoint)
        with self._lock:
            self._datapoints[key] = datapoint
        for name in self.names:
            current = self._inner.result(f"{key}{SEP}{name}")
            if current is None or current.state not in ("queued", "running"):
                self._inner.rerun((name, datapoint))

    def cancel(self) -> list[str]:
        dropped = self._inner.cancel()
        return list(dict.fromkeys(k.split(SEP, 1)[0] for k in dropped))

    def result(self, datapoint_id: str) -> Generation | None:
        return _combined([self._inner.result(k) for k in self._keys(datapoint_id)])

    def generations(self, datapoint_id: str) -> dict[str, Generation | None]:
        return {name: self._inner.result(f"{datapoint_id}{SEP}{name}") for name in self.names}

    @property
    def busy(self) -> bool:
        return self._inner.busy

    def wait(self, keys: Iterable[str] | None = None, timeout: float | None = None) -> bool:
        inner = None if keys is None else [k for key in keys for k in self._keys(key)]
        if not self._inner.wait(inner, timeout):
            return False
        if self._judging is not None and inner is not None:
            return self._judging.wait(inner, timeout)
        return True

    def close(self) -> None:
        self._inner.close()

    def _changed(self, composite: str, generation: Generation | None) -> None:
        datapoint_id, _name = composite.split(SEP, 1)
        with self._lock:
            previous = self._seen.get(composite)
            self._seen[composite] = generation
            datapoint = self._datapoints.get(datapoint_id)
        judging = self._judging
        if judging is not None:
            if (
                generation is not None
                and generation.state != "done"
                and previous is not None
                and previous.state == "done"
            ):
                judging.forget(composite)  # a re-run: the old output's verdicts go with it
            done = generation is not None and generation.state == "done"
            if done and (previous is None or previous.state != "done") and datapoint is not None:
                assert generation is not None
                judging.judge(composite, generation.runs, graded_fields(datapoint, generation.output))
        self._on_change(datapoint_id, self.result(datapoint_id))
