"""The grid's messages editor in JupyterLab: what it has no field for survives an edit of another message."""

from __future__ import annotations

import copy

import pytest
from conftest import open_and_run
from servers import wait_for

from nbwidgets import Client
from nbwidgets.models import new_ulid

pytestmark = pytest.mark.e2e
GRID = ".nbw-grid table[role=grid] tbody tr[role=row]"

# a name, a tool call's id, content parts the editor does not edit, a text part's cache_control, an image's
# own keys, a null content, keys of a role's own: none has a field in the editor
MESSAGES = [
    {"role": "system", "content": "Be brief.", "name": "policy"},
    {
        "role": "user",
        "name": "ada",
        "content": [
            {"type": "text", "text": "What is in this picture?", "cache_control": {"type": "ephemeral", "ttl": "1h"}},
            {"type": "image_url", "image_url": {"url": "https://example.com/a.png", "detail": "low"}},
            {"type": "file", "file": {"file_data": "data:application/pdf;base64,JVBERi0=", "filename": "a.pdf"}},
        ],
    },
    {
        "role": "assistant",
        "content": None,
        "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "look", "arguments": '{"q": 1}'}}],
    },
    {"role": "tool", "tool_call_id": "call_1", "content": "a cat"},
    {"role": "assistant", "content": "A cat.", "reasoning_content": "The tool said so."},
]


def test_an_edit_of_one_message_keeps_what_the_editor_does_not_show(page, lab, sandbox):
    with Client.orq(sandbox.api_key, sandbox.url) as client:
        dataset = client.create_dataset(f"messages-round-trip-{new_ulid()}")
        [datapoint] = client.create_datapoints(dataset.id, [{"messages": MESSAGES, "expected_output": "A cat."}])
        assert client.get_datapoint(dataset.id, datapoint.id).to_wire()["messages"] == MESSAGES  # the service holds all
    open_and_run(
        page,
        lab,
        "messages_round_trip.ipynb",
        ["from nbwidgets import Client, DatasetGrid", f"DatasetGrid(Client.sandbox(), {dataset.id!r})"],
        GRID,
    )
    page.locator(f"{GRID} td.nbw-col-messages").first.dblclick()
    text = page.get_by_label("Text of message 4")  # the tool's answer
    text.fill("a black cat")
    text.press("Control+Enter")
    page.locator(".nbw-state-saved").first.wait_for()
    with Client.orq(sandbox.api_key, sandbox.url) as client:
        held = client.get_datapoint(dataset.id, datapoint.id).to_wire()["messages"]
    wanted = copy.deepcopy(MESSAGES)
    wanted[3]["content"] = "a black cat"
    assert held == wanted
    page.locator(".nbw-grid button.nbw-expand").first.click()  # the row open: every message on screen
    cell = page.locator(f"{GRID}.nbw-expanded td.nbw-col-messages").first
    wait_for(lambda: "a black cat" in cell.inner_text(), what="the saved text on screen")
    shown = cell.inner_text()
    assert all(words in shown for words in ("Be brief.", "What is in this picture?", "A cat.")), shown
    assert page.errors == []
