"""The Python/JS contract, held from both sides (in the spirit of httpx's completeness tests).

For each widget, every JS file its bundle holds (found by walking the imports from `js/<widget>/index.js`, so a
split of a file keeps it covered) is read for the trait names it uses and the intents it sends, and held against
the Python class:

- every trait the JS reads, sets or listens to (`get("x")`, `set("x", ...)`, `"change:x"`, the names handed to
  a watch list or a `change:${name}` loop) is a synced trait of the class;
- every intent the JS sends (`request("x")`, `send("x")`, either arm of `send(a ? "x" : "y")`) is in `intents()`;
- every synced trait of the class is read somewhere in its JS (no dead traits);
- every intent in `intents()` is sent by the JS, or is named in PYTHON_ONLY with the reason.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import anywidget
import pytest
import traitlets

from nbwidgets import DatasetGrid, EvaluatorForm, ExperimentReview, FeedbackButtons
from nbwidgets.models.feedback import FEEDBACK_KINDS, THUMBS
from nbwidgets.widgets._base import Widget
from nbwidgets.widgets._words import WRITE_STATES, evaluator_vocabulary

JS = Path(__file__).resolve().parents[2] / "js"

WIDGETS: dict[str, type[Widget]] = {
    "grid": DatasetGrid,
    "form": EvaluatorForm,
    "feedback": FeedbackButtons,
    "experiment": ExperimentReview,
}

# intents no view sends, each with why it is there
PYTHON_ONLY: dict[str, dict[str, str]] = {
    "grid": {},
    "form": {},
    "feedback": {},
    "experiment": {},
}

# synced traits a view need not read, each with why it is synced all the same
UNREAD: dict[str, dict[str, str]] = {
    "grid": {},
    "form": {},
    "feedback": {
        "is_sandbox": "every widget's (Widget): the buttons are too small for the sandbox badge the others show",
        "source_label": "every widget's (Widget): the title of that badge",
    },
    "experiment": {},
}

IMPORT = re.compile(r"""(?:^|\n)\s*(?:import|export)\b[^;'"]*?from\s*["'](\.{1,2}/[^"']+)["']""")
STRING = r"""["']([A-Za-z_][A-Za-z0-9_]*)["']"""
TRAIT_CALL = re.compile(r"\b(?:get|set|setTrait)\(\s*" + STRING)
CHANGE = re.compile(r"""["'`]change:([A-Za-z_][A-Za-z0-9_]*)["'`]""")
NAME_ARRAY = re.compile(r"\[\s*((?:" + STRING + r"\s*,?\s*|\.\.\.[A-Z_][A-Z0-9_]*\s*,?\s*)+)\]")
CONST_ARRAY = re.compile(r"\bconst\s+([A-Za-z_][A-Za-z0-9_]*)\s*=\s*\[([^\]]*)\]")
WATCH_CALL = re.compile(r"\bwatch\(\s*(\[[^\]]*\]|[A-Za-z_][A-Za-z0-9_]*)")
FOR_OF = re.compile(r"\bfor\s*\(\s*const\s+(\w+)\s+of\s+(\[[^\]]*\]|[A-Za-z_][A-Za-z0-9_]*)\s*\)")
WATCHED_OBJECT = re.compile(r"\bconst\s+watched\s*=\s*\{([^}]*)\}")
OBJECT_KEY = re.compile(r"(?:^|[,{\s])([A-Za-z_][A-Za-z0-9_]*)\s*:")
SENDERS = ("request", "send")  # and every local function that hands one of its parameters on to one of them
FORWARDER = re.compile(
    r"(?:const\s+(\w+)\s*=\s*\(([\w\s,=]*)\)\s*=>|function\s+(\w+)\s*\(([\w\s,=]*)\)\s*\{)(?=([\s\S]{0,200}))"
)
INTENT_TABLE = re.compile(r"\bconst\s+\w*INTENTS\s*=\s*\{(.*?)\n\};", re.S)  # {action: [intent, payload]}


def bundle(widget: str) -> list[Path]:
    """Every JS file the widget's bundle holds: js/<widget>/index.js and what it imports, transitively."""
    seen: list[Path] = []
    todo = [JS / widget / "index.js"]
    while todo:
        path = todo.pop().resolve()
        if path in seen or path.suffix != ".js":
            continue
        seen.append(path)
        todo += [(path.parent / spec).resolve() for spec in IMPORT.findall(path.read_text())]
    return seen


def strings_in(text: str) -> list[str]:
    return re.findall(STRING, text)


def argument(text: str, start: int, position: int = 0) -> str:
    """An argument (0: the first) of the call whose '(' ends at start, with nested calls blanked out."""
    depth, out, found = 0, [], 0
    for char in text[start:]:
        if char in "([{":
            depth += 1
        elif char in ")]}":
            if depth == 0:
                break
            depth -= 1
        elif char == "," and depth == 0:
            found += 1
            continue
        if found == position:
            out.append(char if depth == 0 or char in "([{" else " ")
        elif found > position:
            break
    return "".join(out)


def sources(widget: str) -> dict[Path, str]:
    return {path: re.sub(r"(?m)^\s*//.*$", "", path.read_text()) for path in bundle(widget)}


@cache
def used(widget: str) -> dict[str, set[str]]:
    return scan(sources(widget))


def scan(texts: dict[Path, str]) -> dict[str, set[str]]:
    """The names the files use: traits read or set ("read"), listened to ("watched"), intents sent ("sent")."""
    constants: dict[str, list[str]] = {}
    for text in texts.values():
        for name, body in CONST_ARRAY.findall(text):
            constants[name] = strings_in(body)

    def names_of(expression: str) -> list[str]:
        if expression.startswith("["):
            spread = re.findall(r"\.\.\.([A-Za-z_][A-Za-z0-9_]*)", expression)
            return strings_in(expression) + [n for s in spread for n in constants.get(s, [])]
        return constants.get(expression, [])

    senders = dict.fromkeys(SENDERS, 0)  # a function that sends -> the position of the intent among its arguments
    for _ in range(3):  # forwarders of forwarders
        for text in texts.values():
            for a, a_params, f, f_params, body in FORWARDER.findall(text):
                name, params = (a, a_params) if a else (f, f_params)
                names = [p.split("=")[0].strip() for p in params.split(",")]
                for position, param in enumerate(names):
                    if param and re.search(r"\b(?:" + "|".join(senders) + r")\(\s*" + param + r"\b", body):
                        senders.setdefault(name, position)

    read: set[str] = set()
    watched: set[str] = set()
    sent: set[str] = set()
    for text in texts.values():
        read |= set(TRAIT_CALL.findall(text))
        watched |= set(CHANGE.findall(text))
        for expression in WATCH_CALL.findall(text):
            watched |= set(names_of(expression))
        if "change:${" in text:  # names looped over into `change:${name}` listeners (or a watched table)
            for _variable, expression in FOR_OF.findall(text):
                watched |= set(names_of(expression))
            for body in WATCHED_OBJECT.findall(text):
                watched |= set(OBJECT_KEY.findall(body))
        for sender, position in senders.items():
            for match in re.finditer(r"\b" + sender + r"\(", text):
                sent |= set(strings_in(argument(text, match.end(), position)))
        for table in INTENT_TABLE.findall(text):
            sent |= set(re.findall(r"\[\s*" + STRING + r"\s*,", table))
    return {"read": read, "watched": watched, "sent": sent}


def synced(widget: str) -> set[str]:
    # anywidget's and ipywidgets' own traits are theirs to read, not ours
    return set(WIDGETS[widget].class_trait_names(sync=True)) - set(anywidget.AnyWidget.class_trait_names(sync=True))


def intent_names(widget: str) -> set[str]:
    cls: Any = WIDGETS[widget]
    handlers = cls.intents(cls.__new__(cls))  # intents() only names bound methods and lambdas
    return {"retry_writes", *handlers}


@pytest.mark.parametrize("widget", WIDGETS)
def test_every_trait_the_js_names_is_a_synced_trait(widget: str) -> None:
    names = used(widget)["read"] | used(widget)["watched"]
    assert names - synced(widget) == set(), f"{widget}: the JS names traits the Python class lacks"


@pytest.mark.parametrize("widget", WIDGETS)
def test_every_intent_the_js_sends_is_handled(widget: str) -> None:
    assert used(widget)["sent"] - intent_names(widget) == set(), f"{widget}: the JS sends intents Python lacks"


@pytest.mark.parametrize("widget", WIDGETS)
def test_every_synced_trait_is_read_by_the_js(widget: str) -> None:
    names = used(widget)["read"] | used(widget)["watched"]
    dead = synced(widget) - names - set(UNREAD[widget])
    assert dead == set(), f"{widget}: synced traits no JS reads"


@pytest.mark.parametrize("widget", WIDGETS)
def test_every_intent_is_sent_by_the_js_or_python_only(widget: str) -> None:
    unsent = intent_names(widget) - used(widget)["sent"] - set(PYTHON_ONLY[widget])
    assert unsent == set(), f"{widget}: intents no JS sends (send them, or name them in PYTHON_ONLY with why)"


def test_the_bundles_are_walked_through_their_imports() -> None:
    for widget in WIDGETS:
        files = {path.relative_to(JS).as_posix() for path in bundle(widget)}
        assert f"{widget}/index.js" in files and "shared/comm.js" in files, files
    assert len(bundle("grid")) > 5  # the grid is split into modules: each is read


def test_a_name_changed_on_either_side_is_caught() -> None:
    texts = sources("grid")
    traits = synced("grid")
    assert "has_next" in used("grid")["read"] and "page_size" in used("grid")["sent"]
    # the JS renames a trait: it names one Python lacks, and the Python one is read by nobody
    js_renamed = scan({path: text.replace('"has_next"', '"has_more"') for path, text in texts.items()})
    assert "has_more" in js_renamed["read"] - traits
    assert "has_next" in traits - js_renamed["read"] - js_renamed["watched"]
    # Python renames it: the JS names a trait the class lacks
    python_renamed = (traits - {"has_next"}) | {"has_more"}
    assert "has_next" in used("grid")["read"] - python_renamed
    # the JS renames an intent: Python has no handler for it, and the handler is sent by nobody
    intent_renamed = scan({path: text.replace('"page_size"', '"size_of_page"') for path, text in texts.items()})
    assert "size_of_page" in intent_renamed["sent"] - intent_names("grid")
    assert "page_size" in intent_names("grid") - intent_renamed["sent"]


@pytest.mark.parametrize("widget", WIDGETS)
def test_every_synced_dict_trait_names_its_shape(widget: str) -> None:
    """A `Dict` or `List(Dict)` sent to the view names its shape (widgets/_contract.py) where it is declared."""
    cls = WIDGETS[widget]
    unshaped = []
    for name in synced(widget):
        trait = cls.class_traits()[name]
        holds_dicts = isinstance(trait, traitlets.Dict) or (
            isinstance(trait, traitlets.List) and isinstance(trait._trait, traitlets.Dict)
        )
        if holds_dicts and trait.metadata.get("shape") is None:
            unshaped.append(name)
    assert unshaped == [], f"{widget}: synced dict traits without a shape"


def test_the_node_tests_are_given_the_kernels_words() -> None:
    """js/tests/support/contract.json stands for what the kernel sends: it is the kernel's value."""
    sent = json.loads((JS / "tests" / "support" / "contract.json").read_text())
    assert sent == {"write_states": WRITE_STATES, "vocabulary": evaluator_vocabulary(), "thumbs": list(THUMBS)}
    assert DatasetGrid.class_traits()["write_states"].default() == WRITE_STATES
    assert ExperimentReview.class_traits()["write_states"].default() == WRITE_STATES
    assert EvaluatorForm.class_traits()["vocabulary"].default() == evaluator_vocabulary()


def test_no_js_file_types_the_words_it_is_sent() -> None:
    """The state words and the evaluator's enums and defaults live in Python only (the JS reads the traits)."""
    for widget in WIDGETS:
        for path, text in sources(widget).items():
            for typed in (
                '"Not saved"',
                '"Conflict"',
                "on_codes: [",
                '"categorical", "number"',
                'operator: "gte"',
                'tie_value: "Tie"',
            ):
                assert typed not in text, f"{path.relative_to(JS)} types {typed} (the kernel sends it)"


def test_the_feedback_kinds_the_js_knows_are_pythons() -> None:
    """The JS branches on a control's kind (sent by Python): every kind it names is one Python sends, and each
    of Python's kinds is drawn. A thumbs control's values are its options (Python's THUMBS), not typed in JS."""
    for widget in ("feedback", "experiment"):
        texts = "\n".join(sources(widget).values())
        named = set(re.findall(r"""kind\s*[!=]==\s*["'](\w+)["']""", texts))
        assert named == set(FEEDBACK_KINDS), f"{widget}: kinds Python lacks or the JS does not draw"
        assert not re.search(r"""value:\s*["'](good|bad)["']""", texts), f"{widget}: thumbs values typed in JS"
