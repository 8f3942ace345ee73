"""EvaluatorForm's "Try it" in JupyterLab: verdicts beside the graded text, a dirty draft must be saved first,
and after the save the new version's verdicts come with the changed rows marked."""

from __future__ import annotations

import uuid

import pytest
from conftest import open_and_run, screenshot, set_theme

from nbwidgets import Client

pytestmark = pytest.mark.e2e


def test_try_it_then_save_and_see_what_changed(page, lab, sandbox):
    with Client.orq(sandbox.api_key, sandbox.url) as client:
        created = client.create_evaluator(
            {
                "key": f"e2e_try_{uuid.uuid4().hex[:6]}",
                "prompt": "Rate {{output}} against {{expected_output}} from 1 to 5.",
                "model": "openai/gpt-4o",
                "output_type": "number",
            }
        )
    open_and_run(
        page,
        lab,
        "try.ipynb",
        [
            "from nbwidgets import Client, EvaluatorForm",
            f"form = EvaluatorForm(Client.sandbox(), {created.id!r})\nform",
        ],
        wait_for=".nbw-form .nbw-field input",
    )
    form = page.locator(".nbw-form")
    page.wait_for_function(f"() => document.querySelector('.nbw-form [data-path=key]').value === {created.key!r}")
    form.get_by_text("Try it on a dataset").click()
    dataset = form.get_by_label("Dataset", exact=True)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.nbw-try select option')].some(o => o.textContent === 'support_quality_eval')"
    )
    dataset.select_option(label="support_quality_eval")
    form.get_by_label("Grade", exact=True).select_option("support-reply")
    form.get_by_label("Rows", exact=True).fill("4")
    form.get_by_role("button", name="Run on these rows").click()
    rows = form.locator(".nbw-try-table tr[data-state=done]")
    rows.nth(3).wait_for(timeout=30_000)
    assert rows.count() == 4
    assert "Version 1.0.0:" in form.locator(".nbw-try-status").inner_text()
    first = [rows.nth(i).locator(".nbw-verdict").inner_text() for i in range(4)]
    assert all(text[-1].isdigit() for text in first)

    # an edit: Try it now waits for a save
    prompt = form.locator("[data-path=prompt]")
    prompt.fill("Rate {{output}} against {{expected_output}} from 1 to 100.")
    run = form.get_by_role("button", name="Run on these rows")
    page.wait_for_function("() => document.querySelector('.nbw-try .nbw-primary').disabled")
    assert "Save first to try your edits" in form.locator(".nbw-try").inner_text()
    assert run.is_disabled()

    form.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_function(
        "() => (document.querySelector('.nbw-try-status')?.textContent ?? '').includes('changed since the version before')",
        timeout=30_000,
    )
    status = form.locator(".nbw-try-status").inner_text()
    assert "Version 1.0.1:" in status
    changed = form.locator(".nbw-try-table tr.nbw-try-changed")
    assert changed.count() >= 1 and "changed (was" in changed.first.inner_text()
    for theme in ("JupyterLab Dark", "JupyterLab Light"):
        set_theme(page, theme)
        screenshot(page, f"form-try-it-{'light' if 'Light' in theme else 'dark'}", form.locator(".nbw-try"))
