"""Identifier formats of the two services: orq ULIDs and Overmind UUIDs."""

from __future__ import annotations

import os
import re
import time
import uuid

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ULID_PATTERN = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")


def new_ulid(timestamp_ms: int | None = None, randomness: int | None = None) -> str:
    """A ULID: 48 bits of milliseconds then 80 random bits, in Crockford base32 (26 characters)."""
    ms = int(time.time() * 1000) if timestamp_ms is None else timestamp_ms
    rand = int.from_bytes(os.urandom(10), "big") if randomness is None else randomness
    n = (ms << 80) | (rand & ((1 << 80) - 1))
    return "".join(_CROCKFORD[(n >> shift) & 31] for shift in range(125, -1, -5))


def is_ulid(value: str) -> bool:
    return bool(ULID_PATTERN.match(value))


def new_uuid() -> str:
    return str(uuid.uuid4())


def is_uuid(value: str) -> bool:
    try:
        return str(uuid.UUID(value)) == value.lower()
    except (ValueError, AttributeError, TypeError):
        return False
