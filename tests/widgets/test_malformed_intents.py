"""Issue 22, item 8: the widgets' intents given malformed front-end messages (fields missing, of the wrong type,
absurd), as a bug or an older front end would send them. Each is answered, once, by its id; a refusal is a
sentence (never a bare KeyError such as 'datapoint_id', never a traceback); nothing is raised out of the
handler; and a message that cannot be answered (no id) is dropped quietly."""

from __future__ import annotations

import time
from typing import Any

import pytest

from nbwidgets import Client, DatasetGrid, EvaluatorForm, ExperimentReview, FeedbackButtons
from nbwidgets.client import RetryPolicy

FIELDS = [
    "datapoint_id", "fields", "search", "dataset_id", "value", "text", "role", "make_active", "ids", "property",
    "page", "keep", "field", "replace", "ordering", "messages", "limit", "how", "find", "deployment", "clear",
    "base", "to", "size", "scope", "row", "number", "mine", "mean", "kind", "judged", "items", "here", "evaluator",
    "count", "agent_id", "draft", "select", "force", "widths", "hidden", "order",
]  # fmt: skip
JUNK: list[Any] = [None, 5, -1, 10**30, 1.5, True, [], [None], {}, {"a": [1]}, "", "x" * 300, "../..", "\u202e"]


def _messages(intent: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = [{"type": intent}]
    for n, junk in enumerate(JUNK):
        found.append({"type": intent, **dict.fromkeys(FIELDS, junk)})
        found.append({"type": intent, FIELDS[n % len(FIELDS)]: junk})
    return found


@pytest.fixture(scope="module")
def widgets(sandbox, tmp_path_factory):
    import os

    os.environ["NBWIDGETS_CACHE_DIR"] = str(tmp_path_factory.mktemp("outbox"))
    fast = RetryPolicy(max_retries=0, initial_delay=0.01, max_elapsed=3)
    client = Client.orq(sandbox.api_key, sandbox.url, retry=fast, timeout=5)
    overmind = Client.overmind(sandbox.api_key, sandbox.url, retry=fast, timeout=5)
    dataset = client.create_dataset(f"malformed-{time.monotonic_ns()}")
    client.create_datapoints(dataset.id, [{"inputs": {"q": f"q{i}"}, "expected_output": f"a{i}"} for i in range(3)])
    grid = DatasetGrid(client, dataset.id, page_size=5)
    assert grid.rows
    om_grid = DatasetGrid(overmind, sandbox.ids["agent_v1"], page_size=5)
    assert om_grid.rows
    form = EvaluatorForm(client, sandbox.ids["tone_check"])
    assert form.value.key
    thumbs = FeedbackButtons(client, sandbox.new_trace("malformed"))
    review = ExperimentReview(client, dataset.id, generate=lambda dp: "out", page_size=5)
    review.wait()
    yield {"grid": grid, "overmind grid": om_grid, "form": form, "feedback": thumbs, "review": review}
    client.close()
    overmind.close()


def _is_a_sentence(text: Any) -> bool:
    return (
        isinstance(text, str)
        and len(text) >= 12
        and " " in text.strip()
        and "Traceback" not in text
        and not (text.startswith("'") and text.endswith("'"))  # a bare KeyError
    )


@pytest.mark.parametrize("name", ["grid", "overmind grid", "form", "feedback", "review"])
def test_every_intent_answers_every_malformed_message_with_a_sentence(widgets, name):
    widget = widgets[name]
    sent: list[dict[str, Any]] = []
    widget.send = lambda content, buffers=None: sent.append(content)
    problems = []
    for intent in [*widget.intents(), "no-such-intent"]:
        for number, message in enumerate(_messages(intent)):
            request_id = f"{intent}-{number}"
            sent.clear()
            try:
                widget._on_custom_msg(widget, {**message, "id": request_id}, [])
            except Exception as error:
                problems.append(f"{intent} {message}: raised {type(error).__name__}: {error}")
                continue
            answers = [m for m in sent if m.get("id") == request_id]
            if len(answers) != 1:
                problems.append(f"{intent} {str(message)[:120]}: {len(answers)} answers")
                continue
            answer = answers[0]
            if not answer["ok"] and not _is_a_sentence((answer.get("error") or {}).get("message")):
                problems.append(f"{intent} {str(message)[:120]}: answered {answer['error'].get('message')!r}")
    for odd in ({"id": "no-type"}, {"type": 5, "id": "t"}, {"type": ["edit"], "id": "t2"}, {"type": "edit", "id": {}}):
        sent.clear()
        try:
            widget._on_custom_msg(widget, odd, [])
        except Exception as error:
            problems.append(f"{odd}: raised {type(error).__name__}: {error}")
    for unanswerable in ("text", 5, None, ["edit"], {"type": "edit"}):  # no id: nobody waits for an answer
        try:
            widget._on_custom_msg(widget, unanswerable, [])
        except Exception as error:
            problems.append(f"{unanswerable!r}: raised {type(error).__name__}: {error}")
    assert not problems, f"{len(problems)} problems, e.g.:\n" + "\n".join(problems[:15])
