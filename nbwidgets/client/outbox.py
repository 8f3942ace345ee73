"""The outbox's storage: pending writes in SQLite, private to the user, shared by the user's processes.

`~/.cache/nbwidgets/outbox.sqlite3` (or `$NBWIDGETS_CACHE_DIR`): the folder is 0700 and the files 0600
whatever the umask, and a looser existing folder or file is tightened on open (said once in the log).
A sandbox whose store dies with it gets an in-memory outbox: nobody could deliver its writes later.

Entries are scoped by service, URL and a salted fingerprint of the key (the key itself is never
stored). A process claims an entry with a lease it renews while delivering it, so two processes never
send one entry at once; entries leased by a dead process of this host are freed at once. What each
write left on the service (its version token) is remembered per key and origin (the widget that
made it), so a later write of that origin on that key knows the change was its own. How entries
are delivered: `writes.py`.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sqlite3
import stat
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger("nbwidgets.client")

SCHEMA = """
CREATE TABLE IF NOT EXISTS entry (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    scope TEXT NOT NULL,
    kind TEXT NOT NULL,
    order_key TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'queued',      -- queued | failed (refused, or a conflict)
    attempts INTEGER NOT NULL DEFAULT 0,       -- deliveries begun: above 0, an earlier one may have landed
    next_attempt REAL NOT NULL DEFAULT 0,
    lease_until REAL NOT NULL DEFAULT 0,
    owner TEXT,                                -- host:pid:nonce of the process delivering it, while leased
    last_error TEXT,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS landed (
    scope TEXT NOT NULL,
    order_key TEXT NOT NULL,
    token TEXT NOT NULL,                       -- a version token one of our writes left (orq: `updated`)
    at REAL NOT NULL,
    PRIMARY KEY (scope, order_key, token)
);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
# columns added since the first release: (table, name, declaration)
MIGRATIONS = (
    ("entry", "expects", "TEXT"),  # JSON: what the write expects to find (its conflict base)
    ("entry", "origin", "TEXT NOT NULL DEFAULT ''"),  # who made the write (a widget): its chain of edits
    ("landed", "origin", "TEXT NOT NULL DEFAULT ''"),  # the origin of the write that left the token
)
INDEXES = "CREATE INDEX IF NOT EXISTS entry_key ON entry (scope, order_key, state, seq);"

LEASE_SECONDS = 60.0  # renewed every LEASE_SECONDS / 4 while a delivery is in flight
TOKENS_KEPT_SECONDS = 7 * 86400.0
DEFAULT_MAX_AGE_DAYS = 7.0  # older unclaimed entries are reported (NBWIDGETS_OUTBOX_MAX_AGE_DAYS)
_warned: set[str] = set()  # paths already reported in the log (once per process)


@dataclass
class Entry:
    seq: int
    kind: str
    key: str
    payload: dict[str, Any]
    expects: Any
    attempts: int
    origin: str = ""


def default_path() -> Path:
    base = os.environ.get("NBWIDGETS_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "nbwidgets"
    )
    return Path(base) / "outbox.sqlite3"


def max_age_days() -> float:
    try:
        return float(os.environ.get("NBWIDGETS_OUTBOX_MAX_AGE_DAYS", DEFAULT_MAX_AGE_DAYS))
    except ValueError:
        return DEFAULT_MAX_AGE_DAYS


class OutboxStore:
    """The SQLite file (or memory) behind one outbox. Thread-safe; every method is one short transaction."""

    def __init__(self, path: Path | None) -> None:
        """`path=None`: in memory, for writes that cannot outlive this process anyway."""
        self.path = path
        companions = [] if path is None else [Path(f"{path}-wal"), Path(f"{path}-shm")]
        if path is not None:
            _private_folder(path.parent)
            _private_file(path)
            for companion in companions:  # left by an earlier process: tightened before SQLite uses them
                if companion.exists():
                    _private_file(companion)
        self._db = sqlite3.connect(
            str(path) if path else ":memory:", check_same_thread=False, isolation_level=None, timeout=30
        )
        self._lock = threading.RLock()
        with self._lock:
            if path is not None:
                self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(SCHEMA)
            for table, name, declaration in MIGRATIONS:
                columns = {row[1] for row in self._db.execute(f"PRAGMA table_info({table})")}
                if name not in columns:
                    self._db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {declaration}")
            self._db.execute(INDEXES)
            self._db.execute("DELETE FROM landed WHERE at < ?", (time.time() - TOKENS_KEPT_SECONDS,))
        for companion in companions:  # SQLite made its -wal and -shm files by now
            if companion.exists():
                _private_file(companion)
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.lease_seconds = LEASE_SECONDS

    def salt(self) -> str:
        with self._lock:
            self._db.execute("INSERT OR IGNORE INTO meta (name, value) VALUES ('salt', ?)", (os.urandom(16).hex(),))
            return str(self._db.execute("SELECT value FROM meta WHERE name = 'salt'").fetchone()[0])

    # --- adding and reading ---------------------------------------------------------------------

    def add(self, scope: str, kind: str, key: str, payload: dict[str, Any], expects: Any, origin: str = "") -> int:
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO entry (scope, kind, order_key, payload, expects, origin, created) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (scope, kind, key, json.dumps(payload), json.dumps(expects), origin, time.time()),
            )
            return int(cursor.lastrowid or 0)

    def entries(self, scope: str, state: str) -> list[dict[str, Any]]:
        stale_before = time.time() - max_age_days() * 86400
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, kind, order_key, payload, attempts, last_error, created FROM entry "
                "WHERE scope = ? AND state = ? ORDER BY seq",
                (scope, state),
            ).fetchall()
        return [
            {
                "seq": seq,
                "kind": kind,
                "key": key,
                "payload": json.loads(payload),
                "attempts": attempts,
                "last_error": error,
                "created": created,
                "stale": created < stale_before,
            }
            for seq, kind, key, payload, attempts, error, created in rows
        ]

    def states(self, seqs: list[int]) -> dict[int, tuple[str, str | None]]:
        """The state and last error of each entry still stored (a delivered one is gone)."""
        if not seqs:
            return {}
        marks = ",".join("?" * len(seqs))
        with self._lock:
            rows = self._db.execute(f"SELECT seq, state, last_error FROM entry WHERE seq IN ({marks})", seqs)
            return {seq: (state, error) for seq, state, error in rows}

    def count_queued(self, scope: str) -> int:
        with self._lock:
            row = self._db.execute("SELECT COUNT(*) FROM entry WHERE scope = ? AND state = 'queued'", (scope,))
            return int(row.fetchone()[0])

    def stale(self, max_age: float) -> list[dict[str, Any]]:
        """Queued entries of any scope older than `max_age` seconds that no process holds now."""
        now = time.time()
        with self._lock:
            rows = self._db.execute(
                "SELECT scope, kind, COUNT(*), MIN(created) FROM entry WHERE state = 'queued' AND created < ? "
                "AND lease_until < ? GROUP BY scope, kind ORDER BY MIN(created)",
                (now - max_age, now),
            ).fetchall()
        return [
            {"service": " ".join(scope.split(" ")[:2]), "kind": kind, "count": count, "oldest": oldest}
            for scope, kind, count, oldest in rows
        ]

    def discard(self, scope: str, state: str) -> int:
        with self._lock:
            cursor = self._db.execute("DELETE FROM entry WHERE scope = ? AND state = ?", (scope, state))
            return int(cursor.rowcount)

    def retry_now(self, scope: str) -> None:
        with self._lock:
            self._db.execute("UPDATE entry SET next_attempt = 0 WHERE scope = ? AND state = 'queued'", (scope,))

    # --- delivering -----------------------------------------------------------------------------

    def claim(self, scope: str, limit: int) -> list[Entry]:
        """Lease up to `limit` due entries, each the oldest queued one of its key (order per key)."""
        now = time.time()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                rows = self._db.execute(
                    "SELECT seq, kind, order_key, payload, expects, attempts, origin FROM entry AS e "
                    "WHERE scope = ? AND state = 'queued' AND next_attempt <= ? AND lease_until < ? "
                    "AND NOT EXISTS (SELECT 1 FROM entry AS p WHERE p.scope = e.scope AND p.order_key = e.order_key "
                    "AND p.state = 'queued' AND p.seq < e.seq) ORDER BY seq LIMIT ?",
                    (scope, now, now, limit),
                ).fetchall()
                for row in rows:
                    self._db.execute(
                        "UPDATE entry SET lease_until = ?, owner = ?, attempts = attempts + 1 WHERE seq = ?",
                        (now + self.lease_seconds, self.owner, row[0]),
                    )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return [
            Entry(seq, kind, key, json.loads(payload), json.loads(expects) if expects else None, attempts + 1, origin)
            for seq, kind, key, payload, expects, attempts, origin in rows
        ]

    def renew(self, seqs: list[int]) -> set[int]:
        """Extend our leases; returns the entries still ours (a lost lease means: do not send)."""
        if not seqs:
            return set()
        marks = ",".join("?" * len(seqs))
        with self._lock:
            self._db.execute(
                f"UPDATE entry SET lease_until = ? WHERE owner = ? AND state = 'queued' AND seq IN ({marks})",
                (time.time() + self.lease_seconds, self.owner, *seqs),
            )
            rows = self._db.execute(
                f"SELECT seq FROM entry WHERE owner = ? AND state = 'queued' AND seq IN ({marks})", (self.owner, *seqs)
            )
            return {row[0] for row in rows}

    def rewrite(self, seq: int, payload: dict[str, Any]) -> None:
        """Replace an entry's payload (a write that prepared itself before its first send)."""
        with self._lock:
            self._db.execute("UPDATE entry SET payload = ? WHERE seq = ?", (json.dumps(payload), seq))

    def later(self, seq: int, delay: float, error: str) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE entry SET next_attempt = ?, lease_until = 0, owner = NULL, last_error = ? WHERE seq = ?",
                (time.time() + delay, error, seq),
            )

    def fail(self, seq: int, error: str) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE entry SET state = 'failed', lease_until = 0, owner = NULL, last_error = ? WHERE seq = ?",
                (error, seq),
            )

    def done(self, seq: int, scope: str, key: str, token: str | None, origin: str = "") -> None:
        with self._lock:
            self._db.execute("DELETE FROM entry WHERE seq = ?", (seq,))
            if token:
                self._db.execute(
                    "INSERT OR REPLACE INTO landed (scope, order_key, token, at, origin) VALUES (?, ?, ?, ?, ?)",
                    (scope, key, token, time.time(), origin),
                )

    def own_tokens(self, scope: str, key: str, origin: str = "") -> set[str]:
        """The version tokens that writes of `origin` left on `key`: changes that are not someone else's."""
        with self._lock:
            rows = self._db.execute(
                "SELECT token FROM landed WHERE scope = ? AND order_key = ? AND origin = ?", (scope, key, origin)
            )
            return {row[0] for row in rows}

    def release(self) -> None:
        """Give back every lease of this process (closing: the next process may deliver them)."""
        with self._lock:
            self._db.execute("UPDATE entry SET lease_until = 0, owner = NULL WHERE owner = ?", (self.owner,))

    def reap_dead_owners(self, scope: str) -> None:
        """Free the entries leased by a process of this host that has died (a killed kernel)."""
        with self._lock:
            owners = [
                row[0]
                for row in self._db.execute(
                    "SELECT DISTINCT owner FROM entry WHERE scope = ? AND lease_until > ? AND owner IS NOT NULL "
                    "AND owner != ?",
                    (scope, time.time(), self.owner),
                )
            ]
        for owner in owners:
            host, pid, _ = owner.split(":", 2)
            if host == socket.gethostname() and not _alive(int(pid)):
                with self._lock:
                    self._db.execute("UPDATE entry SET lease_until = 0, owner = NULL WHERE owner = ?", (owner,))

    def next_due(self, scope: str) -> float | None:
        with self._lock:
            row = self._db.execute(
                "SELECT MIN(MAX(next_attempt, lease_until)) FROM entry WHERE scope = ? AND state = 'queued'", (scope,)
            ).fetchone()
        return None if row[0] is None else float(row[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _private_folder(folder: Path) -> None:
    existed = folder.exists()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    _tighten(folder, 0o700, existed)


def _private_file(path: Path) -> None:
    existed = path.exists()
    if not existed:
        os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    _tighten(path, 0o600, existed)


def _tighten(path: Path, mode: int, existed: bool) -> None:
    current = stat.S_IMODE(path.stat().st_mode)
    if current == mode:
        return
    os.chmod(path, mode)
    if existed and current & 0o077 and str(path) not in _warned:
        _warned.add(str(path))
        log.warning("nbwidgets: %s was readable by other users (mode %o); made it private (%o)", path, current, mode)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
