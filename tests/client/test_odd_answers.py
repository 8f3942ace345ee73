"""Issue 22, item 9: a redirect (not followed, so the key stays put) or an answer that is not JSON is an
ApiError saying so, never a raw `json.JSONDecodeError`; the redirect is not followed."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from nbwidgets import Client
from nbwidgets.client import ApiError


class _Odd(BaseHTTPRequestHandler):
    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).seen.append(self.path)
        if self.path.startswith("/elsewhere"):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"[]")
        elif self.path.startswith("/html"):
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<html>a login page</html>")
        else:
            self.send_response(int(self.path.split("/")[1]) if self.path.split("/")[1].isdigit() else 301)
            self.send_header("Location", "/elsewhere/v2/datasets")
            self.send_header("Content-Length", "0")
            self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def odd_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Odd)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Odd.seen = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_is_an_api_error_and_is_not_followed(odd_server, status):
    with Client.orq("sk-test-key-1234", f"{odd_server}/{status}") as client, pytest.raises(ApiError) as error:
        client.list_datasets()
    assert error.value.status == status
    assert "redirect" in str(error.value) and "base URL" in str(error.value)
    assert not [p for p in _Odd.seen if p.startswith("/elsewhere")]  # the key went nowhere else


def test_an_answer_that_is_not_json_is_an_api_error(odd_server):
    with Client.orq("sk-test-key-1234", f"{odd_server}/html") as client, pytest.raises(ApiError) as error:
        client.list_datasets()
    assert "not JSON" in str(error.value) and "text/html" in str(error.value)
