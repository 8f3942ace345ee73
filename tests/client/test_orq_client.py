"""The orq client against the sandbox over real HTTP: every operation and both cursor directions."""

from __future__ import annotations

import pytest

from nbwidgets.client import ConflictError, NotFoundError, ValidationError
from nbwidgets.models import Evaluator, is_ulid


def test_list_datasets_search_and_cursor_both_ways(orq, sandbox):
    names = [d.display_name for d in orq.list_datasets()]
    assert {"support_quality_eval", "rag_answers", "empty_dataset", "generated_10000"} <= set(names)
    assert [d.display_name for d in orq.list_datasets(search="RAG")] == ["rag_answers"]

    first = orq.list_datasets(limit=1)
    assert len(first) == 1 and first.has_next and not first.has_previous
    second = orq.list_datasets(limit=1, starting_after=first.next_cursor)
    assert second.items[0].id != first.items[0].id and second.has_previous
    back = orq.list_datasets(limit=1, ending_before=second.previous_cursor)
    assert back.items[0].id == first.items[0].id and not back.has_previous and back.has_next


def test_dataset_create_get_delete(orq):
    created = orq.create_dataset("created-by-test", path="Default/tests")
    assert is_ulid(created.id) and created.metadata.datapoints_count == 0
    assert orq.get_dataset(created.id).display_name == "created-by-test"
    orq.delete_dataset(created.id)
    with pytest.raises(NotFoundError) as info:
        orq.get_dataset(created.id)
    assert info.value.status == 404 and info.value.route == f"/v2/datasets/{created.id}"


def test_paging_forward_to_last_page_and_back_to_first(orq, sandbox):
    dataset_id = sandbox.ids["support"]  # 120 datapoints
    page = orq.datapoints_page(dataset_id, limit=50)
    assert not page.has_previous and page.has_next and page.total is None
    seen = [dp.id for dp in page]
    while page.has_next:
        page = orq.datapoints_page(dataset_id, limit=50, starting_after=page.next_cursor)
        seen += [dp.id for dp in page]
    assert len(page) == 20 and not page.has_next and page.has_previous  # the last page
    assert len(seen) == 120 == len(set(seen)) and seen == sorted(seen)
    while page.has_previous:
        page = orq.datapoints_page(dataset_id, limit=50, ending_before=page.previous_cursor)
    assert [dp.id for dp in page] == seen[:50]


def test_empty_dataset_page(orq, sandbox):
    page = orq.datapoints_page(sandbox.ids["empty"], limit=10)
    assert page.items == [] and not page.has_next and not page.has_previous
    assert list(orq.iter_datapoints(sandbox.ids["empty"])) == []


def test_iterate_ten_thousand_datapoints_one_page_at_a_time(orq, sandbox):
    ids = [dp.id for dp in orq.iter_datapoints(sandbox.ids["generated"], page_size=200)]
    assert len(ids) == 10_000 == len(set(ids))


def test_demo_datapoints_parse_every_message_role_and_review(orq, sandbox):
    points = list(orq.iter_datapoints(sandbox.ids["support"]))
    roles = {m.role for dp in points for m in dp.messages}
    assert roles == {"system", "user", "assistant", "tool"}
    kinds = {e.type for dp in points for e in dp.evaluations}
    assert kinds == {"string", "number", "boolean", "string_array"}


def test_datapoint_create_get_update_only_given_fields_delete(orq, fresh_dataset):
    [created] = orq.create_datapoints(
        fresh_dataset.id,
        [
            {
                "inputs": {"question": "2+2?", "strict": True},
                "messages": [{"role": "user", "content": "2+2?"}],
                "expected_output": "4",
            }
        ],
    )
    assert orq.get_dataset(fresh_dataset.id).metadata.datapoints_count == 1
    updated = orq.update_datapoint(fresh_dataset.id, created.id, expected_output="four")
    assert updated.expected_output == "four"
    assert updated.inputs == {"question": "2+2?", "strict": True} and updated.messages == created.messages
    assert updated.updated > created.updated
    assert orq.get_datapoint(fresh_dataset.id, created.id).expected_output == "four"
    orq.delete_datapoint(fresh_dataset.id, created.id)
    with pytest.raises(NotFoundError):
        orq.get_datapoint(fresh_dataset.id, created.id)


def test_nested_inputs_are_refused_before_any_request(orq, fresh_dataset, sandbox):
    before = sandbox.control("GET", "/_sandbox/stats").get("PATCH orq", 0)
    with pytest.raises(ValueError, match=r"nested|must be a string"):
        orq.update_datapoint(fresh_dataset.id, "01JJ1HDHN79XAS7A01WB3HYSDB", inputs={"a": {"b": 1}})
    assert sandbox.control("GET", "/_sandbox/stats").get("PATCH orq", 0) == before


def test_server_validation_error_names_the_field(orq, sandbox):
    with pytest.raises(ValidationError) as info:
        orq.update_evaluator(sandbox.ids["tone_check"], {"repetitions": 7})
    assert info.value.status == 400 and "repetitions" in info.value.field_errors


