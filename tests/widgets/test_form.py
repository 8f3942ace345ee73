"""EvaluatorForm's state against the sandbox: load, edit each kind of field, validate, save, refuse."""

from __future__ import annotations

import copy

import pytest

from nbwidgets import Client, EvaluatorForm
from nbwidgets.client import ConflictError, NotFoundError, ValidationError
from nbwidgets.models import Evaluator

pytestmark = pytest.mark.usefixtures("shapes_held")  # every value sent has its trait's shape (conftest.py)


def edit(form, **fields):
    form.draft = {**copy.deepcopy(form.draft), **fields}


def requests(sandbox, method):
    return sandbox.control("GET", "/_sandbox/stats").get(f"{method} orq", 0)


def test_create_then_load(orq, sandbox):
    form = EvaluatorForm(orq)
    assert form.dirty and form.problems  # a blank form is not savable yet
    edit(
        form,
        key="brevity_check",
        prompt="Is {{output}} shorter than {{limit}} words?",
        model="openai/gpt-4o-mini",
        description="Short answers",
    )
    assert form.problems == {} and form.variables == ["output", "limit"]
    saved = form.save()
    assert form.evaluator_id == saved.id and not form.dirty and "Saved" in form.notice
    loaded = EvaluatorForm(orq, saved.id)
    loaded.reload()
    assert loaded.value.key == "brevity_check" and loaded.value.model == "openai/gpt-4o-mini" and not loaded.dirty


def test_edit_each_field_kind_and_save_only_what_changed(orq, sandbox):
    created = orq.create_evaluator(
        {"key": "field_kinds", "prompt": "Rate {{output}}", "model": "openai/gpt-4o", "output_type": "boolean"}
    )
    form = EvaluatorForm(orq, created.id)
    form.reload()
    edit(
        form,
        description="now described",
        repetitions=3,
        output_type="number",
        guardrail_config={"enabled": True, "alert_on_failure": True, "type": "number", "value": 3.5, "operator": "gte"},
    )
    assert form.dirty and form.problems == {}
    form.version_increment, form.version_description = "minor", "number output"
    mark = sandbox.mark_requests()
    saved = form.save()
    # what the service received: the changed fields and the version bump, nothing else
    [sent] = sandbox.requests_received(f"/v2/evaluators/{created.id}", since=mark, method="PATCH")
    assert sent["body"] == {
        "type": "llm_eval",
        "path": "Default",
        "description": "now described",
        "repetitions": 3,
        "output_type": "number",
        "guardrail_config": {
            "enabled": True,
            "alert_on_failure": True,
            "type": "number",
            "value": 3.5,
            "operator": "gte",
        },
        "versionIncrement": "minor",
        "versionDescription": "number output",
    }
    assert saved.guardrail_config.operator == "gte" and saved.repetitions == 3 and saved.version == "1.1.0"
    stored = orq.get_evaluator(created.id)
    assert stored.output_type == "number" and stored.guardrail_config.value == 3.5

    edit(
        form,
        output_type="categorical",
        categorical_labels=[{"value": "good"}, {"value": "bad"}],
        guardrail_config={"enabled": True, "alert_on_failure": False, "type": "categorical", "values": ["good"]},
    )
    assert form.problems == {}
    form.save()
    assert orq.get_evaluator(created.id).guardrail_config.values == ["good"]


