"""EvaluatorForm in JupyterLab: jury, judges, local validation without a request, save, confirmed over HTTP."""

from __future__ import annotations

import pytest
from conftest import focus_went_to_notebook, open_and_run, screenshot

from nbwidgets import Client

pytestmark = pytest.mark.e2e


def test_switch_to_jury_add_a_judge_fix_an_invalid_key_and_save(page, lab, sandbox):
    with Client.orq(sandbox.api_key, sandbox.url) as client:
        created = client.create_evaluator(
            {"key": "e2e_form", "prompt": "Is {{output}} right?", "model": "openai/gpt-4o"}
        )
    open_and_run(
        page,
        lab,
        "form.ipynb",
        [
            "from nbwidgets import Client, EvaluatorForm",
            f"form = EvaluatorForm(Client.sandbox(), {created.id!r})\nform",
        ],
        wait_for=".nbw-form .nbw-field input",
    )
    form = page.locator(".nbw-form")
    page.get_by_label("Key", exact=True).wait_for()
    page.wait_for_function("() => document.querySelector('.nbw-form [data-path=key]').value === 'e2e_form'")

    form.get_by_label("Jury").check()
    assert (
        form.get_by_role("group", name="Judge 1").is_visible()
        and form.get_by_role("group", name="Judge 2").is_visible()
    )
    form.get_by_role("button", name="Add judge").click()
    judge3 = form.get_by_role("group", name="Judge 3")
    judge3.get_by_label("Model", exact=True).fill("google/gemini-2.5-pro")
    form.get_by_role("group", name="Judge 2").get_by_label("Model", exact=True).fill("anthropic/claude-sonnet-4-5")
    judge3.get_by_label("Retries").fill("4")

    def patches() -> int:
        return sandbox.control("GET", "/_sandbox/stats").get("PATCH orq", 0)

    before = patches()
    key = form.get_by_label("Key", exact=True)
    key.fill("bad key!")
    error = form.locator("[data-path=key] ~ .nbw-field-error")
    page.wait_for_function(
        "() => document.querySelector('.nbw-form [data-path=key]').getAttribute('aria-invalid') === 'true'"
    )
    assert "letters, digits" in error.inner_text()
    save = form.get_by_role("button", name="Save", exact=True)
    assert save.is_disabled()
    mark = sandbox.mark_requests()
    key.press("Control+s")  # the shortcut does not save an invalid form either (checked below, after
    # the valid save: intents reach the kernel in order, so a request from Ctrl+S would come first)

    key.fill("e2e_form_jury")
    page.wait_for_function(
        "() => !document.querySelector('.nbw-form [data-path=key]').getAttribute('aria-invalid')"
        " || document.querySelector('.nbw-form [data-path=key]').getAttribute('aria-invalid') === 'false'"
    )
    assert form.get_by_text("Unsaved changes").is_visible()
    assert "{{output}}" in form.locator(".nbw-variables").inner_text()
    page.set_viewport_size({"width": 1400, "height": 2400})
    screenshot(page, "evaluator-form", form)
    save.wait_for(state="visible")
    page.wait_for_function("() => !document.querySelector('.nbw-form .nbw-primary').disabled")
    save.click()
    form.locator(".nbw-notice", has_text="Saved").wait_for()
    assert patches() == before + 1
    [sent] = sandbox.requests_received(f"/v2/evaluators/{created.id}", since=mark, method="PATCH")
    assert sent["body"]["key"] == "e2e_form_jury" and sent["status"] == 200
    with Client.orq(sandbox.api_key, sandbox.url) as client:
        stored = client.get_evaluator(created.id)
    assert stored.key == "e2e_form_jury" and stored.mode == "jury"
    assert [j.model for j in stored.jury.judges] == [
        "openai/gpt-4o",
        "anthropic/claude-sonnet-4-5",
        "google/gemini-2.5-pro",
    ]
    assert stored.jury.judges[2].retry.count == 4
    assert not form.get_by_text("Unsaved changes").is_visible()


