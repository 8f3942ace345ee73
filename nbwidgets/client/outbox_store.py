"""The outbox's storage: pending writes in SQLite, private to the user, shared by the user's processes.

`~/.cache/nbwidgets/outbox.sqlite3` (or `$NBWIDGETS_CACHE_DIR`): the folder is 0700 and the files 0600
whatever the umask, and a looser existing folder or file is tightened on open (said once in the log).
A sandbox whose store dies with it gets an in-memory outbox: nobody could deliver its writes later.

Entries are scoped by service, URL and a salted fingerprint of the key (the key itself is never
stored). A process claims an entry with a lease it renews while delivering it, so two processes never
send one entry at once; entries leased by a dead process of this host are freed at once. What each
write left on the service (its version token) is remembered per key and origin (the widget that
made it), so a later write of that origin on that key knows the change was its own. The outbox that
delivers them: `outbox.py` (one delivery: `delivery.py`); the life of a write: `writes.py`.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

from . import cache

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


@dataclass
class Entry:
    """A stored write claimed for delivery: `attempts` counts this one (above 1, an earlier one may have
    landed); `expects` is its conflict base (a version token), `origin` who made it."""

    seq: int
    kind: str
    key: str
    payload: dict[str, Any]
    expects: str | None
    attempts: int
    origin: str = ""


class ListedEntry(TypedDict):
    """A stored write as `outbox.pending()` / `failed()` / `unknown()` list it (`payload` None: damaged)."""

    seq: int
    kind: str
    key: str
    payload: dict[str, Any] | None
    attempts: int
    last_error: str | None
    created: float
    stale: bool


class StaleWrites(TypedDict):
    """Old queued writes of one service and kind that no process holds (`outbox.stale()`)."""

    service: str
    kind: str
    count: int
    oldest: float


def max_age_days() -> float:
    try:
        return float(os.environ.get("NBWIDGETS_OUTBOX_MAX_AGE_DAYS", DEFAULT_MAX_AGE_DAYS))
    except ValueError:
        return DEFAULT_MAX_AGE_DAYS


class OutboxStore:
    """The SQLite file (or memory) behind one outbox. Thread-safe; every method is one short transaction."""

    def __init__(self, path: Path | None) -> None:
        """`path=None`: in memory, for writes that cannot outlive this process anyway.

        A folder or file that cannot be made or written is an `OutboxUnavailableError` saying where and
        what to do; a damaged file is moved aside (kept for inspection, said in the log) and a new one begun."""
        self.path = path
        self._lock = threading.RLock()
        self.kinds: tuple[str, ...] | None = None  # the kinds this version delivers (None: all)
        try:
            self._db = self._open(path)
        except sqlite3.DatabaseError as error:
            if path is None or (isinstance(error, sqlite3.OperationalError) and not cache.damaged(error)):
                raise cache.unavailable(path, error) from None
            aside = cache.move_aside(path, error)
            try:
                self._db = self._open(path)
            except (OSError, sqlite3.Error) as again:
                raise cache.unavailable(path, again) from None
            log.warning(
                "nbwidgets: the outbox %s was damaged (%s); it was moved to %s for inspection and a new one begun "
                "(writes stored in the old one are not delivered)",
                path,
                error,
                aside,
            )
        except OSError as error:
            raise cache.unavailable(path, error) from None
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.lease_seconds = LEASE_SECONDS

    def _open(self, path: Path | None) -> sqlite3.Connection:
        companions = [] if path is None else [Path(f"{path}-wal"), Path(f"{path}-shm")]
        if path is not None:
            cache.private_folder(path.parent)
            cache.private_file(path)
            for companion in companions:  # left by an earlier process: tightened before SQLite uses them
                if companion.exists():
                    cache.private_file(companion)
        db = sqlite3.connect(
            str(path) if path else ":memory:", check_same_thread=False, isolation_level=None, timeout=30
        )
        try:
            with self._lock:
                if path is not None:
                    db.execute("PRAGMA journal_mode=WAL")
                    check = db.execute("PRAGMA quick_check").fetchone()
                    if check is None or check[0] != "ok":
                        raise sqlite3.DatabaseError(f"database disk image is malformed ({check and check[0]})")
                db.executescript(SCHEMA)
                for table, name, declaration in MIGRATIONS:
                    columns = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
                    if name not in columns:
                        db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {declaration}")
                db.execute(INDEXES)
                db.execute("DELETE FROM landed WHERE at < ?", (time.time() - TOKENS_KEPT_SECONDS,))
        except BaseException:
            db.close()
            raise
        for companion in companions:  # SQLite made its -wal and -shm files by now
            if companion.exists():
                cache.private_file(companion)
        return db

    def _known(self, alias: str = "") -> tuple[str, tuple[str, ...]]:
        """An SQL condition (and its arguments) keeping the entries of kinds this version delivers."""
        if self.kinds is None:
            return "1", ()
        column = f"{alias}.kind" if alias else "kind"
        return f"{column} IN ({','.join('?' * len(self.kinds))})", self.kinds

    def salt(self) -> str:
        with self._lock:
            self._db.execute("INSERT OR IGNORE INTO meta (name, value) VALUES ('salt', ?)", (os.urandom(16).hex(),))
            return str(self._db.execute("SELECT value FROM meta WHERE name = 'salt'").fetchone()[0])

    # --- adding and reading ---------------------------------------------------------------------

    def add(
        self, scope: str, kind: str, key: str, payload: dict[str, Any], expects: str | None, origin: str = ""
    ) -> int:
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO entry (scope, kind, order_key, payload, expects, origin, created) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (scope, kind, key, json.dumps(payload), json.dumps(expects), origin, time.time()),
            )
            return int(cursor.lastrowid or 0)

    def entries(self, scope: str, state: str, *, known: bool | None = None) -> list[ListedEntry]:
        """Entries of a scope in a state; `known`: only (True) or none (False) of the kinds this version
        delivers. An entry whose payload is not JSON is listed with `payload` None and why, never raised."""
        stale_before = time.time() - max_age_days() * 86400
        condition, kinds = self._known()
        if known is False:
            condition = f"NOT ({condition})"
        elif known is None:
            condition, kinds = "1", ()
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, kind, order_key, payload, attempts, last_error, created FROM entry "
                f"WHERE scope = ? AND state = ? AND {condition} ORDER BY seq",
                (scope, state, *kinds),
            ).fetchall()
        found: list[ListedEntry] = []
        for seq, kind, key, payload, attempts, error, created in rows:
            try:
                parsed = json.loads(payload)
            except (TypeError, ValueError):
                parsed, error = None, error or UNREADABLE
            found.append(
                {
                    "seq": seq,
                    "kind": kind,
                    "key": key,
                    "payload": parsed,
                    "attempts": attempts,
                    "last_error": error,
                    "created": created,
                    "stale": created < stale_before,
                }
            )
        return found

    def states(self, seqs: list[int]) -> dict[int, tuple[str, str | None]]:
        """The state and last error of each entry still stored (a delivered one is gone)."""
        if not seqs:
            return {}
        marks = ",".join("?" * len(seqs))
        with self._lock:
            rows = self._db.execute(f"SELECT seq, state, last_error FROM entry WHERE seq IN ({marks})", seqs)
            return {seq: (state, error) for seq, state, error in rows}

    def count_queued(self, scope: str) -> int:
        """Queued entries of the scope that this version delivers."""
        condition, kinds = self._known()
        with self._lock:
            row = self._db.execute(
                f"SELECT COUNT(*) FROM entry WHERE scope = ? AND state = 'queued' AND {condition}", (scope, *kinds)
            )
            return int(row.fetchone()[0])

    def stale(self, max_age: float) -> list[StaleWrites]:
        """Queued entries of any scope older than `max_age` seconds that no process holds now."""
        now = time.time()
        with self._lock:
            rows = self._db.execute(
                "SELECT scope, kind, COUNT(*), MIN(created) FROM entry WHERE state = 'queued' AND created < ? "
                "AND lease_until < ? GROUP BY scope, kind ORDER BY MIN(created)",
                (now - max_age, now),
            ).fetchall()
        return [
            StaleWrites(service=" ".join(scope.split(" ")[:2]), kind=kind, count=count, oldest=oldest)
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
        # entries of a kind this version does not know (another version's) are left to that version, and
        # hold up nothing: their key's later writes of known kinds go on
        known_e, kinds = self._known("e")
        known_p, _ = self._known("p")
        claimed: list[Entry] = []
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                rows = self._db.execute(
                    "SELECT seq, kind, order_key, payload, expects, attempts, origin FROM entry AS e "
                    f"WHERE scope = ? AND state = 'queued' AND next_attempt <= ? AND lease_until < ? AND {known_e} "
                    "AND NOT EXISTS (SELECT 1 FROM entry AS p WHERE p.scope = e.scope AND p.order_key = e.order_key "
                    f"AND p.state = 'queued' AND p.seq < e.seq AND {known_p}) ORDER BY seq LIMIT ?",
                    (scope, now, now, *kinds, *kinds, limit),
                ).fetchall()
                for seq, kind, key, payload, expects, attempts, origin in rows:
                    try:
                        entry = Entry(
                            seq,
                            kind,
                            key,
                            json.loads(payload),
                            json.loads(expects) if expects else None,
                            attempts + 1,
                            origin,
                        )
                    except (TypeError, ValueError):  # damaged: set aside as failed, for inspection, never sent
                        log.warning("nbwidgets: outbox entry %d (%s) is not readable JSON; kept as failed", seq, kind)
                        self._db.execute(
                            "UPDATE entry SET state = 'failed', last_error = ? WHERE seq = ?", (UNREADABLE, seq)
                        )
                        continue
                    self._db.execute(
                        "UPDATE entry SET lease_until = ?, owner = ?, attempts = attempts + 1 WHERE seq = ?",
                        (now + self.lease_seconds, self.owner, seq),
                    )
                    claimed.append(entry)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return claimed

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
        condition, kinds = self._known()
        with self._lock:
            row = self._db.execute(
                "SELECT MIN(MAX(next_attempt, lease_until)) FROM entry WHERE scope = ? AND state = 'queued' "
                f"AND {condition}",
                (scope, *kinds),
            ).fetchone()
        return None if row[0] is None else float(row[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()


UNREADABLE = "its stored payload is not readable JSON (damaged): kept for inspection, never sent"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
