"""Every timeout says what it waited for: no bare, wordless TimeoutError reaches the caller (issue 23).

The one seen under faults: a write that settled just as its 120 s wait ran out re-raised the futures
machinery's own `TimeoutError()` (no message) instead of what the write gave.
"""

from __future__ import annotations

import ast
import concurrent.futures
import pathlib

import pytest

import nbwidgets
from nbwidgets.client.errors import ApiError, RequestFailedError, ServiceTimeoutError, TransportError
from nbwidgets.client.writes import Write, WriteHandle, WriteTimeoutError
from nbwidgets.widgets._waiting import outcome, wait_for_load

PACKAGE = pathlib.Path(nbwidgets.__file__).parent


def settles_as_the_wait_runs_out(monkeypatch, future, settle):
    """Make `future.result(timeout)` time out at the very moment the work ends (the race, made certain)."""
    plain = concurrent.futures.Future.result

    def result(self, timeout=None):
        if self is future and timeout and not self.done():
            settle()
            raise concurrent.futures.TimeoutError()  # what Future.result raises: no words
        return plain(self, timeout)

    monkeypatch.setattr(concurrent.futures.Future, "result", result)


def test_a_widget_wait_that_runs_out_names_what_it_waited_for():
    with pytest.raises(TimeoutError) as waited:
        outcome(concurrent.futures.Future(), 0.01, "The edit")
    assert str(waited.value).startswith("The edit did not finish within 0.01 s")
    with pytest.raises(TimeoutError) as waited:
        wait_for_load(concurrent.futures.Future(), "dataset d1", timeout=0.01)
    assert str(waited.value).startswith("dataset d1 did not load within 0.01 s")


def test_work_that_ends_as_the_wait_runs_out_gives_its_own_outcome(monkeypatch):
    saved = concurrent.futures.Future()
    settles_as_the_wait_runs_out(monkeypatch, saved, lambda: saved.set_result("saved"))
    assert outcome(saved, 120, "The edit") == "saved"
    refused = concurrent.futures.Future()
    settles_as_the_wait_runs_out(monkeypatch, refused, lambda: refused.set_exception(ValueError("refused: no")))
    with pytest.raises(ValueError, match="refused: no"):
        outcome(refused, 120, "The edit")


def test_a_write_handle_that_settles_as_its_wait_runs_out_gives_what_it_got(monkeypatch):
    handle = WriteHandle(Write("datapoint", "d1/p1", {}), 1)
    settles_as_the_wait_runs_out(monkeypatch, handle, lambda: handle._settle("saved", {"id": "p1"}))
    assert handle.result(120) == {"id": "p1"}
    assert outcome(handle, 120, "The edit") == {"id": "p1"}  # through the widget's wait too


def test_a_write_handle_wait_that_runs_out_names_the_write():
    handle = WriteHandle(Write("datapoint", "d1/p1", {}), 1)
    with pytest.raises(WriteTimeoutError) as waited:
        handle.result(0.01)
    assert "datapoint of d1/p1" in str(waited.value) and "within 0.01 s" in str(waited.value)
    with pytest.raises(TimeoutError) as waited:
        outcome(handle, 0.01, "The edit")
    assert str(waited.value).startswith("The edit did not finish within 0.01 s")


def test_work_failed_by_a_wordless_timeout_is_given_words():
    failed = concurrent.futures.Future()
    failed.set_exception(TimeoutError())
    with pytest.raises(TimeoutError) as waited:
        outcome(failed, 1, "The edit")
    assert str(waited.value).startswith("The edit failed: a wait inside it ran out")


def test_a_transport_timeout_is_no_answer_and_a_builtin_timeout():
    error = ServiceTimeoutError("timed out: http://x had not answered within 1 s", method="GET", route="/v2/x")
    assert isinstance(error, TransportError) and isinstance(error, TimeoutError)
    assert isinstance(error, RequestFailedError) and not isinstance(error, ApiError)  # no answer came
    assert str(error) == "GET /v2/x: timed out: http://x had not answered within 1 s" and error.status is None


def _timeouts_made(tree: ast.AST) -> list[ast.Call]:
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id.endswith("TimeoutError")
    ]


def test_every_timeout_made_in_the_package_carries_a_sentence():
    """Each `SomeTimeoutError(...)` made in the package is given a message that says what and how long."""
    found = 0
    for path in PACKAGE.rglob("*.py"):
        for call in _timeouts_made(ast.parse(path.read_text())):
            found += 1
            assert call.args, f"{path}:{call.lineno}: a timeout without words"
            words = ast.unparse(call.args[0])
            said = (
                "within" in words or "ran out" in words or isinstance(call.args[0], ast.Name)
            )  # a name: its sentence is made above it
            assert said, f"{path}:{call.lineno}: says not what it waited for: {words}"
    assert found >= 8  # the transport's two, the write handle's, the widgets' waits
