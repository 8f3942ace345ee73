from __future__ import annotations

import pytest
from pydantic import ValidationError

from nbwidgets.models import (
    Datapoint,
    DatapointUpdate,
    Evaluator,
    Feedback,
    Jury,
    Page,
    is_ulid,
    is_uuid,
    message_text,
    new_ulid,
    new_uuid,
)


def test_ulids_sort_by_time_and_match_the_pattern():
    a, b = new_ulid(1000), new_ulid(2000)
    assert is_ulid(a) and is_ulid(b) and a < b and len(a) == 26
    assert not is_ulid("01JJ1HDHN79XAS7A01WB3HYSDI")  # I is not Crockford
    assert is_uuid(new_uuid()) and not is_uuid("not-a-uuid")


def test_datapoint_keeps_unknown_fields_and_aliases():
    dp = Datapoint.model_validate(
        {
            "_id": "x",
            "dataset_id": "d",
            "brand_new_field": 1,
            "messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}, {"type": "image_url"}]}],
        }
    )
    assert dp.id == "x" and dp.to_wire()["brand_new_field"] == 1 and dp.to_wire()["_id"] == "x"
    assert message_text(dp.messages[0]) == "hi\n[image_url]"


def test_an_unknown_role_is_read_raw_and_refused_on_write():
    robot = {"role": "robot", "content": ""}
    read = Datapoint.model_validate({"_id": "x", "dataset_id": "d", "messages": [robot]})
    assert read.messages == [robot] and read.to_wire()["messages"] == [robot]
    with pytest.raises(ValidationError):
        DatapointUpdate.model_validate({"messages": [robot]})


def test_update_sends_only_what_is_set_and_refuses_nested_inputs():
    assert DatapointUpdate(expected_output="x").to_wire() == {"expected_output": "x"}
    assert DatapointUpdate(inputs={"a": 1, "b": None, "c": True}).to_wire() == {
        "inputs": {"a": 1, "b": None, "c": True}
    }
    for bad in ({"a": {"b": 1}}, {"a": [1]}):
        with pytest.raises(ValidationError, match="must be a string, number, boolean or null"):
            DatapointUpdate(inputs=bad)


@pytest.mark.parametrize(
    "key,ok",
    [
        ("a", True),
        ("tone_check", True),
        ("a-b_c9", True),
        ("_a", False),
        ("a_", False),
        ("", False),
        ("a b", False),
        ("é", False),
    ],
)
def test_evaluator_key_pattern(key, ok):
    make = lambda: Evaluator(key=key, model="m", prompt="p")  # noqa: E731
    if ok:
        assert make().key == key
    else:
        with pytest.raises(ValidationError):
            make()


def test_evaluator_from_the_get_shape_flattens_models():
    e = Evaluator.model_validate(
        {
            "_id": "e",
            "key": "k",
            "display_name": "K",
            "owner": "u",
            "domain_id": "w",
            "metadata": {},
            "mode": "jury",
            "model": None,
            "jury": {
                "judges": [{"model": {"id": "a", "integration_id": None}}, {"model": "b"}],
                "replacement_judges": [{"model": {"id": "c"}}],
            },
            "prompt": "{{input}} and {{ output }} and {{input}}",
        }
    )
    assert [j.model for j in e.jury.judges] == ["a", "b"] and e.jury.replacement_judges[0].model == "c"
    assert e.variables == ["input", "output"]


def test_jury_constraints():
    with pytest.raises(ValidationError):
        Jury(judges=[{"model": "a"}])
    with pytest.raises(ValidationError):
        Jury(judges=[{"model": "a"}, {"model": "b"}], min_successful_judges=3)
    with pytest.raises(ValidationError):
        Jury(judges=[{"model": "a", "retry": {"count": 6}}, {"model": "b"}])
    with pytest.raises(ValidationError):
        Evaluator(key="k", mode="jury", prompt="p")
    with pytest.raises(ValidationError):
        Evaluator(key="k", model="m", repetitions=4)


def test_guardrail_variants():
    e = Evaluator(
        key="k", model="m", output_type="number", guardrail_config={"type": "number", "value": 3, "operator": "gte"}
    )
    assert e.guardrail_config.operator == "gte" and e.guardrail_config.enabled
    with pytest.raises(ValidationError):
        Evaluator(key="k", model="m", guardrail_config={"type": "number", "value": 3, "operator": "about"})


def test_feedback_values():
    assert Feedback(property="p", value=["a", "b"], trace_id="t").value == ["a", "b"]
    assert Feedback(property="p", value=4, trace_id="t").value == 4
    with pytest.raises(ValidationError):
        Feedback(property="p", value=True, trace_id="t")
    with pytest.raises(ValidationError):
        Feedback(property="p", value="x", trace_id="t", product="nope")


def test_page_counts():
    page = Page[int](items=[1, 2], has_next=True, has_previous=False, scheme="number", number=1, total=51, page_size=25)
    assert page.page_count == 3 and len(page) == 2 and list(page) == [1, 2]
    assert Page[int](items=[], has_next=False, has_previous=False, scheme="cursor").page_count is None


def test_feedback_controls_derive_the_control_and_the_wire_shape_from_the_property():
    from nbwidgets.models.feedback import BUILTIN_FEEDBACK_PROPERTIES, feedback_controls

    defined = {p.key: p for p in BUILTIN_FEEDBACK_PROPERTIES}
    rating, verdict, tags, quality = feedback_controls(
        [
            {"property": "rating", "kind": "choice"},  # a label shown as a choice: still a string
            {"property": "verdict", "type": "single_choice", "values": ["right", "wrong"]},
            {"property": "tags", "kind": "choice", "options": ["a", "b"]},  # unknown: the choice describes it
            {"property": "quality", "type": "number", "min": 1, "max": 5},
        ],
        defined,
    )
    assert (rating.kind, rating.options, rating.wire(rating.validate("good"))) == ("choice", ("good", "bad"), "good")
    assert (verdict.kind, verdict.wire(verdict.validate("wrong"))) == ("choice", ["wrong"])
    assert tags.wire(tags.validate("b")) == ["b"]
    assert (quality.kind, quality.score_min, quality.score_max) == ("score", 1, 5)
    for spec, message in [
        ({"property": "rating", "kind": "choices"}, "feedback: rating is a label property: its control is thumbs"),
        ({"property": "defects", "options": ["typos"]}, "feedback: defects takes grammatical, .*'typos' is not"),
        ({"property": "q", "type": "number", "min": 5, "max": 1}, "feedback: q: min must be below max"),
        ({"property": "q", "kind": "score", "range": (1, 9)}, None),
        ({"property": "x", "kind": "choices"}, "feedback: x is a choices feedback and needs options"),
        ({"property": "x", "kind": "stars"}, "feedback: x: kind must be one of thumbs, score"),
    ]:
        if message is None:
            assert feedback_controls([spec], defined)[0].wire(9) == 9
            continue
        with pytest.raises(ValueError, match=message):
            feedback_controls([spec], defined)
