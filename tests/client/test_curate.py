"""Growing and pruning orq datasets (issue 26): the sandbox's bulk routes (strict as orq), monotonic ids,
and the client's create / delete / import / export / duplicate, durable and exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading

import httpx
import pytest

from nbwidgets import Client
from nbwidgets.client import RetryPolicy, curate
from nbwidgets.client.curate import ImportHandle
from nbwidgets.models import new_ulid

FAST = RetryPolicy(max_retries=6, initial_delay=0.01, max_delay=0.05, max_elapsed=30)


def raw(sandbox, method, path, body=None):
    return httpx.request(
        method, sandbox.url + path, json=body, headers={"Authorization": f"Bearer {sandbox.api_key}"}, timeout=60
    )


def held(orq, dataset_id):
    return [(dp.inputs, dp.expected_output) for dp in orq.iter_datapoints(dataset_id)]


# --- ids ------------------------------------------------------------------------------------------


def test_ids_made_in_one_millisecond_sort_in_the_order_they_were_made():
    made = [new_ulid() for _ in range(20_000)]
    assert made == sorted(made) and len(set(made)) == len(made)


def test_ids_made_by_many_threads_are_unique():
    made: list[str] = []

    def mint() -> None:
        made.extend(new_ulid() for _ in range(2000))

    threads = [threading.Thread(target=mint) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(made)) == 8000


# --- the sandbox's bulk routes ----------------------------------------------------------------------


def test_a_bulk_create_of_5000_lists_in_the_order_sent(sandbox, orq, fresh_dataset):
    items = [{"inputs": {"n": i}, "expected_output": f"row {i}"} for i in range(5000)]
    answer = raw(sandbox, "POST", f"/v2/datasets/{fresh_dataset.id}/datapoints/bulk", {"items": items})
    assert answer.status_code == 200
    assert [dp["expected_output"] for dp in answer.json()] == [f"row {i}" for i in range(5000)]
    listed = [dp.expected_output for dp in orq.iter_datapoints(fresh_dataset.id)]
    assert listed == [f"row {i}" for i in range(5000)]
    assert orq.get_dataset(fresh_dataset.id).metadata.datapoints_count == 5000


@pytest.mark.parametrize(
    ("body", "message", "path"),
    [
        ({"items": []}, "items: must contain 1 to 5000 datapoints, got 0", ["items"]),
        ({"items": [{"expected_output": "x"}] * 5001}, "items: must contain 1 to 5000 datapoints, got 5001", ["items"]),
        ({"items": "x"}, "items: must be an array of datapoints", ["items"]),
        ({}, "items: must be an array of datapoints", ["items"]),
        ({"items": [{"expected_output": "ok"}, {"expected_output": 5}]}, None, ["items", "1", "expected_output"]),
        ({"items": [{"inputs": {"a": {"nested": 1}}}]}, None, ["items", "0", "inputs"]),
    ],
)
def test_bulk_create_refusals_have_orqs_400_shape_and_make_nothing(sandbox, fresh_dataset, orq, body, message, path):
    answer = raw(sandbox, "POST", f"/v2/datasets/{fresh_dataset.id}/datapoints/bulk", body)
    assert answer.status_code == 400
    error = answer.json()
    assert set(error) == {"message", "details"} and isinstance(error["message"], str)
    if message:
        assert error["message"] == message
    assert error["details"][0]["path"] == path
    assert orq.get_dataset(fresh_dataset.id).metadata.datapoints_count == 0


def test_bulk_delete_refuses_an_empty_list_and_passes_over_ids_already_gone(sandbox, fresh_dataset, orq):
    made = orq.create_datapoints(fresh_dataset.id, [{"expected_output": f"{i}"} for i in range(5)])
    route = f"/v2/datasets/{fresh_dataset.id}/datapoints-bulk-delete"
    empty = raw(sandbox, "POST", route, {"item_ids": []})
    assert empty.status_code == 400
    assert empty.json() == {
        "message": "item_ids: must contain at least 1 datapoint id",
        "details": [{"path": ["item_ids"], "message": "must contain at least 1 datapoint id"}],
    }
    assert raw(sandbox, "POST", route, {}).status_code == 400
    assert raw(sandbox, "POST", route, {"item_ids": [made[0].id, made[1].id]}).status_code == 204
    again = raw(sandbox, "POST", route, {"item_ids": [made[0].id, made[2].id]})  # one gone, one held
    assert again.status_code == 204 and again.content == b""
    assert [dp.expected_output for dp in orq.iter_datapoints(fresh_dataset.id)] == ["3", "4"]
    missing = raw(sandbox, "POST", f"/v2/datasets/{new_ulid()}/datapoints-bulk-delete", {"item_ids": [made[3].id]})
    assert missing.status_code == 404 and missing.json() == {"message": "Dataset not found"}


# --- the client -----------------------------------------------------------------------------------


def test_create_datapoints_goes_in_bulk_chunks_and_keeps_the_order(orq, fresh_dataset, sandbox):
    items = [{"inputs": {"n": i}, "expected_output": f"é {i} ✓"} for i in range(7001)]
    made = orq.create_datapoints(fresh_dataset.id, items)
    assert [dp.expected_output for dp in made] == [f"é {i} ✓" for i in range(7001)]
    assert [dp.expected_output for dp in orq.iter_datapoints(fresh_dataset.id)] == [f"é {i} ✓" for i in range(7001)]


def test_delete_datapoints_in_chunks(orq, fresh_dataset):
    made = orq.create_datapoints(fresh_dataset.id, [{"expected_output": f"{i}"} for i in range(2500)])
    orq.delete_datapoints(fresh_dataset.id, [dp.id for dp in made[:2400]])
    assert [dp.expected_output for dp in orq.iter_datapoints(fresh_dataset.id)] == [f"{i}" for i in range(2400, 2500)]
    with pytest.raises(ValueError, match="no datapoints to delete"):
        orq.delete_datapoints(fresh_dataset.id, [])


def test_import_a_dataframe_with_columns_named_and_by_default(orq, fresh_dataset, tmp_path, monkeypatch):
    pd = pytest.importorskip("pandas")
    monkeypatch.setenv("NBWIDGETS_CACHE_DIR", str(tmp_path))
    frame = pd.DataFrame(
        {
            "question": ["Où est ma facture ?", "Reset?"],
            "lang": ["fr", "en"],
            "answer": ["Dans l'espace client", "Link"],
        }
    )
    made = orq.import_datapoints(fresh_dataset.id, frame, expected_output="answer", progress=False)
    assert [(dp.inputs, dp.expected_output) for dp in made] == [
        ({"question": "Où est ma facture ?", "lang": "fr"}, "Dans l'espace client"),
        ({"question": "Reset?", "lang": "en"}, "Link"),
    ]
    only = orq.import_datapoints(fresh_dataset.id, frame, inputs=["question"], expected_output="answer", progress=False)
    assert only[0].inputs == {"question": "Où est ma facture ?"}
    assert len(held(orq, fresh_dataset.id)) == 4


def test_import_from_dicts_with_messages_and_wait_false_gives_a_handle(orq, fresh_dataset, tmp_path, monkeypatch):
    monkeypatch.setenv("NBWIDGETS_CACHE_DIR", str(tmp_path))
    rows = [
        {"messages": [{"role": "user", "content": f"hi {i}"}], "expected_output": f"hello {i}", "topic": "greet"}
        for i in range(12)
    ]
    handle = orq.import_datapoints(fresh_dataset.id, rows, wait=False, progress=False)
    assert isinstance(handle, ImportHandle) and handle.total == 12
    made = handle.result(60)
    assert handle.state == "saved" and handle.created == 12 and handle.progress == 1.0
    assert made[3].messages[0].content == "hi 3" and made[3].inputs == {"topic": "greet"}
    assert "12/12" in repr(handle)


@pytest.mark.parametrize(
    ("source", "options", "words"),
    [
        ([{"inputs": {"a": {"b": 1}}}], {}, "row 1: input 'a' is an object; orq inputs are flat"),
        ([{"q": "x", "ctx": ["a"]}], {}, "row 1: input 'ctx' is a list; orq inputs are flat"),
        ([{"q": "x"}], {"expected_output": "answer"}, "column 'answer' (expected_output=) is not in the source"),
        ([{"q": "x", "answer": "ok"}, {"q": "y", "answer": 3}], {"expected_output": "answer"}, "row 2: answer"),
        ([], {}, "nothing to import: the source has no rows"),
        ("data.xlsx", {}, "import reads .csv and .jsonl files; this one is .xlsx"),
        ([{"q": "x"}], {"inputs": ["q", "z"]}, "column 'z' (inputs=) is not in the source; its columns are q"),
    ],
)
def test_bad_input_is_a_sentence_and_nothing_is_sent(orq, fresh_dataset, tmp_path, monkeypatch, source, options, words):
    monkeypatch.setenv("NBWIDGETS_CACHE_DIR", str(tmp_path))
    if source == "data.xlsx":
        source = tmp_path / "data.xlsx"
        source.write_bytes(b"PK\x03\x04")
    with pytest.raises((ValueError, TypeError)) as info:
        orq.import_datapoints(fresh_dataset.id, source, progress=False, **options)
    assert words in str(info.value)
    assert "pydantic" not in str(info.value) and "Traceback" not in str(info.value)
    if "row 2: answer" in words:
        assert "must be text, not a number (3)" in str(info.value)
    assert orq.get_dataset(fresh_dataset.id).metadata.datapoints_count == 0
    assert orq.outbox.pending() == []


def test_a_jsonl_line_that_is_not_json_is_named(orq, fresh_dataset, tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_text('{"expected_output": "a"}\n{oops\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"line 2 of rows.jsonl is not JSON"):
        orq.import_datapoints(fresh_dataset.id, path, progress=False)
    assert orq.get_dataset(fresh_dataset.id).metadata.datapoints_count == 0


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_export_then_import_is_the_same_dataset(orq, fresh_dataset, tmp_path, monkeypatch, suffix):
    monkeypatch.setenv("NBWIDGETS_CACHE_DIR", str(tmp_path))
    items = [
        {
            "inputs": {"ticket": f'Ticket «{i}», "quoted", comma, 日本語', "n": i, "urgent": i % 2 == 0, "none": None},
            "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": f"line\nbreak {i}"}],
            "expected_output": f"Answer {i} — ✓",
        }
        for i in range(30)
    ] + [{"inputs": {"only": "inputs"}}]
    orq.create_datapoints(fresh_dataset.id, items)
    path = tmp_path / f"export{suffix}"
    assert orq.export_datapoints(fresh_dataset.id, path, progress=False) == 31
    copy = orq.create_dataset("round trip")
    try:
        orq.import_datapoints(copy.id, path, progress=False)
        original = [dp.to_wire() for dp in orq.iter_datapoints(fresh_dataset.id)]
        again = [dp.to_wire() for dp in orq.iter_datapoints(copy.id)]
        fields = ("inputs", "messages", "expected_output")
        assert [{k: d.get(k) for k in fields} for d in again] == [{k: d.get(k) for k in fields} for d in original]
    finally:
        orq.delete_dataset(copy.id)


def test_duplicate_dataset_copies_every_datapoint_in_order(orq, fresh_dataset, tmp_path, monkeypatch):
    monkeypatch.setenv("NBWIDGETS_CACHE_DIR", str(tmp_path))
    orq.create_datapoints(fresh_dataset.id, [{"inputs": {"n": i}, "expected_output": f"{i}"} for i in range(450)])
    copy = orq.duplicate_dataset(fresh_dataset.id, "the copy", progress=False)
    try:
        assert copy.display_name == "the copy" and copy.metadata.datapoints_count == 450
        assert held(orq, copy.id) == held(orq, fresh_dataset.id)
    finally:
        orq.delete_dataset(copy.id)


def test_a_lost_answer_is_looked_for_not_sent_again(sandbox, orq, fresh_dataset, tmp_path, monkeypatch):
    """drop_rate 1 on the first send: the chunk landed but its answer was lost; the next attempt finds it."""
    monkeypatch.setenv("NBWIDGETS_CACHE_DIR", str(tmp_path))
    client = Client.orq(sandbox.api_key, sandbox.url, retry=FAST)
    orq.create_datapoints(fresh_dataset.id, [{"expected_output": "already there"}])
    monkeypatch.setattr(curate, "MAX_BULK_ITEMS", 4)
    sandbox.set_faults(drop_rate=0.5)
    try:
        handle = client.import_datapoints(
            fresh_dataset.id, [{"q": f"{i}", "expected_output": f"{i}"} for i in range(40)], wait=False, progress=False
        )
        made = handle.result(120)
    finally:
        sandbox.clear_faults()
    stats = sandbox.control("GET", "/_sandbox/stats")
    assert stats.get("fault drop", 0) > 0
    assert [dp.expected_output for dp in made] == [f"{i}" for i in range(40)]
    assert [o for _, o in held(orq, fresh_dataset.id)] == ["already there", *(f"{i}" for i in range(40))]
    client.close()


def test_fault_test_3000_rows_from_a_dataframe_exactly_once(sandbox, orq, fresh_dataset, tmp_path, monkeypatch):
    """Issue 26's fault test: 30% of answers lost after the work, 10% 429s: exactly 3000, exact text."""
    pd = pytest.importorskip("pandas")
    monkeypatch.setenv("NBWIDGETS_CACHE_DIR", str(tmp_path))
    frame = pd.DataFrame(
        {
            "question": [f"Frage {i}: Größe? 質問 {i} 🚀" for i in range(3000)],
            "expected_output": [f"Antwort {i} — «ok» ✓" for i in range(3000)],
        }
    )
    client = Client.orq(sandbox.api_key, sandbox.url, retry=FAST)
    monkeypatch.setattr(curate, "MAX_BULK_ITEMS", 250)  # 12 chunks: many sends, so many lost answers
    sandbox.set_faults(drop_rate=0.3, rate_limit_rate=0.1, retry_after_ms=5)
    try:
        handle = client.import_datapoints(fresh_dataset.id, frame, wait=False, progress=False)
        assert len(handle.chunks) == 12
        assert handle.wait(300)
        stats = sandbox.control("GET", "/_sandbox/stats")
    finally:
        sandbox.clear_faults()
    assert handle.state == "saved", handle.error
    assert stats.get("fault drop", 0) > 0 and stats.get("fault 429", 0) > 0
    stored = held(orq, fresh_dataset.id)
    assert stored == [({"question": f"Frage {i}: Größe? 質問 {i} 🚀"}, f"Antwort {i} — «ok» ✓") for i in range(3000)]
    client.close()


