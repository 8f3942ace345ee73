"""No input makes the sandbox answer 500: every route, fed wrong types, wrong shapes and absurd values."""

from __future__ import annotations

import itertools

import httpx
import pytest

JUNK = [None, [], {}, "text", 0, -1, 1e308, True, [None], [{}], {"": None}, "x" * 5000, [[[[]]]], 10**30]


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
