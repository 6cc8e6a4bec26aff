"""The dates the ranker reads: a note's day, an entity's own date, a paper's publication month."""

from __future__ import annotations

from datetime import date

import pytest

from graph.retrieval.config import RetrievalConfig
from graph.retrieval.rank import node_date, recency_prior

TODAY = date(2026, 6, 1)


@pytest.mark.parametrize(
    ("node", "expected"),
    [
        ({"day": "2026-05-01"}, date(2026, 5, 1)),
        ({"day": "2026-05-01T12:00:00Z"}, date(2026, 5, 1)),
        ({"day": "2023-05"}, date(2023, 5, 1)),  # a paper's arXiv month
        ({"day": "not a date", "first_seen": "2024-06-27"}, date(2024, 6, 27)),
        ({"day": "2023-13", "first_seen": "2024-06-27"}, date(2024, 6, 27)),
        ({"day": 2023}, None),
        ({}, None),
    ],
)
def test_node_date(node, expected) -> None:
    assert node_date(node) == expected


def test_a_paper_dated_by_month_gets_a_recency_prior_between_older_and_newer_days() -> None:
    config = RetrievalConfig()
    month = recency_prior({"day": "2026-03"}, TODAY, config)
    assert 0.0 < month
    assert recency_prior({"day": "2026-02-15"}, TODAY, config) < month < recency_prior({"day": "2026-03-15"}, TODAY, config)
