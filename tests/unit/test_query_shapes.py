"""Query shapes and dates, read without an LLM."""

from __future__ import annotations

from datetime import date

import pytest

from graph.retrieval.query import parse_date, parse_shape


@pytest.mark.parametrize(
    ("query", "shape", "types", "entity", "speaker"),
    [
        ("papers connected to the Defense Trilemma", "connected", ("Paper",), "the Defense Trilemma", None),
        ('Show me papers related to "defense trilemma"?', "connected", ("Paper",), "defense trilemma", None),
        ("notes about knowledge distillation", "connected", ("Note",), "knowledge distillation", None),
        ("policy events concerning export controls", "connected", ("PolicyEvent",), "export controls", None),
        ("people linked to Acme Lab", "connected", ("Person",), "Acme Lab", None),
        ("timeline of export controls", "timeline", ("Note", "Paper", "PolicyEvent"), "export controls", None),
        ("history of reward hacking", "timeline", ("Note", "Paper", "PolicyEvent"), "reward hacking", None),
        ("what did Policy Digest say about export controls?", "said_about", ("Note",), "export controls", "Policy Digest"),
        ("What has Bo Chen written about the trilemma", "said_about", ("Note",), "the trilemma", "Bo Chen"),
        ("reward hacking in coding agents", "free", (), None, None),
        ("model distillation on small students", "free", (), None, None),
    ],
)
def test_shapes(query, shape, types, entity, speaker) -> None:
    found = parse_shape(query)
    assert (found.name, found.target_types, found.entity_text, found.speaker_text) == (shape, types, entity, speaker)


def test_a_date_tail_is_read_off_any_shape() -> None:
    assert parse_shape("papers since 2026-03-01") == parse_shape("papers since 2026-03-01")
    since = parse_shape("papers since 2026-03-01")
    assert (since.name, since.target_types, since.since, since.until) == ("since", ("Paper",), date(2026, 3, 1), None)
    tail = parse_shape("notes about distillation after March 2026")
    assert (tail.name, tail.entity_text, tail.since) == ("connected", "distillation", date(2026, 3, 1))
    before = parse_shape("reward hacking before 2026")
    assert (before.name, before.until) == ("free", date(2026, 1, 1))
    assert parse_shape("papers").name == "free"  # a type alone, without dates, is just text


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2026-03-04", date(2026, 3, 4)),
        ("2026-03", date(2026, 3, 1)),
        ("2026", date(2026, 1, 1)),
        ("March 2026", date(2026, 3, 1)),
        ("Sept. 2025", date(2025, 9, 1)),
        ("4 March 2026", date(2026, 3, 4)),
        ("March 4, 2026", date(2026, 3, 4)),
        ("2026-02-30", None),
        ("someday", None),
    ],
)
def test_dates(text, day) -> None:
    assert parse_date(text) == day
