"""The sandbox's SQLite store. Bodies are kept as the JSON the service returns; indexes serve paging.

orq datapoints are keyed (dataset_id, _id) in a clustered table, so a cursor page is one index seek
whatever the dataset's size. Overmind datapoints are keyed (dataset_id, seq), seq being the position
in `order`, so page N is a range seek too.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS orq_dataset (
    id TEXT PRIMARY KEY, body TEXT NOT NULL, display_name TEXT NOT NULL, datapoints_count INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS orq_datapoint (
    dataset_id TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (dataset_id, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS orq_evaluator (id TEXT PRIMARY KEY, key TEXT NOT NULL UNIQUE, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS orq_evaluator_version (
    id TEXT NOT NULL, version TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (id, version)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS orq_feedback (
    id TEXT PRIMARY KEY, trace_id TEXT NOT NULL, body TEXT NOT NULL, writes INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS orq_trace (id TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS orq_deployment (key TEXT PRIMARY KEY, id TEXT NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS orq_feedback_property (key TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS om_agent (id TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS om_dataset (
    id TEXT PRIMARY KEY, agent TEXT NOT NULL, version INTEGER NOT NULL, body TEXT NOT NULL,
    UNIQUE (agent, version)
);
CREATE TABLE IF NOT EXISTS om_datapoint (
    dataset_id TEXT NOT NULL, seq INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (dataset_id, seq)
) WITHOUT ROWID;
"""


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Store:
    def __init__(self, path: str = ":memory:") -> None:
        self.path = path
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._lock = threading.RLock()
        if path != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _one(self, sql: str, *args: Any) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute(sql, args).fetchone()
        return json.loads(row[0]) if row else None

    def _all(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute(sql, args).fetchall()
        return [json.loads(r[0]) for r in rows]

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # --- orq datasets ---------------------------------------------------------------------------

    def put_dataset(self, body: dict[str, Any]) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO orq_dataset (id, body, display_name, datapoints_count) VALUES (?, ?, ?, "
                "(SELECT COUNT(*) FROM orq_datapoint WHERE dataset_id = ?))",
                (body["_id"], json.dumps(body), body["display_name"], body["_id"]),
            )

    def get_dataset(self, dataset_id: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute(
                "SELECT body, datapoints_count FROM orq_dataset WHERE id = ?", (dataset_id,)
            ).fetchone()
        if not row:
            return None
        body: dict[str, Any] = json.loads(row[0])
        body["metadata"] = {**body.get("metadata", {}), "datapoints_count": row[1]}
        return body

    def dataset_ids(self, search: str | None) -> list[str]:
        with self._lock:
            if search:
                rows = self._db.execute(
                    "SELECT id FROM orq_dataset WHERE display_name LIKE ? ORDER BY id", (f"%{search}%",)
                ).fetchall()
            else:
                rows = self._db.execute("SELECT id FROM orq_dataset ORDER BY id").fetchall()
        return [r[0] for r in rows]

    def delete_dataset(self, dataset_id: str) -> bool:
        with self.transaction() as db:
            db.execute("DELETE FROM orq_datapoint WHERE dataset_id = ?", (dataset_id,))
            return db.execute("DELETE FROM orq_dataset WHERE id = ?", (dataset_id,)).rowcount > 0

    # --- orq datapoints -------------------------------------------------------------------------

    def datapoints_page(
        self, dataset_id: str, limit: int, starting_after: str | None, ending_before: str | None
    ) -> tuple[list[dict[str, Any]], bool]:
        """One cursor page (ascending by _id) and whether more lie in the direction of travel."""
        if ending_before:
            rows = self._all(
                "SELECT body FROM orq_datapoint WHERE dataset_id = ? AND id < ? ORDER BY id DESC LIMIT ?",
                dataset_id,
                ending_before,
                limit + 1,
            )
            return list(reversed(rows[:limit])), len(rows) > limit
        rows = self._all(
            "SELECT body FROM orq_datapoint WHERE dataset_id = ? AND id > ? ORDER BY id LIMIT ?",
            dataset_id,
            starting_after or "",
            limit + 1,
        )
        return rows[:limit], len(rows) > limit

    def get_datapoint(self, dataset_id: str, datapoint_id: str) -> dict[str, Any] | None:
        return self._one("SELECT body FROM orq_datapoint WHERE dataset_id = ? AND id = ?", dataset_id, datapoint_id)

    def put_datapoints(self, dataset_id: str, bodies: Iterable[dict[str, Any]]) -> None:
        """Insert or replace datapoints, keeping the dataset's count right."""
        with self.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO orq_datapoint (dataset_id, id, body) VALUES (?, ?, ?)",
                ((dataset_id, b["_id"], json.dumps(b)) for b in bodies),
            )
            self._recount(db, dataset_id)

    def insert_raw_datapoints(self, dataset_id: str, rows: Iterable[tuple[str, str]]) -> None:
        """Bulk insert of (id, json body) pairs: the fast path for generated datasets."""
        with self.transaction() as db:
            db.executemany(
                "INSERT INTO orq_datapoint (dataset_id, id, body) VALUES (?, ?, ?)",
                ((dataset_id, i, b) for i, b in rows),
            )
            self._recount(db, dataset_id)

    def delete_datapoint(self, dataset_id: str, datapoint_id: str) -> bool:
        with self.transaction() as db:
            gone = (
                db.execute(
                    "DELETE FROM orq_datapoint WHERE dataset_id = ? AND id = ?", (dataset_id, datapoint_id)
                ).rowcount
                > 0
            )
            self._recount(db, dataset_id)
        return gone

    def delete_datapoints(self, dataset_id: str, datapoint_ids: list[str]) -> int:
        """Delete these datapoints of the dataset (ids it does not hold are passed over): how many went."""
        with self.transaction() as db:
            gone = sum(
                db.execute("DELETE FROM orq_datapoint WHERE dataset_id = ? AND id = ?", (dataset_id, i)).rowcount
                for i in datapoint_ids
            )
            self._recount(db, dataset_id)
        return gone

    @staticmethod
    def _recount(db: sqlite3.Connection, dataset_id: str) -> None:
        db.execute(
            "UPDATE orq_dataset SET datapoints_count = (SELECT COUNT(*) FROM orq_datapoint WHERE dataset_id = ?) "
            "WHERE id = ?",
            (dataset_id, dataset_id),
        )

    # --- orq evaluators -------------------------------------------------------------------------

    def evaluators(self) -> list[dict[str, Any]]:
        return self._all("SELECT body FROM orq_evaluator ORDER BY id")

    def get_evaluator(self, evaluator_id: str) -> dict[str, Any] | None:
        return self._one("SELECT body FROM orq_evaluator WHERE id = ?", evaluator_id)

    def evaluator_key_owner(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT id FROM orq_evaluator WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def put_evaluator(self, body: dict[str, Any]) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO orq_evaluator (id, key, body) VALUES (?, ?, ?)",
                (body["_id"], body["key"], json.dumps(body)),
            )
            # each version as it last stood, for `id@version` (an update without a version bump rewrites it)
            db.execute(
                "INSERT OR REPLACE INTO orq_evaluator_version (id, version, body) VALUES (?, ?, ?)",
                (body["_id"], str(body.get("version", "1.0.0")), json.dumps(body)),
            )

    def get_evaluator_version(self, evaluator_id: str, version: str) -> dict[str, Any] | None:
        return self._one("SELECT body FROM orq_evaluator_version WHERE id = ? AND version = ?", evaluator_id, version)

    def delete_evaluator(self, evaluator_id: str) -> bool:
        with self.transaction() as db:
            db.execute("DELETE FROM orq_evaluator_version WHERE id = ?", (evaluator_id,))
            return db.execute("DELETE FROM orq_evaluator WHERE id = ?", (evaluator_id,)).rowcount > 0

    # --- orq feedback ---------------------------------------------------------------------------

    def upsert_feedback(self, body: dict[str, Any]) -> None:
        """One record per feedback id: a repeated id replaces the value, never adds a record."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO orq_feedback (id, trace_id, body) VALUES (?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET body = excluded.body, trace_id = excluded.trace_id, "
                "writes = writes + 1",
                (body["id"], body["trace_id"], json.dumps(body)),
            )

    def remove_feedback(self, feedback_id: str, trace_id: str) -> bool:
        """Remove one feedback; a trace that is not the feedback's own removes nothing."""
        with self.transaction() as db:
            return (
                db.execute("DELETE FROM orq_feedback WHERE id = ? AND trace_id = ?", (feedback_id, trace_id)).rowcount
                > 0
            )

    # --- orq traces, deployments and feedback properties --------------------------------------

    def put_trace(self, body: dict[str, Any]) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO orq_trace (id, body) VALUES (?, ?)", (body["trace_id"], json.dumps(body))
            )

    def get_trace(self, trace_id: str) -> dict[str, Any] | None:
        return self._one("SELECT body FROM orq_trace WHERE id = ?", trace_id)

    def traces(self, limit: int) -> list[dict[str, Any]]:
        return self._all("SELECT body FROM orq_trace ORDER BY rowid DESC LIMIT ?", limit)

    def put_deployment(self, body: dict[str, Any]) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO orq_deployment (key, id, body) VALUES (?, ?, ?)",
                (body["key"], body["id"], json.dumps(body)),
            )

    def get_deployment(self, key: str) -> dict[str, Any] | None:
        return self._one("SELECT body FROM orq_deployment WHERE key = ? OR id = ?", key, key)

    def deployments(self) -> list[dict[str, Any]]:
        return self._all("SELECT body FROM orq_deployment ORDER BY id")

    def put_feedback_property(self, body: dict[str, Any]) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO orq_feedback_property (key, body) VALUES (?, ?)",
                (body["key"], json.dumps(body)),
            )

    def feedback_properties(self) -> list[dict[str, Any]]:
        return self._all("SELECT body FROM orq_feedback_property ORDER BY key")

    def feedback(self, trace_id: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            sql = "SELECT body, writes FROM orq_feedback"
            rows = (
                self._db.execute(sql + " WHERE trace_id = ? ORDER BY id", (trace_id,))
                if trace_id
                else self._db.execute(sql + " ORDER BY id")
            ).fetchall()
        return [{**json.loads(b), "_writes": w} for b, w in rows]

    # --- Overmind -------------------------------------------------------------------------------

    def put_agent(self, body: dict[str, Any]) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO om_agent (id, body) VALUES (?, ?)", (body["id"], json.dumps(body)))

    def get_agent(self, agent_id: str) -> dict[str, Any] | None:
        return self._one("SELECT body FROM om_agent WHERE id = ?", agent_id)

    def agents(self) -> list[dict[str, Any]]:
        return self._all("SELECT body FROM om_agent ORDER BY id")

    def om_datasets(self) -> list[dict[str, Any]]:
        return self._all("SELECT body FROM om_dataset ORDER BY agent, version")

    def get_om_dataset(self, dataset_id: str) -> dict[str, Any] | None:
        return self._one("SELECT body FROM om_dataset WHERE id = ?", dataset_id)

    def add_om_dataset(self, body: dict[str, Any], datapoints: list[dict[str, Any]]) -> dict[str, Any]:
        """Store a new version: the next version number of its agent, datapoints in `order`."""
        with self.transaction() as db:
            (latest,) = db.execute(
                "SELECT COALESCE(MAX(version), 0) FROM om_dataset WHERE agent = ?", (body["agent"],)
            ).fetchone()
            body = {**body, "version": latest + 1, "num_datapoints": len(datapoints)}
            db.execute(
                "INSERT INTO om_dataset (id, agent, version, body) VALUES (?, ?, ?, ?)",
                (body["id"], body["agent"], body["version"], json.dumps(body)),
            )
            ordered = sorted(datapoints, key=lambda dp: dp.get("order") or 0)
            db.executemany(
                "INSERT INTO om_datapoint (dataset_id, seq, body) VALUES (?, ?, ?)",
                ((body["id"], seq, json.dumps(dp)) for seq, dp in enumerate(ordered)),
            )
        return body

    def delete_om_dataset(self, dataset_id: str) -> bool:
        with self.transaction() as db:
            db.execute("DELETE FROM om_datapoint WHERE dataset_id = ?", (dataset_id,))
            return db.execute("DELETE FROM om_dataset WHERE id = ?", (dataset_id,)).rowcount > 0

    def om_datapoints_count(self, dataset_id: str, search: str | None) -> int:
        with self._lock:
            if search:
                (count,) = self._db.execute(
                    "SELECT COUNT(*) FROM om_datapoint WHERE dataset_id = ? AND body LIKE ?",
                    (dataset_id, f"%{search}%"),
                ).fetchone()
            else:
                (count,) = self._db.execute(
                    "SELECT COUNT(*) FROM om_datapoint WHERE dataset_id = ?", (dataset_id,)
                ).fetchone()
        return int(count)

    def om_datapoints_page(
        self, dataset_id: str, page: int, size: int, descending: bool, search: str | None
    ) -> tuple[list[dict[str, Any]], int]:
        """Page `page` (1-based) of a version's datapoints, and how many match in all."""
        order = "DESC" if descending else "ASC"
        if search:
            like = f"%{search}%"
            with self._lock:
                (count,) = self._db.execute(
                    "SELECT COUNT(*) FROM om_datapoint WHERE dataset_id = ? AND body LIKE ?", (dataset_id, like)
                ).fetchone()
            rows = self._all(
                f"SELECT body FROM om_datapoint WHERE dataset_id = ? AND body LIKE ? ORDER BY seq {order} "
                "LIMIT ? OFFSET ?",
                dataset_id,
                like,
                size,
                (page - 1) * size,
            )
            return rows, count
        with self._lock:
            (count,) = self._db.execute(
                "SELECT COUNT(*) FROM om_datapoint WHERE dataset_id = ?", (dataset_id,)
            ).fetchone()
        start = (page - 1) * size
        lo, hi = (start, start + size - 1) if not descending else (count - start - size, count - start - 1)
        rows = self._all(
            f"SELECT body FROM om_datapoint WHERE dataset_id = ? AND seq BETWEEN ? AND ? ORDER BY seq {order}",
            dataset_id,
            lo,
            hi,
        )
        return rows, count

    def om_all_datapoints(self, dataset_id: str) -> list[dict[str, Any]]:
        return self._all("SELECT body FROM om_datapoint WHERE dataset_id = ? ORDER BY seq", dataset_id)
