"""Issue 15: the outbox keeps pending writes private, and keeps no writes nobody can deliver."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time

from nbwidgets import Client
from nbwidgets.client import RetryPolicy


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def run(script: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_folder_and_files_are_private_whatever_the_umask(sandbox, tmp_path):
    folder = tmp_path / "cache" / "nbwidgets"
    env = {**os.environ, "NBWIDGETS_CACHE_DIR": str(folder)}
    for umask in (0o022, 0o000):
        run(
            f"""
            import os
            os.umask({umask})
            from nbwidgets import Client
            client = Client.orq({sandbox.api_key!r}, {sandbox.url!r})
            client.queue_feedback({sandbox.new_trace("private")!r}, "rating", "good").result(30)
            print(sorted(os.listdir({str(folder)!r})))
            """,
            env,
        )
        assert mode(folder) == 0o700
        files = list(folder.iterdir())
        assert {f.name for f in files} >= {"outbox.sqlite3"}
        assert {f.name: mode(f) for f in files} == {f.name: 0o600 for f in files}


def test_an_existing_loose_outbox_is_tightened_on_open_and_said_once(sandbox, tmp_path, monkeypatch, caplog):
    folder = tmp_path / "loose"
    folder.mkdir()
    database = folder / "outbox.sqlite3"
    sqlite3.connect(database).execute("PRAGMA journal_mode=WAL").fetchall()
    for companion in (database, folder / "outbox.sqlite3-wal", folder / "outbox.sqlite3-shm"):
        companion.touch()
        os.chmod(companion, 0o644)
    os.chmod(folder, 0o755)
    monkeypatch.setenv("NBWIDGETS_CACHE_DIR", str(folder))
    with caplog.at_level(logging.WARNING, logger="nbwidgets.client"):
        first = Client.orq(sandbox.api_key, sandbox.url)
        first.outbox  # noqa: B018 (opening it is the test)
        second = Client.orq(sandbox.api_key, sandbox.url)
        second.outbox  # noqa: B018
    assert mode(folder) == 0o700 and mode(database) == 0o600
    assert all(mode(f) == 0o600 for f in folder.iterdir())
    said = [r.getMessage() for r in caplog.records if "made it private" in r.getMessage()]
    assert len(said) == 4 and len({m.split(" was ")[0] for m in said}) == 4  # folder and files, once each
    first.close()
    second.close()


def test_writes_to_an_in_memory_sandbox_leave_nothing_on_disk(sandbox, tmp_path):
    folder = tmp_path / "embedded"
    env = {**os.environ, "NBWIDGETS_CACHE_DIR": str(folder)}
    env.pop("NBWIDGETS_SANDBOX_URL", None)
    out = run(
        """
        from nbwidgets import Client, FeedbackButtons
        client = Client.sandbox()  # the embedded sandbox: its store is :memory:
        widget = FeedbackButtons(client, trace_id=client.invoke_deployment("support-reply").trace_id)
        widget.submit("good")
        print(client.outbox.path, client.outbox.flush(30), widget.status)
        """,
        env,
    )
    assert out.split() == ["None", "True", "sent"]
    # the session's sandbox (also in memory) reached by URL, as JupyterLab kernels in the e2e tests do
    env.update(NBWIDGETS_SANDBOX_URL=sandbox.url, NBWIDGETS_SANDBOX_KEY=sandbox.api_key)
    out = run(
        """
        import httpx
        from nbwidgets import Client
        client = Client.sandbox()
        url, key = client.base_url, client._key.reveal()
        httpx.post(url + "/_sandbox/faults", json={"fault_rate": 1.0}, headers={"Authorization": "Bearer " + key})
        client.queue_feedback("trace-never-delivered", "rating", "good")
        print(client.outbox.path, len(client.outbox.pending()))
        """,
        env,
    )
    sandbox.clear_faults()
    assert out.split() == ["None", "1"]
    assert not folder.exists() or not any(folder.iterdir())


def test_old_unclaimed_entries_of_a_real_service_are_reported(sandbox, tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("NBWIDGETS_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("NBWIDGETS_OUTBOX_MAX_AGE_DAYS", "3")
    gone = Client.orq("a-key-of-a-service-gone", "http://127.0.0.1:9", retry=RetryPolicy(max_retries=0))
    gone.outbox.close()  # nothing delivers it from now on
    database = tmp_path / "outbox.sqlite3"
    with sqlite3.connect(database) as db:
        db.execute(
            "INSERT INTO entry (scope, kind, order_key, payload, created) VALUES (?, 'feedback.create', 'k', ?, ?)",
            (gone.outbox.scope, json.dumps({"trace_id": "t"}), time.time() - 4 * 86400),
        )
        db.execute(
            "INSERT INTO entry (scope, kind, order_key, payload, created) VALUES (?, 'feedback.create', 'k2', ?, ?)",
            (gone.outbox.scope, json.dumps({"trace_id": "t"}), time.time() - 3600),
        )
    with caplog.at_level(logging.WARNING, logger="nbwidgets.client"):
        client = Client.orq(sandbox.api_key, sandbox.url)
        stale = client.outbox.stale()
    assert stale == [
        {"service": "orq http://127.0.0.1:9", "kind": "feedback.create", "count": 1, "oldest": stale[0]["oldest"]}
    ]
    assert any("older than 3 days" in r.getMessage() for r in caplog.records)
    again = Client.orq("a-key-of-a-service-gone", "http://127.0.0.1:9", retry=RetryPolicy(max_retries=0))
    assert [p["stale"] for p in again.outbox.pending()] == [True, False]
    client.close()
    again.close()
