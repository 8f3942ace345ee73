"""Every orq answer of the sandbox validates against the OpenAPI subset (tests/contracts/, copied from
../shared/api/): the response schema of its route, method and status, with jsonschema (2020-12, as OpenAPI 3.1)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_PATH = Path(__file__).resolve().parents[1] / "contracts" / "orq-openapi.subset.yaml"


@pytest.fixture(scope="module")
def contract():
    spec = yaml.safe_load(SPEC_PATH.read_text())
    registry = Registry().with_resource("urn:orq", Resource.from_contents(spec, default_specification=DRAFT202012))
    return spec, registry


def problems(contract, route: str, method: str, response: httpx.Response) -> list[str]:
    spec, registry = contract
    answers = spec["paths"][route][method]["responses"]
    assert str(response.status_code) in answers, f"{method} {route} answered {response.status_code}, not in the spec"
    if response.status_code == 204:
        return []
    pointer = "/".join(p.replace("~", "~0").replace("/", "~1") for p in ("paths", route, method, "responses"))
    schema = {"$ref": f"urn:orq#/{pointer}/{response.status_code}/content/application~1json/schema"}
    validator = Draft202012Validator(schema, registry=registry)
    found = []
    for error in validator.iter_errors(response.json()):
        leaves = [error]
        while any(leaf.context for leaf in leaves):
            leaves = [c for leaf in leaves for c in (leaf.context or [leaf])]
        found += [f"{list(leaf.absolute_path)}: {leaf.message[:120]}" for leaf in leaves[:6]]
    return found


def test_every_answer_validates_against_the_openapi_subset(contract, sandbox, orq):
    ids = sandbox.ids
    http = httpx.Client(base_url=sandbox.url, headers={"Authorization": f"Bearer {sandbox.api_key}"})
    created = http.post("/v2/datasets", json={"display_name": "openapi-check", "path": "Default"})
    dataset = created.json()["_id"]
    points = http.post(
        f"/v2/datasets/{dataset}/datapoints",
        json=[{"inputs": {"q": "a", "n": 1}, "messages": [{"role": "user", "content": "a"}], "expected_output": "b"}],
    )
    point = points.json()[0]["_id"]
    evaluator = http.post(
        "/v2/evaluators",
        json={
            "type": "llm_eval",
            "key": "openapi_check",
            "path": "Default",
            "prompt": "Is {{output}} fine?",
            "mode": "single",
            "model": "openai/gpt-4o",
            "output_type": "number",
        },
    )
    trace = orq.invoke_deployment("support-reply", inputs={"ticket": "Can I export my data to CSV?"}).trace_id
    feedback = http.post("/v2/feedback", json={"property": "rating", "value": "good", "trace_id": trace})
    missing = "01JJ1HDHN79XAS7A01WB3HYSDC"
    calls: list[tuple[str, str, httpx.Response]] = [
        ("/v2/datasets", "post", created),
        ("/v2/datasets", "get", http.get("/v2/datasets", params={"limit": 50})),
        ("/v2/datasets/{dataset_id}", "get", http.get(f"/v2/datasets/{ids['support']}")),
        ("/v2/datasets/{dataset_id}", "get", http.get(f"/v2/datasets/{missing}")),
        ("/v2/datasets/{dataset_id}/datapoints", "post", points),
        (
            "/v2/datasets/{dataset_id}/datapoints",
            "get",
            http.get(f"/v2/datasets/{ids['support']}/datapoints?limit=200"),
        ),
        ("/v2/datasets/{dataset_id}/datapoints", "get", http.get(f"/v2/datasets/{ids['rag']}/datapoints")),
        ("/v2/datasets/{dataset_id}/datapoints", "get", http.get(f"/v2/datasets/{missing}/datapoints")),
        (
            "/v2/datasets/{dataset_id}/datapoints/{datapoint_id}",
            "get",
            http.get(f"/v2/datasets/{dataset}/datapoints/{point}"),
        ),
        (
            "/v2/datasets/{dataset_id}/datapoints/{datapoint_id}",
            "patch",
            http.patch(f"/v2/datasets/{dataset}/datapoints/{point}", json={"expected_output": "c"}),
        ),
        (
            "/v2/datasets/{dataset_id}/datapoints/{datapoint_id}",
            "patch",
            http.patch(f"/v2/datasets/{dataset}/datapoints/{missing}", json={"expected_output": "c"}),
        ),
        ("/v2/evaluators", "post", evaluator),
        ("/v2/evaluators", "get", http.get("/v2/evaluators")),
        ("/v2/evaluators/{id}", "get", http.get(f"/v2/evaluators/{ids['tone_check']}")),
        ("/v2/evaluators/{id}", "get", http.get(f"/v2/evaluators/{ids['answer_quality_jury']}")),
        ("/v2/evaluators/{id}", "get", http.get(f"/v2/evaluators/{evaluator.json()['_id']}")),
        ("/v2/evaluators/{id}", "get", http.get(f"/v2/evaluators/{missing}")),
        (
            "/v2/evaluators/{id}",
            "patch",
            http.patch(
                f"/v2/evaluators/{ids['answer_quality_jury']}",
                json={"type": "llm_eval", "path": "Default", "description": "checked", "versionIncrement": "patch"},
            ),
        ),
        ("/v2/evaluators/{id}", "patch", http.patch(f"/v2/evaluators/{missing}", json={"description": "x"})),
        ("/v2/feedback", "post", feedback),
        ("/v2/feedback", "post", http.post("/v2/feedback", json={"property": "nope", "value": "x", "trace_id": trace})),
        (
            "/v2/feedback",
            "post",
            http.post("/v2/feedback", json={"property": "rating", "value": "meh", "trace_id": trace}),
        ),
        (
            "/v2/feedback/remove",
            "post",
            http.post("/v2/feedback/remove", json={"id": missing, "trace_id": trace, "product": "deployments"}),
        ),
        (
            "/v2/feedback/remove",
            "post",
            http.post(
                "/v2/feedback/remove", json={"id": feedback.json()["id"], "trace_id": trace, "product": "deployments"}
            ),
        ),
        ("/v2/evaluators/{id}", "delete", http.delete(f"/v2/evaluators/{evaluator.json()['_id']}")),
        (
            "/v2/datasets/{dataset_id}/datapoints/{datapoint_id}",
            "delete",
            http.delete(f"/v2/datasets/{dataset}/datapoints/{point}"),
        ),
        ("/v2/datasets/{dataset_id}", "delete", http.delete(f"/v2/datasets/{dataset}")),
    ]
    report: dict[str, Any] = {}
    for route, method, response in calls:
        found = problems(contract, route, method, response)
        if found:
            report[f"{method.upper()} {response.request.url.path} -> {response.status_code}"] = found
    http.close()
    assert report == {}
