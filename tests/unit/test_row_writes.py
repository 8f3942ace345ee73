"""RowWrites (widgets/_row_writes.py) alone: a fake dataset source that hands out write handles the test
settles itself, no server and no widget. What the grid and the review both rely on: the conflict base,
Undo, an edit group as one step, resolve mine/theirs, staging and the version write."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import pytest

from nbwidgets.client.errors import ConflictError
from nbwidgets.client.writes import Write, WriteHandle
from nbwidgets.widgets._row_writes import VERSION, Edit, RowWrites


@dataclass
class Row:
    id: str
    expected_output: str
    updated: str

    def to_wire(self) -> dict[str, Any]:
        return {"id": self.id, "expected_output": self.expected_output, "updated": self.updated}


class FakeSource:
    def __init__(self, save_mode: str = "patch") -> None:
        self.save_mode = save_mode
        self.queued: list[WriteHandle] = []

    def validate(self, fields: dict[str, Any]) -> dict[str, Any]:
        if "bad" in fields:
            raise ValueError("bad: not a field")
        return fields

    def queue_update(self, dataset_id: str, datapoint_id: str, fields: dict[str, Any], **how: Any) -> WriteHandle:
        payload = {"dataset_id": dataset_id, "datapoint_id": datapoint_id, "fields": fields, **how}
        return self._queued(Write("datapoint.update", datapoint_id, payload, origin=how["origin"]))

    def queue_version(self, dataset_id: str, edits: dict[str, Any], **how: Any) -> WriteHandle:
        return self._queued(Write("dataset.version", dataset_id, {"dataset_id": dataset_id, "edits": edits, **how}))

    def _queued(self, write: Write) -> WriteHandle:
        handle = WriteHandle(write, len(self.queued))
        self.queued.append(handle)
        return handle


def saved(handle: WriteHandle, before: Row | None, value: Row) -> None:
    handle.before = before
    handle._settle("saved", value)


def made(source: FakeSource, rows: dict[str, Row]) -> tuple[RowWrites, dict[str, Any]]:
    seen: dict[str, Any] = {"status": {}, "version": [], "replaced": [], "notice": []}
    writes = RowWrites(
        source,  # type: ignore[arg-type]
        lambda: "ds1",
        "widget-1",
        lock=threading.RLock(),
        held=rows.get,
        on_status=lambda i, status, handle: seen["status"].__setitem__(i, status["state"]),
        on_version=lambda status, handle: seen["version"].append(status["state"]),
        on_replaced=lambda row: (rows.__setitem__(row.id, row), seen["replaced"].append(row)),
        on_notice=seen["notice"].append,
    )
    return writes, seen


def test_a_save_carries_the_held_rows_base_and_the_widgets_origin_and_undo_reverts_against_the_saved_row():
    source, rows = FakeSource(), {"a": Row("a", "old", "t1")}
    writes, seen = made(source, rows)
    handle = writes.save("a", {"expected_output": "new"})
    assert handle.write.payload["expected_updated"] == "t1" and handle.write.origin == "widget-1"
    assert seen["status"]["a"] == "pending"
    saved(handle, rows["a"], Row("a", "new", "t2"))
    assert seen["status"]["a"] == "saved" and rows["a"].expected_output == "new"
    assert writes.undo == [Edit("a", {"expected_output": "old"}, "t2")]
    revert = writes.undo_last()
    assert revert.write.payload["fields"] == {"expected_output": "old"}
    assert revert.write.payload["expected_updated"] == "t2" and writes.undo == []
    saved(revert, rows["a"], Row("a", "old", "t3"))
    assert writes.undo == []  # an undo is not itself undone
    with pytest.raises(ValueError, match="nothing to undo"):
        writes.undo_last()


def test_a_refused_field_is_failed_before_anything_is_queued():
    source, rows = FakeSource(), {"a": Row("a", "old", "t1")}
    writes, seen = made(source, rows)
    with pytest.raises(ValueError, match="bad"):
        writes.save("a", {"bad": 1})
    assert seen["status"]["a"] == "failed" and source.queued == []


def test_a_conflict_keeps_the_services_row_and_resolve_mine_forces_theirs_shows_it():
    source, rows = FakeSource(), {"a": Row("a", "old", "t1"), "b": Row("b", "old", "t1")}
    writes, seen = made(source, rows)
    for key in ("a", "b"):
        handle = writes.save(key, {"expected_output": "mine"})
        handle.current = Row(key, "theirs", "t9")
        handle._settle("conflict", error=ConflictError("changed since", method="PATCH", route="/x", status=409))
    assert seen["status"] == {"a": "conflict", "b": "conflict"}
    forced = writes.resolve("a", "mine", {"expected_output": "mine"}, conflicted=True)
    assert forced.write.payload["expected_updated"] is None
    assert forced.write.payload["fields"] == {"expected_output": "mine"}
    assert writes.resolve("b", "theirs", {"expected_output": "mine"}, conflicted=True) is None
    assert rows["b"].expected_output == "theirs"
    with pytest.raises(ValueError, match="no conflict"):
        writes.resolve("b", "theirs", {}, conflicted=True)  # resolved once


def test_the_edits_of_one_action_are_one_undo_step_once_all_have_settled():
    source, rows = FakeSource(), {k: Row(k, "old", "t1") for k in "abc"}
    writes, seen = made(source, rows)
    group = writes.group("the replace")
    handles = [writes.save(k, {"expected_output": "new"}, group=group) for k in "abc"]
    writes.seal(group)
    saved(handles[0], rows["a"], Row("a", "new", "t2"))
    saved(handles[1], rows["b"], Row("b", "new", "t2"))
    assert writes.undo == []  # one still on its way
    handles[2]._settle("failed", error=RuntimeError("down"))
    assert writes.undo == [group] and len(group.entries) == 2
    reverts = writes.undo_last()
    assert [h.write.payload["datapoint_id"] for h in reverts] == ["b", "a"]  # last first
    for handle in reverts:
        saved(handle, None, Row(handle.write.payload["datapoint_id"], "old", "t3"))
    assert seen["notice"][-1] == "Undid the replace: reverted 2 datapoints."


def test_staged_fields_merge_per_row_and_a_version_holds_them_once_at_a_time():
    source = FakeSource("version")
    writes, seen = made(source, {})
    writes.stage("a", {"expected_output": "x"})
    writes.stage("a", {"inputs": {"q": 1}})
    assert writes.staged == {"a": {"expected_output": "x", "inputs": {"q": 1}}}
    handle = writes.queue_version(False)
    assert handle.write.payload["edits"] == writes.staged and seen["version"] == ["pending"]
    with pytest.raises(ValueError, match="being saved"):
        writes.refuse_while_saving_version("edit")
    writes.stage("b", {"expected_output": "y"})  # staged meanwhile: not in the version on its way
    handle._settle("saved", object())
    assert writes.version_saved(handle.write.payload) == ["a"]
    assert writes.staged == {"b": {"expected_output": "y"}} and "a" in writes.saved_edits
    cumulative = writes.queue_version(True, cumulative=True)
    assert set(cumulative.write.payload["edits"]) == {"a", "b"} and writes.statuses.latest(VERSION) is cumulative


def test_undo_of_a_staged_edit_puts_back_what_was_staged_or_stages_the_old_value_once_saved():
    source = FakeSource("version")
    writes, _ = made(source, {})
    writes.stage("a", {"expected_output": "first"})
    writes.revert(Edit("a", {"expected_output": "old"}, staged_before={"expected_output": "before"}))
    assert writes.staged["a"] == {"expected_output": "before"}
    writes.revert(Edit("a", {"expected_output": "old"}))
    assert "a" not in writes.staged
    writes.saved_edits["a"] = {"expected_output": "in a version"}
    writes.revert(Edit("a", {"expected_output": "old"}))
    assert writes.staged["a"] == {"expected_output": "old"}
