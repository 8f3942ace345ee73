"""The outbox: every write that leaves the notebook is first stored on disk, then sent by one worker.

A kernel restart or a network drop loses nothing: the next client for the same service (same base URL
and key) drains what is left. Entries with the same `order_key` (one feedback, one datapoint) are sent
in the order they were queued; others do not wait for each other. The key is never stored: entries are
scoped by a salted fingerprint of it.

Transient failures (5xx, 429, dropped connections) are retried with backoff for as long as it takes;
a refusal (4xx) ends the entry as failed, with the server's reason, for the widget to show.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import os
import random
import socket
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import RateLimitedError, ServerError, TransportError

if TYPE_CHECKING:
    from .base import Client

SCHEMA = """
CREATE TABLE IF NOT EXISTS entry (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    scope TEXT NOT NULL,
    kind TEXT NOT NULL,
    order_key TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'queued',      -- queued | failed
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt REAL NOT NULL DEFAULT 0,
    lease_until REAL NOT NULL DEFAULT 0,
    owner TEXT,                                -- host:pid of the process sending it, while leased
    last_error TEXT,
    created REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS entry_due ON entry (scope, state, seq);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
LEASE_SECONDS = 120.0  # longer than one delivery with the transport's own retries
MAX_BACKOFF = 30.0
Listener = Callable[[str, dict[str, Any]], None]


def default_path() -> Path:
    base = os.environ.get("NBWIDGETS_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "nbwidgets"
    )
    return Path(base) / "outbox.sqlite3"


class Ticket:
    """One queued write: a future for its result, and listeners told of each attempt."""

    def __init__(self, seq: int) -> None:
        self.seq = seq
        self.future: concurrent.futures.Future = concurrent.futures.Future()
        self._listeners: list[Listener] = []

    def on_event(self, listener: Listener) -> Ticket:
        """`listener(event, data)`: event is "retrying" (with error) or "sent"/"failed"."""
        self._listeners.append(listener)
        return self

    def _emit(self, event: str, data: dict[str, Any]) -> None:
        for listener in self._listeners:
            try:
                listener(event, data)
            except Exception:  # a widget's listener must not stop the worker
                pass

    def result(self, timeout: float | None = None) -> Any:
        return self.future.result(timeout)


class Outbox:
    def __init__(self, client: Client, path: str | Path | None = None) -> None:
        self._client = client
        self.path = Path(path) if path else default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(SCHEMA)
        self._lock = threading.RLock()
        self.scope = self._scope(client)
        self._owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._tickets: dict[int, Ticket] = {}
        self._wake = threading.Event()
        self._idle = threading.Condition()
        self._closed = False
        self._worker = threading.Thread(target=self._run, name="nbwidgets-outbox", daemon=True)
        self._worker.start()

    def _scope(self, client: Client) -> str:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE name = 'salt'").fetchone()
            if row is None:
                self._db.execute("INSERT OR IGNORE INTO meta (name, value) VALUES ('salt', ?)", (os.urandom(16).hex(),))
                row = self._db.execute("SELECT value FROM meta WHERE name = 'salt'").fetchone()
        fingerprint = hashlib.sha256((row[0] + client._key.reveal()).encode()).hexdigest()[:16]
        return f"{client.service} {client.base_url} {fingerprint}"

    # --- queueing -------------------------------------------------------------------------------

    def enqueue(self, kind: str, payload: dict[str, Any], order_key: str) -> Ticket:
        """Store the write on disk, then wake the worker. Returns at once."""
        if self._closed:
            raise RuntimeError("the outbox is closed")
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO entry (scope, kind, order_key, payload, created) VALUES (?, ?, ?, ?, ?)",
                (self.scope, kind, order_key, json.dumps(payload), time.time()),
            )
            ticket = Ticket(cursor.lastrowid)
            self._tickets[ticket.seq] = ticket
        self._wake.set()
        return ticket

    def pending(self) -> list[dict[str, Any]]:
        """Writes of this service still to be delivered, oldest first."""
        return self._entries("queued")

    def failed(self) -> list[dict[str, Any]]:
        """Writes the service refused (kept for inspection; `discard_failed()` clears them)."""
        return self._entries("failed")

    def discard_failed(self) -> int:
        with self._lock:
            return self._db.execute("DELETE FROM entry WHERE scope = ? AND state = 'failed'", (self.scope,)).rowcount

    def _entries(self, state: str) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, kind, payload, attempts, last_error FROM entry WHERE scope = ? AND state = ? ORDER BY seq",
                (self.scope, state),
            ).fetchall()
        return [
            {"seq": s, "kind": k, "payload": json.loads(p), "attempts": a, "last_error": e} for s, k, p, a, e in rows
        ]

    def retry_now(self) -> None:
        """Try every write that is waiting out a backoff again at once."""
        with self._lock:
            self._db.execute("UPDATE entry SET next_attempt = 0 WHERE scope = ? AND state = 'queued'", (self.scope,))
        self._wake.set()

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every queued write of this service is delivered (or refused). False on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        self._wake.set()
        with self._idle:
            while self.pending():
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._idle.wait(0.05 if remaining is None else min(0.05, remaining))
        return True

    def close(self) -> None:
        """Stop the worker. What is still queued stays on disk for the next client."""
        self._closed = True
        self._wake.set()
        self._worker.join(timeout=5)
        with self._lock:
            self._db.execute(
                "UPDATE entry SET lease_until = 0 WHERE scope = ? AND lease_until > 0 AND state = 'queued'",
                (self.scope,),
            )
            self._db.close()

    # --- the worker -----------------------------------------------------------------------------

    def _reap_dead_owners(self) -> None:
        """Free the entries leased by a process of this host that has died (a killed kernel)."""
        with self._lock:
            owners = [
                r[0]
                for r in self._db.execute(
                    "SELECT DISTINCT owner FROM entry WHERE scope = ? AND lease_until > ? AND owner IS NOT NULL "
                    "AND owner != ?",
                    (self.scope, time.time(), self._owner),
                )
            ]
        for owner in owners:
            host, pid, _ = owner.split(":", 2)
            if host == socket.gethostname() and not _alive(int(pid)):
                with self._lock:
                    self._db.execute("UPDATE entry SET lease_until = 0, owner = NULL WHERE owner = ?", (owner,))

    def _claim(self) -> tuple[int, str, dict[str, Any], int] | None:
        now = time.time()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                row = self._db.execute(
                    "SELECT seq, kind, payload, attempts FROM entry AS e WHERE scope = ? AND state = 'queued' "
                    "AND next_attempt <= ? AND lease_until < ? AND NOT EXISTS (SELECT 1 FROM entry AS p "
                    "WHERE p.scope = e.scope AND p.state = 'queued' AND p.order_key = e.order_key AND p.seq < e.seq) "
                    "ORDER BY seq LIMIT 1",
                    (self.scope, now, now),
                ).fetchone()
                if row is not None:
                    self._db.execute(
                        "UPDATE entry SET lease_until = ?, owner = ? WHERE seq = ?",
                        (now + LEASE_SECONDS, self._owner, row[0]),
                    )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return (row[0], row[1], json.loads(row[2]), row[3]) if row else None

    def _next_due(self) -> float:
        with self._lock:
            row = self._db.execute(
                "SELECT MIN(MAX(next_attempt, lease_until)) FROM entry WHERE scope = ? AND state = 'queued'",
                (self.scope,),
            ).fetchone()
        return max(0.05, min(1.0, (row[0] or time.time() + 1.0) - time.time()))

    def _run(self) -> None:
        reaped = 0.0
        while not self._closed:
            if time.monotonic() - reaped > 5:
                self._reap_dead_owners()
                reaped = time.monotonic()
            try:
                claimed = self._claim()
            except sqlite3.Error:
                claimed = None
            if claimed is None:
                with self._idle:
                    self._idle.notify_all()
                self._wake.wait(self._next_due())
                self._wake.clear()
                continue
            self._deliver(*claimed)

    def _deliver(self, seq: int, kind: str, payload: dict[str, Any], attempts: int) -> None:
        ticket = self._tickets.get(seq)
        try:
            result = self._client._execute(kind, payload)
        except (ServerError, TransportError, RateLimitedError) as error:
            # not delivered yet: try again later, for as long as it takes
            delay = getattr(error, "retry_after", None) or min(MAX_BACKOFF, 0.25 * 2 ** min(attempts, 8))
            delay *= random.uniform(0.75, 1.25)
            with self._lock:
                self._db.execute(
                    "UPDATE entry SET attempts = attempts + 1, next_attempt = ?, lease_until = 0, "
                    "last_error = ? WHERE seq = ?",
                    (time.time() + delay, str(error), seq),
                )
            if ticket:
                ticket._emit("retrying", {"error": error, "attempts": attempts + 1, "delay": delay})
            return
        except Exception as error:  # refused by the service (or by our own validation): final
            with self._lock:
                self._db.execute(
                    "UPDATE entry SET state = 'failed', attempts = attempts + 1, lease_until = 0, "
                    "last_error = ? WHERE seq = ?",
                    (str(error), seq),
                )
            if ticket:
                self._tickets.pop(seq, None)
                ticket._emit("failed", {"error": error})
                ticket.future.set_exception(error)
            return
        with self._lock:
            self._db.execute("DELETE FROM entry WHERE seq = ?", (seq,))
        if ticket:
            self._tickets.pop(seq, None)
            ticket._emit("sent", {"result": result})
            ticket.future.set_result(result)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
