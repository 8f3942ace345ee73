"""The demo deployments' deterministic stand-in for an LLM: the same inputs and messages give the same text.

For the support tickets of the demo data some answers equal the datapoints' expected outputs, some
differ, and some are long, so an experiment over the demo dataset has something to review.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from .corpus import TICKETS

Responder = Callable[[dict[str, Any], list[dict[str, Any]]], str]

_BY_TICKET = {ticket.lower(): (team, answer) for ticket, team, answer in TICKETS}
_TEAMS = sorted({team for _, team, _ in TICKETS})
_KEYWORDS = (
    (("invoice", "charge", "refund", "subscription", "pay"), "billing"),
    (("password", "login", "two-factor", "sso", "account"), "account"),
    (("crash", "ios", "android", "app "), "mobile"),
    (("api", "429", "slow", "dashboard", "latency"), "platform"),
    (("price", "plan", "on-premise", "enterprise"), "sales"),
)


def _digest(*parts: Any) -> int:
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def message_text(content: Any) -> str:
    """A message's text: its string content, or its text parts joined (images and other parts left out)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict) and p.get("type") == "text")
    return ""


def _last_usermessage_text(messages: list[dict[str, Any]]) -> str:
    for message in reversed(messages):
        if message.get("role") == "user":
            return message_text(message.get("content"))
    return ""


def _subject(inputs: dict[str, Any], messages: list[dict[str, Any]], *names: str) -> str:
    for name in names:
        value = inputs.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return _last_usermessage_text(messages).strip()


def support_reply(inputs: dict[str, Any], messages: list[dict[str, Any]]) -> str:
    ticket = _subject(inputs, messages, "ticket", "question")
    known = _BY_TICKET.get(ticket.lower())
    if known is None:
        return (
            f"Thanks for your message about “{ticket[:80] or 'your account'}”. "
            "A support agent will follow up within one business day."
        )
    _, answer = known
    follow_up = _last_usermessage_text(messages).strip()
    variant = _digest("support-reply", inputs, messages) % 3
    if variant == 0:
        return answer  # the reference answer, word for word
    if variant == 1:
        opening = f"About “{follow_up}”: " if follow_up and follow_up.lower() != ticket.lower() else ""
        return f"{opening}Thanks for reaching out! {answer}"
    paragraphs = [
        f"Hello, and thank you for contacting Acme Cloud support about “{ticket}”.",
        answer,
        "Before we go further, could you confirm the email address on the account and the approximate time "
        "the problem started? That lets us match your report with our logs and avoid asking twice.",
        "In the meantime, our status page lists ongoing incidents, and the help centre has step-by-step "
        "guides for the most common questions about billing, accounts and the mobile apps.",
        "If anything else comes up, reply to this message and it will reach the same agent. We usually "
        "answer within a few hours on business days, and within one day at weekends.",
        "Kind regards,\nThe Acme Cloud support team",
    ]
    return "\n\n".join(paragraphs)


def support_reply_concise(inputs: dict[str, Any], messages: list[dict[str, Any]]) -> str:
    """support-reply's concise sibling: the reference answer more often, never the long letter, now and then
    too short to help."""
    ticket = _subject(inputs, messages, "ticket", "question")
    known = _BY_TICKET.get(ticket.lower())
    if known is None:
        return "We will follow up within one business day."
    _, answer = known
    variant = _digest("support-reply-concise", inputs, messages) % 4
    if variant in (0, 1):
        return answer
    if variant == 2:
        return answer.split(". ")[0].rstrip(".") + "."
    return "Please contact support."


def classify_ticket(inputs: dict[str, Any], messages: list[dict[str, Any]]) -> str:
    ticket = _subject(inputs, messages, "ticket", "text")
    known = _BY_TICKET.get(ticket.lower())
    if known is not None:
        team = known[0]
        if _digest("classify-ticket", inputs, messages) % 4 == 0:  # now and then a wrong team
            return _TEAMS[(_TEAMS.index(team) + 1) % len(_TEAMS)]
        return team
    lowered = f" {ticket.lower()} "
    for words, team in _KEYWORDS:
        if any(word in lowered for word in words):
            return team
    return "product"


def summarize(inputs: dict[str, Any], messages: list[dict[str, Any]]) -> str:
    text = _subject(inputs, messages, "text", "ticket")
    if not text:
        text = " ".join(message_text(m.get("content")) for m in messages if m.get("role") != "system").strip()
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]
    words = len(text.split())
    if not sentences:
        return "Nothing to summarise."
    if _digest("summarize", inputs, messages) % 5 == 0 and len(sentences) > 1:
        return "Summary:\n" + "\n".join(f"- {s}" for s in sentences) + f"\n({words} words in all)"
    first = sentences[0] if len(sentences[0]) <= 120 else sentences[0][:117] + "..."
    return f"{first} ({words} words)"


RESPONDERS: dict[str, Responder] = {
    "support-reply": support_reply,
    "support-reply-concise": support_reply_concise,
    "classify-ticket": classify_ticket,
    "summarize": summarize,
}


def token_count(text: str) -> int:
    """A rough token count (4 characters a token), for the `usage` block."""
    return max(1, len(text) // 4)