def test_a_kernel_killed_mid_import_and_a_new_one_make_the_whole_set_once(sandbox, orq, fresh_dataset, tmp_path):
    """A process importing 3000 rows (chunks of 250) is killed mid-import; the next process delivers the rest."""
    env = {**os.environ, "NBWIDGETS_CACHE_DIR": str(tmp_path)}
    script = textwrap.dedent(f"""
        import sys
        import nbwidgets.client.curate as curate
        from nbwidgets import Client
        curate.MAX_BULK_ITEMS = 250
        client = Client.orq({sandbox.api_key!r}, {sandbox.url!r})
        rows = [{{"q": f"q {{i}} ü", "expected_output": f"a {{i}} ✓"}} for i in range(3000)]
        handle = client.import_datapoints({fresh_dataset.id!r}, rows, wait=False, progress=False)
        print("queued", len(handle.chunks), flush=True)
        while handle.created < 750:
            pass
        print("importing", flush=True)
        import time; time.sleep(60)
    """)
    sandbox.set_faults(latency_ms=40, drop_rate=0.2)
    process = subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "queued 12"
        assert process.stdout.readline().strip() == "importing"
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)
    partial = orq.get_dataset(fresh_dataset.id).metadata.datapoints_count
    assert 750 <= partial < 3000
    drain = textwrap.dedent(f"""
        from nbwidgets import Client
        client = Client.orq({sandbox.api_key!r}, {sandbox.url!r})
        print(len(client.outbox.pending()), client.outbox.flush(timeout=240), len(client.outbox.pending()))
    """)
    try:
        result = subprocess.run([sys.executable, "-c", drain], env=env, capture_output=True, text=True, timeout=300)
    finally:
        sandbox.clear_faults()
    assert result.returncode == 0, result.stderr[-2000:]
    left, flushed, after = result.stdout.split()
    assert int(left) > 0 and flushed == "True" and after == "0"
    assert held(orq, fresh_dataset.id) == [({"q": f"q {i} ü"}, f"a {i} ✓") for i in range(3000)]


