"""Checks made at the call, before any request: a wrong argument is a clear error naming it, and
nothing is sent.

Ids go into URLs as single path segments: `segment()` refuses what would change the route (an empty
id, a `/`, `.` or `..`, which httpx resolves as directories) and percent-encodes the rest.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import quote


def segment(name: str, value: object) -> str:
    """`value` as one URL path segment, or a TypeError/ValueError naming the parameter `name`."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str (an id), not {type(value).__name__}")
    if not value:
        raise ValueError(f"{name} must not be empty")
    if "/" in value or value in (".", ".."):
        raise ValueError(f"{name} must be an id, not a path: {value!r}")
    text(name, value)
    return quote(value, safe="")


def text(name: str, value: object) -> None:
    """Refuse strings that cannot be sent as UTF-8 (lone surrogates), naming where they are."""
    where = _unencodable(value, name)
    if where is not None:
        raise ValueError(
            f"{where} holds text that is not valid Unicode (a lone surrogate such as '\\udcff'); "
            "it cannot be sent or stored"
        )


# what is stripped from both ends of a key read from a file or a variable: whitespace, NUL and other controls
_KEY_ENDS = "".join(chr(c) for c in range(33)) + "\x7f"


def api_key(value: str, source: str) -> str:
    """A key as sent: surrounding whitespace and control characters (a file's final line break, a NUL)
    stripped; a control or non-ASCII character inside refused, naming where the key came from (`source`)
    and never showing the key."""
    key = value.strip(_KEY_ENDS)
    for position, char in enumerate(key):
        if ord(char) < 32 or ord(char) == 127:
            raise ValueError(
                f"The API key from {source} holds a control character (such as a line break or NUL) at position "
                f"{position + 1}; an API key cannot hold one. Check {source} (the key is not shown here)."
            )
        if ord(char) > 126:
            raise ValueError(
                f"The API key from {source} holds a character that is not plain ASCII at position {position + 1}; "
                f"an API key cannot hold one. Check {source} (the key is not shown here)."
            )
    return key


def integer(name: str, value: object, low: int, high: int) -> int:
    """An int between `low` and `high`, or a TypeError/ValueError naming the parameter."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__} ({value!r})")
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, not {value}")
    return value


def number(name: str, value: object, low: float = 0.0, high: float = math.inf, *, whole: bool = False) -> float:
    """A finite number (an int when `whole`) between `low` and `high`, or a TypeError/ValueError naming it."""
    kinds = (int,) if whole else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds):
        kind = "a whole number" if whole else "a number"
        raise TypeError(f"{name} must be {kind}, not {type(value).__name__} ({value!r:.40})")
    if not math.isfinite(value) or not low <= value <= high:
        shown = f"between {low:g} and {high:g}" if math.isfinite(high) else f"at least {low:g}"
        raise ValueError(f"{name} must be {shown}, not {value!r}")
    return value


def timeout(name: str, value: object) -> float | None:
    """A wait in seconds (None: no limit), or a TypeError/ValueError naming it."""
    return None if value is None else number(name, value)


def callable_(name: str, value: object) -> Any:
    if not callable(value):
        raise TypeError(f"{name} must be a function (a callable), not {type(value).__name__} ({value!r:.40})")
    return value


def boolean(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, not {type(value).__name__} ({value!r:.40})")
    return value


def optional_int(name: str, value: object, low: int = 0, high: int = 2**31 - 1) -> int | None:
    return None if value is None else integer(name, value, low, high)


def choice(name: str, value: object, allowed: tuple[str, ...]) -> str:
    if value not in allowed or not isinstance(value, str):
        raise ValueError(f"{name} must be one of {', '.join(repr(a) for a in allowed)}, not {value!r:.40}")
    return value


def pydantic_words(error: Exception, what: str) -> ValueError:
    """A pydantic ValidationError said in the package's words: which field, what was wrong, what was given."""
    items: list[dict[str, Any]] = getattr(error, "errors", lambda: [])()
    parts = []
    for item in items[:3]:
        where = ".".join(str(p) for p in item.get("loc", ()) if not str(p).startswith(("function-", "tagged-union")))
        given = item.get("input")
        shown = f" (given {type(given).__name__} {given!r:.40})" if "input" in item else ""
        parts.append(f"{where or what}: {str(item.get('msg', 'not valid')).removeprefix('Value error, ')}{shown}")
    more = f" (and {len(items) - 3} more)" if len(items) > 3 else ""
    return ValueError(f"{what} refused: " + "; ".join(parts) + more if parts else f"{what} refused: {error}")


def optional_str(name: str, value: object) -> str | None:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    if value is not None:
        text(name, value)
    return value


def _unencodable(value: Any, path: str) -> str | None:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return path
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            found = _unencodable(key, path) if isinstance(key, str) else None
            found = found or _unencodable(item, f"{path}.{key}")
            if found:
                return found
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            found = _unencodable(item, f"{path}.{index}")
            if found:
                return found
    return None
