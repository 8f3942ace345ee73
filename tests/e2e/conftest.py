"""A real JupyterLab (one per session, on a free port, stopped by its PID) driven by headless Chromium.

Kernels started by this server inherit NBWIDGETS_SANDBOX_URL/KEY, so `Client.sandbox()` in a notebook
talks to the test session's sandbox, and the test process can check what the widget did over HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from servers import CHROMIUM, Lab, launch_chromium, start_lab, stop_pid

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


@pytest.fixture(scope="session")
def lab(sandbox):
    server = start_lab(sandbox)
    yield server
    stop_pid(server.process)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: ./dev test installs it (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@contextmanager
def browser_page(browser, request, width: int = 1400, height: int = 1000) -> Iterator:
    """A page in a fresh context of that size; its errors in `page.errors`, a screenshot if the test failed."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    page.width = width
    try:
        yield page
        failed = getattr(request.node, "rep_call", None)
        if failed is not None and failed.failed:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"FAILED-{request.node.name}.png"), full_page=True)
    finally:
        context.close()


@pytest.fixture
def page(browser, request):
    with browser_page(browser, request) as page:
        yield page


def inside(inner: dict, outer: dict) -> bool:
    """One bounding box lies within another (to a pixel)."""
    return (
        inner["x"] >= outer["x"] - 1
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 1
        and inner["y"] >= outer["y"] - 1
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 1
    )


def focus_went_to_notebook(widget) -> bool:
    """After Esc in `widget` (a locator): focus has left it for its notebook, in command mode, on its cell."""
    return widget.evaluate("""(node) => {
        const notebook = window.jupyterapp.shell.currentWidget.content;
        const active = document.activeElement;
        return !node.contains(active) && notebook.node.contains(active) && notebook.mode === 'command'
            && notebook.activeCell.node.contains(node);
    }""")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def open_and_run(page, lab: Lab, name: str, cells: list[str], wait_for: str) -> None:
    """Open a notebook in JupyterLab, wait for its kernel, run all cells, wait for `wait_for`."""
    lab.write_notebook(name, cells)
    page.goto(f"{lab.url}/lab/tree/{name}?reset")
    wait_for_kernel(page)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_selector(f"{wait_for}, {CELL_ERRORS}", timeout=60_000)
    assert_no_cell_errors(page)
    page.wait_for_selector(wait_for, timeout=60_000)


def wait_for_kernel(page) -> None:
    """Wait until the app has started and the open notebook's kernel is idle (JupyterLab and Notebook 7)."""
    page.wait_for_function("() => window.jupyterapp !== undefined", timeout=60_000)
    page.evaluate("""async () => {
        await window.jupyterapp.started;
        await window.jupyterapp.restored;
        for (let i = 0; i < 200; i++) {
            const widget = window.jupyterapp.shell.currentWidget;
            if (widget && widget.sessionContext) {
                await widget.context.ready;
                await widget.sessionContext.ready;
                const kernel = widget.sessionContext.session?.kernel;
                if (kernel && kernel.status === 'idle') return;
            }
            await new Promise(r => setTimeout(r, 100));
        }
        throw new Error('kernel not ready');
    }""")


CELL_ERRORS = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"


def assert_no_cell_errors(page) -> None:
    errors = page.locator(CELL_ERRORS)
    if errors.count():
        raise AssertionError("a cell failed: " + errors.first.inner_text()[:2000])


def run_cell(page, source: str) -> str:
    """Add a cell at the end, run it, and return its text output."""
    before = page.locator(".jp-Notebook .jp-Cell").count()
    page.evaluate(
        """async (source) => {
        const panel = window.jupyterapp.shell.currentWidget;
        const notebook = panel.content;
        notebook.activeCellIndex = notebook.widgets.length - 1;
        await window.jupyterapp.commands.execute('notebook:insert-cell-below');
        notebook.activeCell.model.sharedModel.setSource(source);
        await window.jupyterapp.commands.execute('notebook:run-cell');
    }""",
        source,
    )
    cell = page.locator(".jp-Notebook .jp-Cell").nth(before)
    output = cell.locator(".jp-OutputArea-output")
    output.first.wait_for(timeout=30_000)
    return output.first.inner_text()


def screenshot(page, name: str, locator=None) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    (locator or page).screenshot(path=str(path))
    return path


def set_theme(page, theme: str) -> None:
    page.evaluate("(theme) => window.jupyterapp.commands.execute('apputils:change-theme', {theme})", theme)
    light = "true" if "Light" in theme else "false"
    page.wait_for_function(f"() => document.body.dataset.jpThemeLight === '{light}'", timeout=15_000)
    page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=15_000)  # the theme's loading splash
