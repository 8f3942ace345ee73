"""No input makes the sandbox answer 500: every route, fed wrong types, wrong shapes and absurd values."""

from __future__ import annotations

import itertools

import httpx
import pytest

JUNK = [None, [], {}, "text", 0, -1, 1e308, True, [None], [{}], {"": None}, "x" * 5000, [[[[]]]], 10**30, 10**400]


def bodies_for(fields: list[str]) -> list[object]:
    """Each known field set to each junk value, plus junk as the whole body."""
    found: list[object] = list(JUNK)
    for field, value in itertools.product(fields, JUNK):
        found.append({field: value})
    return found


def test_no_body_or_query_makes_a_500(sandbox):
    ids = sandbox.ids
    key = {"Authorization": f"Bearer {sandbox.api_key}"}
    support = ids["support"]
    with httpx.Client(base_url=sandbox.url, headers=key, timeout=30) as http:
        # writes that the junk happens to make valid land in a dataset of this test's own
        scratch = http.post("/v2/datasets", json={"display_name": "never-500", "path": "Default"}).json()["_id"]
        point = http.post(f"/v2/datasets/{scratch}/datapoints", json=[{"expected_output": "x"}]).json()[0]["_id"]
        evaluator = http.post(
            "/v2/evaluators",
            json={"key": "never_500", "path": "Default", "prompt": "Is {{output}} ok?", "model": "openai/gpt-4o"},
        ).json()["_id"]
        routes = [
            ("POST", f"/v2/datasets/{scratch}/datapoints", ["inputs", "messages", "expected_output"]),
            ("PATCH", f"/v2/datasets/{scratch}/datapoints/{point}", ["inputs", "messages", "expected_output"]),
            ("POST", f"/v2/datasets/{scratch}/datapoints/bulk", ["items"]),
            ("POST", f"/v2/datasets/{scratch}/datapoints-bulk-delete", ["item_ids"]),
            (
                "PATCH",
                f"/v2/evaluators/{evaluator}",
                [
                    "mode",
                    "jury",
                    "model",
                    "repetitions",
                    "guardrail_config",
                    "categorical_labels",
                    "versionIncrement",
                    "output_type",
                    "key",
                    "path",
                    "project_id",
                    "type",
                    "prompt",
                ],
            ),
            ("POST", "/v2/evaluators", ["key", "mode", "jury", "model", "path", "prompt", "output_type"]),
            ("POST", "/v2/feedback", ["property", "value", "trace_id", "id", "product"]),
            ("POST", "/v2/feedback/remove", ["id", "trace_id", "product"]),
            (
                "POST",
                f"/v3/evaluators/{evaluator}/invoke",
                ["context", "query", "output", "reference", "retrievals", "messages", "variables", "retry"],
            ),
            ("POST", "/v2/deployments/invoke", ["key", "inputs", "messages", "context", "metadata", "stream"]),
            ("POST", "/api/datasets/", ["agent", "datapoints", "name", "source", "metadata", "make_active"]),
            ("POST", "/_sandbox/faults", ["latency_ms", "fault_rate", "rate_limit_rate", "retry_after_ms"]),
            ("POST", "/_sandbox/traces", ["trace_ids"]),
            ("POST", "/_sandbox/feedback-properties", ["key", "type", "values", "min", "max"]),
            ("POST", "/_sandbox/datapoints", ["dataset_id", "datapoints"]),
        ]
        failures = []
        for method, path, fields in routes:
            for body in bodies_for(fields):
                answer = http.request(method, path, json=body)
                if answer.status_code >= 500 or not answer.headers["content-type"].startswith("application/json"):
                    failures.append((method, path, repr(body)[:80], answer.status_code))
            if path == "/v2/feedback":  # a valid request with the value's junk
                for value in JUNK:
                    body = {"property": "quality", "value": value, "trace_id": ids["trace"]}
                    if http.post(path, json=body).status_code >= 500:
                        failures.append((method, path, repr(body)[:80], 500))
        for name, value in itertools.product(
            ["limit", "starting_after", "ending_before", "page", "page_size", "search", "ordering", "version"],
            ["1e400", "-1", "0", "99999999999999999999", "abc", "", "%00", "1.5", "last"],
        ):
            for path in (
                "/v2/datasets",
                f"/v2/datasets/{support}/datapoints",
                "/v2/evaluators",
                "/v2/deployments",
                "/api/agents/",
                "/api/datasets/",
                f"/api/datasets/{ids['agent_v2']}/datapoints/",
                "/_sandbox/requests",
                "/_sandbox/traces",
            ):
                answer = http.get(path, params={name: value})
                if answer.status_code >= 500:
                    failures.append(("GET", path, f"{name}={value}", answer.status_code))
        http.delete(f"/v2/datasets/{scratch}")
        http.delete(f"/v2/evaluators/{evaluator}")
        # the sandbox must not store anything absurd from the above
        http.post(
            "/_sandbox/faults", json={"latency_ms": 0, "fault_rate": 0, "rate_limit_rate": 0, "retry_after_ms": 100}
        )
    assert failures == []