def test_evaluators_list_get_create_update_delete(orq, sandbox):
    listed = {e.key: e for e in orq.list_evaluators()}
    assert {"tone_check", "answer_quality_jury"} <= set(listed)
    jury = orq.get_evaluator(sandbox.ids["answer_quality_jury"])  # the richer GET shape
    assert jury.mode == "jury" and jury.jury.judges[0].model == "openai/gpt-4o"
    assert jury.jury.judges[0].retry.count == 2 and jury.jury.min_successful_judges == 2

    created = orq.create_evaluator(
        Evaluator(
            key="is_short",
            prompt="Is {{output}} short?",
            model="openai/gpt-4o",
            output_type="boolean",
            description="brevity",
        )
    )
    assert is_ulid(created.id) and created.key == "is_short"
    changed = orq.update_evaluator(
        created.id,
        {"prompt": "Is {{output}} under 50 words?", "repetitions": 3},
        version_increment="minor",
        version_description="stricter",
    )
    assert changed.prompt.endswith("50 words?") and changed.repetitions == 3 and changed.model == "openai/gpt-4o"
    with pytest.raises(ConflictError) as info:
        orq.update_evaluator(created.id, {"key": "tone_check"})
    assert "key" in info.value.field_errors
    orq.delete_evaluator(created.id)
    with pytest.raises(NotFoundError):
        orq.get_evaluator(created.id)


def test_switching_an_evaluator_to_a_jury_and_back(orq):
    created = orq.create_evaluator({"key": "switcher", "prompt": "{{output}}?", "model": "openai/gpt-4o"})
    jury = {"judges": [{"model": "a/one"}, {"model": "b/two"}], "min_successful_judges": 2}
    as_jury = orq.update_evaluator(created.id, {"mode": "jury", "jury": jury})
    assert as_jury.mode == "jury" and [j.model for j in as_jury.jury.judges] == ["a/one", "b/two"]
    back = orq.update_evaluator(created.id, {"mode": "single", "model": "openai/gpt-4o-mini"})
    assert back.mode == "single" and back.jury is None
    with pytest.raises(ValidationError) as info:
        orq.update_evaluator(created.id, {"mode": "jury", "jury": {**jury, "min_successful_judges": 3}})
    assert any(
        "min_successful_judges" in m for msgs in info.value.field_errors.values() for m in msgs
    ) or "min_successful_judges" in str(info.value)
    orq.delete_evaluator(created.id)


def test_feedback_create_replace_and_remove(orq, sandbox):
    sandbox.add_traces("trace-fb-1")
    first = orq.create_feedback("trace-fb-1", "rating", "good")
    assert is_ulid(first.id)
    orq.create_feedback("trace-fb-1", "rating", "bad", id=first.id)  # changing one's mind: same id
    [stored] = sandbox.feedback("trace-fb-1")
    assert stored["value"] == "bad" and stored["id"] == first.id
    orq.create_feedback("trace-fb-1", "issues", ["too long", "rude"])
    orq.create_feedback("trace-fb-1", "quality", 4.5)
    assert sorted(type(f["value"]).__name__ for f in sandbox.feedback("trace-fb-1")) == ["float", "list", "str"]
    orq.remove_feedback(first.id, "trace-fb-1")
    assert len(sandbox.feedback("trace-fb-1")) == 2
    with pytest.raises(NotFoundError):
        orq.remove_feedback(first.id, "trace-fb-1")


def test_feedback_value_types_are_checked_locally(orq):
    with pytest.raises(ValueError):
        orq.create_feedback("t", "rating", True)
    with pytest.raises(ValueError):
        orq.create_feedback("t", "rating", "x", product="nonsense")


def test_datapoints_frame_holds_the_whole_dataset(orq, sandbox):
    frame = orq.datapoints_frame(sandbox.ids["rag"], progress=False)
    assert len(frame) == 6 and list(frame.columns)[:4] == ["id", "inputs", "messages", "expected_output"]


def test_evaluator_keys_are_every_evaluators_past_the_first_page(orq):
    """Example 02 picks a key no evaluator has from these: one on a later page counts too (it took the first
    50 only, so a second Run All in a workspace of more evaluators made a taken key: 409)."""
    import uuid

    tag = uuid.uuid4().hex[:8]
    made = [
        orq.create_evaluator({"key": f"filler_{tag}_{n}", "prompt": "Is {{output}} fine?", "model": "openai/gpt-4o"})
        for n in range(55)
    ]
    try:
        keys = orq.evaluator_keys()
        assert {e.key for e in made} <= keys and len(keys) > 50
        assert len(list(orq.iter_evaluators())) == len(keys)
    finally:  # the session's sandbox is shared: leave its first page of evaluators as it was
        for evaluator in made:
            orq.delete_evaluator(evaluator.id)


def test_a_page_that_ends_in_an_evaluator_of_another_type_pages_on(orq, sandbox):
    """A page of evaluators is cursored by its last item's id, a plain dict (`_id`) when that evaluator is
    not an llm_eval: it failed on `items[-1].id` (issue 23)."""
    other = {
        "_id": "01ZZZZZZZZZZZZZZZZZZZZZZZZ",  # after every other id: last in the listing
        "type": "python_eval",
        "key": "another_type_last",
        "description": "",
        "code": "def evaluate(log):\n    return True",
        "created": "2026-01-01T00:00:00.000Z",
        "updated": "2026-01-01T00:00:00.000Z",
    }
    sandbox.put_raw_evaluators([other])
    try:
        every = list(orq.iter_evaluators())
        assert every[-1] == other or every[-1]["_id"] == other["_id"]
        page = orq.list_evaluators(limit=1, starting_after=getattr(every[-2], "id", None) or every[-2]["_id"])
        assert page.items[-1]["_id"] == other["_id"] and page.next_cursor == other["_id"]
        assert "another_type_last" in orq.evaluator_keys()
    finally:
        orq.delete_evaluator(other["_id"])
