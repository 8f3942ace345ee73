"""The judges' front end reads traits and sends intents by name: each name it uses exists in Python."""

from __future__ import annotations

import re
from pathlib import Path

import test_contract as contract  # the bundle walker (tests/unit is on sys.path)

from nbwidgets import EvaluatorForm, ExperimentReview
from nbwidgets.widgets._judging import ROW_FILTERS

JS = Path(__file__).resolve().parents[2] / "js"


def names(pattern: str, *files: str) -> set[str]:
    return {m for f in files for m in re.findall(pattern, (JS / f).read_text())}


def test_the_review_reads_traits_and_sends_intents_python_has():
    # every file of the review's bundle, walked from js/experiment/index.js (test_contract holds the rest)
    used = contract.used("experiment")
    judges = {"evaluators_info", "_verdicts", "_disagree", "judge_summary", "agreements", "row_filter", "sort_by"}
    assert judges <= used["read"] | used["watched"], judges - used["read"] - used["watched"]
    traits = set(ExperimentReview.class_trait_names(sync=True))
    assert judges <= traits
    assert "retry_judge" in used["sent"]
    assert "retry_judge" in contract.intent_names("experiment")
    filters = names(r'\["([a-z]+)", "[A-Z][^"]+"\]', "experiment/judging.js")
    assert filters == set(ROW_FILTERS)


def test_the_forms_try_panel_reads_traits_and_sends_intents_python_has():
    read = names(r'get\("([a-z_]+)"\)', "form/trying.js")
    assert {"try_rows", "try_status", "try_options", "evaluator_id", "dirty", "version"} <= read
    traits = set(EvaluatorForm.class_trait_names(sync=True))
    assert read <= traits, read - traits
    sent = names(r'request\("([a-z_]+)"', "form/trying.js")
    assert sent == {"try", "try_options"}
    source = (Path(__file__).resolve().parents[2] / "nbwidgets" / "widgets" / "form.py").read_text()
    assert all(f'"{intent}":' in source for intent in sent)
