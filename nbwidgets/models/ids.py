"""Identifier formats of the two services: orq ULIDs and Overmind UUIDs."""

from __future__ import annotations

import os
import re
import threading
import time
import uuid

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ULID_PATTERN = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")


_RANDOM_BITS = 80
_last_ulid = [0, 0]  # the last (milliseconds, randomness) minted by new_ulid() in this process
_ulid_lock = threading.Lock()


def new_ulid(timestamp_ms: int | None = None, randomness: int | None = None) -> str:
    """A ULID: 48 bits of milliseconds then 80 random bits, in Crockford base32 (26 characters).

    Monotonic (the ULID spec's monotonic mode): ids made in one process sort in the order they were made,
    also within one millisecond (the randomness of the previous id plus one) and when the clock steps
    back (the previous id's millisecond is kept). Given a timestamp or randomness, exactly that id."""
    if timestamp_ms is not None or randomness is not None:
        ms = int(time.time() * 1000) if timestamp_ms is None else timestamp_ms
        rand = int.from_bytes(os.urandom(10), "big") if randomness is None else randomness
        return _encode(ms, rand)
    with _ulid_lock:
        ms, rand = int(time.time() * 1000), int.from_bytes(os.urandom(10), "big")
        last_ms, last_rand = _last_ulid
        if ms <= last_ms:
            ms, rand = last_ms, last_rand + 1
            if rand >> _RANDOM_BITS:  # 2**80 ids in one millisecond: move on to the next one
                ms, rand = ms + 1, int.from_bytes(os.urandom(10), "big") >> 1
        _last_ulid[:] = [ms, rand]
    return _encode(ms, rand)


def _encode(ms: int, rand: int) -> str:
    n = (ms << _RANDOM_BITS) | (rand & ((1 << _RANDOM_BITS) - 1))
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
