"""The support tickets behind the demo data and the demo deployments' answers: (ticket, team, answer)."""

from __future__ import annotations

TICKETS = [
    (
        "I was charged twice for my March invoice.",
        "billing",
        "Apologise, confirm the duplicate charge and refund it within 5 business days.",
    ),
    (
        "The app crashes when I open settings on iOS 17.",
        "mobile",
        "Ask for the app version and a crash log, then escalate to mobile engineering.",
    ),
    (
        "How do I reset my password? The link expired.",
        "account",
        "Send a fresh reset link; links expire after 30 minutes.",
    ),
    ("Can I export my data to CSV?", "product", "Yes: Settings > Data > Export, then choose CSV."),
    (
        "Your API returns 429 errors since this morning.",
        "platform",
        "Explain the rate limit, share the Retry-After header, and offer a higher tier.",
    ),
    (
        "I want to cancel my subscription.",
        "billing",
        "Confirm the cancellation date and remind them data is kept for 30 days.",
    ),
    (
        "The invoice shows the wrong company address.",
        "billing",
        "Confirm the invoice email address and correct the billing profile before resending.",
    ),
    (
        "Two-factor codes never arrive by SMS.",
        "account",
        "Check the phone number format and offer an authenticator app instead.",
    ),
    ("Is there an on-premise version?", "sales", "Route to sales: on-premise is available on the Enterprise plan."),
    (
        "The dashboard is very slow to load.",
        "platform",
        "Ask which region and browser, then check the status page for incidents.",
    ),
]
