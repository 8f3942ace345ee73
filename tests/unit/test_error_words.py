"""Errors as a person at the notebook reads them (`describe`): plain words first, the request line apart."""

from __future__ import annotations

import pytest

from nbwidgets.client import errors as api
from nbwidgets.widgets._base import describe


def made(cls, message, status, **extra):
    return cls(message, method="PATCH", route="/v2/datasets/d1/datapoints/p1", status=status, **extra)


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (
            made(api.TransportError, "the connection failed (RemoteProtocolError: peer closed)", None),
            "The service could not be reached (the connection failed)",
        ),
        (made(api.ServiceTimeoutError, "timed out after 30 s", None), "The service did not answer in time"),
        (made(api.RateLimitedError, "Too many requests", 429), "The service is busy (too many requests)"),
        (made(api.ServerError, "Internal server error.", 500), "The service had an error (500: Internal server error)"),
        (made(api.AuthenticationError, "Invalid API key", 401), "The API key was refused (401: Invalid API key)"),
        (made(api.NotFoundError, "Not found.", 404), "Not found on the service: it may have been deleted"),
        (
            made(api.ValidationError, "Invalid input", 400, field_errors={"inputs.q": ["must be a string"]}),
            "Invalid input (inputs.q: must be a string)",
        ),
        (
            made(api.ConflictError, "This changed on the service since it was loaded (by someone else).", None),
            "This changed on the service since it was loaded (by someone else)",
        ),
    ],
)
def test_each_error_in_words_with_the_request_line_kept_apart(error, words):
    shown = describe(error)
    assert shown["message"] == words
    assert "/v2/datasets" not in shown["message"]  # no route, no method: those are for a developer
    assert shown["detail"] == str(error) and shown["detail"].startswith("PATCH /v2/datasets/d1/datapoints/p1")
    assert shown["status"] == error.status and shown["reason"] == error.message


def test_an_error_that_is_not_the_services_is_shown_as_it_is():
    assert (
        describe(ValueError("page_size must be between 1 and 200"))["message"] == "page_size must be between 1 and 200"
    )
    assert describe(RuntimeError())["message"] == "RuntimeError"