@pytest.mark.parametrize("raw", [b'{"display_name": 1e400}', b'{"display_name": NaN}', b'{"a": Infinity}'])
def test_numbers_json_cannot_hold_are_a_400(sandbox, raw):
    answer = httpx.post(
        sandbox.url + "/v2/datasets",
        content=raw,
        headers={"Authorization": f"Bearer {sandbox.api_key}", "Content-Type": "application/json"},
    )
    assert answer.status_code == 400


# --- issue 22, item 5: what made the sandbox answer 500, and what it accepted though orq refuses it ---------


def _raw(sandbox, method: str, path: str, content: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.request(
        method,
        sandbox.url + path,
        content=content,
        headers={"Authorization": f"Bearer {sandbox.api_key}", "Content-Type": "application/json", **(headers or {})},
        timeout=30,
    )


@pytest.mark.parametrize(
    "raw",
    [
        b'{"property": "quality", "value": "\\udcff", "trace_id": "t"}',  # a lone surrogate escape
        b'{"property": "\\ud800", "value": "good", "trace_id": "t"}',
        b'{"property": "quality", "value": "good", "trace_id": "t", "\\udfff": 1}',
        b'{"property": "score", "value": ' + b"9" * 4000 + b', "trace_id": "t"}',  # beyond any double
        b'{"property": "score", "value": -' + b"9" * 400 + b', "trace_id": "t"}',
    ],
    ids=["surrogate-value", "surrogate-property", "surrogate-key", "4000-digits", "400-digits-negative"],
)
def test_what_once_made_a_500_is_a_400_and_the_request_log_still_reads(sandbox, raw):
    mark = sandbox.mark_requests()
    answer = _raw(sandbox, "POST", "/v2/feedback", raw)
    assert answer.status_code == 400, answer.text
    assert answer.json()["message"].startswith("Request body is not valid JSON")
    # a path holding a lone surrogate (percent-encoded) reaches the log: it must still read
    _raw(sandbox, "GET", "/v2/datasets/%ED%B3%BF", b"")
    assert isinstance(sandbox.requests_received("", since=mark), list)
    log = httpx.get(sandbox.url + "/_sandbox/requests", headers={"Authorization": f"Bearer {sandbox.api_key}"})
    assert log.status_code == 200


def test_a_big_number_for_a_number_property_is_refused_not_a_500(sandbox):
    trace = sandbox.new_trace("big-number")
    sandbox.add_feedback_property("big_score", "number", min=0, max=10)
    for value in [b"1" + b"0" * 307, b"1e308", b"-1" + b"0" * 300]:
        answer = _raw(
            sandbox,
            "POST",
            "/v2/feedback",
            b'{"property": "big_score", "value": %s, "trace_id": "%s"}' % (value, trace.encode()),
        )
        assert answer.status_code == 400, (value[:10], answer.status_code, answer.text)


@pytest.mark.parametrize(
    "raw",
    [
        b'\xef\xbb\xbf{"display_name": "bom", "path": "Default"}',  # UTF-8 with a byte-order mark
        '{"display_name": "utf16", "path": "Default"}'.encode("utf-16"),
        '{"display_name": "utf16le", "path": "Default"}'.encode("utf-16-le"),
        '{"display_name": "utf32", "path": "Default"}'.encode("utf-32"),
    ],
    ids=["bom", "utf-16", "utf-16-le", "utf-32"],
)
def test_json_not_in_plain_utf8_is_refused(sandbox, raw):
    answer = _raw(sandbox, "POST", "/v2/datasets", raw)
    assert answer.status_code == 400 and answer.json() == {"message": "Request body is not valid JSON"}


def test_two_authorization_headers_are_refused_whatever_their_order(sandbox):
    right, wrong = f"Bearer {sandbox.api_key}", "Bearer wrong-key-0123456789"
    for first, second in [(wrong, right), (right, wrong), (right, right)]:
        with httpx.Client(base_url=sandbox.url, timeout=30) as http:
            request = http.build_request("GET", "/v2/datasets")
            request.headers.update({})
            raw_headers = [(k, v) for k, v in request.headers.raw if k.lower() != b"authorization"]
            raw_headers += [(b"Authorization", first.encode()), (b"Authorization", second.encode())]
            request = httpx.Request("GET", sandbox.url + "/v2/datasets", headers=raw_headers)
            answer = http.send(request)
        assert answer.status_code == 401 and answer.json() == {"message": "Unauthorized: invalid or missing API key"}
        with httpx.Client(base_url=sandbox.url, timeout=30) as http:
            request = httpx.Request(
                "GET",
                sandbox.url + "/api/agents/",
                headers=[(b"Authorization", first.encode()), (b"Authorization", second.encode())],
            )
            assert http.send(request).status_code == 401


def test_a_jury_that_is_not_an_object_is_refused_in_any_mode(sandbox):
    key = {"Authorization": f"Bearer {sandbox.api_key}"}
    with httpx.Client(base_url=sandbox.url, headers=key, timeout=30) as http:
        made = http.post(
            "/v2/evaluators",
            json={"key": "jury_type_check", "path": "Default", "prompt": "Is {{output}} ok?", "model": "openai/gpt-4o"},
        )
        assert made.status_code == 200, made.text
        evaluator = made.json()["_id"]
        try:
            for jury in (5, "x", [1], True):
                answer = http.patch(f"/v2/evaluators/{evaluator}", json={"jury": jury})
                assert answer.status_code == 400, (jury, answer.text)
                assert answer.json()["message"].startswith("jury")
            assert http.get(f"/v2/evaluators/{evaluator}").json()["version"] == made.json()["version"]
        finally:
            http.delete(f"/v2/evaluators/{evaluator}")


def test_an_overmind_order_beyond_a_positive_integer_field_is_refused(sandbox):
    key = {"Authorization": f"Bearer {sandbox.api_key}"}
    with httpx.Client(base_url=sandbox.url, headers=key, timeout=30) as http:
        body = {"agent": sandbox.ids["agent"], "datapoints": [{"input": {"q": "x"}, "order": 99999999999999999999}]}
        answer = http.post("/api/datasets/", json=body)
        assert answer.status_code == 400
        assert answer.json() == {"datapoints": [{"order": ["Ensure this value is less than or equal to 2147483647."]}]}


@pytest.mark.parametrize("role", ["x", "", "System", "function"])
def test_invoke_messages_with_an_unknown_role_are_refused(sandbox, role):
    key = {"Authorization": f"Bearer {sandbox.api_key}"}
    with httpx.Client(base_url=sandbox.url, headers=key, timeout=30) as http:
        deployment = http.get("/v2/deployments").json()["data"][0]["key"]
        answer = http.post(
            "/v2/deployments/invoke", json={"key": deployment, "messages": [{"role": role, "content": "hi"}]}
        )
        assert answer.status_code == 400 and "role" in answer.text
        ok = http.post(
            "/v2/deployments/invoke", json={"key": deployment, "messages": [{"role": "user", "content": "hi"}]}
        )
        assert ok.status_code == 200, ok.text
