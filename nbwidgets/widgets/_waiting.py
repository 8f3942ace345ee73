"""How widgets run work and wait for it: one small pool of daemon threads for every widget's reads, and the
waits of widget calls (`wait=True`, `grid.rows`, `form.value`) that give the work's result or its own
error raised from the call, and a timeout in words that say what was waited for."""

from __future__ import annotations

import concurrent.futures
import queue
import threading
from collections.abc import Callable
from concurrent.futures import TimeoutError as RanOut  # a wait on the work that ran out
from typing import Any


class _DaemonPool:
    """A few daemon threads running reads: at exit nobody waits for them (a ThreadPoolExecutor's
    threads are joined at interpreter exit, so one slow request would hold a script open)."""

    def __init__(self, workers: int) -> None:
        self._jobs: queue.SimpleQueue[tuple[concurrent.futures.Future[Any], Callable[..., Any], tuple[Any, ...]]]
        self._jobs = queue.SimpleQueue()
        for index in range(workers):
            threading.Thread(target=self._work, name=f"nbwidgets-{index}", daemon=True).start()

    def submit(self, fn: Callable[..., Any], *args: Any) -> concurrent.futures.Future[Any]:
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        self._jobs.put((future, fn, args))
        return future

    def _work(self) -> None:
        while True:
            future, fn, args = self._jobs.get()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn(*args))
            except BaseException as error:
                future.set_exception(error)


# One pool for every widget in the kernel: a hundred widgets do not mean a hundred threads.
_pool = _DaemonPool(workers=4)


def run_in_background(fn: Callable[..., Any], *args: Any) -> concurrent.futures.Future[Any]:
    return _pool.submit(fn, *args)


LOAD_TIMEOUT = 60.0  # seconds a read of `grid.rows` or `form.value` waits for the first load


def wait_for_load(future: concurrent.futures.Future[Any], what: str, timeout: float = LOAD_TIMEOUT) -> None:
    """Wait (bounded) for a widget's first load: its own error if it failed, a clear one if it is slow."""
    waited(future, timeout, f"{what} did not load within {timeout:g} s (is the service reachable?)", what)


def outcome(future: concurrent.futures.Future[Any], timeout: float | None = None, what: str = "The write") -> Any:
    """What a widget call that waits returns: the work's result, or its error raised from the widget call
    itself (without the worker's frames); a wait that runs out says so in words."""
    ran_out = f"{what} did not finish within {timeout:g} s; it goes on in the background (the widget shows it)"
    return waited(future, timeout, ran_out, what)


def waited(future: concurrent.futures.Future[Any], timeout: float | None, ran_out: str, what: str) -> Any:
    """The work's result within `timeout`: a wait that ran out (a TimeoutError saying `ran_out`) told apart
    from work that failed (its own error, raised from here). Never a wordless TimeoutError: work that ended
    just as the wait ran out gives what it gave, and a wordless timeout of the work's own is given words."""
    try:
        return future.result(timeout)
    except RanOut as error:
        if not future.done():  # the wait ran out, not the work
            raise TimeoutError(ran_out) from None
        if future.exception(0) is not error:  # it settled just as the wait ran out: take what it gave
            return waited(future, 0, ran_out, what)
        if not str(error):
            raise TimeoutError(f"{what} failed: a wait inside it ran out (a TimeoutError without words)") from None
        raise error.with_traceback(None) from None
    except Exception as error:
        raise error.with_traceback(None) from None