def test_switch_to_jury_add_and_remove_judges_and_back(orq, sandbox):
    created = orq.create_evaluator({"key": "jury_switch", "prompt": "Judge {{output}}", "model": "openai/gpt-4o"})
    form = EvaluatorForm(orq, created.id)
    form.reload()
    judge = lambda model: {"model": model, "retry": {"count": 2, "on_codes": [429, 500]}, "fallbacks": []}  # noqa: E731
    edit(
        form,
        mode="jury",
        jury={
            "judges": [judge("openai/gpt-4o")],
            "replacement_judges": [],
            "min_successful_judges": 2,
            "tie_value": "Tie",
        },
    )
    assert "jury.judges" in form.problems  # one judge is not a jury
    edit(
        form,
        jury={
            **form.draft["jury"],
            "judges": [judge("openai/gpt-4o"), judge("anthropic/claude-sonnet-4-5"), judge("google/gemini-2.5-pro")],
            "min_successful_judges": 3,
        },
    )
    assert form.problems == {}
    form.save()
    assert [j.model for j in orq.get_evaluator(created.id).jury.judges] == [
        "openai/gpt-4o",
        "anthropic/claude-sonnet-4-5",
        "google/gemini-2.5-pro",
    ]
    edit(form, jury={**form.draft["jury"], "judges": form.draft["jury"]["judges"][:2]})  # remove a judge
    assert "jury.min_successful_judges" in form.problems  # 3 of 2 judges
    edit(form, jury={**form.draft["jury"], "min_successful_judges": 2})
    form.save()
    assert len(orq.get_evaluator(created.id).jury.judges) == 2
    edit(form, mode="single")
    assert form.problems == {} and form.dirty
    form.save()
    back = orq.get_evaluator(created.id)
    assert back.mode == "single" and back.jury is None and back.model == "openai/gpt-4o"
    assert form.draft["jury"]["min_successful_judges"] == 2  # kept in the form for switching back


@pytest.mark.parametrize(
    "fields,path",
    [
        ({"key": "bad key!"}, "key"),
        ({"key": "-starts-with-dash"}, "key"),
        ({"repetitions": 4}, "repetitions"),
        ({"prompt": "   "}, "prompt"),
        ({"model": ""}, "model"),
        ({"guardrail_config": {"type": "number", "value": 1, "operator": "about"}}, "guardrail_config.operator"),
        ({"guardrail_config": {"type": "categorical", "values": ["x"]}}, "guardrail_config.type"),
        ({"output_type": "categorical", "categorical_labels": [{"value": "only"}]}, "categorical_labels"),
        (
            {"mode": "jury", "jury": {"judges": [{"model": "a", "retry": {"count": 9}}, {"model": "b"}]}},
            "jury.judges.0.retry.count",
        ),
        (
            {
                "mode": "jury",
                "jury": {"judges": [{"model": "a", "retry": {"count": 2, "on_codes": [200]}}, {"model": "b"}]},
            },
            "jury.judges.0.retry.on_codes",
        ),
    ],
)
def test_values_the_api_refuses_are_refused_locally_with_no_request(orq, sandbox, fields, path):
    form = EvaluatorForm(orq, sandbox.ids["tone_check"])
    form.reload()
    before = requests(sandbox, "PATCH")
    edit(form, **fields)
    assert path in form.problems, form.problems
    with pytest.raises(ValueError, match="problems"):
        form.save()
    form.handle({"type": "save", "id": "s"})
    assert requests(sandbox, "PATCH") == before
    form.reset()
    assert form.problems == {} and not form.dirty


def test_a_server_side_rejection_lands_on_its_field_and_keeps_the_values(orq, sandbox):
    form = EvaluatorForm(orq)
    edit(form, key="tone_check", prompt="Duplicate {{output}}", model="openai/gpt-4o")  # the key is taken
    assert form.problems == {}
    with pytest.raises(ConflictError) as info:
        form.save()
    assert info.value.status == 409
    assert "key" in form.server_problems and "already" in form.server_problems["key"]
    assert form.draft["prompt"] == "Duplicate {{output}}" and form.evaluator_id is None and not form.saving
    edit(form, key="tone_check_2")
    assert "key" not in form.server_problems  # the user changed it: the old complaint goes
    assert form.save().key == "tone_check_2"


def test_other_errors_go_to_the_banner(orq, sandbox):
    form = EvaluatorForm(orq, sandbox.ids["tone_check"])
    form.reload()
    form.evaluator_id = "01JJ1HDHN79XAS7A01WB3HYSDB"  # deleted elsewhere, say
    edit(form, description="x")
    with pytest.raises(NotFoundError):
        form.save()
    assert "Not saved" in form.banner and form.draft["description"] == "x"