def test_a_save_through_faults_says_retrying_then_saved_as_one_version(page, lab, sandbox):
    """Issue 10: while the service fails, the banner says the save is kept and retried; once it answers,
    the form says Saved and the service holds exactly one new version."""
    from conftest import run_cell, set_theme

    with Client.orq(sandbox.api_key, sandbox.url) as client:
        created = client.create_evaluator(
            {"key": "e2e_retrying", "prompt": "Is {{output}} kind?", "model": "openai/gpt-4o"}
        )
    open_and_run(
        page,
        lab,
        "form_retrying.ipynb",
        [
            "from nbwidgets import Client, EvaluatorForm\nfrom nbwidgets.client import RetryPolicy",
            # a long backoff: the save waits in the outbox until the test lets it go
            "client = Client.sandbox(retry=RetryPolicy(max_retries=0, initial_delay=60, max_delay=60))",
            f"form = EvaluatorForm(client, {created.id!r})\nform",
        ],
        wait_for=".nbw-form .nbw-field input",
    )
    form = page.locator(".nbw-form")
    page.wait_for_function("() => document.querySelector('.nbw-form [data-path=key]').value === 'e2e_retrying'")
    form.get_by_label("Description", exact=True).fill("Saved through a fault")
    sandbox.set_faults(fault_rate=1.0)
    try:
        page.wait_for_function("() => !document.querySelector('.nbw-form .nbw-primary').disabled")
        form.get_by_role("button", name="Save", exact=True).click()
        banner = form.locator(".nbw-alert", has_text="Not saved yet")
        banner.wait_for()
        assert "retrying in the background" in banner.inner_text()
        for width in (1400, 800):
            page.set_viewport_size({"width": width, "height": 1400})
            for theme in ("JupyterLab Light", "JupyterLab Dark"):
                set_theme(page, theme)
                screenshot(page, f"form-retrying-{theme.split()[-1].lower()}-{width}", form)
        set_theme(page, "JupyterLab Light")
    finally:
        sandbox.clear_faults()
    run_cell(page, "client.outbox.retry_now(); print('retrying now')")
    form.locator(".nbw-notice", has_text="Saved as version 1.0.1").wait_for()
    assert not form.locator(".nbw-alert", has_text="Not saved").count()
    with Client.orq(sandbox.api_key, sandbox.url) as client:
        stored = client.get_evaluator(created.id)
    assert stored.description == "Saved through a fault" and stored.version == "1.0.1"


def test_clicked_checkboxes_keep_focus_in_the_form_and_esc_in_a_field_leaves_it(page, lab, sandbox):
    open_and_run(
        page,
        lab,
        "form_focus.ipynb",
        ["from nbwidgets import Client, EvaluatorForm", "form = EvaluatorForm(Client.sandbox())\nform"],
        wait_for=".nbw-form .nbw-field input",
    )
    form = page.locator(".nbw-form")
    in_form = "node => node.contains(document.activeElement)"
    form.get_by_label("Jury").click()
    form.get_by_role("group", name="Judge 2").wait_for()
    assert form.get_by_label("Jury").evaluate("node => node === document.activeElement")
    form.get_by_label("Output type").select_option("categorical")
    guardrail = form.get_by_label("Use a guardrail")  # a new evaluator has none
    guardrail.click()  # the form is rebuilt with the guardrail's fields
    form.get_by_role("group", name="Passing labels").wait_for()
    assert guardrail.evaluate("node => node === document.activeElement")
    passing = form.get_by_role("group", name="Passing labels")
    box = passing.get_by_label("fail")
    box.click()  # with the mouse: the form is rebuilt at once, focus stays on the (new) checkbox
    assert box.is_checked()
    assert form.evaluate(in_form) and box.evaluate("node => node === document.activeElement")
    page.keyboard.press("Space")  # the keyboard is still on it: Space unticks it
    page.wait_for_function("() => !document.activeElement.checked")
    assert not box.is_checked() and form.evaluate(in_form)

    # Esc in any field hands the keyboard to the notebook, in command mode on the form's cell
    for field in (form.get_by_label("Key", exact=True), form.get_by_label("Prompt", exact=True), box):
        field.click()
        page.keyboard.press("Escape")
        assert focus_went_to_notebook(form), field


