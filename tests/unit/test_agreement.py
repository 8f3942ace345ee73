"""agreement(): the share of agreement, Cohen's kappa, the confusion table and the disagreements."""

from __future__ import annotations

import pytest

from nbwidgets.agreement import agreement


def rows(*counts: tuple[str, str, int]) -> list[tuple[str, str, str]]:
    made = []
    for judge, people, count in counts:
        made += [(f"dp{len(made) + i}", judge, people) for i in range(count)]
    return made


def test_the_textbook_example():
    # 50 rows: both yes 20, judge yes / people no 5, judge no / people yes 10, both no 15 -> po .7, pe .5, kappa .4
    result = agreement(rows(("yes", "yes", 20), ("yes", "no", 5), ("no", "yes", 10), ("no", "no", 15)))
    assert result.n == 50
    assert result.agreement == pytest.approx(0.7)
    assert result.kappa == pytest.approx(0.4)
    assert result.confusion == {"no": {"no": 15, "yes": 10}, "yes": {"no": 5, "yes": 20}}
    assert result.disagreements == [f"dp{i}" for i in range(20, 35)]
    assert result["kappa"] == result.kappa and "agree on 35 of 50 (70%)" in result.sentence


def test_perfect_chance_and_worse_than_chance():
    assert agreement(rows(("good", "good", 3), ("bad", "bad", 2))).kappa == pytest.approx(1.0)
    chance = agreement(rows(("good", "good", 1), ("good", "bad", 1), ("bad", "good", 1), ("bad", "bad", 1)))
    assert chance.agreement == 0.5 and chance.kappa == pytest.approx(0.0)
    opposite = agreement(rows(("good", "bad", 2), ("bad", "good", 2)))
    assert opposite.agreement == 0 and opposite.kappa == pytest.approx(-1.0)


def test_one_label_throughout_leaves_kappa_undefined_and_no_rows_is_empty():
    same = agreement(rows(("good", "good", 4)))
    assert same.agreement == 1 and same.kappa is None and "undefined" in same.sentence
    empty = agreement([])
    assert (empty.n, empty.kappa, empty.confusion, empty.disagreements) == (0, None, {}, [])


def test_labels_only_one_side_uses_appear_in_the_table():
    result = agreement([("a", "correct", "wrong"), ("b", "partially_correct", "correct")])
    assert result.labels == ["correct", "partially_correct", "wrong"]
    assert result.confusion["wrong"] == {"correct": 0, "partially_correct": 0, "wrong": 0}
    assert result.disagreements == ["a", "b"]


def test_pairs_must_be_text_triples():
    with pytest.raises(TypeError, match="datapoint id, judge's label, people's label"):
        agreement([("a", True, "good")])  # type: ignore[list-item]