def test_value_round_trip_and_on_save(orq, sandbox):
    form = EvaluatorForm(orq, sandbox.ids["answer_quality_jury"])
    form.reload()
    value = form.value
    assert isinstance(value, Evaluator) and value.mode == "jury" and len(value.jury.judges) == 3
    seen = []
    form.on_save(seen.append)
    form.value = value.model_copy(update={"description": "set from Python"})
    assert form.draft["description"] == "set from Python" and form.dirty
    form.save()
    assert seen and seen[0].description == "set from Python"
    assert form.notice == f"Saved as version {form.version}" and not form.dirty
    form.draft = {**form.draft, "description": "changed after the save"}
    assert form.dirty and form.notice == ""  # no "Saved" beside unsaved changes


def test_unsaved_edits_live_in_the_widget_state(orq, sandbox):
    form = EvaluatorForm(orq, sandbox.ids["tone_check"])
    form.reload()
    edit(form, description="not saved yet")
    state = form.get_state()
    assert state["draft"]["description"] == "not saved yet" and state["dirty"]
    assert sandbox.api_key not in repr(state)


def test_server_validation_names_fields(orq, sandbox):
    with pytest.raises(ValidationError) as info:
        orq.update_evaluator(
            sandbox.ids["tone_check"], {"guardrail_config": {"type": "number", "value": 1, "operator": "gte"}}
        )
    assert "guardrail_config.type" in info.value.field_errors


def test_keys_typed_while_a_save_is_on_its_way_stay_and_ctrl_s_is_decided_by_the_kernel(orq, sandbox):
    form = EvaluatorForm(orq)
    edit(form, key="typed_while_saving", prompt="Is {{output}} kind?", model="openai/gpt-4o-mini")
    form.save()
    edit(form, description="sent")
    handle = form.save(wait=False)
    edit(form, description="sent, then more")  # typed while the save is on its way
    handle.result(20)
    assert form.draft["description"] == "sent, then more" and form.dirty  # not replaced by the saved values
    assert form.original["description"] == "sent"
    # Ctrl+S: the kernel decides from what it holds (the front end's copy of `dirty` may lag)
    form._intent_save({})
    assert orq.outbox.flush(20)
    assert orq.get_evaluator(form.evaluator_id).description == "sent, then more" and not form.dirty
    form._intent_save({})
    assert form.notice.startswith("Nothing to save")
    edit(form, key="bad key!")
    with pytest.raises(ValueError, match="problem"):
        form._intent_save({})


@pytest.mark.parametrize(
    "fields,path,words",
    [
        ({"repetitions": 4}, "repetitions", "Repetitions can be at most 3"),
        ({"repetitions": 0}, "repetitions", "Repetitions must be at least 1"),
        ({"repetitions": 1.5}, "repetitions", "Repetitions must be a whole number"),
        ({"key": ""}, "key", "A key is required"),
        ({"key": "   "}, "key", "A key is required"),
        (
            {"mode": "jury", "jury": {"judges": [{"model": "a", "retry": {"count": 9}}, {"model": "b"}]}},
            "jury.judges.0.retry.count",
            "Judge 1's retries can be at most 5",
        ),
        ({"prompt": "   "}, "prompt", "The prompt is empty"),
    ],
)
def test_problems_are_said_in_the_forms_words_not_pydantics(orq, fields, path, words):
    form = EvaluatorForm(orq)
    edit(form, **{"key": "k", "prompt": "Is {{output}} right?", "model": "openai/gpt-4o", **fields})
    assert form.problems.get(path) == words, form.problems
    assert not any("Input should" in m or "String should" in m for m in form.problems.values())


def test_a_client_without_evaluators_is_refused_in_words():
    with Client.overmind("k", "http://127.0.0.1:9") as overmind, pytest.raises(TypeError, match="an orq client"):
        EvaluatorForm(overmind)  # Overmind's client offers no evaluators (Client.capabilities)


def test_an_empty_model_is_said_beside_another_refused_field(orq):
    # pydantic stops at the refused key: the model's problem must not wait until the key is fixed
    form = EvaluatorForm(orq)
    edit(form, key="bad key!", prompt="Is {{output}} right?", model="", repetitions=7)
    assert {"key", "model", "repetitions"} <= set(form.problems), form.problems
