"""%load_ext nbwidgets: the %nbw magic and the display formatters, in an IPython shell."""

from __future__ import annotations

import pytest
from IPython.core.interactiveshell import InteractiveShell

from nbwidgets import Client, DatasetGrid, EvaluatorForm, FeedbackButtons

WIDGET = "application/vnd.jupyter.widget-view+json"


@pytest.fixture
def ip(sandbox, monkeypatch):
    monkeypatch.setenv("NBWIDGETS_SANDBOX_URL", sandbox.url)
    monkeypatch.setenv("NBWIDGETS_SANDBOX_KEY", sandbox.api_key)
    monkeypatch.delenv("ORQ_API_KEY", raising=False)
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "nbwidgets")
    yield shell
    shell.run_line_magic("unload_ext", "nbwidgets")


def test_magic_connects_and_opens_each_widget(ip, sandbox, capsys):
    ip.run_line_magic("nbw", "connect sandbox")
    assert "orq sandbox at " + sandbox.url in capsys.readouterr().out
    grid = ip.run_line_magic("nbw", f"dataset {sandbox.ids['rag']} --page-size 5")
    assert isinstance(grid, DatasetGrid) and grid.page_size == 5 and grid.dataset_id == sandbox.ids["rag"]
    form = ip.run_line_magic("nbw", f"evaluator {sandbox.ids['tone_check']}")
    assert isinstance(form, EvaluatorForm) and form.evaluator_id == sandbox.ids["tone_check"]
    buttons = ip.run_line_magic("nbw", "feedback trace-magic --property tags --kind choices --options a,b")
    assert isinstance(buttons, FeedbackButtons) and buttons.options == ["a", "b"] and buttons.kind == "choices"
    verdict = ip.run_line_magic("nbw", "feedback trace-magic --property verdict")  # the sandbox's own property
    assert verdict.kind == "choice" and verdict.options == ["correct", "partially_correct", "wrong"]
    ip.run_line_magic("nbw", "connect sandbox overmind")
    assert Client.current().service == "overmind"
    assert ip.run_line_magic("nbw", "nonsense") is None and "%nbw connect" in capsys.readouterr().out


def test_datapoints_pages_lists_and_evaluators_display_as_widgets(ip, sandbox, orq):
    page = orq.datapoints_page(sandbox.ids["support"], limit=30)

    def formatter(obj):
        bundle = ip.display_formatter.mimebundle_formatter(obj)
        return bundle[0] if isinstance(bundle, tuple) else bundle  # anywidget answers (data, metadata)

    for obj in (page.items[0], page, page.items):
        assert WIDGET in formatter(obj), type(obj)
    grid = DatasetGrid(orq, rows=page.items, page_size=25)
    assert len(grid.rows) == 25 and grid.has_next and grid.total == 30
    name = orq.get_dataset(sandbox.ids["support"]).display_name
    assert grid.dataset_name == f"30 datapoints of {name}"  # the dataset's name, not its id
    grid.next_page()
    assert [dp.id for dp in grid.rows] == [dp.id for dp in page.items[25:]]
    assert WIDGET in formatter(orq.get_evaluator(sandbox.ids["tone_check"]))
    assert not formatter([1, 2, 3]) and not formatter([])  # other lists keep their usual display


def test_an_evaluator_form_of_a_loaded_evaluator_makes_no_request(ip, sandbox, orq):
    evaluator = orq.get_evaluator(sandbox.ids["answer_quality_jury"])
    before = sandbox.control("GET", "/_sandbox/stats").get("GET orq", 0)
    form = EvaluatorForm.of(evaluator, orq)
    assert sandbox.control("GET", "/_sandbox/stats").get("GET orq", 0) == before
    assert form.draft["mode"] == "jury" and not form.dirty and form.problems == {}


def test_status_names_the_client_just_made_and_says_whether_it_is_the_sandbox(ip, sandbox, capsys):
    client = Client.default()  # no key set: the sandbox
    ip.run_line_magic("nbw", "status")
    said = capsys.readouterr().out
    assert f"using orq sandbox at {client.base_url}" in said and "the local sandbox" in said
    assert "no client" not in said
    assert DatasetGrid(dataset_id=sandbox.ids["rag"]).client is client  # the widgets agree with the magic

    real = Client.orq("a-key-never-shown", "http://127.0.0.1:9")  # made last: now the current one
    ip.run_line_magic("nbw", "status")
    said = capsys.readouterr().out
    assert "using orq at http://127.0.0.1:9" in said and "not the sandbox" in said
    assert "a-key-never-shown" not in said

    client.use()  # chosen again
    ip.run_line_magic("nbw", "status")
    assert f"orq sandbox at {client.base_url}" in capsys.readouterr().out
    real.close()


def test_status_before_any_client_says_what_the_widgets_would_use(ip, capsys, monkeypatch):
    import nbwidgets.client.base as base

    monkeypatch.setattr(base, "_current", None)
    ip.run_line_magic("nbw", "status")
    assert "no client yet" in capsys.readouterr().out


def test_a_closed_client_is_no_longer_current(sandbox):
    client = Client.orq(sandbox.api_key, sandbox.url)
    assert Client.current() is client
    client.close()
    assert Client.current() is None
