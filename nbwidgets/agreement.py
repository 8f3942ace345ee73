"""How far a judge agrees with people: a pure function over paired labels, no service, no widget.

`agreement(pairs)` takes (datapoint id, the judge's label, the people's label) for each row both labelled and
returns `n`, the share of rows where they agree, Cohen's kappa (agreement corrected for what two raters
labelling at random with the same label frequencies would reach: 1 is perfect, 0 is chance), the confusion
table (judge's label -> people's label -> count) and the ids of the rows where they disagree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Agreement:
    n: int
    agreement: float  # 0..1: the share of rows where judge and people give the same label
    kappa: float | None  # Cohen's kappa; None when it is undefined (both gave one and the same label throughout)
    confusion: dict[str, dict[str, int]]  # judge's label -> people's label -> rows
    disagreements: list[str]  # datapoint ids, in the order given
    labels: list[str] = field(default_factory=list)  # every label seen, sorted

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "agreement": self.agreement,
            "kappa": self.kappa,
            "confusion": self.confusion,
            "disagreements": list(self.disagreements),
            "labels": list(self.labels),
        }

    def __getitem__(self, name: str) -> Any:  # review.agreement(...)["kappa"] reads like the dict it describes
        return self.to_json()[name]

    @property
    def sentence(self) -> str:
        if not self.n:
            return "No row has both a verdict and people's feedback yet."
        kappa = "undefined (one label only)" if self.kappa is None else f"{self.kappa:.2f}"
        return (
            f"Judge and people agree on {self.n - len(self.disagreements)} of {self.n} "
            f"({self.agreement:.0%}), Cohen's kappa {kappa}; they disagree on {len(self.disagreements)}."
        )

    def __repr__(self) -> str:
        kappa = None if self.kappa is None else round(self.kappa, 3)
        return (
            f"Agreement(n={self.n}, agreement={self.agreement:.3f}, kappa={kappa}, "
            f"disagreements={len(self.disagreements)})"
        )


def agreement(pairs: Iterable[tuple[str, str, str]]) -> Agreement:
    """Agreement over (datapoint id, judge's label, people's label) triples."""
    rows = list(pairs)
    for row in rows:
        if len(row) != 3 or not all(isinstance(part, str) for part in row):
            raise TypeError(f"each pair is (datapoint id, judge's label, people's label), all text: got {row!r}")
    labels = sorted({judge for _, judge, _ in rows} | {people for _, _, people in rows})
    confusion = {judge: dict.fromkeys(labels, 0) for judge in labels}
    for _, judge, people in rows:
        confusion[judge][people] += 1
    n = len(rows)
    disagreements = [key for key, judge, people in rows if judge != people]
    if not n:
        return Agreement(0, 0.0, None, {}, [], [])
    observed = (n - len(disagreements)) / n
    judged, given = Counter(j for _, j, _ in rows), Counter(p for _, _, p in rows)
    chance = sum(judged[label] * given[label] for label in labels) / (n * n)
    kappa = None if chance >= 1 else (observed - chance) / (1 - chance)
    return Agreement(n, observed, kappa, confusion, disagreements, labels)
