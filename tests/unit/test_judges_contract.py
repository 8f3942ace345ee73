"""The judges' front end reads traits and sends intents by name: each name it uses exists in Python."""

from __future__ import annotations

import re
from pathlib import Path

from nbwidgets import EvaluatorForm, ExperimentReview
from nbwidgets.widgets._judging import ROW_FILTERS

JS = Path(__file__).resolve().parents[2] / "js"


def names(pattern: str, *files: str) -> set[str]:
    return {m for f in files for m in re.findall(pattern, (JS / f).read_text())}


def test_the_review_reads_traits_and_sends_intents_python_has():
    review = [path.relative_to(JS).as_posix() for path in sorted((JS / "experiment").glob("*.js"))]  # split
    read = names(r'get\("([a-z_]+)"\)', *review)
    judges = {"evaluators_info", "_verdicts", "_disagree", "judge_summary", "agreements", "row_filter", "sort_by"}
    assert judges <= read
    traits = set(ExperimentReview.class_trait_names(sync=True))
    assert read <= traits, read - traits
    assert {"retry_judge"} <= names(r'send\("([a-z_]+)"', *review)
    source = (Path(__file__).resolve().parents[2] / "nbwidgets" / "widgets" / "experiment.py").read_text()
    assert '"retry_judge":' in source
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