def test_a_mode_switch_keeps_save_off_until_the_new_model_is_filled_and_output_types_keep_the_guardrail(
    page, lab, sandbox
):
    """The fields a mode switch leaves empty (Judge 2's model; the single model of a jury without one) are
    on show at once and Save is off, with the count, until they are filled; boolean -> string -> boolean
    keeps the guardrail the draft had."""
    with Client.orq(sandbox.api_key, sandbox.url) as client:
        single = client.create_evaluator(
            {
                "key": "e2e_form_switch",
                "prompt": "Is {{output}} right?",
                "model": "openai/gpt-4o",
                "output_type": "boolean",
                "guardrail_config": {"enabled": True, "alert_on_failure": False, "type": "boolean", "value": True},
            }
        )
        jury = client.create_evaluator(
            {
                "key": "e2e_form_jury_only",
                "prompt": "Is {{output}} right?",
                "mode": "jury",
                "jury": {"judges": [{"model": "openai/gpt-4o"}, {"model": "anthropic/claude-sonnet-4-5"}]},
            }
        )
    open_and_run(
        page,
        lab,
        "form_switch.ipynb",
        [
            "from nbwidgets import Client, EvaluatorForm",
            f"form = EvaluatorForm(Client.sandbox(), {single.id!r})\nform",
            f"jury_form = EvaluatorForm(Client.sandbox(), {jury.id!r})\njury_form",
        ],
        wait_for=".nbw-form .nbw-field input",
    )
    form, jury_form = page.locator(".nbw-form").nth(0), page.locator(".nbw-form").nth(1)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.nbw-form [data-path=key]')].map(k => k.value).join()"
        " === 'e2e_form_switch,e2e_form_jury_only'"
    )
    save = form.get_by_role("button", name="Save", exact=True)

    form.get_by_label("Jury").check()  # Judge 2 comes with an empty model: on show, and Save is off
    judge2_model = form.get_by_role("group", name="Judge 2").get_by_label("Model", exact=True)
    judge2_model.wait_for()
    form.locator(".nbw-form-problems", has_text="1 problem to fix before saving").wait_for()
    assert save.is_disabled()
    assert judge2_model.get_attribute("aria-invalid") == "true"
    assert form.get_by_role("group", name="Judge 2").locator(".nbw-field-error", has_text="model is required").count()
    judge2_model.fill("anthropic/claude-sonnet-4-5")
    form.locator(".nbw-form-problems", has_text="problem").wait_for(state="detached")
    page.wait_for_function("() => !document.querySelector('.nbw-form .nbw-primary').disabled")
    form.get_by_label("Single judge").check()  # back to the single model, which is filled

    # boolean -> string -> boolean: the guardrail the draft had comes back, not dropped
    guardrail = form.get_by_label("Use a guardrail")
    assert guardrail.is_checked()
    form.get_by_label("Output type").select_option("string")
    page.wait_for_function("() => document.querySelector('.nbw-form [data-path=output_type]').value === 'string'")
    form.get_by_label("Output type").select_option("boolean")
    page.wait_for_function("() => document.querySelector('.nbw-form [data-path=output_type]').value === 'boolean'")
    assert guardrail.is_checked()
    form.get_by_text("Unsaved changes").wait_for(state="hidden")  # the round trip is back to the saved values

    # Jury -> Single on a jury without a model: the empty model is on show and Save is off
    jury_save = jury_form.get_by_role("button", name="Save", exact=True)
    jury_form.get_by_label("Single judge").check()
    jury_form.locator(".nbw-form-problems", has_text="1 problem to fix before saving").wait_for()
    assert jury_save.is_disabled()
    assert jury_form.get_by_label("Model", exact=True).get_attribute("aria-invalid") == "true"
