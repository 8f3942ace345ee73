"""Demo data: realistic orq datasets and evaluators, and an Overmind agent with two dataset versions.

Ids are derived from a fixed seed, so the demo's ids are the same on every start.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from collections.abc import Iterator
from typing import Any

from ..models import new_ulid
from .app import Sandbox
from .corpus import TICKETS
from .orq_routes import USER_ID, WORKSPACE_ID

DEMO_EPOCH_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z: demo ids sort before anything created later

TIERS = ["free", "standard", "enterprise"]
LANGUAGES = ["en", "nl", "de", "fr"]
FOLLOW_UPS = [
    "It happened again today.",
    "I already tried that, it did not help.",
    "Thanks, and how long will that take?",
    "Can you escalate this please?",
]


def _ulid(rng: random.Random, ms: int) -> str:
    return new_ulid(ms, rng.getrandbits(80))


def _chat(rng: random.Random, ticket: str, answer: str) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": "You are a concise, friendly support agent for Acme Cloud."},
        {"role": "user", "content": ticket},
    ]
    for _ in range(rng.randint(0, 2)):
        messages.append({"role": "assistant", "content": "Thanks for reaching out. " + answer.split(",")[0] + "."})
        messages.append({"role": "user", "content": rng.choice(FOLLOW_UPS)})
    if rng.random() < 0.2:
        messages.append(
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "lookup_account", "arguments": json.dumps({"tier": rng.choice(TIERS)})},
                    }
                ],
            }
        )
        messages.append(
            {
                "role": "tool",
                "content": json.dumps({"status": "active", "open_tickets": rng.randint(0, 4)}),
                "tool_call_id": "call_1",
            }
        )
    return messages


def _review(rng: random.Random, ms: int) -> dict[str, Any]:
    kind = rng.choice(["string", "number", "boolean", "string_array"])
    base = {
        "id": _ulid(rng, ms),
        "evaluation_type": "human_review",
        "human_review_id": _ulid(rng, ms),
        "source": "orq",
        "reviewed_by_id": USER_ID,
        "reviewed_at": _iso(ms + 3_600_000),
        "type": kind,
    }
    if kind == "string":
        return {**base, "value": rng.choice(["good", "needs work", "off-topic"])}
    if kind == "number":
        return {**base, "value": rng.randint(1, 5)}
    if kind == "boolean":
        return {**base, "value": rng.random() < 0.7}
    return {**base, "values": rng.sample(["accurate", "polite", "too long", "missing steps"], 2)}


def _iso(ms: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms / 1000)) + f".{ms % 1000:03d}Z"


def seed_demo(sandbox: Sandbox) -> dict[str, str]:
    """Load the demo data (once: a store that has it already is left alone). Returns named ids."""
    rng = random.Random(20260101)
    ids = {
        "support": _ulid(rng, DEMO_EPOCH_MS),
        "rag": _ulid(rng, DEMO_EPOCH_MS + 1),
        "empty": _ulid(rng, DEMO_EPOCH_MS + 2),
    }
    if sandbox.store.get_dataset(ids["support"]) is not None:
        return _seed_deployments_and_feedback(sandbox, ids)
    orq = sandbox.orq
    orq.new_dataset("support_quality_eval", dataset_id=ids["support"])
    orq.new_dataset("rag_answers", dataset_id=ids["rag"])
    orq.new_dataset("empty_dataset", dataset_id=ids["empty"])

    points = []
    for i in range(120):
        ms = DEMO_EPOCH_MS + 60_000 * (i + 1)
        ticket, team, answer = TICKETS[i % len(TICKETS)]
        point = orq.new_datapoint(
            ids["support"],
            {
                "inputs": {
                    "ticket": ticket,
                    "team": team,
                    "customer_tier": rng.choice(TIERS),
                    "language": rng.choice(LANGUAGES),
                    "priority": rng.randint(1, 4),
                },
                "messages": _chat(rng, ticket, answer),
                "expected_output": answer,
                "evaluations": [_review(rng, ms) for _ in range(rng.choice([0, 0, 1, 2]))],
            },
            datapoint_id=_ulid(rng, ms),
        )
        point["created"] = point["updated"] = _iso(ms)
        points.append(point)
    sandbox.store.put_datapoints(ids["support"], points)

    rag = []
    for i, (question, context, answer) in enumerate(
        [
            (
                "What is the refund window?",
                "Refunds are possible within 30 days of purchase.",
                "30 days from purchase.",
            ),
            (
                "Which regions do you host in?",
                "We host in eu-west-1, us-east-1 and ap-south-1.",
                "EU (Ireland), US East and Asia (Mumbai).",
            ),
            (
                "Is SSO included in Standard?",
                "SSO (SAML) is part of the Enterprise plan only.",
                "No, SSO is Enterprise only.",
            ),
            (
                "How long are logs kept?",
                "Logs are retained for 14 days on Standard, 90 on Enterprise.",
                "14 days on Standard, 90 on Enterprise.",
            ),
            (
                "Can I pay by invoice?",
                "Annual plans can be paid by bank transfer against an invoice.",
                "Yes, for annual plans.",
            ),
            (
                "Which models can I use?",
                "Any OpenAI, Anthropic or Mistral model through the gateway.",
                "OpenAI, Anthropic and Mistral models.",
            ),
        ]
    ):
        ms = DEMO_EPOCH_MS + 3_600_000 + 60_000 * i
        point = orq.new_datapoint(
            ids["rag"],
            {
                "inputs": {"question": question, "context": context},
                "messages": [
                    {"role": "developer", "content": "Answer only from the context."},
                    {"role": "user", "content": question},
                ],
                "expected_output": answer,
            },
            datapoint_id=_ulid(rng, ms),
        )
        rag.append(point)
    sandbox.store.put_datapoints(ids["rag"], rag)

    single = orq.save_evaluator(
        {
            "key": "tone_check",
            "description": "Is the answer polite and professional?",
            "mode": "single",
            "model": "openai/gpt-4o",
            "output_type": "boolean",
            "repetitions": 1,
            "path": "Default",
            "prompt": "Is the following answer polite and professional?\n\nQuestion: {{input}}\nAnswer: {{output}}\n"
            "Reply true or false.",
            "guardrail_config": {"enabled": True, "alert_on_failure": False, "type": "boolean", "value": True},
        },
        evaluator_id=_ulid(rng, DEMO_EPOCH_MS + 10),
    )
    jury = orq.save_evaluator(
        {
            "key": "answer_quality_jury",
            "description": "A jury grades the answer against the reference.",
            "mode": "jury",
            "output_type": "categorical",
            "repetitions": 2,
            "path": "Default",
            "categorical_labels": [{"value": "correct"}, {"value": "partially_correct"}, {"value": "wrong"}],
            "prompt": "Compare {{output}} with the reference {{expected_output}} for the question {{input}}.\n"
            "Answer correct, partially_correct or wrong.",
            "jury": {
                "judges": [
                    {
                        "model": "openai/gpt-4o",
                        "retry": {"count": 2, "on_codes": [429, 500, 502, 503, 504]},
                        "fallbacks": [{"model": "openai/gpt-4o-mini"}],
                    },
                    {
                        "model": "anthropic/claude-sonnet-4-5",
                        "retry": {"count": 3, "on_codes": [429, 503]},
                        "fallbacks": [],
                    },
                    {"model": "google/gemini-2.5-pro", "retry": {"count": 2, "on_codes": [429, 500]}, "fallbacks": []},
                ],
                "replacement_judges": [{"model": "mistral/mistral-large-latest"}],
                "min_successful_judges": 2,
                "tie_value": "Tie",
            },
            "guardrail_config": {
                "enabled": True,
                "alert_on_failure": True,
                "type": "categorical",
                "values": ["correct", "partially_correct"],
            },
        },
        evaluator_id=_ulid(rng, DEMO_EPOCH_MS + 11),
    )
    ids["tone_check"], ids["answer_quality_jury"] = single["_id"], jury["_id"]

    agent = sandbox.overmind.new_agent(
        "Support Triage Agent",
        "support-triage-agent",
        agent_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        model="gpt-4o",
        status="active",
        description="Routes incoming tickets to the right team.",
        display_name="Support triage",
        project=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
    )
    ids["agent"] = agent["id"]
    first: list[dict[str, Any]] = [
        {
            "input": {"ticket_text": t, "customer_tier": TIERS[i % 3]},
            "expected_output": {"team": team, "priority": ["low", "medium", "high"][i % 3]},
            "order": i,
            "persona": ["new-customer", "power-user", "enterprise-admin"][i % 3],
            "tags": {"category": team, "difficulty": ["easy", "hard"][i % 2]},
        }
        for i, (t, team, _) in enumerate(TICKETS * 4)
    ]
    v1 = sandbox.overmind.add_version(agent["id"], first, name="Triage seed set", source="seed")
    second = [
        dict(dp, expected_output={**dp["expected_output"], "priority": "high"}) if dp["order"] % 7 == 0 else dp
        for dp in first
    ]
    v2 = sandbox.overmind.add_version(
        agent["id"],
        second,
        name="Triage seed set",
        source="seed",
        make_active=True,
        metadata={"edited_from": v1["id"], "note": "raised priority of outages"},
    )
    ids["agent_v1"], ids["agent_v2"] = v1["id"], v2["id"]
    return _seed_deployments_and_feedback(sandbox, ids)


DEMO_DEPLOYMENTS = (
    ("support-reply", "Answers a support ticket for Acme Cloud.", "You are a concise, friendly support agent."),
    (
        "classify-ticket",
        "Routes a ticket to a team: billing, account, mobile, platform, product or sales.",
        "Reply with one team name.",
    ),
    ("summarize", "Summarises a text or a conversation in a line.", "Summarise the text in one sentence."),
)
# Workspace-defined feedback properties (the built-in rating, defects, interactions and correction are in
# nbwidgets.models.feedback): a 1-5 score, a single choice and a multiple choice.
DEMO_FEEDBACK_PROPERTIES = (
    {"key": "quality", "type": "number", "min": 1, "max": 5, "description": "Overall quality, 1 (poor) to 5."},
    {
        "key": "verdict",
        "type": "single_choice",
        "values": ["correct", "partially_correct", "wrong"],
        "description": "Is the answer right?",
    },
    {
        "key": "issues",
        "type": "multiple_choice",
        "values": ["too long", "wrong", "rude", "off topic"],
        "description": "What is wrong with the answer.",
    },
    {  # ExperimentReview(variants=...) records which of two outputs a person preferred on it
        "key": "preference",
        "type": "single_choice",
        "values": ["better", "worse", "tie", "both_bad"],
        "description": "Compared with another variant's output on the same datapoint.",
    },
)
# A second take on support-reply, so two deployments of the demo workspace can be compared (its own seed,
# after the traces: earlier ids never move).
DEMO_VARIANT_DEPLOYMENTS = (
    (
        "support-reply-concise",
        "Answers a support ticket for Acme Cloud in two sentences at most.",
        "You are a support agent. Answer in at most two sentences.",
    ),
)
DEMO_TRACES = 5  # traces of support-reply on the first support datapoints: ids trace_0 .. trace_4


def _seed_deployments_and_feedback(sandbox: Sandbox, ids: dict[str, str]) -> dict[str, str]:
    """Deployments, feedback properties and a few known traces (their own seed: earlier ids never move)."""
    rng = random.Random(20260102)
    orq = sandbox.orq
    for index, (key, description, system) in enumerate(DEMO_DEPLOYMENTS):
        deployment_id = _ulid(rng, DEMO_EPOCH_MS + 20 + index)
        if sandbox.store.get_deployment(key) is None:
            orq.new_deployment(key, description, system, deployment_id=deployment_id)
        ids[f"deployment_{key}"] = deployment_id
    for prop in DEMO_FEEDBACK_PROPERTIES:
        if not any(p["key"] == prop["key"] for p in sandbox.store.feedback_properties()):
            orq.add_feedback_property(prop)
    points, _ = sandbox.store.datapoints_page(ids["support"], DEMO_TRACES, None, None)
    for index, point in enumerate(points):
        trace_id = f"{rng.getrandbits(128):032x}"
        if sandbox.store.get_trace(trace_id) is None:
            orq.invoke("support-reply", point["inputs"], point["messages"], trace_id=trace_id)
        ids[f"trace_{index}"] = trace_id
    ids["trace"] = ids["trace_0"]
    rng = random.Random(20260103)
    for index, (key, description, system) in enumerate(DEMO_VARIANT_DEPLOYMENTS):
        deployment_id = _ulid(rng, DEMO_EPOCH_MS + 40 + index)
        if sandbox.store.get_deployment(key) is None:
            orq.new_deployment(key, description, system, deployment_id=deployment_id)
        ids[f"deployment_{key}"] = deployment_id
    return ids


def add_generated_dataset(sandbox: Sandbox, count: int, name: str | None = None) -> str:
    """A dataset of `count` generated datapoints, built in bulk (a million in well under a minute)."""
    rng = random.Random(count)
    dataset = sandbox.orq.new_dataset(name or f"generated_{count}")
    dataset_id: str = dataset["_id"]
    start_ms = int(time.time() * 1000) - count  # one ms apart: ids ascend in creation order
    stamp = _iso(start_ms)
    head = json.dumps({"workspace_id": WORKSPACE_ID, "dataset_id": dataset_id})[1:-1]
    tail = json.dumps(
        {
            "evaluations": [],
            "snapshot_version": "1",
            "created_by_id": USER_ID,
            "updated_by_id": USER_ID,
            "created": stamp,
            "updated": stamp,
        }
    )[1:-1]
    dumps = json.dumps

    def rows() -> Iterator[tuple[str, str]]:
        for i in range(count):
            ticket, team, answer = TICKETS[i % len(TICKETS)]
            point_id = new_ulid(start_ms + i, rng.getrandbits(80))
            body = (
                f'{{"_id":"{point_id}",{head},"inputs":{{"ticket":{dumps(ticket)},"n":{i}}},'
                f'"messages":[{{"role":"user","content":{dumps(ticket)}}}],'
                f'"expected_output":{dumps(f"[{team}] {answer}")},{tail}}}'
            )
            yield point_id, body

    batch: list[tuple[str, str]] = []
    for row in rows():
        batch.append(row)
        if len(batch) == 50_000:
            sandbox.store.insert_raw_datapoints(dataset_id, batch)
            batch = []
    if batch or count == 0:
        sandbox.store.insert_raw_datapoints(dataset_id, batch)
    return dataset_id
