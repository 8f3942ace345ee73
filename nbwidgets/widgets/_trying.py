"""EvaluatorForm's "Try it": the saved evaluator run on a page of a dataset, and again after each save.

What is graded is either the datapoints' expected outputs (graded on their own: they are the reference) or a
deployment's answers to the datapoints (graded against the expected outputs). A deployment's answers are
generated once per row and kept, so running the new version after a save grades the same texts; the rows
whose verdict changed between versions are marked. Verdicts come from `client.invoke_evaluator`, which
remembers each answer.
"""

from __future__ import annotations

import concurrent.futures
import threading
from collections.abc import Callable
from typing import Any

from ..client import OrqClient
from ..models import Datapoint, Evaluator
from ._base import describe
from ._judging import graded_fields

TRY_AT_ONCE = 4
MAX_LIMIT = 50


def _verdict_key(row: dict[str, Any]) -> tuple[Any, Any]:
    return (row.get("value"), row.get("passed"))


class Trial:
    """One "Try it": which rows, what is graded, and the verdicts of the version last run."""

    def __init__(self, client: OrqClient, on_change: Callable[[dict[str, Any], list[dict[str, Any]]], None]) -> None:
        self.client = client
        self._on_change = on_change
        self._lock = threading.Lock()
        self._answers: dict[tuple[str, str], str] = {}  # (deployment, datapoint id) -> its answer, generated once
        self.setup: dict[str, Any] | None = None  # {dataset_id, deployment, limit, page}
        self.rows: list[dict[str, Any]] = []
        self.status: dict[str, Any] = {"state": "idle"}
        self._runs = 0
        # runs in flight by (evaluator, its version as the form knows it, setup): a second ask for the same
        # (the run a save starts, and try_on called just after it) waits for the first instead of racing it
        self._running: dict[tuple[Any, ...], concurrent.futures.Future[list[dict[str, Any]]]] = {}
        # the verdicts of each version run on these rows (for the same setup), oldest first: a run is compared
        # with the last version before its own
        self._history: list[tuple[str | None, list[dict[str, Any]]]] = []
        self._history_setup: dict[str, Any] | None = None

    @staticmethod
    def check(dataset_id: Any, deployment: Any, limit: Any, page: Any) -> None:
        if not isinstance(dataset_id, str) or not dataset_id.strip():
            raise TypeError(f"dataset_id must be a dataset id (a str), not {type(dataset_id).__name__}")
        if deployment is not None and (not isinstance(deployment, str) or not deployment.strip()):
            raise TypeError(f"deployment must be a deployment key (a str) or None, not {deployment!r}")
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
            raise ValueError(f"limit must be a whole number from 1 to {MAX_LIMIT}, not {limit!r}")
        if isinstance(page, bool) or not isinstance(page, int) or page < 1:
            raise ValueError(f"page must be a whole number from 1, not {page!r}")

    def run(self, evaluator_id: str, setup: dict[str, Any], version: Any = None) -> list[dict[str, Any]]:
        """Run the evaluator's stored (current) version on the rows `setup` names, and mark the rows whose
        verdict differs from the version run before it on the same rows. `version`: the one the caller
        knows saved; the same run asked for again while it goes is joined, not run a second time."""
        key = (evaluator_id, version, tuple(sorted(setup.items())))
        mine: concurrent.futures.Future[list[dict[str, Any]]] = concurrent.futures.Future()
        with self._lock:
            running = self._running.setdefault(key, mine)
        if running is not mine:
            return running.result()
        try:
            rows = self._run(evaluator_id, setup)
        except BaseException as error:
            mine.set_exception(error)
            raise
        else:
            mine.set_result(rows)
            return rows
        finally:
            with self._lock:
                self._running.pop(key, None)

    def _run(self, evaluator_id: str, setup: dict[str, Any]) -> list[dict[str, Any]]:
        with self._lock:
            self._runs += 1
            ticket = self._runs
            if setup != self._history_setup:
                self._history, self._history_setup = [], dict(setup)
            shown = list(self.rows) if self.status.get("dataset_id") == setup["dataset_id"] else []
        evaluator = self.client.resolve_evaluator(evaluator_id)  # read once: the version every row runs at
        version = (evaluator.model_extra or {}).get("version")
        with self._lock:
            older = [rows for v, rows in self._history if v != version]
            compare = bool(older)
            before = {row["datapoint_id"]: row for row in older[-1]} if older else {}
        self._tell(ticket, {"state": "running", "version": version, **setup}, shown)
        try:
            if setup["deployment"] is not None:
                self._check_deployment(setup["deployment"])
            datapoints = self._datapoints(setup)
        except Exception as error:
            self._tell(ticket, {"state": "error", "message": describe(error)["message"], **setup}, [])
            raise
        with concurrent.futures.ThreadPoolExecutor(TRY_AT_ONCE, thread_name_prefix="nbwidgets-try") as pool:
            rows = list(pool.map(lambda dp: self._one(evaluator, dp, setup["deployment"]), datapoints))
        for row in rows:
            earlier = before.get(row["datapoint_id"])
            if earlier is not None and earlier.get("state") == "done" and row["state"] == "done":
                row["changed"] = _verdict_key(earlier) != _verdict_key(row)
                if row["changed"]:
                    row["before"] = {"value": earlier.get("value"), "passed": earlier.get("passed")}
        changed = sum(1 for row in rows if row.get("changed"))
        failed = sum(1 for row in rows if row["state"] == "error")
        status = {"state": "done", "version": version, "changed": changed if compare else None, "failed": failed}
        with self._lock:
            if setup == self._history_setup:
                self._history = [(v, r) for v, r in self._history if v != version] + [(version, rows)]
        self._tell(ticket, {**status, **setup}, rows)
        return rows

    def _check_deployment(self, key: str) -> None:
        known: list[str] = []
        cursor = None
        while True:
            page = self.client.list_deployments(limit=50, starting_after=cursor)
            known += [d.key for d in page.items]
            if key in known:
                return
            if not page.has_next or not page.items:
                break
            cursor = page.next_cursor
        raise ValueError(
            f"deployment: no deployment {key!r} in {self.client.label} (it has {', '.join(known) or 'none'})"
        )

    def _datapoints(self, setup: dict[str, Any]) -> list[Datapoint]:
        cursor = None
        for number in range(1, setup["page"] + 1):
            page = self.client.datapoints_page(setup["dataset_id"], limit=setup["limit"], starting_after=cursor)
            if number == setup["page"]:
                return list(page.items)
            if not page.has_next:
                raise ValueError(f"page: the dataset has only {number} page(s) of {setup['limit']} rows")
            cursor = page.next_cursor
        return []

    def _one(self, evaluator: Evaluator, datapoint: Datapoint, deployment: str | None) -> dict[str, Any]:
        row: dict[str, Any] = {"datapoint_id": datapoint.id, "expected_output": datapoint.expected_output}
        try:
            if deployment is None:
                if not isinstance(datapoint.expected_output, str) or not datapoint.expected_output.strip():
                    return {**row, "state": "skipped", "text": None, "error": "No expected output to grade"}
                graded = {**graded_fields(datapoint, datapoint.expected_output), "expected_output": None}
            else:
                graded = graded_fields(datapoint, self._answer(deployment, datapoint))
            row["text"] = graded["output"]
            result = self.client.invoke_evaluator(evaluator, **graded)
        except Exception as error:  # shown on its row; the other rows go on
            return {**row, "state": "error", "error": describe(error)["message"], "text": row.get("text")}
        return {
            **row,
            "state": "done",
            "value": result.value,
            "passed": result.passed,
            "status": result.status,
            "explanation": result.explanation,
            "trace_id": result.trace_id,
        }

    def _answer(self, deployment: str, datapoint: Datapoint) -> str:
        assert datapoint.id is not None
        key = (deployment, datapoint.id)
        with self._lock:
            known = self._answers.get(key)
        if known is not None:
            return known
        wire = datapoint.to_wire()
        answer = self.client.invoke_deployment(
            deployment, inputs=wire.get("inputs") or None, messages=wire.get("messages") or None
        )
        text = answer.output if isinstance(answer.output, str) else str(answer.output)
        with self._lock:
            self._answers[key] = text
        return text

    def _tell(self, ticket: int, status: dict[str, Any], rows: list[dict[str, Any]]) -> None:
        with self._lock:
            if ticket != self._runs:
                return  # a newer run took over
            self.status, self.rows = status, rows
        self._on_change(status, rows)
