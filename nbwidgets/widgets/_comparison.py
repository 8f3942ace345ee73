"""Comparing variants, as pure functions: the blind draw, Wilson intervals, and what `comparison()` reports.

Nothing here knows a widget or a service: the draw is a function of (datapoint id, seed, names), so the
same review shows the same sides on every re-display, re-run and kernel restart.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from typing import Any

TIE, NEITHER = "tie", "neither"
# what each variant's trace is told, by the person's choice: the winner and the others told apart
BETTER, WORSE, TIED, BOTH_BAD = "better", "worse", "tie", "both_bad"
PREFERENCE_VALUES = (BETTER, WORSE, TIED, BOTH_BAD)


def blind_seed(dataset_id: str, names: Sequence[str], seed: Any = None) -> str:
    """The review's seed: `seed` when given, else one derived from the dataset and the variants' names (so a
    new process over the same dataset and variants draws the same sides)."""
    base = repr(seed) if seed is not None else f"{dataset_id}\x1f{chr(31).join(sorted(names))}"
    return hashlib.sha256(base.encode()).hexdigest()[:16]


def draw(datapoint_id: str, seed: str, names: Sequence[str]) -> list[str]:
    """The variants' names in the order shown on this row (left first): a stable, even shuffle."""

    def rank(name: str) -> bytes:
        return hashlib.sha256(f"{seed}\x1f{datapoint_id}\x1f{name}".encode()).digest()

    return sorted(names, key=rank)


def wilson(successes: int, n: int, z: float = 1.959963984540054) -> tuple[float | None, float | None, float | None]:
    """The share `successes / n` with its Wilson score interval (95% by default); Nones when n is 0."""
    if n <= 0:
        return (None, None, None)
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    low = 0.0 if successes == 0 else max(0.0, centre - half)  # exact at the ends (no rounding dust)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return (p, low, high)


def told(choice: str, name: str) -> str:
    """The preference value a variant's trace gets for the person's `choice` (a name, tie or neither)."""
    if choice == TIE:
        return TIED
    if choice == NEITHER:
        return BOTH_BAD
    return BETTER if choice == name else WORSE


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)


def judge_choice(names: Sequence[str], verdicts: Mapping[str, Mapping[str, Any]], keys: Sequence[str]) -> str | None:
    """What the evaluators prefer on a row: the variant passing more of them (then the higher number
    verdicts), `tie` when even and passing, `neither` when even and failing; None until all are judged."""
    scores = {}
    for name in names:
        row = verdicts.get(name) or {}
        if any((row.get(k) or {}).get("state") != "done" for k in keys) or not keys:
            return None
        passed = sum(1 for k in keys if row[k].get("passed"))
        total = sum(n for k in keys if (n := _number(row[k].get("value"))) is not None)
        scores[name] = (passed, total)
    best = max(scores.values())
    top = [n for n in names if scores[n] == best]
    if len(top) == 1:
        return top[0]
    return TIE if best[0] > 0 else NEITHER


def _differ(names: Sequence[str], verdicts: Mapping[str, Mapping[str, Any]], keys: Sequence[str]) -> bool:
    for key in keys:
        seen = []
        for name in names:
            verdict = (verdicts.get(name) or {}).get(key) or {}
            if verdict.get("state") != "done":
                break
            seen.append((verdict.get("passed"), verdict.get("value")))
        else:
            if len(set(map(repr, seen))) > 1:
                return True
    return False


def flags(
    names: Sequence[str],
    outputs: Mapping[str, Any],
    verdicts: Mapping[str, Mapping[str, Any]],
    keys: Sequence[str],
    preference: str | None,
) -> dict[str, bool]:
    """One row's filters: the variants' verdicts differ, their texts differ, the judges' preference and the
    person's disagree."""
    texts = [outputs.get(n) for n in names]
    judged = judge_choice(names, verdicts, keys)
    return {
        "differ": _differ(names, verdicts, keys),
        "differ_text": all(t is not None for t in texts) and len({" ".join(str(t).split()).lower() for t in texts}) > 1,
        "disagree": preference is not None and judged is not None and judged != preference,
    }


def comparison(names: Sequence[str], keys: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """What `review.comparison()` reports over `rows` ({id, preference, outputs: {name: text}, verdicts:
    {name: {evaluator key: verdict}}}): wins per variant, ties, both_bad, each variant's win rate (the share
    of the rows given a preference that it won) with its 95% Wilson interval, each evaluator's pass rate
    and mean per variant, and the ids of rows where the variants' verdicts differ, their texts differ, or
    the judges' preference and the person's disagree."""
    wins = dict.fromkeys(names, 0)
    ties = both_bad = preferred = 0
    differ: list[str] = []
    differ_text: list[str] = []
    disagree: list[str] = []
    passes: dict[str, dict[str, list[bool]]] = {k: {n: [] for n in names} for k in keys}
    numbers: dict[str, dict[str, list[float]]] = {k: {n: [] for n in names} for k in keys}
    for row in rows:
        choice = row.get("preference")
        if choice is not None:
            preferred += 1
            if choice == TIE:
                ties += 1
            elif choice == NEITHER:
                both_bad += 1
            elif choice in wins:
                wins[choice] += 1
        verdicts = row.get("verdicts") or {}
        for name in names:
            for key in keys:
                verdict = (verdicts.get(name) or {}).get(key) or {}
                if verdict.get("state") != "done":
                    continue
                if verdict.get("passed") is not None:
                    passes[key][name].append(bool(verdict["passed"]))
                number = _number(verdict.get("value"))
                if number is not None:
                    numbers[key][name].append(number)
        found = flags(names, row.get("outputs") or {}, verdicts, keys, choice)
        for flag, ids in (("differ", differ), ("differ_text", differ_text), ("disagree", disagree)):
            if found[flag]:
                ids.append(row["id"])
    return {
        "n": preferred,
        "wins": wins,
        "ties": ties,
        "both_bad": both_bad,
        "win_rate": {n: wilson(wins[n], preferred) for n in names},
        "pass_rates": {k: {n: (sum(v) / len(v) if v else None) for n, v in per.items()} for k, per in passes.items()},
        "means": {k: {n: (sum(v) / len(v) if v else None) for n, v in per.items()} for k, per in numbers.items()},
        "differ": differ,
        "differ_text": differ_text,
        "disagree": disagree,
    }


def side_name(order: Sequence[str], choice: Any) -> str:
    """The front end's choice (a column's index in `order`, "tie" or "neither") as a variant name: it knows
    no names."""
    if isinstance(choice, int) and not isinstance(choice, bool):
        if not 0 <= choice < len(order):
            raise ValueError(f"choice: this row has {len(order)} columns, not {choice + 1}")
        return order[choice]
    return str(choice)