def test_export_refuses_other_files(orq, fresh_dataset, tmp_path):
    with pytest.raises(ValueError, match=r"export writes \.csv or \.jsonl files"):
        orq.export_datapoints(fresh_dataset.id, tmp_path / "x.json", progress=False)


def test_overmind_import_and_delete_make_one_new_version_each(overmind, own_version, tmp_path, monkeypatch):
    """Overmind changes no version in place: an import adds the rows after the version's datapoints in the
    agent's next version; a delete makes a version without them. Bad input is a sentence, nothing sent."""
    monkeypatch.setenv("NBWIDGETS_CACHE_DIR", str(tmp_path))
    path = tmp_path / "more.csv"
    path.write_text(
        'question,expected_output\nWo ist die Rechnung?,"{""answer"": ""Im Konto""}"\nReset?,Link\n', "utf-8"
    )
    made = overmind.import_datapoints(own_version.id, path)
    version = overmind.get_dataset(made.id)
    assert version.num_datapoints == 42 and version.version > own_version.version
    assert [(dp.input, dp.expected_output) for dp in version.datapoints[-2:]] == [
        ({"question": "Wo ist die Rechnung?"}, {"answer": "Im Konto"}),
        ({"question": "Reset?"}, "Link"),
    ]
    first_two = [dp.id for dp in version.datapoints[:2]]
    smaller = overmind.get_dataset(overmind.delete_datapoints(version.id, first_two).id)
    overmind.delete_dataset(smaller.id)  # made from `version`, not from own_version: its cleanup would miss it
    assert smaller.num_datapoints == 40
    assert [dp.expected_output for dp in smaller.datapoints] == [dp.expected_output for dp in version.datapoints[2:]]
    with pytest.raises(ValueError, match="column 'answer' \\(expected_output=\\) is not in the source"):
        overmind.import_datapoints(own_version.id, path, expected_output="answer")
    with pytest.raises(ValueError, match="nothing to import"):
        overmind.import_datapoints(own_version.id, [])
