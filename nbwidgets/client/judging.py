"""Running evaluators: a read that costs money, so each answer is remembered and no question is asked twice.

An answer is remembered by (evaluator id, version, what was graded) for the client's lifetime, and on disk
beside the outbox when the client talks to a real service (a sandbox's answers die with it). The same
question asked twice at once is sent once: the second asker waits for the first's answer. At most
`concurrency` invocations are in flight per client; a 429 waits for its Retry-After (the transport's rule).
`client.forget_evaluations()` clears the memory, on disk too.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..models import EvaluatorResult
from .cache import default_path, private_file, private_folder

DEFAULT_CONCURRENCY = 8  # evaluator calls in flight per client (an LLM judge takes seconds)

SCHEMA = """
CREATE TABLE IF NOT EXISTS answer (scope TEXT NOT NULL, key TEXT NOT NULL, body TEXT NOT NULL, at REAL NOT NULL,
                                   PRIMARY KEY (scope, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def memory_path() -> Path:
    """Beside the outbox (NBWIDGETS_CACHE_DIR, else ~/.cache/nbwidgets)."""
    return default_path().with_name("evaluations.sqlite3")


def question_key(evaluator_id: str, version: str | None, fingerprint: str | None, context: dict[str, Any]) -> str:
    """What identifies a question: the evaluator, its version (and the definition stamp, when known) and
    what is graded, as canonical JSON."""
    text = json.dumps([evaluator_id, version, fingerprint, context], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


class _Disk:
    """The SQLite file behind a memory (private to the user, like the outbox)."""

    def __init__(self, path: Path) -> None:
        private_folder(path.parent)
        private_file(path)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=30)
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(SCHEMA)
        for companion in (Path(f"{path}-wal"), Path(f"{path}-shm")):
            if companion.exists():
                private_file(companion)

    def salt(self) -> str:
        with self._lock:
            self._db.execute("INSERT OR IGNORE INTO meta (name, value) VALUES ('salt', ?)", (os.urandom(16).hex(),))
            return str(self._db.execute("SELECT value FROM meta WHERE name = 'salt'").fetchone()[0])

    def get(self, scope: str, key: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute("SELECT body FROM answer WHERE scope = ? AND key = ?", (scope, key)).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, scope: str, key: str, body: dict[str, Any]) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO answer (scope, key, body, at) VALUES (?, ?, ?, ?)",
                (scope, key, json.dumps(body), time.time()),
            )

    def clear(self, scope: str) -> int:
        with self._lock:
            return int(self._db.execute("DELETE FROM answer WHERE scope = ?", (scope,)).rowcount)

    def close(self) -> None:
        with self._lock:
            self._db.close()


class EvaluationMemory:
    """Answers by question key, the questions in flight, and the bound on invocations at once."""

    def __init__(self, *, scope: str, disk_path: Path | None, concurrency: int = DEFAULT_CONCURRENCY) -> None:
        self._answers: dict[str, EvaluatorResult] = {}
        self._pending: dict[str, concurrent.futures.Future[EvaluatorResult]] = {}
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(concurrency)
        self.concurrency = concurrency
        self._disk = _Disk(disk_path) if disk_path is not None else None
        salt = self._disk.salt() if self._disk is not None else ""
        self._scope = hashlib.sha256((salt + scope).encode()).hexdigest()[:32]
        self.sent = 0  # invocations sent by this memory (answers from memory are not counted)
        self.in_flight = 0
        self.max_in_flight = 0

    @property
    def on_disk(self) -> bool:
        return self._disk is not None

    def remembered(self, key: str) -> EvaluatorResult | None:
        with self._lock:
            found = self._answers.get(key)
        if found is None and self._disk is not None:
            body = self._disk.get(self._scope, key)
            if body is not None:
                found = EvaluatorResult.model_validate(body)
                with self._lock:
                    self._answers[key] = found
        return found

    def answer(self, key: str, ask: Callable[[], EvaluatorResult]) -> EvaluatorResult:
        """The remembered answer, or the one being fetched by another caller, or `ask()` (once)."""
        found = self.remembered(key)
        if found is not None:
            return found
        with self._lock:
            found = self._answers.get(key)
            if found is not None:
                return found
            waiting = self._pending.get(key)
            if waiting is None:
                mine: concurrent.futures.Future[EvaluatorResult] = concurrent.futures.Future()
                self._pending[key] = mine
        if waiting is not None:
            return waiting.result()
        try:
            with self._slots:
                with self._lock:
                    self.sent += 1
                    self.in_flight += 1
                    self.max_in_flight = max(self.max_in_flight, self.in_flight)
                try:
                    result = ask()
                finally:
                    with self._lock:
                        self.in_flight -= 1
        except BaseException as error:  # not remembered: asking again asks the service again
            with self._lock:
                del self._pending[key]
            mine.set_exception(error)
            raise
        if self._disk is not None:
            self._disk.put(self._scope, key, result.model_dump(mode="json", exclude_none=True))
        with self._lock:
            self._answers[key] = result
            del self._pending[key]
        mine.set_result(result)
        return result

    def clear(self) -> int:
        """Forget every answer (on disk too). Returns how many were forgotten."""
        with self._lock:
            count = len(self._answers)
            self._answers.clear()
        if self._disk is not None:
            count = max(count, self._disk.clear(self._scope))
        return count

    def __len__(self) -> int:
        with self._lock:
            return len(self._answers)

    def close(self) -> None:
        if self._disk is not None:
            self._disk.close()
