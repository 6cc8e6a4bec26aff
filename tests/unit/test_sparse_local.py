"""The in-memory BM25 index local mode searches with: scores, replacement, deletion, compaction."""

from __future__ import annotations

import math

from graph.sparse_local import LocalSparseIndex


def _idf(n: int, df: int) -> float:
    return math.log((n - df + 0.5) / (df + 0.5) + 1)


def test_scores_are_weight_times_idf_over_live_points() -> None:
    index = LocalSparseIndex()
    index.add("a", [1, 2], [1.0, 0.5], group="n1")
    index.add("b", [1], [2.0], group="n1")
    index.add("c", [3], [1.0], group="n2")
    found = dict(index.search([1, 2], 10))
    assert set(found) == {"a", "b"}
    assert math.isclose(found["a"], 1.0 * _idf(3, 2) + 0.5 * _idf(3, 1))
    assert math.isclose(found["b"], 2.0 * _idf(3, 2))
    assert index.search([1, 2], 1) == [max(found.items(), key=lambda item: item[1])]
    assert index.search([99], 5) == []


def test_replacing_and_removing_points_and_groups() -> None:
    index = LocalSparseIndex()
    index.add("a", [1], [1.0], group="n1")
    index.add("a", [2], [1.0], group="n1")  # replaced: term 1 is gone
    assert index.search([1], 5) == [] and [pid for pid, _ in index.search([2], 5)] == ["a"]
    index.add("b", [2], [1.0], group="n2")
    index.remove_groups(["n1"])
    assert len(index) == 1 and [pid for pid, _ in index.search([2], 5)] == ["b"]
    # the idf counts live points only
    assert math.isclose(index.search([2], 5)[0][1], _idf(1, 1))


def test_compaction_keeps_what_is_alive() -> None:
    index = LocalSparseIndex()
    for number in range(200):
        index.add(f"p{number}", [number % 7], [1.0 + number], group=f"g{number}")
    index.remove([f"p{number}" for number in range(150)])
    assert len(index) == 50 and len(index._point_of) == 50  # compacted
    top = index.search([3], 3)
    assert [pid for pid, _ in top] == ["p199", "p192", "p185"]
